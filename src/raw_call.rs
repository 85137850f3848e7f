//! Plain N-API callbacks for the per-operation calls. napi-rs wraps every `#[napi]` function in
//! per-call machinery (borrow scopes, deferred guards, thread-local bookkeeping) that costs about
//! 1,400 instructions per call, as much as the store's own work for a small value (counted with
//! callgrind: 3,400 instructions per `get` through the macro, 2,000 through a plain callback).
//! These callbacks read their arguments with one N-API call each and never let a panic or a
//! Rust error cross the boundary: errors are thrown as JS errors carrying the core's code.

use std::cell::Cell;
use std::panic::catch_unwind;
use std::panic::AssertUnwindSafe;
use std::ptr;

use napi::bindgen_prelude::External;
use napi::bindgen_prelude::FromNapiValue;
use napi::sys;
use napi::JsString;

use crate::error::internal;
use crate::error::invalid_argument;
use crate::error::NativeError;
use crate::error::Result;
use crate::fast::FastHandle;

pub type Value = sys::napi_value;

thread_local! {
    /// The external this thread last proved to be a live handle, and the handle inside it. A call
    /// on the same handle skips napi-rs's registry check (a global lock and a map lookup, about
    /// 220 instructions); the handle's `Drop` clears the entry before the memory is freed.
    static LAST_HANDLE: Cell<(usize, *const FastHandle)> = const { Cell::new((0, ptr::null())) };
}

/// Forgets `handle` as this thread's last checked handle (it is being dropped).
pub fn forget_handle(handle: *const FastHandle) {
    // During thread teardown the cache may already be gone, and with it anything to forget.
    let _ = LAST_HANDLE.try_with(|last| {
        if last.get().1 == handle {
            last.set((0, ptr::null()));
        }
    });
}

/// The arguments of a call, and its environment.
pub struct Call<const N: usize> {
    pub env: sys::napi_env,
    args: [Value; N],
}

impl<const N: usize> Call<N> {
    /// The store handle passed first: an external this addon made (checked against napi-rs's
    /// registry of live externals, so another value is an error, never a bad pointer).
    pub fn handle(&self) -> Result<&FastHandle> {
        let mut data = ptr::null_mut();
        // SAFETY: `env` and the argument belong to the running call.
        let status = unsafe { sys::napi_get_value_external(self.env, self.args[0], &mut data) };
        let not_a_handle = || invalid_argument("the first argument must be a store handle");
        if status != sys::Status::napi_ok || data.is_null() {
            return Err(not_a_handle());
        }
        let (last_data, last_handle) = LAST_HANDLE.with(Cell::get);
        if data as usize == last_data {
            // SAFETY: proven live by the registry when cached, and not dropped since (its Drop
            // would have cleared the cache, on this thread, which owns the external).
            return Ok(unsafe { &*last_handle });
        }
        // SAFETY: the registry check inside proves `data` is a live External<FastHandle>.
        let handle = unsafe { External::<FastHandle>::inner_from_raw(data) }.ok_or_else(not_a_handle)?;
        LAST_HANDLE.with(|last| last.set((data as usize, handle as *const FastHandle)));
        Ok(handle)
    }

    /// Argument `at` as a string (read later, into a buffer).
    pub fn string(&self, at: usize) -> JsString<'_> {
        // SAFETY: wrapping a value does not read it; reading it checks that it is a string.
        unsafe { JsString::from_napi_value(self.env, self.args[at]) }.expect("wrapping a value cannot fail")
    }

    /// Argument `at` as a string, or None when it is undefined or null.
    pub fn optional_string(&self, at: usize) -> Option<JsString<'_>> {
        let mut kind = sys::ValueType::napi_undefined;
        // SAFETY: as above.
        unsafe { sys::napi_typeof(self.env, self.args[at], &mut kind) };
        (kind != sys::ValueType::napi_undefined && kind != sys::ValueType::napi_null).then(|| self.string(at))
    }

    /// Argument `at` as a number.
    pub fn number(&self, what: &str, at: usize) -> Result<f64> {
        let mut number = 0.0;
        // SAFETY: as above.
        let status = unsafe { sys::napi_get_value_double(self.env, self.args[at], &mut number) };
        if status == sys::Status::napi_ok {
            Ok(number)
        } else {
            Err(invalid_argument(format!("{what} must be a number")))
        }
    }

    pub fn null(&self) -> Result<Value> {
        self.created(|out| unsafe { sys::napi_get_null(self.env, out) })
    }

    pub fn undefined(&self) -> Result<Value> {
        self.created(|out| unsafe { sys::napi_get_undefined(self.env, out) })
    }

    pub fn double(&self, number: f64) -> Result<Value> {
        self.created(|out| unsafe { sys::napi_create_double(self.env, number, out) })
    }

    fn created(&self, create: impl FnOnce(*mut Value) -> sys::napi_status) -> Result<Value> {
        let mut out = ptr::null_mut();
        if create(&mut out) == sys::Status::napi_ok {
            Ok(out)
        } else {
            Err(internal("could not create a result value"))
        }
    }
}

/// Runs `body` for the callback `info` with its first `N` arguments (missing ones are undefined),
/// throwing its error, or an `INTERNAL` error if it panicked.
///
/// # Safety
/// `env` and `info` must be those N-API passed to the running callback.
pub unsafe fn run<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    body: impl FnOnce(&Call<N>) -> Result<Value>,
) -> Value {
    let mut call = Call { env, args: [ptr::null_mut(); N] };
    let mut count = N;
    // SAFETY: the callback's own `env` and `info`; room for N arguments.
    let status = unsafe {
        sys::napi_get_cb_info(env, info, &mut count, call.args.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
    };
    let outcome = if status != sys::Status::napi_ok {
        Err(internal("could not read the call's arguments"))
    } else {
        catch_unwind(AssertUnwindSafe(|| body(&call))).unwrap_or_else(|_| Err(internal("the native store panicked")))
    };
    match outcome {
        Ok(value) => value,
        Err(error) => {
            throw(env, &error);
            ptr::null_mut()
        }
    }
}

/// Throws `error` as a JS Error whose `code` is the store's error code.
fn throw(env: sys::napi_env, error: &NativeError) {
    let text = |text: &str, out: &mut Value| {
        // SAFETY: `text` outlives the call, which copies it.
        unsafe { sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, out) }
    };
    let (mut code, mut message, mut thrown) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: `env` is the running callback's; a failure here leaves nothing thrown, and N-API
    // then reports the callback's null result as undefined.
    unsafe {
        if text(error.status, &mut code) == sys::Status::napi_ok
            && text(&error.reason, &mut message) == sys::Status::napi_ok
            && sys::napi_create_error(env, code, message, &mut thrown) == sys::Status::napi_ok
        {
            sys::napi_throw(env, thrown);
        }
    }
}

/// Sets `callback` as the function `name` on `exports`.
///
/// # Safety
/// `env` and `exports` must be the module's, during its registration.
pub unsafe fn export(env: sys::napi_env, exports: Value, name: &std::ffi::CStr, callback: sys::napi_callback) -> bool {
    let mut function = ptr::null_mut();
    let bytes = name.to_bytes();
    // SAFETY: per the contract above.
    unsafe {
        sys::napi_create_function(env, name.as_ptr(), bytes.len() as isize, callback, ptr::null_mut(), &mut function)
            == sys::Status::napi_ok
            && sys::napi_set_named_property(env, exports, name.as_ptr(), function) == sys::Status::napi_ok
    }
}
