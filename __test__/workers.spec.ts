// ActorStore across real worker threads: one named store shared by every thread (scenario 7),
// and subscribers joining mid-stream while writer threads run.
import { ActorStore, type ChangeEvent } from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { hasBackend, uniqueName } from './helpers/backends'
import { applyToMirror, byId, guard, mirrorOfType, nextEvent, take, waitUntil } from './helpers/stream'
import { FixtureWorker } from './helpers/workers'

const nativeTest = hasBackend('ActorStore') ? test : test.skip
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const WORKER_GUARD_MS = 90_000

/** Starts fixture workers that are terminated when the test ends, even if it fails. */
function spawn(t: ExecutionContext, count: number, name: string, data: (index: number) => unknown): FixtureWorker[] {
  const workers = range(count).map((index) => new FixtureWorker(name, data(index)))
  t.teardown(async () => {
    await Promise.all(workers.map((worker) => worker.worker.terminate()))
  })
  return workers
}

async function startAll(workers: FixtureWorker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.message('ready')))
  for (const worker of workers) worker.post('go')
}

nativeTest('ActorStore: scenario 7: 6 worker threads CAS-increment one counter to an exact total', async (t) => {
  const name = uniqueName('cas')
  const store = new ActorStore({ name })
  t.teardown(() => store.close())
  store.insert('counters', 'counter', { count: 0 })
  const threads = 6
  const increments = 150
  const workers = spawn(t, threads, 'cas-worker.mjs', () => ({ name, increments }))
  await startAll(workers)
  const reports = await Promise.all(workers.map((worker) => worker.message('done', WORKER_GUARD_MS)))
  t.deepEqual(await Promise.all(workers.map((worker) => guard(worker.exited, 'worker exit'))), range(threads).fill(0))
  const total = threads * increments
  t.deepEqual(store.get('counters', 'counter'), { id: 'counter', value: { count: total }, version: total })
  t.log(`version conflicts retried: ${reports.reduce((sum, report) => sum + (report.conflicts as number), 0)}`)
  const sub = store.subscribe({ start: 'beginning' })
  const events = await take(sub, total + 1)
  sub.close()
  t.deepEqual(
    events.map((event) => event.sequence),
    range(total + 1),
  )
  t.deepEqual(
    events.map((event) => event.newVersion),
    range(total + 1),
  )
  const counts = (event: ChangeEvent, field: 'newValue' | 'previousValue') =>
    (event[field] as { count: number } | undefined)?.count
  const broken = events
    .slice(1)
    .find((event) => counts(event, 'newValue') !== (counts(event, 'previousValue') ?? -2) + 1)
  t.is(broken, undefined, 'every update adds exactly one to the value it replaced')
  t.is(store.cdcStats().totalEvents, total + 1)
})

nativeTest(
  'ActorStore: subscribers joining mid-stream see every event once, in order, and mirror the store',
  async (t) => {
    const name = uniqueName('mid-stream')
    const store = new ActorStore({ name })
    t.teardown(() => store.close())
    store.insert('shared', 'counter', 0)
    const writers = spawn(t, 4, 'writer-worker.mjs', (index) => ({ name, index, operations: 1500 }))
    await startAll(writers)
    const writersDone = Promise.all(writers.map((worker) => worker.message('done', WORKER_GUARD_MS)))
    let finished = false
    writersDone.then(
      () => {
        finished = true
      },
      () => undefined,
    )
    await waitUntil(() => finished || store.cdcStats().currentSequence >= 300, 'writers to get going')
    t.log(`joined at currentSequence ${store.cdcStats().currentSequence}${finished ? ' (writers already done)' : ''}`)

    const sub = store.subscribe({ start: 'beginning' })
    const [remote] = spawn(t, 1, 'subscriber-worker.mjs', () => ({ name }))
    await remote.message('subscribed')
    const seen: number[] = []
    const problems: string[] = []
    const mirror = new Map()
    let until = Number.POSITIVE_INFINITY
    const consumer = (async () => {
      while (seen.length === 0 || seen[seen.length - 1] < until - 1) {
        const result = await guard(sub.next(), `event after ${seen.length} events`, WORKER_GUARD_MS)
        if (result.done) break
        seen.push(result.value.sequence)
        const problem = applyToMirror(mirror, result.value)
        if (problem) problems.push(problem)
      }
    })()

    const reports = await writersDone
    const committed = reports.reduce((sum, report) => sum + (report.committed as number), 0)
    until = store.cdcStats().currentSequence
    t.is(until, committed + 1, 'one event per committed write')
    if (seen.length > 0 && seen[seen.length - 1] >= until - 1) sub.close()
    remote.post({ until })
    await consumer
    sub.close()

    t.deepEqual(seen, range(until), 'main thread: every sequence exactly once, in order')
    t.deepEqual(problems, [], 'main thread: per-actor events in version order')
    const report = await remote.message('report', WORKER_GUARD_MS)
    t.deepEqual(report.sequences, range(until), 'worker thread: every sequence exactly once, in order')
    t.is(report.problem, undefined, 'worker thread: per-actor events in version order')
    const remoteMirror = new Map(report.mirror as [string, never][])
    for (const type of ['even', 'odd', 'shared']) {
      const actual = byId(store.getAll(type))
      t.deepEqual(mirrorOfType(mirror, type), actual, `main mirror of '${type}' equals getAll`)
      t.deepEqual(mirrorOfType(remoteMirror, type), actual, `worker mirror of '${type}' equals getAll`)
    }
    t.is(store.get('shared', 'counter')?.value, store.get('shared', 'counter')?.version)
    t.is(await guard(remote.exited, 'subscriber worker exit'), 0)
  },
)

nativeTest('ActorStore: a live subscription in the main thread wakes up for a write from a worker', async (t) => {
  const name = uniqueName('wake')
  const store = new ActorStore({ name })
  t.teardown(() => store.close())
  store.insert('counters', 'counter', { count: 41 })
  const sub = store.subscribe({ actorType: 'counters' })
  const pending = nextEvent(sub, 'the update made by the worker')
  const [worker] = spawn(t, 1, 'cas-worker.mjs', () => ({ name, increments: 1 }))
  await startAll([worker])
  const event = await pending
  t.like(event, { sequence: 1, operation: 'UPDATE', previousVersion: 0, newVersion: 1, newValue: { count: 42 } })
  await worker.message('done', WORKER_GUARD_MS)
  t.is(await guard(worker.exited, 'worker exit'), 0)
  t.deepEqual(store.get('counters', 'counter'), { id: 'counter', value: { count: 42 }, version: 1 })
  sub.close()
})
