//! Async writes with group commit. Callers enqueue writes and return at once; one thread per store
//! applies them in arrival order, writes the whole group to the journal in one atomic write, makes
//! it durable with a single sync (with `durability: 'sync'`, one fsync for every write that queued
//! up during the previous one), and hands the outcomes back to each caller's sink in one batch.
//! While writes keep coming, a second thread runs each group's sync so that the commit thread
//! applies the next group meanwhile (one sync, and one batch per sink, for every group written
//! during the previous sync); a lone write is synced on the commit thread itself.

use std::panic::catch_unwind;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::Receiver;
use crossbeam_channel::Sender;

use crate::error::Result;
use crate::error::StoreError;
use crate::handle::StoreHandle;
use crate::model::Record;
use crate::queued_write::QueuedWrite;
use crate::storage::MemoryBackend;
use crate::storage::StorageBackend;
use crate::value_text::ValueText;

/// Most writes applied before their group is made durable and answered: bounds the wait of the
/// group's first writer.
const MAX_GROUP: usize = 4096;

/// A write to queue; `QueuedWrite` keeps a copy of it until it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp<'v> {
    Insert(ValueText<'v>),
    Update(ValueText<'v>),
    UpdateVersioned(ValueText<'v>, u64),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// An insert or update: the actor's new version.
    Version(u64),
    /// A delete: the actor's last state, or None if it did not exist.
    Deleted(Option<Record>),
}

/// `(ticket, outcome)` for each write of one group, in the order they were applied.
pub type Outcomes = Vec<(u64, Result<WriteOutcome>)>;

/// Where a caller's outcomes go, one batch per group.
pub trait ReplySink: Send + Sync {
    fn deliver(&self, outcomes: Outcomes);
}

pub struct WriteRequest<B: StorageBackend = MemoryBackend> {
    pub handle: Arc<StoreHandle<B>>,
    pub write: QueuedWrite,
    /// The caller's name for this write, handed back with its outcome.
    pub ticket: u64,
    pub reply: Arc<dyn ReplySink>,
}

pub struct CommitQueue<B: StorageBackend = MemoryBackend> {
    sender: Sender<WriteRequest<B>>,
}

impl<B: StorageBackend> CommitQueue<B> {
    /// Starts the queue's thread. It ends once the queue is dropped and drained; queued requests
    /// keep their store alive, so it is never dropped with work in it.
    pub(crate) fn start() -> Self {
        let (sender, receiver) = crossbeam_channel::unbounded();
        thread::Builder::new()
            .name("actor-store-commit".into())
            .spawn(move || run(&receiver))
            .expect("spawning the commit thread");
        Self { sender }
    }

    pub(crate) fn submit(&self, request: WriteRequest<B>) {
        // The receiver lives as long as this sender: the send cannot fail.
        let _ = self.sender.send(request);
    }
}

/// A group written to the journal, waiting for the sync that makes it durable.
struct Written<B: StorageBackend> {
    group: Vec<WriteRequest<B>>,
    outcomes: Vec<Result<WriteOutcome>>,
    last_sequence: Option<u64>,
}

/// The second thread of a syncing store: it syncs groups the commit thread has written while
/// that thread goes on applying the next ones, so applying and the disk's sync latency overlap.
struct Syncer<B: StorageBackend> {
    sender: Sender<Written<B>>,
    /// Groups handed over and not yet answered. While any are, later groups go the same way, so
    /// groups are answered in the order they were written.
    unanswered: Arc<AtomicUsize>,
}

fn run<B: StorageBackend>(queue: &Receiver<WriteRequest<B>>) {
    let mut syncer: Option<Syncer<B>> = None;
    let mut group = Vec::with_capacity(64);
    while let Ok(first) = queue.recv() {
        group.push(first);
        group.extend(queue.try_iter().take(MAX_GROUP - 1));
        // A bug must not leave callers waiting forever, nor end the thread for later writes.
        let mut written = match catch_unwind(AssertUnwindSafe(|| write_group(&mut group))) {
            Ok(written) => written,
            Err(_) => {
                let failed = StoreError::Internal("a group of async writes panicked".into());
                let outcomes = group.iter().map(|_| Err(failed.clone())).collect();
                answer(&mut group, outcomes);
                continue;
            }
        };
        let Some(store) = written.group.first().map(|request| request.handle.clone()) else { continue };
        let store = store.shared_store();
        // Hand the sync over only when more writes wait to be applied (or earlier groups are still
        // with the syncer): a lone write is synced here, without a thread hop on its way back.
        let busy = syncer.as_ref().is_some_and(|s| s.unanswered.load(Ordering::Acquire) > 0);
        if store.syncs_writes() && (busy || !queue.is_empty()) {
            let syncer = syncer.get_or_insert_with(start_syncer);
            syncer.unanswered.fetch_add(1, Ordering::AcqRel);
            // The syncer lives as long as this sender: the send cannot fail.
            let _ = syncer.sender.send(written);
        } else {
            let durable = catch_unwind(AssertUnwindSafe(|| store.make_durable(written.last_sequence)))
                .unwrap_or_else(|_| Err(StoreError::Internal("syncing a group of async writes panicked".into())));
            // A sink that panics must not end the thread: later writes still need it.
            let _ = catch_unwind(AssertUnwindSafe(|| settle(&mut written, durable)));
        }
    }
}

/// Applies every request and writes the group to the journal in one write.
fn write_group<B: StorageBackend>(group: &mut Vec<WriteRequest<B>>) -> Written<B> {
    let mut outcomes = Vec::with_capacity(group.len());
    let mut last_sequence = None;
    for request in group.iter() {
        let outcome = request.handle.store().and_then(|store| {
            let (outcome, sequence) = store.apply(&request.write)?;
            last_sequence = sequence.max(last_sequence);
            Ok(outcome)
        });
        outcomes.push(outcome);
    }
    if let Some(request) = group.first() {
        if let Err(error) = request.handle.shared_store().flush_staged() {
            fail_successes(&mut outcomes, &error);
        }
    }
    Written { group: std::mem::take(group), outcomes, last_sequence }
}

fn start_syncer<B: StorageBackend>() -> Syncer<B> {
    let (sender, receiver) = crossbeam_channel::unbounded::<Written<B>>();
    let unanswered = Arc::new(AtomicUsize::new(0));
    let counter = unanswered.clone();
    thread::Builder::new()
        .name("actor-store-sync".into())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                let mut written = vec![first];
                written.extend(receiver.try_iter());
                let groups = written.len();
                // Whatever happens in there, the count must come down, or every later group would
                // wait for this thread.
                let _ = catch_unwind(AssertUnwindSafe(|| sync_and_answer(written)));
                counter.fetch_sub(groups, Ordering::AcqRel);
            }
        })
        .expect("spawning the sync thread");
    Syncer { sender, unanswered }
}

/// One sync for every group written so far, then their answers, in the order they were written.
fn sync_and_answer<B: StorageBackend>(written: Vec<Written<B>>) {
    let last_sequence = written.iter().filter_map(|w| w.last_sequence).max();
    let store = written.iter().find_map(|w| w.group.first()).map(|request| request.handle.clone());
    let durable = catch_unwind(AssertUnwindSafe(|| {
        store.map_or(Ok(()), |handle| handle.shared_store().make_durable(last_sequence))
    }))
    .unwrap_or_else(|_| Err(StoreError::Internal("syncing a group of async writes panicked".into())));
    // Answered as one group: each caller's sink gets a single batch per sync, not one per group.
    let mut merged = Written { group: Vec::new(), outcomes: Vec::new(), last_sequence };
    for mut group in written {
        merged.group.append(&mut group.group);
        merged.outcomes.append(&mut group.outcomes);
    }
    settle(&mut merged, durable);
}

/// Answers a written group: its outcomes, or `durable`'s error for the writes that had succeeded.
fn settle<B: StorageBackend>(written: &mut Written<B>, durable: Result<()>) {
    let mut outcomes = std::mem::take(&mut written.outcomes);
    if let Err(error) = durable {
        fail_successes(&mut outcomes, &error);
    }
    answer(&mut written.group, outcomes);
}

/// A write is acknowledged only once it is as durable as promised.
fn fail_successes(outcomes: &mut [Result<WriteOutcome>], error: &StoreError) {
    for outcome in outcomes.iter_mut().filter(|outcome| outcome.is_ok()) {
        *outcome = Err(error.clone());
    }
}

/// Hands each sink its requests' outcomes (in request order) in one batch, and empties `group`.
fn answer<B: StorageBackend>(group: &mut Vec<WriteRequest<B>>, outcomes: Vec<Result<WriteOutcome>>) {
    let mut by_sink: Vec<(Arc<dyn ReplySink>, Outcomes)> = Vec::new();
    for (request, outcome) in group.drain(..).zip(outcomes) {
        match by_sink.iter_mut().find(|(sink, _)| Arc::ptr_eq(sink, &request.reply)) {
            Some((_, batch)) => batch.push((request.ticket, outcome)),
            None => by_sink.push((request.reply, vec![(request.ticket, outcome)])),
        }
    }
    for (sink, batch) in by_sink {
        sink.deliver(batch);
    }
}
