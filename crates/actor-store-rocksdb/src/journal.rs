use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;

use actor_store_core::cdc::now_ms;
use actor_store_core::ChangeEvent;
use actor_store_core::Journal;
use actor_store_core::Result;
use actor_store_core::StoreError;
use parking_lot::Mutex;
use parking_lot::RwLock;
use rocksdb::checkpoint::Checkpoint;
use rocksdb::ColumnFamily;
use rocksdb::Direction;
use rocksdb::IteratorMode;
use rocksdb::WriteBatch;
use rocksdb::WriteOptions;
use rocksdb::DB;

use crate::codec::decode_event;
use crate::codec::log_key;
use crate::codec::{self};
use crate::errors::from_rocksdb;
use crate::open::ACTORS;
use crate::open::LOG;
use crate::open::META;
use crate::open::NEXT_SEQUENCE;
use crate::open::TRIMMED_TIMESTAMP;

/// How much change log to keep. The default keeps the newest 1,000,000 events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_events: Option<u64>,
    pub max_age_ms: Option<u64>,
}

impl Default for Retention {
    fn default() -> Self {
        Self { max_events: Some(1_000_000), max_age_ms: None }
    }
}

/// How often (in sequences) age-based retention looks for expired events.
const AGE_CHECK_INTERVAL: u64 = 1024;
const NO_TIMESTAMP: u64 = u64::MAX;

/// Actor state and change log in one RocksDB: each change is one `WriteBatch` holding the
/// actor's new state, the log entry keyed by its sequence, and the next sequence.
pub struct RocksJournal {
    db: RwLock<Option<DB>>,
    sync_writes: bool,
    retention: Retention,
    /// One past the newest recorded sequence.
    recorded: AtomicU64,
    /// One past the newest sequence known to be synced to disk.
    synced: AtomicU64,
    sync_lock: Mutex<()>,
    syncs: AtomicU64,
    writes: AtomicU64,
    staged: Mutex<Staged>,
    first_retained: AtomicU64,
    trimmed_timestamp: AtomicU64,
}

impl RocksJournal {
    pub(crate) fn new(
        db: DB,
        sync_writes: bool,
        retention: Retention,
        next: u64,
        first: u64,
        trimmed: Option<u64>,
    ) -> Self {
        Self {
            db: RwLock::new(Some(db)),
            sync_writes,
            retention,
            recorded: AtomicU64::new(next),
            synced: AtomicU64::new(next),
            sync_lock: Mutex::new(()),
            syncs: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            staged: Mutex::new(Staged::default()),
            first_retained: AtomicU64::new(first),
            trimmed_timestamp: AtomicU64::new(trimmed.unwrap_or(NO_TIMESTAMP)),
        }
    }

    fn with_db<T>(&self, work: impl FnOnce(&DB) -> Result<T>) -> Result<T> {
        let db = self.db.read();
        work(db.as_ref().ok_or(StoreError::StoreClosed)?)
    }

    /// Drops log entries that retention no longer keeps. Runs inside `record`, so in order.
    fn trim(&self, db: &DB, next: u64) -> Result<()> {
        let first = self.first_retained.load(Ordering::Acquire);
        let mut new_first = first;
        if let Some(max) = self.retention.max_events {
            // Trim in steps, not on every write.
            if next - first > max + max / 16 {
                new_first = next - max;
            }
        }
        if let Some(max_age) = self.retention.max_age_ms.filter(|_| next.is_multiple_of(AGE_CHECK_INTERVAL)) {
            let cutoff = now_ms().saturating_sub(max_age);
            for item in db.iterator_cf(cf(db, LOG)?, IteratorMode::From(&log_key(new_first), Direction::Forward)) {
                let (key, value) = item.map_err(from_rocksdb)?;
                let event = decode_event(codec::decode_log_key(&key)?, &value)?;
                if event.timestamp >= cutoff {
                    break;
                }
                new_first = event.sequence + 1;
            }
        }
        if new_first <= first {
            return Ok(());
        }
        let newest_trimmed = self.read_with(db, new_first - 1, 1)?;
        let timestamp = newest_trimmed.first().map_or(0, |event| event.timestamp);
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(cf(db, LOG)?, log_key(first), log_key(new_first));
        batch.put_cf(cf(db, META)?, TRIMMED_TIMESTAMP, timestamp.to_be_bytes());
        // The log may now be empty: keep the sequence where reopening can find it.
        batch.put_cf(cf(db, META)?, NEXT_SEQUENCE, next.to_be_bytes());
        db.write(batch).map_err(from_rocksdb)?;
        self.trimmed_timestamp.store(timestamp, Ordering::Release);
        self.first_retained.store(new_first, Ordering::Release);
        Ok(())
    }

    /// Writes the pending batch in one atomic write. The next sequence is the newest log key + 1;
    /// it is written to `meta` only when retention empties the log (see `trim`).
    fn write_staged(&self, db: &DB, staged: &mut Staged) -> Result<()> {
        let Some(next) = staged.next.take() else { return Ok(()) };
        let batch = std::mem::take(&mut staged.batch);
        let had_staged = std::mem::take(&mut staged.has_staged);
        // The WAL write reaches the OS before this returns: a process crash cannot lose it.
        if let Err(error) = db.write_opt(batch, &WriteOptions::default()) {
            // Staged changes are in memory but not in the log: refuse further writes rather
            // than let the log and the state drift apart.
            staged.lost = had_staged;
            return Err(from_rocksdb(error));
        }
        self.recorded.store(next, Ordering::Release);
        self.writes.fetch_add(1, Ordering::Relaxed);
        // Retention is housekeeping: a failure here must not fail the committed write.
        let _ = self.trim(db, next);
        Ok(())
    }

    fn read_with(&self, db: &DB, from: u64, max: usize) -> Result<Vec<ChangeEvent>> {
        let mut events = Vec::with_capacity(max.min(1024));
        for item in db.iterator_cf(cf(db, LOG)?, IteratorMode::From(&log_key(from), Direction::Forward)).take(max) {
            let (key, value) = item.map_err(from_rocksdb)?;
            events.push(decode_event(codec::decode_log_key(&key)?, &value)?);
        }
        Ok(events)
    }
}

/// Changes added to the next write: staged ones (group commit) and the one being recorded.
#[derive(Default)]
struct Staged {
    batch: WriteBatch,
    /// One past the newest sequence in `batch`, or None when it is empty.
    next: Option<u64>,
    /// `batch` holds changes staged by `stage` (already applied in memory).
    has_staged: bool,
    /// Staged changes the log lost because their write failed.
    lost: bool,
    /// Where each key and value is encoded before the batch copies it in.
    key: Vec<u8>,
    value: Vec<u8>,
}

/// Adds each change's new state and its log entry to the pending batch.
fn append(db: &DB, staged: &mut Staged, events: &[ChangeEvent]) -> Result<()> {
    if staged.lost {
        return Err(StoreError::Storage(
            "a write to the log failed after changes were applied in memory; reopen the store".into(),
        ));
    }
    let Some(last) = events.last() else { return Ok(()) };
    let (actors, log) = (cf(db, ACTORS)?, cf(db, LOG)?);
    let Staged { batch, key, value, .. } = staged;
    for event in events {
        key.clear();
        codec::push_actor_key(key, &event.actor_type, &event.actor_id);
        match &event.next {
            Some(record) => {
                value.clear();
                codec::push_record_value(value, record);
                batch.put_cf(actors, &key, &value);
            }
            None => batch.delete_cf(actors, &key),
        }
        value.clear();
        codec::push_event_value(value, event);
        batch.put_cf(log, log_key(event.sequence), &value);
    }
    staged.next = Some(last.sequence + 1);
    Ok(())
}

pub(crate) fn cf<'a>(db: &'a DB, name: &str) -> Result<&'a ColumnFamily> {
    db.cf_handle(name).ok_or_else(|| codec::corrupt(&format!("column family {name:?} is missing")))
}

impl Journal for RocksJournal {
    fn record(&self, events: &[ChangeEvent]) -> Result<()> {
        let mut staged = self.staged.lock();
        self.with_db(|db| {
            append(db, &mut staged, events)?;
            self.write_staged(db, &mut staged)
        })
    }

    fn stage(&self, events: &[ChangeEvent]) -> Result<()> {
        let mut staged = self.staged.lock();
        self.with_db(|db| append(db, &mut staged, events))?;
        staged.has_staged = true;
        Ok(())
    }

    fn flush_staged(&self) -> Result<()> {
        let mut staged = self.staged.lock();
        self.with_db(|db| self.write_staged(db, &mut staged))
    }

    fn syncs_writes(&self) -> bool {
        self.sync_writes
    }

    fn durable(&self) -> u64 {
        if self.sync_writes {
            self.synced.load(Ordering::Acquire)
        } else {
            self.recorded.load(Ordering::Acquire)
        }
    }

    fn sync_through(&self, sequence: u64) -> Result<()> {
        if !self.sync_writes || self.synced.load(Ordering::Acquire) > sequence {
            return Ok(());
        }
        // Group commit: whoever holds the lock syncs everything recorded so far for all waiters.
        let _syncing = self.sync_lock.lock();
        if self.synced.load(Ordering::Acquire) > sequence {
            return Ok(());
        }
        let target = self.recorded.load(Ordering::Acquire);
        self.with_db(|db| db.flush_wal(true).map_err(from_rocksdb))?;
        self.synced.fetch_max(target, Ordering::AcqRel);
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    fn read(&self, from: u64, max: usize) -> Result<Vec<ChangeEvent>> {
        self.with_db(|db| self.read_with(db, from, max))
    }

    fn first_retained(&self) -> u64 {
        self.first_retained.load(Ordering::Acquire)
    }

    fn last_trimmed_timestamp(&self) -> Option<u64> {
        Some(self.trimmed_timestamp.load(Ordering::Acquire)).filter(|&t| t != NO_TIMESTAMP)
    }

    fn seek_timestamp(&self, ms: u64) -> Result<Option<u64>> {
        self.with_db(|db| {
            // Timestamps never decrease along the sequence: binary search the retained log.
            let (mut low, mut high) = (self.first_retained(), self.recorded.load(Ordering::Acquire));
            while low < high {
                let middle = low + (high - low) / 2;
                let event = self.read_with(db, middle, 1)?;
                match event.first() {
                    Some(event) if event.timestamp < ms => low = event.sequence + 1,
                    _ => high = middle,
                }
            }
            Ok((low < self.recorded.load(Ordering::Acquire)).then_some(low))
        })
    }

    fn checkpoint(&self, path: &Path) -> Result<()> {
        self.with_db(|db| {
            db.flush_wal(true).map_err(from_rocksdb)?;
            Checkpoint::new(db).and_then(|checkpoint| checkpoint.create_checkpoint(path)).map_err(from_rocksdb)?;
            crate::open::mark_as_store(path)
        })
    }

    fn close(&self) {
        // Changes staged for a group still in progress go to the log before it closes.
        let _ = self.flush_staged();
        if let Some(db) = self.db.write().take() {
            let _ = db.flush_wal(true);
            // Move everything into table files: a cleanly closed store does not depend on its
            // write-ahead log, and reopens without replaying it.
            for name in [ACTORS, LOG, META] {
                if let Some(family) = db.cf_handle(name) {
                    let _ = db.flush_cf(family);
                }
            }
            drop(db);
        }
    }
}

impl Drop for RocksJournal {
    fn drop(&mut self) {
        self.close();
    }
}
