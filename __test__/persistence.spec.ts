// The persistent store across restarts: every actor and its version come back, the sequence
// continues, and subscriptions from 'beginning', { afterSequence } and { timestamp } replay from
// disk and hand over to live events with no gap. Both durability modes.
import { type ChangeEvent, KeyAlreadyExistsError, NotFoundError, type PersistentOptions } from 'actor-store'
import test from 'ava'
import { hasBackend } from './helpers/backends'
import { mirrorProblems, openStore, readLog, tempDir } from './helpers/persistent'
import { byId, clockPast, nextEvent, take } from './helpers/stream'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip
const TYPES = ['users', 'a:b', 'a', '__proto__', '🙂']
const seqs = (events: ChangeEvent[]) => events.map((event) => event.sequence)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

for (const durability of ['process', 'sync'] as const) {
  const options: PersistentOptions = { durability, replayBufferSize: 8 }

  persistentTest(
    `durability '${durability}': reopen restores every actor and version, the sequence continues`,
    async (t) => {
      const dir = tempDir(t)
      const first = openStore(t, dir, options)
      first.insert('users', 'user:1', { name: 'Alice' })
      for (let i = 1; i <= 5; i++) first.update('users', 'user:1', { name: 'Alice', n: i })
      first.insert('users', 'user:2', { name: 'Bob' })
      first.updateVersioned('users', 'user:2', { name: 'Bobby' }, 0)
      first.insert('a:b', 'c', 'first')
      first.insert('a', 'b:c', 'second')
      first.insert('__proto__', 'constructor', JSON.parse('{"__proto__": 1}'))
      first.insert('🙂', 'ключ', [1, 'два', { three: null }])
      first.insert('users', 'gone', 1)
      first.delete('users', 'gone')
      first.insert('users', 'again', 'v0')
      first.update('users', 'again', 'v1')
      first.delete('users', 'again')
      first.insert('users', 'again', 'reborn')
      const state = Object.fromEntries(TYPES.map((type) => [type, byId(first.getAll(type))]))
      const stats = first.cdcStats()
      const log = await readLog(first)
      t.is(stats.currentSequence, 18)
      first.close()

      const second = openStore(t, dir, options)
      for (const type of TYPES) t.deepEqual(byId(second.getAll(type)), state[type], `getAll('${type}') after reopen`)
      t.deepEqual(second.get('users', 'user:1'), { id: 'user:1', value: { name: 'Alice', n: 5 }, version: 5 })
      t.deepEqual(second.get('users', 'again'), { id: 'again', value: 'reborn', version: 0 })
      t.is(second.get('users', 'gone'), undefined)
      t.is(second.get('a', 'c'), undefined)
      t.deepEqual(second.cdcStats(), { ...stats, activeSubscriptions: 0 }, 'cdcStats after reopen')
      t.deepEqual(await readLog(second), log, 'the change log after reopen, timestamps included')
      t.deepEqual(mirrorProblems(second, log, TYPES), [])

      // The sequence continues; the recovered versions and existence drive CAS and conflicts.
      const live = second.subscribe()
      t.is(second.updateVersioned('users', 'user:1', { name: 'Alice', n: 6 }, 5).version, 6)
      t.throws(() => second.insert('users', 'user:2', 1), { instanceOf: KeyAlreadyExistsError })
      t.throws(() => second.update('users', 'gone', 1), { instanceOf: NotFoundError })
      t.throws(() => second.updateVersioned('users', 'user:2', 1, 0), { code: 'VERSION_MISMATCH' })
      second.delete('a:b', 'c')
      const events = await take(live, 2)
      t.deepEqual(seqs(events), [18, 19], 'new events continue the sequence, never reusing one')
      t.true(events[0].timestamp >= log[log.length - 1].timestamp, 'timestamps never decrease across a restart')
      live.close()
      second.close()

      const third = openStore(t, dir, options)
      t.is(third.cdcStats().currentSequence, 20, 'a reopen without writes does not move the sequence')
      t.deepEqual(third.get('users', 'user:1')?.version, 6)
      t.is(third.get('a:b', 'c'), undefined)
      const all = await readLog(third)
      t.deepEqual(seqs(all), range(0, 20))
      t.deepEqual(mirrorProblems(third, all, TYPES), [])
    },
  )
}

persistentTest('an empty store reopens empty and its first event is sequence 0', async (t) => {
  const dir = tempDir(t)
  openStore(t, dir).close()
  const store = openStore(t, dir)
  t.deepEqual(store.cdcStats(), {
    totalEvents: 0,
    currentSequence: 0,
    replayBufferSize: 0,
    activeSubscriptions: 0,
    eventsDropped: 0,
  })
  const sub = store.subscribe({ start: 'beginning' })
  store.insert('t', 'x', 1)
  t.is((await nextEvent(sub)).sequence, 0)
  sub.close()
})

/** 3 bursts of 100 inserts, each burst in a later millisecond than the one before. */
async function writeBursts(store: ReturnType<typeof openStore>): Promise<ChangeEvent[]> {
  for (let burst = 0; burst < 3; burst++) {
    for (let i = 0; i < 100; i++) store.insert(burst === 1 ? 'odd' : 'even', `b${burst}:k${i}`, { burst, i })
    const [last] = (await readLog(store, { afterSequence: store.cdcStats().currentSequence - 2 })).slice(-1)
    await clockPast(last.timestamp)
  }
  return readLog(store)
}

persistentTest(
  "after a restart 'beginning', { afterSequence } and { timestamp } replay from disk, then go live",
  async (t) => {
    const dir = tempDir(t)
    const options = { replayBufferSize: 8 }
    const first = openStore(t, dir, options)
    const log = await writeBursts(first)
    t.deepEqual(seqs(log), range(0, 300))
    first.close()

    const store = openStore(t, dir, options)
    let live = 300
    const starts: [
      string,
      { start: 'beginning' | { afterSequence: number } | { timestamp: number | Date } },
      number,
    ][] = [
      ["'beginning'", { start: 'beginning' }, 0],
      ...[0, 7, 150, 291, 298].map((n): [string, { start: { afterSequence: number } }, number] => [
        `after ${n}`,
        { start: { afterSequence: n } },
        n + 1,
      ]),
      ['timestamp 0', { start: { timestamp: 0 } }, 0],
      ['the second burst', { start: { timestamp: log[100].timestamp } }, 100],
      ['the third burst (Date)', { start: { timestamp: new Date(log[200].timestamp) } }, 200],
      ['just after the first burst', { start: { timestamp: log[99].timestamp + 0.5 } }, 100],
    ]
    for (const [label, subscription, from] of starts) {
      const sub = store.subscribe(subscription)
      // The 300 events from before the restart, then the live events of the earlier rounds.
      const replayed = await take(sub, log.length - from, label)
      t.deepEqual(replayed, log.slice(from), `${label}: the events from disk, exactly as written`)
      store.insert('live', `after-${label}`, live)
      const next = await nextEvent(sub, `the live event after ${label}`)
      t.deepEqual([next.sequence, next.actorId], [live, `after-${label}`], `${label}: then the live event`)
      log.push(next)
      live += 1
      sub.close()
    }
    const filtered = store.subscribe({ start: 'beginning', actorType: 'odd', keyPrefix: 'b1:k1' })
    const expected = log.filter((event) => event.actorType === 'odd' && event.actorId.startsWith('b1:k1'))
    t.is(expected.length, 11)
    t.deepEqual(await take(filtered, expected.length), expected, 'filters apply to the replay from disk')
    store.insert('odd', 'b1:k1-live', 0)
    t.is((await nextEvent(filtered)).sequence, live, 'and to the live events after it')
    filtered.close()
  },
)

persistentTest('a subscriber behind the in-memory cache reads on from disk: no lag, no gap', async (t) => {
  const store = openStore(t, tempDir(t), { replayBufferSize: 4 })
  const idle = store.subscribe()
  const fromStart = store.subscribe({ start: 'beginning' })
  for (let i = 0; i < 500; i++) store.insert('n', `k${i}`, i)
  t.deepEqual(store.cdcStats().eventsDropped, 0, 'the log on disk keeps every event')
  t.deepEqual(seqs(await take(idle, 500)), range(0, 500))
  t.deepEqual(seqs(await take(fromStart, 500)), range(0, 500))
  const late = store.subscribe({ start: { afterSequence: 10 } })
  t.deepEqual(seqs(await take(late, 489)), range(11, 500))
  for (const sub of [idle, fromStart, late]) sub.close()
})

persistentTest('replay from disk hands over to live events while the store is being written', async (t) => {
  const dir = tempDir(t)
  const options = { replayBufferSize: 16 }
  const first = openStore(t, dir, options)
  for (let i = 0; i < 1500; i++) first.insert('h', `k${i}`, i)
  first.close()
  const store = openStore(t, dir, options)
  const sub = store.subscribe({ start: 'beginning' })
  const seen: number[] = []
  let written = 1500
  while (seen.length < 3000) {
    const event = await nextEvent(sub, `event ${seen.length}`)
    seen.push(event.sequence)
    // Write ahead of the reader in steps, so it crosses from disk to the cache and back.
    if (seen.length % 50 === 0 && written < 3000) {
      for (let i = 0; i < 75 && written < 3000; i++) store.update('h', `k${written % 1500}`, written++)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  t.deepEqual(seen, range(0, 3000))
  sub.close()
  t.deepEqual(mirrorProblems(store, await readLog(store), ['h']), [])
})
