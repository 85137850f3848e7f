// Worker: the scaling control. Pure JavaScript work with nothing shared (JSON round trips of a
// small value), the same gate and deadline as the store workloads: how well this machine scales
// threads at the moment, whatever the store does. Store scaling reads best next to it.
import { parentPort, workerData } from 'node:worker_threads'
import { waitAtGate } from '../lib/workers.mjs'

const { gate, durationMs } = workerData
const value = { name: 'user-10000', age: 20, active: true, tags: ['a', 'b'] }

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.now()
const deadline = started + durationMs
let ops = 0
let now = started
while (now < deadline) {
  for (let batch = 0; batch < 64; batch++) ops += JSON.parse(JSON.stringify(value)).age > 0 ? 1 : 0
  now = performance.now()
}
parentPort.postMessage({ type: 'done', ops, reads: 0, writes: 0, retries: 0, ms: now - started })
