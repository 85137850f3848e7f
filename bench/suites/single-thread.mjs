// Single thread: insert, get, update, updateVersioned, getAll, delete on every backend of the
// table, for small and ~1 KB values. Each round runs the whole lifecycle on a fresh store per
// backend, backends alternating (the starting one rotates), and the report keeps the median round.
import { singleThreadBackends } from '../backends.mjs'
import { step } from '../lib/progress.mjs'
import { collectGarbage, median, perSecond, randomGenerator, rotate } from '../lib/stats.mjs'
import { actorIds, POOL_MASK, SIZES, valuePool } from '../lib/values.mjs'

export const OPS = ['insert', 'get', 'update', 'updateVersioned', 'getAll', 'delete']

// Loop bodies compiled once per (backend, size) with new Function, so every backend gets call
// sites of its own: a shared loop would turn megamorphic and tax whichever backend runs in it.
const BODIES = {
  insert: 'for (let i = 0; i < n; i++) sink += s.insert(T, ids[i], vals[i & M]).version',
  get: 'for (let i = 0; i < n; i++) sink += s.get(T, ids[i]).version',
  update: 'for (let i = 0; i < n; i++) sink += s.update(T, ids[i], vals[(i + 1) & M]).version',
  updateVersioned: 'for (let i = 0; i < n; i++) sink += s.updateVersioned(T, ids[i], vals[(i + 2) & M], 1).version',
  getAll: 'for (let i = 0; i < n; i++) sink += s.getAll(T).length',
  delete: 'for (let i = 0; i < n; i++) sink += s.delete(T, ids[i]).version',
}

function compileLoops() {
  const loops = {}
  for (const [op, body] of Object.entries(BODIES)) {
    loops[op] = new Function('s', 'T', 'ids', 'vals', 'M', 'n', `let sink = 0; ${body}; return sink`)
  }
  return loops
}

function shuffled(list, seed) {
  const random = randomGenerator(seed)
  const copy = [...list]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

let blackhole = 0

function timeLoop(loop, store, actorType, ids, values, count) {
  collectGarbage()
  const started = performance.now()
  blackhole += loop(store, actorType, ids, values, POOL_MASK, count)
  return performance.now() - started
}

/** One lifecycle on a fresh store; returns ops/s per operation. */
function runLifecycle(backend, loops, size) {
  const store = backend.open()
  const { ids, lookupOrder, values, groupIds } = size
  const count = ids.length
  try {
    for (let i = 0; i < groupIds.length; i++) store.insert('group', groupIds[i], values[i & POOL_MASK])
    store.prepare?.(
      { id: ids[0], value: values[0], version: 2 },
      groupIds.map((id, i) => ({ id, value: values[i & POOL_MASK], version: 0 })),
    )
    const ms = {}
    ms.insert = timeLoop(loops.insert, store, 'actor', ids, values, count)
    ms.get = timeLoop(loops.get, store, 'actor', lookupOrder, values, count)
    ms.update = timeLoop(loops.update, store, 'actor', ids, values, count)
    ms.updateVersioned = timeLoop(loops.updateVersioned, store, 'actor', lookupOrder, values, count)
    ms.getAll = timeLoop(loops.getAll, store, 'group', ids, values, size.getAllCalls)
    ms.delete = timeLoop(loops.delete, store, 'actor', lookupOrder, values, count)
    const rates = {}
    for (const op of OPS) rates[op] = perSecond(op === 'getAll' ? size.getAllCalls : count, ms[op])
    return rates
  } finally {
    store.close()
  }
}

export function runSingleThread(config) {
  const settings = config.singleThread
  const backends = singleThreadBackends()
  const live = backends.filter((backend) => backend.pending === undefined)
  const results = []
  for (const sizeName of Object.keys(SIZES)) {
    const ids = actorIds(settings.ops[sizeName])
    const size = {
      ids,
      lookupOrder: shuffled(ids, 7),
      values: valuePool(sizeName),
      groupIds: actorIds(settings.groupSize, 'member:'),
      getAllCalls: settings.getAllCalls[sizeName],
    }
    const loops = new Map(live.map((backend) => [backend.id, compileLoops()]))
    const samples = new Map(live.map((backend) => [backend.id, Object.fromEntries(OPS.map((op) => [op, []]))]))
    const totalRounds = settings.warmupRounds + settings.rounds
    for (let round = 0; round < totalRounds; round++) {
      const warmup = round < settings.warmupRounds
      step(
        `single thread, ${SIZES[sizeName].label}: ${warmup ? 'warm-up' : 'round'} ${warmup ? round + 1 : round - settings.warmupRounds + 1}/${warmup ? settings.warmupRounds : settings.rounds}`,
      )
      for (const backend of rotate(live, round)) {
        const rates = runLifecycle(backend, loops.get(backend.id), size)
        if (!warmup) for (const op of OPS) samples.get(backend.id)[op].push(rates[op])
      }
    }
    for (const backend of backends) {
      for (const op of OPS) {
        const rounds = samples.get(backend.id)?.[op] ?? []
        results.push({
          size: sizeName,
          backend: backend.id,
          label: backend.label,
          short: backend.short,
          op,
          opsPerSec: rounds.length > 0 ? median(rounds) : null,
          rounds: rounds.map(Math.round),
          pending: backend.pending,
          unit: op === 'getAll' ? `getAll calls/s (${settings.groupSize} actors each)` : 'ops/s',
        })
      }
    }
  }
  if (blackhole === Number.MIN_VALUE) step('unreachable')
  return { opsPerRound: settings.ops, groupSize: settings.groupSize, rounds: settings.rounds, results }
}
