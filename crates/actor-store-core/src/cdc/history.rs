use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use std::time::Instant;

use parking_lot::Condvar;
use parking_lot::Mutex;
use parking_lot::RwLock;
use parking_lot::RwLockReadGuard;

use crate::event_wire;
use crate::journal::Journal;
use crate::model::ChangeEvent;
use crate::model::Record;

/// How many evictions ahead a full ring warms the records of the event it will evict: that event
/// often holds the last references to records written long ago, whose counts are out of cache, and
/// dropping them would otherwise wait for memory on every publish (12% of an in-memory update).
const EVICTION_PREFETCH: usize = 8;

/// A published event. Its JSON is built by the first subscriber that reads it and shared with
/// the others: writers never pay for it, and an event nobody reads is never serialized.
pub struct Entry {
    pub event: ChangeEvent,
    json: OnceLock<Box<str>>,
}

impl Entry {
    pub fn new(event: ChangeEvent) -> Self {
        Self { event, json: OnceLock::new() }
    }

    pub fn sequence(&self) -> u64 {
        self.event.sequence
    }

    /// The event in its wire form (see `event_wire`). `scratch` is where it is built before being copied into
    /// an allocation of its exact size (ring entries live long; a shrunk allocation leaves a hole).
    pub fn json(&self, scratch: &mut String) -> &str {
        self.json.get_or_init(|| {
            scratch.clear();
            event_wire::push_event(scratch, &self.event);
            Box::from(scratch.as_str())
        })
    }
}

/// The retained tail of the change stream, in sequence order with no gaps.
pub struct Ring {
    entries: VecDeque<Entry>,
    /// Sequence of `entries[0]` (or of the next event, when empty).
    first: u64,
    capacity: usize,
    dropped: u64,
    last_dropped_timestamp: Option<u64>,
}

impl Ring {
    pub fn first(&self) -> u64 {
        self.first
    }

    /// One past the newest published sequence.
    pub fn end(&self) -> u64 {
        self.first + self.entries.len() as u64
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn last_dropped_timestamp(&self) -> Option<u64> {
        self.last_dropped_timestamp
    }

    /// Retained entries from `sequence` on (empty if it is not retained yet).
    pub fn from(&self, sequence: u64) -> impl Iterator<Item = &Entry> {
        let skip = sequence.saturating_sub(self.first).min(self.entries.len() as u64) as usize;
        self.entries.range(skip..)
    }

    /// Sequence of the first retained entry with `timestamp >= ms`, or `end()` if none.
    pub fn first_at_or_after(&self, ms: u64) -> u64 {
        self.first + self.entries.partition_point(|entry| entry.event.timestamp < ms) as u64
    }
}

type Waker = Box<dyn FnOnce() + Send>;

/// Publishing trails a commit by microseconds; this bound only guards against a stalled writer.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(1);

/// The broadcast point between writers and subscribers: a bounded ring all readers share
/// (so replay and live delivery are one cursor over one sequence), plus wake-ups for readers
/// waiting on the next publish — as callbacks (for the event loop) or a condition variable.
pub struct History {
    ring: RwLock<Ring>,
    /// `ring.end()`, readable without the lock.
    end: AtomicU64,
    /// The sequence the next committed change will get (the sequencer's counter).
    next: AtomicU64,
    closed: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
    published: Condvar,
    active_subscriptions: AtomicU64,
    /// The durable log behind the ring, for readers the ring no longer covers.
    journal: Option<Arc<dyn Journal>>,
}

impl History {
    pub fn new(first: u64, capacity: usize, journal: Option<Arc<dyn Journal>>) -> Self {
        Self {
            journal,
            ring: RwLock::new(Ring {
                entries: VecDeque::new(),
                first,
                capacity,
                dropped: 0,
                last_dropped_timestamp: None,
            }),
            end: AtomicU64::new(first),
            next: AtomicU64::new(first),
            closed: AtomicBool::new(false),
            wakers: Mutex::new(Vec::new()),
            published: Condvar::new(),
            active_subscriptions: AtomicU64::new(0),
        }
    }

    pub fn journal(&self) -> Option<&Arc<dyn Journal>> {
        self.journal.as_ref()
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Ring> {
        self.ring.read()
    }

    pub fn end(&self) -> u64 {
        self.end.load(Ordering::Acquire)
    }

    /// The sequence the next committed change will get.
    pub fn next_sequence(&self) -> u64 {
        self.next.load(Ordering::Acquire)
    }

    /// Takes the next sequence (the sequencer's job).
    pub(super) fn take_sequence(&self) -> u64 {
        self.next.fetch_add(1, Ordering::AcqRel)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Appends consecutive events, evicting the oldest beyond capacity, and wakes readers.
    pub fn publish(&self, events: impl IntoIterator<Item = ChangeEvent>) {
        {
            let mut ring = self.ring.write();
            for event in events {
                debug_assert_eq!(event.sequence, ring.end(), "history must stay gapless");
                if ring.entries.len() == ring.capacity {
                    if let Some(oldest) = ring.entries.pop_front() {
                        ring.first += 1;
                        ring.dropped += 1;
                        ring.last_dropped_timestamp = Some(oldest.event.timestamp);
                    }
                }
                ring.entries.push_back(Entry::new(event));
                if ring.entries.len() == ring.capacity {
                    if let Some(ahead) = ring.entries.get(EVICTION_PREFETCH) {
                        ahead.event.previous.iter().chain(&ahead.event.next).for_each(Record::prefetch);
                    }
                }
            }
            self.end.store(ring.end(), Ordering::Release);
        }
        self.wake_all();
    }

    /// Ends every subscription: their next poll reports the end.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake_all();
    }

    /// Runs every registered waker and wakes blocked readers.
    pub fn wake_all(&self) {
        let wakers = {
            let mut wakers = self.wakers.lock();
            self.published.notify_all();
            std::mem::take(&mut *wakers)
        };
        for wake in wakers {
            wake();
        }
    }

    /// Calls `wake` once `ready()` holds — at once if it already does, else at the next publish,
    /// close or `wake_all`. `ready` is checked under the wakers' lock, so a state change made
    /// before a `wake_all` is never missed.
    pub fn wake_when(&self, ready: impl Fn() -> bool, wake: Waker) {
        let mut wakers = self.wakers.lock();
        if ready() {
            drop(wakers);
            wake();
        } else {
            wakers.push(wake);
        }
    }

    /// Blocks until `ready()` holds or `timeout` elapses; returns `ready()`.
    pub fn wait_until(&self, ready: impl Fn() -> bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut wakers = self.wakers.lock();
        while !ready() {
            if self.published.wait_until(&mut wakers, deadline).timed_out() {
                return ready();
            }
        }
        true
    }

    /// Waits (briefly, bounded) until every change committed before the call is published, so a
    /// reader sees at least what was written before it looked.
    pub fn catch_up(&self) {
        let target = self.next_sequence();
        if self.end() < target {
            self.wait_until(|| self.end() >= target || self.is_closed(), CATCH_UP_TIMEOUT);
        }
    }

    pub fn active_subscriptions(&self) -> u64 {
        self.active_subscriptions.load(Ordering::Relaxed)
    }

    pub(super) fn subscription_opened(&self) {
        self.active_subscriptions.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn subscription_ended(&self) {
        self.active_subscriptions.fetch_sub(1, Ordering::Relaxed);
    }
}
