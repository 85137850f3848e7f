//! What restoring a snapshot changes: checked up front, then planned against the current state.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::Result;
use crate::error::StoreError;
use crate::limits::check_key;
use crate::limits::check_value;
use crate::limits::MAX_SAFE_INTEGER;
use crate::model::ActorId;
use crate::snapshot::Snapshot;
use crate::snapshot::SnapshotActor;
use crate::storage::StorageBackend;

pub type Wanted<'a> = HashMap<(&'a str, &'a str), &'a SnapshotActor>;

/// Validates every actor of the snapshot; a bad one rejects the whole restore.
pub fn check(snapshot: &Snapshot) -> Result<Wanted<'_>> {
    let bad = |why: String| StoreError::InvalidArgument(format!("invalid snapshot: {why}"));
    let mut wanted = HashMap::with_capacity(snapshot.actors.len());
    for actor in &snapshot.actors {
        check_key("actorType", &actor.actor_type).map_err(|e| bad(e.to_string()))?;
        check_key("id", &actor.id).map_err(|e| bad(e.to_string()))?;
        check_value(&actor.value).map_err(|e| bad(e.to_string()))?;
        if actor.version > MAX_SAFE_INTEGER {
            return Err(bad(format!("version {} is too large", actor.version)));
        }
        if wanted.insert((&*actor.actor_type, &*actor.id), actor).is_some() {
            return Err(bad(format!("actor {:?}/{:?} appears twice", actor.actor_type, actor.id)));
        }
    }
    Ok(wanted)
}

/// The changes that turn the current state into the wanted one.
pub struct Plan<'a> {
    pub removals: Vec<(Arc<str>, ActorId)>,
    pub inserts: Vec<&'a SnapshotActor>,
    pub updates: Vec<&'a SnapshotActor>,
}

impl Plan<'_> {
    /// Number of changes (events) the plan makes.
    pub fn changes(&self) -> usize {
        self.removals.len() + self.inserts.len() + self.updates.len()
    }
}

pub fn plan<'a, B: StorageBackend>(backend: &B, wanted: &Wanted<'a>) -> Plan<'a> {
    let mut plan = Plan { removals: Vec::new(), inserts: Vec::new(), updates: Vec::new() };
    backend.scan(&mut |actor_type, id, record| match wanted.get(&(&**actor_type, &**id)) {
        None => plan.removals.push((actor_type.clone(), id.clone())),
        Some(actor) if &*actor.value != record.value() || actor.version != record.version() => plan.updates.push(actor),
        Some(_) => {}
    });
    let mut wanted_in_order: Vec<_> = wanted.values().copied().collect();
    wanted_in_order.sort_by(|a, b| (&a.actor_type, &a.id).cmp(&(&b.actor_type, &b.id)));
    for actor in wanted_in_order {
        if backend.get(&actor.actor_type, &actor.id).is_none() {
            plan.inserts.push(actor);
        }
    }
    plan
}
