//! The RocksDB store on temporary directories: recovery, replay from disk, retention, snapshots
//! and restores, checkpoints, and directories it must refuse.

use std::fs;
use std::time::Duration;

use actor_store_core::event_wire;
use actor_store_core::Polled;
use actor_store_core::StartPosition;
use actor_store_core::StoreConfig;
use actor_store_core::StoreHandle;
use actor_store_core::Subscription;
use actor_store_core::SubscriptionOptions;
use actor_store_rocksdb::registry::open_shared;
use actor_store_rocksdb::PersistentOptions;
use actor_store_rocksdb::Retention;
use serde_json::Value;
use tempfile::TempDir;

fn options() -> PersistentOptions {
    PersistentOptions { config: StoreConfig { replay_buffer_size: 8 }, ..Default::default() }
}

fn open(dir: &TempDir) -> StoreHandle {
    open_shared(dir.path(), options()).unwrap()
}

fn from(start: StartPosition) -> SubscriptionOptions {
    SubscriptionOptions { start, ..Default::default() }
}

fn take(subscription: &mut Subscription, count: usize) -> Vec<Value> {
    let mut events = Vec::new();
    while events.len() < count {
        match subscription.poll(count - events.len()).unwrap() {
            Polled::Events { json, .. } => events.extend(event_wire::decode(&json).unwrap()),
            Polled::Pending => assert!(subscription.wait(Duration::from_secs(10)), "timed out"),
            Polled::Ended => panic!("ended after {} events", events.len()),
        }
    }
    events
}

fn sequences(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["sequence"].as_u64().unwrap()).collect()
}

#[test]
fn reopen_restores_actors_versions_and_the_sequence() {
    let dir = TempDir::new().unwrap();
    let handle = open(&dir);
    let store = handle.store().unwrap();
    store.insert("users", "user:1", "{\"name\":\"Alice\"}").unwrap();
    store.insert("users", "user:2", "{\"name\":\"Bob\"}").unwrap();
    store.update("users", "user:2", "{\"name\":\"Bobby\"}").unwrap();
    store.insert("a:b", "c", "1").unwrap();
    store.insert("a", "b:c", "2").unwrap();
    store.delete("a", "b:c").unwrap();
    handle.close();

    let handle = open(&dir);
    let store = handle.store().unwrap();
    let bob = store.get("users", "user:2").unwrap().unwrap();
    assert_eq!((bob.value(), bob.version()), ("{\"name\":\"Bobby\"}", 1));
    assert_eq!(store.get("users", "user:1").unwrap().unwrap().version(), 0);
    assert_eq!(store.get("a:b", "c").unwrap().unwrap().value(), "1");
    assert_eq!(store.get("a", "b:c").unwrap(), None);
    assert_eq!(store.cdc_stats().unwrap().current_sequence, 6);
    // The sequence continues, never reused.
    store.insert("users", "user:3", "3").unwrap();
    let mut all = handle.subscribe(&from(StartPosition::Beginning)).unwrap();
    let events = take(&mut all, 7);
    assert_eq!(sequences(&events), (0..7).collect::<Vec<_>>());
    assert_eq!(events[5]["operation"], "DELETE");
}

#[test]
fn subscriptions_replay_from_disk_after_a_restart() {
    let dir = TempDir::new().unwrap();
    let handle = open(&dir);
    for n in 0..50 {
        handle.store().unwrap().insert("t", &format!("k{n}"), &n.to_string()).unwrap();
    }
    handle.close();
    let handle = open(&dir);
    // The in-memory cache (8 events) is empty after the restart: this all comes from disk.
    let mut resumed = handle.subscribe(&from(StartPosition::AfterSequence(9))).unwrap();
    assert_eq!(sequences(&take(&mut resumed, 40)), (10..50).collect::<Vec<_>>());
    let mut beginning = handle
        .subscribe(&SubscriptionOptions {
            start: StartPosition::Beginning,
            key_prefix: Some("k4".into()),
            ..Default::default()
        })
        .unwrap();
    let filtered = take(&mut beginning, 11);
    assert_eq!(filtered[0]["actorId"], "k4");
    assert_eq!(filtered[1]["actorId"], "k40");
    // Live events follow the replay with no gap.
    handle.store().unwrap().insert("t", "k4x", "0").unwrap();
    assert_eq!(take(&mut beginning, 1)[0]["sequence"], 50);
    let mut by_time = handle.subscribe(&from(StartPosition::Timestamp(0))).unwrap();
    assert_eq!(take(&mut by_time, 1)[0]["sequence"], 0);
}

#[test]
fn retention_trims_the_log_and_old_starts_are_lagged() {
    let dir = TempDir::new().unwrap();
    let retention = Retention { max_events: Some(100), max_age_ms: None };
    let handle = open_shared(dir.path(), PersistentOptions { retention, ..options() }).unwrap();
    let store = handle.store().unwrap();
    for n in 0..300 {
        store.insert("t", &n.to_string(), "0").unwrap();
    }
    let stats = store.cdc_stats().unwrap();
    assert!(stats.replay_buffer_size >= 100 && stats.replay_buffer_size <= 106, "{stats:?}");
    assert_eq!(stats.events_dropped, 300 - stats.replay_buffer_size);
    let first = stats.events_dropped;
    let error = handle.subscribe(&from(StartPosition::AfterSequence(5))).err().unwrap();
    assert_eq!(error, actor_store_core::StoreError::SubscriptionLagged { requested: 6, first_available: first });
    let mut beginning = handle.subscribe(&from(StartPosition::Beginning)).unwrap();
    assert_eq!(take(&mut beginning, 1)[0]["sequence"], first);
    assert_eq!(handle.subscribe(&from(StartPosition::Timestamp(0))).err().unwrap().code(), "SUBSCRIPTION_LAGGED");
    // Trimming the log never touches the data.
    assert_eq!(store.len(), 300);
}

#[test]
fn a_log_emptied_by_retention_still_continues_its_sequence_after_reopen() {
    let dir = TempDir::new().unwrap();
    let retention = Retention { max_events: Some(0), max_age_ms: None };
    let keep_nothing = PersistentOptions { retention, ..options() };
    let handle = open_shared(dir.path(), keep_nothing).unwrap();
    for n in 0..5 {
        handle.store().unwrap().insert("t", &n.to_string(), "0").unwrap();
    }
    assert_eq!(handle.store().unwrap().cdc_stats().unwrap().replay_buffer_size, 0);
    handle.close();

    let handle = open_shared(dir.path(), keep_nothing).unwrap();
    let store = handle.store().unwrap();
    assert_eq!(store.cdc_stats().unwrap().current_sequence, 5, "no sequence is reused");
    let mut live = handle.subscribe(&from(StartPosition::Now)).unwrap();
    store.update("t", "0", "1").unwrap();
    assert_eq!(sequences(&take(&mut live, 1)), [5]);
    assert_eq!(store.len(), 5);
}

#[test]
fn restore_makes_the_state_exactly_the_snapshot_and_survives_reopen() {
    let dir = TempDir::new().unwrap();
    let handle = open(&dir);
    let store = handle.store().unwrap();
    for n in 0..20 {
        store.insert("users", &n.to_string(), &n.to_string()).unwrap();
    }
    store.update("users", "3", "33").unwrap();
    let snapshot = store.snapshot().unwrap();
    assert_eq!((snapshot.sequence, snapshot.actors.len()), (21, 20));
    store.insert("temp", "1", "{\"foo\":\"bar\"}").unwrap();
    store.update("users", "3", "333").unwrap();
    store.delete("users", "4").unwrap();
    let before = store.cdc_stats().unwrap().current_sequence;
    assert_eq!(store.restore(&snapshot).unwrap(), 3);
    assert_eq!(store.get("temp", "1").unwrap(), None);
    let three = store.get("users", "3").unwrap().unwrap();
    assert_eq!((three.value(), three.version()), ("33", 1));
    assert_eq!(store.cdc_stats().unwrap().current_sequence, before + 3, "restores take new sequences");
    handle.close();
    let handle = open(&dir);
    let mut actors = handle.store().unwrap().snapshot().unwrap().actors;
    let mut expected = snapshot.actors.clone();
    actors.sort_by(|a, b| a.id.cmp(&b.id));
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(actors, expected);
}

#[test]
fn a_checkpoint_opens_as_a_copy() {
    let dir = TempDir::new().unwrap();
    let copy = TempDir::new().unwrap();
    let target = copy.path().join("backup");
    let handle = open(&dir);
    handle.store().unwrap().insert("t", "x", "\"kept\"").unwrap();
    handle.store().unwrap().checkpoint(&target).unwrap();
    handle.store().unwrap().update("t", "x", "\"later\"").unwrap();
    let restored = open_shared(&target, options()).unwrap();
    assert_eq!(restored.store().unwrap().get("t", "x").unwrap().unwrap().value(), "\"kept\"");
    assert_eq!(restored.store().unwrap().cdc_stats().unwrap().current_sequence, 1);
}

#[test]
fn paths_that_are_not_stores_are_refused_and_left_alone() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "data").unwrap();
    assert_eq!(open_shared(&file, options()).err().unwrap().code(), "STORAGE_ERROR");
    assert_eq!(fs::read_to_string(&file).unwrap(), "data");

    let foreign = dir.path().join("photos");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("cat.jpg"), "meow").unwrap();
    assert_eq!(open_shared(&foreign, options()).err().unwrap().code(), "STORE_CORRUPTED");
    assert_eq!(fs::read_dir(&foreign).unwrap().count(), 1, "nothing was written");

    let store_dir = TempDir::new().unwrap();
    open(&store_dir).store().unwrap().insert("t", "x", "1").unwrap();
    for entry in fs::read_dir(store_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("MANIFEST") || name == "CURRENT" {
            fs::write(&path, b"\x00garbage\xff").unwrap();
        }
    }
    let damaged = open_shared(store_dir.path(), options()).err().unwrap();
    assert!(["STORE_CORRUPTED", "STORAGE_ERROR"].contains(&damaged.code()), "{damaged}");
}

#[test]
fn one_open_per_process_is_shared_and_released_by_the_last_close() {
    let dir = TempDir::new().unwrap();
    let first = open(&dir);
    let second = open(&dir);
    first.store().unwrap().insert("t", "x", "1").unwrap();
    assert!(second.store().unwrap().get("t", "x").unwrap().is_some());
    first.close();
    second.store().unwrap().insert("t", "y", "2").unwrap();
    second.close();
    // Closed: the lock is released, so the directory opens again.
    let third = open(&dir);
    assert_eq!(third.store().unwrap().len(), 2);
}

#[test]
fn synced_writes_from_many_threads_share_syncs_and_all_land() {
    let dir = TempDir::new().unwrap();
    let handle =
        std::sync::Arc::new(open_shared(dir.path(), PersistentOptions { sync_writes: true, ..options() }).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                for n in 0..50 {
                    handle.store().unwrap().insert("t", &format!("{t}-{n}"), "0").unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    handle.close();
    assert_eq!(open(&dir).store().unwrap().len(), 200);
}
