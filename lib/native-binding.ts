// Loads the N-API addon once per worker; a failure is remembered and reported, not thrown at import,
// so JsActorStore keeps working where no native binary is available.
import { ActorStoreError } from './errors'
import type { CdcStats } from './types'

declare const fastHandleBrand: unique symbol
/** A store handle for the per-operation functions (an N-API external). */
export type FastHandle = { readonly [fastHandleBrand]: true }

/** The addon's store handle: values cross as JSON text, results come back as JSON text. */
export interface NativeStoreHandle {
  fastHandle(): FastHandle
  insert(actorType: string, id: string, json: string): number
  get(actorType: string, id: string): string | null
  update(actorType: string, id: string, json: string): number
  updateVersioned(actorType: string, id: string, json: string, expectedVersion: number): number
  delete(actorType: string, id: string): string | null
  getAll(actorType: string): string | NativeActorListHandle
  subscribe(
    startKind: string,
    startValue: number,
    actorType: string | undefined | null,
    keyPrefix: string | undefined | null,
  ): NativeSubscriptionHandle
  cdcStats(): CdcStats
  /** Where async write outcomes go: one JSON array per group of writes (see AsyncWrites). */
  listenWrites(callback: (outcomesJson: string) => void): void
  createSnapshot(): NativeSnapshotHandle
  beginRestore(sequence: number): NativeRestoreHandle
  checkpoint(path: string): void
  close(): void
}

/** A large getAll result held in Rust, read in slices of `{ id, value, version }` JSON arrays. */
export interface NativeActorListHandle {
  readonly count: number
  slice(start: number, count: number): string
}

/** A snapshot held in Rust, read in slices (one string could pass V8's length limit). */
export interface NativeSnapshotHandle {
  readonly sequence: number
  readonly count: number
  slice(start: number, count: number): string
}

/** A restore assembled from JSON slices of actors, applied by `commit` (returns the change count). */
export interface NativeRestoreHandle {
  add(actorsJson: string): void
  commit(): number
}

/** A cursor over the change stream: `poll` returns a batch of events (see event-wire.ts), '' when nothing is ready, null when ended. */
export interface NativeSubscriptionHandle {
  poll(max: number): string | null
  /** Returns true when committed changes are still on their way (keep the event loop alive). */
  waitReady(wake: () => void): boolean
  close(): void
}

/**
 * The per-operation calls, as plain N-API callbacks (cheaper than napi-rs functions or methods;
 * see src/raw_call.rs). Values come back as JSON text; versions that come with them are in the
 * handle's slots (`fastSlots`).
 */
export interface FastCalls {
  fastSlots(handle: FastHandle): Float64Array
  /** The value's JSON, version in slot 0; null when absent. */
  fastGet(handle: FastHandle, actorType: string, id: string): string | null
  fastInsert(handle: FastHandle, actorType: string, id: string, json: string): number
  fastUpdate(handle: FastHandle, actorType: string, id: string, json: string): number
  /** The new version, or -1 when the expected version was stale (the actual one in slot 0). */
  fastUpdateVersioned(handle: FastHandle, actorType: string, id: string, json: string, expected: number): number
  /** The last value's JSON, version in slot 0; null when absent. */
  fastDelete(handle: FastHandle, actorType: string, id: string): string | null
  /** Queues an async write (kind: 0 insert, 1 update, 2 updateVersioned, 3 delete), answered by ticket. */
  fastWriteAsync(
    handle: FastHandle,
    actorType: string,
    id: string,
    json: string | undefined | null,
    kind: number,
    expectedVersion: number,
    ticket: number,
  ): void
}

interface NativeModule extends FastCalls {
  NativeStore: {
    new (name: string | undefined | null, replayBufferSize: number): NativeStoreHandle
    open(
      path: string,
      replayBufferSize: number,
      syncWrites: boolean,
      maxEvents: number | null,
      maxAgeMs: number | null,
    ): NativeStoreHandle
  }
}

let loaded: NativeModule | undefined
let loadError: unknown

export function nativeModule(): NativeModule {
  if (loaded) return loaded
  if (loadError === undefined) {
    try {
      loaded = require('../native.js') as NativeModule
      return loaded
    } catch (error) {
      loadError = error
    }
  }
  const reason = loadError instanceof Error ? loadError.message : String(loadError)
  throw new ActorStoreError(
    'NATIVE_UNAVAILABLE',
    `the native Actor Store addon could not be loaded (${reason}). ` +
      'Install a prebuilt binary for this platform or build it from source with `npm run build` ' +
      '(needs Rust and clang); JsActorStore works without it.',
    { cause: loadError },
  )
}
