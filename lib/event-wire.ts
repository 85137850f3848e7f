// Change events as the native core sends them: a batch is a JSON array of events, each an array
// of its fields (see crates/actor-store-core/src/event_wire.rs). JSON.parse of arrays costs about
// half of the same events as objects, so the objects are built here, with the API's key order.
import type { ChangeEvent, JsonValue } from './types'

// [sequence, 0, actorType, actorId, newValue, newVersion, timestamp]
type InsertFields = [number, 0, string, string, JsonValue, number, number]
// [sequence, 1, actorType, actorId, previousValue, previousVersion, newValue, newVersion, timestamp]
type UpdateFields = [number, 1, string, string, JsonValue, number, JsonValue, number, number]
// [sequence, 2, actorType, actorId, previousValue, previousVersion, timestamp]
type DeleteFields = [number, 2, string, string, JsonValue, number, number]
type EventFields = InsertFields | UpdateFields | DeleteFields

function toEvent<T>(fields: EventFields): ChangeEvent<T> {
  switch (fields[1]) {
    case 0:
      return {
        sequence: fields[0],
        operation: 'INSERT',
        actorType: fields[2],
        actorId: fields[3],
        newValue: fields[4] as T,
        newVersion: fields[5],
        timestamp: fields[6],
      }
    case 1:
      return {
        sequence: fields[0],
        operation: 'UPDATE',
        actorType: fields[2],
        actorId: fields[3],
        previousValue: fields[4] as T,
        previousVersion: fields[5],
        newValue: fields[6] as T,
        newVersion: fields[7],
        timestamp: fields[8],
      }
    default:
      return {
        sequence: fields[0],
        operation: 'DELETE',
        actorType: fields[2],
        actorId: fields[3],
        previousValue: fields[4] as T,
        previousVersion: fields[5],
        timestamp: fields[6],
      }
  }
}

/** The events of one native batch, in order. */
export function decodeEvents<T>(batch: string): ChangeEvent<T>[] {
  const events = JSON.parse(batch) as EventFields[]
  const decoded = new Array<ChangeEvent<T>>(events.length)
  for (let i = 0; i < events.length; i++) decoded[i] = toEvent<T>(events[i])
  return decoded
}
