// Worker threads and child processes running the plain .mjs fixtures in __test__/fixtures.
// ava runs test files with the project directory as the working directory.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { guard } from './stream'

export const fixture = (name: string) => join(process.cwd(), '__test__', 'fixtures', name)

export interface WorkerMessage {
  type: string
  [key: string]: unknown
}

/** A worker whose messages can be awaited by type; a crash or a non-zero exit fails every wait. */
export class FixtureWorker {
  readonly worker: Worker
  readonly exited: Promise<number>
  #messages: WorkerMessage[] = []
  #waiters: { type: string; resolve: (message: WorkerMessage) => void; reject: (error: unknown) => void }[] = []
  #failure: unknown

  constructor(name: string, workerData: unknown) {
    this.worker = new Worker(fixture(name), { workerData })
    this.worker.on('message', (message: WorkerMessage) => {
      const index = this.#waiters.findIndex((waiter) => waiter.type === message.type)
      if (index === -1) this.#messages.push(message)
      else this.#waiters.splice(index, 1)[0].resolve(message)
    })
    this.exited = new Promise((resolve, reject) => {
      this.worker.on('error', (error) => {
        this.#fail(error)
        reject(error)
      })
      this.worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`worker ${name} exited with code ${code}`))
        else this.#fail(new Error(`worker ${name} exited before sending the awaited message`))
        resolve(code)
      })
    })
    this.exited.catch(() => undefined)
  }

  /** The first message of `type` (already received or still to come). */
  message(type: string, ms?: number): Promise<WorkerMessage> {
    const index = this.#messages.findIndex((message) => message.type === type)
    if (index !== -1) return Promise.resolve(this.#messages.splice(index, 1)[0])
    if (this.#failure) return Promise.reject(this.#failure)
    const waiting = new Promise<WorkerMessage>((resolve, reject) => this.#waiters.push({ type, resolve, reject }))
    return guard(waiting, `message '${type}' from a worker`, ms)
  }

  post(message: unknown): void {
    this.worker.postMessage(message)
  }

  #fail(error: unknown): void {
    this.#failure ??= error
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
  }
}

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  killedByGuard: boolean
}

/** Runs `node <fixture> ...args` as a plain Node process; kills it if it has not exited after `ms`. */
export function runNode(name: string, args: string[], ms = 30_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture(name), ...args], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let killedByGuard = false
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      killedByGuard = true
      child.kill('SIGKILL')
    }, ms)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, killedByGuard })
    })
  })
}
