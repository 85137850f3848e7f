// Package entry (ES modules): the same objects as the CommonJS entry.
import api from './dist/index.js'

export const {
  ActorStore,
  JsActorStore,
  saveSnapshot,
  loadSnapshot,
  ActorStoreError,
  KeyAlreadyExistsError,
  NotFoundError,
  VersionMismatchError,
  InvalidKeyError,
  InvalidValueError,
  InvalidArgumentError,
  SubscriptionLaggedError,
  StoreClosedError,
  StoreLockedError,
  StoreCorruptedError,
  StorageError,
  DEFAULT_RETENTION_EVENTS,
  DEFAULT_REPLAY_BUFFER_SIZE,
  MAX_KEY_BYTES,
  MAX_REPLAY_BUFFER_SIZE,
  MAX_VALUE_BYTES,
} = api
export default api
