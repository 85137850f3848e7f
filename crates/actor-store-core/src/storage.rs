//! Where actor state lives. The store decides what a write does and sequences it; a backend
//! holds the records and the per-key lock under which that happens, so that for one actor the
//! order of sequences is the order of versions. The in-memory backend is a map of sharded tables
//! (one per actor type); a persistent backend keeps the same contract and adds its own durable
//! write in `commit`.

use std::sync::Arc;
use std::thread;

use crate::actor_map::ActorMap;
use crate::error::Result;
use crate::error::StoreError;
use crate::model::ActorId;
use crate::model::Record;
use crate::type_index::TypeEntry;
use crate::type_index::TypeIndex;

/// Called with (actor type, id, record) for every actor.
pub type ScanVisitor<'a> = dyn FnMut(&Arc<str>, &ActorId, &Record) + 'a;

/// State storage with per-key exclusive writes. The `commit` closures run while the key is
/// locked; the store sequences (and, when persistent, journals) the change inside them, and an
/// error from `commit` leaves the record as it was.
pub trait StorageBackend: Send + Sync + 'static {
    fn get(&self, actor_type: &str, id: &str) -> Option<Record>;

    /// Every actor of one type; the order is unspecified but stable while nothing changes.
    fn get_all(&self, actor_type: &str) -> Vec<Record>;

    /// Adds `record` (whose id is `id`) for a key that must not exist (else `KeyAlreadyExists`).
    fn insert<F>(&self, actor_type: &str, id: &str, record: Record, commit: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId) -> Result<()>;

    /// Replaces an existing record (else `NotFound`) with the one `change` returns; an error from
    /// `change` leaves the record as it was.
    fn update<F>(&self, actor_type: &str, id: &str, change: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<Record>;

    /// A hint that `id`'s record is about to be replaced: a backend may start loading it.
    fn prefetch(&self, _actor_type: &str, _id: &str) {}

    /// Removes a record if present and returns it.
    fn remove<F>(&self, actor_type: &str, id: &str, commit: F) -> Result<Option<Record>>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<()>;

    /// Adds the actors of one type, all new to the store, without change events (loading a
    /// persistent store).
    fn load(&self, actor_type: &str, actors: Vec<Record>);

    /// Visits every actor (snapshots). Writers must be held off by the caller for a consistent view.
    fn scan(&self, visit: &mut ScanVisitor<'_>);

    /// Number of actors of every type.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Fewer actors than this per thread are loaded on one thread: starting threads would cost more.
const LOAD_CHUNK: usize = 50_000;

/// actorType → id → record: types in an index read without locks, each type's actors in a
/// sharded concurrent table. Types are never removed: there are few of them, and keeping them
/// avoids a race between emptying and inserting.
#[derive(Default)]
pub struct MemoryBackend {
    types: TypeIndex<ActorMap>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    fn type_map(&self, actor_type: &str) -> &TypeEntry<ActorMap> {
        self.types.get_or_insert_with(actor_type, ActorMap::default)
    }
}

impl StorageBackend for MemoryBackend {
    fn get(&self, actor_type: &str, id: &str) -> Option<Record> {
        self.types.get(actor_type)?.value.get(id)
    }

    fn get_all(&self, actor_type: &str) -> Vec<Record> {
        let Some(map) = self.types.get(actor_type) else {
            return Vec::new();
        };
        let mut actors = Vec::with_capacity(map.value.len());
        map.value.for_each(|record| actors.push(record.clone()));
        actors
    }

    fn insert<F>(&self, actor_type: &str, id: &str, record: Record, commit: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId) -> Result<()>,
    {
        debug_assert_eq!(record.id(), id, "a record is inserted under its own id");
        let map = self.type_map(actor_type);
        let exists = || StoreError::KeyAlreadyExists { actor_type: actor_type.into(), id: id.into() };
        map.value.insert_with(record, || commit(&map.name, &ActorId::from(id)), exists)
    }

    fn update<F>(&self, actor_type: &str, id: &str, change: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<Record>,
    {
        let not_found = || StoreError::NotFound { actor_type: actor_type.into(), id: id.into() };
        let map = self.types.get(actor_type).ok_or_else(not_found)?;
        map.value.update_with(id, |current| change(&map.name, &ActorId::from(id), current), not_found)
    }

    fn prefetch(&self, actor_type: &str, id: &str) {
        if let Some(map) = self.types.get(actor_type) {
            map.value.prefetch(id);
        }
    }

    fn remove<F>(&self, actor_type: &str, id: &str, commit: F) -> Result<Option<Record>>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<()>,
    {
        let Some(map) = self.types.get(actor_type) else { return Ok(None) };
        map.value.remove_with(id, |current| commit(&map.name, &ActorId::from(id), current))
    }

    fn load(&self, actor_type: &str, actors: Vec<Record>) {
        // Sized once, so a million actors are not rehashed on the way; filled from several
        // threads (the map is concurrent), which roughly halves reopen time on two cores.
        let entry = self.types.get_or_insert_with(actor_type, || ActorMap::with_capacity(actors.len()));
        let map = &entry.value;
        let threads = thread::available_parallelism().map_or(1, |n| n.get()).min(actors.len() / LOAD_CHUNK + 1);
        if threads <= 1 {
            actors.into_iter().for_each(|record| map.insert_new(record));
            return;
        }
        let per_thread = actors.len().div_ceil(threads);
        let mut actors = actors;
        thread::scope(|scope| {
            while !actors.is_empty() {
                let chunk = actors.split_off(actors.len().saturating_sub(per_thread));
                scope.spawn(move || chunk.into_iter().for_each(|record| map.insert_new(record)));
            }
        });
    }

    fn scan(&self, visit: &mut ScanVisitor<'_>) {
        self.types.for_each(|map| {
            map.value.for_each(|record| visit(&map.name, &ActorId::from(record.id()), record));
        });
    }

    fn len(&self) -> usize {
        let mut len = 0;
        self.types.for_each(|map| len += map.value.len());
        len
    }
}
