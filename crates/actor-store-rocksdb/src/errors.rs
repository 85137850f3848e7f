use actor_store_core::StoreError;
use rocksdb::ErrorKind;

/// RocksDB's errors as the store's: a held lock, damaged data, or a file-system failure.
pub fn from_rocksdb(error: rocksdb::Error) -> StoreError {
    let kind = error.kind();
    let message = error.into_string();
    if message.contains("lock") || message.contains("LOCK") {
        return StoreError::StoreLocked(format!("the data directory is in use by another process ({message})"));
    }
    match kind {
        ErrorKind::Corruption => StoreError::StoreCorrupted(format!("the store's data is damaged ({message})")),
        ErrorKind::InvalidArgument => {
            StoreError::StoreCorrupted(format!("the directory is not an Actor Store ({message})"))
        }
        _ => StoreError::Storage(message),
    }
}
