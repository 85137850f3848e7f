use std::fs;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

use actor_store_core::Journal;
use actor_store_core::MemoryBackend;
use actor_store_core::MemoryStore;
use actor_store_core::Result;
use actor_store_core::StorageBackend;
use actor_store_core::Store;
use actor_store_core::StoreConfig;
use actor_store_core::StoreError;
use rocksdb::ColumnFamilyDescriptor;
use rocksdb::DBRecoveryMode;
use rocksdb::Direction;
use rocksdb::IteratorMode;
use rocksdb::Options;
use rocksdb::DB;

use crate::codec;
use crate::errors::from_rocksdb;
use crate::journal::cf;
use crate::journal::Retention;
use crate::journal::RocksJournal;

pub(crate) const ACTORS: &str = "actors";
pub(crate) const LOG: &str = "log";
pub(crate) const META: &str = "meta";
pub(crate) const FORMAT: &[u8] = b"format";
pub(crate) const NEXT_SEQUENCE: &[u8] = b"next_sequence";
pub(crate) const TRIMMED_TIMESTAMP: &[u8] = b"trimmed_timestamp";
const FORMAT_VALUE: &[u8] = b"actor-store/1";
/// A file that marks a directory as an Actor Store before RocksDB is asked to open it.
const MARKER_FILE: &str = "ACTOR_STORE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersistentOptions {
    pub config: StoreConfig,
    /// Sync the WAL before a write returns (survives power loss); otherwise a write survives a
    /// crash of the process but not of the machine.
    pub sync_writes: bool,
    pub retention: Retention,
}

/// Opens (creating if absent) the store in `path`, recovering every actor and the sequence.
/// Refuses, without touching anything, a path that is a file or a directory of other files.
pub fn open(path: &Path, options: PersistentOptions) -> Result<Arc<MemoryStore>> {
    if check_directory(path)? {
        create(path)?;
    }
    let db = DB::open_cf_descriptors(&db_options(false), path, families()).map_err(from_rocksdb)?;
    let meta = cf(&db, META)?;
    if db.get_cf(meta, FORMAT).map_err(from_rocksdb)?.as_deref() != Some(FORMAT_VALUE) {
        return Err(StoreError::StoreCorrupted("the directory is not an Actor Store".into()));
    }
    let backend = load_actors(&db)?;
    let read_u64 = |key: &[u8]| -> Result<Option<u64>> {
        match db.get_cf(meta, key).map_err(from_rocksdb)? {
            Some(bytes) => Ok(Some(u64::from_be_bytes(
                bytes.as_slice().try_into().map_err(|_| codec::corrupt("a counter has the wrong size"))?,
            ))),
            None => Ok(None),
        }
    };
    let log = cf(&db, LOG)?;
    let last_logged = match db.iterator_cf(log, IteratorMode::End).next() {
        Some(item) => Some(codec::decode_log_key(&item.map_err(from_rocksdb)?.0)?),
        None => None,
    };
    // The next sequence is written with every change; the log can only confirm it.
    let next = read_u64(NEXT_SEQUENCE)?.unwrap_or(0).max(last_logged.map_or(0, |last| last + 1));
    let first = match db.iterator_cf(log, IteratorMode::From(&codec::log_key(0), Direction::Forward)).next() {
        Some(item) => codec::decode_log_key(&item.map_err(from_rocksdb)?.0)?,
        None => next,
    };
    let trimmed = read_u64(TRIMMED_TIMESTAMP)?;
    let journal = RocksJournal::new(db, options.sync_writes, options.retention, next, first, trimmed);
    let journal: Arc<dyn Journal> = Arc::new(journal);
    Store::with_backend(backend, next, options.config, Some(journal))
}

/// Every actor, read type by type (a type's keys are contiguous) and handed to the backend a
/// whole type at a time.
fn load_actors(db: &DB) -> Result<MemoryBackend> {
    let backend = MemoryBackend::new();
    let mut current_type: Option<String> = None;
    let mut actors = Vec::new();
    for item in db.iterator_cf(cf(db, ACTORS)?, IteratorMode::Start) {
        let (key, value) = item.map_err(from_rocksdb)?;
        let (actor_type, id) = codec::decode_actor_key(&key)?;
        if current_type.as_deref() != Some(actor_type) {
            if let Some(done) = current_type.replace(actor_type.to_owned()) {
                backend.load(&done, std::mem::take(&mut actors));
            }
        }
        actors.push(codec::decode_record(id, &value)?);
    }
    if let Some(last) = current_type {
        backend.load(&last, actors);
    }
    Ok(backend)
}

fn db_options(create: bool) -> Options {
    let mut options = Options::default();
    options.create_if_missing(create);
    options.create_missing_column_families(create);
    options.set_compression_type(rocksdb::DBCompressionType::Lz4);
    // A torn last record (power loss mid-write) is dropped; damage anywhere else is an error,
    // never a silent truncation that would lose acknowledged writes and rewind the sequence.
    options.set_wal_recovery_mode(DBRecoveryMode::TolerateCorruptedTailRecords);
    // Writes reach RocksDB one at a time (the journal's commit lock), so its machinery for
    // concurrent writers only costs: without it a memtable insert reuses the previous insert's
    // position (log keys always append) instead of searching from the top of the skip list.
    options.set_allow_concurrent_memtable_write(false);
    options.set_enable_write_thread_adaptive_yield(false);
    options
}

fn families() -> [ColumnFamilyDescriptor; 3] {
    let mut actors = Options::default();
    // An actor's state is rewritten on every change: overwrite it where it is in the memtable
    // instead of adding one more version for the skip list to sort through on every insert.
    actors.set_inplace_update_support(true);
    [(ACTORS, actors), (LOG, Options::default()), (META, Options::default())]
        .map(|(name, options)| ColumnFamilyDescriptor::new(name, options))
}

/// Creates the store in a sibling directory and renames it into place, so a crash while
/// creating leaves `path` as it was (absent or empty) rather than half a store.
fn create(path: &Path) -> Result<()> {
    let storage =
        |what: &str, error: std::io::Error| StoreError::Storage(format!("cannot {what} {}: {error}", path.display()));
    let name = path.file_name().map_or_else(|| "store".into(), |name| name.to_string_lossy().into_owned());
    let staging = path.with_file_name(format!(".{name}.creating-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    {
        let db = DB::open_cf_descriptors(&db_options(true), &staging, families()).map_err(from_rocksdb)?;
        db.put_cf(cf(&db, META)?, FORMAT, FORMAT_VALUE).map_err(from_rocksdb)?;
        db.flush_wal(true).map_err(from_rocksdb)?;
    }
    mark_as_store(&staging)?;
    // rename(2) replaces an empty directory atomically.
    fs::rename(&staging, path).map_err(|e| storage("create", e))
}

/// Marks `dir` (holding a complete store) as an Actor Store directory.
pub(crate) fn mark_as_store(dir: &Path) -> Result<()> {
    fs::write(dir.join(MARKER_FILE), FORMAT_VALUE)
        .map_err(|e| StoreError::Storage(format!("cannot write {}: {e}", dir.display())))
}

/// True when the store must be created; an error for anything that is not a store directory.
fn check_directory(path: &Path) -> Result<bool> {
    let shown = path.display();
    match fs::metadata(path) {
        Ok(metadata) if !metadata.is_dir() => {
            Err(StoreError::Storage(format!("{shown} is a file, not a store directory")))
        }
        Ok(_) => {
            let mut entries =
                fs::read_dir(path).map_err(|e| StoreError::Storage(format!("cannot read {shown}: {e}")))?;
            if entries.next().is_none() {
                return Ok(true);
            }
            if path.join("CURRENT").is_file() {
                Ok(false)
            } else {
                Err(StoreError::StoreCorrupted(format!(
                    "{shown} holds files that are not an Actor Store; refusing to use it"
                )))
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(|e| StoreError::Storage(format!("cannot create {shown}: {e}")))?;
            }
            Ok(true)
        }
        Err(error) => Err(StoreError::Storage(format!("cannot use {shown}: {error}"))),
    }
}

/// The canonical form of `path`, so two spellings of one directory share one open store.
pub fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
