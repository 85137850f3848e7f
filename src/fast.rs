//! The per-operation calls (get, insert, update, updateVersioned, delete, async writes) as plain functions on an
//! `External` handle. napi-rs spends about 200 ns unwrapping `this` on every class method call —
//! as much as the store's own work for a small value — and a plain function with an external
//! argument does not. Numbers that come back beside a string (a version) are written to slots
//! JS reads as a Float64Array, so no result object is built, and a lost compare-and-swap comes
//! back as a value, not as an error thrown through N-API (which costs microseconds).

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::OnceLock;

use actor_store_core::Record;
use actor_store_core::ReplySink;
use actor_store_core::StoreError;
use actor_store_core::StoreHandle;
use actor_store_core::WriteOp;
use napi::bindgen_prelude::External;
use napi::bindgen_prelude::Float64Array;
use napi::JsString;
use napi_derive::napi;

use crate::error::invalid_argument;
use crate::error::to_native;
use crate::error::to_u64;
use crate::error::Result;
use crate::js_text::with_value;
use crate::js_text::JsonText;
use crate::js_text::KeyBuf;
use crate::write_replies::JsReplies;

/// What `fast_update_versioned` returns when the expected version is not the actor's.
const VERSION_MISMATCH: f64 = -1.0;

/// Numbers returned beside a call's result. Only the JS thread that owns the handle calls it and
/// reads them, one call at a time, so there is never a concurrent access.
struct Slots(UnsafeCell<[f64; 1]>);

// SAFETY: see above — the slots are touched by one JS thread, between and during its own calls.
unsafe impl Send for Slots {}
unsafe impl Sync for Slots {}

impl Slots {
    fn set_version(&self, version: u64) {
        // SAFETY: the owning JS thread is inside this call, so it is not reading the slot.
        unsafe { (*self.0.get())[0] = version as f64 }
    }
}

pub struct FastHandle {
    handle: Arc<StoreHandle>,
    slots: Arc<Slots>,
    /// Where async write outcomes go, once JS has called `listenWrites` on the store handle.
    replies: Arc<OnceLock<Arc<JsReplies>>>,
}

impl FastHandle {
    pub fn new(handle: Arc<StoreHandle>, replies: Arc<OnceLock<Arc<JsReplies>>>) -> Self {
        Self { handle, slots: Arc::new(Slots(UnsafeCell::new([0.0]))), replies }
    }

    /// A record's value as JSON text, its version put in slot 0.
    fn value_text(&self, record: Option<Record>) -> Option<JsonText> {
        record.map(|record| {
            self.slots.set_version(record.version);
            JsonText(record.value)
        })
    }
}

/// The handle's result slots as a Float64Array (slot 0: the version of the last get or delete,
/// or the actual version after a lost compare-and-swap).
#[napi]
pub fn fast_slots(handle: &External<FastHandle>) -> Float64Array {
    let slots = handle.slots.clone();
    let data = slots.0.get().cast::<f64>();
    // SAFETY: the memory lives in `slots`, which the array's finalizer keeps alive.
    unsafe { Float64Array::with_external_data(data, 1, move |_, _| drop(slots)) }
}

/// The actor's value as JSON text (its version in slot 0), or null.
#[napi(catch_unwind, ts_return_type = "string | null")]
pub fn fast_get(handle: &External<FastHandle>, actor_type: JsString, id: JsString) -> Result<Option<JsonText>> {
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let store = handle.handle.store().map_err(to_native)?;
    let record = store.get(actor_type, id).map_err(to_native)?;
    Ok(handle.value_text(record))
}

/// Returns the new actor's version (0).
#[napi(catch_unwind)]
pub fn fast_insert(handle: &External<FastHandle>, actor_type: JsString, id: JsString, json: JsString) -> Result<u32> {
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let store = handle.handle.store().map_err(to_native)?;
    with_value(&json, |json| store.insert(actor_type, id, json).map(|version| version as u32).map_err(to_native))
}

/// Returns the new version.
#[napi(catch_unwind)]
pub fn fast_update(handle: &External<FastHandle>, actor_type: JsString, id: JsString, json: JsString) -> Result<f64> {
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let store = handle.handle.store().map_err(to_native)?;
    with_value(&json, |json| store.update(actor_type, id, json).map(|version| version as f64).map_err(to_native))
}

/// Compare-and-swap: returns the new version, or -1 when `expected_version` is not the actor's
/// version (which is then in slot 0).
#[napi(catch_unwind)]
pub fn fast_update_versioned(
    handle: &External<FastHandle>,
    actor_type: JsString,
    id: JsString,
    json: JsString,
    expected_version: f64,
) -> Result<f64> {
    let expected = to_u64("expectedVersion", expected_version)?;
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let store = handle.handle.store().map_err(to_native)?;
    with_value(&json, |json| match store.update_versioned(actor_type, id, json, expected) {
        Ok(version) => Ok(version as f64),
        Err(StoreError::VersionMismatch { actual, .. }) => {
            handle.slots.set_version(actual);
            Ok(VERSION_MISMATCH)
        }
        Err(error) => Err(to_native(error)),
    })
}

/// The deleted actor's last value as JSON text (its version in slot 0), or null if it did not exist.
#[napi(catch_unwind, ts_return_type = "string | null")]
pub fn fast_delete(handle: &External<FastHandle>, actor_type: JsString, id: JsString) -> Result<Option<JsonText>> {
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let store = handle.handle.store().map_err(to_native)?;
    let removed = store.delete(actor_type, id).map_err(to_native)?;
    Ok(handle.value_text(removed))
}

/// Queues a write for the store's commit thread: it is applied in arrival order, written and made
/// durable together with the writes queued beside it, and answered with `ticket` through
/// `listenWrites`. `kind`: 0 insert, 1 update, 2 updateVersioned, 3 delete.
#[napi(catch_unwind)]
pub fn fast_write_async(
    handle: &External<FastHandle>,
    kind: u32,
    actor_type: JsString,
    id: JsString,
    json: Option<JsString>,
    expected_version: f64,
    ticket: f64,
) -> Result<()> {
    let value = || match &json {
        Some(json) => with_value(json, |json| Ok(json.to_owned())),
        None => Err(invalid_argument("a value is required")),
    };
    let op = match kind {
        0 => WriteOp::Insert(value()?),
        1 => WriteOp::Update(value()?),
        2 => WriteOp::UpdateVersioned(value()?, to_u64("expectedVersion", expected_version)?),
        3 => WriteOp::Delete,
        other => return Err(invalid_argument(format!("unknown write kind {other}"))),
    };
    let (mut type_buf, mut id_buf) = (KeyBuf::new(), KeyBuf::new());
    let (actor_type, id) = (type_buf.read("actorType", &actor_type)?, id_buf.read("id", &id)?);
    let replies = handle.replies.get().ok_or_else(|| invalid_argument("call listenWrites before writing async"))?;
    let replies: Arc<dyn ReplySink> = replies.clone();
    handle
        .handle
        .submit(actor_type.to_owned(), id.to_owned(), op, to_u64("ticket", ticket)?, replies)
        .map_err(to_native)
}
