use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use parking_lot::MutexGuard;

use super::history::History;
use crate::journal::Journal;
use crate::model::ChangeEvent;

/// Most events published in one step; bounds how long readers wait on the ring's write lock.
const MAX_BATCH: usize = 1024;

/// Restores sequence order: events from concurrent writers can arrive out of order, and
/// nothing is released past a missing sequence.
pub struct Reorder {
    next: u64,
    waiting: BTreeMap<u64, ChangeEvent>,
}

impl Reorder {
    pub fn new(next: u64) -> Self {
        Self { next, waiting: BTreeMap::new() }
    }

    /// Takes one event; appends to `ready` every event that is now next in line.
    pub fn push(&mut self, event: ChangeEvent, ready: &mut Vec<ChangeEvent>) {
        if event.sequence != self.next {
            self.waiting.insert(event.sequence, event);
            return;
        }
        ready.push(event);
        self.next += 1;
        while let Some(event) = self.waiting.remove(&self.next) {
            ready.push(event);
            self.next += 1;
        }
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

struct Publishing {
    reorder: Reorder,
    last_timestamp: u64,
    /// Swapped with the queue, so draining it allocates nothing.
    drained: Vec<ChangeEvent>,
    ready: Vec<ChangeEvent>,
}

/// Moves committed events into the history in sequence order, on the writers' own threads (no
/// hand-off to another thread, so a write never pays for waking one): each writer queues its
/// event, then whoever holds the publishing lock publishes every event that is next in line.
/// A writer that finds the lock taken leaves its event to the holder, who looks at the queue
/// again after letting go, so no event is left behind.
///
/// With a journal, only changes as durable as the store promises are published: a subscriber
/// never sees a change that a crash could still take back (and whose sequence would be reused).
pub struct Publisher {
    queue: Mutex<Vec<ChangeEvent>>,
    publishing: Mutex<Publishing>,
    history: Arc<History>,
    journal: Option<Arc<dyn Journal>>,
}

impl Publisher {
    pub fn new(history: Arc<History>, first: u64, journal: Option<Arc<dyn Journal>>) -> Self {
        Self {
            journal,
            queue: Mutex::new(Vec::new()),
            publishing: Mutex::new(Publishing {
                reorder: Reorder::new(first),
                last_timestamp: 0,
                drained: Vec::new(),
                ready: Vec::new(),
            }),
            history,
        }
    }

    /// Queues a sequenced event; `publish` makes it visible.
    pub fn push(&self, event: ChangeEvent) {
        self.queue.lock().push(event);
    }

    /// Publishes every queued event that is next in sequence (unless another thread is doing it).
    pub fn publish(&self) {
        while let Some(guard) = self.publishing.try_lock() {
            self.publish_ready(guard);
            // An event queued while the lock was held was left to this thread: go round again.
            if self.queue.lock().is_empty() {
                return;
            }
        }
    }

    /// Publishes what the journal has just made durable, waiting for the lock if another thread
    /// holds it: that thread may have looked at the journal before and held events back.
    pub fn publish_durable(&self) {
        self.publish_ready(self.publishing.lock());
        self.publish();
    }

    fn publish_ready(&self, mut guard: MutexGuard<'_, Publishing>) {
        let publishing = &mut *guard;
        std::mem::swap(&mut *self.queue.lock(), &mut publishing.drained);
        for event in publishing.drained.drain(..) {
            publishing.reorder.push(event, &mut publishing.ready);
        }
        // `ready` runs on from the next sequence to publish; the journal may not have made all of
        // it durable yet (staged, or waiting for a sync), and that waits for `publish_durable`.
        let mut releasable = match &self.journal {
            Some(journal) => {
                let durable = journal.durable();
                publishing.ready.partition_point(|event| event.sequence < durable)
            }
            None => publishing.ready.len(),
        };
        while releasable > 0 {
            let take = releasable.min(MAX_BATCH);
            releasable -= take;
            let Publishing { last_timestamp, ready, .. } = publishing;
            self.history.publish(ready.drain(..take).map(|mut event| {
                // Commit clocks of concurrent writers can disagree by a tick; keep time monotonic
                // along the sequence so a timestamp start is a binary search.
                event.timestamp = event.timestamp.max(*last_timestamp);
                *last_timestamp = event.timestamp;
                event
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Operation;

    fn event(sequence: u64) -> ChangeEvent {
        ChangeEvent {
            sequence,
            operation: Operation::Delete,
            actor_type: "t".into(),
            actor_id: "i".into(),
            previous: None,
            next: None,
            timestamp: 0,
        }
    }

    #[test]
    fn releases_only_contiguous_runs() {
        let mut reorder = Reorder::new(0);
        let mut ready = Vec::new();
        for sequence in [2, 1, 4] {
            reorder.push(event(sequence), &mut ready);
        }
        assert!(ready.is_empty());
        reorder.push(event(0), &mut ready);
        assert_eq!(ready.iter().map(|e| e.sequence).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(reorder.waiting(), 1);
        reorder.push(event(3), &mut ready);
        assert_eq!(ready.iter().map(|e| e.sequence).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(reorder.waiting(), 0);
    }

    #[test]
    fn publishes_in_sequence_order_whatever_order_events_are_queued_in() {
        let history = Arc::new(History::new(0, 16, None));
        let publisher = Publisher::new(history.clone(), 0, None);
        publisher.push(event(1));
        publisher.publish();
        assert_eq!(history.end(), 0, "nothing is published past the missing sequence 0");
        publisher.push(event(0));
        publisher.publish();
        assert_eq!(history.end(), 2);
        let ring = history.read();
        assert_eq!(ring.from(0).map(|entry| entry.sequence()).collect::<Vec<_>>(), [0, 1]);
    }
}
