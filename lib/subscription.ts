// The async-iteration half of a subscription, shared by every backend: the backend supplies
// batches of events (pull, so the consumer sets the pace) and a way to wait for more.
import type { ChangeEvent, JsonValue, Subscription } from './types'

/** What a backend gives a subscription: a cursor over the change stream. */
export interface EventSource<T = JsonValue> {
  /**
   * Up to `max` events in sequence order; 'pending' when none are available yet; 'ended' when
   * the subscription or its store was closed. Throws SubscriptionLaggedError when the next
   * event is no longer retained.
   */
  poll(max: number): ChangeEvent<T>[] | 'pending' | 'ended'
  /** Calls `wake` once, soon after `poll` may return something new. Must not keep the process alive. */
  waitReady(wake: () => void): void
  close(): void
}

const BATCH_SIZE = 512
/** How many event-loop turns a subscriber keeps looking for events before it waits to be woken. */
const IDLE_POLLS = 4
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined })

export class EventStream<T = JsonValue> implements Subscription<T> {
  readonly #source: EventSource<T>
  #batch: ChangeEvent<T>[] = []
  #index = 0
  #ended = false
  #wake: (() => void) | undefined
  // Concurrent next() calls are served one after another, so each gets the next event.
  #queue: Promise<unknown> = Promise.resolve()
  /** next() calls queued and not yet settled. */
  #waiting = 0
  /** Polls in a row that found nothing since the last batch. */
  #idlePolls = 0

  constructor(source: EventSource<T>) {
    this.#source = source
  }

  next(): Promise<IteratorResult<ChangeEvent<T>>> {
    // Fast path: nothing queued ahead of this call and an event already in hand.
    if (this.#waiting === 0 && this.#index < this.#batch.length) {
      return Promise.resolve({ done: false, value: this.#batch[this.#index++] })
    }
    this.#waiting++
    const result = this.#queue.then(() => this.#pull()).finally(() => this.#waiting--)
    this.#queue = result.catch(() => undefined)
    return result
  }

  close(): void {
    if (this.#ended) return
    this.#end()
    this.#source.close()
    this.#wake?.()
  }

  return(): Promise<IteratorResult<ChangeEvent<T>>> {
    this.close()
    return Promise.resolve(DONE)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async #pull(): Promise<IteratorResult<ChangeEvent<T>>> {
    for (;;) {
      if (this.#index < this.#batch.length) return { done: false, value: this.#batch[this.#index++] }
      if (this.#ended) return DONE
      let polled: ChangeEvent<T>[] | 'pending' | 'ended'
      try {
        polled = this.#source.poll(BATCH_SIZE)
      } catch (error) {
        this.close()
        throw error
      }
      if (polled === 'ended') {
        this.close()
      } else if (polled === 'pending') {
        if (this.#idlePolls < IDLE_POLLS) {
          // Right after a batch, more events usually follow: look again on the next turn of the
          // event loop rather than asking to be woken, which costs the writer a cross-thread
          // wake-up per event when a subscriber keeps up with it.
          this.#idlePolls++
          await new Promise<void>((resolve) => {
            this.#wake = resolve
            setImmediate(resolve)
          })
        } else {
          await new Promise<void>((resolve) => {
            this.#wake = resolve
            this.#source.waitReady(resolve)
          })
        }
        this.#wake = undefined
      } else {
        this.#batch = polled
        this.#index = 0
        this.#idlePolls = 0
      }
    }
  }

  #end(): void {
    this.#ended = true
    this.#batch = []
    this.#index = 0
  }
}
