use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread;
use std::thread::JoinHandle;

use crossbeam_channel::Receiver;

use super::history::Entry;
use super::history::History;
use crate::json;
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

/// Moves sequenced events into the history in order, serializing each once for all readers.
pub fn spawn(queue: Receiver<ChangeEvent>, history: Arc<History>, first: u64) -> JoinHandle<()> {
    thread::Builder::new()
        .name("actor-store-cdc".into())
        .spawn(move || run(&queue, &history, first))
        .expect("spawning the change-stream thread")
}

fn run(queue: &Receiver<ChangeEvent>, history: &History, first: u64) {
    let mut reorder = Reorder::new(first);
    let mut ready = Vec::with_capacity(MAX_BATCH);
    let mut last_timestamp = 0;
    while let Ok(event) = queue.recv() {
        reorder.push(event, &mut ready);
        while ready.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(event) => reorder.push(event, &mut ready),
                Err(_) => break,
            }
        }
        if ready.is_empty() {
            continue;
        }
        let entries: Vec<Entry> = ready
            .drain(..)
            .map(|mut event| {
                // Commit clocks of concurrent writers can disagree by a tick; keep time monotonic
                // along the sequence so a timestamp start position is a binary search.
                event.timestamp = event.timestamp.max(last_timestamp);
                last_timestamp = event.timestamp;
                Entry::new(json::event(&event), event)
            })
            .collect();
        history.publish(entries);
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
}
