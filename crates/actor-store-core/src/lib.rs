//! Actor Store core: versioned actor state with compare-and-swap, and a global, gapless change
//! stream with replay. No N-API here; the binding crate converts and delegates.

mod actor_id;
mod actor_map;
pub mod cdc;
pub mod commit_queue;
pub mod error;
pub mod event_wire;
pub mod handle;
pub mod journal;
pub mod json;
mod json_syntax;
pub mod limits;
pub mod model;
mod record;
pub mod registry;
mod restore;
pub mod snapshot;
pub mod storage;
pub mod store;
mod type_index;

pub use actor_id::ActorId;
pub use cdc::Polled;
pub use cdc::Subscription;
pub use commit_queue::Outcomes;
pub use commit_queue::ReplySink;
pub use commit_queue::WriteOp;
pub use commit_queue::WriteOutcome;
pub use error::Result;
pub use error::StoreError;
pub use handle::StoreHandle;
pub use journal::Journal;
pub use model::CdcStats;
pub use model::ChangeEvent;
pub use model::Json;
pub use model::Operation;
pub use model::Record;
pub use model::StartPosition;
pub use model::SubscriptionOptions;
pub use snapshot::Snapshot;
pub use snapshot::SnapshotActor;
pub use storage::MemoryBackend;
pub use storage::StorageBackend;
pub use store::MemoryStore;
pub use store::Store;
pub use store::StoreConfig;
