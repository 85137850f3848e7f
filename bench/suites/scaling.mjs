// worker_threads scaling: 1 … availableParallelism workers on one shared named ActorStore, a
// mixed read / CAS workload over many actors; and for contrast the JS variant's best equivalent,
// one owner thread with a JsActorStore serving the same number of client threads over
// MessagePorts. A control (pure JS work, nothing shared) shows how far this machine itself scales
// at the moment. Variants and worker counts alternate within each round; medians are reported.
import { MessageChannel } from 'node:worker_threads'
import { ActorStore } from 'actor-store'
import { step } from '../lib/progress.mjs'
import { median, rotate } from '../lib/stats.mjs'
import { actorIds } from '../lib/values.mjs'
import { BenchWorker, StartGate, startAll, stopAll } from '../lib/workers.mjs'

const PAD = 'x'.repeat(32)

async function runNative(settings, workers, round) {
  const name = `bench-scaling-${process.pid}-${round}-${workers}`
  const store = new ActorStore({ name })
  for (const id of actorIds(settings.actors)) store.insert('actor', id, { n: 0, pad: PAD })
  const gate = new StartGate()
  const pool = Array.from(
    { length: workers },
    (_, index) =>
      new BenchWorker('mixed-native.mjs', {
        name,
        actors: settings.actors,
        readShare: settings.readShare,
        seed: 1 + index * 7919 + round,
        gate: gate.buffer,
        durationMs: settings.durationMs,
      }),
  )
  try {
    await startAll(pool, gate)
    return await Promise.all(pool.map((worker) => worker.message('done')))
  } finally {
    await stopAll(pool)
    store.close()
  }
}

async function runJsOwner(settings, workers, round) {
  const owner = new BenchWorker('js-owner.mjs', { actors: settings.actors })
  await owner.message('ready')
  const gate = new StartGate()
  const pool = Array.from({ length: workers }, (_, index) => {
    const { port1, port2 } = new MessageChannel()
    owner.worker.postMessage({ type: 'port', port: port1 }, [port1])
    return new BenchWorker(
      'js-client.mjs',
      {
        port: port2,
        actors: settings.actors,
        readShare: settings.readShare,
        seed: 1 + index * 7919 + round,
        gate: gate.buffer,
        durationMs: settings.durationMs,
        window: settings.jsWindow,
      },
      [port2],
    )
  })
  try {
    await startAll(pool, gate)
    return await Promise.all(pool.map((worker) => worker.message('done')))
  } finally {
    await stopAll(pool)
    await owner.terminate()
  }
}

async function runControl(settings, workers) {
  const gate = new StartGate()
  const pool = Array.from(
    { length: workers },
    () => new BenchWorker('control-cpu.mjs', { gate: gate.buffer, durationMs: settings.durationMs }),
  )
  try {
    await startAll(pool, gate)
    return await Promise.all(pool.map((worker) => worker.message('done')))
  } finally {
    await stopAll(pool)
  }
}

const VARIANTS = {
  native: { label: 'ActorStore, shared by name', run: runNative },
  'js-owner': { label: 'JsActorStore in an owner thread, clients over postMessage', run: runJsOwner },
  control: { label: 'control: pure JS work, nothing shared (machine capacity)', run: runControl },
}

function summarize(reports) {
  const opsPerSec = reports.reduce((sum, report) => sum + (report.ops * 1000) / report.ms, 0)
  const writes = reports.reduce((sum, report) => sum + report.writes, 0)
  const retries = reports.reduce((sum, report) => sum + report.retries, 0)
  return { opsPerSec, writes, retries }
}

export async function runScaling(config) {
  const settings = config.scaling
  const cases = []
  for (const variant of Object.keys(VARIANTS)) for (const workers of settings.workers) cases.push({ variant, workers })
  const samples = new Map(cases.map((c) => [`${c.variant}/${c.workers}`, []]))
  for (let round = 0; round < settings.rounds; round++) {
    for (const { variant, workers } of rotate(cases, round)) {
      step(`worker scaling: ${variant}, ${workers} worker(s), round ${round + 1}/${settings.rounds}`)
      const reports = await VARIANTS[variant].run(settings, workers, round)
      samples.get(`${variant}/${workers}`).push(summarize(reports))
    }
  }
  const rows = cases.map(({ variant, workers }) => {
    const rounds = samples.get(`${variant}/${workers}`)
    return {
      variant,
      label: VARIANTS[variant].label,
      workers,
      opsPerSec: median(rounds.map((r) => r.opsPerSec)),
      retriesPerWrite: median(rounds.map((r) => (r.writes > 0 ? r.retries / r.writes : 0))),
      rounds: rounds.map((r) => Math.round(r.opsPerSec)),
    }
  })
  return { ...settings, rows }
}
