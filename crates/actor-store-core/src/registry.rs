//! Named stores shared by every thread of the process (in Node: every worker thread, since the
//! addon is loaded once per process). Only weak references are kept: a store lives while a
//! handle does.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::Weak;

use parking_lot::Mutex;

use crate::error::Result;
use crate::error::StoreError;
use crate::handle::StoreHandle;
use crate::store::MemoryStore;
use crate::store::Store;
use crate::store::StoreConfig;

static NAMED: LazyLock<Mutex<HashMap<String, Weak<MemoryStore>>>> = LazyLock::new(Default::default);

/// A handle on the in-memory store called `name`, created with `config` if it is not open.
pub fn open_named(name: &str, config: StoreConfig) -> Result<StoreHandle> {
    let mut named = NAMED.lock();
    named.retain(|_, store| store.strong_count() > 0);
    if let Some(store) = named.get(name).and_then(Weak::upgrade).filter(|store| !store.is_closed()) {
        if store.config() != config {
            return Err(StoreError::InvalidArgument(format!(
                "store {name:?} is already open with replayBufferSize {}",
                store.config().replay_buffer_size
            )));
        }
        if let Some(handle) = StoreHandle::acquire(store) {
            return Ok(handle);
        }
    }
    let store = Store::in_memory(config)?;
    named.insert(name.to_owned(), Arc::downgrade(&store));
    StoreHandle::acquire(store).ok_or_else(|| StoreError::Internal("a new store refused its first handle".into()))
}

/// A handle on a new private in-memory store.
pub fn open_private(config: StoreConfig) -> Result<StoreHandle> {
    let store = Store::in_memory(config)?;
    StoreHandle::acquire(store).ok_or_else(|| StoreError::Internal("a new store refused its first handle".into()))
}
