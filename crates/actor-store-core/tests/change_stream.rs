//! Start positions, lag, stats, failures that emit nothing, and close semantics.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use actor_store_core::cdc::now_ms;
use actor_store_core::registry;
use actor_store_core::Polled;
use actor_store_core::StartPosition;
use actor_store_core::StoreConfig;
use actor_store_core::SubscriptionOptions;
use common::*;

fn from(start: StartPosition) -> SubscriptionOptions {
    SubscriptionOptions { start, ..Default::default() }
}

#[test]
fn now_sees_only_changes_committed_after_subscribe() {
    let handle = open(64);
    let store = handle.store().unwrap();
    store.insert("t", "before", "1").unwrap();
    let mut subscription = handle.subscribe(&from(StartPosition::Now)).unwrap();
    store.insert("t", "after", "2").unwrap();
    let events = take(&mut subscription, 1);
    assert_eq!(events[0]["actorId"], "after");
    assert_eq!(events[0]["sequence"], 1);
}

#[test]
fn timestamp_start_skips_older_events_and_keeps_later_ones() {
    let handle = open(64);
    let store = handle.store().unwrap();
    store.insert("t", "old", "1").unwrap();
    thread::sleep(Duration::from_millis(5));
    let cut = now_ms();
    thread::sleep(Duration::from_millis(5));
    store.insert("t", "new", "2").unwrap();
    let mut subscription = handle.subscribe(&from(StartPosition::Timestamp(cut))).unwrap();
    assert_eq!(take(&mut subscription, 1)[0]["actorId"], "new");
    // A start in the future delivers only events at or after it.
    let mut future = handle.subscribe(&from(StartPosition::Timestamp(now_ms() + 60_000))).unwrap();
    store.insert("t", "soon", "3").unwrap();
    assert!(drain(&mut future).is_empty());
}

#[test]
fn a_subscriber_behind_the_replay_buffer_gets_lagged_never_a_skip() {
    let handle = open(4);
    let store = handle.store().unwrap();
    let mut slow = handle.subscribe(&from(StartPosition::Beginning)).unwrap();
    for n in 0..10 {
        store.insert("t", &n.to_string(), "0").unwrap();
    }
    let stats = store.cdc_stats().unwrap();
    assert_eq!((stats.replay_buffer_size, stats.events_dropped), (4, 6));
    let error = slow.poll(100).unwrap_err();
    assert_eq!(error.code(), "SUBSCRIPTION_LAGGED");
    assert_eq!(error, actor_store_core::StoreError::SubscriptionLagged { requested: 0, first_available: 6 });
    assert_eq!(slow.poll(100).unwrap(), Polled::Ended);
    // Starting before the retained history fails at once, with the first available sequence.
    let late = handle.subscribe(&from(StartPosition::AfterSequence(2))).err().unwrap();
    assert_eq!(late, actor_store_core::StoreError::SubscriptionLagged { requested: 3, first_available: 6 });
    let from_ts = handle.subscribe(&from(StartPosition::Timestamp(0))).err().unwrap();
    assert_eq!(from_ts.code(), "SUBSCRIPTION_LAGGED");
    // 'beginning' means the oldest retained event.
    let mut retained = handle.subscribe(&from(StartPosition::Beginning)).unwrap();
    assert_eq!(sequences(&take(&mut retained, 4)), [6, 7, 8, 9]);
}

#[test]
fn failed_operations_take_no_sequence_and_emit_nothing() {
    let handle = open(64);
    let store = handle.store().unwrap();
    store.insert("t", "x", "1").unwrap();
    let mut subscription = handle.subscribe(&from(StartPosition::Now)).unwrap();
    assert_eq!(store.insert("t", "x", "2").unwrap_err().code(), "KEY_ALREADY_EXISTS");
    assert_eq!(store.update("t", "missing", "2").unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.update_versioned("t", "x", "2", 7).unwrap_err().code(), "VERSION_MISMATCH");
    assert_eq!(store.insert("t", "", "2").unwrap_err().code(), "INVALID_KEY");
    assert_eq!(store.insert("", "y", "2").unwrap_err().code(), "INVALID_KEY");
    assert_eq!(store.insert("t", "y", "{oops").unwrap_err().code(), "INVALID_VALUE");
    assert_eq!(store.delete("t", "missing").unwrap(), None);
    assert_eq!(store.cdc_stats().unwrap().current_sequence, 1);
    assert!(drain(&mut subscription).is_empty());
    assert_eq!(store.get("t", "x").unwrap().unwrap().value(), "1");
    store.update("t", "x", "3").unwrap();
    assert_eq!(take(&mut subscription, 1)[0]["sequence"], 1);
}

#[test]
fn keys_with_separators_never_collide() {
    let handle = open(64);
    let store = handle.store().unwrap();
    store.insert("a:b", "c", "1").unwrap();
    store.insert("a", "b:c", "2").unwrap();
    assert_eq!(store.get("a:b", "c").unwrap().unwrap().value(), "1");
    assert_eq!(store.get("a", "b:c").unwrap().unwrap().value(), "2");
    assert_eq!(store.get_all("a").unwrap().len(), 1);
}

#[test]
fn stats_count_events_and_subscriptions() {
    let handle = open(64);
    let store = handle.store().unwrap();
    let first = handle.subscribe(&from(StartPosition::Now)).unwrap();
    let mut second = handle.subscribe(&from(StartPosition::Now)).unwrap();
    store.insert("t", "1", "1").unwrap();
    store.update("t", "1", "2").unwrap();
    let stats = store.cdc_stats().unwrap();
    assert_eq!((stats.total_events, stats.current_sequence, stats.replay_buffer_size), (2, 2, 2));
    assert_eq!(stats.active_subscriptions, 2);
    second.close();
    drop(first);
    assert_eq!(store.cdc_stats().unwrap().active_subscriptions, 0);
}

#[test]
fn closing_a_handle_ends_its_subscriptions_and_wakes_waiters() {
    let handle = Arc::new(open(64));
    let mut subscription = handle.subscribe(&from(StartPosition::Now)).unwrap();
    let waiter = {
        let handle = handle.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            handle.close();
        })
    };
    assert!(subscription.wait(Duration::from_secs(10)), "closing the handle wakes the waiter");
    waiter.join().unwrap();
    assert_eq!(subscription.poll(10).unwrap(), Polled::Ended);
    assert_eq!(handle.store().err().unwrap().code(), "STORE_CLOSED");
    handle.close();
}

#[test]
fn named_stores_are_shared_until_their_last_handle_closes() {
    let config = StoreConfig { replay_buffer_size: 32 };
    let first = registry::open_named("shared-test", config).unwrap();
    let second = registry::open_named("shared-test", config).unwrap();
    first.store().unwrap().insert("t", "x", "1").unwrap();
    assert!(second.store().unwrap().get("t", "x").unwrap().is_some());
    let mismatch = registry::open_named("shared-test", StoreConfig { replay_buffer_size: 64 }).err().unwrap();
    assert_eq!(mismatch.code(), "INVALID_ARGUMENT");
    first.close();
    assert_eq!(first.store().err().unwrap().code(), "STORE_CLOSED");
    assert!(second.store().unwrap().get("t", "x").unwrap().is_some(), "other handles keep working");
    second.close();
    let reopened = registry::open_named("shared-test", config).unwrap();
    assert!(reopened.store().unwrap().get("t", "x").unwrap().is_none(), "the last close discarded the state");
}
