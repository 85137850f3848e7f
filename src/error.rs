use actor_store_core::StoreError;

/// An N-API error whose JS `code` is the core's stable error code.
pub type NativeError = napi::Error<&'static str>;
pub type Result<T> = std::result::Result<T, NativeError>;

pub fn to_native(error: StoreError) -> NativeError {
    // The TS layer reads these two codes' numbers from the message as JSON.
    let message = match &error {
        StoreError::VersionMismatch { expected, actual } => format!("{{\"expected\":{expected},\"actual\":{actual}}}"),
        StoreError::SubscriptionLagged { requested, first_available } => {
            format!("{{\"firstAvailable\":{first_available},\"requested\":{requested}}}")
        }
        other => other.to_string(),
    };
    napi::Error::new(error.code(), message)
}

pub fn invalid_argument(message: impl Into<String>) -> NativeError {
    to_native(StoreError::InvalidArgument(message.into()))
}

/// N-API itself failed (not the caller's doing).
pub fn internal(message: impl Into<String>) -> NativeError {
    to_native(StoreError::Internal(message.into()))
}

/// A JS number that must be a non-negative safe integer.
pub fn to_u64(what: &str, number: f64) -> Result<u64> {
    if number.is_finite()
        && number >= 0.0
        && number.fract() == 0.0
        && number <= actor_store_core::limits::MAX_SAFE_INTEGER as f64
    {
        Ok(number as u64)
    } else {
        Err(invalid_argument(format!("{what} must be a non-negative integer, got {number}")))
    }
}
