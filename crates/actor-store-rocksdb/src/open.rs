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
    let fresh = check_directory(path)?;
    let mut db_options = Options::default();
    db_options.create_if_missing(fresh);
    db_options.create_missing_column_families(fresh);
    db_options.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let families = [ACTORS, LOG, META].map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
    let db = DB::open_cf_descriptors(&db_options, path, families).map_err(from_rocksdb)?;
    let meta = cf(&db, META)?;
    match db.get_cf(meta, FORMAT).map_err(from_rocksdb)? {
        Some(format) if format == FORMAT_VALUE => {}
        None if fresh => db.put_cf(meta, FORMAT, FORMAT_VALUE).map_err(from_rocksdb)?,
        _ => return Err(StoreError::StoreCorrupted("the directory is not an Actor Store".into())),
    }
    let backend = MemoryBackend::new();
    for item in db.iterator_cf(cf(&db, ACTORS)?, IteratorMode::Start) {
        let (key, value) = item.map_err(from_rocksdb)?;
        let (actor_type, id) = codec::decode_actor_key(&key)?;
        backend.load(actor_type, id, codec::decode_record(&value)?);
    }
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
            fs::create_dir_all(path).map_err(|e| StoreError::Storage(format!("cannot create {shown}: {e}")))?;
            Ok(true)
        }
        Err(error) => Err(StoreError::Storage(format!("cannot use {shown}: {error}"))),
    }
}

/// The canonical form of `path`, so two spellings of one directory share one open store.
pub fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
