// Persistence: durable writes per second on a real disk, per durability mode and calling style,
// next to lmdb-js at matched durability; and how long ActorStore.open takes to recover a store of
// 100 k and 1 M actors. Every store lives in a directory on the machine's disk (not tmpfs), so an
// fsync costs what it costs there.
import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ActorStore } from 'actor-store'
import { openLmdbOnDisk } from '../backends.mjs'
import { describeDisk, persistentStore } from '../lib/persistent.mjs'
import { step } from '../lib/progress.mjs'
import { median, rotate } from '../lib/stats.mjs'
import { actorIds, POOL_MASK, valuePool } from '../lib/values.mjs'

const run = promisify(execFile)
const REOPEN_CHILD = fileURLToPath(new URL('../children/reopen-child.mjs', import.meta.url))

// Writers keep `inFlight` writes outstanding; each write updates one of `actors` actors. `peer`
// names the lmdb-js variant at the same durability and calling style, if there is one.
const VARIANTS = [
  { id: 'process-sync-call', store: 'native', durability: 'process', style: 'sync', inFlight: 1 },
  {
    id: 'process-async',
    store: 'native',
    durability: 'process',
    style: 'async',
    inFlight: 256,
    peer: 'lmdb-nosync-async',
  },
  { id: 'sync-sync-call', store: 'native', durability: 'sync', style: 'sync', inFlight: 1, peer: 'lmdb-sync-call' },
  { id: 'sync-async-1', store: 'native', durability: 'sync', style: 'async', inFlight: 1 },
  { id: 'sync-async-32', store: 'native', durability: 'sync', style: 'async', inFlight: 32, peer: 'lmdb-async-32' },
  { id: 'sync-async', store: 'native', durability: 'sync', style: 'async', inFlight: 256, peer: 'lmdb-async' },
  { id: 'lmdb-sync-call', store: 'lmdb', durability: 'sync', style: 'sync', inFlight: 1 },
  { id: 'lmdb-async-32', store: 'lmdb', durability: 'sync', style: 'async', inFlight: 32 },
  { id: 'lmdb-async', store: 'lmdb', durability: 'sync', style: 'async', inFlight: 256 },
  { id: 'lmdb-nosync-async', store: 'lmdb', durability: 'process', style: 'async', inFlight: 256 },
]

function label(v) {
  const who = v.store === 'native' ? `ActorStore.open, durability '${v.durability}'` : 'lmdb-js'
  const how =
    v.style === 'sync'
      ? v.store === 'native'
        ? 'update() one at a time'
        : 'putSync() one at a time (a transaction each)'
      : v.store === 'native'
        ? `updateAsync(), ${v.inFlight} in flight`
        : `put() async, ${v.inFlight} in flight`
  const lmdbDurability =
    v.store === 'lmdb' ? (v.durability === 'sync' ? ', fsync before each commit returns' : ', noSync') : ''
  return `${who}${lmdbDurability}: ${how}`
}

/** Opens a store for a variant: { update(i), updateAsync(i), close() } over `actors` pre-written actors. */
function openVariant(v, actors, values) {
  const ids = actorIds(actors)
  if (v.store === 'native') {
    // Filled without fsyncs, then reopened in the variant's mode.
    const { dir, root } = fillStore(ids, values, 'durable')
    const store = ActorStore.open(dir, { durability: v.durability })
    return {
      update: (i) => store.update('actor', ids[i % actors], values[i & POOL_MASK]),
      updateAsync: (i) => store.updateAsync('actor', ids[i % actors], values[i & POOL_MASK]),
      close() {
        store.close()
        rmSync(root, { recursive: true, force: true })
      },
    }
  }
  const { db, close } = openLmdbOnDisk('durable', { durability: v.durability })
  db.transactionSync(() => {
    for (let i = 0; i < actors; i++) db.putSync(['actor', ids[i]], values[i & POOL_MASK], 0)
  })
  return {
    update: (i) => db.putSync(['actor', ids[i % actors]], values[i & POOL_MASK], i),
    updateAsync: (i) => db.put(['actor', ids[i % actors]], values[i & POOL_MASK], i),
    close,
  }
}

/** Nanoseconds this thread has run on a CPU (Linux), or undefined elsewhere. */
function threadCpuNs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])
  } catch {
    return undefined
  }
}

/**
 * Writes per second for `durationMs`, in the variant's calling style; the CPU time the JS thread
 * spent per write (1 / that is the most writes per second this thread could issue and settle,
 * whatever the store behind it); and the CPU time every thread of the process spent per write (the
 * store's own threads included: lmdb-js's writer, RocksDB's flushes, the commit and sync threads),
 * which bounds the rate the machine's cores allow at all.
 */
async function measureWrites(v, settings, values) {
  const store = openVariant(v, settings.actors, values)
  try {
    let done = 0
    const deadline = performance.now() + settings.durationMs
    const cpuBefore = threadCpuNs()
    const processBefore = process.cpuUsage()
    const started = performance.now()
    if (v.style === 'sync') {
      while (performance.now() < deadline) {
        for (let k = 0; k < 16; k++) store.update(done++)
      }
    } else {
      const client = async () => {
        while (performance.now() < deadline) await store.updateAsync(done++)
      }
      await Promise.all(Array.from({ length: v.inFlight }, client))
    }
    const opsPerSec = (done * 1000) / (performance.now() - started)
    const cpuNs = threadCpuNs() - cpuBefore
    const processCpu = process.cpuUsage(processBefore)
    return {
      opsPerSec,
      jsCpuUsPerWrite: Number.isFinite(cpuNs) ? cpuNs / 1000 / done : undefined,
      processCpuUsPerWrite: (processCpu.user + processCpu.system) / done,
    }
  } finally {
    await store.close()
  }
}

async function durableWrites(settings) {
  const values = valuePool('small')
  const samples = new Map(VARIANTS.map((v) => [v.id, []]))
  for (let round = 0; round < settings.rounds; round++) {
    for (const v of rotate(VARIANTS, round)) {
      step(`persistence: durable writes, ${label(v)}, round ${round + 1}/${settings.rounds}`)
      samples.get(v.id).push(await measureWrites(v, settings, values))
    }
  }
  return VARIANTS.map((v) => {
    const runs = samples.get(v.id)
    const cpu = runs.map((r) => r.jsCpuUsPerWrite).filter(Number.isFinite)
    return {
      ...v,
      label: label(v),
      opsPerSec: median(runs.map((r) => r.opsPerSec)),
      jsCpuUsPerWrite: cpu.length > 0 ? median(cpu) : undefined,
      processCpuUsPerWrite: median(runs.map((r) => r.processCpuUsPerWrite)),
      rounds: runs.map((r) => Math.round(r.opsPerSec)),
    }
  })
}

/** A closed store of one actor per id, written through the public API; the caller removes `root`. */
function fillStore(ids, values, prefix) {
  const { store, dir, root } = persistentStore(prefix, { durability: 'process' }, { keep: true })
  for (let i = 0; i < ids.length; i++) store.insert('actor', ids[i], values[i & POOL_MASK])
  store.close()
  return { dir, root }
}

async function reopenOnce(dir, actors) {
  const { stdout } = await run(process.execPath, [REOPEN_CHILD, dir, String(actors)], {
    maxBuffer: 1 << 20,
    timeout: 300_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1))
}

async function reopen(settings) {
  const rows = []
  for (const actors of settings.reopenActors) {
    step(`persistence: writing a store of ${actors.toLocaleString('en')} actors`)
    const { dir, root } = fillStore(actorIds(actors), valuePool('small'), 'reopen')
    try {
      const opens = []
      for (let round = 0; round < settings.reopenRounds; round++) {
        step(`persistence: reopen ${actors.toLocaleString('en')} actors, round ${round + 1}/${settings.reopenRounds}`)
        opens.push(await reopenOnce(dir, actors))
      }
      rows.push({
        actors,
        openMs: median(opens.map((o) => o.openMs)),
        rounds: opens.map((o) => Math.round(o.openMs)),
        rssBytes: median(opens.map((o) => o.rssDeltaBytes)),
        ok: opens.every((o) => o.ok),
      })
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
  return rows
}

export async function runPersistence(config) {
  const settings = config.persistence
  return {
    ...settings,
    disk: describeDisk(),
    writes: await durableWrites(settings),
    reopen: await reopen(settings),
  }
}
