export type ErrorCode =
  | 'KEY_ALREADY_EXISTS'
  | 'NOT_FOUND'
  | 'VERSION_MISMATCH'
  | 'INVALID_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_ARGUMENT'
  | 'SUBSCRIPTION_LAGGED'
  | 'STORE_CLOSED'
  | 'STORE_LOCKED'
  | 'STORE_CORRUPTED'
  | 'STORAGE_ERROR'
  | 'NATIVE_UNAVAILABLE'
  | 'INTERNAL'

/** Every error the store throws is one of these, with a stable `code`. */
export class ActorStoreError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

export class KeyAlreadyExistsError extends ActorStoreError {
  constructor(message: string) {
    super('KEY_ALREADY_EXISTS', message)
  }
}

export class NotFoundError extends ActorStoreError {
  constructor(message: string) {
    super('NOT_FOUND', message)
  }
}

export class VersionMismatchError extends ActorStoreError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    message = `version mismatch: expected ${expected}, actual ${actual}`,
  ) {
    super('VERSION_MISMATCH', message)
  }
}

export class InvalidKeyError extends ActorStoreError {
  constructor(message: string) {
    super('INVALID_KEY', message)
  }
}

export class InvalidValueError extends ActorStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_VALUE', message, options)
  }
}

export class InvalidArgumentError extends ActorStoreError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

export class SubscriptionLaggedError extends ActorStoreError {
  constructor(
    /** The oldest sequence still retained: resubscribe with `{ afterSequence: firstAvailableSequence - 1 }`. */
    readonly firstAvailableSequence: number,
    /** The sequence the subscriber needed next. */
    readonly requestedSequence: number,
    message = `subscriber fell behind: needed sequence ${requestedSequence}, oldest retained is ${firstAvailableSequence}`,
  ) {
    super('SUBSCRIPTION_LAGGED', message)
  }
}

export class StoreClosedError extends ActorStoreError {
  constructor(message = 'the store is closed') {
    super('STORE_CLOSED', message)
  }
}

/** The data directory is in use by another process. */
export class StoreLockedError extends ActorStoreError {
  constructor(message: string) {
    super('STORE_LOCKED', message)
  }
}

/** The data directory is damaged, or holds files that are not an Actor Store (left untouched). */
export class StoreCorruptedError extends ActorStoreError {
  constructor(message: string) {
    super('STORE_CORRUPTED', message)
  }
}

/** The file system refused: the path is a file, permission denied, disk full, … */
export class StorageError extends ActorStoreError {
  constructor(message: string) {
    super('STORAGE_ERROR', message)
  }
}
