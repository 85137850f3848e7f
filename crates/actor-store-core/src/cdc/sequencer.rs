use std::sync::Arc;
use std::time::SystemTime;
use std::time::UNIX_EPOCH;

use crossbeam_channel::Sender;

use super::history::History;
use crate::model::ChangeEvent;
use crate::model::Operation;
use crate::model::Record;

/// Hands out the global sequence and queues each event for the processor. Called while the
/// actor's key is locked, so one actor's events are numbered in version order; writers to
/// different actors may enqueue out of order, and the processor puts them back in order.
pub struct Sequencer {
    /// Holds the counter, so subscribers can see what is committed but not yet published.
    history: Arc<History>,
    queue: Sender<ChangeEvent>,
}

impl Sequencer {
    pub fn new(history: Arc<History>, queue: Sender<ChangeEvent>) -> Self {
        Self { history, queue }
    }

    /// The sequence the next event will get.
    pub fn next_sequence(&self) -> u64 {
        self.history.next_sequence()
    }

    pub fn append(
        &self,
        operation: Operation,
        actor_type: &Arc<str>,
        actor_id: &Arc<str>,
        previous: Option<&Record>,
        next: Option<&Record>,
    ) -> u64 {
        // Everything that could fail or allocate happens before the sequence is taken, so a
        // taken sequence is always sent: the processor never waits on a hole.
        let mut event = ChangeEvent {
            sequence: 0,
            operation,
            actor_type: actor_type.clone(),
            actor_id: actor_id.clone(),
            previous: previous.cloned(),
            next: next.cloned(),
            timestamp: now_ms(),
        };
        event.sequence = self.history.take_sequence();
        let sequence = event.sequence;
        // Fails only when the processor is gone, i.e. the store is being dropped.
        let _ = self.queue.send(event);
        sequence
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
