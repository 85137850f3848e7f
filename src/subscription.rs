use actor_store_core::Polled;
use actor_store_core::Subscription;
use napi::bindgen_prelude::Function;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use parking_lot::Mutex;

use crate::error::to_native;
use crate::error::Result;
use crate::js_text::JsonText;

/// A pull cursor over the change stream, wrapped in TS by an async iterator.
#[napi]
pub struct NativeSubscription {
    inner: Mutex<Subscription>,
}

impl NativeSubscription {
    pub fn new(subscription: Subscription) -> Self {
        Self { inner: Mutex::new(subscription) }
    }
}

#[napi]
impl NativeSubscription {
    /// Up to `max` events as a JSON array; '' when none are ready yet; null once ended.
    #[napi(catch_unwind, ts_return_type = "string | null")]
    pub fn poll(&self, max: u32) -> Result<Option<JsonText<String>>> {
        match self.inner.lock().poll(max as usize).map_err(to_native)? {
            Polled::Events { json, .. } => Ok(Some(JsonText(json))),
            Polled::Pending => Ok(Some(JsonText(String::new()))),
            Polled::Ended => Ok(None),
        }
    }

    /// Calls `wake` once a poll may return something new. The callback is held weakly, so an
    /// idle subscription does not keep the process alive; returns true when committed changes
    /// are still on their way, so the caller keeps its event loop alive until the wake-up.
    #[napi(catch_unwind)]
    pub fn wait_ready(&self, wake: Function<(), ()>) -> napi::Result<bool> {
        let wake = wake.build_threadsafe_function::<()>().weak::<true>().callee_handled::<false>().build()?;
        Ok(self.inner.lock().wake_when_ready(Box::new(move || {
            wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        })))
    }

    /// Ends the subscription. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.lock().close();
    }
}
