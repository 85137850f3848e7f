//! The actors of one type: a sharded concurrent hash table whose slot is a `Record` (one
//! pointer; the id lives in the record). Shards are chosen from hash bits the tables do not use,
//! each behind its own reader-writer lock, padded to a cache line so shards do not share one.

use ahash::RandomState;
use crossbeam_utils::CachePadded;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use parking_lot::RwLock;

use crate::model::Record;

type Shard = CachePadded<RwLock<HashTable<Record>>>;

pub struct ActorMap {
    shards: Box<[Shard]>,
    hasher: RandomState,
    /// `64 - log2(shards)`. The shard is taken from the bits just below the top 7: hashbrown
    /// uses the low bits for the bucket and the top 7 for its tags, so both stay fully random
    /// within a shard.
    shift: u32,
}

impl Default for ActorMap {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl ActorMap {
    pub fn with_capacity(capacity: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let count = (cores * 4).next_power_of_two();
        let per_shard = capacity.div_ceil(count);
        let shards = (0..count).map(|_| CachePadded::new(RwLock::new(HashTable::with_capacity(per_shard)))).collect();
        Self { shards, hasher: RandomState::new(), shift: 64 - count.trailing_zeros() }
    }

    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    fn shard(&self, hash: u64) -> &RwLock<HashTable<Record>> {
        // With one shard the shift is 64, which `checked_shr` turns into shard 0.
        &self.shards[(hash << 7).checked_shr(self.shift).unwrap_or(0) as usize]
    }

    pub fn get(&self, id: &str) -> Option<Record> {
        let hash = self.hash(id);
        self.shard(hash).read().find(hash, |record| record.id() == id).cloned()
    }

    /// Starts loading `id`'s record into cache for a write about to replace it, so that the
    /// caller's work in between (reading the new value) overlaps the wait for memory instead of
    /// the write waiting under the shard's lock. Skipped if a writer holds the shard.
    pub fn prefetch(&self, id: &str) {
        let hash = self.hash(id);
        if let Some(table) = self.shard(hash).try_read() {
            // Visits the slots whose tag matches (almost always just the one): comparing their ids
            // would wait for the very load this starts, so each is only prefetched.
            table.find(hash, |record| {
                record.prefetch();
                false
            });
        }
    }

    /// Adds `record` if its id is absent, once `commit` succeeds; both run with the id's shard
    /// held, so nothing else changes that id in between. `exists` is the error if present.
    pub fn insert_with<E>(
        &self,
        record: Record,
        commit: impl FnOnce() -> Result<(), E>,
        exists: impl FnOnce() -> E,
    ) -> Result<(), E> {
        let hash = self.hash(record.id());
        let mut table = self.shard(hash).write();
        match table.entry(hash, |r| r.id() == record.id(), |r| self.hash(r.id())) {
            Entry::Occupied(_) => Err(exists()),
            Entry::Vacant(slot) => {
                commit()?;
                slot.insert(record);
                Ok(())
            }
        }
    }

    /// Replaces `id`'s record with what `change` makes of it, with the shard held; an error from
    /// `change` leaves it as it was. `missing` is the error if absent.
    pub fn update_with<E>(
        &self,
        id: &str,
        change: impl FnOnce(&Record) -> Result<Record, E>,
        missing: impl FnOnce() -> E,
    ) -> Result<(), E> {
        let hash = self.hash(id);
        let mut table = self.shard(hash).write();
        let current = table.find_mut(hash, |r| r.id() == id).ok_or_else(missing)?;
        *current = change(current)?;
        Ok(())
    }

    /// Removes `id`'s record once `commit` succeeds (with the shard held) and returns it; on an
    /// error the record stays.
    pub fn remove_with<E>(&self, id: &str, commit: impl FnOnce(&Record) -> Result<(), E>) -> Result<Option<Record>, E> {
        let hash = self.hash(id);
        let mut table = self.shard(hash).write();
        let Ok(entry) = table.find_entry(hash, |r| r.id() == id) else { return Ok(None) };
        commit(entry.get())?;
        Ok(Some(entry.remove().0))
    }

    /// Adds a record whose id is not in the map (loading).
    pub fn insert_new(&self, record: Record) {
        let hash = self.hash(record.id());
        let mut table = self.shard(hash).write();
        table.insert_unique(hash, record, |r| self.hash(r.id()));
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.read().len()).sum()
    }

    /// Visits every record, one shard at a time (each read-locked while visited).
    pub fn for_each(&self, mut visit: impl FnMut(&Record)) {
        for shard in self.shards.iter() {
            shard.read().iter().for_each(&mut visit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no(_: &Record) -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn inserts_finds_replaces_and_removes_by_id() {
        let map = ActorMap::default();
        for i in 0..1000 {
            let record = Record::new(&format!("a:{i}"), &i.to_string(), 0);
            map.insert_with(record, || Ok(()), || "exists").unwrap();
        }
        assert_eq!(map.insert_with(Record::new("a:3", "0", 0), || Ok(()), || "exists"), Err("exists"));
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get("a:7").map(|r| r.value().to_owned()), Some("7".to_owned()));
        assert!(map.get("a:1000").is_none());
        // A hint only: present or absent, nothing changes.
        map.prefetch("a:7");
        map.prefetch("a:1000");
        assert_eq!((map.len(), map.get("a:7").map(|r| r.version())), (1000, Some(0)));
        map.update_with("a:7", |r| Ok::<_, ()>(r.next("\"x\"", 1)), || ()).unwrap();
        let record = map.get("a:7").unwrap();
        assert_eq!((record.value(), record.version()), ("\"x\"", 1));
        assert_eq!(map.update_with("nope", |r| Ok(r.clone()), || "missing"), Err("missing"));
        assert_eq!(map.remove_with("a:8", no).unwrap().map(|r| r.version()), Some(0));
        assert!(map.remove_with("a:8", no).unwrap().is_none());
        assert_eq!(map.len(), 999);
        let mut seen = 0;
        map.for_each(|_| seen += 1);
        assert_eq!(seen, 999);
    }

    #[test]
    fn a_failed_commit_or_change_changes_nothing() {
        let map = ActorMap::default();
        assert_eq!(map.insert_with(Record::new("a", "1", 0), || Err("no"), || "exists"), Err("no"));
        assert!(map.get("a").is_none());
        map.insert_with(Record::new("a", "1", 0), || Ok::<_, ()>(()), || ()).unwrap();
        assert_eq!(map.update_with("a", |_| Err("no"), || "missing"), Err("no"));
        assert_eq!(map.remove_with("a", |_| Err("no")), Err("no"));
        assert_eq!(map.get("a").map(|r| (r.value().to_owned(), r.version())), Some(("1".to_owned(), 0)));
    }

    /// OS threads inserting (so the tables grow and rehash), reading and incrementing at once, each
    /// read and increment after a prefetch of its id: every read finds the record of the id it
    /// asked for, and no increment is lost.
    #[test]
    fn concurrent_writers_and_readers_on_real_threads() {
        const WRITERS: usize = 4;
        const PER_WRITER: usize = 5_000;
        const COUNTERS: usize = 16;
        const INCREMENTS: u64 = 2_000;
        let map = ActorMap::default();
        for c in 0..COUNTERS {
            map.insert_with(Record::new(&format!("counter-{c}"), "0", 0), || Ok::<_, ()>(()), || ()).unwrap();
        }
        std::thread::scope(|scope| {
            for w in 0..WRITERS {
                let map = &map;
                scope.spawn(move || {
                    for i in 0..PER_WRITER {
                        let id = format!("w{w}-{i}");
                        map.insert_with(Record::new(&id, &i.to_string(), 0), || Ok::<_, ()>(()), || ()).unwrap();
                    }
                });
                scope.spawn(move || {
                    for i in 0..INCREMENTS {
                        let id = format!("counter-{}", (i as usize + w) % COUNTERS);
                        map.prefetch(&id);
                        map.update_with(&id, |r| Ok::<_, ()>(r.next("0", r.version() + 1)), || ()).unwrap();
                    }
                });
            }
            let map = &map;
            scope.spawn(move || {
                for round in 0..20_000 {
                    let id = format!("w{}-{}", round % WRITERS, round % PER_WRITER);
                    map.prefetch(&id);
                    if let Some(record) = map.get(&id) {
                        assert_eq!(record.id(), id);
                        assert_eq!(record.value(), (round % PER_WRITER).to_string());
                    }
                }
            });
        });
        assert_eq!(map.len(), COUNTERS + WRITERS * PER_WRITER);
        let mut total = 0;
        for c in 0..COUNTERS {
            total += map.get(&format!("counter-{c}")).unwrap().version();
        }
        assert_eq!(total, WRITERS as u64 * INCREMENTS, "every increment counted once");
    }

    #[test]
    fn loads_into_a_presized_map() {
        let map = ActorMap::with_capacity(5000);
        for i in 0..5000 {
            map.insert_new(Record::new(&format!("id-{i}"), "null", i));
        }
        assert_eq!(map.len(), 5000);
        assert_eq!(map.get("id-4999").map(|r| r.version()), Some(4999));
    }
}
