//! Actor ids as the store keeps them. Most ids are short: those live inside the key itself, so a
//! lookup compares them without following a pointer (one cache miss fewer per call), they cost no
//! allocation, and an event copies them instead of touching a shared reference count. Longer ids
//! are one shared allocation, referenced by the state and by every event about that actor.

use std::borrow::Borrow;
use std::fmt;
use std::hash::Hash;
use std::hash::Hasher;
use std::ops::Deref;
use std::sync::Arc;

/// Longest id kept inline: with the length and the variant tag, an `ActorId` is 24 bytes, as
/// large as a `String`.
const INLINE: usize = 22;

#[derive(Clone)]
pub struct ActorId(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl ActorId {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                // SAFETY: inline bytes are only ever copied from a `&str`, whole (see `From`).
                unsafe { std::str::from_utf8_unchecked(&bytes[..usize::from(*len)]) }
            }
            Repr::Shared(text) => text,
        }
    }
}

impl From<&str> for ActorId {
    fn from(text: &str) -> Self {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Self(Repr::Inline { len: text.len() as u8, bytes })
        } else {
            Self(Repr::Shared(Arc::from(text)))
        }
    }
}

impl Deref for ActorId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ActorId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// Hash, equality and order are those of the text, so maps keyed by ActorId can be searched with
// a `&str` (which `Borrow` promises).
impl Borrow<str> for ActorId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for ActorId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for ActorId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ActorId {}

impl PartialOrd for ActorId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ActorId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashMap;

    use super::*;

    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn short_and_long_ids_keep_their_text() {
        for text in ["", "a", "user:0000001", "ключ🙂", &"x".repeat(INLINE), &"y".repeat(INLINE + 1), &"é".repeat(600)]
        {
            let id = ActorId::from(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(id.clone().as_str(), text);
            assert_eq!(hash_of(&id), hash_of(text), "hashes like its text: {text:?}");
        }
        assert_eq!(std::mem::size_of::<ActorId>(), 24);
    }

    #[test]
    fn a_map_keyed_by_ids_is_searched_with_str() {
        let mut map = HashMap::new();
        map.insert(ActorId::from("short"), 1);
        map.insert(ActorId::from("a much longer id than fits inline"), 2);
        assert_eq!(map.get("short"), Some(&1));
        assert_eq!(map.get("a much longer id than fits inline"), Some(&2));
        assert_eq!(map.get("shor"), None);
    }
}
