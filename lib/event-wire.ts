// Change events as the native core sends them: a batch is one flat JSON array of every event's
// fields in turn (see crates/actor-store-core/src/event_wire.rs); the operation, an event's second
// field, says how many fields it has. JSON.parse of arrays costs about half of the same events as
// objects, so the objects are built here, with the API's key order.
import { ActorStoreError } from './errors'
import type { ChangeEvent, JsonValue } from './types'

const INSERT = 0
const UPDATE = 1
const DELETE = 2

/** The events of one native batch, in order. */
export function decodeEvents<T>(batch: string): ChangeEvent<T>[] {
  const fields = JSON.parse(batch) as JsonValue[]
  const events: ChangeEvent<T>[] = []
  let i = 0
  while (i < fields.length) {
    switch (fields[i + 1]) {
      // sequence, 0, actorType, actorId, newValue, newVersion, timestamp
      case INSERT:
        events.push({
          sequence: fields[i] as number,
          operation: 'INSERT',
          actorType: fields[i + 2] as string,
          actorId: fields[i + 3] as string,
          newValue: fields[i + 4] as T,
          newVersion: fields[i + 5] as number,
          timestamp: fields[i + 6] as number,
        })
        i += 7
        break
      // sequence, 1, actorType, actorId, previousValue, previousVersion, newValue, newVersion, timestamp
      case UPDATE:
        events.push({
          sequence: fields[i] as number,
          operation: 'UPDATE',
          actorType: fields[i + 2] as string,
          actorId: fields[i + 3] as string,
          previousValue: fields[i + 4] as T,
          previousVersion: fields[i + 5] as number,
          newValue: fields[i + 6] as T,
          newVersion: fields[i + 7] as number,
          timestamp: fields[i + 8] as number,
        })
        i += 9
        break
      // sequence, 2, actorType, actorId, previousValue, previousVersion, timestamp
      case DELETE:
        events.push({
          sequence: fields[i] as number,
          operation: 'DELETE',
          actorType: fields[i + 2] as string,
          actorId: fields[i + 3] as string,
          previousValue: fields[i + 4] as T,
          previousVersion: fields[i + 5] as number,
          timestamp: fields[i + 6] as number,
        })
        i += 7
        break
      default:
        throw new ActorStoreError(
          'INTERNAL',
          `malformed change-event batch: operation ${String(fields[i + 1])} at field ${i}`,
        )
    }
  }
  return events
}
