// JsActorStore: the ActorStore API in pure TypeScript, in memory. It is the fallback when the native
// addon cannot load and the baseline the benchmarks compare against, so it checks inputs in the same
// order as ActorStore and keeps values as JSON text: every value handed out is a fresh JSON.parse.
import { InvalidArgumentError, KeyAlreadyExistsError, NotFoundError, VersionMismatchError } from './errors'
import { ChangeLog, type LogCursor } from './js-change-log'
import { checkSnapshotFields, planRestore } from './js-restore'
import { type EventSource, EventStream } from './subscription'
import type {
  ActorData,
  ActorStoreApi,
  CdcStats,
  JsonValue,
  Snapshot,
  SnapshotActor,
  StoreOptions,
  Subscription,
  SubscriptionOptions,
} from './types'
import {
  checkActor,
  checkExpectedVersion,
  checkKey,
  checkOpen,
  checkSnapshot,
  checkWrite,
  normalizeStoreOptions,
  normalizeSubscriptionOptions,
} from './validate'

interface ActorRecord {
  json: string
  version: number
}

/** The state behind one or more handles: actors by type then id, and the change log. */
class StoreCore {
  readonly actors = new Map<string, Map<string, ActorRecord>>()
  readonly log: ChangeLog
  /** Handles not yet closed; a named core leaves the registry when this drops to 0. */
  openHandles = 0

  constructor(
    readonly name: string | undefined,
    readonly replayBufferSize: number,
  ) {
    this.log = new ChangeLog(replayBufferSize)
  }
}

// Named cores of this thread. Weak, so handles that are dropped without close() free their store.
const namedCores = new Map<string, WeakRef<StoreCore>>()
const coreCleanup = new FinalizationRegistry<string>((name) => {
  if (namedCores.get(name)?.deref() === undefined) namedCores.delete(name)
})
// A subscription dropped without close() stops counting as active once it is collected.
const streamCleanup = new FinalizationRegistry<EventSource<JsonValue>>((source) => source.close())

function acquireCore(name: string | undefined, replayBufferSize: number): StoreCore {
  let core = name === undefined ? undefined : namedCores.get(name)?.deref()
  if (core !== undefined && core.replayBufferSize !== replayBufferSize) {
    throw new InvalidArgumentError(
      `store ${JSON.stringify(name)} is already open with replayBufferSize ${core.replayBufferSize}`,
    )
  }
  if (core === undefined) {
    core = new StoreCore(name, replayBufferSize)
    if (name !== undefined) {
      namedCores.set(name, new WeakRef(core))
      coreCleanup.register(core, name)
    }
  }
  core.openHandles++
  return core
}

function releaseCore(core: StoreCore): void {
  core.openHandles--
  const { name } = core
  if (core.openHandles === 0 && name !== undefined && namedCores.get(name)?.deref() === core) namedCores.delete(name)
}

function describeActor(actorType: string, id: string): string {
  return `actor ${JSON.stringify(id)} of type ${JSON.stringify(actorType)}`
}

/**
 * The {@link ActorStoreApi} in pure TypeScript, held in memory; works where the native addon is
 * unavailable.
 *
 * Handles created with the same `name` in the same thread share one state (each handle has its own
 * `close()` and its own subscriptions); the state is discarded once every handle of that name is
 * closed or garbage-collected, and a later handle with that name starts empty. Opening a name that
 * is already open with another `replayBufferSize` throws InvalidArgumentError, as ActorStore does.
 *
 * Unlike the native `ActorStore`, a JsActorStore cannot be shared across `worker_threads`: each
 * thread has its own module instance, so the same `name` in another worker is a different store.
 */
export class JsActorStore implements ActorStoreApi {
  readonly #core: StoreCore
  readonly #actors: Map<string, Map<string, ActorRecord>>
  readonly #log: ChangeLog
  readonly #subscriptions = new Set<LogCursor<JsonValue>>()
  #closed = false

  constructor(options?: StoreOptions) {
    const { name, replayBufferSize } = normalizeStoreOptions(options)
    this.#core = acquireCore(name, replayBufferSize)
    this.#actors = this.#core.actors
    this.#log = this.#core.log
  }

  insert<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    let actors = this.#actors.get(actorType)
    if (actors === undefined) {
      actors = new Map()
      this.#actors.set(actorType, actors)
    } else if (actors.has(id)) {
      throw new KeyAlreadyExistsError(`${describeActor(actorType, id)} already exists`)
    }
    actors.set(id, { json, version: 0 })
    this.#log.append('INSERT', actorType, id, '', -1, json, 0)
    return { id, value: JSON.parse(json), version: 0 }
  }

  get<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    checkActor(this.#closed, actorType, id)
    const record = this.#actors.get(actorType)?.get(id)
    return record === undefined ? undefined : { id, value: JSON.parse(record.json), version: record.version }
  }

  update<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    const record = this.#actors.get(actorType)?.get(id)
    if (record === undefined) throw new NotFoundError(`${describeActor(actorType, id)} does not exist`)
    return this.#replace(actorType, id, record, json)
  }

  updateVersioned<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    checkExpectedVersion(expectedVersion)
    const record = this.#actors.get(actorType)?.get(id)
    if (record === undefined) throw new NotFoundError(`${describeActor(actorType, id)} does not exist`)
    if (record.version !== expectedVersion) throw new VersionMismatchError(expectedVersion, record.version)
    return this.#replace(actorType, id, record, json)
  }

  delete<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    checkActor(this.#closed, actorType, id)
    const actors = this.#actors.get(actorType)
    if (actors === undefined) return undefined
    const record = actors.get(id)
    if (record === undefined) return undefined
    actors.delete(id)
    if (actors.size === 0) this.#actors.delete(actorType)
    const { json, version } = record
    this.#log.append('DELETE', actorType, id, json, version, '', -1)
    return { id, value: JSON.parse(json), version }
  }

  /** Every actor of `actorType`, in insertion order (an update keeps its place, a re-insert moves to the end). */
  getAll<T extends JsonValue = JsonValue>(actorType: string): ActorData<T>[] {
    checkOpen(this.#closed)
    checkKey('actorType', actorType)
    const actors = this.#actors.get(actorType)
    const all: ActorData<T>[] = []
    if (actors === undefined) return all
    for (const [id, record] of actors) all.push({ id, value: JSON.parse(record.json), version: record.version })
    return all
  }

  subscribe<T extends JsonValue = JsonValue>(options?: SubscriptionOptions): Subscription<T> {
    checkOpen(this.#closed)
    const normalized = normalizeSubscriptionOptions(options)
    const source = this.#log.openCursor<T>(normalized, this.#subscriptions)
    const stream = new EventStream<T>(source)
    streamCleanup.register(stream, source)
    return stream
  }

  cdcStats(): CdcStats {
    checkOpen(this.#closed)
    const log = this.#log
    return {
      totalEvents: log.next,
      currentSequence: log.next,
      replayBufferSize: log.count,
      activeSubscriptions: log.activeSubscriptions,
      eventsDropped: log.eventsDropped,
    }
  }

  /** Every actor, as of the next sequence (JavaScript runs one call at a time, so it is point-in-time). */
  // The async writes resolve at once: a JS store has no disk to wait for.
  async insertAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>> {
    return this.insert(actorType, id, value)
  }

  async updateAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>> {
    return this.update(actorType, id, value)
  }

  async updateVersionedAsync<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): Promise<ActorData<T>> {
    return this.updateVersioned(actorType, id, value, expectedVersion)
  }

  async deleteAsync<T extends JsonValue = JsonValue>(actorType: string, id: string): Promise<ActorData<T> | undefined> {
    return this.delete(actorType, id)
  }

  createSnapshot(): Snapshot {
    checkOpen(this.#closed)
    const actors: SnapshotActor[] = []
    for (const [actorType, ofType] of this.#actors) {
      for (const [id, { json, version }] of ofType) actors.push({ actorType, id, value: JSON.parse(json), version })
    }
    return { format: 'actor-store-snapshot/1', sequence: this.#log.next, actors }
  }

  /**
   * Makes the state exactly the snapshot's, as ActorStore does: DELETE for actors it lacks, then
   * INSERT (at the snapshot's version) for actors the store lacks, then UPDATE for actors whose
   * value or version differs; each with a new sequence. A bad snapshot changes nothing.
   */
  restoreSnapshot(snapshot: Snapshot): void {
    checkOpen(this.#closed)
    checkSnapshot(snapshot)
    checkSnapshotFields(snapshot)
    const { removals, inserts, updates } = planRestore(this.#actors, snapshot)
    const log = this.#log
    for (const [actorType, id] of removals) {
      const actors = this.#actors.get(actorType) as Map<string, ActorRecord>
      const { json, version } = actors.get(id) as ActorRecord
      actors.delete(id)
      if (actors.size === 0) this.#actors.delete(actorType)
      log.append('DELETE', actorType, id, json, version, '', -1)
    }
    for (const { actorType, id, json, version } of inserts) {
      let actors = this.#actors.get(actorType)
      if (actors === undefined) {
        actors = new Map()
        this.#actors.set(actorType, actors)
      }
      actors.set(id, { json, version })
      log.append('INSERT', actorType, id, '', -1, json, version)
    }
    for (const { actorType, id, json, version } of updates) {
      const record = this.#actors.get(actorType)?.get(id) as ActorRecord
      const previousJson = record.json
      const previousVersion = record.version
      record.json = json
      record.version = version
      log.append('UPDATE', actorType, id, previousJson, previousVersion, json, version)
    }
  }

  /** Closes this handle and ends its subscriptions; a named store lives on while other handles use it. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const cursor of this.#subscriptions) cursor.end()
    this.#subscriptions.clear()
    this.#log.wakeAll()
    releaseCore(this.#core)
  }

  #replace<T extends JsonValue>(actorType: string, id: string, record: ActorRecord, json: string): ActorData<T> {
    const previousJson = record.json
    const previousVersion = record.version
    const version = previousVersion + 1
    record.json = json
    record.version = version
    this.#log.append('UPDATE', actorType, id, previousJson, previousVersion, json, version)
    return { id, value: JSON.parse(json), version }
  }
}
