//! One async write as it waits for the commit thread: the actor's type, its id and the value's
//! text in a single allocation. The caller's thread allocates it and the commit or sync thread
//! frees it. A free from another thread takes the allocator's arena lock, which the caller's
//! next allocation then waits on: one allocation per write instead of three strings saves two of
//! those round trips (about 290 ns of the caller's time per write, see bench/README).

use crate::commit_queue::WriteOp;
use crate::value_text::Origin;
use crate::value_text::ValueText;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Insert,
    Update,
    UpdateVersioned(u64),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedWrite {
    /// `actor_type`, then `id`, then the value's text (empty for a delete).
    text: String,
    type_len: usize,
    id_len: usize,
    kind: Kind,
    origin: Origin,
}

impl QueuedWrite {
    /// A copy of the write `op` on `(actor_type, id)`. Nothing is checked here: the commit thread
    /// checks the keys and the value as a synchronous write would.
    pub fn new(actor_type: &str, id: &str, op: WriteOp<'_>) -> Self {
        let (kind, value) = match op {
            WriteOp::Insert(value) => (Kind::Insert, Some(value)),
            WriteOp::Update(value) => (Kind::Update, Some(value)),
            WriteOp::UpdateVersioned(value, expected) => (Kind::UpdateVersioned(expected), Some(value)),
            WriteOp::Delete => (Kind::Delete, None),
        };
        let value_text = value.map_or("", |value| value.text);
        let mut text = String::with_capacity(actor_type.len() + id.len() + value_text.len());
        text.push_str(actor_type);
        text.push_str(id);
        text.push_str(value_text);
        let origin = value.map_or(Origin::Unchecked, |value| value.origin);
        Self { text, type_len: actor_type.len(), id_len: id.len(), kind, origin }
    }

    pub fn actor_type(&self) -> &str {
        &self.text[..self.type_len]
    }

    pub fn id(&self) -> &str {
        &self.text[self.type_len..self.type_len + self.id_len]
    }

    /// The write, its value borrowed from here.
    pub fn op(&self) -> WriteOp<'_> {
        let value = ValueText { text: &self.text[self.type_len + self.id_len..], origin: self.origin };
        match self.kind {
            Kind::Insert => WriteOp::Insert(value),
            Kind::Update => WriteOp::Update(value),
            Kind::UpdateVersioned(expected) => WriteOp::UpdateVersioned(value, expected),
            Kind::Delete => WriteOp::Delete,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_and_the_write_apart() {
        let ops = [
            WriteOp::Insert("{\"a\":1}".into()),
            WriteOp::Update(ValueText::from_serializer("[]")),
            WriteOp::UpdateVersioned("\"é\"".into(), 7),
            WriteOp::Delete,
        ];
        for op in ops {
            let write = QueuedWrite::new("user", "42", op);
            assert_eq!((write.actor_type(), write.id(), write.op()), ("user", "42", op));
        }
    }

    #[test]
    fn empty_and_multibyte_keys() {
        let write = QueuedWrite::new("", "ключ", WriteOp::Insert("0".into()));
        assert_eq!((write.actor_type(), write.id(), write.op()), ("", "ключ", WriteOp::Insert("0".into())));
        let write = QueuedWrite::new("t", "", WriteOp::Delete);
        assert_eq!((write.actor_type(), write.id(), write.op()), ("t", "", WriteOp::Delete));
    }

    #[test]
    fn keeps_where_the_value_came_from() {
        // Not JSON: only text from a serializer skips the syntax check.
        let unchecked = QueuedWrite::new("t", "a", WriteOp::Insert("{".into()));
        let serialized = QueuedWrite::new("t", "a", WriteOp::Insert(ValueText::from_serializer("{")));
        let value = |write: &QueuedWrite| match write.op() {
            WriteOp::Insert(value) => value.checked().map(str::to_owned),
            other => panic!("{other:?}"),
        };
        assert_eq!(value(&unchecked).unwrap_err().code(), "INVALID_VALUE");
        assert_eq!(value(&serialized), Ok("{".to_owned()));
    }
}
