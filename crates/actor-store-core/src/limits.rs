//! Input rules, checked once in the core whatever the caller (TypeScript checks the same
//! rules first so both backends fail alike; these checks guard direct Rust callers too).

use crate::error::Result;
use crate::error::StoreError;

/// Longest actor type or id, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;
/// Largest value, as UTF-8 JSON text.
pub const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;
pub const DEFAULT_REPLAY_BUFFER_SIZE: usize = 65_536;
pub const MAX_REPLAY_BUFFER_SIZE: usize = 1 << 24;
/// Largest integer a JavaScript number holds exactly: versions and sequences stay below it.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

pub fn check_key(what: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(StoreError::InvalidKey(format!("{what} must not be empty")));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(StoreError::InvalidKey(format!("{what} is longer than {MAX_KEY_BYTES} UTF-8 bytes")));
    }
    Ok(())
}

/// Checks that `json` is within the size limit.
pub fn check_value_size(json: &str) -> Result<()> {
    if json.len() > MAX_VALUE_BYTES {
        return Err(StoreError::InvalidValue(format!("value is larger than {MAX_VALUE_BYTES} bytes of JSON")));
    }
    Ok(())
}

/// Checks that `json` is one well-formed JSON document within the size limit.
pub fn check_value(json: &str) -> Result<()> {
    check_value_size(json)?;
    crate::json_syntax::check(json)
        .map_err(|at| StoreError::InvalidValue(format!("value is not valid JSON (at byte {at})")))
}

pub fn check_replay_buffer_size(size: usize) -> Result<()> {
    if (1..=MAX_REPLAY_BUFFER_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "replayBufferSize must be an integer from 1 to {MAX_REPLAY_BUFFER_SIZE}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_non_empty_and_bounded() {
        assert_eq!(check_key("id", "").unwrap_err().code(), "INVALID_KEY");
        assert_eq!(check_key("id", &"x".repeat(MAX_KEY_BYTES + 1)).unwrap_err().code(), "INVALID_KEY");
        assert!(check_key("id", &"x".repeat(MAX_KEY_BYTES)).is_ok());
        assert!(check_key("id", "ключ:🙂").is_ok());
    }

    #[test]
    fn values_must_be_one_json_document() {
        for bad in ["", "{", "[1,]", "{} {}", "undefined", "NaN", "'x'"] {
            assert_eq!(check_value(bad).unwrap_err().code(), "INVALID_VALUE", "{bad:?}");
        }
        for good in ["null", "0", "-1.5e3", "\"\\ud800\"", "{\"a\":[1,{\"b\":null}]}"] {
            assert!(check_value(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn oversized_values_are_rejected() {
        let big = format!("\"{}\"", "x".repeat(MAX_VALUE_BYTES));
        assert_eq!(check_value(&big).unwrap_err().code(), "INVALID_VALUE");
    }
}
