// The bad-input battery: every bad call throws its typed error, and leaves the state, the stats
// and the change stream exactly as they were.
import {
  type ActorStoreApi,
  ActorStoreError,
  InvalidArgumentError,
  InvalidKeyError,
  InvalidValueError,
  KeyAlreadyExistsError,
  NotFoundError,
  StoreClosedError,
  VersionMismatchError,
} from 'actor-store'
import test, { type ExecutionContext } from 'ava'
import { bad, eachBackend } from './helpers/backends'
import { BAD_KEYS, BAD_STORE_OPTIONS, BAD_SUBSCRIBE_OPTIONS, BAD_VALUES, BAD_VERSIONS } from './helpers/bad-inputs'
import { observe } from './helpers/stream'

type ErrorClass = new (...args: never[]) => ActorStoreError
type Expect = (call: () => unknown, cls: ErrorClass, code: string, label: string) => ActorStoreError | undefined

const TYPES = ['users', 'orders', 'new']

/** users/u1 at version 2, users/u2 at 0, users/u3 deleted, orders/o1: seven events. */
function seed(store: ActorStoreApi): void {
  store.insert('users', 'u1', { n: 0 })
  store.update('users', 'u1', { n: 1 })
  store.update('users', 'u1', { n: 2 })
  store.insert('users', 'u2', ['x'])
  store.insert('users', 'u3', 'gone')
  store.delete('users', 'u3')
  store.insert('orders', 'o1', { total: 5 })
}

function expecter(t: ExecutionContext): Expect {
  return (call, cls, code, label) => {
    const error = t.throws(call, { instanceOf: cls, code }, label) as ActorStoreError | undefined
    t.true(error instanceof ActorStoreError, `${label}: instanceof ActorStoreError`)
    return error
  }
}

/** Options that only set a `name`: nothing to validate for a backend without named stores. */
const nameOnly = (options: unknown) =>
  typeof options === 'object' && options !== null && Object.keys(options).join() === 'name'

eachBackend(({ create, supports }, title) => {
  /** A test on a seeded store that must be exactly as it was after `body`. */
  function unchanged(name: string, body: (store: ActorStoreApi, expect: Expect) => void): void {
    test(title(name), async (t) => {
      const store = create()
      t.teardown(() => store.close())
      seed(store)
      const before = await observe(store, TYPES)
      t.is(before.stats.currentSequence, 7)
      body(store, expecter(t))
      t.deepEqual(await observe(store, TYPES), before, 'state, stats and change stream are unchanged')
    })
  }

  for (const [label, key] of BAD_KEYS) {
    unchanged(`actorType that is ${label} → InvalidKeyError in every method`, (store, expect) => {
      const k = bad<string>(key)
      expect(() => store.insert(k, 'new', 1), InvalidKeyError, 'INVALID_KEY', 'insert')
      expect(() => store.get(k, 'u1'), InvalidKeyError, 'INVALID_KEY', 'get')
      expect(() => store.update(k, 'u1', 1), InvalidKeyError, 'INVALID_KEY', 'update')
      expect(() => store.updateVersioned(k, 'u1', 1, 2), InvalidKeyError, 'INVALID_KEY', 'updateVersioned')
      expect(() => store.delete(k, 'u1'), InvalidKeyError, 'INVALID_KEY', 'delete')
      expect(() => store.getAll(k), InvalidKeyError, 'INVALID_KEY', 'getAll')
    })
    unchanged(`id that is ${label} → InvalidKeyError in every method`, (store, expect) => {
      const k = bad<string>(key)
      expect(() => store.insert('users', k, 1), InvalidKeyError, 'INVALID_KEY', 'insert')
      expect(() => store.get('users', k), InvalidKeyError, 'INVALID_KEY', 'get')
      expect(() => store.update('users', k, 1), InvalidKeyError, 'INVALID_KEY', 'update')
      expect(() => store.updateVersioned('users', k, 1, 2), InvalidKeyError, 'INVALID_KEY', 'updateVersioned')
      expect(() => store.delete('users', k), InvalidKeyError, 'INVALID_KEY', 'delete')
    })
  }

  for (const [label, make] of BAD_VALUES) {
    unchanged(`value that is ${label} → InvalidValueError in every write`, (store, expect) => {
      const v = () => bad<number>(make())
      expect(() => store.insert('new', 'n1', v()), InvalidValueError, 'INVALID_VALUE', 'insert of a new actor')
      expect(() => store.insert('users', 'u1', v()), InvalidValueError, 'INVALID_VALUE', 'insert of an existing actor')
      expect(() => store.update('users', 'u1', v()), InvalidValueError, 'INVALID_VALUE', 'update')
      expect(
        () => store.update('users', 'nobody', v()),
        InvalidValueError,
        'INVALID_VALUE',
        'update of a missing actor',
      )
      expect(() => store.updateVersioned('users', 'u1', v(), 2), InvalidValueError, 'INVALID_VALUE', 'updateVersioned')
      expect(
        () => store.updateVersioned('users', 'u1', v(), 0),
        InvalidValueError,
        'INVALID_VALUE',
        'updateVersioned with a stale version',
      )
    })
  }

  for (const [label, version] of BAD_VERSIONS) {
    unchanged(`expectedVersion ${label} → InvalidArgumentError`, (store, expect) => {
      const v = bad<number>(version)
      expect(() => store.updateVersioned('users', 'u1', { n: 9 }, v), InvalidArgumentError, 'INVALID_ARGUMENT', 'u1')
      expect(() => store.updateVersioned('users', 'u3', 1, v), InvalidArgumentError, 'INVALID_ARGUMENT', 'deleted')
      expect(() => store.updateVersioned('users', 'none', 1, v), InvalidArgumentError, 'INVALID_ARGUMENT', 'missing')
    })
  }

  unchanged('conflicts → KeyAlreadyExistsError, NotFoundError, VersionMismatchError', (store, expect) => {
    expect(() => store.insert('users', 'u1', 1), KeyAlreadyExistsError, 'KEY_ALREADY_EXISTS', 'insert u1')
    expect(() => store.insert('orders', 'o1', 1), KeyAlreadyExistsError, 'KEY_ALREADY_EXISTS', 'insert o1')
    expect(() => store.update('users', 'nobody', 1), NotFoundError, 'NOT_FOUND', 'update missing')
    expect(() => store.update('users', 'u3', 1), NotFoundError, 'NOT_FOUND', 'update deleted')
    expect(() => store.update('orders', 'u1', 1), NotFoundError, 'NOT_FOUND', 'update in another type')
    expect(() => store.updateVersioned('users', 'nobody', 1, 0), NotFoundError, 'NOT_FOUND', 'CAS missing')
    expect(() => store.updateVersioned('users', 'u3', 1, 0), NotFoundError, 'NOT_FOUND', 'CAS deleted')
    for (const expected of [0, 1, 3, 1000]) {
      const error = expect(
        () => store.updateVersioned('users', 'u1', { n: -1 }, expected),
        VersionMismatchError,
        'VERSION_MISMATCH',
        `CAS u1 expecting ${expected}`,
      ) as VersionMismatchError | undefined
      if (error?.expected !== expected || error?.actual !== 2) {
        throw new Error(`VersionMismatchError carries expected ${error?.expected}, actual ${error?.actual}`)
      }
    }
  })

  unchanged('reads of missing actors and deletes of missing actors change nothing', (store) => {
    const results = [
      store.get('users', 'nobody'),
      store.get('users', 'u3'),
      store.get('orders', 'u1'),
      store.delete('users', 'nobody'),
      store.delete('users', 'u3'),
      store.delete('new', 'u1'),
    ]
    if (results.some((result) => result !== undefined)) throw new Error(`expected undefined: ${results}`)
    if (store.getAll('nobody').length !== 0) throw new Error('getAll of an unknown type is not empty')
  })

  unchanged('checks run in order: actorType, id, value, expectedVersion, then state', (store, expect) => {
    const none = bad<number>(undefined)
    expect(() => store.insert('', bad(1), none), InvalidKeyError, 'INVALID_KEY', 'bad type, id and value')
    expect(() => store.insert('users', '', none), InvalidKeyError, 'INVALID_KEY', 'bad id and value')
    expect(() => store.insert('users', 'u1', none), InvalidValueError, 'INVALID_VALUE', 'existing + bad value')
    expect(
      () =>
        store.update(
          'users',
          'nobody',
          bad(() => 1),
        ),
      InvalidValueError,
      'INVALID_VALUE',
      'missing + value',
    )
    expect(() => store.updateVersioned('', '', none, -1), InvalidKeyError, 'INVALID_KEY', 'everything bad')
    expect(() => store.updateVersioned(bad(null), 'u1', 1, 2), InvalidKeyError, 'INVALID_KEY', 'null type')
    expect(() => store.updateVersioned('users', '\uD800', none, -1), InvalidKeyError, 'INVALID_KEY', 'bad id first')
    expect(() => store.updateVersioned('users', 'u1', none, -1), InvalidValueError, 'INVALID_VALUE', 'value first')
    expect(() => store.updateVersioned('users', 'x', bad(1n), bad('x')), InvalidValueError, 'INVALID_VALUE', 'bigint')
    expect(() => store.updateVersioned('users', 'nobody', 1, -1), InvalidArgumentError, 'INVALID_ARGUMENT', 'missing')
    expect(() => store.updateVersioned('users', 'u1', 1, 1.5), InvalidArgumentError, 'INVALID_ARGUMENT', 'not mismatch')
    expect(() => store.get('users', bad(7)), InvalidKeyError, 'INVALID_KEY', 'get with numeric id')
  })

  for (const [label, options] of BAD_SUBSCRIBE_OPTIONS) {
    unchanged(`subscribe with ${label} → InvalidArgumentError`, (store, expect) => {
      expect(() => store.subscribe(bad(options)), InvalidArgumentError, 'INVALID_ARGUMENT', `subscribe(${label})`)
    })
  }

  test(title('bad store options → InvalidArgumentError'), (t) => {
    const expect = expecter(t)
    for (const [label, options] of BAD_STORE_OPTIONS) {
      if (!supports.names && nameOnly(options)) continue
      expect(() => create(bad(options)), InvalidArgumentError, 'INVALID_ARGUMENT', label)
    }
  })

  test(title('good store options are accepted'), (t) => {
    const accepted = [undefined, {}, { name: undefined }, { replayBufferSize: undefined }, { replayBufferSize: 1 }]
    for (const options of accepted) {
      const store = create(options)
      t.is(store.insert('t', 'a', 1).version, 0, JSON.stringify(options))
      t.is(store.cdcStats().replayBufferSize, 1)
      store.close()
    }
  })

  test(title('after close() every call throws StoreClosedError, even with bad arguments'), async (t) => {
    const store = create()
    seed(store)
    const sub = store.subscribe({ start: 'beginning' })
    store.close()
    t.notThrows(() => store.close(), 'close is idempotent')
    const expect = expecter(t)
    const calls: [string, () => unknown][] = [
      ['insert', () => store.insert('users', 'new', 1)],
      ['insert of an existing actor', () => store.insert('users', 'u1', 1)],
      ['insert with bad arguments', () => store.insert(bad(1), '', bad(undefined))],
      ['get', () => store.get('users', 'u1')],
      ['get with a bad key', () => store.get('', '')],
      ['update', () => store.update('users', 'u1', 1)],
      ['update with a bad value', () => store.update('users', 'u1', bad(Symbol('x')))],
      ['updateVersioned', () => store.updateVersioned('users', 'u1', 1, 2)],
      ['updateVersioned with a bad version', () => store.updateVersioned('users', 'u1', 1, -1)],
      ['delete', () => store.delete('users', 'u1')],
      ['delete with a bad key', () => store.delete(bad(null), bad(null))],
      ['getAll', () => store.getAll('users')],
      ['getAll with a bad type', () => store.getAll('')],
      ['subscribe', () => store.subscribe()],
      ['subscribe from the beginning', () => store.subscribe({ start: 'beginning' })],
      ['subscribe with bad options', () => store.subscribe(bad({ start: 'end', junk: 1 }))],
      ['cdcStats', () => store.cdcStats()],
    ]
    for (const [label, call] of calls) expect(call, StoreClosedError, 'STORE_CLOSED', label)
    const result = await sub.next()
    t.true(result.done, 'a subscription of a closed store has ended')
  })
})
