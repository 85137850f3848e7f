// The change stream: acceptance scenarios 3, 4 and 5, event contents, start positions, filters.
import { type ActorStoreApi, type ChangeEvent, InvalidArgumentError, SubscriptionLaggedError } from 'actor-store'
import test from 'ava'
import { eachBackend } from './helpers/backends'
import { clockPast, nextEvent, retainedEvents, take, takeUntil } from './helpers/stream'

/** An event without its timestamp, for exact comparison. */
function strip(event: ChangeEvent): Omit<ChangeEvent, 'timestamp'> {
  const { timestamp: _, ...rest } = event
  return rest
}

const seqs = (events: ChangeEvent[]) => events.map((event) => event.sequence)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

function writeMany(store: ActorStoreApi, count: number, type = 'n'): void {
  for (let i = 0; i < count; i++) store.insert(type, `k${i}`, i)
}

eachBackend(({ create, supports }, title) => {
  // A small replayBufferSize bounds replay only where history is held in memory; the persistent
  // store replays from disk (its retention tests are in persistence-retention.spec.ts).
  const boundedTest = supports.boundedReplay ? test : test.skip

  test(title('scenario 3: from the beginning, existing inserts first, then live changes'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    for (let i = 1; i <= 3; i++) store.insert('users', `user:${i}`, { name: `user ${i}` })
    const sub = store.subscribe({ start: 'beginning' })
    const history = await take(sub, 3)
    t.deepEqual(
      history.map(strip),
      [1, 2, 3].map((i) => ({
        sequence: i - 1,
        operation: 'INSERT',
        actorType: 'users',
        actorId: `user:${i}`,
        newValue: { name: `user ${i}` },
        newVersion: 0,
      })),
    )
    store.insert('users', 'user:4', { name: 'Bob' })
    const live = await nextEvent(sub)
    t.deepEqual(strip(live), {
      sequence: 3,
      operation: 'INSERT',
      actorType: 'users',
      actorId: 'user:4',
      newValue: { name: 'Bob' },
      newVersion: 0,
    })
    store.update('users', 'user:1', { name: 'Alice' })
    t.is((await nextEvent(sub)).sequence, 4, 'the subscriber keeps receiving future changes')
    sub.close()
  })

  test(title('events carry exactly the documented fields for each operation'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const sub = store.subscribe()
    const before = Date.now()
    store.insert('t', 'a', { v: 1, gone: undefined, nan: Number.NaN } as never)
    store.update('t', 'a', [1])
    store.updateVersioned('t', 'a', 'three', 1)
    store.delete('t', 'a')
    const after = Date.now()
    const events = await take(sub, 4)
    t.deepEqual(events.map(strip), [
      { sequence: 0, operation: 'INSERT', actorType: 't', actorId: 'a', newValue: { v: 1, nan: null }, newVersion: 0 },
      {
        sequence: 1,
        operation: 'UPDATE',
        actorType: 't',
        actorId: 'a',
        previousValue: { v: 1, nan: null },
        previousVersion: 0,
        newValue: [1],
        newVersion: 1,
      },
      {
        sequence: 2,
        operation: 'UPDATE',
        actorType: 't',
        actorId: 'a',
        previousValue: [1],
        previousVersion: 1,
        newValue: 'three',
        newVersion: 2,
      },
      { sequence: 3, operation: 'DELETE', actorType: 't', actorId: 'a', previousValue: 'three', previousVersion: 2 },
    ])
    t.false('previousValue' in events[0] || 'previousVersion' in events[0], 'INSERT has no previous fields')
    t.false('newValue' in events[3] || 'newVersion' in events[3], 'DELETE has no new fields')
    let last = 0
    for (const event of events) {
      t.is(typeof event.timestamp, 'number')
      t.true(event.timestamp >= before - 1 && event.timestamp <= after + 1, `timestamp ${event.timestamp}`)
      t.true(event.timestamp >= last, 'timestamps never decrease along the sequence')
      last = event.timestamp
    }
    sub.close()
  })

  test(title('scenario 4: { afterSequence: n } resumes at n + 1 with no gap and no duplicate'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    writeMany(store, 105)
    const sub = store.subscribe({ start: { afterSequence: 100 } })
    t.deepEqual(seqs(await take(sub, 4)), [101, 102, 103, 104])
    store.insert('n', 'live', 'x')
    t.deepEqual(strip(await nextEvent(sub)), {
      sequence: 105,
      operation: 'INSERT',
      actorType: 'n',
      actorId: 'live',
      newValue: 'x',
      newVersion: 0,
    })
    sub.close()
    for (const checkpoint of [0, 1, 57, 104]) {
      const resumed = store.subscribe({ start: { afterSequence: checkpoint } })
      const events = await take(resumed, 105 - checkpoint)
      t.deepEqual(seqs(events), range(checkpoint + 1, 106), `after ${checkpoint}`)
      resumed.close()
    }
  })

  test(
    title('{ afterSequence: next - 1 } delivers only new events; beyond that is InvalidArgumentError'),
    async (t) => {
      const store = create()
      t.teardown(() => store.close())
      t.throws(() => store.subscribe({ start: { afterSequence: 0 } }), { instanceOf: InvalidArgumentError })
      writeMany(store, 3)
      const sub = store.subscribe({ start: { afterSequence: 2 } })
      t.throws(() => store.subscribe({ start: { afterSequence: 3 } }), {
        instanceOf: InvalidArgumentError,
        code: 'INVALID_ARGUMENT',
      })
      store.insert('n', 'later', 1)
      t.is((await nextEvent(sub)).actorId, 'later')
      sub.close()
    },
  )

  // Each check runs on a fresh store right after the writes return: what is retained must not
  // depend on how soon the caller looks.
  boundedTest(title('{ afterSequence } older than the retained history throws SubscriptionLaggedError'), (t) => {
    for (let round = 0; round < 10; round++) {
      for (const checkpoint of [0, 3, 4]) {
        const store = create({ replayBufferSize: 4 })
        writeMany(store, 10)
        const error = t.throws(() => store.subscribe({ start: { afterSequence: checkpoint } }), {
          instanceOf: SubscriptionLaggedError,
          code: 'SUBSCRIPTION_LAGGED',
        })
        t.is(error?.firstAvailableSequence, 6)
        t.is(error?.requestedSequence, checkpoint + 1)
        t.is(store.cdcStats().activeSubscriptions, 0)
        store.close()
      }
    }
  })

  boundedTest(
    title(
      "right after more writes than the buffer holds, 'beginning' and { afterSequence } start at the oldest retained",
    ),
    async (t) => {
      for (let round = 0; round < 10; round++) {
        const store = create({ replayBufferSize: 4 })
        writeMany(store, 10)
        const fromStart = store.subscribe({ start: 'beginning' })
        t.deepEqual(seqs(await take(fromStart, 4)), [6, 7, 8, 9], "'beginning' starts at the oldest retained event")
        store.close()
        const again = create({ replayBufferSize: 4 })
        writeMany(again, 10)
        const resumed = again.subscribe({ start: { afterSequence: 5 } })
        t.deepEqual(seqs(await take(resumed, 4)), [6, 7, 8, 9], 'afterSequence 5 starts at 6')
        again.close()
      }
    },
  )

  test(title("'now' (the default) skips history and starts with the next commit"), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    writeMany(store, 5)
    const subs = [store.subscribe(), store.subscribe({}), store.subscribe({ start: 'now' })]
    store.insert('after', 'x', 1)
    store.insert('after', 'y', 2)
    for (const sub of subs) {
      t.deepEqual(
        (await take(sub, 2)).map((event) => [event.sequence, event.actorId]),
        [
          [5, 'x'],
          [6, 'y'],
        ],
      )
      sub.close()
    }
  })

  test(title("'beginning' on an empty store delivers every event from sequence 0"), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const sub = store.subscribe({ start: 'beginning' })
    writeMany(store, 3)
    t.deepEqual(seqs(await take(sub, 3)), [0, 1, 2])
    sub.close()
  })

  test(title('{ timestamp } starts at the first event committed at or after it'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    // Three bursts of writes, each in a later millisecond than the one before.
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 3; i++) store.insert(`b${burst}`, `k${i}`, i)
      const [last] = (await retainedEvents(store)).slice(-1)
      await clockPast(last.timestamp)
    }
    const all = await retainedEvents(store)
    t.deepEqual(seqs(all), range(0, 9))
    t.true(all[3].timestamp > all[2].timestamp && all[6].timestamp > all[5].timestamp)
    const points = [0, ...new Set(all.map((event) => event.timestamp))]
    for (const point of points) {
      const expected = all.filter((event) => event.timestamp >= point)
      for (const start of [{ timestamp: point }, { timestamp: new Date(point) }]) {
        const sub = store.subscribe({ start })
        t.deepEqual(await take(sub, expected.length), expected, `from ${JSON.stringify(start)}`)
        store.insert('live', `after-${point}-${typeof start.timestamp}`, 1)
        t.is((await nextEvent(sub)).actorType, 'live', 'later events follow')
        sub.close()
        all.push(...(await retainedEvents(store)).slice(all.length))
      }
    }
  })

  test(title('scenario 5: a keyPrefix subscription sees only matching ids'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    store.insert('users', 'user:1', { name: 'Alice' })
    store.insert('orders', 'order:1', { total: 1 })
    const sub = store.subscribe({ start: 'now', keyPrefix: 'user:' })
    store.insert('users', 'user:5', { name: 'Charlie' })
    store.insert('orders', 'order:100', { total: 50.0 })
    store.insert('users', 'usr:7', {})
    store.insert('users', 'User:8', {})
    store.insert('user:', 'x', {})
    store.update('users', 'user:1', { name: 'Alice', v: 2 })
    const events = await take(sub, 2)
    t.deepEqual(
      events.map((event) => [event.sequence, event.operation, event.actorType, event.actorId]),
      [
        [2, 'INSERT', 'users', 'user:5'],
        [7, 'UPDATE', 'users', 'user:1'],
      ],
    )
    sub.close()
  })

  test(title('actorType and keyPrefix filters combine, apply to history, and "" matches every id'), async (t) => {
    const writes: [string, string][] = [
      ['users', 'user:1'],
      ['orders', 'user:2'],
      ['users', 'admin:1'],
      ['users:', 'user:3'],
      ['Users', 'user:4'],
      ['🙂', '🙂:1'],
      ['users', 'user:5'],
    ]
    const cases: [{ actorType?: string; keyPrefix?: string }, number[]][] = [
      [{ actorType: 'users' }, [0, 2, 6]],
      [{ keyPrefix: 'user:' }, [0, 1, 3, 4, 6]],
      [{ actorType: 'users', keyPrefix: 'user:' }, [0, 6]],
      [{ keyPrefix: '' }, [0, 1, 2, 3, 4, 5, 6]],
      [{ actorType: 'users', keyPrefix: '' }, [0, 2, 6]],
      [{ keyPrefix: '🙂' }, [5]],
      [{ actorType: '🙂' }, [5]],
      [{ keyPrefix: 'user:1' }, [0]],
    ]
    for (const [filter, expected] of cases) {
      const store = create()
      t.teardown(() => store.close())
      for (const [type, id] of writes) store.insert(type, id, id)
      const sub = store.subscribe({ ...filter, start: 'beginning' })
      t.deepEqual(seqs(await take(sub, expected.length)), expected, JSON.stringify(filter))
      // A matching sentinel proves nothing else was queued before it.
      const type = filter.actorType ?? 'users'
      const sentinel = store.insert(type, `${filter.keyPrefix ?? ''}~sentinel`, 0)
      const after = await nextEvent(sub)
      t.deepEqual([after.sequence, after.actorType, after.actorId], [7, type, sentinel.id], JSON.stringify(filter))
      sub.close()
      const resumed = store.subscribe({ ...filter, start: { afterSequence: expected[0] } })
      const rest = await takeUntil(resumed, (event) => event.sequence === 7)
      t.deepEqual(seqs(rest), [...expected.slice(1), 7], `${JSON.stringify(filter)} after ${expected[0]}`)
      resumed.close()
    }
  })
})
