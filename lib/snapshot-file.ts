// Snapshots on disk, for backup and for moving state between stores (any backend to any backend).
// The file is NDJSON: a header line `{"format","sequence","count"}`, then one actor per line, so a
// snapshot of millions of actors is written and read in chunks, never as one giant string.
import { constants } from 'node:fs'
import { type FileHandle, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InvalidArgumentError, StorageError } from './errors'
import type { Snapshot, SnapshotActor } from './types'
import { checkSnapshot, MAX_KEY_BYTES, MAX_VALUE_BYTES } from './validate'

const FORMAT = 'actor-store-snapshot/1'
/** How many actors pass between two progress reports. */
const PROGRESS_EVERY = 10_000
/** Text gathered before each write (UTF-16 units; about as many bytes for ASCII). */
const WRITE_CHUNK = 1 << 20
const READ_CHUNK = 1 << 20
/** Longest header line read; a longer first line is not a snapshot header (no need to read it all). */
const MAX_HEADER_LINE = 4096
/** Longest actor line: a value at its size limit plus two keys at theirs, each key character escaped in six (a \u escape). */
const MAX_ACTOR_LINE = MAX_VALUE_BYTES + 2 * 6 * MAX_KEY_BYTES + 256

export interface SnapshotProgress {
  phase: 'write' | 'read'
  /** Actors written or read so far. */
  done: number
  /** Actors in the snapshot. */
  total: number
}

export interface SnapshotFileOptions {
  /** Called every 10,000 actors and once at the end (with `done === total`). */
  onProgress?: (progress: SnapshotProgress) => void
}

function progressCallback(options: unknown): ((progress: SnapshotProgress) => void) | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('snapshot file options must be an object')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'onProgress') throw new InvalidArgumentError(`unknown snapshot file option '${key}'`)
  }
  const { onProgress } = options as SnapshotFileOptions
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError('onProgress must be a function')
  }
  return onProgress
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new InvalidArgumentError('path must be a non-empty string')
  }
}

/** An error of the file system (as opposed to one of ours or one thrown by a callback). */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string'
}

function storageError(action: string, path: string, error: unknown): StorageError {
  const reason = error instanceof Error ? error.message : String(error)
  const wrapped = new StorageError(`could not ${action} snapshot file ${JSON.stringify(path)}: ${reason}`)
  Object.defineProperty(wrapped, 'cause', { value: error, configurable: true, writable: true })
  return wrapped
}

/** One actor as a line; keys in the order createSnapshot uses. */
function actorLine({ actorType, id, value, version }: SnapshotActor): string {
  return `{"actorType":${JSON.stringify(actorType)},"id":${JSON.stringify(id)},"value":${JSON.stringify(value)},"version":${version}}\n`
}

/**
 * Writes `snapshot` to `path` atomically: into `path + '.tmp'`, fsynced, then renamed over `path`,
 * so `path` always holds either its old content or the complete new snapshot. The snapshot is
 * checked first (InvalidArgumentError, and no file is touched); do not change it while it is saved.
 */
export async function saveSnapshot(snapshot: Snapshot, path: string, options?: SnapshotFileOptions): Promise<void> {
  checkPath(path)
  const onProgress = progressCallback(options)
  checkSnapshot(snapshot)
  const { sequence, actors } = snapshot
  const total = actors.length
  const temporary = `${path}.tmp`
  let file: FileHandle | undefined
  try {
    file = await open(temporary, 'w')
    let chunk = `${JSON.stringify({ format: FORMAT, sequence, count: total })}\n`
    for (let done = 1; done <= total; done++) {
      chunk += actorLine(actors[done - 1])
      if (chunk.length >= WRITE_CHUNK) {
        await file.writeFile(chunk, 'utf8')
        chunk = ''
      }
      if (done % PROGRESS_EVERY === 0 && done !== total) onProgress?.({ phase: 'write', done, total })
    }
    await file.writeFile(chunk, 'utf8')
    await file.sync()
    await file.close()
    file = undefined
    await rename(temporary, path)
  } catch (error) {
    await file?.close().catch(() => undefined)
    await unlink(temporary).catch(() => undefined)
    throw isSystemError(error) ? storageError('write', path, error) : error
  }
  await syncDirectory(dirname(path))
  onProgress?.({ phase: 'write', done: total, total })
}

// Makes the rename itself durable. Not every platform can open a directory (Windows cannot).
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(directory, constants.O_RDONLY)
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/** The lines of a UTF-8 file, read in chunks; throws if the file is not valid UTF-8 or its last line is unfinished. */
async function* readLines(file: FileHandle, describe: (why: string) => InvalidArgumentError): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const buffer = Buffer.allocUnsafe(READ_CHUNK)
  let pending = ''
  let lines = 0
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, null)
    let text: string
    try {
      text = decoder.decode(buffer.subarray(0, bytesRead), { stream: bytesRead > 0 })
    } catch {
      throw describe('it is not UTF-8 text')
    }
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield pending + text.slice(start, end)
      pending = ''
      start = end + 1
      lines += 1
    }
    pending += text.slice(start)
    if (pending.length > (lines === 0 ? MAX_HEADER_LINE : MAX_ACTOR_LINE)) {
      throw describe(
        lines === 0 ? 'its first line is too long to be a snapshot header' : `line ${lines + 1} is too long`,
      )
    }
    if (bytesRead === 0) break
  }
  if (pending !== '') throw describe('it ends in the middle of a line (truncated?)')
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

const ACTOR_KEYS = ['actorType', 'id', 'value', 'version']

/** One actor line, parsed; the whole snapshot is checked with checkSnapshot once it is read. */
function parseActor(line: string, lineNumber: number, damaged: (why: string) => InvalidArgumentError): SnapshotActor {
  const parsed = parseLine(line)
  if (!isRecord(parsed)) throw damaged(`line ${lineNumber} is not a JSON object`)
  const keys = Object.keys(parsed)
  if (keys.length !== ACTOR_KEYS.length || !ACTOR_KEYS.every((key) => key in parsed)) {
    throw damaged(`line ${lineNumber} is not an actor (it must have exactly ${ACTOR_KEYS.join(', ')})`)
  }
  return parsed as unknown as SnapshotActor
}

/**
 * Reads a snapshot written by {@link saveSnapshot}. A file that is damaged, truncated or not a
 * snapshot throws InvalidArgumentError; one that cannot be read throws StorageError.
 */
export async function loadSnapshot(path: string, options?: SnapshotFileOptions): Promise<Snapshot> {
  checkPath(path)
  const onProgress = progressCallback(options)
  const damaged = (why: string) =>
    new InvalidArgumentError(`${JSON.stringify(path)} is not a valid Actor Store snapshot file: ${why}`)
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (error) {
    throw storageError('open', path, error)
  }
  let snapshot: Snapshot | undefined
  let total = 0
  try {
    let lineNumber = 0
    for await (const line of readLines(file, damaged)) {
      lineNumber += 1
      if (snapshot === undefined) {
        const header = parseLine(line)
        if (!isRecord(header) || header.format !== FORMAT) throw damaged(`line 1 is not a header of format '${FORMAT}'`)
        if (!isCount(header.sequence) || !isCount(header.count)) throw damaged('its header has a bad sequence or count')
        snapshot = { format: FORMAT, sequence: header.sequence, actors: [] }
        total = header.count
        continue
      }
      const { actors } = snapshot
      if (actors.length === total) throw damaged(`it holds more than the ${total} actors its header announces`)
      actors.push(parseActor(line, lineNumber, damaged))
      const done = actors.length
      if (done % PROGRESS_EVERY === 0 && done !== total) onProgress?.({ phase: 'read', done, total })
    }
  } catch (error) {
    throw isSystemError(error) ? storageError('read', path, error) : error
  } finally {
    await file.close().catch(() => undefined)
  }
  if (snapshot === undefined) throw damaged('it is empty')
  if (snapshot.actors.length !== total) {
    throw damaged(`it holds ${snapshot.actors.length} of the ${total} actors its header announces (truncated?)`)
  }
  try {
    checkSnapshot(snapshot)
  } catch (error) {
    throw damaged(error instanceof Error ? error.message.replace(/^invalid snapshot: /, '') : String(error))
  }
  onProgress?.({ phase: 'read', done: total, total })
  return snapshot
}
