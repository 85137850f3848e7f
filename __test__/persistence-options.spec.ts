// ActorStore.open's arguments: every bad path or option is an InvalidArgumentError that creates
// nothing on disk; every good one opens a store that reopens with the same options.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ActorStore, ActorStoreError, InvalidArgumentError, MAX_REPLAY_BUFFER_SIZE } from 'actor-store'
import test from 'ava'
import { bad, hasBackend } from './helpers/backends'
import { openStore, tempDir } from './helpers/persistent'

const persistentTest = hasBackend('ActorStore.open') ? test : test.skip

const BAD_PATHS: [string, unknown][] = [
  ['an empty string', ''],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an object', { toString: () => '/tmp/x' }],
  ['a URL object', new URL('file:///tmp/actor-store-url')],
  ['a string with a NUL byte', 'a\0b'],
]

const retention = (value: unknown) => ({ retention: value })
const BAD_OPTIONS: [string, unknown][] = [
  ['a string', 'sync'],
  ['a number', 4],
  ['null', null],
  ['an array', []],
  ['a function', () => ({})],
  ['a Map', new Map([['durability', 'sync']])],
  ['an unknown key', { durability: 'sync', fsync: true }],
  ['a name (in-memory stores only)', { name: 'x' }],
  ['replayBufferSize 0', { replayBufferSize: 0 }],
  ['replayBufferSize -1', { replayBufferSize: -1 }],
  ['replayBufferSize 1.5', { replayBufferSize: 1.5 }],
  ['replayBufferSize NaN', { replayBufferSize: Number.NaN }],
  [`replayBufferSize ${MAX_REPLAY_BUFFER_SIZE + 1}`, { replayBufferSize: MAX_REPLAY_BUFFER_SIZE + 1 }],
  ["replayBufferSize '4'", { replayBufferSize: '4' }],
  ['replayBufferSize null', { replayBufferSize: null }],
  ["durability 'fsync'", { durability: 'fsync' }],
  ["durability 'SYNC'", { durability: 'SYNC' }],
  ["durability ''", { durability: '' }],
  ['durability true', { durability: true }],
  ['durability null', { durability: null }],
  ['retention null', retention(null)],
  ['retention 1000', retention(1000)],
  ['retention an array', retention([1000])],
  ['retention with an unknown key', retention({ maxEvents: 10, maxBytes: 10 })],
  ['retention.maxEvents 0', retention({ maxEvents: 0 })],
  ['retention.maxEvents -1', retention({ maxEvents: -1 })],
  ['retention.maxEvents 1.5', retention({ maxEvents: 1.5 })],
  ['retention.maxEvents NaN', retention({ maxEvents: Number.NaN })],
  ['retention.maxEvents Infinity', retention({ maxEvents: Number.POSITIVE_INFINITY })],
  ['retention.maxEvents 2 ** 53', retention({ maxEvents: 2 ** 53 })],
  ["retention.maxEvents '10'", retention({ maxEvents: '10' })],
  ['retention.maxEvents true', retention({ maxEvents: true })],
  ['retention.maxEvents 10n', retention({ maxEvents: 10n })],
  ['retention.maxAgeMs 0', retention({ maxAgeMs: 0 })],
  ['retention.maxAgeMs -1', retention({ maxAgeMs: -1 })],
  ['retention.maxAgeMs 0.5', retention({ maxAgeMs: 0.5 })],
  ['retention.maxAgeMs NaN', retention({ maxAgeMs: Number.NaN })],
  ['retention.maxAgeMs Infinity', retention({ maxAgeMs: Number.POSITIVE_INFINITY })],
  ["retention.maxAgeMs '60000'", retention({ maxAgeMs: '60000' })],
  ['retention.maxAgeMs a Date', retention({ maxAgeMs: new Date(60_000) })],
  ['retention.maxAgeMs false', retention({ maxAgeMs: false })],
]

const GOOD_OPTIONS: unknown[] = [
  undefined,
  {},
  { replayBufferSize: undefined, durability: undefined, retention: undefined },
  { replayBufferSize: 1 },
  { durability: 'process' },
  { durability: 'sync' },
  { retention: {} },
  { retention: { maxEvents: 1 } },
  { retention: { maxEvents: null, maxAgeMs: null } },
  { retention: { maxAgeMs: 1 } },
  { retention: { maxEvents: 10, maxAgeMs: 86_400_000 } },
  { retention: { maxEvents: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER } },
  { replayBufferSize: 4, durability: 'sync', retention: { maxEvents: 100, maxAgeMs: 60_000 } },
]

persistentTest('bad paths → InvalidArgumentError', (t) => {
  for (const [label, path] of BAD_PATHS) {
    const error = t.throws(() => ActorStore.open(bad(path)), { instanceOf: InvalidArgumentError }, label)
    t.is(error?.code, 'INVALID_ARGUMENT', label)
  }
})

persistentTest('bad options → InvalidArgumentError, and nothing is created on disk', (t) => {
  const dir = tempDir(t)
  for (const [index, [label, options]] of BAD_OPTIONS.entries()) {
    const path = join(dir, `store-${index}`)
    const error = t.throws(() => ActorStore.open(path, bad(options)), { instanceOf: InvalidArgumentError }, label)
    t.true(error instanceof ActorStoreError, label)
    t.is(error?.code, 'INVALID_ARGUMENT', label)
    t.false(existsSync(path), `${label}: the directory was not created`)
  }
})

persistentTest('good options open a store, which reopens with the same options', (t) => {
  const dir = tempDir(t)
  for (const [index, options] of GOOD_OPTIONS.entries()) {
    const label = JSON.stringify(options) ?? 'undefined'
    const path = join(dir, `store-${index}`)
    const store = openStore(t, path, bad(options))
    t.is(store.insert('t', 'a', index).version, 0, label)
    store.close()
    const again = openStore(t, path, bad(options))
    t.deepEqual(again.get('t', 'a'), { id: 'a', value: index, version: 0 }, label)
    t.is(again.cdcStats().currentSequence, 1, label)
    again.close()
  }
})

persistentTest('a path whose parents do not exist yet is created', (t) => {
  const path = join(tempDir(t), 'one', 'two', 'three')
  const store = openStore(t, path)
  store.insert('t', 'a', 1)
  store.close()
  t.true(existsSync(path))
  t.deepEqual(openStore(t, path).get('t', 'a'), { id: 'a', value: 1, version: 0 })
})
