/** Any value `JSON.stringify` accepts, as it comes back from `JSON.parse`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue }

/** One actor's state. `version` is 0 on insert and +1 on every update. */
export interface ActorData<T = JsonValue> {
  id: string
  value: T
  version: number
}

export type StartPosition =
  /** Every retained event, from the oldest. */
  | 'beginning'
  /** Only events committed after `subscribe()` returns (the default). */
  | 'now'
  /** Resume after a checkpoint: the first event is `afterSequence + 1`. */
  | { afterSequence: number }
  /** The first event whose commit timestamp is at or after this (ms since epoch). */
  | { timestamp: number | Date }

export interface SubscriptionOptions {
  start?: StartPosition
  /** Only events of this actor type. */
  actorType?: string
  /** Only events whose actor id starts with this prefix. */
  keyPrefix?: string
}

export type Operation = 'INSERT' | 'UPDATE' | 'DELETE'

export interface ChangeEvent<T = JsonValue> {
  /** Global, gapless: starts at 0, +1 per committed change. */
  sequence: number
  operation: Operation
  actorType: string
  actorId: string
  /** Absent on INSERT. */
  previousValue?: T
  previousVersion?: number
  /** Absent on DELETE. */
  newValue?: T
  newVersion?: number
  /** Commit time, ms since the Unix epoch; never decreases along the sequence. */
  timestamp: number
}

export interface Subscription<T = JsonValue> extends AsyncIterable<ChangeEvent<T>> {
  next(): Promise<IteratorResult<ChangeEvent<T>>>
  /** Ends the iteration; `break` in `for await` closes too. */
  close(): void
}

export interface CdcStats {
  /** Events committed so far. */
  totalEvents: number
  /** The sequence the next event will get. */
  currentSequence: number
  /** Events held for replay. */
  replayBufferSize: number
  activeSubscriptions: number
  /** Events no longer retained for replay. */
  eventsDropped: number
}

export interface StoreOptions {
  /**
   * Handles opened with the same name share one state: for ActorStore, across every worker thread
   * of the process; for JsActorStore, within one thread.
   */
  name?: string
  /** How many recent change events are held for replay (default 65536). */
  replayBufferSize?: number
}

/** Options of `ActorStore.open(path, options)`. */
export interface PersistentOptions {
  /** Recent change events cached in memory (older ones are read from disk); default 65536. */
  replayBufferSize?: number
  /**
   * 'process' (default): a write that returned survives a crash or `kill -9` of the process.
   * 'sync': the write-ahead log is fsynced before a write returns, so it also survives power loss;
   * concurrent writers share fsyncs (group commit).
   */
  durability?: 'process' | 'sync'
  /** Change-log retention; default `{ maxEvents: 1_000_000 }`. `null` removes a limit. */
  retention?: { maxEvents?: number | null; maxAgeMs?: number | null }
}

/** One actor in a snapshot. */
export interface SnapshotActor<T = JsonValue> {
  actorType: string
  id: string
  value: T
  version: number
}

/** Every actor as of one point of the change stream: it reflects every sequence below `sequence`. */
export interface Snapshot<T = JsonValue> {
  format: 'actor-store-snapshot/1'
  sequence: number
  actors: SnapshotActor<T>[]
}

/** The surface every backend exposes (see API.md). */
export interface ActorStoreApi {
  insert<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T>
  get<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined
  update<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): ActorData<T>
  updateVersioned<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): ActorData<T>
  delete<T extends JsonValue = JsonValue>(actorType: string, id: string): ActorData<T> | undefined
  getAll<T extends JsonValue = JsonValue>(actorType: string): ActorData<T>[]
  /** The writes as promises; a persistent store runs them off the event loop (see README). */
  insertAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>>
  updateAsync<T extends JsonValue = JsonValue>(actorType: string, id: string, value: T): Promise<ActorData<T>>
  updateVersionedAsync<T extends JsonValue = JsonValue>(
    actorType: string,
    id: string,
    value: T,
    expectedVersion: number,
  ): Promise<ActorData<T>>
  deleteAsync<T extends JsonValue = JsonValue>(actorType: string, id: string): Promise<ActorData<T> | undefined>
  subscribe<T extends JsonValue = JsonValue>(options?: SubscriptionOptions): Subscription<T>
  cdcStats(): CdcStats
  /** Every actor at one point of the sequence, taken while writers wait (point-in-time consistent). */
  createSnapshot(): Snapshot
  /**
   * Makes the state exactly the snapshot's (values and versions). Emits a change event for every
   * actor that differs, with new sequences, so a consumer mirroring the stream stays equal.
   */
  restoreSnapshot(snapshot: Snapshot): void
  close(): void
}
