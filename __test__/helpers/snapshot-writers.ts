// Writers that keep changing a store while a test takes snapshots: worker threads for the native
// stores (shared by name or path), an async loop in this thread for JsActorStore.
import type { ActorStoreApi } from 'actor-store'
import type { ExecutionContext } from 'ava'
import type { OpenedStore } from './snapshots'
import { guard } from './stream'
import { FixtureWorker } from './workers'

/** Writes in this thread (a JsActorStore cannot be shared across threads), yielding every 20 changes. */
export function startAsyncWriter(store: ActorStoreApi): () => Promise<number> {
  let stop = false
  const run = async () => {
    for (let op = 0; !stop && op < 40_000; op++) {
      const id = `k${op % 17}`
      if (store.get('even', id) === undefined) store.insert('even', id, op)
      else if (op % 5 === 0) store.delete('even', id)
      else store.update('even', id, { op })
      if (op % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const running = run()
  return async () => {
    stop = true
    await running
    return store.cdcStats().currentSequence
  }
}

/** Four worker threads writing to the same native store until stopped. */
export async function startWorkers(
  t: ExecutionContext,
  { store, target }: OpenedStore,
): Promise<() => Promise<number>> {
  const stop = new SharedArrayBuffer(4)
  const halt = () => Atomics.store(new Int32Array(stop), 0, 1)
  const workers = [0, 1, 2, 3].map(
    (index) => new FixtureWorker('snapshot-writer.mjs', { target, index, stop, maxOperations: 10_000 }),
  )
  t.teardown(async () => {
    halt()
    await Promise.all(workers.map((worker) => worker.worker.terminate()))
  })
  await Promise.all(workers.map((worker) => worker.message('ready')))
  for (const worker of workers) worker.post('go')
  return async () => {
    halt()
    await Promise.all(workers.map((worker) => worker.message('done', 90_000)))
    await Promise.all(workers.map((worker) => guard(worker.exited, 'worker exit')))
    return store.cdcStats().currentSequence
  }
}
