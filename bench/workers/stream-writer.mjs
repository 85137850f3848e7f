// Worker: the change-stream writer. Updates `actors` actors round-robin on the shared named
// store, stamping each value with the wall-clock time (ms, µs precision) taken just before the
// update call. 'flat': as fast as it can; 'paced': sleeps `paceMicros` between writes
// (Atomics.wait, no spinning), so latency is measured on an idle stream, not behind a queue.
import { parentPort, workerData } from 'node:worker_threads'
import { ActorStore } from 'actor-store'
import { waitAtGate } from '../lib/workers.mjs'

const { name, replayBufferSize, actors, events, mode, paceMicros, gate } = workerData
const store = new ActorStore({ name, replayBufferSize })
const ids = Array.from({ length: actors }, (_, i) => `actor:${String(i).padStart(7, '0')}`)
const sleeper = new Int32Array(new SharedArrayBuffer(4))

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.timeOrigin + performance.now()
for (let i = 0; i < events; i++) {
  store.update('stream', ids[i % actors], { t: performance.timeOrigin + performance.now(), n: i })
  if (mode === 'paced') Atomics.wait(sleeper, 0, 0, paceMicros / 1000)
}
const ended = performance.timeOrigin + performance.now()
store.close()
parentPort.postMessage({ type: 'done', started, ended })
