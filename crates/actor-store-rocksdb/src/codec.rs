//! Byte layouts on disk. Actor keys are length-prefixed (`u32` type length, type, id), so
//! `("a:b","c")` and `("a","b:c")` never collide and one type's actors are one key prefix.
//! Log keys are big-endian sequences, so RocksDB's order is sequence order.

use std::sync::Arc;

use actor_store_core::limits::MAX_KEY_BYTES;
use actor_store_core::limits::MAX_VALUE_BYTES;
use actor_store_core::ActorId;
use actor_store_core::ChangeEvent;
use actor_store_core::Operation;
use actor_store_core::Record;
use actor_store_core::StoreError;

#[cfg(test)]
fn actor_key(actor_type: &str, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(4 + actor_type.len() + id.len());
    push_actor_key(&mut key, actor_type, id);
    key
}

/// Appends an actor key to `out` (the write path encodes into reused buffers).
pub fn push_actor_key(out: &mut Vec<u8>, actor_type: &str, id: &str) {
    out.extend_from_slice(&(actor_type.len() as u32).to_be_bytes());
    out.extend_from_slice(actor_type.as_bytes());
    out.extend_from_slice(id.as_bytes());
}

pub fn decode_actor_key(key: &[u8]) -> Result<(&str, &str), StoreError> {
    let mut reader = Reader::new(key);
    let type_len = reader.u32()? as usize;
    let actor_type = reader.str(type_len)?;
    let id = reader.str(reader.remaining())?;
    Ok((actor_type, id))
}

pub fn log_key(sequence: u64) -> [u8; 8] {
    sequence.to_be_bytes()
}

pub fn decode_log_key(key: &[u8]) -> Result<u64, StoreError> {
    Reader::new(key).u64()
}

/// Appends a record as stored: version, then the JSON text.
pub fn push_record_value(out: &mut Vec<u8>, record: &Record) {
    out.extend_from_slice(&record.version().to_be_bytes());
    out.extend_from_slice(record.value().as_bytes());
}

/// The record of actor `id` stored as `bytes`.
pub fn decode_record(id: &str, bytes: &[u8]) -> Result<Record, StoreError> {
    let mut reader = Reader::new(bytes);
    let version = reader.u64()?;
    let value = reader.str(reader.remaining())?;
    checked_record(id, value, version)
}

/// A record read from disk, whose sizes the store's limits bound (a damaged file may not).
fn checked_record(id: &str, value: &str, version: u64) -> Result<Record, StoreError> {
    if id.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
        return Err(corrupt("an actor's id or value is larger than the store allows"));
    }
    Ok(Record::new(id, value, version))
}

/// Operation, timestamp, type, id, then previous and next records when present.
#[cfg(test)]
fn event_value(event: &ChangeEvent) -> Vec<u8> {
    let mut out = Vec::new();
    push_event_value(&mut out, event);
    out
}

/// Appends a log entry (see `event_value`).
pub fn push_event_value(out: &mut Vec<u8>, event: &ChangeEvent) {
    out.push(match event.operation {
        Operation::Insert => 0,
        Operation::Update => 1,
        Operation::Delete => 2,
    });
    out.extend_from_slice(&event.timestamp.to_be_bytes());
    for text in [&*event.actor_type, &*event.actor_id] {
        out.extend_from_slice(&(text.len() as u32).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    for record in [&event.previous, &event.next] {
        match record {
            None => out.push(0),
            Some(record) => {
                out.push(1);
                out.extend_from_slice(&record.version().to_be_bytes());
                out.extend_from_slice(&(record.value().len() as u32).to_be_bytes());
                out.extend_from_slice(record.value().as_bytes());
            }
        }
    }
}

pub fn decode_event(sequence: u64, bytes: &[u8]) -> Result<ChangeEvent, StoreError> {
    let mut reader = Reader::new(bytes);
    let operation = match reader.u8()? {
        0 => Operation::Insert,
        1 => Operation::Update,
        2 => Operation::Delete,
        other => return Err(corrupt(&format!("unknown operation {other}"))),
    };
    let timestamp = reader.u64()?;
    let type_len = reader.u32()? as usize;
    let actor_type: Arc<str> = reader.str(type_len)?.into();
    let id_len = reader.u32()? as usize;
    let id = reader.str(id_len)?;
    let actor_id = ActorId::from(id);
    let mut records = [None, None];
    for slot in &mut records {
        if reader.u8()? == 1 {
            let version = reader.u64()?;
            let len = reader.u32()? as usize;
            *slot = Some(checked_record(id, reader.str(len)?, version)?);
        }
    }
    let [previous, next] = records;
    Ok(ChangeEvent { sequence, operation, actor_type, actor_id, previous, next, timestamp })
}

pub fn corrupt(what: &str) -> StoreError {
    StoreError::StoreCorrupted(format!("the store's data is damaged: {what}"))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], StoreError> {
        if len > self.bytes.len() {
            return Err(corrupt("a record is truncated"));
        }
        let (head, tail) = self.bytes.split_at(len);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    fn str(&mut self, len: usize) -> Result<&'a str, StoreError> {
        std::str::from_utf8(self.take(len)?).map_err(|_| corrupt("a key or value is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_keys_with_separators_differ_and_round_trip() {
        assert_ne!(actor_key("a:b", "c"), actor_key("a", "b:c"));
        assert_eq!(decode_actor_key(&actor_key("a:b", "c🙂")).unwrap(), ("a:b", "c🙂"));
        assert!(actor_key("a", "x").starts_with(&actor_key("a", "")));
        assert!(!actor_key("ab", "x").starts_with(&actor_key("a", "")));
    }

    #[test]
    fn log_keys_sort_by_sequence() {
        assert!(log_key(255) < log_key(256));
        assert_eq!(decode_log_key(&log_key(1 << 40)).unwrap(), 1 << 40);
    }

    #[test]
    fn events_round_trip() {
        let event = ChangeEvent {
            sequence: 9,
            operation: Operation::Update,
            actor_type: "t".into(),
            actor_id: "i".into(),
            previous: Some(Record::new("i", "1", 3)),
            next: Some(Record::new("i", "{\"a\":2}", 4)),
            timestamp: 1_700_000_000_000,
        };
        assert_eq!(decode_event(9, &event_value(&event)).unwrap(), event);
        assert_eq!(decode_event(9, &event_value(&event)[..10]).unwrap_err().code(), "STORE_CORRUPTED");
    }

    #[test]
    fn records_beyond_the_limits_are_corrupt_not_a_panic() {
        let long_id = "i".repeat(MAX_KEY_BYTES + 1);
        let mut value = Vec::new();
        push_record_value(&mut value, &Record::new("i", "1", 2));
        assert_eq!(decode_record(&long_id, &value).unwrap_err().code(), "STORE_CORRUPTED");
        assert_eq!(decode_record("i", &value).unwrap(), Record::new("i", "1", 2));
    }
}
