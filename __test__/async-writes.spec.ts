// The Promise-returning writes: same results, errors and events as the sync ones, on every
// backend; on a persistent store with durability 'sync', concurrent writers all land.
import { ActorStore, ActorStoreError, KeyAlreadyExistsError, NotFoundError, VersionMismatchError } from 'actor-store'
import test from 'ava'
import { bad, eachBackend, hasBackend, makeTempDir, removeTempDir } from './helpers/backends'
import { take } from './helpers/stream'

eachBackend(({ create }, title) => {
  test(title('async writes return what the sync ones do and emit the same events'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    const subscription = store.subscribe({ start: 'beginning' })
    t.deepEqual(await store.insertAsync('users', 'u1', { n: 1 }), { id: 'u1', value: { n: 1 }, version: 0 })
    t.deepEqual(await store.updateAsync('users', 'u1', { n: 2 }), { id: 'u1', value: { n: 2 }, version: 1 })
    t.deepEqual(await store.updateVersionedAsync('users', 'u1', { n: 3 }, 1), { id: 'u1', value: { n: 3 }, version: 2 })
    t.deepEqual(await store.deleteAsync('users', 'u1'), { id: 'u1', value: { n: 3 }, version: 2 })
    t.is(await store.deleteAsync('users', 'u1'), undefined)
    const events = await take(subscription, 4)
    subscription.close()
    t.deepEqual(
      events.map((e) => [e.sequence, e.operation, e.newVersion]),
      [
        [0, 'INSERT', 0],
        [1, 'UPDATE', 1],
        [2, 'UPDATE', 2],
        [3, 'DELETE', undefined],
      ],
    )
  })

  test(title('async writes reject with the typed errors and change nothing'), async (t) => {
    const store = create()
    t.teardown(() => store.close())
    await store.insertAsync('t', 'x', 1)
    await t.throwsAsync(store.insertAsync('t', 'x', 2), { instanceOf: KeyAlreadyExistsError })
    await t.throwsAsync(store.updateAsync('t', 'missing', 2), { instanceOf: NotFoundError })
    const mismatch = await t.throwsAsync(store.updateVersionedAsync('t', 'x', 2, 5), {
      instanceOf: VersionMismatchError,
    })
    t.deepEqual([mismatch?.expected, mismatch?.actual], [5, 0])
    await t.throwsAsync(store.insertAsync('t', '', 2), { code: 'INVALID_KEY' })
    await t.throwsAsync(
      store.insertAsync(
        't',
        'y',
        bad(() => 1),
      ),
      { code: 'INVALID_VALUE' },
    )
    await t.throwsAsync(store.updateVersionedAsync('t', 'x', 2, -1), { code: 'INVALID_ARGUMENT' })
    t.deepEqual(store.get('t', 'x'), { id: 'x', value: 1, version: 0 })
    t.is(store.cdcStats().currentSequence, 1)
    store.close()
    await t.throwsAsync(store.insertAsync('t', 'z', 1), { instanceOf: ActorStoreError, code: 'STORE_CLOSED' })
  })
})

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip

persistentTest(
  "ActorStore.open with durability 'sync': concurrent async writers all land and survive reopen",
  async (t) => {
    const dir = makeTempDir('sync-writes')
    t.teardown(() => removeTempDir(dir))
    const store = ActorStore.open(dir, { durability: 'sync' })
    await Promise.all(Array.from({ length: 200 }, (_, n) => store.insertAsync('t', `k${n}`, { n })))
    await Promise.all(Array.from({ length: 200 }, (_, n) => store.updateAsync('t', `k${n}`, { n: n + 1 })))
    store.close()
    const reopened = ActorStore.open(dir)
    t.teardown(() => reopened.close())
    const all = reopened.getAll<{ n: number }>('t')
    t.is(all.length, 200)
    t.true(all.every((actor) => actor.version === 1 && actor.value.n === Number(actor.id.slice(1)) + 1))
    t.is(reopened.cdcStats().currentSequence, 400)
  },
)
