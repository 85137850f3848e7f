// Memory holding 1 M actors (small values), ActorStore vs JsActorStore, each filled in a fresh
// child process with --expose-gc and measured after full collections. The native store keeps its
// data outside the V8 heap, so its cost shows in RSS; the JS store's shows in the heap (and RSS).
// What each store holds ("store memory"): for JsActorStore the growth of the V8 heap in use; for
// ActorStore the growth of RSS less the growth of the V8 heap's committed size, which the fill
// loop's own garbage enlarges in either process and which the store does not hold. Everything
// else that grew outside V8 is counted against the native store. Both also hold their
// change-stream replay ring (the last 65,536 events by default).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { step } from '../lib/progress.mjs'

const run = promisify(execFile)
const CHILD = fileURLToPath(new URL('../children/memory-child.mjs', import.meta.url))

async function measure(backend, actors) {
  const { stdout } = await run(process.execPath, ['--expose-gc', CHILD, backend, String(actors)], {
    maxBuffer: 1 << 20,
    timeout: 600_000,
  })
  const report = JSON.parse(stdout.trim().split('\n').at(-1))
  const delta = (key) => report.after[key] - report.before[key]
  return {
    backend,
    actors,
    insertMs: report.insertMs,
    rssDeltaBytes: delta('rss'),
    heapUsedDeltaBytes: delta('heapUsed'),
    heapTotalDeltaBytes: delta('heapTotal'),
    storeBytes: backend === 'native' ? delta('rss') - delta('heapTotal') : delta('heapUsed'),
    externalDeltaBytes: delta('external'),
    rssAfterBytes: report.after.rss,
    heapUsedAfterBytes: report.after.heapUsed,
    replayBufferSize: report.stats.replayBufferSize,
    ok: report.ok,
  }
}

export async function runMemory(config) {
  const { actors } = config.memory
  const rows = []
  for (const backend of ['native', 'js']) {
    step(
      `memory: ${actors.toLocaleString('en')} actors in ${backend === 'native' ? 'ActorStore' : 'JsActorStore'} (child process)`,
    )
    rows.push(await measure(backend, actors))
  }
  return { actors, rows }
}
