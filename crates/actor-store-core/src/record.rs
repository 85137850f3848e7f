//! The stored state of one actor as one immutable, shared allocation: its id, version and JSON
//! text side by side. The map's slot is this one pointer, so a table at half load costs 16 bytes
//! per actor rather than three times that; the state, the change log's events and readers share
//! the allocation by reference count, and a write makes a new one.
//!
//! Layout: `refs: u32 | value_len: u32 | version: u64 | id_len: u16 | id bytes | value bytes`.

use std::alloc::alloc;
use std::alloc::dealloc;
use std::alloc::handle_alloc_error;
use std::alloc::Layout;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::fence;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering;

const REFS: usize = 0;
const VALUE_LEN: usize = 4;
const VERSION: usize = 8;
const ID_LEN: usize = 16;
const BYTES: usize = 18;
const ALIGN: usize = 8;
/// Clones beyond this abort, as `std::sync::Arc` does, rather than let the count wrap.
const MAX_REFS: u32 = i32::MAX as u32;

pub struct Record(NonNull<u8>);

// SAFETY: the allocation is immutable after construction except for the atomic count, so it may
// be shared and sent between threads like an `Arc<str>`.
unsafe impl Send for Record {}
// SAFETY: as above.
unsafe impl Sync for Record {}

impl Record {
    /// A record of `id` (at most 65,535 bytes) holding `value` (validated JSON text, under 4 GiB)
    /// at `version`. The caller checks the limits; exceeding them is a bug.
    pub fn new(id: &str, value: &str, version: u64) -> Self {
        let id_len = u16::try_from(id.len()).expect("ids are at most 1,024 bytes");
        let value_len = u32::try_from(value.len()).expect("values are at most 16 MiB");
        let layout = layout(id.len(), value.len());
        // SAFETY: the layout has a non-zero size; every header field is written before use and
        // both byte ranges lie inside the allocation (see `layout`).
        unsafe {
            let base = alloc(layout);
            let Some(base) = NonNull::new(base) else { handle_alloc_error(layout) };
            let p = base.as_ptr();
            p.add(REFS).cast::<AtomicU32>().write(AtomicU32::new(1));
            p.add(VALUE_LEN).cast::<u32>().write(value_len);
            p.add(VERSION).cast::<u64>().write(version);
            p.add(ID_LEN).cast::<u16>().write(id_len);
            std::ptr::copy_nonoverlapping(id.as_ptr(), p.add(BYTES), id.len());
            std::ptr::copy_nonoverlapping(value.as_ptr(), p.add(BYTES + id.len()), value.len());
            Self(base)
        }
    }

    /// Starts loading the record's header (its count, version and id) into cache, for use soon.
    pub fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint: it never faults, and the address is the live allocation.
        unsafe {
            std::arch::x86_64::_mm_prefetch(self.0.as_ptr().cast::<i8>(), std::arch::x86_64::_MM_HINT_T0);
        }
    }

    /// The same actor at `version` with `value`.
    pub fn next(&self, value: &str, version: u64) -> Self {
        Self::new(self.id(), value, version)
    }

    pub fn version(&self) -> u64 {
        // SAFETY: written in `new`, never changed, aligned (the allocation is 8-aligned).
        unsafe { self.0.as_ptr().add(VERSION).cast::<u64>().read() }
    }

    pub fn id(&self) -> &str {
        // SAFETY: copied whole from a `&str` in `new` and never changed.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.bytes(), self.id_len())) }
    }

    /// The value's JSON text.
    pub fn value(&self) -> &str {
        // SAFETY: as for `id`; the value follows the id.
        unsafe {
            let start = self.bytes().add(self.id_len());
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(start, self.value_len()))
        }
    }

    fn id_len(&self) -> usize {
        // SAFETY: written in `new`, never changed, 2-aligned.
        usize::from(unsafe { self.0.as_ptr().add(ID_LEN).cast::<u16>().read() })
    }

    fn value_len(&self) -> usize {
        // SAFETY: written in `new`, never changed, 4-aligned.
        unsafe { self.0.as_ptr().add(VALUE_LEN).cast::<u32>().read() as usize }
    }

    fn bytes(&self) -> *const u8 {
        // SAFETY: `BYTES` is inside every allocation.
        unsafe { self.0.as_ptr().add(BYTES) }
    }

    fn refs(&self) -> &AtomicU32 {
        // SAFETY: initialized in `new`; lives as long as any `Record` pointing here.
        unsafe { &*self.0.as_ptr().add(REFS).cast::<AtomicU32>() }
    }
}

fn layout(id_len: usize, value_len: usize) -> Layout {
    Layout::from_size_align(BYTES + id_len + value_len, ALIGN).expect("a record's size fits in isize")
}

impl Clone for Record {
    fn clone(&self) -> Self {
        // Relaxed: a new reference is made from an existing one, which keeps the record alive.
        if self.refs().fetch_add(1, Ordering::Relaxed) > MAX_REFS {
            std::process::abort();
        }
        Self(self.0)
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        if self.refs().fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Every other owner's use happens before the memory is freed.
        fence(Ordering::Acquire);
        let layout = layout(self.id_len(), self.value_len());
        // SAFETY: the last reference; allocated in `new` with this layout.
        unsafe { dealloc(self.0.as_ptr(), layout) }
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.version() == other.version() && self.id() == other.id() && self.value() == other.value()
    }
}

impl Eq for Record {}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("id", &self.id())
            .field("version", &self.version())
            .field("value", &self.value())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::thread;

    use super::*;

    #[test]
    fn keeps_id_value_and_version() {
        let record = Record::new("user:1", "{\"n\":1}", 7);
        assert_eq!((record.id(), record.value(), record.version()), ("user:1", "{\"n\":1}", 7));
        let next = record.next("[]", 8);
        assert_eq!((next.id(), next.value(), next.version()), ("user:1", "[]", 8));
        assert_eq!(record.value(), "{\"n\":1}", "the old state is untouched");
    }

    #[test]
    fn empty_and_unicode_text_and_the_longest_id() {
        let long = "я".repeat(512);
        let record = Record::new(&long, "\"🙂\"", u64::MAX);
        assert_eq!(record.id(), long);
        assert_eq!(record.value(), "\"🙂\"");
        assert_eq!(record.version(), u64::MAX);
        let empty = Record::new("", "", 0);
        assert_eq!((empty.id(), empty.value()), ("", ""));
    }

    #[test]
    fn clones_share_and_the_last_drop_frees() {
        let record = Record::new("a", "1", 0);
        let copies: Vec<Record> = (0..10).map(|_| record.clone()).collect();
        drop(record);
        assert!(copies.iter().all(|copy| copy.value() == "1"));
        assert_eq!(copies[0], copies[9]);
        assert_ne!(copies[0], Record::new("a", "1", 1));
    }

    #[test]
    fn clones_and_drops_race_safely_across_threads() {
        let shared = Arc::new(Record::new("t", "{\"x\":[1,2,3]}", 3));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let shared = shared.clone();
                thread::spawn(move || {
                    for _ in 0..200 {
                        let copy = (*shared).clone();
                        assert_eq!(copy.value(), "{\"x\":[1,2,3]}");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(shared.version(), 3);
    }
}
