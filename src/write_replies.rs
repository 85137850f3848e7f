//! Async writes: JS queues each write with a ticket, the core's commit thread applies and syncs
//! them in groups, and the outcomes come back to JS as one JSON string per group through a
//! threadsafe function held weakly (JS keeps its event loop alive while writes are pending).

use std::fmt::Write;

use actor_store_core::json::push_string;
use actor_store_core::Outcomes;
use actor_store_core::ReplySink;
use actor_store_core::WriteOutcome;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::Status;

use crate::error::to_native;

pub type RepliesCallback = ThreadsafeFunction<String, (), String, Status, false, true>;

pub struct JsReplies {
    callback: RepliesCallback,
}

impl JsReplies {
    pub fn new(callback: RepliesCallback) -> Self {
        Self { callback }
    }
}

/// `[[ticket, version] | [ticket, null] | [ticket, {"value","version"}] | [ticket, code, message], …]`:
/// a version for inserts and updates, the last state (or null) for deletes, or the error.
pub fn outcomes_json(outcomes: &Outcomes) -> String {
    let mut out = String::with_capacity(outcomes.len() * 24 + 2);
    out.push('[');
    for (index, (ticket, outcome)) in outcomes.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{ticket},");
        match outcome {
            Ok(WriteOutcome::Version(version)) => {
                let _ = write!(out, "{version}");
            }
            Ok(WriteOutcome::Deleted(None)) => out.push_str("null"),
            Ok(WriteOutcome::Deleted(Some(record))) => {
                out.push_str("{\"value\":");
                out.push_str(record.value());
                let _ = write!(out, ",\"version\":{}}}", record.version());
            }
            Err(error) => {
                push_string(&mut out, error.code());
                out.push(',');
                push_string(&mut out, &to_native(error.clone()).reason);
            }
        }
        out.push(']');
    }
    out.push(']');
    out
}

impl ReplySink for JsReplies {
    fn deliver(&self, outcomes: Outcomes) {
        // Fails only once the JS environment is gone (a worker that exited): nobody to answer.
        let _ = self.callback.call(outcomes_json(&outcomes), ThreadsafeFunctionCallMode::NonBlocking);
    }
}
