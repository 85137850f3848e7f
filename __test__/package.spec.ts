// The package surface: both module systems give the same exports, plain Node can load it,
// and every backend exposes the same API.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import * as esm from 'actor-store'
import test from 'ava'
import { eachBackend } from './helpers/backends'
import { guard } from './helpers/stream'

const root = process.cwd()
const requireFromRoot = createRequire(join(root, 'package.json'))

const CLASSES = ['ActorStore', 'JsActorStore'] as const
const ERRORS: [string, string][] = [
  ['KeyAlreadyExistsError', 'KEY_ALREADY_EXISTS'],
  ['NotFoundError', 'NOT_FOUND'],
  ['VersionMismatchError', 'VERSION_MISMATCH'],
  ['InvalidKeyError', 'INVALID_KEY'],
  ['InvalidValueError', 'INVALID_VALUE'],
  ['InvalidArgumentError', 'INVALID_ARGUMENT'],
  ['SubscriptionLaggedError', 'SUBSCRIPTION_LAGGED'],
  ['StoreClosedError', 'STORE_CLOSED'],
  ['StoreLockedError', 'STORE_LOCKED'],
  ['StoreCorruptedError', 'STORE_CORRUPTED'],
  ['StorageError', 'STORAGE_ERROR'],
]
const METHODS = ['insert', 'get', 'update', 'updateVersioned', 'delete', 'getAll', 'subscribe', 'cdcStats', 'close']

test('require() and import give the same exports', (t) => {
  const cjs = requireFromRoot('actor-store') as Record<string, unknown>
  const named = Object.keys(esm).filter((key) => key !== 'default')
  t.deepEqual([...named].sort(), Object.keys(cjs).sort())
  for (const key of named) t.is((esm as Record<string, unknown>)[key], cjs[key], key)
  for (const name of [...CLASSES, 'ActorStoreError', ...ERRORS.map(([name]) => name)]) {
    t.is(typeof cjs[name], 'function', `${name} is exported`)
  }
})

test('the limits are exported with their documented values', (t) => {
  t.is(esm.MAX_KEY_BYTES, 1024)
  t.is(esm.MAX_VALUE_BYTES, 16 * 1024 * 1024)
  t.is(esm.MAX_REPLAY_BUFFER_SIZE, 2 ** 24)
  t.is(esm.DEFAULT_REPLAY_BUFFER_SIZE, 65_536)
})

test('every error class extends ActorStoreError, which extends Error', (t) => {
  t.true(esm.ActorStoreError.prototype instanceof Error)
  const exports = esm as unknown as Record<string, { prototype: unknown; name: string }>
  for (const [name] of ERRORS) {
    t.true(exports[name].prototype instanceof esm.ActorStoreError, name)
    t.is(exports[name].name, name)
  }
})

test('the package.json entry points and types exist', (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  t.is(pkg.name, 'actor-store')
  const entry = pkg.exports['.']
  for (const file of [entry.types, entry.import, entry.require, pkg.main, pkg.types]) {
    t.true(existsSync(join(root, file)), `${file} exists`)
  }
})

function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return guard(
    new Promise((resolve, reject) => {
      execFile(process.execPath, args, { cwd: root, env }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`))
        else resolve(stdout)
      })
    }),
    `node ${args.join(' ')}`,
  )
}

const PROBE = `
  const store = new api.JsActorStore()
  store.insert('t', 'a', { ok: true })
  let code
  try { store.insert('t', 'a', 1) } catch (error) { code = error instanceof api.KeyAlreadyExistsError && error.code }
  console.log(JSON.stringify({ value: store.get('t', 'a').value, code, classes: typeof api.ActorStore }))
`
const PROBE_OUTPUT = `${JSON.stringify({ value: { ok: true }, code: 'KEY_ALREADY_EXISTS', classes: 'function' })}\n`

test('plain Node (no TypeScript loader) can require the package', async (t) => {
  t.is(await runNode(['-e', `const api = require('actor-store');${PROBE}`]), PROBE_OUTPUT)
})

test('plain Node (no TypeScript loader) can import the package', async (t) => {
  t.is(await runNode(['--input-type=module', '-e', `import * as api from 'actor-store';${PROBE}`]), PROBE_OUTPUT)
})

test('without a loadable native addon, ActorStore says why and JsActorStore still works', async (t) => {
  const probe = `
    const api = require('actor-store')
    let failure
    try { new api.ActorStore() } catch (error) {
      failure = { typed: error instanceof api.ActorStoreError, code: error.code, says: /could not be loaded/.test(error.message) }
    }
    const store = new api.JsActorStore()
    console.log(JSON.stringify({ failure, js: store.insert('t', 'a', 1) }))
  `
  const env = { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: join(root, 'no-such-dir', 'actor-store.node') }
  t.deepEqual(JSON.parse(await runNode(['-e', probe], env)), {
    failure: { typed: true, code: 'NATIVE_UNAVAILABLE', says: true },
    js: { id: 'a', value: 1, version: 0 },
  })
})

eachBackend(({ create }, title) => {
  test(title('a store has every method of the API'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    for (const method of METHODS) {
      t.is(typeof (store as unknown as Record<string, unknown>)[method], 'function', method)
    }
    const sub = store.subscribe()
    t.is(typeof sub.next, 'function')
    t.is(typeof sub.close, 'function')
    t.is(sub[Symbol.asyncIterator](), sub, 'a subscription is its own async iterator')
    sub.close()
  })

  test(title('errors thrown by the store are instances of the exported classes'), (t) => {
    const store = create()
    t.teardown(() => store.close())
    const cjs = requireFromRoot('actor-store') as typeof esm
    store.insert('t', 'a', 1)
    const error = t.throws(() => store.insert('t', 'a', 1))
    t.true(error instanceof esm.KeyAlreadyExistsError)
    t.true(error instanceof cjs.KeyAlreadyExistsError)
    t.true(error instanceof cjs.ActorStoreError)
    t.is(error?.name, 'KeyAlreadyExistsError')
    t.is(typeof error?.message, 'string')
    t.true((error?.message.length ?? 0) > 0)
  })
})
