//! The durable home of committed changes. A persistent store records each change — the actor's
//! new state and its change-log entry — in one atomic write, in sequence order, and serves the
//! log back to subscribers that are behind the in-memory cache.

use std::path::Path;

use crate::error::Result;
use crate::error::StoreError;
use crate::model::ChangeEvent;

pub trait Journal: Send + Sync + 'static {
    /// Durably records consecutive changes in one atomic write. Called in sequence order, by one
    /// caller at a time; on error nothing was recorded.
    fn record(&self, events: &[ChangeEvent]) -> Result<()>;

    /// Adds consecutive changes to the next write instead of writing them now (group commit):
    /// the next `record` or `flush_staged` writes them first, in the same atomic write. Same
    /// ordering rules as `record`.
    fn stage(&self, events: &[ChangeEvent]) -> Result<()> {
        self.record(events)
    }

    /// Writes every staged change.
    fn flush_staged(&self) -> Result<()> {
        Ok(())
    }

    /// Whether writes are synced (power-loss durable) before they count as durable.
    fn syncs_writes(&self) -> bool {
        false
    }

    /// One past the newest sequence that is as durable as the store promises (written, and
    /// synced when syncing): what subscribers may see.
    fn durable(&self) -> u64;

    /// Returns once every change up to `sequence` survives what the store promises (a process
    /// crash by default, power loss when syncing). Concurrent callers share one sync.
    fn sync_through(&self, sequence: u64) -> Result<()>;

    /// How many syncs made writes durable so far (with group commit, fewer than the writes).
    fn syncs(&self) -> u64 {
        0
    }

    /// How many atomic writes reached the log so far (a staged group is one).
    fn writes(&self) -> u64 {
        0
    }

    /// Logged events from `from` on, at most `max`, in sequence order.
    fn read(&self, from: u64, max: usize) -> Result<Vec<ChangeEvent>>;

    /// The oldest sequence still in the log (the next sequence when the log is empty).
    fn first_retained(&self) -> u64;

    /// The newest timestamp among events retention has removed, if any.
    fn last_trimmed_timestamp(&self) -> Option<u64>;

    /// The first logged sequence with `timestamp >= ms`.
    fn seek_timestamp(&self, ms: u64) -> Result<Option<u64>>;

    /// Writes a consistent copy of the store that can be opened on its own (a backup).
    fn checkpoint(&self, _path: &Path) -> Result<()> {
        Err(StoreError::InvalidArgument("this store cannot write checkpoints".into()))
    }

    /// Flushes and releases the storage (its files and lock). Later calls fail with StoreClosed.
    fn close(&self) {}
}
