//! The actor types of a store, looked up on every call and added rarely. A lookup takes no lock
//! and writes no shared memory, so threads working on one type do not pass a lock's cache line
//! back and forth on every call (a `DashMap` read lock is an atomic write to its shard). Types are
//! never removed, so an entry, once published, stays where it is until the index is dropped.

use std::ptr;
use std::sync::atomic::AtomicPtr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use ahash::RandomState;
use parking_lot::Mutex;

/// One actor type and what the index holds for it.
pub struct TypeEntry<T> {
    pub name: Arc<str>,
    pub value: T,
}

/// An open-addressing table of published entries; a null slot ends a probe.
struct Table<T> {
    slots: Box<[AtomicPtr<TypeEntry<T>>]>,
}

impl<T> Table<T> {
    fn with_capacity(capacity: usize) -> Box<Self> {
        Box::new(Self { slots: (0..capacity).map(|_| AtomicPtr::new(ptr::null_mut())).collect() })
    }

    fn find(&self, hash: u64, name: &str) -> Option<*mut TypeEntry<T>> {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let entry = self.slots[at].load(Ordering::Acquire);
            if entry.is_null() {
                return None;
            }
            // SAFETY: published entries live until the index is dropped (see `TypeIndex`).
            if unsafe { &*entry }.name.as_ref() == name {
                return Some(entry);
            }
            at = (at + 1) & mask;
        }
    }

    fn place(&self, hash: u64, entry: *mut TypeEntry<T>) {
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        while !self.slots[at].load(Ordering::Relaxed).is_null() {
            at = (at + 1) & mask;
        }
        self.slots[at].store(entry, Ordering::Release);
    }
}

/// Everything only writers touch. Entries and tables are raw allocations (from `Box::into_raw`)
/// that readers reach by address, freed only in `Drop`.
struct Owned<T> {
    entries: Vec<*mut TypeEntry<T>>,
    /// Tables replaced by bigger ones; a reader may still be probing one.
    retired: Vec<*mut Table<T>>,
}

pub struct TypeIndex<T> {
    /// The newest table (owned: freed on drop).
    current: AtomicPtr<Table<T>>,
    owned: Mutex<Owned<T>>,
    hasher: RandomState,
}

// SAFETY: entries are shared between threads only as `&T` (T: Sync), created under the writers'
// mutex and dropped only in `Drop`; T: Send lets the index move (and drop) with its entries.
unsafe impl<T: Send + Sync> Send for TypeIndex<T> {}
unsafe impl<T: Send + Sync> Sync for TypeIndex<T> {}

const FIRST_CAPACITY: usize = 16;

impl<T> Default for TypeIndex<T> {
    fn default() -> Self {
        Self {
            current: AtomicPtr::new(Box::into_raw(Table::with_capacity(FIRST_CAPACITY))),
            owned: Mutex::new(Owned { entries: Vec::new(), retired: Vec::new() }),
            hasher: RandomState::new(),
        }
    }
}

impl<T> TypeIndex<T> {
    fn table(&self) -> &Table<T> {
        // SAFETY: the current table is freed only in `Drop`, and a replaced one only then too.
        unsafe { &*self.current.load(Ordering::Acquire) }
    }

    pub fn get(&self, name: &str) -> Option<&TypeEntry<T>> {
        let hash = self.hasher.hash_one(name);
        // SAFETY: entries live as long as the index (see `find`).
        self.table().find(hash, name).map(|entry| unsafe { &*entry })
    }

    /// The entry for `name`, added with `make` if there is none.
    pub fn get_or_insert_with(&self, name: &str, make: impl FnOnce() -> T) -> &TypeEntry<T> {
        if let Some(entry) = self.get(name) {
            return entry;
        }
        let hash = self.hasher.hash_one(name);
        let mut owned = self.owned.lock();
        // Another writer may have added it while this one waited for the lock.
        if let Some(entry) = self.table().find(hash, name) {
            // SAFETY: as in `get`.
            return unsafe { &*entry };
        }
        let published = Box::into_raw(Box::new(TypeEntry { name: Arc::from(name), value: make() }));
        owned.entries.push(published);
        let table = self.table();
        if owned.entries.len() * 2 > table.slots.len() {
            // Keep tables at most half full: a bigger one gets every entry before it is published.
            let bigger = Table::with_capacity(table.slots.len() * 2);
            for &entry in &owned.entries {
                // SAFETY: entries live until `Drop`.
                bigger.place(self.hasher.hash_one(unsafe { &*entry }.name.as_ref()), entry);
            }
            // Readers that loaded the old table before the swap may still probe it.
            let old = self.current.swap(Box::into_raw(bigger), Ordering::AcqRel);
            owned.retired.push(old);
        } else {
            table.place(hash, published);
        }
        // SAFETY: entries live until `Drop`.
        unsafe { &*published }
    }

    /// Visits every entry (in the order they were added).
    pub fn for_each(&self, mut visit: impl FnMut(&TypeEntry<T>)) {
        for &entry in &self.owned.lock().entries {
            // SAFETY: entries live until `Drop`.
            visit(unsafe { &*entry });
        }
    }
}

impl<T> Drop for TypeIndex<T> {
    fn drop(&mut self) {
        let owned = self.owned.get_mut();
        // SAFETY: every pointer came from `Box::into_raw` and is freed once, here; `&mut self`
        // means no reader is left.
        unsafe {
            drop(Box::from_raw(*self.current.get_mut()));
            for &table in &owned.retired {
                drop(Box::from_raw(table));
            }
            for &entry in &owned.entries {
                drop(Box::from_raw(entry));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::thread;

    use super::*;

    #[test]
    fn finds_what_was_added_across_growth() {
        let index = TypeIndex::default();
        for n in 0..1000 {
            let entry = index.get_or_insert_with(&format!("type-{n}"), || n);
            assert_eq!(entry.value, n);
        }
        for n in 0..1000 {
            assert_eq!(index.get(&format!("type-{n}")).map(|entry| entry.value), Some(n));
            assert_eq!(index.get_or_insert_with(&format!("type-{n}"), || usize::MAX).value, n);
        }
        assert!(index.get("type-1000").is_none());
        let mut count = 0;
        index.for_each(|_| count += 1);
        assert_eq!(count, 1000);
    }

    #[test]
    fn threads_adding_the_same_types_get_one_entry_each() {
        let index = TypeIndex::default();
        let made = AtomicUsize::new(0);
        thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for n in 0..500 {
                        let name = format!("t{n}");
                        let entry = index.get_or_insert_with(&name, || {
                            made.fetch_add(1, Ordering::Relaxed);
                            n
                        });
                        assert_eq!(entry.value, n);
                        assert_eq!(&*entry.name, name);
                    }
                });
            }
        });
        assert_eq!(made.load(Ordering::Relaxed), 500, "each type was made once");
    }
}
