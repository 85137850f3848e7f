// Memory holding 1 M actors (small values), ActorStore vs JsActorStore, each filled in a fresh
// child process with --expose-gc and measured after full collections. The native store keeps its
// data outside the V8 heap, so its cost shows in RSS; the JS store's shows in the heap (and RSS).
// Both also hold their change-stream replay ring (the last 65,536 events by default).
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
