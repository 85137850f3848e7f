// Crash rounds: run fixtures/crash-writer.mjs on a store directory, kill -9 it at a random moment,
// and collect the writes it acknowledged; then check the reopened store against them.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import type { ActorStore, ChangeEvent } from 'actor-store'
import { mirrorProblems, readLog } from './persistent'
import { guard } from './stream'
import { fixture } from './workers'

export interface Ack {
  w: number
  op: 'I' | 'U' | 'C' | 'D'
  actorType: string
  actorId: string
  version: number
}

export interface Round {
  round: number
  /** The sequence the child's first write takes (its currentSequence after opening). */
  start: number | undefined
  acks: Ack[]
  /** How the child ended: killed by us, or finished every write. */
  killed: boolean
  /** Most writes the child has outstanding at once (1 for synchronous calls). */
  inFlight: number
  stderr: string
  types: string[]
  /** The log's length once this round was verified (set by verifyRounds). */
  logEnd?: number
}

/** A small seeded generator, so a failing run can be repeated with its seed. */
export function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return Math.floor((state / 2 ** 32) * n)
  }
}

/** How many …Async writes the child keeps outstanding. */
const ASYNC_IN_FLIGHT = 16

/**
 * When to kill the child: after that many acknowledged writes, after a delay, or once the store's
 * directory has files (it is being created), after that many more turns of the event loop.
 */
export type KillAt = { afterAcks: number } | { afterMs: number } | { afterFiles: number }

/** Runs one child until `killAt` (then SIGKILL) or until it finishes `maxWrites` writes. */
export function crashRound(
  path: string,
  options: {
    durability: 'default' | 'sync'
    /** The child's calls: the synchronous writes, or the …Async ones with several in flight. */
    writes?: 'sync' | 'async'
    round: number
    seed: number
    maxWrites: number
    killAt: KillAt
  },
): Promise<Round> {
  const { durability, writes = 'sync', round, seed, maxWrites, killAt } = options
  const inFlight = writes === 'async' ? ASYNC_IN_FLIGHT : 1
  const child = spawn(
    process.execPath,
    [
      fixture('crash-writer.mjs'),
      path,
      durability,
      String(round),
      String(seed),
      String(maxWrites),
      writes,
      String(inFlight),
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const result: Round = { round, start: undefined, acks: [], killed: false, inFlight, stderr: '', types: [] }
  let ids: string[] = []
  let buffered = ''
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) {
      result.killed = true
      child.kill('SIGKILL')
    }
  }
  const timer = 'afterMs' in killAt ? setTimeout(kill, killAt.afterMs) : undefined
  if ('afterFiles' in killAt) {
    let turns = killAt.afterFiles
    const poll = () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      if (readdirSync(path).length > 0 && turns-- <= 0) kill()
      else setImmediate(poll)
    }
    poll()
  }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const [first, op, t, i, version] = line.split(' ')
      if (first === 'R') {
        result.start = Number(op)
        ;({ types: result.types, ids } = JSON.parse(t))
      } else if (first !== 'E') {
        const ack = { w: Number(first), op, actorType: result.types[Number(t)], actorId: ids[Number(i)] }
        result.acks.push({ ...ack, version: Number(version) } as Ack)
      }
    }
    if ('afterAcks' in killAt && result.start !== undefined && result.acks.length >= killAt.afterAcks) kill()
  })
  child.stderr.on('data', (chunk) => {
    result.stderr += chunk
  })
  const exited = new Promise<Round>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(result)
    })
  })
  return guard(exited, `crash round ${round}`, 60_000).finally(kill)
}

const OPERATION = { I: 'INSERT', U: 'UPDATE', C: 'UPDATE', D: 'DELETE' } as const
const writeValue = (round: number, w: number) => ({ r: round, w, pad: 'x'.repeat(w % 40) })

/** How `event` differs from what acknowledged write `ack` of `round` committed, or undefined. */
function ackProblem(round: number, ack: Ack, event: ChangeEvent | undefined): string | undefined {
  const where = `round ${round}, acknowledged write ${ack.w} (${ack.op} ${ack.actorType}/${ack.actorId} v${ack.version})`
  if (event === undefined) return `${where}: missing from the change log`
  const expected: Partial<ChangeEvent> = {
    operation: OPERATION[ack.op],
    actorType: ack.actorType,
    actorId: ack.actorId,
    ...(ack.op === 'D'
      ? { previousVersion: ack.version }
      : { newVersion: ack.version, newValue: writeValue(round, ack.w) }),
  }
  for (const [field, value] of Object.entries(expected)) {
    const actual = event[field as keyof ChangeEvent]
    if (JSON.stringify(actual) !== JSON.stringify(value)) {
      return `${where}: sequence ${event.sequence} has ${field} ${JSON.stringify(actual)}, not ${JSON.stringify(value)}`
    }
  }
  return undefined
}

export interface Verified {
  events: ChangeEvent[]
  problems: string[]
}

/**
 * Checks the reopened `store` against every round so far (`rounds`, each run on the state the one
 * before left): the log is gapless from 0 and replays into exactly getAll; each round's writes
 * start where the last round's log ended; each acknowledged write is its event, in order; at most
 * one unacknowledged write (the one in flight at the kill) landed; and every acknowledged key is
 * at least as new as its last acknowledged write.
 */
export async function verifyRounds(store: ActorStore, rounds: Round[], types: string[]): Promise<Verified> {
  const problems: string[] = []
  const stats = store.cdcStats()
  if (stats.eventsDropped !== 0) problems.push(`retention dropped ${stats.eventsDropped} events`)
  const events = await readLog(store, 'beginning', 60_000)
  if (events.length !== stats.currentSequence) {
    problems.push(`the log has ${events.length} events, currentSequence is ${stats.currentSequence}`)
  }
  problems.push(...mirrorProblems(store, events, types))

  const lastAcked = new Map<string, { sequence: number; ack: Ack; round: number }>()
  let previousEnd = 0
  for (const [index, round] of rounds.entries()) {
    // The newest round ends where the log ends; each earlier one where the log ended when it was
    // verified. A child killed before it reported opening the store wrote nothing.
    round.logEnd ??= index === rounds.length - 1 ? events.length : undefined
    const end = round.logEnd ?? events.length
    const start = round.start ?? previousEnd
    if (start !== previousEnd) problems.push(`round ${round.round} started at sequence ${start}, not ${previousEnd}`)
    for (const ack of round.acks) {
      const problem = ackProblem(round.round, ack, events[start + ack.w])
      if (problem) problems.push(problem)
      lastAcked.set(JSON.stringify([ack.actorType, ack.actorId]), { sequence: start + ack.w, ack, round: round.round })
    }
    // Only writes in flight at the kill can land unacknowledged, and only once the child had opened.
    const extra = end - start - round.acks.length
    const inFlightAllowed = round.killed && round.start !== undefined ? round.inFlight : 0
    if (extra < 0 || extra > inFlightAllowed) {
      problems.push(`round ${round.round}: ${round.acks.length} acknowledged writes but ${end - start} events`)
    } else if (extra === 1) {
      const inFlight = events[end - 1]
      const expected = writeValue(round.round, round.acks.length)
      if (inFlight?.newValue !== undefined && JSON.stringify(inFlight.newValue) !== JSON.stringify(expected)) {
        problems.push(`round ${round.round}: the unacknowledged event ${JSON.stringify(inFlight)} was never written`)
      }
    }
    previousEnd = end
  }
  if (previousEnd !== events.length) problems.push(`the log ends at ${events.length}, the last round at ${previousEnd}`)

  // The state of each acknowledged key is its last acknowledged write, or something later.
  for (const [key, { sequence, ack, round }] of lastAcked) {
    const [actorType, actorId] = JSON.parse(key) as string[]
    const later = events.slice(sequence + 1).filter((e) => e.actorType === actorType && e.actorId === actorId)
    if (later.length > 0) continue
    const actual = store.get(actorType, actorId)
    const expected = ack.op === 'D' ? undefined : { id: actorId, value: writeValue(round, ack.w), version: ack.version }
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `${key}: state ${JSON.stringify(actual)}, but the last acknowledged write left ${JSON.stringify(expected)}`,
      )
    }
  }
  return { events, problems }
}
