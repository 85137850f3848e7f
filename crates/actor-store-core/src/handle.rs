use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::cdc::Subscription;
use crate::commit_queue::ReplySink;
use crate::commit_queue::WriteOp;
use crate::commit_queue::WriteRequest;
use crate::error::Result;
use crate::error::StoreError;
use crate::model::SubscriptionOptions;
use crate::queued_write::QueuedWrite;
use crate::storage::MemoryBackend;
use crate::storage::StorageBackend;
use crate::store::Store;

/// One user's reference to a store (in JS: one `ActorStore` object). Closing it ends its
/// subscriptions and refuses its later calls; the store itself shuts down with its last handle.
pub struct StoreHandle<B: StorageBackend = MemoryBackend> {
    store: Arc<Store<B>>,
    closed: Arc<AtomicBool>,
}

impl<B: StorageBackend> StoreHandle<B> {
    /// A handle on `store`, or None if it has already shut down.
    pub fn acquire(store: Arc<Store<B>>) -> Option<Self> {
        store.acquire().then(|| Self { store, closed: Arc::new(AtomicBool::new(false)) })
    }

    /// The store, while this handle is open.
    pub fn store(&self) -> Result<&Store<B>> {
        if self.closed.load(Ordering::Acquire) {
            Err(StoreError::StoreClosed)
        } else {
            Ok(&self.store)
        }
    }

    /// The store whether or not this handle is closed (for work already accepted).
    pub(crate) fn shared_store(&self) -> &Store<B> {
        &self.store
    }

    /// Queues a write for the store's commit thread; its outcome reaches `reply` with `ticket`.
    pub fn submit(
        self: &Arc<Self>,
        actor_type: &str,
        id: &str,
        op: WriteOp<'_>,
        ticket: u64,
        reply: Arc<dyn ReplySink>,
    ) -> Result<()> {
        let store = self.store()?;
        let write = QueuedWrite::new(actor_type, id, op);
        store.commit_queue().submit(WriteRequest { handle: self.clone(), write, ticket, reply });
        Ok(())
    }

    pub fn subscribe(&self, options: &SubscriptionOptions) -> Result<Subscription> {
        self.store()?.subscribe(options, self.closed.clone())
    }

    /// Idempotent.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            self.store.wake_subscribers();
            self.store.release();
        }
    }
}

impl<B: StorageBackend> Drop for StoreHandle<B> {
    fn drop(&mut self) {
        self.close();
    }
}
