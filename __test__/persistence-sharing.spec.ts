// One open database per directory: worker threads of one process share it, another process gets
// StoreLockedError, close() releases the lock, and a store dropped without close() recovers.
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { ActorStore, InvalidArgumentError, type PersistentOptions, StoreLockedError } from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { hasBackend } from './helpers/backends'
import { mirrorProblems, openStore, probeOnce, readLog, startProbe, tempDir } from './helpers/persistent'
import { byId, guard } from './helpers/stream'
import { FixtureWorker } from './helpers/workers'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip
const WORKER_GUARD_MS = 90_000
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

function spawnWorkers(t: ExecutionContext, count: number, name: string, data: (i: number) => unknown) {
  const workers = range(count).map((index) => new FixtureWorker(name, data(index)))
  t.teardown(async () => {
    await Promise.all(workers.map((worker) => worker.worker.terminate()))
  })
  return workers
}

for (const durability of ['process', 'sync'] as const) {
  persistentTest(`durability '${durability}': worker threads opening one path share one database`, async (t) => {
    const path = tempDir(t)
    const options: PersistentOptions = { durability, replayBufferSize: 64 }
    const store = openStore(t, path, options)
    store.insert('counters', 'counter', { count: 0 })
    const threads = 4
    const increments = durability === 'sync' ? 60 : 150
    const workers = spawnWorkers(t, threads, 'cas-worker.mjs', () => ({ path, options, increments }))
    await Promise.all(workers.map((worker) => worker.message('ready')))
    for (const worker of workers) worker.post('go')
    await Promise.all(workers.map((worker) => worker.message('done', WORKER_GUARD_MS)))
    t.deepEqual(await Promise.all(workers.map((worker) => guard(worker.exited, 'worker exit'))), range(threads).fill(0))
    const total = threads * increments
    t.deepEqual(store.get('counters', 'counter'), { id: 'counter', value: { count: total }, version: total })
    const log = await readLog(store)
    t.deepEqual(
      log.map((event) => event.newVersion),
      range(total + 1),
    )
    t.deepEqual(mirrorProblems(store, log, ['counters']), [])
    store.close()
    // Every worker closed its handle and so did this thread: the directory opens afresh.
    const reopened = openStore(t, path, options)
    t.deepEqual(reopened.get('counters', 'counter'), { id: 'counter', value: { count: total }, version: total })
    t.is(reopened.cdcStats().currentSequence, total + 1)
  })
}

persistentTest('writer threads and a reader on one path: the reader mirrors every write', async (t) => {
  const path = tempDir(t)
  const options = { replayBufferSize: 32 }
  const store = openStore(t, path, options)
  store.insert('shared', 'counter', 0)
  const writers = spawnWorkers(t, 3, 'writer-worker.mjs', (index) => ({ path, options, index, operations: 800 }))
  const sub = store.subscribe({ start: 'beginning' })
  await Promise.all(writers.map((worker) => worker.message('ready')))
  for (const worker of writers) worker.post('go')
  const reports = await Promise.all(writers.map((worker) => worker.message('done', WORKER_GUARD_MS)))
  const committed = reports.reduce((sum, report) => sum + (report.committed as number), 0)
  const until = store.cdcStats().currentSequence
  t.is(until, committed + 1, 'one event per committed write, all in the one database')
  const events = []
  for (let i = 0; i < until; i++) {
    const result = await guard(sub.next(), `event ${i} of ${until}`, WORKER_GUARD_MS)
    if (result.done) break
    events.push(result.value)
  }
  sub.close()
  t.deepEqual(mirrorProblems(store, events, ['even', 'odd', 'shared']), [])
})

persistentTest('spellings of one directory share one store; other options for it are refused', (t) => {
  const path = tempDir(t)
  const link = join(tempDir(t, 'link'), 'link')
  symlinkSync(path, link)
  const store = openStore(t, path)
  store.insert('t', 'a', 1)
  for (const spelling of [`${path}/`, join(path, '.', '.'), join(path, 'x', '..'), link]) {
    const other = openStore(t, spelling)
    t.deepEqual(other.get('t', 'a'), { id: 'a', value: 1, version: 0 }, spelling)
    other.close()
  }
  const error = t.throws(() => ActorStore.open(path, { durability: 'sync' }), { instanceOf: InvalidArgumentError })
  t.regex(error?.message ?? '', /other options/)
  t.is(store.update('t', 'a', 2).version, 1, 'the open store is unaffected')
})

persistentTest('another process opening a path in use gets StoreLockedError, and changes nothing', async (t) => {
  const path = tempDir(t)
  const store = openStore(t, path)
  store.insert('probe', 'mine', 1)
  const before = store.cdcStats()
  for (const spelling of [path, `${path}/`, join(path, '.')]) {
    const report = await probeOnce(t, spelling, {})
    t.like(report, { ok: false, code: 'STORE_LOCKED', name: 'StoreLockedError', actorStoreError: true }, spelling)
  }
  t.deepEqual(store.cdcStats(), before)
  t.is(store.update('probe', 'mine', 2).version, 1, 'the holder keeps working')
})

persistentTest('a path held by another process → StoreLockedError here; usable once it closes', async (t) => {
  const path = tempDir(t)
  const holder = startProbe(t, path, {}, { mode: 'hold' })
  t.like(await holder.next(), { ok: true, holding: true })
  const error = t.throws(() => ActorStore.open(path), { instanceOf: StoreLockedError })
  t.is(error?.code, 'STORE_LOCKED')
  t.throws(() => ActorStore.open(path), { instanceOf: StoreLockedError }, 'a second attempt is refused the same way')
  holder.release()
  t.like(await holder.next(), { ok: true, released: true })
  t.like(await holder.exited, { code: 0, signal: null })
  const store = openStore(t, path)
  t.deepEqual(
    store.getAll('probe').map((actor) => actor.id),
    ['held'],
    "the other process's write is there",
  )
})

persistentTest('close() releases the lock: only after the last handle closes', async (t) => {
  const path = tempDir(t)
  const one = openStore(t, path)
  const two = openStore(t, path)
  one.insert('probe', 'a', 1)
  one.close()
  t.like(await probeOnce(t, path, {}), { ok: false, code: 'STORE_LOCKED' }, 'a handle is still open')
  two.insert('probe', 'b', 2)
  two.close()
  const report = await probeOnce(t, path, {})
  t.like(report, { ok: true, currentSequence: 2 })
  t.deepEqual(
    byId(report.actors?.probe ?? []),
    [
      { id: 'a', value: 1, version: 0 },
      { id: 'b', value: 2, version: 0 },
    ],
    'the other process sees every write',
  )
  const again = openStore(t, path)
  t.is(again.cdcStats().currentSequence, 2, 'and this process can open it again')
})

persistentTest('a store dropped without close() by a process that exits leaves a recoverable directory', async (t) => {
  const path = tempDir(t)
  const writer = await probeOnce(t, path, {}, { mode: 'write' })
  t.like(writer, { ok: true, currentSequence: 3 })
  const store = openStore(t, path)
  t.deepEqual(
    byId(store.getAll('probe')),
    [0, 1, 2].map((i) => ({ id: `p${i}`, value: { i }, version: 0 })),
  )
  t.is(store.cdcStats().currentSequence, 3)
  t.deepEqual(mirrorProblems(store, await readLog(store), ['probe']), [])
})
