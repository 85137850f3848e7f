//! Where actor state lives. The store decides what a write does and sequences it; a backend
//! holds the records and the per-key lock under which that happens, so that for one actor the
//! order of sequences is the order of versions. The in-memory backend is a nested DashMap; a
//! persistent backend keeps the same contract and adds its own durable write in `commit`.

use std::sync::Arc;
use std::thread;

use ahash::RandomState;
use dashmap::mapref::entry::Entry;
use dashmap::DashMap;

use crate::error::Result;
use crate::error::StoreError;
use crate::model::ActorData;
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
    fn get_all(&self, actor_type: &str) -> Vec<ActorData>;

    /// Adds `record` for a key that must not exist (else `KeyAlreadyExists`).
    fn insert<F>(&self, actor_type: &str, id: &str, record: Record, commit: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId) -> Result<()>;

    /// Replaces an existing record (else `NotFound`) with the one `change` returns; an error from
    /// `change` leaves the record as it was.
    fn update<F>(&self, actor_type: &str, id: &str, change: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<Record>;

    /// Removes a record if present and returns it.
    fn remove<F>(&self, actor_type: &str, id: &str, commit: F) -> Result<Option<Record>>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<()>;

    /// Adds the actors of one type, all new to the store, without change events (loading a
    /// persistent store).
    fn load(&self, actor_type: &str, actors: Vec<(ActorId, Record)>);

    /// Visits every actor (snapshots). Writers must be held off by the caller for a consistent view.
    fn scan(&self, visit: &mut ScanVisitor<'_>);

    /// Number of actors of every type.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

type TypeMap = DashMap<ActorId, Record, RandomState>;

/// Fewer actors than this per thread are loaded on one thread: starting threads would cost more.
const LOAD_CHUNK: usize = 50_000;

/// actorType → id → record: types in an index read without locks, each type's actors in a
/// sharded concurrent map. Types are never removed: there are few of them, and keeping them
/// avoids a race between emptying and inserting.
#[derive(Default)]
pub struct MemoryBackend {
    types: TypeIndex<TypeMap>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    fn type_map(&self, actor_type: &str) -> &TypeEntry<TypeMap> {
        self.types.get_or_insert_with(actor_type, TypeMap::default)
    }
}

impl StorageBackend for MemoryBackend {
    fn get(&self, actor_type: &str, id: &str) -> Option<Record> {
        self.types.get(actor_type)?.value.get(id).map(|record| record.clone())
    }

    fn get_all(&self, actor_type: &str) -> Vec<ActorData> {
        let Some(map) = self.types.get(actor_type) else {
            return Vec::new();
        };
        map.value
            .iter()
            .map(|entry| ActorData { id: entry.key().clone(), value: entry.value.clone(), version: entry.version })
            .collect()
    }

    fn insert<F>(&self, actor_type: &str, id: &str, record: Record, commit: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId) -> Result<()>,
    {
        let map = self.type_map(actor_type);
        let result = match map.value.entry(ActorId::from(id)) {
            Entry::Occupied(_) => Err(StoreError::KeyAlreadyExists { actor_type: actor_type.into(), id: id.into() }),
            Entry::Vacant(slot) => commit(&map.name, slot.key()).map(|()| {
                slot.insert(record);
            }),
        };
        result
    }

    fn update<F>(&self, actor_type: &str, id: &str, change: F) -> Result<()>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<Record>,
    {
        let not_found = || StoreError::NotFound { actor_type: actor_type.into(), id: id.into() };
        let map = self.types.get(actor_type).ok_or_else(not_found)?;
        let mut slot = map.value.get_mut(id).ok_or_else(not_found)?;
        let next = change(&map.name, slot.key(), slot.value())?;
        *slot = next;
        Ok(())
    }

    fn remove<F>(&self, actor_type: &str, id: &str, commit: F) -> Result<Option<Record>>
    where
        F: FnOnce(&Arc<str>, &ActorId, &Record) -> Result<()>,
    {
        let Some(map) = self.types.get(actor_type) else { return Ok(None) };
        // The predicate runs under the shard lock: commit there, and keep the record on failure.
        let mut failure = None;
        let removed = map.value.remove_if(id, |key, record| match commit(&map.name, key, record) {
            Ok(()) => true,
            Err(error) => {
                failure = Some(error);
                false
            }
        });
        match failure {
            Some(error) => Err(error),
            None => Ok(removed.map(|(_, record)| record)),
        }
    }

    fn load(&self, actor_type: &str, actors: Vec<(ActorId, Record)>) {
        // Sized once, so a million actors are not rehashed on the way; filled from several
        // threads (the map is concurrent), which roughly halves reopen time on two cores.
        let entry = self
            .types
            .get_or_insert_with(actor_type, || TypeMap::with_capacity_and_hasher(actors.len(), RandomState::default()));
        let map = &entry.value;
        let threads = thread::available_parallelism().map_or(1, |n| n.get()).min(actors.len() / LOAD_CHUNK + 1);
        if threads <= 1 {
            for (id, record) in actors {
                map.insert(id, record);
            }
            return;
        }
        let per_thread = actors.len().div_ceil(threads);
        let mut actors = actors;
        thread::scope(|scope| {
            while !actors.is_empty() {
                let chunk = actors.split_off(actors.len().saturating_sub(per_thread));
                scope.spawn(move || {
                    for (id, record) in chunk {
                        map.insert(id, record);
                    }
                });
            }
        });
    }

    fn scan(&self, visit: &mut ScanVisitor<'_>) {
        self.types.for_each(|map| {
            for entry in map.value.iter() {
                visit(&map.name, entry.key(), entry.value());
            }
        });
    }

    fn len(&self) -> usize {
        let mut len = 0;
        self.types.for_each(|map| len += map.value.len());
        len
    }
}
