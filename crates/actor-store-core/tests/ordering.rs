//! Ordering under concurrent writers: one global gapless sequence, per-actor version order,
//! a subscriber that joins mid-stream from the beginning sees everything exactly once, and a
//! mirror of the stream ends equal to the store.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Barrier;
use std::thread;

use actor_store_core::StartPosition;
use actor_store_core::StoreError;
use actor_store_core::SubscriptionOptions;
use common::*;
use serde_json::Value;

const WRITERS: usize = 8;
const OPS_PER_WRITER: usize = 4000;
const KEYS: usize = 16;

fn writer(handle: &actor_store_core::StoreHandle, seed: usize) -> usize {
    let store = handle.store().unwrap();
    let mut committed = 0;
    let mut state = seed as u64 * 2_654_435_761 + 1;
    for op in 0..OPS_PER_WRITER {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let actor_type = if state.is_multiple_of(3) { "a" } else { "b" };
        let id = format!("k{}", (state >> 8) as usize % KEYS);
        let value = format!("{{\"writer\":{seed},\"op\":{op}}}");
        let outcome = match (state >> 4) % 4 {
            0 => store.insert(actor_type, &id, &value).map(|_| ()),
            1 => store.update(actor_type, &id, &value).map(|_| ()),
            2 => match store.get(actor_type, &id).unwrap() {
                Some(current) => store.update_versioned(actor_type, &id, &value, current.version()).map(|_| ()),
                None => Err(StoreError::NotFound { actor_type: String::new(), id: String::new() }),
            },
            _ => store.delete(actor_type, &id).unwrap().map(|_| ()).ok_or(StoreError::StoreClosed),
        };
        committed += usize::from(outcome.is_ok());
    }
    committed
}

#[test]
fn concurrent_writers_yield_one_gapless_ordered_stream() {
    let handle = Arc::new(open(WRITERS * OPS_PER_WRITER));
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|seed| {
            let (handle, start) = (handle.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                writer(&handle, seed)
            })
        })
        .collect();
    start.wait();
    // Join mid-stream: some history is replayed, the rest arrives live.
    while handle.store().unwrap().cdc_stats().unwrap().total_events < 1000 {
        thread::yield_now();
    }
    let options = SubscriptionOptions { start: StartPosition::Beginning, ..Default::default() };
    let mut subscription = handle.subscribe(&options).unwrap();
    let committed: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let events = take(&mut subscription, committed);
    assert_eq!(sequences(&events), (0..committed as u64).collect::<Vec<_>>(), "gapless, in order, once each");
    assert!(drain(&mut subscription).is_empty(), "no event beyond the committed ones");

    // Per actor, versions follow the sequence; the mirror ends equal to the store.
    let mut mirror: HashMap<(String, String), (Value, u64)> = HashMap::new();
    for event in &events {
        let key = (event["actorType"].as_str().unwrap().to_owned(), event["actorId"].as_str().unwrap().to_owned());
        let current = mirror.get(&key).map(|(_, version)| *version);
        match event["operation"].as_str().unwrap() {
            "INSERT" => {
                assert_eq!(current, None, "insert of a live actor: {event}");
                assert_eq!(event["newVersion"], 0);
                mirror.insert(key, (event["newValue"].clone(), 0));
            }
            "UPDATE" => {
                let previous = current.expect("update of a missing actor");
                assert_eq!(event["previousVersion"], previous);
                assert_eq!(event["newVersion"], previous + 1);
                mirror.insert(key, (event["newValue"].clone(), previous + 1));
            }
            _ => {
                assert_eq!(event["previousVersion"], current.expect("delete of a missing actor"));
                mirror.remove(&key);
            }
        }
    }
    let store = handle.store().unwrap();
    let mut actual = HashMap::new();
    for actor_type in ["a", "b"] {
        for actor in store.get_all(actor_type).unwrap() {
            let value: Value = serde_json::from_str(actor.value()).unwrap();
            actual.insert((actor_type.to_owned(), actor.id().to_string()), (value, actor.version()));
        }
    }
    assert_eq!(mirror, actual);
    let timestamps: Vec<u64> = events.iter().map(|e| e["timestamp"].as_u64().unwrap()).collect();
    assert!(timestamps.windows(2).all(|w| w[0] <= w[1]), "timestamps never decrease along the sequence");
}
