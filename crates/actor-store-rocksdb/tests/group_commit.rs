//! Async writes on a syncing store: writes that queue up while a sync runs share the next log
//! write and the next sync, and each is acknowledged only after its sync. A lone write is synced
//! on the commit thread; when more writes wait, a sync thread syncs written groups while the
//! commit thread goes on applying and writing the next ones.

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

const COMMIT_THREAD: &str = "actor-store-commit";
const SYNC_THREAD: &str = "actor-store-sync";

/// Forwards outcomes to the test with the name of the thread that delivered them. The first
/// delivery made on each thread of `hold_on` waits for a `release`, holding that thread while
/// the test looks on.
struct HeldSink {
    hold_on: Mutex<Vec<&'static str>>,
    outcomes: mpsc::Sender<(String, Outcomes)>,
    held: mpsc::Sender<()>,
    release: Mutex<mpsc::Receiver<()>>,
}

impl ReplySink for HeldSink {
    fn deliver(&self, outcomes: Outcomes) {
        let thread = std::thread::current().name().unwrap_or_default().to_owned();
        let hold = {
            let mut hold_on = self.hold_on.lock();
            let position = hold_on.iter().position(|name| *name == thread);
            position.map(|index| hold_on.remove(index)).is_some()
        };
        if hold {
            self.held.send(()).unwrap();
            self.release.lock().recv().unwrap();
        }
        self.outcomes.send((thread, outcomes)).unwrap();
    }
}

struct Fixture {
    _dir: TempDir,
    handle: Arc<StoreHandle>,
    sink: Arc<dyn ReplySink>,
    outcomes: mpsc::Receiver<(String, Outcomes)>,
    held: mpsc::Receiver<()>,
    release: mpsc::Sender<()>,
}

impl Fixture {
    fn open(hold_on: &[&'static str]) -> Self {
        let dir = TempDir::new().unwrap();
        let options = PersistentOptions { sync_writes: true, ..Default::default() };
        let handle = Arc::new(open_shared(dir.path(), options).unwrap());
        let (outcomes_to_test, outcomes) = mpsc::channel();
        let (held_to_test, held) = mpsc::channel();
        let (release, release_answers) = mpsc::channel();
        let sink: Arc<dyn ReplySink> = Arc::new(HeldSink {
            hold_on: Mutex::new(hold_on.to_vec()),
            outcomes: outcomes_to_test,
            held: held_to_test,
            release: Mutex::new(release_answers),
        });
        Self { _dir: dir, handle, sink, outcomes, held, release }
    }

    fn insert(&self, ticket: u64) {
        let value = ticket.to_string();
        let op = WriteOp::Insert((&value).into());
        self.handle.submit("t", &format!("actor:{ticket}"), op, ticket, self.sink.clone()).unwrap();
    }

    fn wait_until_held(&self) {
        self.held.recv_timeout(Duration::from_secs(10)).expect("a delivery is held");
    }

    /// The next `count` outcomes, each with the thread that delivered it.
    fn answers(&self, count: usize) -> Vec<(String, u64, Result<WriteOutcome>)> {
        self.batches(count).into_iter().flatten().collect()
    }

    /// The next `count` outcomes as the batches they were delivered in.
    fn batches(&self, count: usize) -> Vec<Vec<(String, u64, Result<WriteOutcome>)>> {
        let (mut batches, mut answered) = (Vec::new(), 0);
        while answered < count {
            let (thread, batch) = self.outcomes.recv_timeout(Duration::from_secs(10)).expect("outcomes in time");
            answered += batch.len();
            batches.push(batch.into_iter().map(|(ticket, outcome)| (thread.clone(), ticket, outcome)).collect());
        }
        batches
    }
}

#[test]
fn writes_queued_during_a_sync_share_the_next_log_write_and_sync() {
    let fixture = Fixture::open(&[COMMIT_THREAD]);
    fixture.insert(0);
    fixture.wait_until_held();
    let store = fixture.handle.store().unwrap();
    assert_eq!(store.durable_syncs(), 1, "the first write was synced before it was answered");
    assert_eq!(store.journal_writes(), 1);
    for ticket in 1..1000 {
        fixture.insert(ticket);
    }
    fixture.release.send(()).unwrap();

    let answered = fixture.answers(1000);
    assert!(answered.iter().all(|(_, _, outcome)| *outcome == Ok(WriteOutcome::Version(0))));
    assert!(
        answered.iter().all(|(thread, _, _)| thread == COMMIT_THREAD),
        "with nothing else queued, a group is synced and answered on the commit thread"
    );
    assert_eq!(store.durable_syncs(), 2, "the 999 writes queued behind the first group shared one sync");
    assert_eq!(store.journal_writes(), 2, "and reached the log in one atomic write");
    assert_eq!(store.len(), 1000);
}

#[test]
fn the_commit_thread_writes_the_next_groups_while_a_sync_is_pending() {
    let fixture = Fixture::open(&[COMMIT_THREAD, SYNC_THREAD]);
    let store = fixture.handle.store().unwrap();
    // A lone write is synced on the commit thread, which the sink holds in its first delivery
    // while more writes than one group takes queue up behind it.
    fixture.insert(0);
    fixture.wait_until_held();
    let total = 10_000;
    for ticket in 1..total {
        fixture.insert(ticket);
    }
    fixture.release.send(()).unwrap();
    assert_eq!(fixture.answers(1)[0].1, 0);
    // With writes still queued, the next group's sync goes to the sync thread, which the sink
    // holds in turn.
    fixture.wait_until_held();
    // The sync thread is held, yet the commit thread applies and writes every queued write (it
    // has handed its last group on once the count of log writes stays put).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut written = (store.journal_writes(), Instant::now());
    while store.len() < total as usize || written.1.elapsed() < Duration::from_millis(100) {
        assert!(Instant::now() < deadline, "the commit thread kept writing while a sync was pending");
        if store.journal_writes() != written.0 {
            written = (store.journal_writes(), Instant::now());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let written = written.0;
    assert!(written >= 3, "later groups reached the log during the held sync ({written} writes)");
    assert!(fixture.outcomes.try_recv().is_err(), "nothing is acknowledged before its sync");
    fixture.release.send(()).unwrap();

    let batches = fixture.batches(total as usize - 1);
    let syncs = store.durable_syncs();
    // The lone write's sync was the commit thread's; every later sync covered the groups written
    // before it, answered to the sink in one batch (one call into JS per sync, not per group).
    assert_eq!(batches.len() as u64, syncs - 1, "one batch per sync of the sync thread ({syncs} syncs)");
    let answered: Vec<_> = batches.into_iter().flatten().collect();
    assert!(answered.iter().all(|(_, _, outcome)| *outcome == Ok(WriteOutcome::Version(0))));
    assert_eq!(
        answered.iter().map(|(_, ticket, _)| *ticket).collect::<Vec<_>>(),
        (1..total).collect::<Vec<_>>(),
        "answered in the order written"
    );
    assert!(answered.iter().all(|(thread, _, _)| thread == SYNC_THREAD));
    assert!(syncs < written, "groups written during one sync shared the next ({syncs} syncs, {written} writes)");
}
