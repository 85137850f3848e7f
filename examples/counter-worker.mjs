// One worker of the demo: opens the same database (shared within the process) and CAS-increments.
import { parentPort, workerData } from 'node:worker_threads'
import { ActorStore, VersionMismatchError } from 'actor-store'

const store = ActorStore.open(workerData.path)
let retries = 0
for (let done = 0; done < workerData.increments; ) {
  const current = store.get('counters', 'hits')
  try {
    store.updateVersioned('counters', 'hits', { count: current.value.count + 1 }, current.version)
    done++
  } catch (error) {
    if (!(error instanceof VersionMismatchError)) throw error
    retries++
  }
}
store.close()
parentPort.postMessage(retries)
