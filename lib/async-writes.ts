// The promise side of a native handle's async writes. Each write gets a ticket; the core applies
// queued writes in order on its commit thread, makes each group durable with one sync, and answers
// a whole group in one JSON string. While answers are owed, a timer keeps the event loop alive
// (the native callback is weak, so an idle store never holds the process open).
import type { FastCalls, FastHandle, NativeStoreHandle } from './native-binding'
import { fromNativeError } from './native-errors'

export type WriteKind = 'insert' | 'update' | 'updateVersioned' | 'delete'

const KIND_CODE: Record<WriteKind, number> = { insert: 0, update: 1, updateVersioned: 2, delete: 3 }

/** What a write resolves to: the new version, or for a delete the last state (null if absent). */
export type WriteAnswer = number | { value: unknown; version: number } | null

type Outcome = [ticket: number, answer: WriteAnswer] | [ticket: number, code: string, message: string]

interface Pending {
  resolve(answer: WriteAnswer): void
  reject(error: Error): void
}

const KEEP_ALIVE_MS = 2 ** 30

export class AsyncWrites {
  readonly #calls: FastCalls
  readonly #handle: FastHandle
  readonly #pending = new Map<number, Pending>()
  #nextTicket = 0
  #keepAlive: NodeJS.Timeout | undefined

  constructor(native: NativeStoreHandle, calls: FastCalls, handle: FastHandle) {
    this.#calls = calls
    this.#handle = handle
    native.listenWrites((outcomes) => this.#settle(outcomes))
  }

  submit(kind: WriteKind, actorType: string, id: string, json?: string, expectedVersion = 0): Promise<WriteAnswer> {
    const ticket = this.#nextTicket++
    try {
      this.#calls.fastWriteAsync(this.#handle, KIND_CODE[kind], actorType, id, json, expectedVersion, ticket)
    } catch (error) {
      return Promise.reject(fromNativeError(error))
    }
    this.#keepAlive ??= setInterval(() => {}, KEEP_ALIVE_MS)
    return new Promise((resolve, reject) => this.#pending.set(ticket, { resolve, reject }))
  }

  #settle(outcomesJson: string): void {
    for (const outcome of JSON.parse(outcomesJson) as Outcome[]) {
      const pending = this.#pending.get(outcome[0])
      if (pending === undefined) continue
      this.#pending.delete(outcome[0])
      if (outcome.length === 3) {
        pending.reject(fromNativeError(Object.assign(new Error(outcome[2]), { code: outcome[1] })))
      } else {
        pending.resolve(outcome[1])
      }
    }
    if (this.#pending.size === 0 && this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive)
      this.#keepAlive = undefined
    }
  }
}
