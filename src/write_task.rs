use std::panic::catch_unwind;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use actor_store_core::json;
use actor_store_core::json::push_string;
use actor_store_core::StoreError;
use actor_store_core::StoreHandle;
use napi::bindgen_prelude::Env;
use napi::Task;

/// A write run off the JS thread (libuv's pool): with `durability: 'sync'`, concurrent writers
/// share one fsync, and the event loop never waits on the disk.
pub enum WriteOp {
    Insert(String),
    Update(String),
    UpdateVersioned(String, u64),
    Delete,
}

pub struct WriteTask {
    pub handle: Arc<StoreHandle>,
    pub actor_type: String,
    pub id: String,
    pub op: WriteOp,
}

impl WriteTask {
    fn run(&self) -> Result<String, StoreError> {
        let store = self.handle.store()?;
        let (actor_type, id) = (&self.actor_type, &self.id);
        let version = match &self.op {
            WriteOp::Insert(value) => store.insert(actor_type, id, value)?,
            WriteOp::Update(value) => store.update(actor_type, id, value)?,
            WriteOp::UpdateVersioned(value, expected) => store.update_versioned(actor_type, id, value, *expected)?,
            WriteOp::Delete => {
                let removed = store.delete(actor_type, id)?;
                let actor = removed.map_or_else(|| "null".to_owned(), |record| json::actor(id, &record));
                return Ok(format!("{{\"actor\":{actor}}}"));
            }
        };
        Ok(format!("{{\"version\":{version}}}"))
    }
}

/// The outcome as JSON: `{"version"}` / `{"actor"}` on success, `{"error","message"}` on failure —
/// async results cannot carry a custom error code, so the TS layer rebuilds the typed error.
fn error_json(error: &StoreError) -> String {
    let mut out = String::from("{\"error\":");
    push_string(&mut out, error.code());
    out.push_str(",\"message\":");
    let message = crate::error::to_native(error.clone()).reason;
    push_string(&mut out, &message);
    out.push('}');
    out
}

impl Task for WriteTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.run()))
            .unwrap_or_else(|_| Err(StoreError::Internal("a write panicked".into())));
        Ok(outcome.unwrap_or_else(|error| error_json(&error)))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}
