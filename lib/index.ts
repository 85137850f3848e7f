export {
  ActorStoreError,
  type ErrorCode,
  InvalidArgumentError,
  InvalidKeyError,
  InvalidValueError,
  KeyAlreadyExistsError,
  NotFoundError,
  StorageError,
  StoreClosedError,
  StoreCorruptedError,
  StoreLockedError,
  SubscriptionLaggedError,
  VersionMismatchError,
} from './errors'
export { JsActorStore } from './js-store'
export { ActorStore } from './native-store'
export { loadSnapshot, type SnapshotFileOptions, type SnapshotProgress, saveSnapshot } from './snapshot-file'
export type {
  ActorData,
  ActorStoreApi,
  CdcStats,
  ChangeEvent,
  JsonValue,
  Operation,
  PersistentOptions,
  Snapshot,
  SnapshotActor,
  StartPosition,
  StoreOptions,
  Subscription,
  SubscriptionOptions,
} from './types'
export {
  DEFAULT_REPLAY_BUFFER_SIZE,
  DEFAULT_RETENTION_EVENTS,
  MAX_KEY_BYTES,
  MAX_REPLAY_BUFFER_SIZE,
  MAX_VALUE_BYTES,
} from './validate'
