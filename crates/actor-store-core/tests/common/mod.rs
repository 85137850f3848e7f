#![allow(dead_code)]

use std::time::Duration;

use actor_store_core::event_wire;
use actor_store_core::registry;
use actor_store_core::Polled;
use actor_store_core::StoreConfig;
use actor_store_core::StoreHandle;
use actor_store_core::Subscription;
use serde_json::Value;

pub fn open(replay_buffer_size: usize) -> StoreHandle {
    registry::open_private(StoreConfig { replay_buffer_size }).unwrap()
}

pub fn json(value: Value) -> String {
    value.to_string()
}

/// Reads events until `count` have arrived (fails after a generous guard timeout).
pub fn take(subscription: &mut Subscription, count: usize) -> Vec<Value> {
    let mut events = Vec::with_capacity(count);
    while events.len() < count {
        match subscription.poll(count - events.len()).unwrap() {
            Polled::Events { json, .. } => events.extend(event_wire::decode(&json).unwrap()),
            Polled::Pending => assert!(subscription.wait(Duration::from_secs(10)), "timed out waiting for events"),
            Polled::Ended => panic!("subscription ended after {} of {count} events", events.len()),
        }
    }
    events
}

/// Whatever is available right now, after everything committed so far was published.
pub fn drain(subscription: &mut Subscription) -> Vec<Value> {
    let mut events = Vec::new();
    subscription.wait(Duration::from_millis(200));
    while let Polled::Events { json, .. } = subscription.poll(1024).unwrap() {
        events.extend(event_wire::decode(&json).unwrap());
    }
    events
}

pub fn sequences(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["sequence"].as_u64().unwrap()).collect()
}
