// ActorStore: the public API over the Rust core. Inputs are checked here (cheap, and the same
// checks as JsActorStore); values cross the boundary as JSON text and come back through JSON.parse.
import { AsyncWrites, type WriteKind } from './async-writes'
import { InvalidArgumentError, VersionMismatchError } from './errors'
import { decodeEvents } from './event-wire'
import { changeCommitted, waitEnded, waitStarted } from './loop-guard'
import {
  type FastCalls,
  type FastHandle,
  type NativeStoreHandle,
  type NativeSubscriptionHandle,
  nativeModule,
} from './native-binding'
import { fromNativeError } from './native-errors'
import { type EventSource, EventStream } from './subscription'
import type {
  ActorData,
  ActorStoreApi,
  CdcStats,
  ChangeEvent,
  JsonValue,
  PersistentOptions,
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
  normalizePersistentOptions,
  normalizeStoreOptions,
  normalizeSubscriptionOptions,
} from './validate'

/** Actors per slice when a large result crosses the native boundary (bounded string sizes). */
const SNAPSHOT_SLICE = 10_000

/** Every item of a result the addon hands over in slices. */
function readSlices<T>(source: { readonly count: number; slice(start: number, count: number): string }): T[] {
  const items: T[] = []
  for (let start = 0; start < source.count; start += SNAPSHOT_SLICE) {
    for (const item of JSON.parse(source.slice(start, SNAPSHOT_SLICE))) items.push(item)
  }
  return items
}

// Hands a handle made by `ActorStore.open` to the constructor (private fields need the constructor).
let openedHandle: NativeStoreHandle | undefined

export class ActorStore implements ActorStoreApi {
  readonly #native: NativeStoreHandle
  readonly #calls: FastCalls
  readonly #fast: FastHandle
  /** Numbers the fast calls return beside their result (slot 0: a version). */
  readonly #slots: Float64Array
  #writes: AsyncWrites | undefined
  #closed = false

  /** An in-memory store; stores with the same `name` share one state across worker threads. */
  constructor(options?: StoreOptions) {
    const module = nativeModule()
    const opened = openedHandle
    openedHandle = undefined
    if (opened !== undefined) {
      this.#native = opened
    } else {
      const { name, replayBufferSize } = normalizeStoreOptions(options)
      try {
        this.#native = new module.NativeStore(name, replayBufferSize)
      } catch (error) {
        throw fromNativeError(error)
      }
    }
    this.#calls = module
    this.#fast = this.#native.fastHandle()
    this.#slots = module.fastSlots(this.#fast)
  }

  /**
   * The persistent store in directory `path` (created if absent), on RocksDB. Every actor and the
   * change log survive restarts; calls from several worker threads share one open database.
   */
  static open(path: string, options?: PersistentOptions): ActorStore {
    const { replayBufferSize, syncWrites, maxEvents, maxAgeMs } = normalizePersistentOptions(path, options)
    const { NativeStore } = nativeModule()
    try {
      openedHandle = NativeStore.open(path, replayBufferSize, syncWrites, maxEvents, maxAgeMs)
    } catch (error) {
      throw fromNativeError(error)
    }
    return new ActorStore()
  }

  insert<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    let version: number
    try {
      version = this.#calls.fastInsert(this.#fast, actorType, id, json)
    } catch (error) {
      throw fromNativeError(error)
    }
    changeCommitted()
    return { id, value: JSON.parse(json), version }
  }

  get<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    checkActor(this.#closed, actorType, id)
    let json: string | null
    try {
      json = this.#calls.fastGet(this.#fast, actorType, id)
    } catch (error) {
      throw fromNativeError(error)
    }
    return json === null ? undefined : { id, value: JSON.parse(json), version: this.#slots[0] }
  }

  update<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    let version: number
    try {
      version = this.#calls.fastUpdate(this.#fast, actorType, id, json)
    } catch (error) {
      throw fromNativeError(error)
    }
    changeCommitted()
    return { id, value: JSON.parse(json), version }
  }

  updateVersioned<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): ActorData<T> {
    const json = checkWrite(this.#closed, actorType, id, value)
    checkExpectedVersion(expectedVersion)
    let version: number
    try {
      version = this.#calls.fastUpdateVersioned(this.#fast, actorType, id, json, expectedVersion)
    } catch (error) {
      throw fromNativeError(error)
    }
    if (version < 0) throw new VersionMismatchError(expectedVersion, this.#slots[0])
    changeCommitted()
    return { id, value: JSON.parse(json), version }
  }

  delete<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    checkActor(this.#closed, actorType, id)
    let json: string | null
    try {
      json = this.#calls.fastDelete(this.#fast, actorType, id)
    } catch (error) {
      throw fromNativeError(error)
    }
    if (json === null) return undefined
    changeCommitted()
    return { id, value: JSON.parse(json), version: this.#slots[0] }
  }

  getAll<T extends JsonValue = JsonValue>(actorType: string): ActorData<T>[] {
    checkOpen(this.#closed)
    checkKey('actorType', actorType)
    try {
      const all = this.#native.getAll(actorType)
      return typeof all === 'string' ? JSON.parse(all) : readSlices(all)
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  subscribe<T extends JsonValue = JsonValue>(options?: SubscriptionOptions): Subscription<T> {
    checkOpen(this.#closed)
    const { start, actorType, keyPrefix } = normalizeSubscriptionOptions(options)
    const startValue = start.kind === 'afterSequence' ? start.sequence : start.kind === 'timestamp' ? start.ms : 0
    try {
      return new EventStream(
        new NativeEventSource<T>(this.#native.subscribe(start.kind, startValue, actorType, keyPrefix)),
      )
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  cdcStats(): CdcStats {
    checkOpen(this.#closed)
    try {
      return this.#native.cdcStats()
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  /** `insert` off the event loop: the write (and, with `durability: 'sync'`, its fsync) runs on a worker thread. */
  insertAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>> {
    return this.#writeAsync('insert', actorType, id, () => checkWrite(this.#closed, actorType, id, value))
  }

  updateAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>> {
    return this.#writeAsync('update', actorType, id, () => checkWrite(this.#closed, actorType, id, value))
  }

  updateVersionedAsync<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): Promise<ActorData<T>> {
    const check = () => {
      const json = checkWrite(this.#closed, actorType, id, value)
      checkExpectedVersion(expectedVersion)
      return json
    }
    return this.#writeAsync('updateVersioned', actorType, id, check, expectedVersion)
  }

  deleteAsync<T extends JsonValue = JsonValue>(actorType: string, id: string): Promise<ActorData<T> | undefined> {
    const check = () => {
      checkActor(this.#closed, actorType, id)
      return undefined
    }
    return this.#writeAsync('delete', actorType, id, check)
  }

  /**
   * Queues a write once `check` passes (it throws on bad input, and returns the value's JSON, or
   * undefined for a delete). Bad input rejects the promise rather than throwing.
   */
  #writeAsync<R>(
    kind: WriteKind,
    actorType: string,
    id: string,
    check: () => string | undefined,
    expectedVersion?: number,
  ): Promise<R> {
    let json: string | undefined
    try {
      json = check()
    } catch (error) {
      return Promise.reject(error)
    }
    this.#writes ??= new AsyncWrites(this.#native, this.#calls, this.#fast)
    return this.#writes.submit(kind, actorType, id, json, expectedVersion) as Promise<R>
  }

  createSnapshot(): Snapshot {
    checkOpen(this.#closed)
    try {
      const native = this.#native.createSnapshot()
      return { format: 'actor-store-snapshot/1', sequence: native.sequence, actors: readSlices<SnapshotActor>(native) }
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  restoreSnapshot(snapshot: Snapshot): void {
    checkOpen(this.#closed)
    checkSnapshot(snapshot)
    try {
      const restore = this.#native.beginRestore(snapshot.sequence)
      for (let start = 0; start < snapshot.actors.length; start += SNAPSHOT_SLICE) {
        restore.add(JSON.stringify(snapshot.actors.slice(start, start + SNAPSHOT_SLICE)))
      }
      if (restore.commit() > 0) changeCommitted()
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  /** Writes a consistent copy of a persistent store into the new directory `path` (open it with `open`). */
  checkpoint(path: string): void {
    checkOpen(this.#closed)
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path must be a non-empty string')
    try {
      this.#native.checkpoint(path)
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  /**
   * Closes this handle and ends its subscriptions. A shared store lives on while other handles use
   * it; the last close of a persistent store flushes it and releases its directory.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
  }
}

class NativeEventSource<T> implements EventSource<T> {
  constructor(private readonly handle: NativeSubscriptionHandle) {}

  poll(max: number): ChangeEvent<T>[] | 'pending' | 'ended' {
    let text: string | null
    try {
      text = this.handle.poll(max)
    } catch (error) {
      throw fromNativeError(error)
    }
    if (text === null) return 'ended'
    return text === '' ? 'pending' : decodeEvents<T>(text)
  }

  waitReady(wake: () => void): void {
    const inFlight = this.handle.waitReady(() => {
      waitEnded()
      wake()
    })
    waitStarted(inFlight)
  }

  close(): void {
    this.handle.close()
  }
}
