// Input checks shared by every backend, so both reject the same inputs with the same codes.
import { InvalidArgumentError, InvalidKeyError, InvalidValueError, StoreClosedError } from './errors'
import type { PersistentOptions, Snapshot, StoreOptions, SubscriptionOptions } from './types'

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

export const DEFAULT_RETENTION_EVENTS = 1_000_000

export interface NormalizedPersistentOptions {
  replayBufferSize: number
  syncWrites: boolean
  maxEvents: number | null
  maxAgeMs: number | null
}

function optionalLimit(what: string, value: unknown, fallback: number | null): number | null {
  if (value === undefined) return fallback
  if (value === null) return null
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value
  throw new InvalidArgumentError(`${what} must be a positive integer or null`)
}

export function normalizePersistentOptions(path: unknown, options: unknown): NormalizedPersistentOptions {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new InvalidArgumentError('path must be a non-empty string')
  }
  if (options === undefined) options = {}
  if (!isPlainObject(options)) throw new InvalidArgumentError('store options must be a plain object')
  checkKnownKeys('store', options, ['replayBufferSize', 'durability', 'retention'])
  const { replayBufferSize } = normalizeStoreOptions({ replayBufferSize: options.replayBufferSize })
  const { durability = 'process', retention = {} } = options as PersistentOptions
  if (durability !== 'process' && durability !== 'sync') {
    throw new InvalidArgumentError("durability must be 'process' or 'sync'")
  }
  if (!isPlainObject(retention)) throw new InvalidArgumentError('retention must be a plain object')
  checkKnownKeys('retention', retention, ['maxEvents', 'maxAgeMs'])
  return {
    replayBufferSize,
    syncWrites: durability === 'sync',
    maxEvents: optionalLimit('retention.maxEvents', retention.maxEvents, DEFAULT_RETENTION_EVENTS),
    maxAgeMs: optionalLimit('retention.maxAgeMs', retention.maxAgeMs, null),
  }
}

/** Checks a snapshot's shape and contents, so a bad one changes nothing. */
export function checkSnapshot(snapshot: unknown): asserts snapshot is Snapshot {
  const bad = (why: string) => new InvalidArgumentError(`invalid snapshot: ${why}`)
  if (!isPlainObject(snapshot)) throw bad('not an object')
  for (const key of Object.keys(snapshot)) {
    if (!['format', 'sequence', 'actors'].includes(key)) throw bad(`unknown field '${key}'`)
  }
  if (snapshot.format !== 'actor-store-snapshot/1') throw bad("format must be 'actor-store-snapshot/1'")
  const { sequence, actors } = snapshot
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) throw bad('bad sequence')
  if (!Array.isArray(actors)) throw bad('actors must be an array')
  const seen = new Set<string>()
  for (const actor of actors) {
    if (!isPlainObject(actor)) throw bad('every actor must be an object')
    for (const key of Object.keys(actor)) {
      if (!['actorType', 'id', 'value', 'version'].includes(key)) throw bad(`unknown actor field '${key}'`)
    }
    try {
      checkKey('actorType', actor.actorType)
      checkKey('id', actor.id)
      encodeValue(actor.value)
    } catch (error) {
      throw bad(error instanceof Error ? error.message : String(error))
    }
    if (typeof actor.version !== 'number' || !Number.isSafeInteger(actor.version) || actor.version < 0) {
      throw bad(`actor ${JSON.stringify(actor.id)} has a bad version`)
    }
    const key = JSON.stringify([actor.actorType, actor.id])
    if (seen.has(key)) throw bad(`actor ${key} appears twice`)
    seen.add(key)
  }
}

// The checks every store method starts with, in the order every backend shares:
// closed first, then actorType, id, value.
export function checkOpen(closed: boolean): void {
  if (closed) throw new StoreClosedError()
}

export function checkActor(closed: boolean, actorType: unknown, id: unknown): void {
  checkOpen(closed)
  checkKey('actorType', actorType)
  checkKey('id', id)
}

/** The checks of a write; returns the value's JSON text. */
export function checkWrite(closed: boolean, actorType: unknown, id: unknown, value: unknown): string {
  checkActor(closed, actorType, id)
  return encodeValue(value)
}
