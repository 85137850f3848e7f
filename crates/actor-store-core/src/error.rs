use std::fmt;

/// Every way an operation can fail. Each variant has a stable code that the binding hands to
/// TypeScript, where it becomes the matching error class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    KeyAlreadyExists {
        actor_type: String,
        id: String,
    },
    NotFound {
        actor_type: String,
        id: String,
    },
    VersionMismatch {
        expected: u64,
        actual: u64,
    },
    InvalidKey(String),
    InvalidValue(String),
    InvalidArgument(String),
    /// The subscriber needs `requested`, but history now starts at `first_available`.
    SubscriptionLagged {
        requested: u64,
        first_available: u64,
    },
    StoreClosed,
    /// The data directory is in use by another process.
    StoreLocked(String),
    /// The data directory is damaged, or holds something that is not an Actor Store.
    StoreCorrupted(String),
    /// The file system refused (not a directory, no permission, disk full, …).
    Storage(String),
    /// A bug: a caught panic or a broken invariant. Never caused by input.
    Internal(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyAlreadyExists { .. } => "KEY_ALREADY_EXISTS",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::VersionMismatch { .. } => "VERSION_MISMATCH",
            Self::InvalidKey(_) => "INVALID_KEY",
            Self::InvalidValue(_) => "INVALID_VALUE",
            Self::InvalidArgument(_) => "INVALID_ARGUMENT",
            Self::SubscriptionLagged { .. } => "SUBSCRIPTION_LAGGED",
            Self::StoreClosed => "STORE_CLOSED",
            Self::StoreLocked(_) => "STORE_LOCKED",
            Self::StoreCorrupted(_) => "STORE_CORRUPTED",
            Self::Storage(_) => "STORAGE_ERROR",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyAlreadyExists { actor_type, id } => write!(f, "actor {actor_type:?}/{id:?} already exists"),
            Self::NotFound { actor_type, id } => write!(f, "actor {actor_type:?}/{id:?} does not exist"),
            Self::VersionMismatch { expected, actual } => {
                write!(f, "version mismatch: expected {expected}, actual {actual}")
            }
            Self::InvalidKey(why)
            | Self::InvalidValue(why)
            | Self::InvalidArgument(why)
            | Self::StoreLocked(why)
            | Self::StoreCorrupted(why)
            | Self::Storage(why) => f.write_str(why),
            Self::SubscriptionLagged { requested, first_available } => {
                write!(f, "subscriber fell behind: needed sequence {requested}, oldest retained is {first_available}")
            }
            Self::StoreClosed => f.write_str("the store is closed"),
            Self::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
