//! JSON text built by hand from already-validated pieces: values are stored as JSON, so
//! writing a record or an event is string concatenation, with no parse and no object walk.

use std::fmt::Write;

use crate::model::Record;

/// Appends `text` as a JSON string literal.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..at]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        plain_from = at + 1;
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

/// `{"id":…,"value":…,"version":…}` — the shape of ActorData in the API.
pub fn push_actor(out: &mut String, record: &Record) {
    out.push_str("{\"id\":");
    push_string(out, record.id());
    out.push_str(",\"value\":");
    out.push_str(record.value());
    let _ = write!(out, ",\"version\":{}}}", record.version());
}

pub fn actor(record: &Record) -> String {
    let mut out = String::with_capacity(record.id().len() + record.value().len() + 40);
    push_actor(&mut out, record);
    out
}

/// A JSON array of actors.
pub fn actors(actors: &[Record]) -> String {
    let size: usize = actors.iter().map(|a| a.id().len() + a.value().len() + 40).sum();
    let mut out = String::with_capacity(size + 2);
    out.push('[');
    for (index, record) in actors.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_actor(&mut out, record);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> String {
        let mut out = String::new();
        push_string(&mut out, text);
        out
    }

    #[test]
    fn strings_round_trip_through_a_json_parser() {
        for text in ["plain", "a:b", "quote\"back\\slash", "new\nline\ttab\r", "\u{1}\u{1f}", "ключ 🙂", "\u{2028}"]
        {
            let parsed: String = serde_json::from_str(&quoted(text)).unwrap();
            assert_eq!(parsed, text);
        }
    }

    #[test]
    fn actor_json_has_the_api_shape() {
        let record = Record::new("u\"1", "{\"n\":1}", 3);
        let parsed: serde_json::Value = serde_json::from_str(&actor(&record)).unwrap();
        assert_eq!(parsed, serde_json::json!({ "id": "u\"1", "value": { "n": 1 }, "version": 3 }));
    }
}
