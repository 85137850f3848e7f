// The promise side of a native handle's async writes. Each write gets a ticket; the core applies
// queued writes in order on its commit thread, makes each group durable with one sync, and answers
// a whole group in one JSON string. Each write is one promise, settled here with the caller's
// result. While answers are owed, a timer keeps the event loop alive (the native callback is weak,
// so an idle store never holds the process open).
import { changeCommitted } from './loop-guard'
import type { FastCalls, FastHandle, NativeStoreHandle } from './native-binding'
import { fromNativeError } from './native-errors'
import { TicketQueue } from './ticket-queue'
import type { ActorData } from './types'

export type WriteKind = 'insert' | 'update' | 'updateVersioned' | 'delete'

const KIND_CODE: Record<WriteKind, number> = { insert: 0, update: 1, updateVersioned: 2, delete: 3 }

/** The core's answer to one write: a new version, or for a delete the last state (null if absent). */
type Answer = number | { value: unknown; version: number } | null

type Outcome = [ticket: number, answer: Answer] | [ticket: number, code: string, message: string]

interface Pending {
  id: string
  /** The written value's JSON (the caller's copy is parsed from it); undefined for a delete. */
  json: string | undefined
  resolve(data: ActorData | undefined): void
  reject(error: Error): void
}

const KEEP_ALIVE_MS = 2 ** 30

export class AsyncWrites {
  readonly #calls: FastCalls
  readonly #handle: FastHandle
  readonly #pending = new TicketQueue<Pending>()
  #nextTicket = 0
  #keepAlive: NodeJS.Timeout | undefined

  constructor(native: NativeStoreHandle, calls: FastCalls, handle: FastHandle) {
    this.#calls = calls
    this.#handle = handle
    native.listenWrites((outcomes) => this.#settle(outcomes))
  }

  /**
   * Queues a write; resolves with what the synchronous call returns (`{ id, value, version }`, or
   * for a delete the last state or undefined) once the write is as durable as the store promises.
   */
  submit(
    kind: WriteKind,
    actorType: string,
    id: string,
    json: string | undefined,
    expectedVersion = 0,
  ): Promise<ActorData | undefined> {
    const ticket = this.#nextTicket++
    try {
      this.#calls.fastWriteAsync(this.#handle, actorType, id, json, KIND_CODE[kind], expectedVersion, ticket)
    } catch (error) {
      return Promise.reject(fromNativeError(error))
    }
    this.#keepAlive ??= setInterval(() => {}, KEEP_ALIVE_MS)
    return new Promise((resolve, reject) => this.#pending.add(ticket, { id, json, resolve, reject }))
  }

  #settle(outcomesJson: string): void {
    let changed = false
    for (const outcome of JSON.parse(outcomesJson) as Outcome[]) {
      const pending = this.#pending.take(outcome[0])
      if (pending === undefined) continue
      if (outcome.length === 3) {
        pending.reject(fromNativeError(Object.assign(new Error(outcome[2]), { code: outcome[1] })))
        continue
      }
      const answer = outcome[1]
      if (answer === null) {
        pending.resolve(undefined)
        continue
      }
      changed = true
      const { id, json } = pending
      if (typeof answer === 'number') {
        pending.resolve({ id, value: JSON.parse(json as string), version: answer })
      } else {
        pending.resolve({ id, value: answer.value as ActorData['value'], version: answer.version })
      }
    }
    if (changed) changeCommitted()
    if (this.#pending.size === 0 && this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive)
      this.#keepAlive = undefined
    }
  }
}
