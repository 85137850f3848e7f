// Worker: `clients` concurrent async clients CAS-incrementing one counter (spec scenario 7).
// gap 'read-write': each client reads, yields (await: the other clients run — the gap a real
// service has between reading and writing, and the worst case), then tries updateVersioned and
// retries on VersionMismatchError. gap 'between': read and CAS back to back, yield after each
// increment (conflicts then come only from other threads).
// backend 'native': the shared named ActorStore; 'js': a JsActorStore private to this thread.
import { parentPort, workerData } from 'node:worker_threads'
import { ActorStore, JsActorStore, VersionMismatchError } from 'actor-store'
import { waitAtGate } from '../lib/workers.mjs'

const { backend, name, clients, gate, durationMs, gap } = workerData
const yieldBeforeWrite = gap === 'read-write'
const store = backend === 'native' ? new ActorStore({ name }) : new JsActorStore()
if (backend === 'js') store.insert('counters', 'counter', { count: 0 })

let increments = 0
let retries = 0

async function client(deadline) {
  while (performance.now() < deadline) {
    for (;;) {
      const current = store.get('counters', 'counter')
      if (yieldBeforeWrite) await null
      try {
        store.updateVersioned('counters', 'counter', { count: current.value.count + 1 }, current.version)
        increments++
        if (!yieldBeforeWrite) await null
        break
      } catch (error) {
        if (!(error instanceof VersionMismatchError)) throw error
        retries++
      }
    }
  }
}

parentPort.postMessage({ type: 'ready' })
waitAtGate(gate)
const started = performance.now()
await Promise.all(Array.from({ length: clients }, () => client(started + durationMs)))
const ms = performance.now() - started
const final = store.get('counters', 'counter').value.count
store.close()
parentPort.postMessage({ type: 'done', increments, retries, ms, final })
