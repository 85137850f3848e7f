//! The per-operation calls (get, insert, update, updateVersioned, delete, async writes) as plain
//! N-API callbacks (see `raw_call`) on an `External` handle: no class method (napi-rs spends
//! about 200 ns unwrapping `this`) and no napi-rs function wrapper. Numbers that come back beside
//! a string (a version) are written to slots JS reads as a Float64Array, so no result object is
//! built, and a lost compare-and-swap comes back as a value, not as an error thrown through N-API
//! (which costs microseconds).

use std::cell::UnsafeCell;
use std::ffi::CStr;
use std::sync::Arc;
use std::sync::OnceLock;

use actor_store_core::MemoryStore as Store;
use actor_store_core::Record;
use actor_store_core::ReplySink;
use actor_store_core::StoreError;
use actor_store_core::StoreHandle;
use actor_store_core::ValueText;
use actor_store_core::WriteOp;
use napi::bindgen_prelude::External;
use napi::bindgen_prelude::Float64Array;
use napi::bindgen_prelude::Object;
use napi::bindgen_prelude::ToNapiValue;
use napi::sys;
use napi::Env;
use napi::JsValue;
use napi_derive::napi;

use crate::error::internal;
use crate::error::invalid_argument;
use crate::error::to_native;
use crate::error::to_u64;
use crate::error::Result;
use crate::js_text::with_value;
use crate::js_text::JsonText;
use crate::js_text::KeyBuf;
use crate::js_text::ValueOf;
use crate::raw_call;
use crate::raw_call::Call;
use crate::raw_call::Value;
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
    fn value_text(&self, record: Option<Record>) -> Option<JsonText<ValueOf>> {
        record.map(|record| {
            self.slots.set_version(record.version());
            JsonText(ValueOf(record))
        })
    }
}

impl Drop for FastHandle {
    fn drop(&mut self) {
        raw_call::forget_handle(self);
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

/// Registers the per-operation calls as plain N-API callbacks (see `raw_call`).
#[napi(module_exports)]
pub fn register_fast_calls(exports: Object, env: Env) -> napi::Result<()> {
    let calls: [(&CStr, sys::napi_callback); 6] = [
        (c"fastGet", Some(fast_get)),
        (c"fastInsert", Some(fast_insert)),
        (c"fastUpdate", Some(fast_update)),
        (c"fastUpdateVersioned", Some(fast_update_versioned)),
        (c"fastDelete", Some(fast_delete)),
        (c"fastWriteAsync", Some(fast_write_async)),
    ];
    for (name, callback) in calls {
        // SAFETY: this is the module's registration, with its own env and exports.
        if !unsafe { raw_call::export(env.raw(), exports.raw(), name, callback) } {
            return Err(napi::Error::from_reason(format!("could not export {name:?}")));
        }
    }
    Ok(())
}

/// The handle's key arguments (1 and 2), read into `buffers`.
fn keys<'b, const N: usize>(call: &Call<N>, buffers: &'b mut (KeyBuf, KeyBuf)) -> Result<(&'b str, &'b str)> {
    let (type_buf, id_buf) = buffers;
    Ok((type_buf.read("actorType", &call.string(1))?, id_buf.read("id", &call.string(2))?))
}

/// A stored value's text for JS (its version in slot 0), or null.
fn value_or_null<const N: usize>(call: &Call<N>, handle: &FastHandle, record: Option<Record>) -> Result<Value> {
    match handle.value_text(record) {
        // SAFETY: the running call's env.
        Some(text) => unsafe { JsonText::to_napi_value(call.env, text) }
            .map_err(|_| internal("could not create a string for a stored value")),
        None => call.null(),
    }
}

/// The calls that hand back a stored value: `(handle, actorType, id)`, the value's text (its
/// version in slot 0) or null.
unsafe fn record_call(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    read: impl FnOnce(&Store, &str, &str) -> actor_store_core::Result<Option<Record>>,
) -> Value {
    // SAFETY: N-API's own arguments to the calling callback.
    unsafe {
        raw_call::run::<3>(env, info, |call| {
            let handle = call.handle()?;
            let mut buffers = (KeyBuf::new(), KeyBuf::new());
            let (actor_type, id) = keys(call, &mut buffers)?;
            let record = handle.handle.store().and_then(|store| read(store, actor_type, id)).map_err(to_native)?;
            value_or_null(call, handle, record)
        })
    }
}

/// `fastGet(handle, actorType, id)`: the actor's value as JSON text (its version in slot 0), or null.
unsafe extern "C" fn fast_get(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe { record_call(env, info, |store, actor_type, id| store.get(actor_type, id)) }
}

/// Whether a write replaces an existing actor, whose state is then fetched while its value is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    New,
    Existing,
}

/// The writes that return a version: `(handle, actorType, id, json[, expectedVersion])`. `json`
/// is what `JSON.stringify` returned in the TypeScript layer, its only caller (see `value_text`).
unsafe fn versioned_write<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    target: Target,
    write: impl FnOnce(&Store, &FastHandle, &str, &str, ValueText, &Call<N>) -> Result<f64>,
) -> Value {
    // SAFETY: N-API's own arguments to the calling callback.
    unsafe {
        raw_call::run::<N>(env, info, |call| {
            let handle = call.handle()?;
            let mut buffers = (KeyBuf::new(), KeyBuf::new());
            let (actor_type, id) = keys(call, &mut buffers)?;
            let store = handle.handle.store().map_err(to_native)?;
            if target == Target::Existing {
                // Starts loading the actor's record, so a cache miss on it overlaps the value's copy.
                store.prefetch(actor_type, id);
            }
            let version = with_value(&call.string(3), |json| {
                write(store, handle, actor_type, id, ValueText::from_serializer(json), call)
            })?;
            call.double(version)
        })
    }
}

/// `fastInsert(handle, actorType, id, json)`: the new actor's version (0).
unsafe extern "C" fn fast_insert(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe {
        versioned_write::<4>(env, info, Target::New, |store, _, actor_type, id, json, _| {
            store.insert(actor_type, id, json).map(|version| version as f64).map_err(to_native)
        })
    }
}

/// `fastUpdate(handle, actorType, id, json)`: the new version.
unsafe extern "C" fn fast_update(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe {
        versioned_write::<4>(env, info, Target::Existing, |store, _, actor_type, id, json, _| {
            store.update(actor_type, id, json).map(|version| version as f64).map_err(to_native)
        })
    }
}

/// `fastUpdateVersioned(handle, actorType, id, json, expectedVersion)`: compare-and-swap; the new
/// version, or -1 when `expectedVersion` is not the actor's version (which is then in slot 0).
unsafe extern "C" fn fast_update_versioned(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe {
        versioned_write::<5>(env, info, Target::Existing, |store, handle, actor_type, id, json, call| {
            let expected = to_u64("expectedVersion", call.number("expectedVersion", 4)?)?;
            match store.update_versioned(actor_type, id, json, expected) {
                Ok(version) => Ok(version as f64),
                Err(StoreError::VersionMismatch { actual, .. }) => {
                    handle.slots.set_version(actual);
                    Ok(VERSION_MISMATCH)
                }
                Err(error) => Err(to_native(error)),
            }
        })
    }
}

/// `fastDelete(handle, actorType, id)`: the deleted actor's last value as JSON text (its version
/// in slot 0), or null if it did not exist.
unsafe extern "C" fn fast_delete(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe { record_call(env, info, |store, actor_type, id| store.delete(actor_type, id)) }
}

/// `fastWriteAsync(handle, actorType, id, json, kind, expectedVersion, ticket)`: queues a write
/// for the store's commit thread. It is applied in arrival order, written and made durable
/// together with the writes queued beside it, and answered with `ticket` through `listenWrites`.
/// `kind`: 0 insert, 1 update, 2 updateVersioned, 3 delete (`json` is then undefined).
unsafe extern "C" fn fast_write_async(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    // SAFETY: N-API's own arguments to this callback.
    unsafe {
        raw_call::run::<7>(env, info, |call| {
            let handle = call.handle()?;
            let json = call.optional_string(3);
            let kind = call.number("kind", 4)?;
            if ![0.0, 1.0, 2.0, 3.0].contains(&kind) {
                return Err(invalid_argument(format!("unknown write kind {kind}")));
            }
            if json.is_none() && kind != 3.0 {
                return Err(invalid_argument("a value is required"));
            }
            let expected = if kind == 2.0 { to_u64("expectedVersion", call.number("expectedVersion", 5)?)? } else { 0 };
            let ticket = to_u64("ticket", call.number("ticket", 6)?)?;
            let mut buffers = (KeyBuf::new(), KeyBuf::new());
            let (actor_type, id) = keys(call, &mut buffers)?;
            let replies =
                handle.replies.get().ok_or_else(|| invalid_argument("call listenWrites before writing async"))?;
            let submit = |op: WriteOp<'_>| {
                let replies: Arc<dyn ReplySink> = replies.clone();
                handle.handle.submit(actor_type, id, op, ticket, replies).map_err(to_native)
            };
            match json {
                // What `JSON.stringify` returned, as for the synchronous writes; copied once, with
                // the keys, into the queued write.
                Some(json) if kind != 3.0 => with_value(&json, |json| {
                    let value = ValueText::from_serializer(json);
                    submit(match kind {
                        0.0 => WriteOp::Insert(value),
                        1.0 => WriteOp::Update(value),
                        _ => WriteOp::UpdateVersioned(value, expected),
                    })
                })?,
                _ => submit(WriteOp::Delete)?,
            }
            call.undefined()
        })
    }
}
