// ActorStore: the public API over the Rust core. Inputs are checked here (cheap, and the same
// checks as JsActorStore); values cross the boundary as JSON text and come back through JSON.parse.
import { StoreClosedError } from './errors'
import { changeCommitted, waitEnded, waitStarted } from './loop-guard'
import { type NativeStoreHandle, type NativeSubscriptionHandle, nativeModule } from './native-binding'
import { fromNativeError } from './native-errors'
import { type EventSource, EventStream } from './subscription'
import type {
  ActorData,
  ActorStoreApi,
  CdcStats,
  ChangeEvent,
  JsonValue,
  StoreOptions,
  Subscription,
  SubscriptionOptions,
} from './types'
import {
  checkExpectedVersion,
  checkKey,
  encodeValue,
  normalizeStoreOptions,
  normalizeSubscriptionOptions,
} from './validate'

export class ActorStore implements ActorStoreApi {
  readonly #native: NativeStoreHandle
  #closed = false

  /** An in-memory store; stores with the same `name` share one state across worker threads. */
  constructor(options?: StoreOptions) {
    const { name, replayBufferSize } = normalizeStoreOptions(options)
    const { NativeStore } = nativeModule()
    try {
      this.#native = new NativeStore(name, replayBufferSize)
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  insert<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = this.#checkWrite(actorType, id, value)
    try {
      const version = this.#native.insert(actorType, id, json)
      changeCommitted()
      return { id, value: JSON.parse(json), version }
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  get<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    this.#checkRead(actorType, id)
    let json: string | null
    try {
      json = this.#native.get(actorType, id)
    } catch (error) {
      throw fromNativeError(error)
    }
    return json === null ? undefined : JSON.parse(json)
  }

  update<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T> {
    const json = this.#checkWrite(actorType, id, value)
    try {
      const version = this.#native.update(actorType, id, json)
      changeCommitted()
      return { id, value: JSON.parse(json), version }
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  updateVersioned<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): ActorData<T> {
    const json = this.#checkWrite(actorType, id, value)
    checkExpectedVersion(expectedVersion)
    try {
      const version = this.#native.updateVersioned(actorType, id, json, expectedVersion)
      changeCommitted()
      return { id, value: JSON.parse(json), version }
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  delete<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined {
    this.#checkRead(actorType, id)
    let json: string | null
    try {
      json = this.#native.delete(actorType, id)
    } catch (error) {
      throw fromNativeError(error)
    }
    if (json !== null) changeCommitted()
    return json === null ? undefined : JSON.parse(json)
  }

  getAll<T extends JsonValue = JsonValue>(actorType: string): ActorData<T>[] {
    this.#checkOpen()
    checkKey('actorType', actorType)
    try {
      return JSON.parse(this.#native.getAll(actorType))
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  subscribe<T extends JsonValue = JsonValue>(options?: SubscriptionOptions): Subscription<T> {
    this.#checkOpen()
    const { start, actorType, keyPrefix } = normalizeSubscriptionOptions(options)
    const startValue = start.kind === 'afterSequence' ? start.sequence : start.kind === 'timestamp' ? start.ms : 0
    try {
      return new EventStream(
        new NativeEventSource<T>(this.#native.subscribe(start.kind, startValue, actorType, keyPrefix)),
      )
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  cdcStats(): CdcStats {
    this.#checkOpen()
    try {
      return this.#native.cdcStats()
    } catch (error) {
      throw fromNativeError(error)
    }
  }

  /** Closes this handle and ends its subscriptions; a named store lives on while other handles use it. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreClosedError()
  }

  #checkRead(actorType: string, id: string): void {
    this.#checkOpen()
    checkKey('actorType', actorType)
    checkKey('id', id)
  }

  #checkWrite(actorType: string, id: string, value: unknown): string {
    this.#checkRead(actorType, id)
    return encodeValue(value)
  }
}

class NativeEventSource<T> implements EventSource<T> {
  constructor(private readonly handle: NativeSubscriptionHandle) {}

  poll(max: number): ChangeEvent<T>[] | 'pending' | 'ended' {
    let text: string | null
    try {
      text = this.handle.poll(max)
    } catch (error) {
      throw fromNativeError(error)
    }
    if (text === null) return 'ended'
    return text === '' ? 'pending' : JSON.parse(text)
  }

  waitReady(wake: () => void): void {
    const inFlight = this.handle.waitReady(() => {
      waitEnded()
      wake()
    })
    waitStarted(inFlight)
  }

  close(): void {
    this.handle.close()
  }
}
