// Worker-thread plumbing for the multi-threaded suites: start a worker, wait for a message of a
// given type, and release every worker of a round at the same instant through a shared flag
// (a postMessage 'go' would reach the workers milliseconds apart and skew short runs).
import { Worker } from 'node:worker_threads'

export class BenchWorker {
  #waiting = new Map()
  #inbox = []

  constructor(file, workerData, transferList = []) {
    this.worker = new Worker(new URL(`../workers/${file}`, import.meta.url), { workerData, transferList })
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve))
    this.worker.on('message', (message) => this.#deliver(message))
    this.worker.on('error', (error) => this.#fail(error))
    this.worker.once('exit', (code) => this.#fail(new Error(`worker ${file} exited with code ${code}`)))
  }

  /** The next message of `type` (buffered if it already came). */
  message(type) {
    const index = this.#inbox.findIndex((message) => message.type === type)
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0])
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => this.#waiting.set(type, { resolve, reject }))
  }

  post(message) {
    this.worker.postMessage(message)
  }

  terminate() {
    this.#waiting.clear()
    return this.worker.terminate()
  }

  #deliver(message) {
    const waiter = this.#waiting.get(message.type)
    if (waiter === undefined) {
      this.#inbox.push(message)
      return
    }
    this.#waiting.delete(message.type)
    waiter.resolve(message)
  }

  #fail(error) {
    this.failure ??= error
    for (const { reject } of this.#waiting.values()) reject(error)
    this.#waiting.clear()
  }
}

/** A start line shared by the workers of one round: they block on it, the main thread drops it. */
export class StartGate {
  constructor() {
    this.buffer = new SharedArrayBuffer(4)
    this.flag = new Int32Array(this.buffer)
  }

  open() {
    Atomics.store(this.flag, 0, 1)
    Atomics.notify(this.flag, 0)
  }
}

/** Inside a worker: block until the gate opens. */
export function waitAtGate(buffer) {
  const flag = new Int32Array(buffer)
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 100)
}

export async function startAll(workers, gate) {
  await Promise.all(workers.map((worker) => worker.message('ready')))
  gate.open()
}

export async function stopAll(workers) {
  await Promise.all(workers.map((worker) => worker.terminate()))
}
