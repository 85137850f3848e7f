export {
  ActorStoreError,
  type ErrorCode,
  InvalidArgumentError,
  InvalidKeyError,
  InvalidValueError,
  KeyAlreadyExistsError,
  NotFoundError,
  StoreClosedError,
  SubscriptionLaggedError,
  VersionMismatchError,
} from './errors'
export { JsActorStore } from './js-store'
export { ActorStore } from './native-store'
export type {
  ActorData,
  ActorStoreApi,
  CdcStats,
  ChangeEvent,
  JsonValue,
  Operation,
  StartPosition,
  StoreOptions,
  Subscription,
  SubscriptionOptions,
} from './types'
export { DEFAULT_REPLAY_BUFFER_SIZE, MAX_KEY_BYTES, MAX_REPLAY_BUFFER_SIZE, MAX_VALUE_BYTES } from './validate'
