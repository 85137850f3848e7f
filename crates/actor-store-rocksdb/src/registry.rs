//! Persistent stores shared by every thread of the process: RocksDB allows one open per
//! directory per process, so every worker's `open(path)` gets a handle on the same store.

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::Weak;

use actor_store_core::MemoryStore;
use actor_store_core::Result;
use actor_store_core::StoreError;
use actor_store_core::StoreHandle;
use parking_lot::Mutex;

use crate::open::canonical;
use crate::open::open;
use crate::open::PersistentOptions;

type Open = (Weak<MemoryStore>, PersistentOptions);

static OPEN: LazyLock<Mutex<HashMap<PathBuf, Open>>> = LazyLock::new(Default::default);

/// A handle on the store in `path`, opening it if no thread of this process has it open.
pub fn open_shared(path: &Path, options: PersistentOptions) -> Result<StoreHandle> {
    let mut open_stores = OPEN.lock();
    open_stores.retain(|_, (store, _)| store.strong_count() > 0);
    let key = canonical(path);
    if let Some((store, opened_with)) = open_stores.get(&key) {
        if let Some(store) = store.upgrade().filter(|store| !store.is_closed()) {
            if *opened_with != options {
                return Err(StoreError::InvalidArgument(format!(
                    "{} is already open in this process with other options",
                    path.display()
                )));
            }
            if let Some(handle) = StoreHandle::acquire(store) {
                return Ok(handle);
            }
        }
    }
    let store = open(path, options)?;
    open_stores.insert(canonical(path), (Arc::downgrade(&store), options));
    StoreHandle::acquire(store).ok_or_else(|| StoreError::Internal("a new store refused its first handle".into()))
}
