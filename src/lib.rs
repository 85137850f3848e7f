//! N-API binding for the Actor Store core: argument conversion and delegation only.
//! Values cross as JSON text; errors cross with the core's error code as their `code`.
#![deny(clippy::all)]

mod error;
pub mod fast;
mod js_text;
mod raw_call;
mod snapshot;
mod store;
mod subscription;
mod write_replies;
