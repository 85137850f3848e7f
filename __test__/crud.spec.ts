// Reads and writes: acceptance scenarios 1, 2 and 6, key rules, JSON value semantics, copies.
import {
  type ActorData,
  InvalidKeyError,
  type JsonValue,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  VersionMismatchError,
} from 'actor-store'
import test from 'ava'
import { eachBackend } from './helpers/backends'
import { byId } from './helpers/stream'

const ODD_KEYS = [
  'a:b',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'ключ',
  '🙂',
  ' ',
  '\t',
  'a b',
  '\u0000',
  'x'.repeat(MAX_KEY_BYTES),
  'é'.repeat(MAX_KEY_BYTES / 2),
  '🙂'.repeat(MAX_KEY_BYTES / 4),
]

eachBackend(({ create }, title) => {
  test(title('scenario 1: insert, get, update, delete, get'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const inserted = store.insert('users', 'user:1', { name: 'Alice' })
    t.deepEqual(inserted, { id: 'user:1', value: { name: 'Alice' }, version: 0 })
    t.deepEqual(store.get('users', 'user:1'), inserted)
    const updated = store.update('users', 'user:1', { name: 'Alice', age: 30 })
    t.deepEqual(updated, { id: 'user:1', value: { name: 'Alice', age: 30 }, version: 1 })
    t.deepEqual(store.get('users', 'user:1'), updated)
    t.deepEqual(store.delete('users', 'user:1'), updated)
    t.is(store.get('users', 'user:1'), undefined)
    t.deepEqual(store.getAll('users'), [])
  })

  test(title('scenario 2: a stale updateVersioned fails with VersionMismatchError, a retry succeeds'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    store.insert('users', 'user:1', { balance: 0 })
    for (let i = 1; i <= 5; i++) t.is(store.update('users', 'user:1', { balance: i }).version, i)
    const a = store.get('users', 'user:1')
    const b = store.get('users', 'user:1')
    t.is(a?.version, 5)
    t.is(b?.version, 5)
    t.deepEqual(store.updateVersioned('users', 'user:1', { balance: 100 }, 5), {
      id: 'user:1',
      value: { balance: 100 },
      version: 6,
    })
    const error = t.throws(() => store.updateVersioned('users', 'user:1', { balance: 200 }, 5), {
      instanceOf: VersionMismatchError,
      code: 'VERSION_MISMATCH',
    })
    t.is(error?.expected, 5)
    t.is(error?.actual, 6)
    t.deepEqual(store.get('users', 'user:1'), { id: 'user:1', value: { balance: 100 }, version: 6 })
    const latest = store.get('users', 'user:1')
    t.is(latest?.version, 6)
    const retried = store.updateVersioned('users', 'user:1', { balance: 200 }, latest?.version ?? -1)
    t.deepEqual(retried, { id: 'user:1', value: { balance: 200 }, version: 7 })
  })

  test(title('scenario 6: getAll returns every actor of the type once, in a stable order'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const expected: ActorData[] = []
    for (let i = 1; i <= 5; i++) expected.push(store.insert('users', `user:${i}`, { name: `user ${i}`, n: i }))
    store.insert('orders', 'user:6', { total: 1 })
    store.insert('users:', 'user:7', {})
    store.insert('user', 'user:8', {})
    store.update('users', 'user:3', { name: 'changed' })
    expected[2] = { id: 'user:3', value: { name: 'changed' }, version: 1 }
    const all = store.getAll('users')
    t.is(all.length, 5)
    t.is(new Set(all.map((actor) => actor.id)).size, 5)
    t.deepEqual(byId(all), byId(expected))
    t.deepEqual(store.getAll('users'), all, 'a repeated getAll gives the same order')
    t.deepEqual(store.getAll('nobody'), [])
  })

  test(title('versions count updates; delete then re-insert starts again at version 0'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    t.is(store.insert('t', 'a', 0).version, 0)
    for (let i = 1; i <= 10; i++) t.is(store.update('t', 'a', i).version, i)
    t.is(store.updateVersioned('t', 'a', 11, 10).version, 11)
    t.deepEqual(store.delete('t', 'a'), { id: 'a', value: 11, version: 11 })
    t.is(store.delete('t', 'a'), undefined, 'deleting a missing actor returns undefined')
    t.is(store.get('t', 'a'), undefined)
    t.deepEqual(store.insert('t', 'a', 'again'), { id: 'a', value: 'again', version: 0 })
    t.is(store.update('t', 'a', 'next').version, 1)
    t.is(store.updateVersioned('t', 'a', 'cas', 1).version, 2)
    t.deepEqual(store.getAll('t'), [{ id: 'a', value: 'cas', version: 2 }])
  })

  test(title('unusual strings are ordinary actor types and ids'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    for (const [i, key] of ODD_KEYS.entries()) {
      t.deepEqual(store.insert(key, 'id', i), { id: 'id', value: i, version: 0 }, `type ${JSON.stringify(key)}`)
      t.deepEqual(store.insert('odd', key, i), { id: key, value: i, version: 0 }, `id ${JSON.stringify(key)}`)
    }
    for (const [i, key] of ODD_KEYS.entries()) {
      t.deepEqual(store.get(key, 'id'), { id: 'id', value: i, version: 0 }, `type ${JSON.stringify(key)}`)
      t.deepEqual(store.get('odd', key), { id: key, value: i, version: 0 }, `id ${JSON.stringify(key)}`)
      t.deepEqual(store.getAll(key), [{ id: 'id', value: i, version: 0 }], `getAll(${JSON.stringify(key)})`)
    }
    t.deepEqual(byId(store.getAll('odd')), byId(ODD_KEYS.map((key, i) => ({ id: key, value: i, version: 0 }))))
    t.is(store.get('odd', 'valueOf'), undefined)
    t.is(store.get('valueOf', 'id'), undefined)
    t.deepEqual(store.getAll('prototype'), [])
    t.is(Object.getPrototypeOf({}).polluted, undefined)
  })

  test(title('("a:b", "c") and ("a", "b:c") are different actors; getAll never crosses types'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    store.insert('a:b', 'c', 'first')
    store.insert('a', 'b:c', 'second')
    store.insert('a', 'b', 'third')
    store.insert('a:', 'b:c', 'fourth')
    t.deepEqual(store.get('a:b', 'c'), { id: 'c', value: 'first', version: 0 })
    t.deepEqual(store.get('a', 'b:c'), { id: 'b:c', value: 'second', version: 0 })
    t.is(store.get('a', 'c'), undefined)
    t.is(store.get('a:b:c', 'c'), undefined)
    t.deepEqual(store.getAll('a:b'), [{ id: 'c', value: 'first', version: 0 }])
    t.deepEqual(byId(store.getAll('a')), [
      { id: 'b', value: 'third', version: 0 },
      { id: 'b:c', value: 'second', version: 0 },
    ])
    t.deepEqual(store.getAll('a:'), [{ id: 'b:c', value: 'fourth', version: 0 }])
    store.delete('a', 'b:c')
    t.deepEqual(store.get('a:b', 'c'), { id: 'c', value: 'first', version: 0 })
    t.deepEqual(store.get('a:', 'b:c'), { id: 'b:c', value: 'fourth', version: 0 })
  })

  test(title(`keys of exactly ${MAX_KEY_BYTES} UTF-8 bytes are accepted, one byte more is not`), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const fits = ['k'.repeat(MAX_KEY_BYTES), 'ж'.repeat(MAX_KEY_BYTES / 2), `x${'€'.repeat((MAX_KEY_BYTES - 1) / 3)}`]
    const tooLong = [
      'k'.repeat(MAX_KEY_BYTES + 1),
      `x${'ж'.repeat(MAX_KEY_BYTES / 2)}`,
      '🙂'.repeat(MAX_KEY_BYTES / 4 + 1),
    ]
    for (const key of fits) {
      t.is(Buffer.byteLength(key), MAX_KEY_BYTES)
      t.is(store.insert(key, key, 1).version, 0)
      t.is(store.get(key, key)?.id, key)
    }
    for (const key of tooLong) {
      t.true(Buffer.byteLength(key) > MAX_KEY_BYTES)
      t.throws(() => store.insert(key, 'id', 1), { instanceOf: InvalidKeyError, code: 'INVALID_KEY' })
      t.throws(() => store.insert('type', key, 1), { instanceOf: InvalidKeyError, code: 'INVALID_KEY' })
    }
  })

  test(title('values follow JSON.stringify semantics'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const input = {
      dropped: undefined,
      fn: () => 1,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      negZero: -0,
      date: new Date(0),
      custom: { toJSON: () => ({ replaced: true }) },
      list: [undefined, () => 1, Symbol('s'), Number.NaN, 1],
      nested: { deeper: { keep: 'yes', drop: undefined } },
    }
    const expected = {
      nan: null,
      inf: null,
      negZero: 0,
      date: '1970-01-01T00:00:00.000Z',
      custom: { replaced: true },
      list: [null, null, null, null, 1],
      nested: { deeper: { keep: 'yes' } },
    }
    t.deepEqual(JSON.parse(JSON.stringify(input)), expected, 'the expectation is what JSON does')
    t.deepEqual(store.insert('v', 'a', input as never).value, expected)
    t.deepEqual(store.get('v', 'a')?.value, expected)
    t.deepEqual(store.update('v', 'a', [new Date(1000), Number.NaN] as never).value, ['1970-01-01T00:00:01.000Z', null])
    t.deepEqual(store.get('v', 'a')?.value, ['1970-01-01T00:00:01.000Z', null])
    t.deepEqual(store.updateVersioned('v', 'a', new Date(2000) as never, 1).value, '1970-01-01T00:00:02.000Z')
    t.deepEqual(store.get('v', 'a')?.value, '1970-01-01T00:00:02.000Z')
  })

  test(title('scalars, arrays, strings and numbers round-trip exactly'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const values: JsonValue[] = [
      null,
      true,
      false,
      0,
      1,
      -1,
      0.1,
      0.30000000000000004,
      1e21,
      1.7976931348623157e308,
      5e-324,
      -2.2250738585072014e-308,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      123456789.12345679,
      '',
      'plain',
      'quote " backslash \\ slash / newline \n tab \t nul \u0000 bell \u0007',
      'ключ 🙂 中文 \u2028 \u2029 \uFEFF',
      [],
      [[], {}, [null]],
      {},
      { '': 'empty key', 'a.b': 1, ключ: '🙂', '1': 'numeric key' },
    ]
    for (const [i, value] of values.entries()) {
      const id = `v${i}`
      t.deepEqual(store.insert('scalars', id, value).value, value, `insert ${JSON.stringify(value)}`)
      t.deepEqual(store.get('scalars', id)?.value, value, `get ${JSON.stringify(value)}`)
    }
  })

  test(title('a lone surrogate inside a string value round-trips as JSON.stringify/parse would'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const value = { text: 'a\uD800b', end: '\uDFFF' }
    const expected = JSON.parse(JSON.stringify(value))
    t.deepEqual(store.insert('s', 'x', value).value, expected)
    t.deepEqual(store.get('s', 'x')?.value, expected)
  })

  test(title('object property order is preserved'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const value = { zeta: 1, alpha: { y: 2, b: 3, a: 4 }, mid: [{ z: 1, a: 2 }] }
    store.insert('order', 'x', value)
    const got = store.get('order', 'x')?.value as typeof value
    t.deepEqual(Object.keys(got), ['zeta', 'alpha', 'mid'])
    t.deepEqual(Object.keys(got.alpha), ['y', 'b', 'a'])
    t.deepEqual(Object.keys(got.mid[0]), ['z', 'a'])
    t.is(JSON.stringify(got), JSON.stringify(value))
  })

  test(title('a "__proto__" property in a value is data, not a prototype'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}')
    store.insert('p', 'x', value)
    const got = store.get('p', 'x')?.value as Record<string, unknown>
    t.true(Object.hasOwn(got, '__proto__'))
    t.deepEqual(Object.getOwnPropertyDescriptor(got, '__proto__')?.value, { polluted: true })
    t.is((got as { polluted?: unknown }).polluted, undefined)
    t.is(({} as { polluted?: unknown }).polluted, undefined)
  })

  test(title('returned values are copies: mutating them or the input changes nothing'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const input = { list: [1, 2], inner: { n: 1 } }
    const inserted = store.insert('c', 'x', input)
    input.list.push(3)
    input.inner.n = 99
    ;(inserted.value as typeof input).inner.n = 42
    inserted.version = 7
    const first = store.get('c', 'x')
    if (!first) throw new Error('actor c/x is missing')
    t.deepEqual(first, { id: 'x', value: { list: [1, 2], inner: { n: 1 } }, version: 0 })
    ;(first.value as typeof input).list.length = 0
    const second = store.get('c', 'x')
    t.deepEqual(second?.value, { list: [1, 2], inner: { n: 1 } })
    t.not(first.value, second?.value, 'two gets return distinct objects')
    const all = store.getAll('c')
    ;(all[0].value as typeof input).inner.n = -1
    t.not(store.getAll('c')[0].value, store.getAll('c')[0].value)
    const next = { list: [5], inner: { n: 5 } }
    const updated = store.update('c', 'x', next)
    next.inner.n = 6
    ;(updated.value as typeof input).list.push(6)
    const versioned = store.updateVersioned('c', 'x', next, 1)
    next.inner.n = 7
    ;(versioned.value as typeof input).inner.n = 8
    t.deepEqual(store.get('c', 'x'), { id: 'x', value: { list: [5], inner: { n: 6 } }, version: 2 })
    const deleted = store.delete('c', 'x')
    t.deepEqual(deleted, { id: 'x', value: { list: [5], inner: { n: 6 } }, version: 2 })
  })

  test(title(`a value of exactly ${MAX_VALUE_BYTES} bytes of JSON is accepted`), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const big = 'x'.repeat(MAX_VALUE_BYTES - 2)
    t.is(Buffer.byteLength(JSON.stringify(big)), MAX_VALUE_BYTES)
    t.is(store.insert('big', 'x', big).version, 0)
    const got = store.get('big', 'x')?.value as string
    t.is(got.length, big.length)
    t.true(got === big)
  })
})
