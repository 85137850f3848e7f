// `npm start`: a short tour of Actor Store — CRUD, compare-and-swap with retries from several
// worker threads sharing one named store, and a live change subscription.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { ActorStore, VersionMismatchError } from 'actor-store'

const WORKERS = Math.max(2, Math.min(4, availableParallelism()))
const INCREMENTS_PER_WORKER = 2_500

const store = new ActorStore({ name: 'demo' })

console.log('— CRUD')
console.log('insert ', store.insert('users', 'user:1', { name: 'Alice' }))
console.log('update ', store.update('users', 'user:1', { name: 'Alice', age: 30 }))
try {
  store.updateVersioned('users', 'user:1', { name: 'Mallory' }, 0)
} catch (error) {
  if (!(error instanceof VersionMismatchError)) throw error
  console.log(`CAS    rejected a stale write: expected ${error.expected}, actual ${error.actual}`)
}
console.log('delete ', store.delete('users', 'user:1'))
console.log('get    ', store.get('users', 'user:1'))

console.log(`\n— CAS counter from ${WORKERS} worker threads sharing the store, with a live subscription`)
const subscription = store.subscribe({ actorType: 'counters' })
let seen = 0
let lastSequence = -1
const watching = (async () => {
  for await (const event of subscription) {
    if (event.sequence <= lastSequence) throw new Error(`out of order: ${event.sequence} after ${lastSequence}`)
    lastSequence = event.sequence
    seen++
    if (event.newValue?.count === WORKERS * INCREMENTS_PER_WORKER) break
  }
})()

store.insert('counters', 'hits', { count: 0 })
const started = performance.now()
const retries = await Promise.all(
  Array.from({ length: WORKERS }, () => {
    const worker = new Worker(new URL('./counter-worker.mjs', import.meta.url), {
      workerData: { storeName: 'demo', increments: INCREMENTS_PER_WORKER },
    })
    return new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  }),
)
await watching
const elapsed = performance.now() - started
const counter = store.get('counters', 'hits')
console.log(`final  ${JSON.stringify(counter)} after ${retries.reduce((a, b) => a + b, 0)} CAS retries`)
console.log(`stream ${seen} events delivered to the subscriber in sequence order (${elapsed.toFixed(0)} ms)`)
console.log('stats ', store.cdcStats())
store.close()
