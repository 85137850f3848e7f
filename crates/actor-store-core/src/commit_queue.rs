//! Async writes with group commit. Callers enqueue writes and return at once; one thread per store
//! applies them in arrival order, writes the whole group to the journal in one atomic write, makes
//! it durable with a single sync (with `durability: 'sync'`, one fsync for every write that queued
//! up during the previous one), and hands the outcomes back to each caller's sink in one batch.

use std::panic::catch_unwind;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::Receiver;
use crossbeam_channel::Sender;

use crate::error::Result;
use crate::error::StoreError;
use crate::handle::StoreHandle;
use crate::model::Record;
use crate::storage::MemoryBackend;
use crate::storage::StorageBackend;

/// Most writes applied before their group is made durable and answered: bounds the wait of the
/// group's first writer.
const MAX_GROUP: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    Insert(String),
    Update(String),
    UpdateVersioned(String, u64),
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
    pub actor_type: String,
    pub id: String,
    pub op: WriteOp,
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

fn run<B: StorageBackend>(queue: &Receiver<WriteRequest<B>>) {
    let mut group = Vec::with_capacity(64);
    while let Ok(first) = queue.recv() {
        group.push(first);
        group.extend(queue.try_iter().take(MAX_GROUP - 1));
        // A bug must not leave callers waiting forever, nor end the thread for later writes.
        if catch_unwind(AssertUnwindSafe(|| commit_group(&mut group))).is_err() {
            let failed = StoreError::Internal("a group of async writes panicked".into());
            let outcomes = group.iter().map(|_| Err(failed.clone())).collect();
            answer(&mut group, outcomes);
        }
    }
}

/// Applies every request, syncs once, then answers each sink with its requests' outcomes.
fn commit_group<B: StorageBackend>(group: &mut Vec<WriteRequest<B>>) {
    let mut outcomes = Vec::with_capacity(group.len());
    let mut last_sequence = None;
    for request in group.iter() {
        let outcome = request.handle.store().and_then(|store| {
            let (outcome, sequence) = store.apply(&request.actor_type, &request.id, &request.op)?;
            last_sequence = sequence.max(last_sequence);
            Ok(outcome)
        });
        outcomes.push(outcome);
    }
    // One write and one sync for the group; a write is acknowledged only once it is as
    // durable as promised.
    let synced = match group.first() {
        Some(request) => {
            let store = request.handle.shared_store();
            store.flush_staged().and_then(|()| store.make_durable(last_sequence))
        }
        None => Ok(()),
    };
    if let Err(error) = synced {
        for outcome in outcomes.iter_mut().filter(|outcome| outcome.is_ok()) {
            *outcome = Err(error.clone());
        }
    }
    answer(group, outcomes);
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
