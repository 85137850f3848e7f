//! Async writes on a syncing store: writes that queue up while a sync runs share the next log
//! write and the next sync, and each is acknowledged only after its sync.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use actor_store_core::ReplySink;
use actor_store_core::Result;
use actor_store_core::WriteOp;
use actor_store_core::WriteOutcome;
use actor_store_rocksdb::registry::open_shared;
use actor_store_rocksdb::PersistentOptions;
use parking_lot::Mutex;
use tempfile::TempDir;

type Outcomes = Vec<(u64, Result<WriteOutcome>)>;

/// Forwards outcomes to the test; the first delivery waits for `release`, which holds the commit
/// thread between its first group and the next while the test queues more writes.
struct HeldSink {
    outcomes: mpsc::Sender<Outcomes>,
    held: mpsc::Sender<()>,
    release: Mutex<Option<mpsc::Receiver<()>>>,
}

impl ReplySink for HeldSink {
    fn deliver(&self, outcomes: Outcomes) {
        if let Some(release) = self.release.lock().take() {
            self.held.send(()).unwrap();
            release.recv().unwrap();
        }
        self.outcomes.send(outcomes).unwrap();
    }
}

#[test]
fn writes_queued_during_a_sync_share_the_next_log_write_and_sync() {
    let dir = TempDir::new().unwrap();
    let options = PersistentOptions { sync_writes: true, ..Default::default() };
    let handle = Arc::new(open_shared(dir.path(), options).unwrap());
    let (outcomes_to_test, outcomes) = mpsc::channel();
    let (held_to_test, held) = mpsc::channel();
    let (release_commit, release) = mpsc::channel();
    let sink: Arc<dyn ReplySink> =
        Arc::new(HeldSink { outcomes: outcomes_to_test, held: held_to_test, release: Mutex::new(Some(release)) });
    let insert = |ticket: u64| {
        let op = WriteOp::Insert(ticket.to_string());
        handle.submit("t".into(), format!("actor:{ticket}"), op, ticket, sink.clone()).unwrap();
    };

    insert(0);
    held.recv_timeout(Duration::from_secs(10)).expect("the first group is answered");
    let store = handle.store().unwrap();
    assert_eq!(store.durable_syncs(), 1, "the first write was synced before it was answered");
    assert_eq!(store.journal_writes(), 1);
    for ticket in 1..1000 {
        insert(ticket);
    }
    release_commit.send(()).unwrap();

    let mut answered = Vec::new();
    while answered.len() < 1000 {
        answered.extend(outcomes.recv_timeout(Duration::from_secs(10)).expect("outcomes in time"));
    }
    assert!(answered.iter().all(|(_, outcome)| *outcome == Ok(WriteOutcome::Version(0))));
    assert_eq!(store.durable_syncs(), 2, "the 999 writes queued behind the first group shared one sync");
    assert_eq!(store.journal_writes(), 2, "and reached the log in one atomic write");
    assert_eq!(store.len(), 1000);
}
