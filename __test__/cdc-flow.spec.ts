// The change stream under load and at its edges: lag, stats, closing, concurrent readers,
// per-actor order, and the hand-over from replayed history to live events.
import { type ChangeEvent, type JsonValue, SubscriptionLaggedError } from 'actor-store'
import test from 'ava'
import { eachBackend } from './helpers/backends'
import { applyToMirror, byId, expectEnd, guard, mirrorOfType, nextEvent, take } from './helpers/stream'

const seqs = (events: ChangeEvent[]) => events.map((event) => event.sequence)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

eachBackend(({ create, supports }, title) => {
  // A small replayBufferSize bounds replay only where history is held in memory; the persistent
  // store replays from disk (its retention tests are in persistence-retention.spec.ts).
  const boundedTest = supports.boundedReplay ? test : test.skip

  // Each scenario repeats on fresh stores: the outcome must not depend on how soon the reader looks.
  boundedTest(title('a subscriber that falls behind the replay buffer gets SubscriptionLaggedError'), async (t) => {
    for (let round = 0; round < 10; round++) {
      const store = create({ replayBufferSize: 4 })
      const sub = store.subscribe()
      for (let i = 0; i < 10; i++) store.insert('n', `k${i}`, i)
      const error = await t.throwsAsync(guard(sub.next(), 'lagged next()'), {
        instanceOf: SubscriptionLaggedError,
        code: 'SUBSCRIPTION_LAGGED',
      })
      t.is(error?.firstAvailableSequence, 6)
      t.is(error?.requestedSequence, 0)
      const resumed = store.subscribe({ start: { afterSequence: (error?.firstAvailableSequence ?? 0) - 1 } })
      t.deepEqual(seqs(await take(resumed, 4)), [6, 7, 8, 9], 'resuming from firstAvailableSequence works')
      store.close()
    }
  })

  boundedTest(title('lag after some reads: the next read throws SubscriptionLaggedError'), async (t) => {
    for (let round = 0; round < 10; round++) {
      const store = create({ replayBufferSize: 4 })
      const sub = store.subscribe({ start: 'beginning' })
      store.insert('n', 'a', 0)
      store.insert('n', 'b', 0)
      t.deepEqual(seqs(await take(sub, 2)), [0, 1])
      for (let i = 0; i < 10; i++) store.update('n', 'a', i + 1)
      const error = await t.throwsAsync(guard(sub.next(), 'lagged next()'), { instanceOf: SubscriptionLaggedError })
      t.is(error?.firstAvailableSequence, 8)
      t.is(error?.requestedSequence, 2)
      store.close()
    }
  })

  test(title('writing exactly replayBufferSize events before reading loses nothing'), async (t) => {
    const store = create({ replayBufferSize: 4 })
    t.teardown(() => store.close())
    const live = store.subscribe()
    store.insert('n', 'x', 0)
    const fromStart = store.subscribe({ start: 'beginning' })
    for (let i = 1; i <= 3; i++) store.update('n', 'x', i)
    t.deepEqual(seqs(await take(live, 4)), [0, 1, 2, 3])
    t.deepEqual(seqs(await take(fromStart, 4)), [0, 1, 2, 3])
    store.update('n', 'x', 4)
    t.is((await nextEvent(live)).sequence, 4)
    live.close()
    fromStart.close()
  })

  test(title('cdcStats counts events, retained events, drops and open subscriptions'), async (t) => {
    const store = create({ replayBufferSize: 4 })
    t.teardown(() => store.close())
    t.deepEqual(store.cdcStats(), {
      totalEvents: 0,
      currentSequence: 0,
      replayBufferSize: 0,
      activeSubscriptions: 0,
      eventsDropped: 0,
    })
    store.insert('n', 'a', 1)
    store.update('n', 'a', 2)
    store.delete('n', 'a')
    t.deepEqual(store.cdcStats(), {
      totalEvents: 3,
      currentSequence: 3,
      replayBufferSize: 3,
      activeSubscriptions: 0,
      eventsDropped: 0,
    })
    for (let i = 0; i < 7; i++) store.insert('m', `k${i}`, i)
    // Held in memory, 4 of the 10 events are retained; on disk, all of them (retention allows 1M).
    const retained = supports.boundedReplay ? 4 : 10
    t.deepEqual(store.cdcStats(), {
      totalEvents: 10,
      currentSequence: 10,
      replayBufferSize: retained,
      activeSubscriptions: 0,
      eventsDropped: 10 - retained,
    })
    const a = store.subscribe()
    const b = store.subscribe({ start: 'beginning' })
    const c = store.subscribe({ actorType: 'm' })
    t.is(store.cdcStats().activeSubscriptions, 3)
    a.close()
    t.is(store.cdcStats().activeSubscriptions, 2)
    a.close()
    t.is(store.cdcStats().activeSubscriptions, 2, 'closing twice counts once')
    for await (const event of b) {
      t.is(event.sequence, 10 - retained, "'beginning' starts at the oldest retained event")
      break
    }
    t.is(store.cdcStats().activeSubscriptions, 1, 'break closes the subscription')
    c.close()
    t.is(store.cdcStats().activeSubscriptions, 0)
    t.is(store.cdcStats().totalEvents, 10, 'subscriptions do not change the event counts')
  })

  test(title('close() ends a subscription: pending and later next() calls resolve done'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const sub = store.subscribe()
    const other = store.subscribe()
    const pending = [sub.next(), sub.next()]
    sub.close()
    for (const result of await guard(Promise.all(pending), 'pending next() after close')) t.true(result.done)
    await expectEnd(sub)
    store.insert('n', 'a', 1)
    await expectEnd(sub, 'no events after close')
    let iterations = 0
    for await (const _ of sub) iterations++
    t.is(iterations, 0)
    t.is((await nextEvent(other)).actorId, 'a', 'other subscriptions are unaffected')
    other.close()
  })

  test(title('break in for await closes the subscription'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    for (let i = 0; i < 5; i++) store.insert('n', `k${i}`, i)
    const sub = store.subscribe({ start: 'beginning' })
    const seen: number[] = []
    for await (const event of sub) {
      seen.push(event.sequence)
      if (seen.length === 2) break
    }
    t.deepEqual(seen, [0, 1])
    t.is(store.cdcStats().activeSubscriptions, 0)
    await expectEnd(sub, 'the rest of the history after break')
  })

  test(title('store close() finishes a pending for-await normally'), async (t) => {
    const store = create()
    const sub = store.subscribe()
    const seen: number[] = []
    let reached!: () => void
    const gotTwo = new Promise<void>((resolve) => {
      reached = resolve
    })
    const loop = (async () => {
      for await (const event of sub) {
        seen.push(event.sequence)
        if (seen.length === 2) reached()
      }
      return 'finished'
    })()
    store.insert('n', 'a', 1)
    store.insert('n', 'b', 2)
    await guard(gotTwo, 'two events in the loop')
    store.close()
    t.is(await guard(loop, 'the for-await loop to finish after store close()'), 'finished')
    t.deepEqual(seen, [0, 1])
  })

  test(title('concurrent next() calls each get the next event, in call order'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    store.insert('n', 'ready', 0)
    const sub = store.subscribe({ start: 'beginning' })
    const pending = Array.from({ length: 6 }, () => sub.next())
    for (let i = 1; i <= 5; i++) store.insert('n', `k${i}`, i)
    const results = await guard(Promise.all(pending), 'six concurrent next() calls')
    t.deepEqual(
      results.map((result) => (result.done ? 'done' : result.value.sequence)),
      range(0, 6),
    )
    const tail = [sub.next(), sub.next()]
    sub.close()
    t.deepEqual(
      (await guard(Promise.all(tail), 'pending next() after close')).map((result) => result.done),
      [true, true],
    )
  })

  test(title('several subscribers see the same gapless stream, in version order per actor'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const subs = [store.subscribe(), store.subscribe({ start: 'beginning' }), store.subscribe({ start: 'beginning' })]
    const ids = ['a', 'b', 'c', 'd']
    let writes = 0
    for (let round = 0; round < 30; round++) {
      for (const [i, id] of ids.entries()) {
        if ((round + i) % 7 === 6) {
          if (store.delete('t', id)) writes++
        } else if (store.get('t', id) === undefined) {
          store.insert('t', id, { round })
          writes++
        } else {
          const current = store.get('t', id)
          store.updateVersioned('t', id, { round, i }, current?.version ?? -1)
          writes++
        }
      }
    }
    const streams = await Promise.all(subs.map((sub) => take(sub, writes)))
    t.deepEqual(seqs(streams[0]), range(0, writes))
    t.deepEqual(streams[1], streams[0])
    t.deepEqual(streams[2], streams[0])
    const mirror = new Map()
    for (const event of streams[0]) {
      const problem = applyToMirror(mirror, event)
      if (problem) t.fail(problem)
    }
    t.deepEqual(mirrorOfType(mirror, 't'), byId(store.getAll('t')))
    for (const sub of subs) sub.close()
  })

  test(title('replayed history hands over to live events with no gap or duplicate'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    for (let i = 0; i < 1500; i++) store.insert('h', `k${i}`, i)
    const sub = store.subscribe({ start: 'beginning' })
    const seen: number[] = []
    let written = 1500
    while (seen.length < 2500) {
      const event = await nextEvent(sub, `event ${seen.length}`)
      seen.push(event.sequence)
      if (seen.length % 100 === 0 && written < 2500) {
        for (let i = 0; i < 100; i++) store.update('h', `k${i}`, written++)
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    t.deepEqual(seen, range(0, 2500))
    sub.close()
  })

  test(title('event values are copies'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const one = store.subscribe()
    const two = store.subscribe()
    store.insert('c', 'x', { list: [1] })
    store.update('c', 'x', { list: [2] })
    const [first] = await take(one, 1)
    ;(first.newValue as { list: JsonValue[] }).list.push('mutated')
    const [second] = await take(two, 1)
    t.deepEqual(second.newValue, { list: [1] })
    const [update] = await take(one, 1)
    t.deepEqual(update.previousValue, { list: [1] })
    ;(update.newValue as { list: JsonValue[] }).list.length = 0
    t.deepEqual(store.get('c', 'x')?.value, { list: [2] })
    const replayed = store.subscribe({ start: 'beginning' })
    t.deepEqual(
      (await take(replayed, 2)).map((event) => event.newValue),
      [{ list: [1] }, { list: [2] }],
    )
    for (const sub of [one, two, replayed]) sub.close()
  })
})
