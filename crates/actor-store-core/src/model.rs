use std::sync::Arc;

pub use crate::actor_id::ActorId;
pub use crate::record::Record;

/// Validated JSON text. Shared, never copied, between the state, the change log and readers.
/// An `Arc` without a weak count: one word less in every value's allocation, which for small
/// values is often the difference of a whole allocator size class.
pub type Json = triomphe::Arc<str>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Insert,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }
}

/// A committed change. `previous` is absent on INSERT, `next` on DELETE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    pub sequence: u64,
    pub operation: Operation,
    pub actor_type: Arc<str>,
    pub actor_id: ActorId,
    pub previous: Option<Record>,
    pub next: Option<Record>,
    /// Commit time in ms since the Unix epoch; never decreases along the sequence.
    pub timestamp: u64,
}

/// Where a subscription starts reading the change stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartPosition {
    /// Every retained event, from the oldest.
    Beginning,
    /// Only events committed after `subscribe` returns.
    Now,
    /// Resume after a checkpoint: the first event is `n + 1`.
    AfterSequence(u64),
    /// The first event with `timestamp >= ms`.
    Timestamp(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionOptions {
    pub start: StartPosition,
    pub actor_type: Option<String>,
    pub key_prefix: Option<String>,
}

impl Default for SubscriptionOptions {
    fn default() -> Self {
        Self { start: StartPosition::Now, actor_type: None, key_prefix: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CdcStats {
    pub total_events: u64,
    pub current_sequence: u64,
    pub replay_buffer_size: u64,
    pub active_subscriptions: u64,
    pub events_dropped: u64,
}
