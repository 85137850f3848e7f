// The backend table: every store the single-thread suite drives, behind the ActorStore API.
// Rows with `open: undefined` are reported as "not yet measured" with their `pending` reason.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { ActorStore, JsActorStore, KeyAlreadyExistsError, NotFoundError, VersionMismatchError } from 'actor-store'
import { diskScratchDir, persistentStore } from './lib/persistent.mjs'

const require = createRequire(import.meta.url)

/** Scratch directories on tmpfs when there is one: the in-memory comparison should not wait on a disk. */
export function scratchDir(prefix) {
  const base = process.platform === 'linux' ? '/dev/shm' : os.tmpdir()
  return mkdtempSync(path.join(base, `actor-store-bench-${prefix}-`))
}

/** The raw N-API handle class (no TypeScript checks, no JSON.parse), for the breakdown. */
export function rawNativeStore() {
  const { NativeStore } = require('../native.js')
  return new NativeStore(undefined, 65_536)
}

/**
 * The addon's per-operation functions on a fresh in-memory store, as ActorStore calls them (no
 * TypeScript checks, no JSON.parse): `{ calls, handle, slots, close }`.
 */
export function rawFastCalls() {
  const calls = require('../native.js')
  const store = rawNativeStore()
  const handle = store.fastHandle()
  return { calls, handle, slots: calls.fastSlots(handle), close: () => store.close() }
}

// lmdb-js with versions, used the way a service would: sync API, array keys [actorType, id].
// Durability: noSync (no fsync; the data is in the OS page cache, on tmpfs here), the closest
// match to an in-memory store. Values come back decoded (a fresh copy) and are not cached.
export const LMDB_DURABILITY = 'noSync: true (no fsync), on tmpfs'

class LmdbActors {
  constructor(dir, db) {
    this.dir = dir
    this.db = db
  }

  insert(actorType, id, value) {
    if (!this.db.putSync([actorType, id], value, { noOverwrite: true, version: 0 })) {
      throw new KeyAlreadyExistsError(`${id} exists`)
    }
    return { id, value, version: 0 }
  }

  get(actorType, id) {
    const entry = this.db.getEntry([actorType, id])
    return entry === undefined ? undefined : { id, value: entry.value, version: entry.version }
  }

  update(actorType, id, value) {
    return this.db.transactionSync(() => {
      const entry = this.db.getEntry([actorType, id])
      if (entry === undefined) throw new NotFoundError(`${id} not found`)
      this.db.putSync([actorType, id], value, entry.version + 1)
      return { id, value, version: entry.version + 1 }
    })
  }

  // A synchronous CAS: read the version and write inside one write transaction. (lmdb-js's own
  // `ifVersion` is asynchronous and batched, so it does not fit a sync call-per-op loop.)
  updateVersioned(actorType, id, value, expectedVersion) {
    return this.db.transactionSync(() => {
      const entry = this.db.getEntry([actorType, id])
      if (entry === undefined) throw new NotFoundError(`${id} not found`)
      if (entry.version !== expectedVersion) throw new VersionMismatchError(expectedVersion, entry.version)
      this.db.putSync([actorType, id], value, expectedVersion + 1)
      return { id, value, version: expectedVersion + 1 }
    })
  }

  delete(actorType, id) {
    return this.db.transactionSync(() => {
      const entry = this.db.getEntry([actorType, id])
      if (entry === undefined) return undefined
      this.db.removeSync([actorType, id])
      return { id, value: entry.value, version: entry.version }
    })
  }

  getAll(actorType) {
    const all = []
    for (const { key, value, version } of this.db.getRange({
      start: [actorType],
      end: [actorType, '\uffff'],
      versions: true,
    })) {
      all.push({ id: key[1], value, version })
    }
    return all
  }

  close() {
    this.db.close()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

function openLmdb() {
  const { open } = require('lmdb')
  const dir = scratchDir('lmdb')
  return new LmdbActors(dir, open({ path: dir, useVersions: true, noSync: true }))
}

/**
 * lmdb-js with versions on the machine's disk. 'sync': every commit is fsynced before its write
 * returns or its promise resolves (overlappingSync off: with it on, lmdb-js resolves at commit and
 * flushes later); 'process': noSync.
 */
export function openLmdbOnDisk(prefix, { durability }) {
  const { open } = require('lmdb')
  const dir = diskScratchDir(`lmdb-${prefix}`)
  const sync = durability === 'sync'
  const db = open({ path: dir, useVersions: true, noSync: !sync, overlappingSync: false })
  return {
    db,
    async close() {
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// The floor: what any store with this API and JSON-text values must at least do per call: one
// call into the addon of the same shape as the real one (fastGet of a missing key: two short
// strings across N-API, one hash lookup, null back), plus for writes JSON.stringify of the value
// and JSON.parse of that text (the caller's copy), and for reads JSON.parse of the value's text.
class Floor {
  constructor() {
    this.raw = rawFastCalls()
  }

  #call(actorType) {
    return this.raw.calls.fastGet(this.raw.handle, actorType, 'missing')
  }

  #write(actorType, id, value, version) {
    this.#call(actorType)
    return { id, value: JSON.parse(JSON.stringify(value)), version }
  }

  #read(actorType, id, text) {
    this.#call(actorType)
    return { id, value: JSON.parse(text), version: 1 }
  }

  insert(actorType, id, value) {
    return this.#write(actorType, id, value, 0)
  }

  get(actorType, id) {
    return this.#read(actorType, id, this.valueText)
  }

  update(actorType, id, value) {
    return this.#write(actorType, id, value, 1)
  }

  updateVersioned(actorType, id, value, expectedVersion) {
    return this.#write(actorType, id, value, expectedVersion + 1)
  }

  delete(actorType, id) {
    return this.#read(actorType, id, this.valueText)
  }

  getAll(actorType) {
    this.#call(actorType)
    return JSON.parse(this.groupText)
  }

  /** The texts reads decode: one value of the suite's, and the getAll group. */
  prepare(record, group) {
    this.valueText = JSON.stringify(record.value)
    this.groupText = JSON.stringify(group)
  }

  close() {
    this.raw.close()
  }
}

function nativeAvailable() {
  try {
    new ActorStore().close()
    return undefined
  } catch (error) {
    return `native addon unavailable: ${error.message}`
  }
}

export const MEMORY_BACKENDS = [
  {
    id: 'native',
    label: 'ActorStore (in memory)',
    short: 'ActorStore (in memory)',
    unavailable: nativeAvailable,
    open: () => new ActorStore(),
  },
  { id: 'js', label: 'JsActorStore', short: 'JsActorStore', open: () => new JsActorStore() },
  { id: 'lmdb', label: `lmdb-js (useVersions, ${LMDB_DURABILITY})`, short: 'lmdb-js (noSync)', open: openLmdb },
  {
    id: 'floor',
    label: 'floor (N-API call + JSON.stringify + JSON.parse)',
    short: 'floor (call + JSON)',
    unavailable: nativeAvailable,
    open: () => new Floor(),
  },
]

// ActorStore.open on the machine's disk with the default durability ('process': every write
// that returned survives kill -9). The 'sync' mode pays an fsync per call, so its per-call rate is
// measured by the persistence suite (for a time, not a fixed number of calls).
export const PERSISTENT_BACKENDS = [
  {
    id: 'rocksdb',
    label: "ActorStore.open (RocksDB on disk, durability 'process')",
    short: "ActorStore.open ('process')",
    unavailable: nativeAvailable,
    open: () => {
      const { store, close } = persistentStore('single', { durability: 'process' })
      return Object.assign(store, { close })
    },
  },
]

/** Every row of the single-thread table, measured or pending, in report order. */
export function singleThreadBackends() {
  return [...MEMORY_BACKENDS, ...PERSISTENT_BACKENDS].map((backend) => {
    const reason = backend.open === undefined ? backend.pending : backend.unavailable?.()
    return { ...backend, pending: reason }
  })
}
