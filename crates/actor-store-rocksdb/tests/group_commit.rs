//! Group commit of async writes: writes that queue up while the commit thread is busy share one
//! log write; on a syncing store, groups written while a sync runs share the next sync (the commit
//! thread keeps writing meanwhile), and each write is acknowledged only after its sync.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use actor_store_core::ReplySink;
use actor_store_core::Result;
use actor_store_core::StoreHandle;
use actor_store_core::WriteOp;
use actor_store_core::WriteOutcome;
use actor_store_rocksdb::registry::open_shared;
use actor_store_rocksdb::PersistentOptions;
use parking_lot::Mutex;
use tempfile::TempDir;

type Outcomes = Vec<(u64, Result<WriteOutcome>)>;

/// Forwards outcomes to the test; the first delivery waits for `release`, which holds the thread
/// that answers (the commit thread, or on a syncing store the sync thread) after its first group.
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

struct Fixture {
    _dir: TempDir,
    handle: Arc<StoreHandle>,
    sink: Arc<dyn ReplySink>,
    outcomes: mpsc::Receiver<Outcomes>,
    held: mpsc::Receiver<()>,
    release: mpsc::Sender<()>,
}

impl Fixture {
    fn open(sync_writes: bool) -> Self {
        let dir = TempDir::new().unwrap();
        let options = PersistentOptions { sync_writes, ..Default::default() };
        let handle = Arc::new(open_shared(dir.path(), options).unwrap());
        let (outcomes_to_test, outcomes) = mpsc::channel();
        let (held_to_test, held) = mpsc::channel();
        let (release, release_answers) = mpsc::channel();
        let sink: Arc<dyn ReplySink> = Arc::new(HeldSink {
            outcomes: outcomes_to_test,
            held: held_to_test,
            release: Mutex::new(Some(release_answers)),
        });
        Self { _dir: dir, handle, sink, outcomes, held, release }
    }

    fn insert(&self, ticket: u64) {
        let op = WriteOp::Insert(ticket.to_string());
        self.handle.submit("t".into(), format!("actor:{ticket}"), op, ticket, self.sink.clone()).unwrap();
    }

    /// Inserts ticket 0 and waits until its answer is held.
    fn hold_first_answer(&self) {
        self.insert(0);
        self.held.recv_timeout(Duration::from_secs(10)).expect("the first group is answered");
    }

    fn answers(&self, count: usize) -> Outcomes {
        let mut answered = Vec::new();
        while answered.len() < count {
            answered.extend(self.outcomes.recv_timeout(Duration::from_secs(10)).expect("outcomes in time"));
        }
        answered
    }
}

#[test]
fn writes_queued_while_the_commit_thread_is_busy_share_one_log_write() {
    let fixture = Fixture::open(false);
    fixture.hold_first_answer();
    let store = fixture.handle.store().unwrap();
    assert_eq!(store.journal_writes(), 1);
    for ticket in 1..1000 {
        fixture.insert(ticket);
    }
    fixture.release.send(()).unwrap();
    let answered = fixture.answers(1000);
    assert!(answered.iter().all(|(_, outcome)| *outcome == Ok(WriteOutcome::Version(0))));
    assert_eq!(store.journal_writes(), 2, "the 999 writes queued behind the first group reached the log in one write");
    assert_eq!(store.len(), 1000);
}

#[test]
fn groups_written_during_a_sync_share_the_next_sync_and_wait_for_it() {
    let fixture = Fixture::open(true);
    fixture.hold_first_answer();
    let store = fixture.handle.store().unwrap();
    assert_eq!(store.durable_syncs(), 1, "the first write was synced before it was answered");
    for ticket in 1..1000 {
        fixture.insert(ticket);
    }
    // The sync thread is held, yet the commit thread applies and writes every queued write (it
    // has handed its last group on once the count of log writes stays put).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut writes = (0, Instant::now());
    while store.len() < 1000 || writes.1.elapsed() < Duration::from_millis(100) {
        assert!(Instant::now() < deadline, "the commit thread kept writing while a sync was pending");
        if store.journal_writes() != writes.0 {
            writes = (store.journal_writes(), Instant::now());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(store.journal_writes() >= 2);
    assert!(fixture.outcomes.try_recv().is_err(), "nothing is acknowledged before its sync");
    fixture.release.send(()).unwrap();
    let answered = fixture.answers(1000);
    assert!(answered.iter().all(|(_, outcome)| *outcome == Ok(WriteOutcome::Version(0))));
    assert_eq!(
        answered.iter().map(|(ticket, _)| *ticket).collect::<Vec<_>>(),
        (0..1000).collect::<Vec<_>>(),
        "answered in the order written"
    );
    assert_eq!(store.durable_syncs(), 2, "every group written during the held sync shared the next one");
}
