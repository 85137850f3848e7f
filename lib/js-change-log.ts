// The change stream of a JsActorStore: a fixed-size ring of committed events and the subscription
// cursors that read it. An event is kept as its parts (the value JSON texts are the same strings the
// actor records hold, so retaining them costs no copy) and built afresh, values through JSON.parse,
// on every delivery, so every subscriber gets its own copy.
import { InvalidArgumentError, SubscriptionLaggedError } from './errors'
import type { EventSource } from './subscription'
import type { ChangeEvent, JsonValue, Operation } from './types'
import type { NormalizedSubscription } from './validate'

/** Retained events plus the counters behind `cdcStats()`; shared by every handle of one store. */
export class ChangeLog {
  /** The sequence the next event will get (= events committed so far). */
  next = 0
  /** Events currently retained: sequences `next - count` to `next - 1`. */
  count = 0
  /** Events evicted from the ring so far. */
  eventsDropped = 0
  /** Timestamp of the newest evicted event (meaningful once `eventsDropped > 0`). */
  lastEvictedTimestamp = 0
  /** Open subscriptions on this log, across all handles. */
  activeSubscriptions = 0
  readonly capacity: number

  // The ring, as parallel arrays indexed by `sequence % capacity`. They grow up to `capacity`
  // (slot === length until the ring is first full), then slots are overwritten in place. The
  // previous* fields are '' / -1 on INSERT, the new* fields on DELETE.
  readonly operations: Operation[] = []
  readonly actorTypes: string[] = []
  readonly actorIds: string[] = []
  readonly previousJson: string[] = []
  readonly previousVersions: number[] = []
  readonly newJson: string[] = []
  readonly newVersions: number[] = []
  readonly timestamps: number[] = []

  #lastTimestamp = 0
  /** Cursors parked in `waitReady`, woken (asynchronously) by the next commit or close. */
  #waiting = new Set<LogCursor<JsonValue>>()
  #flushScheduled = false
  readonly #flush = (): void => {
    this.#flushScheduled = false
    const waiting = this.#waiting
    if (waiting.size === 0) return
    this.#waiting = new Set()
    for (const cursor of waiting) cursor.fire()
  }

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** Commits one event: INSERT passes previousJson '' / previousVersion -1, DELETE newJson '' / newVersion -1. */
  append(
    operation: Operation,
    actorType: string,
    actorId: string,
    previousJson: string,
    previousVersion: number,
    newJson: string,
    newVersion: number,
  ): void {
    const sequence = this.next
    let timestamp = Date.now()
    if (timestamp < this.#lastTimestamp) timestamp = this.#lastTimestamp
    else this.#lastTimestamp = timestamp
    const slot = sequence % this.capacity
    if (this.count === this.capacity) {
      this.eventsDropped++
      this.lastEvictedTimestamp = this.timestamps[slot]
    } else {
      this.count++
    }
    this.operations[slot] = operation
    this.actorTypes[slot] = actorType
    this.actorIds[slot] = actorId
    this.previousJson[slot] = previousJson
    this.previousVersions[slot] = previousVersion
    this.newJson[slot] = newJson
    this.newVersions[slot] = newVersion
    this.timestamps[slot] = timestamp
    this.next = sequence + 1
    if (this.#waiting.size !== 0) this.wakeAll()
  }

  /** A fresh event object for a retained sequence; absent fields are omitted, keys in API order. */
  event<T extends JsonValue>(sequence: number): ChangeEvent<T> {
    const slot = sequence % this.capacity
    const operation = this.operations[slot]
    if (operation === 'INSERT') {
      return {
        sequence,
        operation,
        actorType: this.actorTypes[slot],
        actorId: this.actorIds[slot],
        newValue: JSON.parse(this.newJson[slot]),
        newVersion: this.newVersions[slot],
        timestamp: this.timestamps[slot],
      }
    }
    if (operation === 'UPDATE') {
      return {
        sequence,
        operation,
        actorType: this.actorTypes[slot],
        actorId: this.actorIds[slot],
        previousValue: JSON.parse(this.previousJson[slot]),
        previousVersion: this.previousVersions[slot],
        newValue: JSON.parse(this.newJson[slot]),
        newVersion: this.newVersions[slot],
        timestamp: this.timestamps[slot],
      }
    }
    return {
      sequence,
      operation,
      actorType: this.actorTypes[slot],
      actorId: this.actorIds[slot],
      previousValue: JSON.parse(this.previousJson[slot]),
      previousVersion: this.previousVersions[slot],
      timestamp: this.timestamps[slot],
    }
  }

  /** Wakes every parked cursor in a microtask (never synchronously inside a write). */
  wakeAll(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    queueMicrotask(this.#flush)
  }

  park(cursor: LogCursor<JsonValue>): void {
    this.#waiting.add(cursor)
  }

  unpark(cursor: LogCursor<JsonValue>): void {
    this.#waiting.delete(cursor)
  }

  /** A cursor positioned per `options.start`; it adds itself to `owner` (its handle's subscriptions). */
  openCursor<T extends JsonValue>(options: NormalizedSubscription, owner: Set<LogCursor<JsonValue>>): LogCursor<T> {
    const { start } = options
    const next = this.next
    const first = next - this.count
    let position: number
    let minTimestamp = Number.NEGATIVE_INFINITY
    switch (start.kind) {
      case 'now':
        position = next
        break
      case 'beginning':
        position = first
        break
      case 'afterSequence': {
        position = start.sequence + 1
        if (position > next) {
          throw new InvalidArgumentError(
            `afterSequence ${start.sequence} is beyond the last committed sequence ` +
              (next === 0 ? '(no events have been committed)' : `(${next - 1})`),
          )
        }
        if (position < first) throw new SubscriptionLaggedError(first, position)
        break
      }
      case 'timestamp': {
        const ms = start.ms
        if (this.eventsDropped > 0 && ms <= this.lastEvictedTimestamp)
          throw new SubscriptionLaggedError(first, first - 1)
        position = this.#firstAtOrAfter(ms, first, next)
        minTimestamp = ms
        break
      }
    }
    return new LogCursor<T>(this, owner, position, options.actorType, options.keyPrefix, minTimestamp)
  }

  // Timestamps never decrease along the sequence, so the retained ones are sorted.
  #firstAtOrAfter(ms: number, first: number, next: number): number {
    let low = first
    let high = next
    while (low < high) {
      const mid = Math.floor((low + high) / 2)
      if (this.timestamps[mid % this.capacity] >= ms) high = mid
      else low = mid + 1
    }
    return low
  }
}

/** One subscription's position in a ChangeLog, with its filters; the EventSource of an EventStream. */
export class LogCursor<T extends JsonValue> implements EventSource<T> {
  readonly #log: ChangeLog
  readonly #owner: Set<LogCursor<JsonValue>>
  readonly #actorType: string | undefined
  readonly #keyPrefix: string | undefined
  readonly #minTimestamp: number
  #cursor: number
  #closed = false
  #waker: (() => void) | undefined

  constructor(
    log: ChangeLog,
    owner: Set<LogCursor<JsonValue>>,
    cursor: number,
    actorType: string | undefined,
    keyPrefix: string | undefined,
    minTimestamp: number,
  ) {
    this.#log = log
    this.#owner = owner
    this.#cursor = cursor
    this.#actorType = actorType
    this.#keyPrefix = keyPrefix
    this.#minTimestamp = minTimestamp
    log.activeSubscriptions++
    owner.add(this)
  }

  poll(max: number): ChangeEvent<T>[] | 'pending' | 'ended' {
    if (this.#closed) return 'ended'
    const log = this.#log
    const end = log.next
    const first = end - log.count
    let cursor = this.#cursor
    if (cursor < first) {
      this.close()
      throw new SubscriptionLaggedError(first, cursor)
    }
    if (cursor >= end) return 'pending'
    const { capacity, actorTypes, actorIds, timestamps } = log
    const actorType = this.#actorType
    const keyPrefix = this.#keyPrefix
    const minTimestamp = this.#minTimestamp
    let events: ChangeEvent<T>[] | undefined
    while (cursor < end) {
      const sequence = cursor++
      const slot = sequence % capacity
      if (actorType !== undefined && actorTypes[slot] !== actorType) continue
      if (keyPrefix !== undefined && !actorIds[slot].startsWith(keyPrefix)) continue
      if (timestamps[slot] < minTimestamp) continue
      if (events === undefined) events = [log.event<T>(sequence)]
      else events.push(log.event<T>(sequence))
      if (events.length >= max) break
    }
    this.#cursor = cursor
    return events ?? 'pending'
  }

  waitReady(wake: () => void): void {
    if (this.#closed || this.#cursor < this.#log.next) {
      queueMicrotask(wake)
      return
    }
    this.#waker = wake
    this.#log.park(this)
  }

  /** Closed by its consumer (or after throwing lagged): no longer active, never woken again. */
  close(): void {
    if (this.#closed) return
    this.#finish()
    this.#owner.delete(this)
    this.#log.unpark(this)
    this.#waker = undefined
  }

  /**
   * Ended because its store handle closed. The handle clears its own subscription set and then
   * calls `ChangeLog.wakeAll()`, which fires the waker still parked here.
   */
  end(): void {
    if (!this.#closed) this.#finish()
  }

  /** Called by ChangeLog's flush: the waker runs at most once. */
  fire(): void {
    const wake = this.#waker
    this.#waker = undefined
    wake?.()
  }

  #finish(): void {
    this.#closed = true
    this.#log.activeSubscriptions--
  }
}
