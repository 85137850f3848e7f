//! The spec's acceptance scenarios 1–7 against the core.

mod common;

use std::sync::Arc;
use std::thread;

use actor_store_core::StartPosition;
use actor_store_core::StoreError;
use actor_store_core::SubscriptionOptions;
use common::*;
use serde_json::json;
use serde_json::Value;

#[test]
fn scenario_1_basic_crud() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    assert_eq!(store.insert("users", "user:1", &json(json!({"name": "Alice"}))).unwrap(), 0);
    let got = store.get("users", "user:1").unwrap().unwrap();
    assert_eq!((got.value(), got.version()), ("{\"name\":\"Alice\"}", 0));
    assert_eq!(store.update("users", "user:1", &json(json!({"name": "Alice", "age": 30}))).unwrap(), 1);
    let deleted = store.delete("users", "user:1").unwrap().unwrap();
    assert_eq!(deleted.version(), 1);
    let value: Value = serde_json::from_str(deleted.value()).unwrap();
    assert_eq!(value, json!({"name": "Alice", "age": 30}));
    assert_eq!(store.get("users", "user:1").unwrap(), None);
    assert_eq!(store.delete("users", "user:1").unwrap(), None);
    // A delete and re-insert starts over at version 0.
    assert_eq!(store.insert("users", "user:1", "1").unwrap(), 0);
}

#[test]
fn scenario_2_version_conflict() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    store.insert("users", "user:1", "0").unwrap();
    for n in 1..=5 {
        store.update("users", "user:1", &n.to_string()).unwrap();
    }
    let a = store.get("users", "user:1").unwrap().unwrap();
    let b = store.get("users", "user:1").unwrap().unwrap();
    assert_eq!((a.version(), b.version()), (5, 5));
    assert_eq!(store.update_versioned("users", "user:1", "{\"balance\":100}", 5).unwrap(), 6);
    let conflict = store.update_versioned("users", "user:1", "{\"balance\":200}", 5).unwrap_err();
    assert_eq!(conflict, StoreError::VersionMismatch { expected: 5, actual: 6 });
    assert_eq!(store.get("users", "user:1").unwrap().unwrap().value(), "{\"balance\":100}");
    // Retry after reading the latest version succeeds.
    let latest = store.get("users", "user:1").unwrap().unwrap();
    assert_eq!(store.update_versioned("users", "user:1", "{\"balance\":200}", latest.version()).unwrap(), 7);
}

#[test]
fn scenario_3_subscribe_from_beginning_then_live() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    for n in 1..=3 {
        store.insert("users", &format!("user:{n}"), "{}").unwrap();
    }
    let options = SubscriptionOptions { start: StartPosition::Beginning, ..Default::default() };
    let mut subscription = handle.subscribe(&options).unwrap();
    let replayed = take(&mut subscription, 3);
    assert_eq!(sequences(&replayed), [0, 1, 2]);
    assert!(replayed.iter().all(|e| e["operation"] == "INSERT" && e.get("previousValue").is_none()));
    store.insert("users", "user:4", "{\"name\":\"Bob\"}").unwrap();
    let live = take(&mut subscription, 1);
    assert_eq!(live[0]["sequence"], 3);
    assert_eq!(live[0]["actorId"], "user:4");
    assert_eq!(live[0]["newValue"], json!({"name": "Bob"}));
}

#[test]
fn scenario_4_resume_after_checkpoint() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    for n in 0..150 {
        store.insert("users", &format!("user:{n}"), "null").unwrap();
    }
    let options = SubscriptionOptions { start: StartPosition::AfterSequence(100), ..Default::default() };
    let mut subscription = handle.subscribe(&options).unwrap();
    let events = take(&mut subscription, 49);
    assert_eq!(sequences(&events), (101..150).collect::<Vec<_>>());
    // A checkpoint past the last committed sequence is a bad argument, not a silent wait.
    let beyond = SubscriptionOptions { start: StartPosition::AfterSequence(150), ..Default::default() };
    assert_eq!(handle.subscribe(&beyond).err().unwrap().code(), "INVALID_ARGUMENT");
}

#[test]
fn scenario_5_filtered_subscription() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    let by_prefix = SubscriptionOptions { key_prefix: Some("user:".into()), ..Default::default() };
    let by_type = SubscriptionOptions { actor_type: Some("orders".into()), ..Default::default() };
    let mut users = handle.subscribe(&by_prefix).unwrap();
    let mut orders = handle.subscribe(&by_type).unwrap();
    store.insert("users", "user:5", "{\"name\":\"Charlie\"}").unwrap();
    store.insert("orders", "order:100", "{\"total\":50.0}").unwrap();
    store.insert("users", "user:6", "{}").unwrap();
    let user_events = take(&mut users, 2);
    assert_eq!(user_events.iter().map(|e| e["actorId"].as_str().unwrap()).collect::<Vec<_>>(), ["user:5", "user:6"]);
    let order_events = take(&mut orders, 1);
    assert_eq!(order_events[0]["actorId"], "order:100");
    assert!(drain(&mut orders).is_empty());
}

#[test]
fn scenario_6_get_all() {
    let handle = open(1024);
    let store = handle.store().unwrap();
    for n in 0..5 {
        store.insert("users", &format!("user:{n}"), &n.to_string()).unwrap();
    }
    store.insert("orders", "user:0", "99").unwrap();
    let all = store.get_all("users").unwrap();
    assert_eq!(all.len(), 5);
    let mut ids: Vec<_> = all.iter().map(|a| a.id().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    let again = store.get_all("users").unwrap();
    assert_eq!(all, again, "order is stable while nothing changes");
    assert!(store.get_all("nobody").unwrap().is_empty());
}

#[test]
fn scenario_7_hundred_threads_cas_increment_one_counter() {
    let handle = Arc::new(open(1024));
    handle.store().unwrap().insert("counters", "counter", "{\"count\":0}").unwrap();
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let handle = handle.clone();
            thread::spawn(move || {
                let store = handle.store().unwrap();
                let mut conflicts = 0u64;
                loop {
                    let current = store.get("counters", "counter").unwrap().unwrap();
                    let value: Value = serde_json::from_str(current.value()).unwrap();
                    let next = json!({"count": value["count"].as_i64().unwrap() + 1});
                    match store.update_versioned("counters", "counter", &next.to_string(), current.version()) {
                        Ok(_) => return conflicts,
                        Err(StoreError::VersionMismatch { .. }) => conflicts += 1,
                        Err(other) => panic!("unexpected {other}"),
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let store = handle.store().unwrap();
    let last = store.get("counters", "counter").unwrap().unwrap();
    assert_eq!(last.value(), "{\"count\":100}");
    assert_eq!(last.version(), 100);
    // One insert and exactly 100 successful updates: failed CAS attempts emit nothing.
    assert_eq!(store.cdc_stats().unwrap().total_events, 101);
}
