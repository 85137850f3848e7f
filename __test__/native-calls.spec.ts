// The addon's per-operation calls are plain N-API callbacks: called directly (not through the
// TypeScript layer's checks) with bad arguments, each throws an error with the store's code and
// changes nothing; the process never crashes.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import test from 'ava'

interface Raw {
  NativeStore: new (name: string | undefined, replayBufferSize: number) => { fastHandle(): object; close(): void }
  fastSlots(handle: object): Float64Array
  [call: string]: unknown
}

const native = createRequire(join(process.cwd(), 'package.json'))('./native.js') as Raw
type Call = (...args: unknown[]) => unknown
const call = (name: string, ...args: unknown[]) => (native[name] as Call)(...args)

function open() {
  const store = new native.NativeStore(undefined, 1024)
  const handle = store.fastHandle()
  return { store, handle, slots: native.fastSlots(handle) }
}

function codeOf(t: { throws: (fn: () => unknown) => unknown }, fn: () => unknown): unknown {
  const error = t.throws(fn) as { code?: unknown } | undefined
  return error?.code
}

test('the calls work through their plain callbacks', (t) => {
  const { store, handle, slots } = open()
  t.is(call('fastInsert', handle, 't', 'a', '{"n":1}'), 0)
  t.is(call('fastGet', handle, 't', 'a'), '{"n":1}')
  t.is(slots[0], 0)
  t.is(call('fastUpdate', handle, 't', 'a', '[2]'), 1)
  t.is(call('fastUpdateVersioned', handle, 't', 'a', '"ключ 🙂"', 1), 2)
  t.is(call('fastUpdateVersioned', handle, 't', 'a', '4', 1), -1, 'a lost CAS is a value, not a throw')
  t.is(slots[0], 2, 'with the actual version in slot 0')
  t.is(call('fastGet', handle, 't', 'a'), '"ключ 🙂"', 'non-ASCII text comes back whole')
  t.is(call('fastDelete', handle, 't', 'a'), '"ключ 🙂"')
  t.is(call('fastGet', handle, 't', 'a'), null)
  t.is(call('fastDelete', handle, 't', 'a'), null)
  store.close()
})

test('bad arguments throw typed errors and change nothing', (t) => {
  const { store, handle } = open()
  call('fastInsert', handle, 't', 'a', '1')
  const cases: [string, unknown[], string][] = [
    ['fastGet', [{}, 't', 'a'], 'INVALID_ARGUMENT'],
    ['fastGet', [undefined, 't', 'a'], 'INVALID_ARGUMENT'],
    ['fastGet', [handle, 5, 'a'], 'INVALID_KEY'],
    ['fastGet', [handle, 't'], 'INVALID_KEY'],
    ['fastGet', [handle, '', 'a'], 'INVALID_KEY'],
    ['fastGet', [handle, 't', 'x'.repeat(1025)], 'INVALID_KEY'],
    // A value must be a string; its JSON syntax is not scanned again here: these calls take what
    // JSON.stringify returned in lib/ (see crates/actor-store-core/src/value_text.rs).
    ['fastInsert', [handle, 't', 'b', 7], 'INVALID_VALUE'],
    ['fastInsert', [handle, 't', 'b'], 'INVALID_VALUE'],
    ['fastUpdate', [handle, 't', 'a', {}], 'INVALID_VALUE'],
    ['fastUpdateVersioned', [handle, 't', 'a', '2', -1], 'INVALID_ARGUMENT'],
    ['fastUpdateVersioned', [handle, 't', 'a', '2', 'zero'], 'INVALID_ARGUMENT'],
    ['fastUpdateVersioned', [handle, 't', 'a', '2', 0.5], 'INVALID_ARGUMENT'],
    ['fastInsert', [handle, 't', 'a', '2'], 'KEY_ALREADY_EXISTS'],
    ['fastUpdate', [handle, 't', 'missing', '2'], 'NOT_FOUND'],
    ['fastWriteAsync', [handle, 't', 'a', '2', 1, 0, 1], 'INVALID_ARGUMENT'],
    ['fastWriteAsync', [handle, 't', 'a', undefined, 0, 0, 1], 'INVALID_ARGUMENT'],
    ['fastWriteAsync', [handle, 't', 'a', '2', 9, 0, 1], 'INVALID_ARGUMENT'],
  ]
  for (const [name, args, code] of cases) {
    t.is(
      codeOf(t, () => call(name, ...args)),
      code,
      `${name}(${JSON.stringify(args.slice(1))})`,
    )
  }
  t.is(call('fastGet', handle, 't', 'a'), '1', 'the actor is as it was')
  store.close()
  t.is(
    codeOf(t, () => call('fastGet', handle, 't', 'a')),
    'STORE_CLOSED',
  )
  t.is(
    codeOf(t, () => call('fastInsert', handle, 't', 'c', '1')),
    'STORE_CLOSED',
  )
})
