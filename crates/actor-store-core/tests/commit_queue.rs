//! Async writes through the commit queue: outcomes come back with their tickets, in order, as
//! the same results and events the synchronous calls give; failures change nothing.

mod common;

use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use actor_store_core::ReplySink;
use actor_store_core::Result;
use actor_store_core::StartPosition;
use actor_store_core::StoreError;
use actor_store_core::StoreHandle;
use actor_store_core::SubscriptionOptions;
use actor_store_core::WriteOp;
use actor_store_core::WriteOutcome;
use common::*;

type Outcomes = Vec<(u64, Result<WriteOutcome>)>;

/// Hands each delivered batch to the test.
struct Collect(mpsc::Sender<Outcomes>);

impl ReplySink for Collect {
    fn deliver(&self, outcomes: Outcomes) {
        self.0.send(outcomes).unwrap();
    }
}

fn sink() -> (Arc<dyn ReplySink>, mpsc::Receiver<Outcomes>) {
    let (sender, receiver) = mpsc::channel();
    (Arc::new(Collect(sender)), receiver)
}

/// Every outcome for tickets 0..count, in delivery order.
fn receive(receiver: &mpsc::Receiver<Outcomes>, count: usize) -> Outcomes {
    let mut all = Vec::new();
    while all.len() < count {
        all.extend(receiver.recv_timeout(Duration::from_secs(10)).expect("outcomes in time"));
    }
    all
}

fn submit(handle: &Arc<StoreHandle>, sink: &Arc<dyn ReplySink>, ticket: u64, id: &str, op: WriteOp) {
    handle.submit("t", id, op, ticket, sink.clone()).unwrap();
}

#[test]
fn outcomes_come_back_in_submission_order_with_their_tickets() {
    let handle = Arc::new(open(1024));
    let (sink, receiver) = sink();
    submit(&handle, &sink, 10, "a", WriteOp::Insert("1".into()));
    submit(&handle, &sink, 11, "a", WriteOp::Update("2".into()));
    submit(&handle, &sink, 12, "a", WriteOp::UpdateVersioned("3".into(), 1));
    submit(&handle, &sink, 13, "a", WriteOp::UpdateVersioned("4".into(), 1));
    submit(&handle, &sink, 14, "a", WriteOp::Insert("5".into()));
    submit(&handle, &sink, 15, "missing", WriteOp::Update("6".into()));
    submit(&handle, &sink, 16, "a", WriteOp::Delete);
    submit(&handle, &sink, 17, "a", WriteOp::Delete);
    let outcomes = receive(&receiver, 8);
    let tickets: Vec<u64> = outcomes.iter().map(|(ticket, _)| *ticket).collect();
    assert_eq!(tickets, (10..18).collect::<Vec<_>>());
    let results: Vec<&Result<WriteOutcome>> = outcomes.iter().map(|(_, outcome)| outcome).collect();
    assert_eq!(results[0], &Ok(WriteOutcome::Version(0)));
    assert_eq!(results[1], &Ok(WriteOutcome::Version(1)));
    assert_eq!(results[2], &Ok(WriteOutcome::Version(2)));
    assert_eq!(results[3], &Err(StoreError::VersionMismatch { expected: 1, actual: 2 }));
    assert!(matches!(results[4], Err(StoreError::KeyAlreadyExists { .. })));
    assert!(matches!(results[5], Err(StoreError::NotFound { .. })));
    match results[6] {
        Ok(WriteOutcome::Deleted(Some(record))) => assert_eq!((record.value(), record.version()), ("3", 2)),
        other => panic!("delete returned {other:?}"),
    }
    assert_eq!(results[7], &Ok(WriteOutcome::Deleted(None)));
}

#[test]
fn async_writes_emit_the_events_sync_writes_do_and_failures_emit_none() {
    let handle = Arc::new(open(1024));
    let mut subscription = handle.subscribe(&SubscriptionOptions::default()).unwrap();
    let (sink, receiver) = sink();
    submit(&handle, &sink, 0, "a", WriteOp::Insert("{\"n\":1}".into()));
    submit(&handle, &sink, 1, "a", WriteOp::UpdateVersioned("{\"n\":2}".into(), 5));
    submit(&handle, &sink, 2, "a", WriteOp::Update("{\"n\":3}".into()));
    submit(&handle, &sink, 3, "a", WriteOp::Delete);
    receive(&receiver, 4);
    let events = drain(&mut subscription);
    let summary: Vec<(u64, &str, Option<u64>)> = events
        .iter()
        .map(|e| (e["sequence"].as_u64().unwrap(), e["operation"].as_str().unwrap(), e["newVersion"].as_u64()))
        .collect();
    assert_eq!(summary, [(0, "INSERT", Some(0)), (1, "UPDATE", Some(1)), (2, "DELETE", None)]);
}

#[test]
fn writers_on_many_threads_each_get_every_answer_and_no_version_is_lost() {
    let handle = Arc::new(open(1 << 16));
    handle.store().unwrap().insert("t", "counter", "0").unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let handle = handle.clone();
            thread::spawn(move || {
                let (sink, receiver) = sink();
                for ticket in 0..500 {
                    submit(&handle, &sink, ticket, "counter", WriteOp::Update((&ticket.to_string()).into()));
                }
                let outcomes = receive(&receiver, 500);
                let tickets: Vec<u64> = outcomes.iter().map(|(ticket, _)| *ticket).collect();
                assert_eq!(tickets, (0..500).collect::<Vec<_>>(), "one caller's writes are applied in its order");
                outcomes.into_iter().map(|(_, outcome)| outcome.unwrap()).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut versions: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .map(|outcome| match outcome {
            WriteOutcome::Version(version) => version,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=2000).collect::<Vec<_>>());
    assert_eq!(handle.store().unwrap().get("t", "counter").unwrap().unwrap().version(), 2000);
    let mut replay = handle.subscribe(&SubscriptionOptions { start: StartPosition::Beginning, ..Default::default() });
    assert_eq!(take(replay.as_mut().unwrap(), 2001).len(), 2001);
}

#[test]
fn a_closed_handle_refuses_new_writes_and_the_store_keeps_serving_others() {
    let shared = actor_store_core::registry::open_named("commit-queue-close", Default::default()).unwrap();
    let other = Arc::new(actor_store_core::registry::open_named("commit-queue-close", Default::default()).unwrap());
    let closing = Arc::new(shared);
    let (sink, receiver) = sink();
    closing.close();
    let refused = closing.submit("t", "a", WriteOp::Insert("1".into()), 0, sink.clone());
    assert_eq!(refused, Err(StoreError::StoreClosed));
    submit(&other, &sink, 1, "a", WriteOp::Insert("1".into()));
    assert_eq!(receive(&receiver, 1), vec![(1, Ok(WriteOutcome::Version(0)))]);
    assert_eq!(other.store().unwrap().get("t", "a").unwrap().unwrap().version(), 0);
}

/// Panics on its first delivery, then forwards like `Collect`.
struct PanicsOnce {
    panicked: std::sync::atomic::AtomicBool,
    forward: mpsc::Sender<Outcomes>,
}

impl ReplySink for PanicsOnce {
    fn deliver(&self, outcomes: Outcomes) {
        if !self.panicked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            panic!("a sink that fails");
        }
        self.forward.send(outcomes).unwrap();
    }
}

#[test]
fn a_sink_that_panics_does_not_stop_the_commit_thread() {
    let handle = Arc::new(open(1024));
    let (forward, receiver) = mpsc::channel();
    let sink: Arc<dyn ReplySink> = Arc::new(PanicsOnce { panicked: false.into(), forward });
    submit(&handle, &sink, 0, "a", WriteOp::Insert("1".into()));
    // Wait until the first answer has been attempted (the write is applied before it).
    let store = handle.store().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while store.get("t", "a").unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "the first write was applied");
        thread::sleep(Duration::from_millis(1));
    }
    submit(&handle, &sink, 1, "a", WriteOp::Update("2".into()));
    let answered = receive(&receiver, 1);
    assert_eq!(answered, vec![(1, Ok(WriteOutcome::Version(1)))]);
}
