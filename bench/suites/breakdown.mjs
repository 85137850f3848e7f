// Where the native store's time goes on the hot paths (small values): the public call next to
// its parts measured on their own in the same rounds — the raw N-API function (no TypeScript
// checks, no JSON.parse), JSON.parse / JSON.stringify of the same text, the key checks, the same
// update on a working set that fits in cache — and the CPU time of the whole process per wall
// second (above 1.0: another thread of the process worked alongside the caller).
import { createRequire } from 'node:module'
import { ActorStore, JsActorStore } from 'actor-store'
import { rawFastCalls, rawNativeStore } from '../backends.mjs'
import { step } from '../lib/progress.mjs'
import { collectGarbage, median, rotate } from '../lib/stats.mjs'
import { actorIds, POOL_MASK, valuePool } from '../lib/values.mjs'

const require = createRequire(import.meta.url)
const { checkKey, encodeValue } = require('../../dist/validate.js')

function failing(call) {
  try {
    call()
    return 0
  } catch {
    return 1
  }
}

// A working set that stays in cache: the same calls on this few actors show what a call costs
// when no lookup waits on memory.
const HOT_ACTORS = 1024
const HOT_MASK = HOT_ACTORS - 1

function components(ids, values) {
  const n = ids.length
  const store = new ActorStore()
  const js = new JsActorStore()
  const { calls, handle, close: closeRaw } = rawFastCalls()
  const method = rawNativeStore()
  for (let i = 0; i < n; i++) {
    store.insert('actor', ids[i], values[i & POOL_MASK])
    js.insert('actor', ids[i], values[i & POOL_MASK])
    calls.fastInsert(handle, 'actor', ids[i], JSON.stringify(values[i & POOL_MASK]))
    method.insert('actor', ids[i], JSON.stringify(values[i & POOL_MASK]))
  }
  for (let i = 0; i < HOT_ACTORS; i++) {
    store.insert('hot', ids[i], values[i & POOL_MASK])
    js.insert('hot', ids[i], values[i & POOL_MASK])
    calls.fastInsert(handle, 'hot', ids[i], JSON.stringify(values[i & POOL_MASK]))
  }
  const valueText = JSON.stringify(values[0])
  const longIds = ids.map((id) => id.padEnd(100, '.'))
  const texts = values.map((value) => JSON.stringify(value))
  let sink = 0
  const list = [
    [
      'get',
      'ActorStore.get (public API, hit)',
      () => {
        for (let i = 0; i < n; i++) sink += store.get('actor', ids[i]).version
      },
    ],
    [
      'get',
      'raw fastGet (hit: N-API + lookup + the JSON text of the value back)',
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastGet(handle, 'actor', ids[i]).length
      },
    ],
    [
      'get',
      'raw NativeStore.get, a class method (hit: the same work, plus napi-rs unwrapping `this`)',
      () => {
        for (let i = 0; i < n; i++) sink += method.get('actor', ids[i]).length
      },
    ],
    [
      'get',
      'JSON.parse of the value text',
      () => {
        for (let i = 0; i < n; i++) sink += JSON.parse(valueText).age
      },
    ],
    [
      'get',
      'checkKey(actorType) + checkKey(id)',
      () => {
        for (let i = 0; i < n; i++) {
          checkKey('actorType', 'actor')
          checkKey('id', ids[i])
        }
      },
    ],
    [
      'get',
      'ActorStore.get (public API, missing key)',
      () => {
        for (let i = 0; i < n; i++) sink += store.get('actor', 'missing') === undefined ? 1 : 0
      },
    ],
    [
      'get',
      'raw fastGet (missing key: the empty native call)',
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastGet(handle, 'actor', 'missing') === null ? 1 : 0
      },
    ],
    [
      'get',
      'raw fastGet (missing key, 100-char id)',
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastGet(handle, 'actor', longIds[i]) === null ? 1 : 0
      },
    ],
    [
      'get',
      'JsActorStore.get (hit)',
      () => {
        for (let i = 0; i < n; i++) sink += js.get('actor', ids[i]).version
      },
    ],
    [
      'update',
      'ActorStore.update (public API)',
      () => {
        for (let i = 0; i < n; i++) sink += store.update('actor', ids[i], values[i & POOL_MASK]).version
      },
    ],
    [
      'update',
      'raw fastUpdate (N-API + commit + change-stream publish)',
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastUpdate(handle, 'actor', ids[i], texts[i & POOL_MASK])
      },
    ],
    [
      'update',
      'encodeValue (JSON.stringify + size check)',
      () => {
        for (let i = 0; i < n; i++) sink += encodeValue(values[i & POOL_MASK]).length
      },
    ],
    [
      'update',
      'JSON.parse of the value text (the returned copy)',
      () => {
        for (let i = 0; i < n; i++) sink += JSON.parse(valueText).age
      },
    ],
    [
      'update',
      'JsActorStore.update',
      () => {
        for (let i = 0; i < n; i++) sink += js.update('actor', ids[i], values[i & POOL_MASK]).version
      },
    ],
    [
      'update, in cache',
      `ActorStore.update, ${HOT_ACTORS} actors`,
      () => {
        for (let i = 0; i < n; i++) sink += store.update('hot', ids[i & HOT_MASK], values[i & POOL_MASK]).version
      },
    ],
    [
      'update, in cache',
      `raw fastUpdate, ${HOT_ACTORS} actors`,
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastUpdate(handle, 'hot', ids[i & HOT_MASK], texts[i & POOL_MASK])
      },
    ],
    [
      'update, in cache',
      `JsActorStore.update, ${HOT_ACTORS} actors`,
      () => {
        for (let i = 0; i < n; i++) sink += js.update('hot', ids[i & HOT_MASK], values[i & POOL_MASK]).version
      },
    ],
    [
      'lost CAS',
      'ActorStore.updateVersioned, stale version (throws VersionMismatchError)',
      () => {
        for (let i = 0; i < n; i++) sink += failing(() => store.updateVersioned('actor', ids[i], values[0], 0))
      },
    ],
    [
      'lost CAS',
      'raw fastUpdateVersioned, stale version (returns -1, no error crosses N-API)',
      () => {
        for (let i = 0; i < n; i++) sink += calls.fastUpdateVersioned(handle, 'actor', ids[i], valueText, 0)
      },
    ],
    [
      'lost CAS',
      'JsActorStore.updateVersioned, stale version (throws VersionMismatchError)',
      () => {
        for (let i = 0; i < n; i++) sink += failing(() => js.updateVersioned('actor', ids[i], values[0], 0))
      },
    ],
  ]
  const close = () => {
    store.close()
    js.close()
    closeRaw()
    method.close()
  }
  return { list, close, sinkRef: () => sink }
}

export function runBreakdown(config) {
  const { rounds, ops } = config.breakdown
  const ids = actorIds(ops)
  const { list, close, sinkRef } = components(ids, valuePool('small'))
  const samples = list.map(() => [])
  const cpu = list.map(() => [])
  try {
    for (let round = 0; round <= rounds; round++) {
      step(`breakdown of the native hot paths: ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`}`)
      for (const index of rotate(
        list.map((_, i) => i),
        round,
      )) {
        collectGarbage()
        const cpuBefore = process.cpuUsage()
        const started = performance.now()
        list[index][2]()
        const ms = performance.now() - started
        const used = process.cpuUsage(cpuBefore)
        if (round === 0) continue
        samples[index].push((ms * 1e6) / ops)
        cpu[index].push((used.user + used.system) / 1000 / ms)
      }
    }
  } finally {
    close()
  }
  if (sinkRef() === Number.MIN_VALUE) step('unreachable')
  return {
    opsPerRound: ops,
    rounds,
    components: list.map(([path, label], i) => ({
      path,
      label,
      nsPerOp: median(samples[i]),
      cpuPerWall: median(cpu[i]),
    })),
  }
}
