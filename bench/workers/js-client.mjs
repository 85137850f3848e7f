// Worker: a client of the JsActorStore owner thread running the same mixed read / CAS workload
// as mixed-native.mjs, with `window` requests in flight (async loops), so it is limited by the
// owner and by postMessage rather than by waiting on each round trip.
import { parentPort, workerData } from 'node:worker_threads'
import { waitAtGate } from '../lib/workers.mjs'

const { port, actors, readShare, seed, gate, durationMs, window } = workerData
const ids = Array.from({ length: actors }, (_, i) => `actor:${String(i).padStart(7, '0')}`)
let state = seed
const random = (limit) => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % limit
}
const readPerMille = Math.round(readShare * 1000)
const pending = new Map()
let nextRequest = 0
port.on('message', (reply) => {
  const resolve = pending.get(reply[0])
  pending.delete(reply[0])
  resolve(reply)
})

function request(op, id, value, expected) {
  const requestId = nextRequest++
  return new Promise((resolve) => {
    pending.set(requestId, resolve)
    port.postMessage(op === 'get' ? [requestId, op, id] : [requestId, op, id, value, expected])
  })
}

let reads = 0
let writes = 0
let retries = 0
let last = 0

async function loop(deadline) {
  while (performance.now() < deadline) {
    const id = ids[random(actors)]
    if (random(1000) < readPerMille) {
      await request('get', id)
      reads++
    } else {
      for (;;) {
        const [, value, version] = await request('get', id)
        const [, ok] = await request('cas', id, { n: value.n + 1, pad: value.pad }, version)
        if (ok) break
        retries++
      }
      writes++
    }
    last = performance.now()
  }
}

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.now()
await Promise.all(Array.from({ length: window }, () => loop(started + durationMs)))
port.close()
parentPort.postMessage({ type: 'done', ops: reads + writes, reads, writes, retries, ms: last - started })
