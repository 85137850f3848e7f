use std::sync::Arc;
use std::time::SystemTime;
use std::time::UNIX_EPOCH;

use parking_lot::Mutex;

use super::history::History;
use super::publisher::Publisher;
use crate::error::Result;
use crate::journal::Journal;
use crate::model::ActorId;
use crate::model::ChangeEvent;
use crate::model::Operation;
use crate::model::Record;

/// Hands out the global sequence and queues each event for publishing. Called while the
/// actor's key is locked, so one actor's events are numbered in version order.
///
/// In memory the sequence is a lock-free counter: writers to different actors may enqueue out of
/// order and the publisher puts them back in order. With a journal, taking the sequence and the
/// durable write happen under one lock, so the log on disk is gapless even after a crash and a
/// failed write takes no sequence.
pub struct Sequencer {
    /// Holds the counter, so subscribers can see what is committed but not yet published.
    history: Arc<History>,
    publisher: Publisher,
    journal: Option<Arc<dyn Journal>>,
    /// Journal order; also keeps journaled timestamps monotonic.
    commit: Mutex<u64>,
}

impl Sequencer {
    pub fn new(history: Arc<History>, first: u64, journal: Option<Arc<dyn Journal>>) -> Self {
        let publisher = Publisher::new(history.clone(), first, journal.clone());
        Self { publisher, history, journal, commit: Mutex::new(0) }
    }

    /// The sequence the next event will get.
    pub fn next_sequence(&self) -> u64 {
        self.history.next_sequence()
    }

    pub fn journal(&self) -> Option<&Arc<dyn Journal>> {
        self.journal.as_ref()
    }

    /// Publishes the changes sequenced so far; writers call it once their key is unlocked.
    pub fn publish(&self) {
        self.publisher.publish();
    }

    /// Sequences one change and queues it for `publish`; returns its sequence. With a journal,
    /// the change is written to it now, or with `Write::Staged` on the next `flush_staged` (it
    /// is published only once written).
    pub fn append(
        &self,
        operation: Operation,
        actor_type: &Arc<str>,
        actor_id: &ActorId,
        previous: Option<&Record>,
        next: Option<&Record>,
        write: Write,
    ) -> Result<u64> {
        // Everything that could fail happens before the sequence is taken, so a taken sequence is
        // always queued: publishing never waits on a hole.
        let mut event = ChangeEvent {
            sequence: 0,
            operation,
            actor_type: actor_type.clone(),
            actor_id: actor_id.clone(),
            previous: previous.cloned(),
            next: next.cloned(),
            timestamp: now_ms(),
        };
        let Some(journal) = &self.journal else {
            event.sequence = self.history.take_sequence();
            let sequence = event.sequence;
            self.publisher.push(event);
            return Ok(sequence);
        };
        let mut last_timestamp = self.commit.lock();
        event.sequence = self.history.next_sequence();
        event.timestamp = event.timestamp.max(*last_timestamp);
        match write {
            Write::Now => journal.record(std::slice::from_ref(&event))?,
            Write::Staged => journal.stage(std::slice::from_ref(&event))?,
        }
        *last_timestamp = event.timestamp;
        let sequence = self.history.take_sequence();
        self.publisher.push(event);
        Ok(sequence)
    }

    /// Writes the changes staged so far to the journal and publishes them.
    pub fn flush_staged(&self) -> Result<()> {
        let flushed = match &self.journal {
            Some(journal) => {
                let _order = self.commit.lock();
                journal.flush_staged()
            }
            None => Ok(()),
        };
        self.publisher.publish_durable();
        flushed
    }

    /// Waits until the change with `sequence` is as durable as the store promises.
    pub fn make_durable(&self, sequence: u64) -> Result<()> {
        let Some(journal) = &self.journal else { return Ok(()) };
        let synced = journal.sync_through(sequence);
        // With syncing, changes wait for their sync before subscribers see them.
        if journal.syncs_writes() {
            self.publisher.publish_durable();
        }
        synced
    }
}

/// When a journaled change reaches the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Before `append` returns.
    Now,
    /// With the next `flush_staged` (or the next `Now` write), together with other staged ones.
    Staged,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as u64)
}
