// createSnapshot / restoreSnapshot on all three stores (spec scenario 9): exact state, the mirror
// invariant, sequences, bad snapshots, point-in-time snapshots under concurrent writers, checkpoints.
import {
  ActorStore,
  type ActorStoreApi,
  ActorStoreError,
  type ChangeEvent,
  InvalidArgumentError,
  type Snapshot,
  StoreClosedError,
} from 'actor-store'
import test from 'ava'
import { bad, hasBackend } from './helpers/backends'
import { BAD_KEYS, BAD_VERSIONS } from './helpers/bad-inputs'
import { startAsyncWriter, startWorkers } from './helpers/snapshot-writers'
import { allEvents, eachSnapshotBackend, Mirror, sorted, stateByGetAll, stateOf, tempDir } from './helpers/snapshots'
import { observe, sleep, take, waitUntil } from './helpers/stream'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip
const TYPES = ['users', 'orders', 'temp', 'a:b', 'a', 'ключ']

/** 1000 actors over two types, some updated (versions above 0), one deleted and re-inserted. */
function populate(store: ActorStoreApi): void {
  for (let i = 0; i < 1000; i++) store.insert(i % 2 === 0 ? 'users' : 'orders', `id-${i}`, { i, tags: ['x', i] })
  for (let i = 0; i < 1000; i += 7) store.update(i % 2 === 0 ? 'users' : 'orders', `id-${i}`, { i, updated: true })
  store.update('users', 'id-0', { i: 0, twice: true })
  store.delete('orders', 'id-1')
  store.insert('orders', 'id-1', 'back')
}

/** Assorted changes after a snapshot: updates, deletes, inserts of new actors and new types. */
function scramble(store: ActorStoreApi): void {
  store.insert('temp', '1', { temporary: true })
  for (let i = 0; i < 1000; i += 13) store.update(i % 2 === 0 ? 'users' : 'orders', `id-${i}`, [i, 'changed'])
  for (let i = 2; i < 1000; i += 97) store.delete(i % 2 === 0 ? 'users' : 'orders', `id-${i}`)
  store.insert('users', 'newcomer', null)
  store.insert('a:b', 'c', 1)
  store.insert('a', 'b:c', 2)
}

eachSnapshotBackend(({ name, open }, title) => {
  test(title('scenario 9: snapshot, insert temp:1, restore: temp:1 gone, state equals the snapshot'), async (t) => {
    const { store } = await open(t)
    populate(store)
    const snapshot = store.createSnapshot()
    t.is(snapshot.format, 'actor-store-snapshot/1')
    t.is(snapshot.sequence, store.cdcStats().currentSequence)
    t.is(snapshot.actors.length, 1000)
    t.deepEqual(Object.keys(snapshot.actors[0]), ['actorType', 'id', 'value', 'version'])
    t.deepEqual(
      snapshot.actors.find((a) => a.id === 'id-0'),
      { actorType: 'users', id: 'id-0', value: { i: 0, twice: true }, version: 2 },
    )
    store.insert('temp', '1', { temporary: true })
    store.restoreSnapshot(snapshot)
    t.is(store.get('temp', '1'), undefined)
    t.deepEqual(store.getAll('temp'), [])
    t.deepEqual(stateOf(store), sorted(snapshot.actors))
    t.deepEqual(stateByGetAll(store, TYPES), sorted(snapshot.actors))
    t.deepEqual(store.get('orders', 'id-1'), { id: 'id-1', value: 'back', version: 0 })
  })

  test(title('restore keeps the mirror invariant, with strictly increasing, never reused sequences'), async (t) => {
    const { store } = await open(t)
    const sub = store.subscribe({ start: 'beginning' })
    t.teardown(() => sub.close())
    populate(store)
    const snapshot = store.createSnapshot()
    scramble(store)
    const before = store.cdcStats().currentSequence
    store.restoreSnapshot(snapshot)
    scramble(store)
    store.restoreSnapshot(snapshot)
    store.insert('temp', 'after', 1)
    const events = await take(sub, store.cdcStats().currentSequence, 'events of the subscriber from the beginning')
    const mirror = new Mirror()
    for (const event of events) mirror.apply(event)
    t.is(mirror.problem, undefined)
    t.deepEqual(mirror.state(), stateOf(store))
    t.deepEqual(mirror.state(), stateByGetAll(store, TYPES))
    t.deepEqual(
      events.map((event) => event.sequence),
      [...Array(events.length).keys()],
      'gapless from 0',
    )
    t.true(events.filter((event) => event.sequence >= before).length > 0)
    t.is(store.cdcStats().currentSequence, events.length)
  })

  test(title('restore order: removals, then inserts by (type, id) in code point order, then updates'), async (t) => {
    const { store } = await open(t)
    const ids = ['b', '\uE000', '🙂', 'a', 'B', 'é', '__proto__']
    const snapshot: Snapshot = {
      format: 'actor-store-snapshot/1',
      sequence: 0,
      actors: [
        ...ids.map((id, i) => ({ actorType: 'x', id, value: { i }, version: i * 3 })),
        { actorType: 'a', id: 'z', value: 1, version: 0 },
      ],
    }
    store.insert('x', 'b', 'old')
    for (let i = 0; i < 5; i++) store.update('x', 'b', `old ${i}`)
    store.insert('gone', 'g', 1)
    const start = store.cdcStats().currentSequence
    store.restoreSnapshot(snapshot)
    const events = (await allEvents(store)).filter((event) => event.sequence >= start)
    const shape = (event: ChangeEvent) => [
      event.operation,
      event.actorType,
      event.actorId,
      event.previousVersion,
      event.newVersion,
    ]
    t.deepEqual(events.map(shape), [
      ['DELETE', 'gone', 'g', 0, undefined],
      ['INSERT', 'a', 'z', undefined, 0],
      ...['B', '__proto__', 'a', 'é', '\uE000', '🙂'].map((id) => ['INSERT', 'x', id, undefined, ids.indexOf(id) * 3]),
      ['UPDATE', 'x', 'b', 5, 0],
    ])
    t.deepEqual(events.at(-1)?.previousValue, 'old 4')
    t.deepEqual(store.update('x', 'b', 'next'), { id: 'b', value: 'next', version: 1 }, 'a lowered version counts on')
    t.deepEqual(store.get('x', '🙂'), { id: '🙂', value: { i: 2 }, version: 6 })
  })

  test(title('restoring an identical state emits nothing; a value with reordered keys is a change'), async (t) => {
    const { store } = await open(t)
    store.insert('t', 'a', { x: 1, y: 2 })
    store.insert('t', 'b', [1, 2])
    const stats = store.cdcStats()
    store.restoreSnapshot(store.createSnapshot())
    t.deepEqual(store.cdcStats(), stats)
    const snapshot = store.createSnapshot()
    snapshot.actors = snapshot.actors.map((a) => (a.id === 'a' ? { ...a, value: { y: 2, x: 1 } } : a))
    store.restoreSnapshot(snapshot)
    t.is(store.cdcStats().currentSequence, stats.currentSequence + 1)
    t.deepEqual(Object.keys(store.get('t', 'a')?.value as object), ['y', 'x'])
    t.is(store.get('t', 'a')?.version, 0)
  })

  test(title('snapshots are copies: mutating one never changes the store, and vice versa'), async (t) => {
    const { store } = await open(t)
    store.insert('t', 'a', { list: [1] })
    const snapshot = store.createSnapshot()
    ;(snapshot.actors[0].value as { list: number[] }).list.push(2)
    t.deepEqual(store.get('t', 'a')?.value, { list: [1] })
    store.restoreSnapshot(snapshot)
    ;(snapshot.actors[0].value as { list: number[] }).list.push(3)
    t.deepEqual(store.get('t', 'a')?.value, { list: [1, 2] })
  })

  test(title('a bad snapshot throws InvalidArgumentError and changes nothing'), async (t) => {
    const { store } = await open(t)
    store.insert('t', 'a', 1)
    store.insert('t', 'b', 2)
    const good = { actorType: 't', id: 'new', value: 1, version: 0 }
    const base = { format: 'actor-store-snapshot/1', sequence: 0 }
    const cases: [string, unknown][] = [
      ['null', null],
      ['a string', 'snapshot'],
      ['an array', []],
      ['a number', 42],
      ['a wrong format', { ...base, format: 'actor-store-snapshot/2', actors: [good] }],
      ['no format', { sequence: 0, actors: [good] }],
      ['a negative sequence', { ...base, sequence: -1, actors: [good] }],
      ['actors not an array', { ...base, actors: { 0: good } }],
      ['a duplicate actor', { ...base, actors: [good, { ...good, value: 2 }] }],
      ['a non-object actor', { ...base, actors: [good, 'actor'] }],
      ['a missing value', { ...base, actors: [good, { actorType: 't', id: 'x', version: 0 }] }],
      ['an unknown field', { ...base, actors: [good], note: 'x' }],
      ['an unknown actor field', { ...base, actors: [good, { ...good, id: 'x', extra: 1 }] }],
      ['a BigInt value', { ...base, actors: [good, { ...good, id: 'x', value: 1n }] }],
      ...BAD_VERSIONS.map(([label, version]): [string, unknown] => [
        `version ${label}`,
        { ...base, actors: [good, { ...good, id: 'v', version }] },
      ]),
      ...BAD_KEYS.map(([label, id]): [string, unknown] => [
        `id ${label}`,
        { ...base, actors: [good, { ...good, id }] },
      ]),
      ...BAD_KEYS.map(([label, actorType]): [string, unknown] => [
        `actorType ${label}`,
        { ...base, actors: [good, { ...good, actorType }] },
      ]),
    ]
    const before = await observe(store, ['t'])
    for (const [label, snapshot] of cases) {
      t.throws(
        () => store.restoreSnapshot(bad(snapshot)),
        { instanceOf: InvalidArgumentError, code: 'INVALID_ARGUMENT' },
        label,
      )
    }
    t.deepEqual(await observe(store, ['t']), before)
  })

  test(title('after close(), createSnapshot and restoreSnapshot throw StoreClosedError'), async (t) => {
    const { store } = await open(t)
    const snapshot = store.createSnapshot()
    store.close()
    t.throws(() => store.createSnapshot(), { instanceOf: StoreClosedError })
    t.throws(() => store.restoreSnapshot(snapshot), { instanceOf: StoreClosedError })
    t.throws(() => store.restoreSnapshot(bad(null)), { instanceOf: StoreClosedError }, 'closed is checked first')
  })

  test(title('snapshots taken while writers keep writing are point-in-time consistent'), async (t) => {
    const opened = await open(t)
    const { store } = opened
    store.insert('even', 'seed', 0)
    const stopWriters = name === 'JsActorStore' ? startAsyncWriter(store) : await startWorkers(t, opened)
    const snapshots: Snapshot[] = []
    await waitUntil(() => store.cdcStats().currentSequence > 200, 'the writers to start')
    for (let i = 0; i < 8; i++) {
      snapshots.push(store.createSnapshot())
      await sleep(3)
    }
    const end = await stopWriters()
    t.true(
      snapshots.some((s) => s.sequence > 201 && s.sequence < end),
      'a snapshot was taken mid-write',
    )
    const mirror = new Mirror()
    const events = await allEvents(store)
    t.is(events.length, end)
    let next = 0
    for (const snapshot of snapshots) {
      while (next < snapshot.sequence) mirror.apply(events[next++])
      t.deepEqual(mirror.state(), sorted(snapshot.actors), `snapshot at sequence ${snapshot.sequence}`)
    }
    t.is(mirror.problem, undefined)
  })
})

persistentTest('ActorStore.open: checkpoint(dir) opens as an independent copy', async (t) => {
  const dir = await tempDir(t)
  const store = ActorStore.open(`${dir}/store`)
  t.teardown(() => store.close())
  populate(store)
  store.checkpoint(`${dir}/copy`)
  store.insert('temp', 'after-checkpoint', 1)
  const copy = ActorStore.open(`${dir}/copy`)
  t.teardown(() => copy.close())
  const original = store.createSnapshot()
  t.deepEqual(stateOf(copy), sorted(original.actors.filter((actor) => actor.actorType !== 'temp')))
  t.is(copy.cdcStats().currentSequence, original.sequence - 1, 'the copy continues the sequence of the checkpoint')
  copy.insert('temp', 'in-copy', 2)
  t.is(store.get('temp', 'in-copy'), undefined)
  t.is(copy.get('temp', 'after-checkpoint'), undefined)
  const mirror = new Mirror()
  for (const event of await allEvents(copy)) mirror.apply(event)
  t.deepEqual(mirror.state(), stateOf(copy), 'the copy holds its change log too')
})

persistentTest(
  'ActorStore.open: checkpoint into an existing directory or a bad path throws, in memory it is refused',
  async (t) => {
    const dir = await tempDir(t)
    const store = ActorStore.open(`${dir}/store`)
    t.teardown(() => store.close())
    store.insert('t', 'a', 1)
    t.throws(() => store.checkpoint(`${dir}/store`), { instanceOf: ActorStoreError })
    t.throws(() => store.checkpoint(bad('')), { instanceOf: InvalidArgumentError })
    const memory = new ActorStore()
    t.teardown(() => memory.close())
    t.throws(() => memory.checkpoint(`${dir}/memory-copy`), {
      instanceOf: InvalidArgumentError,
      code: 'INVALID_ARGUMENT',
    })
  },
)

persistentTest('ActorStore.open: a restore survives reopening, and the sequence goes on', async (t) => {
  const dir = await tempDir(t)
  let store = ActorStore.open(`${dir}/store`)
  t.teardown(() => store.close())
  populate(store)
  const snapshot = store.createSnapshot()
  scramble(store)
  store.restoreSnapshot(snapshot)
  const sequence = store.cdcStats().currentSequence
  store.close()
  store = ActorStore.open(`${dir}/store`)
  t.deepEqual(stateOf(store), sorted(snapshot.actors))
  t.is(store.cdcStats().currentSequence, sequence)
  const mirror = new Mirror()
  for (const event of await allEvents(store)) mirror.apply(event)
  t.is(mirror.problem, undefined)
  t.deepEqual(mirror.state(), sorted(snapshot.actors))
})
