// Snapshot tests run on three stores: the in-memory ActorStore, JsActorStore and the persistent
// ActorStore.open(<temp dir>). Also a mirror that follows restores (versions may jump or go down).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { ActorStore, type ActorStoreApi, type ChangeEvent, JsActorStore, type SnapshotActor } from 'actor-store'
import type { ExecutionContext } from 'ava'
import { hasBackend, uniqueName } from './backends'
import { takeUntil } from './stream'

export type SnapshotBackendName = 'ActorStore' | 'JsActorStore' | 'ActorStore.open'

/** How a worker thread opens the same store: by name (in memory) or by path (persistent). */
export type WorkerTarget = { name: string } | { path: string }

export interface OpenedStore {
  store: ActorStoreApi
  /** Set for the native stores, which worker threads can share. */
  target?: WorkerTarget
}

export interface SnapshotBackend {
  name: SnapshotBackendName
  /** A fresh store, closed (and its directory removed) when the test ends. */
  open: (t: ExecutionContext) => Promise<OpenedStore>
}

/** A fresh temporary directory, removed when the test ends (after the teardowns registered later). */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'actor-store-snapshot-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Closes `store` when the test ends. AVA runs teardowns last-registered first. */
export function closeLater<S extends ActorStoreApi>(t: ExecutionContext, store: S): S {
  t.teardown(() => store.close())
  return store
}

const ALL: SnapshotBackend[] = [
  {
    name: 'ActorStore',
    open: async (t) => {
      const name = uniqueName('snapshot')
      return { store: closeLater(t, new ActorStore({ name })), target: { name } }
    },
  },
  { name: 'JsActorStore', open: async (t) => ({ store: closeLater(t, new JsActorStore()) }) },
  {
    name: 'ActorStore.open',
    open: async (t) => {
      const path = join(await tempDir(t), 'store')
      return { store: closeLater(t, ActorStore.open(path)), target: { path } }
    },
  },
]

export const snapshotBackends: readonly SnapshotBackend[] = ALL.filter((backend) => hasBackend(backend.name))

export function eachSnapshotBackend(register: (backend: SnapshotBackend, title: (text: string) => string) => void) {
  for (const backend of snapshotBackends) register(backend, (text) => `${backend.name}: ${text}`)
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Actors sorted by type then id, for order-insensitive comparison. */
export function sorted(actors: readonly SnapshotActor[]): SnapshotActor[] {
  return [...actors].sort((a, b) => compareStrings(a.actorType, b.actorType) || compareStrings(a.id, b.id))
}

/** Every actor of the store, sorted, read through createSnapshot. */
export function stateOf(store: ActorStoreApi): SnapshotActor[] {
  return sorted(store.createSnapshot().actors)
}

/** Every actor of `types`, read through getAll, sorted. */
export function stateByGetAll(store: ActorStoreApi, types: readonly string[]): SnapshotActor[] {
  return sorted(
    types.flatMap((actorType) =>
      store.getAll(actorType).map(({ id, value, version }) => ({ actorType, id, value, version })),
    ),
  )
}

/** Follows the change stream as the API defines it: INSERT/UPDATE set the actor, DELETE removes it. */
export class Mirror {
  readonly actors = new Map<string, SnapshotActor>()
  problem: string | undefined

  apply(event: ChangeEvent): void {
    const key = JSON.stringify([event.actorType, event.actorId])
    const held = this.actors.get(key)
    const bad = (why: string) => {
      this.problem ??= `sequence ${event.sequence} (${event.operation} ${key}): ${why}`
    }
    if (event.operation === 'INSERT') {
      if (held) bad('the actor already exists')
    } else if (!held) {
      bad('the actor does not exist')
    } else {
      if (event.previousVersion !== held.version) bad(`previousVersion ${event.previousVersion} is not ${held.version}`)
      if (!isDeepStrictEqual(event.previousValue, held.value)) bad('previousValue differs from the mirror')
    }
    if (event.operation === 'DELETE') {
      this.actors.delete(key)
      return
    }
    if (typeof event.newVersion !== 'number' || !('newValue' in event)) bad('newValue or newVersion missing')
    const { actorType, actorId: id, newValue: value, newVersion: version } = event
    this.actors.set(key, { actorType, id, value: value as SnapshotActor['value'], version: version as number })
  }

  state(): SnapshotActor[] {
    return sorted([...this.actors.values()])
  }
}

/** Every event from 'beginning' up to the one before the store's current sequence. */
export async function allEvents(store: ActorStoreApi): Promise<ChangeEvent[]> {
  const end = store.cdcStats().currentSequence
  if (end === 0) return []
  const sub = store.subscribe({ start: 'beginning' })
  try {
    return await takeUntil(sub, (event) => event.sequence >= end - 1, 'every event from the beginning')
  } finally {
    sub.close()
  }
}
