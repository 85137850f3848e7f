//! Point-in-time copies of a store's state, as JSON that can go to a file and into another store.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::error::StoreError;
use crate::json::push_string;
use crate::model::ActorId;
use crate::model::Json;

pub const SNAPSHOT_FORMAT: &str = "actor-store-snapshot/1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotActor {
    pub actor_type: Arc<str>,
    pub id: ActorId,
    pub value: Json,
    pub version: u64,
}

/// Every actor, as of just before change `sequence` (so it reflects sequences `< sequence`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub sequence: u64,
    pub actors: Vec<SnapshotActor>,
}

impl Snapshot {
    /// `{"format":…,"sequence":…,"actors":[{"actorType","id","value","version"}…]}`
    pub fn to_json(&self) -> String {
        let size: usize = self.actors.iter().map(|a| a.actor_type.len() + a.id.len() + a.value.len() + 50).sum();
        let mut out = String::with_capacity(size + 80);
        out.push_str("{\"format\":\"");
        out.push_str(SNAPSHOT_FORMAT);
        out.push_str(&format!("\",\"sequence\":{},\"actors\":", self.sequence));
        push_actors(&mut out, &self.actors);
        out.push('}');
        out
    }

    /// Parses the JSON form; the caller validates keys and values before using it.
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Document {
            format: String,
            sequence: u64,
            actors: Vec<ActorDocument>,
        }
        let document: Document = serde_json::from_str(text).map_err(not_a_snapshot)?;
        if document.format != SNAPSHOT_FORMAT {
            return Err(StoreError::InvalidArgument(format!(
                "snapshot format {:?} is not {SNAPSHOT_FORMAT:?}",
                document.format
            )));
        }
        Ok(Self { sequence: document.sequence, actors: document.actors.into_iter().map(SnapshotActor::from).collect() })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActorDocument {
    actor_type: String,
    id: String,
    value: Box<RawValue>,
    version: u64,
}

impl From<ActorDocument> for SnapshotActor {
    fn from(actor: ActorDocument) -> Self {
        Self {
            actor_type: actor.actor_type.into(),
            id: ActorId::from(actor.id.as_str()),
            value: Json::from(actor.value.get()),
            version: actor.version,
        }
    }
}

fn not_a_snapshot(error: serde_json::Error) -> StoreError {
    StoreError::InvalidArgument(format!("not an Actor Store snapshot: {error}"))
}

/// Appends `actors` as a JSON array of `{"actorType","id","value","version"}`. Large snapshots
/// cross to JavaScript in slices of this form, since one string cannot exceed V8's limit.
pub fn push_actors(out: &mut String, actors: &[SnapshotActor]) {
    out.push('[');
    for (index, actor) in actors.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str("{\"actorType\":");
        push_string(out, &actor.actor_type);
        out.push_str(",\"id\":");
        push_string(out, &actor.id);
        out.push_str(",\"value\":");
        out.push_str(&actor.value);
        out.push_str(&format!(",\"version\":{}}}", actor.version));
    }
    out.push(']');
}

/// Parses a JSON array of snapshot actors (one slice of a large snapshot).
pub fn parse_actors(text: &str) -> Result<Vec<SnapshotActor>> {
    let actors: Vec<ActorDocument> = serde_json::from_str(text).map_err(not_a_snapshot)?;
    Ok(actors.into_iter().map(SnapshotActor::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let snapshot = Snapshot {
            sequence: 7,
            actors: vec![SnapshotActor {
                actor_type: "a:b".into(),
                id: "\"c\"".into(),
                value: "{\"n\":[1]}".into(),
                version: 3,
            }],
        };
        assert_eq!(Snapshot::from_json(&snapshot.to_json()).unwrap(), snapshot);
        assert_eq!(Snapshot::from_json("{}").unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(Snapshot::from_json("[1").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
