// `npm start`: a short tour of Actor Store on a persistent store in ./data (or $ACTOR_STORE_DATA).
// Run it twice: the second run recovers everything the first one wrote.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import { ActorStore, VersionMismatchError } from 'actor-store'

const DATA = resolve(process.env.ACTOR_STORE_DATA ?? './data')
const WORKERS = Math.max(2, Math.min(4, availableParallelism()))
const INCREMENTS_PER_WORKER = 2_500

const store = ActorStore.open(DATA)
const runs = store.get('demo', 'runs')
const run = (runs?.value.count ?? 0) + 1
if (runs === undefined) {
  console.log(`— new store in ${DATA}`)
  store.insert('demo', 'runs', { count: run })
} else {
  const counter = store.get('counters', 'hits')
  console.log(`— recovered ${DATA}: run #${run}`)
  console.log(`  counter at ${counter?.value.count} (version ${counter?.version}),`, store.cdcStats())
  store.updateVersioned('demo', 'runs', { count: run }, runs.version)
}

console.log('\n— CRUD')
const id = `user:${run}`
console.log('insert ', store.insert('users', id, { name: 'Alice' }))
console.log('update ', store.update('users', id, { name: 'Alice', age: 30 }))
try {
  store.updateVersioned('users', id, { name: 'Mallory' }, 0)
} catch (error) {
  if (!(error instanceof VersionMismatchError)) throw error
  console.log(`CAS    rejected a stale write: expected ${error.expected}, actual ${error.actual}`)
}
console.log('delete ', store.delete('users', id))
console.log('get    ', store.get('users', id))

console.log(`\n— CAS counter from ${WORKERS} worker threads sharing the open database, with a live subscription`)
const start = store.get('counters', 'hits') ?? store.insert('counters', 'hits', { count: 0 })
const target = start.value.count + WORKERS * INCREMENTS_PER_WORKER
const subscription = store.subscribe({ actorType: 'counters' })
let seen = 0
let lastSequence = -1
const watching = (async () => {
  for await (const event of subscription) {
    if (event.sequence <= lastSequence) throw new Error(`out of order: ${event.sequence} after ${lastSequence}`)
    lastSequence = event.sequence
    seen++
    if (event.newValue?.count === target) break
  }
})()

const started = performance.now()
const retries = await Promise.all(
  Array.from({ length: WORKERS }, () => {
    const worker = new Worker(new URL('./counter-worker.mjs', import.meta.url), {
      workerData: { path: DATA, increments: INCREMENTS_PER_WORKER },
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

const snapshot = store.createSnapshot()
console.log(`\n— snapshot of ${snapshot.actors.length} actors at sequence ${snapshot.sequence}`)
console.log('stats ', store.cdcStats())
store.close()
console.log(`\nRun \`npm start\` again to see ${DATA} recovered.`)
