//! A written value's JSON text and where it came from. Text from anywhere gets its syntax checked
//! (a pass over every byte); text a JSON serializer produced is well-formed by construction and
//! skips that pass. The binding's write calls take only what `JSON.stringify` returned in the
//! package's own TypeScript layer, and for a 1 KB value the scan was 40% of a native write.

use crate::error::Result;
use crate::limits::check_value;
use crate::limits::check_value_size;

/// Where a value's text came from, which decides what is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Anything: checked to be one JSON document within the size limit.
    Unchecked,
    /// A JSON serializer's output: only the size limit is checked.
    Serializer,
}

/// A value's JSON text, borrowed for a write (a queued write copies it into its `QueuedWrite`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueText<'a> {
    pub(crate) text: &'a str,
    pub(crate) origin: Origin,
}

impl<'a> ValueText<'a> {
    /// Text a JSON serializer produced (such as `JSON.stringify`), which is always one
    /// well-formed document; the caller vouches for that.
    pub fn from_serializer(text: &'a str) -> Self {
        Self { text, origin: Origin::Serializer }
    }

    /// The text, once it passed the checks its origin calls for.
    pub fn checked(self) -> Result<&'a str> {
        match self.origin {
            Origin::Unchecked => check_value(self.text)?,
            Origin::Serializer => check_value_size(self.text)?,
        }
        Ok(self.text)
    }
}

impl<'a> From<&'a str> for ValueText<'a> {
    fn from(text: &'a str) -> Self {
        Self { text, origin: Origin::Unchecked }
    }
}

impl<'a> From<&'a String> for ValueText<'a> {
    fn from(text: &'a String) -> Self {
        text.as_str().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_VALUE_BYTES;

    #[test]
    fn unchecked_text_must_be_json() {
        assert_eq!(ValueText::from("{\"a\":1}").checked(), Ok("{\"a\":1}"));
        let refused = ValueText::from("{\"a\":").checked().unwrap_err();
        assert_eq!(refused.code(), "INVALID_VALUE");
    }

    #[test]
    fn serializer_text_skips_the_syntax_scan_but_not_the_size_limit() {
        // Not JSON, so only a skipped scan lets it through: proof the scan is not run.
        assert_eq!(ValueText::from_serializer("{\"a\":").checked(), Ok("{\"a\":"));
        let huge = format!("\"{}\"", "x".repeat(MAX_VALUE_BYTES));
        assert_eq!(ValueText::from_serializer(&huge).checked().unwrap_err().code(), "INVALID_VALUE");
    }
}
