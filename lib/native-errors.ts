// The addon throws errors whose `code` is the store's error code; this turns them into the
// typed classes. VERSION_MISMATCH and SUBSCRIPTION_LAGGED carry their numbers as JSON details.
import {
  ActorStoreError,
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

export function fromNativeError(error: unknown): Error {
  if (error instanceof ActorStoreError) return error
  if (!(error instanceof Error)) return new ActorStoreError('INTERNAL', `native call failed: ${String(error)}`)
  const { message } = error
  switch ((error as { code?: unknown }).code) {
    case 'KEY_ALREADY_EXISTS':
      return new KeyAlreadyExistsError(message)
    case 'NOT_FOUND':
      return new NotFoundError(message)
    case 'VERSION_MISMATCH': {
      const { expected, actual } = JSON.parse(message) as { expected: number; actual: number }
      return new VersionMismatchError(expected, actual)
    }
    case 'INVALID_KEY':
      return new InvalidKeyError(message)
    case 'INVALID_VALUE':
      return new InvalidValueError(message)
    case 'INVALID_ARGUMENT':
      return new InvalidArgumentError(message)
    case 'SUBSCRIPTION_LAGGED': {
      const { firstAvailable, requested } = JSON.parse(message) as { firstAvailable: number; requested: number }
      return new SubscriptionLaggedError(firstAvailable, requested)
    }
    case 'STORE_CLOSED':
      return new StoreClosedError(message)
    case 'STORE_LOCKED':
      return new StoreLockedError(message)
    case 'STORE_CORRUPTED':
      return new StoreCorruptedError(message)
    case 'STORAGE_ERROR':
      return new StorageError(message)
    default:
      return new ActorStoreError('INTERNAL', message, { cause: error })
  }
}
