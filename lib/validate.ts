// Input checks shared by every backend, so both reject the same inputs with the same codes.
import { InvalidArgumentError, InvalidKeyError, InvalidValueError } from './errors'
import type { StoreOptions, SubscriptionOptions } from './types'

/** Longest actor type or id, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024
/** Largest value, as UTF-8 JSON text. */
export const MAX_VALUE_BYTES = 16 * 1024 * 1024
export const DEFAULT_REPLAY_BUFFER_SIZE = 65_536
export const MAX_REPLAY_BUFFER_SIZE = 1 << 24

// A UTF-8 byte is at most 3 per UTF-16 unit, so short strings skip the byte count.
function utf8Bytes(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text, 'utf8')
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `string of ${value.length} characters`
  return typeof value
}

export function checkKey(what: 'actorType' | 'id', key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new InvalidKeyError(`${what} must be a string, got ${describe(key)}`)
  if (key.length === 0) throw new InvalidKeyError(`${what} must not be empty`)
  if (utf8Bytes(key, MAX_KEY_BYTES) > MAX_KEY_BYTES) {
    throw new InvalidKeyError(`${what} is longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
  }
  // A lone surrogate has no UTF-8 form: two different ids would collide once encoded.
  if (!key.isWellFormed()) throw new InvalidKeyError(`${what} contains a lone UTF-16 surrogate`)
}

/** JSON text of `value` with `JSON.stringify` semantics, or an InvalidValueError. */
export function encodeValue(value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new InvalidValueError(`value is not JSON-serializable: ${reason}`, { cause })
  }
  if (json === undefined) throw new InvalidValueError(`value of type ${typeof value} is not JSON-serializable`)
  if (utf8Bytes(json, MAX_VALUE_BYTES) > MAX_VALUE_BYTES) {
    throw new InvalidValueError(`value is larger than ${MAX_VALUE_BYTES} bytes of JSON`)
  }
  return json
}

export function checkExpectedVersion(expected: unknown): asserts expected is number {
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidArgumentError(`expectedVersion must be a non-negative integer, got ${String(expected)}`)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function checkKnownKeys(what: string, object: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`unknown ${what} option '${key}'`)
  }
}

export interface NormalizedStoreOptions {
  name: string | undefined
  replayBufferSize: number
}

export function normalizeStoreOptions(options: unknown): NormalizedStoreOptions {
  if (options === undefined) return { name: undefined, replayBufferSize: DEFAULT_REPLAY_BUFFER_SIZE }
  if (!isPlainObject(options)) throw new InvalidArgumentError('store options must be a plain object')
  checkKnownKeys('store', options, ['name', 'replayBufferSize'])
  const { name, replayBufferSize = DEFAULT_REPLAY_BUFFER_SIZE } = options as StoreOptions
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length === 0 || !name.isWellFormed()) {
      throw new InvalidArgumentError('name must be a non-empty string')
    }
    if (utf8Bytes(name, MAX_KEY_BYTES) > MAX_KEY_BYTES) {
      throw new InvalidArgumentError(`name is longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
    }
  }
  if (
    typeof replayBufferSize !== 'number' ||
    !Number.isSafeInteger(replayBufferSize) ||
    replayBufferSize < 1 ||
    replayBufferSize > MAX_REPLAY_BUFFER_SIZE
  ) {
    throw new InvalidArgumentError(`replayBufferSize must be an integer from 1 to ${MAX_REPLAY_BUFFER_SIZE}`)
  }
  return { name, replayBufferSize }
}

export type NormalizedStart =
  | { kind: 'beginning' }
  | { kind: 'now' }
  | { kind: 'afterSequence'; sequence: number }
  | { kind: 'timestamp'; ms: number }

export interface NormalizedSubscription {
  start: NormalizedStart
  actorType: string | undefined
  keyPrefix: string | undefined
}

function normalizeStart(start: unknown): NormalizedStart {
  if (start === undefined || start === 'now') return { kind: 'now' }
  if (start === 'beginning') return { kind: 'beginning' }
  if (isPlainObject(start)) {
    const keys = Object.keys(start)
    if (keys.length === 1 && keys[0] === 'afterSequence') {
      const sequence = start.afterSequence
      if (typeof sequence === 'number' && Number.isSafeInteger(sequence) && sequence >= 0) {
        return { kind: 'afterSequence', sequence }
      }
      throw new InvalidArgumentError('afterSequence must be a non-negative integer')
    }
    if (keys.length === 1 && keys[0] === 'timestamp') {
      const raw = start.timestamp
      const ms = raw instanceof Date ? raw.getTime() : raw
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return { kind: 'timestamp', ms: Math.ceil(ms) }
      throw new InvalidArgumentError('timestamp must be a valid Date or a non-negative number of ms since the epoch')
    }
  }
  throw new InvalidArgumentError("start must be 'beginning', 'now', { afterSequence: n } or { timestamp: ms | Date }")
}

function optionalFilter(what: 'actorType' | 'keyPrefix', value: unknown, allowEmpty: boolean): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0) || !value.isWellFormed()) {
    throw new InvalidArgumentError(`${what} must be a ${allowEmpty ? '' : 'non-empty '}string`)
  }
  if (utf8Bytes(value, MAX_KEY_BYTES) > MAX_KEY_BYTES) {
    throw new InvalidArgumentError(`${what} is longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
  }
  return value
}

export function normalizeSubscriptionOptions(options: unknown): NormalizedSubscription {
  if (options === undefined) return { start: { kind: 'now' }, actorType: undefined, keyPrefix: undefined }
  if (!isPlainObject(options)) throw new InvalidArgumentError('subscription options must be a plain object')
  checkKnownKeys('subscription', options, ['start', 'actorType', 'keyPrefix'])
  const { start, actorType, keyPrefix } = options as SubscriptionOptions
  return {
    start: normalizeStart(start),
    actorType: optionalFilter('actorType', actorType, false),
    keyPrefix: optionalFilter('keyPrefix', keyPrefix, true),
  }
}
