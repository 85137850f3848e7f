use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::history::History;
use crate::error::Result;
use crate::error::StoreError;
use crate::event_wire;
use crate::journal::Journal;
use crate::model::ChangeEvent;

/// Which events a subscriber wants.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_type: Option<String>,
    pub key_prefix: Option<String>,
    /// Skip events committed before this time (a timestamp start position).
    pub min_timestamp: u64,
}

impl Filter {
    fn matches(&self, timestamp: u64, actor_type: &str, actor_id: &str) -> bool {
        timestamp >= self.min_timestamp
            && self.actor_type.as_deref().is_none_or(|t| actor_type == t)
            && self.key_prefix.as_deref().is_none_or(|p| actor_id.starts_with(p))
    }
}

/// Collects matching events' JSON into one array.
struct BatchJson {
    json: String,
    count: usize,
}

impl BatchJson {
    fn new() -> Self {
        Self { json: String::from("["), count: 0 }
    }

    fn push(&mut self, event_json: &str) {
        self.separate();
        self.json.push_str(event_json);
    }

    /// Serializes `event` straight into the batch (events read from disk are not kept).
    fn push_event(&mut self, event: &ChangeEvent) {
        self.separate();
        event_wire::push_event(&mut self.json, event);
    }

    fn separate(&mut self) {
        if self.count > 0 {
            self.json.push(',');
        }
        self.count += 1;
    }

    fn finish(mut self) -> Polled {
        if self.count == 0 {
            return Polled::Pending;
        }
        self.json.push(']');
        Polled::Events { json: self.json, count: self.count }
    }
}

/// What one poll found.
#[derive(Debug, PartialEq, Eq)]
pub enum Polled {
    /// A batch of `count` events in sequence order, in the wire form of `event_wire`.
    Events { json: String, count: usize },
    /// Nothing new yet.
    Pending,
    /// The subscription, its store handle, or the store was closed.
    Ended,
}

/// A pull cursor over the change stream. Replay and live delivery are the same walk over
/// the history ring, so the hand-over between them cannot skip or repeat an event.
pub struct Subscription {
    history: Arc<History>,
    /// Set when the store handle that opened this subscription closes.
    handle_closed: Arc<AtomicBool>,
    cursor: u64,
    filter: Filter,
    active: bool,
    /// Where event JSON is built (see `Entry::json`).
    scratch: String,
}

impl Subscription {
    pub(crate) fn new(history: Arc<History>, handle_closed: Arc<AtomicBool>, cursor: u64, filter: Filter) -> Self {
        history.subscription_opened();
        Self { history, handle_closed, cursor, filter, active: true, scratch: String::new() }
    }

    /// The next sequence this subscription will examine.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    fn is_ended(&self) -> bool {
        !self.active || self.handle_closed.load(Ordering::Acquire) || self.history.is_closed()
    }

    /// Up to `max` matching events. A cursor that history no longer retains is an error,
    /// never a silent skip; after it (or after the end) the subscription is finished.
    pub fn poll(&mut self, max: usize) -> Result<Polled> {
        if self.is_ended() {
            self.close();
            return Ok(Polled::Ended);
        }
        self.history.catch_up();
        if self.cursor >= self.history.end() {
            return Ok(Polled::Pending);
        }
        let max = max.max(1);
        let ring = self.history.read();
        if self.cursor < ring.first() {
            let first = ring.first();
            drop(ring);
            return match self.history.journal().cloned() {
                Some(journal) if self.cursor >= journal.first_retained() => self.poll_journal(&*journal, first, max),
                journal => {
                    let first_available = journal.map_or(first, |journal| journal.first_retained());
                    self.lagged(first_available)
                }
            };
        }
        let mut batch = BatchJson::new();
        for entry in ring.from(self.cursor) {
            let event = &entry.event;
            self.cursor = event.sequence + 1;
            if self.matches(event) {
                batch.push(entry.json(&mut self.scratch));
                if batch.count == max {
                    break;
                }
            }
        }
        Ok(batch.finish())
    }

    /// Reads history older than the in-memory ring from the durable log, up to `ring_first`.
    fn poll_journal(&mut self, journal: &dyn Journal, ring_first: u64, max: usize) -> Result<Polled> {
        let events = journal.read(self.cursor, (ring_first - self.cursor).min(1024) as usize)?;
        if events.first().is_none_or(|event| event.sequence != self.cursor) {
            return self.lagged(journal.first_retained()); // trimmed between the check and the read
        }
        let mut batch = BatchJson::new();
        for event in &events {
            self.cursor = event.sequence + 1;
            if self.matches(event) {
                batch.push_event(event);
                if batch.count == max {
                    break;
                }
            }
        }
        Ok(batch.finish())
    }

    fn matches(&self, event: &ChangeEvent) -> bool {
        self.filter.matches(event.timestamp, &event.actor_type, &event.actor_id)
    }

    fn lagged(&mut self, first_available: u64) -> Result<Polled> {
        let error = StoreError::SubscriptionLagged { requested: self.cursor, first_available };
        self.close();
        Err(error)
    }

    fn ready_check(&self) -> impl Fn() -> bool + use<> {
        let (history, handle_closed, cursor, active) =
            (self.history.clone(), self.handle_closed.clone(), self.cursor, self.active);
        move || !active || handle_closed.load(Ordering::Acquire) || history.is_closed() || history.end() > cursor
    }

    /// Calls `wake` once a poll may find something new or the end (at once if it already may).
    /// Returns whether changes committed before the call are still on their way to this cursor:
    /// an event loop must then stay alive for the wake-up, even if nothing else keeps it running.
    pub fn wake_when_ready(&self, wake: Box<dyn FnOnce() + Send>) -> bool {
        let in_flight = self.active && self.history.next_sequence() > self.cursor;
        self.history.wake_when(self.ready_check(), wake);
        in_flight
    }

    /// Blocks until a poll may find something new or the end, or `timeout` elapses.
    pub fn wait(&self, timeout: Duration) -> bool {
        self.history.wait_until(self.ready_check(), timeout)
    }

    pub fn close(&mut self) {
        if std::mem::take(&mut self.active) {
            self.history.subscription_ended();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.close();
    }
}
