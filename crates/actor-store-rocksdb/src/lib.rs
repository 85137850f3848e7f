//! Actor Store on RocksDB: actor state and change log in column families, each change one
//! atomic `WriteBatch`; recovery on open; a change log that subscribers replay from disk.

mod codec;
mod errors;
mod journal;
mod open;
pub mod registry;

pub use journal::Retention;
pub use journal::RocksJournal;
pub use open::open;
pub use open::PersistentOptions;
