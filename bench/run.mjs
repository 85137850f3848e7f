// `npm run bench [-- --quick] [-- --only=single,breakdown,scaling,contention,stream,memory,redis,persistence]`
// Runs the suites in order with a progress line per step on stderr, then writes
// bench/results/latest.json, latest.md and the SVG charts, and the summary into bench/README.md.
// A suite that fails is reported as failed; the others still run and are written.
import { LMDB_DURABILITY } from './backends.mjs'
import { benchConfig } from './config.mjs'
import { describeMachine, loadAverageNow } from './lib/machine.mjs'
import { elapsedSeconds, step } from './lib/progress.mjs'
import { judgeTargets } from './report/targets.mjs'
import { writeReport } from './report/write.mjs'
import { runBreakdown } from './suites/breakdown.mjs'
import { runChangeStream } from './suites/change-stream.mjs'
import { runContention } from './suites/contention.mjs'
import { runMemory } from './suites/memory.mjs'
import { runPersistence } from './suites/persistence.mjs'
import { runRedis } from './suites/redis.mjs'
import { runScaling } from './suites/scaling.mjs'
import { runSingleThread } from './suites/single-thread.mjs'

const SUITES = [
  ['single', 'singleThread', runSingleThread],
  ['breakdown', 'breakdown', runBreakdown],
  ['scaling', 'scaling', runScaling],
  ['contention', 'contention', runContention],
  ['stream', 'changeStream', runChangeStream],
  ['memory', 'memory', runMemory],
  ['redis', 'redis', runRedis],
  ['persistence', 'persistence', runPersistence],
]

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const config = benchConfig(quick)

if (!globalThis.gc)
  step('note: run with node --expose-gc (npm run bench does) so each timed batch starts after a collection')
step(`${config.mode} run: ${(only ?? SUITES.map(([id]) => id)).join(', ')}`)

const results = {
  schema: 1,
  mode: config.mode,
  machine: describeMachine(),
  config,
  peers: { lmdbDurability: LMDB_DURABILITY },
  failures: {},
}

for (const [id, key, run] of SUITES) {
  if (only && !only.includes(id)) continue
  try {
    results[key] = await run(config)
  } catch (error) {
    step(`${id} FAILED: ${error.stack ?? error}`)
    results.failures[id] = String(error.stack ?? error)
  }
}

results.durationSeconds = elapsedSeconds()
results.loadAverageAtEnd = loadAverageNow()
results.targets = judgeTargets(results)

writeReport(results, { partial: only !== undefined })

for (const t of results.targets)
  step(
    `target: ${t.target}: ${t.measured} → ${t.met === null ? (t.pending ? 'not yet measured' : 'not run') : t.met ? 'met' : 'MISSED'}`,
  )
step(`done in ${results.durationSeconds.toFixed(0)} s: bench/results/${only ? 'partial/' : ''}latest.md`)
if (Object.keys(results.failures).length > 0) process.exitCode = 1
