//! The change stream: a lock-free sequencer that writers call under their key's lock, a
//! publisher that restores sequence order on the writers' threads, and a bounded history that
//! subscribers read with their own cursors.

mod history;
mod publisher;
mod sequencer;
mod subscription;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub use history::History;
pub use publisher::Reorder;
pub use sequencer::now_ms;
pub use sequencer::Sequencer;
pub use sequencer::Write;
pub use subscription::Filter;
pub use subscription::Polled;
pub use subscription::Subscription;

use crate::error::Result;
use crate::error::StoreError;
use crate::journal::Journal;
use crate::model::CdcStats;
use crate::model::StartPosition;
use crate::model::SubscriptionOptions;

pub struct ChangeStream {
    sequencer: Sequencer,
    history: Arc<History>,
}

impl ChangeStream {
    /// A stream whose next event gets sequence `first`, caching `capacity` events in memory,
    /// and journaling every change durably when `journal` is given.
    pub fn new(first: u64, capacity: usize, journal: Option<Arc<dyn Journal>>) -> Self {
        let history = Arc::new(History::new(first, capacity, journal.clone()));
        Self { sequencer: Sequencer::new(history.clone(), first, journal), history }
    }

    pub fn sequencer(&self) -> &Sequencer {
        &self.sequencer
    }

    pub fn history(&self) -> &Arc<History> {
        &self.history
    }

    pub fn subscribe(&self, options: &SubscriptionOptions, handle_closed: Arc<AtomicBool>) -> Result<Subscription> {
        // Resolve the start against everything committed so far, not a history a moment behind.
        self.history.catch_up();
        let next = self.sequencer.next_sequence();
        let ring = self.history.read();
        let journal = self.history.journal();
        // The oldest event a subscriber can still get: on disk if journaled, else in the ring.
        let first = journal.map_or(ring.first(), |journal| journal.first_retained());
        let last_dropped_timestamp =
            journal.map_or(ring.last_dropped_timestamp(), |journal| journal.last_trimmed_timestamp());
        let lagged = |requested| StoreError::SubscriptionLagged { requested, first_available: first };
        let (cursor, min_timestamp) = match options.start {
            StartPosition::Now => (next, 0),
            StartPosition::Beginning => (first, 0),
            StartPosition::AfterSequence(checkpoint) => {
                let cursor = checkpoint.saturating_add(1);
                if cursor > next {
                    return Err(StoreError::InvalidArgument(format!(
                        "afterSequence {checkpoint} is beyond the last committed sequence ({})",
                        next as i128 - 1
                    )));
                }
                if cursor < first {
                    return Err(lagged(cursor));
                }
                (cursor, 0)
            }
            StartPosition::Timestamp(ms) => {
                // Dropped events are no later than the oldest retained one; if one of them could
                // be at or after `ms`, the start is no longer retained.
                if last_dropped_timestamp.is_some_and(|dropped| dropped >= ms) {
                    return Err(lagged(first.saturating_sub(1)));
                }
                let cursor = match journal {
                    Some(journal) => journal.seek_timestamp(ms)?.unwrap_or(next),
                    None => ring.first_at_or_after(ms),
                };
                (cursor, ms)
            }
        };
        drop(ring);
        let filter =
            Filter { actor_type: options.actor_type.clone(), key_prefix: options.key_prefix.clone(), min_timestamp };
        Ok(Subscription::new(self.history.clone(), handle_closed, cursor, filter))
    }

    /// Counters as of every change committed before the call (waits briefly for writers that are
    /// still publishing).
    pub fn stats(&self) -> CdcStats {
        let history = &self.history;
        history.catch_up();
        let next = self.sequencer.next_sequence();
        let ring = history.read();
        // Journaled stores replay from disk: what is held is the retained log.
        let (held, dropped) = match history.journal() {
            Some(journal) => (next - journal.first_retained(), journal.first_retained()),
            None => (ring.len() as u64, ring.dropped()),
        };
        CdcStats {
            total_events: next,
            current_sequence: next,
            replay_buffer_size: held,
            active_subscriptions: history.active_subscriptions(),
            events_dropped: dropped,
        }
    }

    /// Ends every subscription; writes are refused by the store from here on.
    pub fn close(&self) {
        self.history.close();
    }
}
