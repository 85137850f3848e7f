// The backends every shared test runs against, restricted by ACTOR_STORE_BACKENDS
// (a comma-separated list of backend names; default: all of them).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActorStore, type ActorStoreApi, JsActorStore, type StoreOptions } from 'actor-store'

export type BackendName = 'ActorStore' | 'JsActorStore' | 'ActorStore.open'

export interface Backend {
  name: BackendName
  /**
   * names: `{ name }` gives handles on one shared store (the persistent backend ignores `name`).
   * boundedReplay: the change stream keeps only `replayBufferSize` events for replay, so a small
   * buffer makes slow subscribers lag. The persistent store replays from disk instead (its lag
   * comes from `retention.maxEvents`).
   */
  supports: { names: boolean; boundedReplay: boolean }
  create: (options?: StoreOptions) => ActorStoreApi
}

// Directories of persistent stores not yet removed; whatever a test leaves is removed at exit.
const openDirectories = new Set<string>()
process.on('exit', () => {
  for (const dir of openDirectories) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary directory, removed at process exit unless `removeTempDir` removed it first. */
export function makeTempDir(label = 'store'): string {
  const dir = mkdtempSync(join(tmpdir(), `actor-store-${label}-`))
  openDirectories.add(dir)
  return dir
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  openDirectories.delete(dir)
}

/** StoreOptions without `name` (which the persistent store has no use for); anything else as given. */
function withoutName(options: unknown): unknown {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) {
    return options
  }
  const { name: _, ...rest } = options as StoreOptions
  return rest
}

/** `ActorStore.open` on a fresh temporary directory, which the store's close() removes. */
function openPersistent(options?: StoreOptions): ActorStoreApi {
  const dir = makeTempDir('backend')
  let store: ActorStore
  try {
    store = ActorStore.open(dir, withoutName(options) as StoreOptions)
  } catch (error) {
    removeTempDir(dir)
    throw error
  }
  const close = store.close.bind(store)
  store.close = () => {
    close()
    removeTempDir(dir)
  }
  return store
}

const ALL: Backend[] = [
  {
    name: 'ActorStore',
    supports: { names: true, boundedReplay: true },
    create: (options?: StoreOptions) => new ActorStore(options),
  },
  {
    name: 'JsActorStore',
    supports: { names: true, boundedReplay: true },
    create: (options?: StoreOptions) => new JsActorStore(options),
  },
  {
    name: 'ActorStore.open',
    supports: { names: false, boundedReplay: false },
    create: openPersistent,
  },
]

function selectBackends(): Backend[] {
  const raw = process.env.ACTOR_STORE_BACKENDS
  if (raw === undefined || raw.trim() === '') return ALL
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  for (const name of names) {
    if (!ALL.some((backend) => backend.name === name)) {
      const known = ALL.map((backend) => backend.name).join(', ')
      throw new Error(`ACTOR_STORE_BACKENDS names an unknown backend '${name}' (known: ${known})`)
    }
  }
  return ALL.filter((backend) => names.includes(backend.name))
}

export const backends: readonly Backend[] = selectBackends()

export function hasBackend(name: BackendName): boolean {
  return backends.some((backend) => backend.name === name)
}

/** Registers one copy of the tests per selected backend; titles get the backend name as prefix. */
export function eachBackend(register: (backend: Backend, title: (text: string) => string) => void): void {
  for (const backend of backends) register(backend, (text) => `${backend.name}: ${text}`)
}

let counter = 0
/** A store name no other test in this process uses. */
export function uniqueName(label: string): string {
  counter += 1
  return `${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`
}

/** Casts a deliberately ill-typed argument so bad-input tests type-check. */
export function bad<T = never>(value: unknown): T {
  return value as T
}
