// Closing stores, idle subscriptions not holding the process open, and named stores.
import { StoreClosedError } from 'actor-store'
import test from 'ava'
import { eachBackend, hasBackend, makeTempDir, removeTempDir, uniqueName } from './helpers/backends'
import { byId, expectEnd, guard, nextEvent, take } from './helpers/stream'
import { FixtureWorker, runNode } from './helpers/workers'

eachBackend(({ name: backend, create, supports }, title) => {
  // Named sharing is for the in-memory stores; the persistent store shares by path instead
  // (persistence-sharing.spec.ts).
  const namedTest = supports.names ? test : test.skip

  test(title('close() is idempotent and ends every subscription of the store'), async (t) => {
    const store = create()
    store.insert('t', 'a', 1)
    const subs = [store.subscribe(), store.subscribe({ start: 'beginning' }), store.subscribe({ actorType: 'x' })]
    t.is((await nextEvent(subs[1])).sequence, 0)
    const pending = subs.map((sub) => sub.next())
    store.close()
    store.close()
    const results = await guard(Promise.all(pending), 'pending next() calls after store close()')
    t.deepEqual(
      results.map((result) => result.done),
      [true, true, true],
    )
    for (const sub of subs) {
      await expectEnd(sub)
      t.notThrows(() => sub.close(), 'closing a subscription of a closed store is harmless')
    }
    t.throws(() => store.get('t', 'a'), { instanceOf: StoreClosedError, code: 'STORE_CLOSED' })
  })

  test(title('closing one store leaves another private store untouched'), async (t) => {
    const one = create()
    const two = create()
    t.teardown(() => two.close())
    one.insert('t', 'a', 1)
    t.is(two.get('t', 'a'), undefined, 'unnamed stores are private')
    const sub = two.subscribe()
    one.close()
    two.insert('t', 'b', 2)
    t.is((await nextEvent(sub)).actorId, 'b')
    t.deepEqual(two.getAll('t'), [{ id: 'b', value: 2, version: 0 }])
    sub.close()
  })

  for (const mode of ['now', 'beginning', 'for-await', 'named', 'store-only']) {
    const modeTest = mode === 'named' ? namedTest : test
    modeTest(title(`an idle subscription does not keep the process alive (${mode})`), async (t) => {
      // The persistent store's directory: the child never closes it, so it is removed here.
      const dir = backend === 'ActorStore.open' ? makeTempDir('idle') : undefined
      if (dir !== undefined) t.teardown(() => removeTempDir(dir))
      const result = await runNode('idle-subscriber.mjs', [backend, mode, ...(dir === undefined ? [] : [dir])])
      t.false(result.killedByGuard, `the child process did not exit by itself; stdout: ${result.stdout}`)
      t.is(result.stderr, '')
      t.is(result.signal, null)
      t.is(result.code, 0)
      t.is(result.stdout, 'waiting\n', 'it reached the wait, and no event or end arrived')
    })
  }

  namedTest(title('named stores: handles with one name share state and change stream'), async (t) => {
    const name = uniqueName('shared')
    const a = create({ name })
    const b = create({ name })
    const other = create({ name: uniqueName('other') })
    t.teardown(() => {
      a.close()
      b.close()
      other.close()
    })
    const subB = b.subscribe({ start: 'beginning' })
    a.insert('users', 'u1', { from: 'a' })
    t.deepEqual(b.get('users', 'u1'), { id: 'u1', value: { from: 'a' }, version: 0 })
    b.update('users', 'u1', { from: 'b' })
    t.deepEqual(a.get('users', 'u1'), { id: 'u1', value: { from: 'b' }, version: 1 })
    t.throws(() => b.insert('users', 'u1', 1), { code: 'KEY_ALREADY_EXISTS' })
    t.deepEqual(a.cdcStats().currentSequence, 2)
    t.deepEqual(b.cdcStats().currentSequence, 2)
    t.deepEqual(
      (await take(subB, 2)).map((event) => [event.sequence, event.operation]),
      [
        [0, 'INSERT'],
        [1, 'UPDATE'],
      ],
    )
    t.deepEqual(other.getAll('users'), [], 'a different name is a different store')
    t.is(other.cdcStats().currentSequence, 0)
  })

  namedTest(title('named stores: closing one handle ends only its own subscriptions'), async (t) => {
    const name = uniqueName('close-one')
    const a = create({ name })
    const b = create({ name })
    t.teardown(() => b.close())
    const subA = a.subscribe()
    const subB = b.subscribe()
    const pendingA = subA.next()
    a.close()
    t.true((await guard(pendingA, "a's subscription to end")).done)
    t.throws(() => a.insert('t', 'x', 1), { instanceOf: StoreClosedError })
    b.insert('t', 'x', 1)
    t.deepEqual(b.get('t', 'x'), { id: 'x', value: 1, version: 0 })
    t.is((await nextEvent(subB)).actorId, 'x', "b's subscription lives on")
    const c = create({ name })
    t.teardown(() => c.close())
    t.deepEqual(byId(c.getAll('t')), [{ id: 'x', value: 1, version: 0 }], 'a new handle sees the live store')
    subB.close()
  })
})

if (hasBackend('JsActorStore')) {
  test('JsActorStore: a name is shared within one thread only', async (t) => {
    const { JsActorStore } = await import('actor-store')
    const name = uniqueName('js-thread')
    const store = new JsActorStore({ name })
    t.teardown(() => store.close())
    store.insert('shared', 'from-main', 1)
    const worker = new FixtureWorker('js-named-probe.mjs', { name })
    t.teardown(async () => {
      await worker.worker.terminate()
    })
    const report = await worker.message('report')
    t.deepEqual(report.seen, [], 'the worker does not see the main thread store')
    t.deepEqual(report.after, ['from-worker'])
    t.is(await guard(worker.exited, 'worker exit'), 0)
    t.deepEqual(
      store.getAll('shared').map((actor) => actor.id),
      ['from-main'],
    )
  })
}
