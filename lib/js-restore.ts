// Restoring a snapshot into a JsActorStore: what has to change, in the order ActorStore changes it.
// Planning only reads the state, so a restore either plans completely or changes nothing.
import { InvalidArgumentError } from './errors'
import type { Snapshot, SnapshotActor } from './types'

/** What JsActorStore holds per actor: the value's JSON text and its version. */
export interface StoredActor {
  json: string
  version: number
}

/** actorType → id → actor, as JsActorStore keeps them. */
export type StoredActors = ReadonlyMap<string, ReadonlyMap<string, StoredActor>>

/** One actor as the snapshot wants it, with its value as JSON text. */
export interface WantedActor {
  actorType: string
  id: string
  json: string
  version: number
}

/** The changes that turn the current state into the snapshot's, one change event each. */
export interface RestorePlan {
  /** Actors absent from the snapshot (DELETE), in the store's iteration order. */
  removals: [actorType: string, id: string][]
  /** Snapshot actors absent from the store (INSERT), by actorType then id in code point order. */
  inserts: WantedActor[]
  /** Actors whose value text or version differs (UPDATE), in the store's iteration order. */
  updates: WantedActor[]
}

/**
 * Orders strings by code point, which is the byte order of their UTF-8 forms (the order the Rust
 * core sorts keys in). Plain `<` compares UTF-16 units and puts U+10000 and above before U+E000.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

// Moves surrogates (U+D800–U+DFFF, the halves of U+10000 and above) past U+E000–U+FFFF.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800
}

function compareActors(a: WantedActor, b: WantedActor): number {
  return compareCodePoints(a.actorType, b.actorType) || compareCodePoints(a.id, b.id)
}

/** The snapshot's actors by type and id, each value encoded once. The snapshot must have passed checkSnapshot. */
function wantedActors(actors: readonly SnapshotActor[]): Map<string, Map<string, WantedActor>> {
  const wanted = new Map<string, Map<string, WantedActor>>()
  for (const { actorType, id, value, version } of actors) {
    let ofType = wanted.get(actorType)
    if (ofType === undefined) {
      ofType = new Map()
      wanted.set(actorType, ofType)
    }
    ofType.set(id, { actorType, id, json: JSON.stringify(value), version })
  }
  return wanted
}

const SNAPSHOT_FIELDS = ['format', 'sequence', 'actors']
const ACTOR_FIELDS = ['actorType', 'id', 'value', 'version']

// JSON.stringify leaves these out, so ActorStore (which gets the snapshot as JSON text) never sees them.
function isSerialized(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}

function checkFields(object: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(object)) {
    if (!known.includes(key) && isSerialized(value)) {
      throw new InvalidArgumentError(
        `not an Actor Store snapshot: unknown field \`${key}\`, expected one of ${known.map((k) => `\`${k}\``).join(', ')}`,
      )
    }
  }
}

/**
 * Rejects fields a snapshot does not have, as ActorStore's core does (it parses snapshots strictly).
 * The snapshot must have passed checkSnapshot.
 */
export function checkSnapshotFields(snapshot: Snapshot): void {
  checkFields(snapshot, SNAPSHOT_FIELDS)
  for (const actor of snapshot.actors) checkFields(actor, ACTOR_FIELDS)
}

/** Plans a restore of `snapshot` (already checked with checkSnapshot) over `current`. */
export function planRestore(current: StoredActors, snapshot: Snapshot): RestorePlan {
  const wanted = wantedActors(snapshot.actors)
  const plan: RestorePlan = { removals: [], inserts: [], updates: [] }
  for (const [actorType, actors] of current) {
    const wantedOfType = wanted.get(actorType)
    for (const [id, stored] of actors) {
      const target = wantedOfType?.get(id)
      if (target === undefined) plan.removals.push([actorType, id])
      else if (target.json !== stored.json || target.version !== stored.version) plan.updates.push(target)
    }
  }
  for (const [actorType, actors] of wanted) {
    const currentOfType = current.get(actorType)
    for (const [id, target] of actors) if (currentOfType?.has(id) !== true) plan.inserts.push(target)
  }
  plan.inserts.sort(compareActors)
  return plan
}
