use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::sync::OnceLock;

use parking_lot::Mutex;
use parking_lot::RwLock;

use crate::cdc::ChangeStream;
use crate::cdc::Subscription;
use crate::cdc::Write;
use crate::commit_queue::CommitQueue;
use crate::commit_queue::WriteOp;
use crate::commit_queue::WriteOutcome;
use crate::error::Result;
use crate::error::StoreError;
use crate::journal::Journal;
use crate::limits;
use crate::limits::check_key;
use crate::model::ActorId;
use crate::model::CdcStats;
use crate::model::Json;
use crate::model::Operation;
use crate::model::Record;
use crate::model::SubscriptionOptions;
use crate::queued_write::QueuedWrite;
use crate::snapshot::Snapshot;
use crate::snapshot::SnapshotActor;
use crate::storage::MemoryBackend;
use crate::storage::StorageBackend;
use crate::value_text::ValueText;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// How many recent change events are held for replay.
    pub replay_buffer_size: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { replay_buffer_size: limits::DEFAULT_REPLAY_BUFFER_SIZE }
    }
}

/// Open handles; the store shuts down when the last one closes.
#[derive(Default)]
struct Lifecycle {
    handles: usize,
    closed: bool,
}

/// The actor store: validates, decides each write under the actor's lock, and sequences the
/// resulting change into the change stream before the lock is released.
pub struct Store<B: StorageBackend = MemoryBackend> {
    backend: B,
    /// Writes hold it shared; snapshots and restores hold it exclusively, for a point-in-time view.
    gate: RwLock<()>,
    changes: ChangeStream,
    config: StoreConfig,
    closed: AtomicBool,
    lifecycle: Mutex<Lifecycle>,
    commit_queue: OnceLock<CommitQueue<B>>,
}

pub type MemoryStore = Store<MemoryBackend>;

impl Store<MemoryBackend> {
    pub fn in_memory(config: StoreConfig) -> Result<Arc<Self>> {
        Self::with_backend(MemoryBackend::new(), 0, config, None)
    }
}

impl<B: StorageBackend> Store<B> {
    /// A store over `backend` (already holding any recovered state), whose next change gets
    /// sequence `next_sequence`; every change is also recorded in `journal` when given.
    pub fn with_backend(
        backend: B,
        next_sequence: u64,
        config: StoreConfig,
        journal: Option<Arc<dyn Journal>>,
    ) -> Result<Arc<Self>> {
        limits::check_replay_buffer_size(config.replay_buffer_size)?;
        Ok(Arc::new(Self {
            backend,
            gate: RwLock::new(()),
            changes: ChangeStream::new(next_sequence, config.replay_buffer_size, journal),
            config,
            closed: AtomicBool::new(false),
            lifecycle: Mutex::new(Lifecycle::default()),
            commit_queue: OnceLock::new(),
        }))
    }

    pub fn config(&self) -> StoreConfig {
        self.config
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn check_open(&self) -> Result<()> {
        if self.is_closed() {
            Err(StoreError::StoreClosed)
        } else {
            Ok(())
        }
    }

    fn check_write<'v>(&self, actor_type: &str, id: &str, value: ValueText<'v>) -> Result<&'v str> {
        self.check_open()?;
        check_key("actorType", actor_type)?;
        check_key("id", id)?;
        value.checked()
    }

    /// Adds a new actor at version 0.
    pub fn insert<'v>(&self, actor_type: &str, id: &str, value: impl Into<ValueText<'v>>) -> Result<u64> {
        let (version, sequence) = self.insert_committed(actor_type, id, value.into(), Write::Now)?;
        self.make_durable(Some(sequence))?;
        Ok(version)
    }

    pub fn get(&self, actor_type: &str, id: &str) -> Result<Option<Record>> {
        self.check_open()?;
        check_key("actorType", actor_type)?;
        check_key("id", id)?;
        Ok(self.backend.get(actor_type, id))
    }

    /// A hint that the caller is about to update this actor: its state starts loading into cache
    /// while the caller prepares the write. Changes nothing; bad keys are left to the write.
    pub fn prefetch(&self, actor_type: &str, id: &str) {
        self.backend.prefetch(actor_type, id);
    }

    /// Replaces an actor's value; returns the new version.
    pub fn update<'v>(&self, actor_type: &str, id: &str, value: impl Into<ValueText<'v>>) -> Result<u64> {
        let (version, sequence) = self.replace_committed(actor_type, id, value.into(), None, Write::Now)?;
        self.make_durable(Some(sequence))?;
        Ok(version)
    }

    /// Replaces an actor's value only if its version is `expected` (compare-and-swap).
    pub fn update_versioned<'v>(
        &self,
        actor_type: &str,
        id: &str,
        value: impl Into<ValueText<'v>>,
        expected: u64,
    ) -> Result<u64> {
        let (version, sequence) = self.replace_committed(actor_type, id, value.into(), Some(expected), Write::Now)?;
        self.make_durable(Some(sequence))?;
        Ok(version)
    }

    /// Removes an actor; returns its last state, or None (and no event) if it did not exist.
    pub fn delete(&self, actor_type: &str, id: &str) -> Result<Option<Record>> {
        let (removed, sequence) = self.delete_committed(actor_type, id, Write::Now)?;
        self.make_durable(sequence)?;
        Ok(removed)
    }

    /// Applies `op` and returns its outcome with the sequence it took, staging its journal write:
    /// the caller writes a group of changes with `flush_staged` and makes them durable once.
    /// Until then the change is visible to reads but not published to subscribers.
    pub(crate) fn apply(&self, write: &QueuedWrite) -> Result<(WriteOutcome, Option<u64>)> {
        let (actor_type, id, staged) = (write.actor_type(), write.id(), Write::Staged);
        Ok(match write.op() {
            WriteOp::Insert(value) => {
                let (version, sequence) = self.insert_committed(actor_type, id, value, staged)?;
                (WriteOutcome::Version(version), Some(sequence))
            }
            WriteOp::Update(value) => {
                let (version, sequence) = self.replace_committed(actor_type, id, value, None, staged)?;
                (WriteOutcome::Version(version), Some(sequence))
            }
            WriteOp::UpdateVersioned(value, expected) => {
                let (version, sequence) = self.replace_committed(actor_type, id, value, Some(expected), staged)?;
                (WriteOutcome::Version(version), Some(sequence))
            }
            WriteOp::Delete => {
                let (removed, sequence) = self.delete_committed(actor_type, id, staged)?;
                (WriteOutcome::Deleted(removed), sequence)
            }
        })
    }

    /// Writes the changes `apply` staged, in one write, and publishes them.
    pub(crate) fn flush_staged(&self) -> Result<()> {
        self.changes.sequencer().flush_staged()
    }

    /// Waits until every change up to `sequence` is as durable as the store promises.
    pub(crate) fn make_durable(&self, sequence: Option<u64>) -> Result<()> {
        match sequence {
            Some(sequence) => self.changes.sequencer().make_durable(sequence),
            None => Ok(()),
        }
    }

    /// Whether writes wait for a sync (fsync) before they count as durable.
    pub(crate) fn syncs_writes(&self) -> bool {
        self.changes.sequencer().journal().is_some_and(|journal| journal.syncs_writes())
    }

    /// The async write queue, started on first use.
    pub(crate) fn commit_queue(&self) -> &CommitQueue<B> {
        self.commit_queue.get_or_init(CommitQueue::start)
    }

    fn insert_committed(&self, actor_type: &str, id: &str, value: ValueText, write: Write) -> Result<(u64, u64)> {
        let value = self.check_write(actor_type, id, value)?;
        let record = Record::new(id, value, 0);
        let sequencer = self.changes.sequencer();
        let mut sequence = 0;
        let _writing = self.gate.read();
        let inserted = self.backend.insert(actor_type, id, record.clone(), |actor_type, id| {
            sequence = sequencer.append(Operation::Insert, actor_type, id, None, Some(&record), write)?;
            Ok(())
        });
        sequencer.publish();
        inserted.map(|()| (0, sequence))
    }

    fn replace_committed(
        &self,
        actor_type: &str,
        id: &str,
        value: ValueText,
        expected: Option<u64>,
        write: Write,
    ) -> Result<(u64, u64)> {
        let value = self.check_write(actor_type, id, value)?;
        let sequencer = self.changes.sequencer();
        let (mut version, mut sequence) = (0, 0);
        let _writing = self.gate.read();
        let updated = self.backend.update(actor_type, id, |actor_type, id, current| {
            if let Some(expected) = expected.filter(|&expected| expected != current.version()) {
                return Err(StoreError::VersionMismatch { expected, actual: current.version() });
            }
            let next = current.next(value, current.version() + 1);
            sequence = sequencer.append(Operation::Update, actor_type, id, Some(current), Some(&next), write)?;
            version = next.version();
            Ok(next)
        });
        sequencer.publish();
        updated.map(|()| (version, sequence))
    }

    fn delete_committed(&self, actor_type: &str, id: &str, write: Write) -> Result<(Option<Record>, Option<u64>)> {
        self.check_open()?;
        check_key("actorType", actor_type)?;
        check_key("id", id)?;
        let sequencer = self.changes.sequencer();
        let mut sequence = 0;
        let _writing = self.gate.read();
        let removed = self.backend.remove(actor_type, id, |actor_type, id, current| {
            sequence = sequencer.append(Operation::Delete, actor_type, id, Some(current), None, write)?;
            Ok(())
        });
        sequencer.publish();
        let removed = removed?;
        let sequence = removed.is_some().then_some(sequence);
        Ok((removed, sequence))
    }

    pub fn get_all(&self, actor_type: &str) -> Result<Vec<Record>> {
        self.check_open()?;
        check_key("actorType", actor_type)?;
        Ok(self.backend.get_all(actor_type))
    }

    /// Every actor as of one point in the sequence, taken while writers wait.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.check_open()?;
        let _exclusive = self.gate.write();
        let mut actors = Vec::with_capacity(self.backend.len());
        self.backend.scan(&mut |actor_type, id, record| {
            actors.push(SnapshotActor {
                actor_type: actor_type.clone(),
                id: id.clone(),
                value: Json::from(record.value()),
                version: record.version(),
            });
        });
        Ok(Snapshot { sequence: self.changes.sequencer().next_sequence(), actors })
    }

    /// Makes the state exactly `snapshot`'s (values and versions), emitting a change event for
    /// every actor that differs, so a consumer mirroring the stream stays equal to the store.
    /// Returns how many changes that took. Checks the whole snapshot before changing anything.
    pub fn restore(&self, snapshot: &Snapshot) -> Result<u64> {
        self.check_open()?;
        let wanted = crate::restore::check(snapshot)?;
        let _exclusive = self.gate.write();
        let sequencer = self.changes.sequencer();
        let plan = crate::restore::plan(&self.backend, &wanted);
        // Every change is staged, and all of them reach the log in one write: a crash leaves all
        // of the restore or none of it. (Published events show up once it is written.)
        let mut last = None;
        let mut append = |operation: Operation,
                          actor_type: &Arc<str>,
                          id: &ActorId,
                          previous: Option<&Record>,
                          next: Option<&Record>|
         -> Result<()> {
            last = Some(sequencer.append(operation, actor_type, id, previous, next, Write::Staged)?);
            // In memory this publishes at once; a journal's staged changes wait for the flush.
            sequencer.publish();
            Ok(())
        };
        let applied = (|| -> Result<()> {
            for (actor_type, id) in &plan.removals {
                self.backend.remove(actor_type, id, |actor_type, id, current| {
                    append(Operation::Delete, actor_type, id, Some(current), None)
                })?;
            }
            for actor in &plan.inserts {
                let record = Record::new(&actor.id, &actor.value, actor.version);
                self.backend.insert(&actor.actor_type, &actor.id, record.clone(), |actor_type, id| {
                    append(Operation::Insert, actor_type, id, None, Some(&record))
                })?;
            }
            for actor in &plan.updates {
                self.backend.update(&actor.actor_type, &actor.id, |actor_type, id, current| {
                    let next = current.next(&actor.value, actor.version);
                    append(Operation::Update, actor_type, id, Some(current), Some(&next))?;
                    Ok(next)
                })?;
            }
            Ok(())
        })();
        let flushed = sequencer.flush_staged();
        applied?;
        flushed?;
        if let Some(sequence) = last {
            sequencer.make_durable(sequence)?;
        }
        Ok(plan.changes() as u64)
    }

    /// Writes a copy of a persistent store that `open` can use (a RocksDB checkpoint).
    pub fn checkpoint(&self, path: &std::path::Path) -> Result<()> {
        self.check_open()?;
        match self.changes.sequencer().journal() {
            Some(journal) => journal.checkpoint(path),
            None => Err(StoreError::InvalidArgument("an in-memory store has no checkpoints; use a snapshot".into())),
        }
    }

    /// A subscription that ends when `handle_closed` is set or the store closes.
    pub fn subscribe(&self, options: &SubscriptionOptions, handle_closed: Arc<AtomicBool>) -> Result<Subscription> {
        self.check_open()?;
        if options.actor_type.as_deref().is_some_and(|t| t.is_empty() || t.len() > limits::MAX_KEY_BYTES) {
            return Err(StoreError::InvalidArgument("actorType filter must be a non-empty key".into()));
        }
        if options.key_prefix.as_deref().is_some_and(|p| p.len() > limits::MAX_KEY_BYTES) {
            return Err(StoreError::InvalidArgument("keyPrefix is longer than a key can be".into()));
        }
        self.changes.subscribe(options, handle_closed)
    }

    pub fn cdc_stats(&self) -> Result<CdcStats> {
        self.check_open()?;
        Ok(self.changes.stats())
    }

    /// How many syncs a persistent store has made to make writes durable (0 in memory).
    pub fn durable_syncs(&self) -> u64 {
        self.changes.sequencer().journal().map_or(0, |journal| journal.syncs())
    }

    /// How many atomic writes a persistent store's log has taken (0 in memory).
    pub fn journal_writes(&self) -> u64 {
        self.changes.sequencer().journal().map_or(0, |journal| journal.writes())
    }

    /// Number of actors of every type.
    pub fn len(&self) -> usize {
        self.backend.len()
    }

    pub fn is_empty(&self) -> bool {
        self.backend.is_empty()
    }

    /// Wakes every waiting subscriber so it re-checks whether it has ended.
    pub(crate) fn wake_subscribers(&self) {
        self.changes.history().wake_all();
    }

    /// Registers a new handle; false once the store has shut down.
    pub(crate) fn acquire(&self) -> bool {
        let mut lifecycle = self.lifecycle.lock();
        if lifecycle.closed {
            return false;
        }
        lifecycle.handles += 1;
        true
    }

    /// Drops a handle; the last one shuts the store down.
    pub(crate) fn release(&self) {
        let mut lifecycle = self.lifecycle.lock();
        lifecycle.handles = lifecycle.handles.saturating_sub(1);
        if lifecycle.handles == 0 && !lifecycle.closed {
            lifecycle.closed = true;
            self.closed.store(true, Ordering::Release);
            drop(lifecycle);
            self.changes.close();
            if let Some(journal) = self.changes.sequencer().journal() {
                journal.close();
            }
        }
    }
}
