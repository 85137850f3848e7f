//! Strings across N-API without the detours of napi-rs's `String`: an argument is read with one
//! call straight into a reusable buffer (napi-rs asks V8 for the UTF-8 length first, then
//! allocates and zeroes a buffer, then copies), and a stored value goes back to V8 from the
//! store's own bytes (no intermediate `String`).

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::ptr;

use actor_store_core::limits::MAX_KEY_BYTES;
use actor_store_core::limits::MAX_VALUE_BYTES;
use actor_store_core::Record;
use actor_store_core::StoreError;
use napi::bindgen_prelude::ToNapiValue;
use napi::sys;
use napi::JsString;
use napi::JsValue;

use crate::error::to_native;
use crate::error::Result;

/// A UTF-8 character is at most 4 bytes: a read that stops this close to the end of the buffer
/// may have been cut short.
const CHAR_MAX: usize = 4;
/// Room for the longest key, plus enough to tell a longer one, plus V8's terminating NUL.
const KEY_CAPACITY: usize = MAX_KEY_BYTES + CHAR_MAX + 1;
/// Where a value buffer starts; it grows to fit larger values.
const VALUE_START_CAPACITY: usize = 4096;
/// A buffer grown past this for a rare huge value is given back afterwards.
const VALUE_KEPT_CAPACITY: usize = 1 << 20;

/// Copies what V8 writes of `value` into `buf` as UTF-8 (lone surrogates become U+FFFD); returns
/// the byte count, which is short of the string's length only if it did not fit.
///
/// # Safety
/// `buf` must be valid for `capacity` bytes of writes.
unsafe fn write_utf8(value: &JsString, buf: *mut u8, capacity: usize) -> Option<usize> {
    let raw = value.value();
    let mut written = 0;
    let status = unsafe { sys::napi_get_value_string_utf8(raw.env, raw.value, buf.cast(), capacity, &mut written) };
    (status == sys::Status::napi_ok).then_some(written)
}

fn not_a_string(what: &str) -> StoreError {
    StoreError::InvalidKey(format!("{what} must be a string"))
}

/// A stack buffer for one key argument.
pub struct KeyBuf([MaybeUninit<u8>; KEY_CAPACITY]);

impl KeyBuf {
    pub fn new() -> Self {
        Self([MaybeUninit::uninit(); KEY_CAPACITY])
    }

    /// The key `value` as UTF-8, checked to be a string of at most `MAX_KEY_BYTES` bytes (the
    /// core checks it is not empty).
    pub fn read(&mut self, what: &str, value: &JsString) -> Result<&str> {
        let buf = self.0.as_mut_ptr().cast::<u8>();
        // SAFETY: the buffer holds KEY_CAPACITY bytes.
        let len = unsafe { write_utf8(value, buf, KEY_CAPACITY) }.ok_or_else(|| to_native(not_a_string(what)))?;
        if len > MAX_KEY_BYTES {
            return Err(to_native(StoreError::InvalidKey(format!(
                "{what} is longer than {MAX_KEY_BYTES} UTF-8 bytes"
            ))));
        }
        // SAFETY: V8 initialized the first `len` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(buf, len) };
        std::str::from_utf8(bytes).map_err(|_| to_native(not_a_string(what)))
    }
}

thread_local! {
    /// Where this thread's value arguments are read; JS threads make one call at a time, and
    /// nothing called while it is borrowed calls back into JS.
    static VALUE_BUF: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(VALUE_START_CAPACITY));
}

/// Runs `work` on the JSON text `value` (which the core validates).
pub fn with_value<T>(value: &JsString, work: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    let not_text = || to_native(StoreError::InvalidValue("the value must arrive as JSON text".into()));
    VALUE_BUF.with_borrow_mut(|buf| {
        // SAFETY: the buffer has `capacity()` bytes of room.
        let mut len = unsafe { write_utf8(value, buf.as_mut_ptr(), buf.capacity()) }.ok_or_else(not_text)?;
        if len + CHAR_MAX + 1 >= buf.capacity() {
            // Perhaps cut short: ask for the whole length and read again into enough room.
            let mut whole = 0;
            let raw = value.value();
            // SAFETY: a null buffer asks only for the length.
            let status = unsafe { sys::napi_get_value_string_utf8(raw.env, raw.value, ptr::null_mut(), 0, &mut whole) };
            if status != sys::Status::napi_ok {
                return Err(not_text());
            }
            if whole > MAX_VALUE_BYTES {
                return Err(to_native(StoreError::InvalidValue(format!(
                    "value is larger than {MAX_VALUE_BYTES} bytes of JSON"
                ))));
            }
            buf.reserve(whole + 1);
            // SAFETY: as above, with the grown capacity.
            len = unsafe { write_utf8(value, buf.as_mut_ptr(), buf.capacity()) }.ok_or_else(not_text)?;
        }
        // SAFETY: V8 initialized the first `len` bytes.
        unsafe { buf.set_len(len) };
        let text = std::str::from_utf8(buf).map_err(|_| not_text());
        let result = text.and_then(work);
        buf.clear();
        if buf.capacity() > VALUE_KEPT_CAPACITY {
            buf.shrink_to(VALUE_START_CAPACITY);
        }
        result
    })
}

/// JSON text handed to JS as a string, straight from the bytes that hold it (a stored value, or
/// a batch of change events).
pub struct JsonText<T: AsRef<str>>(pub T);

/// A stored record's value, as text for `JsonText`.
pub struct ValueOf(pub Record);

impl AsRef<str> for ValueOf {
    fn as_ref(&self) -> &str {
        self.0.value()
    }
}

impl<T: AsRef<str>> ToNapiValue for JsonText<T> {
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> napi::Result<sys::napi_value> {
        let mut out = ptr::null_mut();
        let bytes = text.0.as_ref().as_bytes();
        // ASCII is Latin-1: V8 copies it into a one-byte string without decoding UTF-8.
        let status = if bytes.is_ascii() {
            unsafe { sys::napi_create_string_latin1(env, bytes.as_ptr().cast(), bytes.len() as isize, &mut out) }
        } else {
            unsafe { sys::napi_create_string_utf8(env, bytes.as_ptr().cast(), bytes.len() as isize, &mut out) }
        };
        if status == sys::Status::napi_ok {
            Ok(out)
        } else {
            Err(napi::Error::new(napi::Status::GenericFailure, "could not create a string for a value"))
        }
    }
}
