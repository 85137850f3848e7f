// The backends every shared test runs against, restricted by ACTOR_STORE_BACKENDS
// (a comma-separated list of backend names; default: all of them).
import { ActorStore, type ActorStoreApi, JsActorStore, type StoreOptions } from 'actor-store'

export type BackendName = 'ActorStore' | 'JsActorStore'

export interface Backend {
  name: BackendName
  create: (options?: StoreOptions) => ActorStoreApi
}

const ALL: Backend[] = [
  { name: 'ActorStore', create: (options?: StoreOptions) => new ActorStore(options) },
  { name: 'JsActorStore', create: (options?: StoreOptions) => new JsActorStore(options) },
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
      throw new Error(`ACTOR_STORE_BACKENDS names an unknown backend '${name}' (known: ActorStore, JsActorStore)`)
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
