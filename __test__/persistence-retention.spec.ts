// Change-log retention of the persistent store: by count (retention.maxEvents) and by age
// (retention.maxAgeMs). Trimming never touches the data, a start before the oldest retained event
// is a SubscriptionLaggedError carrying it, cdcStats agrees, and all of it survives a reopen.
import { type ActorStore, type ChangeEvent, SubscriptionLaggedError } from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { hasBackend } from './helpers/backends'
import { openStore, readLog, tempDir } from './helpers/persistent'
import { clockPast, guard, nextEvent, take } from './helpers/stream'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip
const seqs = (events: ChangeEvent[]) => events.map((event) => event.sequence)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

function insertMany(store: ActorStore, count: number, type = 'n'): void {
  const base = store.cdcStats().currentSequence
  for (let i = 0; i < count; i++) store.insert(type, `k${base + i}`, i)
}

/**
 * What every retention check comes down to: the stats add up, the oldest retained event is
 * `eventsDropped`, an older start is lagged with it, and the retained log is gapless to the end.
 * Returns the first retained sequence.
 */
async function checkRetained(t: ExecutionContext, store: ActorStore, total: number, label: string): Promise<number> {
  const stats = store.cdcStats()
  t.is(stats.totalEvents, total, `${label}: totalEvents`)
  t.is(stats.currentSequence, total, `${label}: currentSequence`)
  t.is(stats.replayBufferSize + stats.eventsDropped, total, `${label}: retained + dropped = committed`)
  const first = stats.eventsDropped
  if (first > 0) {
    for (const checkpoint of [0, first - 2, first - 1].filter((n) => n >= 0 && n < first - 1)) {
      const error = t.throws(() => store.subscribe({ start: { afterSequence: checkpoint } }), {
        instanceOf: SubscriptionLaggedError,
        code: 'SUBSCRIPTION_LAGGED',
      })
      t.is(error?.firstAvailableSequence, first, `${label}: firstAvailableSequence after ${checkpoint}`)
      t.is(error?.requestedSequence, checkpoint + 1, `${label}: requestedSequence after ${checkpoint}`)
    }
  }
  const fromStart = await readLog(store)
  t.deepEqual(seqs(fromStart), range(first, total), `${label}: 'beginning' is every retained event, gapless`)
  t.deepEqual(
    seqs(await readLog(store, { afterSequence: Math.max(first - 1, 0) })),
    range(Math.max(first, 1), total),
    `${label}: resuming just before the oldest retained event works`,
  )
  t.is(store.cdcStats().activeSubscriptions, 0, `${label}: failed subscribes leave no subscription behind`)
  return first
}

persistentTest('retention.maxEvents trims the change log, never the data', async (t) => {
  const dir = tempDir(t)
  const options = { retention: { maxEvents: 50 }, replayBufferSize: 8 }
  const store = openStore(t, dir, options)
  insertMany(store, 500)
  const first = await checkRetained(t, store, 500, 'after 500 writes')
  const { replayBufferSize: retained } = store.cdcStats()
  t.true(retained >= 50, `at least maxEvents are retained (${retained})`)
  t.true(retained < 500, `the log was trimmed (${retained} retained)`)
  t.is(store.getAll('n').length, 500, 'trimming the log never touches the actors')
  const lagged = t.throws(() => store.subscribe({ start: { timestamp: 0 } }), { instanceOf: SubscriptionLaggedError })
  t.is(lagged?.firstAvailableSequence, first, 'a timestamp before the oldest retained event is lagged too')
  store.close()

  const reopened = openStore(t, dir, options)
  t.is(await checkRetained(t, reopened, 500, 'after reopen'), first, 'the same events are retained after a reopen')
  t.is(reopened.getAll('n').length, 500)
  insertMany(reopened, 500)
  const later = await checkRetained(t, reopened, 1000, 'after 500 more writes')
  t.true(later > first, 'retention keeps trimming after a reopen')
  t.true(reopened.cdcStats().replayBufferSize >= 50)
})

persistentTest('a subscriber that falls behind retention gets SubscriptionLaggedError, never a gap', async (t) => {
  const store = openStore(t, tempDir(t), { retention: { maxEvents: 20 }, replayBufferSize: 4 })
  const sub = store.subscribe({ start: 'beginning' })
  insertMany(store, 2)
  t.deepEqual(seqs(await take(sub, 2)), [0, 1])
  insertMany(store, 300)
  const error = await t.throwsAsync(guard(sub.next(), 'the lagged next()'), {
    instanceOf: SubscriptionLaggedError,
    code: 'SUBSCRIPTION_LAGGED',
  })
  t.is(error?.requestedSequence, 2)
  t.is(error?.firstAvailableSequence, store.cdcStats().eventsDropped)
  const resumed = store.subscribe({ start: { afterSequence: (error?.firstAvailableSequence ?? 0) - 1 } })
  t.is((await nextEvent(resumed)).sequence, error?.firstAvailableSequence, 'resuming from the error works')
  resumed.close()
})

persistentTest('retention.maxEvents 1 and null: the sequence is never reused either way', async (t) => {
  for (const maxEvents of [1, null]) {
    const dir = tempDir(t)
    const options = { retention: { maxEvents } }
    const store = openStore(t, dir, options)
    insertMany(store, 300)
    for (let i = 0; i < 300; i++) store.delete('n', `k${i}`)
    const first = await checkRetained(t, store, 600, `maxEvents ${maxEvents}`)
    t.is(first === 0, maxEvents === null, `maxEvents ${maxEvents}: eventsDropped ${first}`)
    store.close()
    const reopened = openStore(t, dir, options)
    t.is(reopened.cdcStats().currentSequence, 600, `maxEvents ${maxEvents}: the sequence survives a reopen`)
    const sub = reopened.subscribe()
    reopened.insert('n', 'k0', 'back')
    t.like(await nextEvent(sub), { sequence: 600, operation: 'INSERT', newVersion: 0 })
    sub.close()
  }
})

persistentTest('retention.maxAgeMs: a long limit keeps everything, a short one trims old events', async (t) => {
  const keep = openStore(t, tempDir(t), { retention: { maxEvents: null, maxAgeMs: 3_600_000 } })
  insertMany(keep, 3000)
  t.is(await checkRetained(t, keep, 3000, 'maxAgeMs of an hour'), 0)

  // Age is checked periodically (not on every write), so write several thousand events, with
  // the clock moving on between bursts.
  const dir = tempDir(t)
  const options = { retention: { maxEvents: null, maxAgeMs: 1 } }
  const trim = openStore(t, dir, options)
  for (let burst = 0; burst < 4; burst++) {
    insertMany(trim, 1100)
    const [last] = await readLog(trim, { afterSequence: trim.cdcStats().currentSequence - 2 })
    await clockPast(last.timestamp + 2)
  }
  insertMany(trim, 1100)
  const first = await checkRetained(t, trim, 5500, 'maxAgeMs 1')
  t.true(first > 0, `events older than maxAgeMs are dropped (first retained: ${first})`)
  t.is(trim.getAll('n').length, 5500, 'age retention never touches the actors')
  const lagged = t.throws(() => trim.subscribe({ start: { timestamp: 0 } }), { instanceOf: SubscriptionLaggedError })
  t.is(lagged?.firstAvailableSequence, first)
  trim.close()
  const reopened = openStore(t, dir, options)
  // Every retained event is older than 1 ms by now, so a reopen may trim further; never less.
  t.true((await checkRetained(t, reopened, 5500, 'maxAgeMs 1 after reopen')) >= first)
})
