// Worker: the mixed read / CAS workload on the shared named ActorStore, from the gate until the
// deadline. A read is one get; a write is a compare-and-swap increment (get + updateVersioned,
// retried on VersionMismatchError) of a random actor.
import { parentPort, workerData } from 'node:worker_threads'
import { ActorStore, VersionMismatchError } from 'actor-store'
import { waitAtGate } from '../lib/workers.mjs'

const { name, actors, readShare, seed, gate, durationMs } = workerData
const store = new ActorStore({ name })
const ids = Array.from({ length: actors }, (_, i) => `actor:${String(i).padStart(7, '0')}`)
let state = seed
const random = (limit) => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % limit
}
const readPerMille = Math.round(readShare * 1000)

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.now()
const deadline = started + durationMs
let reads = 0
let writes = 0
let retries = 0
let now = started
while (now < deadline) {
  for (let batch = 0; batch < 64; batch++) {
    const id = ids[random(actors)]
    if (random(1000) < readPerMille) {
      reads += store.get('actor', id).version >= 0 ? 1 : 0
      continue
    }
    for (;;) {
      const current = store.get('actor', id)
      try {
        store.updateVersioned('actor', id, { n: current.value.n + 1, pad: current.value.pad }, current.version)
        writes++
        break
      } catch (error) {
        if (!(error instanceof VersionMismatchError)) throw error
        retries++
      }
    }
  }
  now = performance.now()
}
store.close()
parentPort.postMessage({ type: 'done', ops: reads + writes, reads, writes, retries, ms: now - started })
