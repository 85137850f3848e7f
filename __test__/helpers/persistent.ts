// Persistent stores in tests: temporary directories, opening with teardown, reading the whole
// change log, the mirror check, and child processes that open a store (fixtures/open-probe.mjs).
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ActorStore, type ActorStoreApi, type ChangeEvent, type PersistentOptions } from 'actor-store'
import type { ExecutionContext } from 'ava'
import { makeTempDir, removeTempDir } from './backends'
import { applyToMirror, byId, GUARD_MS, guard, mirrorOfType } from './stream'
import { fixture } from './workers'

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: ExecutionContext, label = 'store'): string {
  const dir = makeTempDir(label)
  t.teardown(() => removeTempDir(dir))
  return dir
}

/** `ActorStore.open(path, options)`, closed when the test ends (close is idempotent). */
export function openStore(t: ExecutionContext, path: string, options?: PersistentOptions): ActorStore {
  const store = ActorStore.open(path, options)
  t.teardown(() => store.close())
  return store
}

/**
 * Every event from `start` up to the sequence before `currentSequence`, read with one guard for
 * the whole read (the log can be long).
 */
export async function readLog(
  store: ActorStoreApi,
  start: 'beginning' | { afterSequence: number } = 'beginning',
  ms = GUARD_MS,
): Promise<ChangeEvent[]> {
  const { currentSequence } = store.cdcStats()
  const first = start === 'beginning' ? 0 : start.afterSequence + 1
  if (currentSequence === 0 || first >= currentSequence) return []
  const sub = store.subscribe({ start })
  const events: ChangeEvent[] = []
  const read = async () => {
    for (;;) {
      const result = await sub.next()
      if (result.done) throw new Error(`the log ended after ${events.length} events`)
      events.push(result.value)
      if (result.value.sequence >= currentSequence - 1) return
    }
  }
  try {
    await guard(read(), `the change log up to sequence ${currentSequence - 1}`, ms)
  } finally {
    sub.close()
  }
  return events
}

/**
 * Replays `events` (from sequence 0) into a mirror and compares it with getAll of every type in
 * `types`. Returns the problems found: gaps, per-actor version order, or a differing type.
 */
export function mirrorProblems(store: ActorStoreApi, events: ChangeEvent[], types: readonly string[]): string[] {
  const problems: string[] = []
  const mirror = new Map()
  for (const [index, event] of events.entries()) {
    if (event.sequence !== index) {
      problems.push(`event #${index} has sequence ${event.sequence}`)
      break
    }
    const problem = applyToMirror(mirror, event)
    if (problem) problems.push(problem)
  }
  const known = new Set(types)
  for (const key of mirror.keys()) {
    const [type] = JSON.parse(key) as string[]
    if (!known.has(type)) problems.push(`the log has actors of type ${JSON.stringify(type)} not checked`)
  }
  for (const type of types) {
    const actual = byId(store.getAll(type))
    const expected = mirrorOfType(mirror, type)
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`type ${JSON.stringify(type)}: getAll ${JSON.stringify(actual)} ≠ log ${JSON.stringify(expected)}`)
    }
  }
  return problems
}

/** Every file under `dir` (relative path → mode, size, mtime and content hash), to prove nothing changed. */
export function treeOf(dir: string, ignore: (name: string) => boolean = () => false): Record<string, string> {
  const tree: Record<string, string> = {}
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name)
      if (ignore(entry.name)) continue
      const stat = statSync(join(dir, path))
      const meta = `${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`
      if (entry.isDirectory()) {
        tree[`${path}/`] = meta
        walk(path)
      } else {
        tree[path] = `${meta} sha256:${createHash('sha256')
          .update(readFileSync(join(dir, path)))
          .digest('hex')}`
      }
    }
  }
  walk('')
  return tree
}

export interface ProbeReport {
  ok: boolean
  name?: string
  code?: string
  actorStoreError?: boolean
  message?: string
  currentSequence?: number
  actors?: Record<string, { id: string; value: unknown; version: number }[]>
  holding?: boolean
  released?: boolean
}

export interface Probe {
  /** The reports printed so far, and a promise of the next one. */
  reports: ProbeReport[]
  next(): Promise<ProbeReport>
  /** Ends the child's stdin (a holding probe then closes its store). */
  release(): void
  /** Resolves once the child has exited, with its exit code and signal and its stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
  kill(): void
}

export interface ProbeOptions {
  mode?: 'read' | 'write' | 'hold'
  types?: string[]
  /** Run the child as this user and group (only possible as root). */
  uid?: number
  gid?: number
}

/** Starts `node fixtures/open-probe.mjs path options mode types`; killed at the test's end. */
export function startProbe(t: ExecutionContext, path: string, options: unknown, probe: ProbeOptions = {}): Probe {
  const { mode = 'read', types = ['probe'], uid, gid } = probe
  const child = spawn(
    process.execPath,
    [fixture('open-probe.mjs'), path, JSON.stringify(options ?? {}), mode, JSON.stringify(types)],
    { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'], uid, gid },
  )
  const reports: ProbeReport[] = []
  const waiting: ((report: ProbeReport) => void)[] = []
  let buffered = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const report = JSON.parse(buffered.slice(0, end)) as ProbeReport
      buffered = buffered.slice(end + 1)
      const waiter = waiting.shift()
      if (waiter) waiter(report)
      else reports.push(report)
    }
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }))
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const next = () => {
    const ready = reports.shift()
    if (ready) return Promise.resolve(ready)
    const report = new Promise<ProbeReport>((resolve) => waiting.push(resolve))
    const ended = exited.then((result): never => {
      throw new Error(`the probe exited (${result.code ?? result.signal}) without a report; stderr: ${result.stderr}`)
    })
    return guard(Promise.race([report, ended]), `a report from the ${mode} probe`)
  }
  const guardedExit = guard(exited, `the ${mode} probe to exit`)
  guardedExit.catch(() => undefined) // reported to whoever awaits it
  return {
    reports,
    next,
    release: () => child.stdin.end(),
    exited: guardedExit,
    kill: () => child.kill('SIGKILL'),
  }
}

/** Runs a probe to completion: its one report, and the exit, which must be clean. */
export async function probeOnce(
  t: ExecutionContext,
  path: string,
  options: unknown,
  probe: ProbeOptions = {},
): Promise<ProbeReport> {
  const child = startProbe(t, path, options, probe)
  child.release()
  const report = await child.next()
  const { code, signal, stderr } = await child.exited
  t.deepEqual({ code, signal, stderr }, { code: 0, signal: null, stderr: '' }, 'the probe exits cleanly')
  return report
}
