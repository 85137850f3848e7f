// Worker: the JS variant's best stand-in for a shared store. One thread owns a JsActorStore and
// serves requests from client threads, each over its own MessagePort (no relay through the main
// thread). Requests are arrays [requestId, op, id, value?, expectedVersion?]; replies
// [requestId, value, version] for 'get' and [requestId, ok, version] for 'cas'.
import { parentPort, workerData } from 'node:worker_threads'
import { JsActorStore, VersionMismatchError } from 'actor-store'

const store = new JsActorStore()
for (let i = 0; i < workerData.actors; i++) {
  store.insert('actor', `actor:${String(i).padStart(7, '0')}`, { n: 0, pad: 'x'.repeat(32) })
}

function serve(port) {
  port.on('message', (request) => {
    const [requestId, op, id] = request
    if (op === 'get') {
      const actor = store.get('actor', id)
      port.postMessage([requestId, actor.value, actor.version])
      return
    }
    try {
      const written = store.updateVersioned('actor', id, request[3], request[4])
      port.postMessage([requestId, true, written.version])
    } catch (error) {
      if (!(error instanceof VersionMismatchError)) throw error
      port.postMessage([requestId, false, error.actual])
    }
  })
}

parentPort.on('message', (message) => {
  if (message.type === 'port') serve(message.port)
  if (message.type === 'close') {
    store.close()
    process.exit(0)
  }
})
parentPort.postMessage({ type: 'ready' })
