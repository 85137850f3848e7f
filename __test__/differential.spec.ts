// Differential testing: random operation sequences on a small key space (odd keys included) run
// against each backend and against a trivial Map model; results, error codes and the change stream
// must agree. With several backends selected, they must also agree with each other.
import { deepStrictEqual } from 'node:assert/strict'
import {
  type ActorData,
  type ActorStoreApi,
  ActorStoreError,
  type ChangeEvent,
  type JsonValue,
  VersionMismatchError,
} from 'actor-store'
import test from 'ava'
import fc from 'fast-check'
import { backends, eachBackend } from './helpers/backends'
import { byId, takeUntil } from './helpers/stream'

const TYPES = ['a', 'a:b', '__proto__']
const IDS = ['c', 'b:c', 'constructor', '🙂']
const PREFIXES = ['', 'b', 'b:', 'c', '🙂', 'zz']

type Op =
  | { kind: 'insert' | 'update'; type: string; id: string; value: unknown }
  | { kind: 'cas'; type: string; id: string; value: unknown; version: 'right' | 'above' | 'below' | number }
  | { kind: 'get' | 'delete'; type: string; id: string }
  | { kind: 'getAll'; type: string }
  | { kind: 'bad'; what: 'value' | 'version' | 'key'; type: string; id: string }

type Outcome = { ok: unknown } | { error: string; expected?: number; actual?: number }
type Event = Omit<ChangeEvent, 'timestamp'>

const type = fc.constantFrom(...TYPES)
const id = fc.constantFrom(...IDS)
const value = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 8 },
  { arbitrary: fc.constantFrom<unknown>({ nan: Number.NaN, gone: undefined }, [undefined, new Date(5)]), weight: 1 },
)
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), type, id, value }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('update' as const), type, id, value }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('cas' as const),
      type,
      id,
      value,
      version: fc.oneof(fc.constantFrom('right' as const, 'above' as const, 'below' as const), fc.nat(4)),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constantFrom('get' as const, 'delete' as const), type, id }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('getAll' as const), type }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('bad' as const),
      what: fc.constantFrom('value', 'version', 'key'),
      type,
      id,
    }),
    weight: 1,
  },
)
const filter = fc.record({
  actorType: fc.option(type, { nil: undefined }),
  keyPrefix: fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }),
})

/** The whole store as a map: the reference every backend is compared with. */
class Model {
  readonly actors = new Map<string, ActorData>()
  readonly events: Event[] = []

  version(op: Extract<Op, { kind: 'cas' }>): number {
    const current = this.actors.get(JSON.stringify([op.type, op.id]))?.version ?? 0
    if (op.version === 'right') return current
    if (op.version === 'above') return current + 1
    if (op.version === 'below') return current === 0 ? 3 : current - 1
    return op.version
  }

  run(op: Op, expectedVersion: number): Outcome {
    if (op.kind === 'getAll') {
      return {
        ok: byId([...this.actors].filter(([k]) => JSON.parse(k)[0] === op.type).map(([, a]) => structuredClone(a))),
      }
    }
    if (op.kind === 'bad')
      return { error: op.what === 'key' ? 'INVALID_KEY' : op.what === 'value' ? 'INVALID_VALUE' : 'INVALID_ARGUMENT' }
    const key = JSON.stringify([op.type, op.id])
    const held = this.actors.get(key)
    const emit = (event: Omit<Event, 'sequence' | 'actorType' | 'actorId'>) =>
      this.events.push({ sequence: this.events.length, actorType: op.type, actorId: op.id, ...event } as Event)
    switch (op.kind) {
      case 'get':
        return { ok: held && structuredClone(held) }
      case 'delete':
        if (!held) return { ok: undefined }
        this.actors.delete(key)
        emit({ operation: 'DELETE', previousValue: held.value, previousVersion: held.version })
        return { ok: held }
      case 'insert': {
        if (held) return { error: 'KEY_ALREADY_EXISTS' }
        const actor = { id: op.id, value: JSON.parse(JSON.stringify(op.value)) as JsonValue, version: 0 }
        this.actors.set(key, actor)
        emit({ operation: 'INSERT', newValue: actor.value, newVersion: 0 })
        return { ok: structuredClone(actor) }
      }
      default: {
        if (!held) return { error: 'NOT_FOUND' }
        if (op.kind === 'cas' && expectedVersion !== held.version) {
          return { error: 'VERSION_MISMATCH', expected: expectedVersion, actual: held.version }
        }
        const actor = { id: op.id, value: JSON.parse(JSON.stringify(op.value)) as JsonValue, version: held.version + 1 }
        this.actors.set(key, actor)
        emit({
          operation: 'UPDATE',
          previousValue: held.value,
          previousVersion: held.version,
          newValue: actor.value,
          newVersion: actor.version,
        })
        return { ok: structuredClone(actor) }
      }
    }
  }
}

function apply(store: ActorStoreApi, op: Op, expectedVersion: number): Outcome {
  try {
    switch (op.kind) {
      case 'insert':
        return { ok: store.insert(op.type, op.id, op.value as JsonValue) }
      case 'update':
        return { ok: store.update(op.type, op.id, op.value as JsonValue) }
      case 'cas':
        return { ok: store.updateVersioned(op.type, op.id, op.value as JsonValue, expectedVersion) }
      case 'get':
        return { ok: store.get(op.type, op.id) }
      case 'delete':
        return { ok: store.delete(op.type, op.id) }
      case 'getAll': {
        const all = store.getAll(op.type)
        deepStrictEqual(store.getAll(op.type), all, 'getAll gives the same order on repeated calls')
        return { ok: byId(all) }
      }
      case 'bad':
        if (op.what === 'key') return { ok: store.insert(op.type, `${op.id}\uD800`, 1) }
        if (op.what === 'value') return { ok: store.update(op.type, op.id, (() => 1) as never) }
        return { ok: store.updateVersioned(op.type, op.id, 1, -1) }
    }
  } catch (error) {
    if (!(error instanceof ActorStoreError)) return { error: `not an ActorStoreError: ${error}` }
    if (error instanceof VersionMismatchError)
      return { error: error.code, expected: error.expected, actual: error.actual }
    return { error: error.code }
  }
}

const strip = ({ timestamp: _, ...event }: ChangeEvent): Event => event

/** Every event, then the events a filtered subscription delivers (up to a matching sentinel write). */
async function streams(store: ActorStoreApi, f: { actorType?: string; keyPrefix?: string }) {
  const { currentSequence } = store.cdcStats()
  let all: Event[] = []
  if (currentSequence > 0) {
    const sub = store.subscribe({ start: 'beginning' })
    all = (await takeUntil(sub, (event) => event.sequence === currentSequence - 1)).map(strip)
    sub.close()
  }
  const sub = store.subscribe({ ...f, start: 'beginning' })
  const sentinel = `${f.keyPrefix ?? ''}\u{10FFFF}sentinel`
  store.insert(f.actorType ?? 'a', sentinel, 0)
  const filtered = (await takeUntil(sub, (event) => event.actorId === sentinel)).map(strip).slice(0, -1)
  sub.close()
  return { all, filtered }
}

const matches = (f: { actorType?: string; keyPrefix?: string }) => (event: Event) =>
  (f.actorType === undefined || event.actorType === f.actorType) && event.actorId.startsWith(f.keyPrefix ?? '')

const RUNS = { numRuns: 100 }

eachBackend(({ create }, title) => {
  test(title('random operation sequences agree with a Map model'), async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), filter, async (ops, f) => {
        const store = create()
        try {
          const model = new Model()
          for (const [i, o] of ops.entries()) {
            const version = o.kind === 'cas' ? model.version(o) : 0
            deepStrictEqual(apply(store, o, version), model.run(o, version), `operation ${i}: ${JSON.stringify(o)}`)
          }
          for (const type of TYPES)
            deepStrictEqual(byId(store.getAll(type)), (model.run({ kind: 'getAll', type }, 0) as { ok: unknown }).ok)
          const { all, filtered } = await streams(store, f)
          deepStrictEqual(all, model.events, 'the change stream from the beginning')
          deepStrictEqual(
            filtered,
            model.events.filter(matches(f)),
            `the change stream filtered by ${JSON.stringify(f)}`,
          )
        } finally {
          store.close()
        }
      }),
      RUNS,
    )
    t.pass('every run agreed')
  })
})

if (backends.length >= 2) {
  const names = backends.map((backend) => backend.name).join(' vs ')
  test(`${names}: identical results, errors and change streams`, async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), filter, async (ops, f) => {
        const stores = backends.map((backend) => backend.create())
        try {
          const model = new Model()
          for (const [i, o] of ops.entries()) {
            const version = o.kind === 'cas' ? model.version(o) : 0
            model.run(o, version)
            const [first, ...rest] = stores.map((store) => apply(store, o, version))
            for (const [j, other] of rest.entries()) {
              deepStrictEqual(other, first, `operation ${i} on ${backends[j + 1].name}: ${JSON.stringify(o)}`)
            }
          }
          const [first, ...rest] = await Promise.all(stores.map((store) => streams(store, f)))
          for (const [j, other] of rest.entries()) deepStrictEqual(other, first, `streams of ${backends[j + 1].name}`)
        } finally {
          for (const store of stores) store.close()
        }
      }),
      RUNS,
    )
    t.pass('every backend agreed on every run')
  })
}
