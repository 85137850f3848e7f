// Worker: the Redis stream writer, the counterpart of stream-writer.mjs. XADD with the same
// stamped values; 'flat': pipelines of 64 XADDs back to back (one awaited XADD at a time would
// only measure the round trip), 'paced': one awaited XADD, then a `paceMicros` sleep.
import { parentPort, workerData } from 'node:worker_threads'
import Redis from 'ioredis'
import { waitAtGate } from '../lib/workers.mjs'

const { port, key, events, mode, paceMicros, gate } = workerData
const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
await redis.connect()
const sleeper = new Int32Array(new SharedArrayBuffer(4))
const stamp = (n) => JSON.stringify({ t: performance.timeOrigin + performance.now(), n })

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.timeOrigin + performance.now()
if (mode === 'flat') {
  for (let sent = 0; sent < events; ) {
    const pipeline = redis.pipeline()
    const batch = Math.min(64, events - sent)
    for (let i = 0; i < batch; i++) pipeline.xadd(key, '*', 'v', stamp(sent + i))
    await pipeline.exec()
    sent += batch
  }
} else {
  for (let i = 0; i < events; i++) {
    await redis.xadd(key, '*', 'v', stamp(i))
    Atomics.wait(sleeper, 0, 0, paceMicros / 1000)
  }
}
const ended = performance.timeOrigin + performance.now()
redis.disconnect()
parentPort.postMessage({ type: 'done', started, ended })
