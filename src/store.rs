use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;

use actor_store_core::json;
use actor_store_core::registry;
use actor_store_core::CdcStats;
use actor_store_core::StartPosition;
use actor_store_core::StoreConfig;
use actor_store_core::StoreHandle;
use actor_store_core::SubscriptionOptions;
use actor_store_rocksdb::registry::open_shared;
use actor_store_rocksdb::PersistentOptions;
use actor_store_rocksdb::Retention;
use napi::bindgen_prelude::Either;
use napi::bindgen_prelude::External;
use napi::bindgen_prelude::Function;
use napi_derive::napi;

use crate::error::invalid_argument;
use crate::error::to_native;
use crate::error::to_u64;
use crate::error::Result;
use crate::fast::FastHandle;
use crate::snapshot::NativeActorList;
use crate::snapshot::NativeRestore;
use crate::snapshot::NativeSnapshot;
use crate::subscription::NativeSubscription;
use crate::write_replies::JsReplies;

/// Results larger than this cross as slices: V8 strings stop at about 512 MB.
const ONE_STRING_LIMIT: usize = 64 << 20;

/// Change-stream counters.
#[napi(object)]
pub struct NativeCdcStats {
    /// Events committed so far.
    pub total_events: f64,
    /// The sequence the next event will get.
    pub current_sequence: f64,
    /// Events held for replay.
    pub replay_buffer_size: f64,
    pub active_subscriptions: f64,
    /// Events no longer retained for replay.
    pub events_dropped: f64,
}

impl From<CdcStats> for NativeCdcStats {
    fn from(stats: CdcStats) -> Self {
        Self {
            total_events: stats.total_events as f64,
            current_sequence: stats.current_sequence as f64,
            replay_buffer_size: stats.replay_buffer_size as f64,
            active_subscriptions: stats.active_subscriptions as f64,
            events_dropped: stats.events_dropped as f64,
        }
    }
}

/// One JS handle on a core store. Values go in and come out as JSON text.
#[napi]
pub struct NativeStore {
    handle: Arc<StoreHandle>,
    replies: Arc<OnceLock<Arc<JsReplies>>>,
}

impl NativeStore {
    fn with_handle(handle: StoreHandle) -> Self {
        Self { handle: Arc::new(handle), replies: Arc::default() }
    }
}

#[napi]
impl NativeStore {
    /// A private store, or the process-wide store called `name` (shared by every worker thread).
    #[napi(constructor, catch_unwind)]
    pub fn new(name: Option<String>, replay_buffer_size: f64) -> Result<Self> {
        let replay_buffer_size = to_u64("replayBufferSize", replay_buffer_size)? as usize;
        let config = StoreConfig { replay_buffer_size };
        let handle = match name {
            Some(name) => registry::open_named(&name, config),
            None => registry::open_private(config),
        };
        Ok(Self::with_handle(handle.map_err(to_native)?))
    }

    /// The persistent store in `path` (shared by every worker thread of the process).
    /// `max_events` / `max_age_ms`: change-log retention, null for no limit.
    #[napi(factory, catch_unwind)]
    pub fn open(
        path: String,
        replay_buffer_size: f64,
        sync_writes: bool,
        max_events: Option<f64>,
        max_age_ms: Option<f64>,
    ) -> Result<Self> {
        let config = StoreConfig { replay_buffer_size: to_u64("replayBufferSize", replay_buffer_size)? as usize };
        let retention = Retention {
            max_events: max_events.map(|n| to_u64("retention.maxEvents", n)).transpose()?,
            max_age_ms: max_age_ms.map(|n| to_u64("retention.maxAgeMs", n)).transpose()?,
        };
        let options = PersistentOptions { config, sync_writes, retention };
        Ok(Self::with_handle(open_shared(Path::new(&path), options).map_err(to_native)?))
    }

    /// Returns the new actor's version (0).
    #[napi(catch_unwind)]
    pub fn insert(&self, actor_type: String, id: String, json: String) -> Result<u32> {
        let store = self.handle.store().map_err(to_native)?;
        store.insert(&actor_type, &id, &json).map(|v| v as u32).map_err(to_native)
    }

    /// The actor as `{"id","value","version"}` JSON, or null.
    #[napi(catch_unwind)]
    pub fn get(&self, actor_type: String, id: String) -> Result<Option<String>> {
        let store = self.handle.store().map_err(to_native)?;
        let record = store.get(&actor_type, &id).map_err(to_native)?;
        Ok(record.map(|record| json::actor(&record)))
    }

    /// Returns the new version.
    #[napi(catch_unwind)]
    pub fn update(&self, actor_type: String, id: String, json: String) -> Result<f64> {
        let store = self.handle.store().map_err(to_native)?;
        store.update(&actor_type, &id, &json).map(|v| v as f64).map_err(to_native)
    }

    /// Compare-and-swap; returns the new version.
    #[napi(catch_unwind)]
    pub fn update_versioned(&self, actor_type: String, id: String, json: String, expected_version: f64) -> Result<f64> {
        let expected = to_u64("expectedVersion", expected_version)?;
        let store = self.handle.store().map_err(to_native)?;
        store.update_versioned(&actor_type, &id, &json, expected).map(|v| v as f64).map_err(to_native)
    }

    /// The deleted actor's last state as JSON, or null if it did not exist.
    #[napi(catch_unwind)]
    pub fn delete(&self, actor_type: String, id: String) -> Result<Option<String>> {
        let store = self.handle.store().map_err(to_native)?;
        let record = store.delete(&actor_type, &id).map_err(to_native)?;
        Ok(record.map(|record| json::actor(&record)))
    }

    /// Every actor of a type: one JSON array, or — past what one JS string can hold — a list
    /// read in slices.
    #[napi(catch_unwind)]
    pub fn get_all(&self, actor_type: String) -> Result<Either<String, NativeActorList>> {
        let store = self.handle.store().map_err(to_native)?;
        let actors = store.get_all(&actor_type).map_err(to_native)?;
        let size: usize = actors.iter().map(|actor| actor.id().len() + actor.value().len() + 40).sum();
        Ok(if size < ONE_STRING_LIMIT {
            Either::A(json::actors(&actors))
        } else {
            Either::B(NativeActorList::new(actors))
        })
    }

    /// `start_kind` is 'now' | 'beginning' | 'afterSequence' | 'timestamp'; `start_value` the number for the last two.
    #[napi(catch_unwind)]
    pub fn subscribe(
        &self,
        start_kind: String,
        start_value: f64,
        actor_type: Option<String>,
        key_prefix: Option<String>,
    ) -> Result<NativeSubscription> {
        let start = match start_kind.as_str() {
            "now" => StartPosition::Now,
            "beginning" => StartPosition::Beginning,
            "afterSequence" => StartPosition::AfterSequence(to_u64("afterSequence", start_value)?),
            "timestamp" => StartPosition::Timestamp(to_u64("timestamp", start_value)?),
            other => return Err(invalid_argument(format!("unknown start position {other:?}"))),
        };
        let options = SubscriptionOptions { start, actor_type, key_prefix };
        let subscription = self.handle.subscribe(&options).map_err(to_native)?;
        Ok(NativeSubscription::new(subscription))
    }

    #[napi(catch_unwind)]
    pub fn cdc_stats(&self) -> Result<NativeCdcStats> {
        let store = self.handle.store().map_err(to_native)?;
        store.cdc_stats().map(NativeCdcStats::from).map_err(to_native)
    }

    /// Where this handle's async write outcomes go: `callback` gets one JSON string per group of
    /// writes (see `write_replies::outcomes_json`). Called once, before the first `fast_write_async`.
    #[napi(catch_unwind)]
    pub fn listen_writes(&self, callback: Function<String, ()>) -> Result<()> {
        let callback = callback
            .build_threadsafe_function::<String>()
            .weak::<true>()
            .callee_handled::<false>()
            .build()
            .map_err(|error| invalid_argument(error.reason))?;
        self.replies
            .set(Arc::new(JsReplies::new(callback)))
            .map_err(|_| invalid_argument("listenWrites was already called on this handle"))
    }

    /// Every actor at one point of the sequence, read by JS in slices.
    #[napi(catch_unwind)]
    pub fn create_snapshot(&self) -> Result<NativeSnapshot> {
        let store = self.handle.store().map_err(to_native)?;
        store.snapshot().map(NativeSnapshot::new).map_err(to_native)
    }

    /// Starts a restore: add the snapshot's actors in slices, then commit.
    #[napi(catch_unwind)]
    pub fn begin_restore(&self, sequence: f64) -> Result<NativeRestore> {
        self.handle.store().map_err(to_native)?;
        NativeRestore::new(self.handle.clone(), sequence)
    }

    /// Writes a consistent copy of a persistent store into `path`, openable with `open`.
    #[napi(catch_unwind)]
    pub fn checkpoint(&self, path: String) -> Result<()> {
        let store = self.handle.store().map_err(to_native)?;
        store.checkpoint(Path::new(&path)).map_err(to_native)
    }

    /// This handle for the per-operation functions of `fast.rs`.
    #[napi(catch_unwind, ts_return_type = "ExternalObject<FastHandle>")]
    pub fn fast_handle(&self) -> External<FastHandle> {
        External::new(FastHandle::new(self.handle.clone(), self.replies.clone()))
    }

    /// Closes this handle and ends its subscriptions. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.handle.close();
    }
}
