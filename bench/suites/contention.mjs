// Contention (spec scenario 7): 100 concurrent clients CAS-incrementing one counter.
// Native: the clients are async loops spread over every worker thread, all on one named store.
// JsActorStore cannot be shared across threads, so its best case is all 100 loops in one thread.
// Two client shapes: 'read-write' yields between the read and the CAS (every client then races
// on the same version: the worst case, and what a WATCH/MULTI round trip to Redis looks like);
// 'between' yields only between increments (conflicts come from other threads only).
// Reported: successful increments per second, retries per increment, and whether the counter
// ended exactly at the number of successful increments (a sanity check, not a timing assertion).
import os from 'node:os'
import { ActorStore } from 'actor-store'
import { step } from '../lib/progress.mjs'
import { median, rotate } from '../lib/stats.mjs'
import { BenchWorker, StartGate, startAll, stopAll } from '../lib/workers.mjs'

async function runOnce(backend, gap, settings, round) {
  const threads = backend === 'native' ? os.availableParallelism() : 1
  const name = `bench-contention-${process.pid}-${round}`
  const store = backend === 'native' ? new ActorStore({ name }) : undefined
  store?.insert('counters', 'counter', { count: 0 })
  const gate = new StartGate()
  const pool = Array.from({ length: threads }, (_, index) => {
    const clients = Math.floor(settings.clients / threads) + (index < settings.clients % threads ? 1 : 0)
    return new BenchWorker('cas-contention.mjs', {
      backend,
      name,
      clients,
      gap,
      gate: gate.buffer,
      durationMs: settings.durationMs,
    })
  })
  try {
    await startAll(pool, gate)
    const reports = await Promise.all(pool.map((worker) => worker.message('done')))
    const increments = reports.reduce((sum, r) => sum + r.increments, 0)
    const retries = reports.reduce((sum, r) => sum + r.retries, 0)
    const final = store ? store.get('counters', 'counter').value.count : reports[0].final
    return {
      threads,
      incrementsPerSec: reports.reduce((sum, r) => sum + (r.increments * 1000) / r.ms, 0),
      retriesPerIncrement: increments > 0 ? retries / increments : Number.NaN,
      exact: final === increments,
    }
  } finally {
    await stopAll(pool)
    store?.close()
  }
}

const GAPS = ['read-write', 'between']

const LABELS = {
  native: 'ActorStore, 100 async clients over all worker threads',
  js: 'JsActorStore, 100 async clients in one thread',
}

export async function runContention(config) {
  const settings = config.contention
  const cases = []
  for (const gap of GAPS) for (const backend of Object.keys(LABELS)) cases.push({ backend, gap })
  const samples = new Map(cases.map((c) => [`${c.backend}/${c.gap}`, []]))
  for (let round = 0; round < settings.rounds; round++) {
    for (const { backend, gap } of rotate(cases, round)) {
      step(
        `contention (${settings.clients} clients, one counter, yield ${gap}): ${backend}, round ${round + 1}/${settings.rounds}`,
      )
      samples.get(`${backend}/${gap}`).push(await runOnce(backend, gap, settings, round))
    }
  }
  return {
    clients: settings.clients,
    durationMs: settings.durationMs,
    rows: cases.map(({ backend, gap }) => {
      const rounds = samples.get(`${backend}/${gap}`)
      return {
        backend,
        gap,
        label: LABELS[backend],
        threads: rounds[0].threads,
        incrementsPerSec: median(rounds.map((r) => r.incrementsPerSec)),
        retriesPerIncrement: median(rounds.map((r) => r.retriesPerIncrement)),
        exact: rounds.every((r) => r.exact),
        rounds: rounds.map((r) => Math.round(r.incrementsPerSec)),
      }
    }),
  }
}
