use std::sync::Arc;

use actor_store_core::json;
use actor_store_core::snapshot::parse_actors;
use actor_store_core::snapshot::push_actors;
use actor_store_core::Record;
use actor_store_core::Snapshot;
use actor_store_core::StoreHandle;
use napi_derive::napi;
use parking_lot::Mutex;

use crate::error::to_native;
use crate::error::to_u64;
use crate::error::Result;

/// A snapshot held in Rust; JS reads its actors in slices, because one string holding a large
/// snapshot would pass V8's string length limit.
#[napi]
pub struct NativeSnapshot {
    snapshot: Snapshot,
}

impl NativeSnapshot {
    pub fn new(snapshot: Snapshot) -> Self {
        Self { snapshot }
    }
}

#[napi]
impl NativeSnapshot {
    #[napi(getter)]
    pub fn sequence(&self) -> f64 {
        self.snapshot.sequence as f64
    }

    #[napi(getter)]
    pub fn count(&self) -> u32 {
        self.snapshot.actors.len() as u32
    }

    /// Actors `start..start + count` as a JSON array.
    #[napi(catch_unwind)]
    pub fn slice(&self, start: u32, count: u32) -> String {
        let actors = &self.snapshot.actors;
        let start = (start as usize).min(actors.len());
        let end = start.saturating_add(count as usize).min(actors.len());
        let mut out = String::new();
        push_actors(&mut out, &actors[start..end]);
        out
    }
}

/// A restore assembled from slices of actors, then applied in one step.
#[napi]
pub struct NativeRestore {
    handle: Arc<StoreHandle>,
    snapshot: Mutex<Snapshot>,
}

impl NativeRestore {
    pub fn new(handle: Arc<StoreHandle>, sequence: f64) -> Result<Self> {
        let sequence = to_u64("snapshot.sequence", sequence)?;
        Ok(Self { handle, snapshot: Mutex::new(Snapshot { sequence, actors: Vec::new() }) })
    }
}

#[napi]
impl NativeRestore {
    /// Adds a JSON array of actors.
    #[napi(catch_unwind)]
    pub fn add(&self, actors_json: String) -> Result<()> {
        let actors = parse_actors(&actors_json).map_err(to_native)?;
        self.snapshot.lock().actors.extend(actors);
        Ok(())
    }

    /// Makes the store's state exactly the assembled snapshot; returns how many changes that took.
    #[napi(catch_unwind)]
    pub fn commit(&self) -> Result<f64> {
        let snapshot = std::mem::replace(&mut *self.snapshot.lock(), Snapshot { sequence: 0, actors: Vec::new() });
        let store = self.handle.store().map_err(to_native)?;
        store.restore(&snapshot).map(|changes| changes as f64).map_err(to_native)
    }
}

/// A large `getAll` result held in Rust and read by JS in slices.
#[napi]
pub struct NativeActorList {
    actors: Vec<Record>,
}

impl NativeActorList {
    pub fn new(actors: Vec<Record>) -> Self {
        Self { actors }
    }
}

#[napi]
impl NativeActorList {
    #[napi(getter)]
    pub fn count(&self) -> u32 {
        self.actors.len() as u32
    }

    /// Actors `start..start + count` as a JSON array of `{"id","value","version"}`.
    #[napi(catch_unwind)]
    pub fn slice(&self, start: u32, count: u32) -> String {
        let start = (start as usize).min(self.actors.len());
        let end = start.saturating_add(count as usize).min(self.actors.len());
        json::actors(&self.actors[start..end])
    }
}
