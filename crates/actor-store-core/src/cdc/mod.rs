//! The change stream: a lock-free sequencer that writers call under their key's lock, a
//! processor thread that restores sequence order, and a bounded history that subscribers
//! read with their own cursors.

mod history;
mod processor;
mod sequencer;
mod subscription;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;

pub use history::History;
pub use processor::Reorder;
pub use sequencer::now_ms;
pub use sequencer::Sequencer;
pub use subscription::Filter;
pub use subscription::Polled;
pub use subscription::Subscription;

use crate::error::Result;
use crate::error::StoreError;
use crate::model::CdcStats;
use crate::model::StartPosition;
use crate::model::SubscriptionOptions;

pub struct ChangeStream {
    sequencer: Sequencer,
    history: Arc<History>,
    processor: Option<JoinHandle<()>>,
}

impl ChangeStream {
    /// A stream whose first event gets sequence `first`, retaining `capacity` events.
    pub fn new(first: u64, capacity: usize) -> Self {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let history = Arc::new(History::new(first, capacity));
        let processor = processor::spawn(receiver, history.clone(), first);
        Self {
            sequencer: Sequencer::new(history.clone(), sender),
            history,
            processor: Some(processor),
        }
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
        let lagged = |requested| StoreError::SubscriptionLagged {
            requested,
            first_available: ring.first(),
        };
        let (cursor, min_timestamp) = match options.start {
            StartPosition::Now => (next, 0),
            StartPosition::Beginning => (ring.first(), 0),
            StartPosition::AfterSequence(checkpoint) => {
                let cursor = checkpoint.saturating_add(1);
                if cursor > next {
                    return Err(StoreError::InvalidArgument(format!(
                        "afterSequence {checkpoint} is beyond the last committed sequence ({})",
                        next as i128 - 1
                    )));
                }
                if cursor < ring.first() {
                    return Err(lagged(cursor));
                }
                (cursor, 0)
            }
            StartPosition::Timestamp(ms) => {
                // Evicted events are no later than the oldest retained one; if one of them could
                // be at or after `ms`, the start is no longer retained.
                if ring.last_dropped_timestamp().is_some_and(|dropped| dropped >= ms) {
                    return Err(lagged(ring.first().saturating_sub(1)));
                }
                (ring.first_at_or_after(ms), ms)
            }
        };
        drop(ring);
        let filter = Filter {
            actor_type: options.actor_type.clone(),
            key_prefix: options.key_prefix.clone(),
            min_timestamp,
        };
        Ok(Subscription::new(self.history.clone(), handle_closed, cursor, filter))
    }

    /// Counters as of every change committed before the call (waits briefly for the processor).
    pub fn stats(&self) -> CdcStats {
        let history = &self.history;
        history.catch_up();
        let next = self.sequencer.next_sequence();
        let ring = history.read();
        CdcStats {
            total_events: next,
            current_sequence: next,
            replay_buffer_size: ring.len() as u64,
            active_subscriptions: history.active_subscriptions(),
            events_dropped: ring.dropped(),
        }
    }

    /// Ends every subscription; writes are refused by the store from here on.
    pub fn close(&self) {
        self.history.close();
    }
}

impl Drop for ChangeStream {
    fn drop(&mut self) {
        self.history.close();
        // The processor stops once the sequencer's sender is gone; swap it out first.
        let (orphan, _) = crossbeam_channel::unbounded();
        drop(std::mem::replace(
            &mut self.sequencer,
            Sequencer::new(self.history.clone(), orphan),
        ));
        if let Some(processor) = self.processor.take() {
            let _ = processor.join();
        }
    }
}
