// Reading subscriptions in tests: every wait is bounded by a guard timeout that fails the test
// instead of hanging it. The guards never assert anything about how fast something happened.
import { isDeepStrictEqual } from 'node:util'
import type { ActorData, ActorStoreApi, CdcStats, ChangeEvent, JsonValue, Subscription } from 'actor-store'

export const GUARD_MS = 15_000

/** `promise`, or a rejection naming `what` if it has not settled after `ms`. */
export async function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`guard timeout (${ms} ms): ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The next event; fails if the subscription ends instead. */
export async function nextEvent<T = JsonValue>(sub: Subscription<T>, what = 'next event'): Promise<ChangeEvent<T>> {
  const result = await guard(sub.next(), what)
  if (result.done) throw new Error(`subscription ended while waiting for ${what}`)
  return result.value
}

/** Exactly `n` events, in the order delivered. */
export async function take<T = JsonValue>(sub: Subscription<T>, n: number, what = 'events'): Promise<ChangeEvent<T>[]> {
  const events: ChangeEvent<T>[] = []
  for (let i = 0; i < n; i++) events.push(await nextEvent(sub, `${what} #${i + 1} of ${n}`))
  return events
}

/** Events up to and including the first one matching `last`. */
export async function takeUntil<T = JsonValue>(
  sub: Subscription<T>,
  last: (event: ChangeEvent<T>) => boolean,
  what = 'events until the expected one',
): Promise<ChangeEvent<T>[]> {
  const events: ChangeEvent<T>[] = []
  for (;;) {
    const event = await nextEvent(sub, what)
    events.push(event)
    if (last(event)) return events
  }
}

/** Resolves with the result of `next()` once the subscription ends (done: true); fails on an event. */
export async function expectEnd<T = JsonValue>(sub: Subscription<T>, what = 'end of subscription'): Promise<void> {
  const result = await guard(sub.next(), what)
  if (!result.done) throw new Error(`expected ${what}, got event ${JSON.stringify(result.value)}`)
}

/** Every retained event, read from 'beginning' up to the sequence before `currentSequence`. */
export async function retainedEvents(store: ActorStoreApi): Promise<ChangeEvent[]> {
  const { currentSequence, replayBufferSize } = store.cdcStats()
  if (currentSequence === 0 || replayBufferSize === 0) return []
  const sub = store.subscribe({ start: 'beginning' })
  try {
    return await takeUntil(sub, (event) => event.sequence >= currentSequence - 1, 'retained events')
  } finally {
    sub.close()
  }
}

export function byId<T>(actors: ActorData<T>[]): ActorData<T>[] {
  return [...actors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

export interface Observation {
  stats: CdcStats
  state: Record<string, ActorData[]>
  events: ChangeEvent[]
}

/** What a failed call must leave unchanged: stats, every actor of `types`, and the change stream. */
export async function observe(store: ActorStoreApi, types: readonly string[]): Promise<Observation> {
  const stats = store.cdcStats()
  const state: Record<string, ActorData[]> = {}
  for (const type of types) state[type] = byId(store.getAll(type))
  return { stats, state, events: await retainedEvents(store) }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `condition` until it holds; the guard fails the test if it never does. */
export async function waitUntil(condition: () => boolean, what: string, ms = GUARD_MS): Promise<void> {
  const poll = async () => {
    while (!condition()) await sleep(2)
  }
  await guard(poll(), what, ms)
}

/** Waits until the wall clock has moved past `ms`, so later commits get a larger timestamp. */
export async function clockPast(ms: number): Promise<void> {
  await waitUntil(() => Date.now() > ms + 1, 'the clock to advance')
}

export const mirrorKey = (actorType: string, id: string) => JSON.stringify([actorType, id])

/**
 * Applies one event to a mirror of the store, checking it against what the mirror holds: per actor,
 * events must come in version order. Returns a description of the first inconsistency, or undefined.
 */
export function applyToMirror(mirror: Map<string, ActorData>, event: ChangeEvent): string | undefined {
  const key = mirrorKey(event.actorType, event.actorId)
  const held = mirror.get(key)
  const where = `sequence ${event.sequence} (${event.operation} ${key})`
  switch (event.operation) {
    case 'INSERT':
      if (held) return `${where}: actor already exists at version ${held.version}`
      if (event.newVersion !== 0) return `${where}: newVersion ${event.newVersion}, expected 0`
      break
    case 'UPDATE':
      if (!held) return `${where}: actor does not exist`
      if (event.previousVersion !== held.version) return `${where}: previousVersion ${event.previousVersion}`
      if (event.newVersion !== held.version + 1) return `${where}: newVersion ${event.newVersion}`
      if (!isDeepStrictEqual(event.previousValue, held.value)) return `${where}: previousValue differs from the mirror`
      break
    case 'DELETE':
      if (!held) return `${where}: actor does not exist`
      if (event.previousVersion !== held.version) return `${where}: previousVersion ${event.previousVersion}`
      if (!isDeepStrictEqual(event.previousValue, held.value)) return `${where}: previousValue differs from the mirror`
      mirror.delete(key)
      return undefined
    default:
      return `${where}: unknown operation`
  }
  mirror.set(key, { id: event.actorId, value: event.newValue as JsonValue, version: event.newVersion as number })
  return undefined
}

/** The mirror's actors of one type, sorted by id, for comparison with `getAll`. */
export function mirrorOfType(mirror: Map<string, ActorData>, actorType: string): ActorData[] {
  const actors: ActorData[] = []
  for (const [key, actor] of mirror) if ((JSON.parse(key) as string[])[0] === actorType) actors.push(actor)
  return byId(actors)
}
