//! What the driver needs from the browser besides the `WebSocket`: the clock, one
//! timer, and event listeners that are removed when dropped (RAII, as gloo's).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// The host's monotonic clock in whole ms (the core's time).
pub fn now() -> u64 {
    performance_now() as u64
}

/// One `setTimeout`, cleared when dropped.
pub struct Timeout {
    id: JsValue,
    /// When it fires (ms on [`now`]'s clock).
    pub at: u64,
}

impl Timeout {
    /// Calls `callback` at `at` (or at once when that has passed).
    pub fn at(at: u64, callback: &Closure<dyn FnMut()>) -> Timeout {
        let delay = at.saturating_sub(now()) as f64;
        Timeout { id: set_timeout(callback.as_ref().unchecked_ref(), delay), at }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// An event listener, removed when dropped.
pub struct Listener {
    target: web_sys::EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut()>,
}

impl Listener {
    /// Listens to `name` on `target`.
    pub fn new(target: &web_sys::EventTarget, name: &'static str, callback: impl FnMut() + 'static) -> Listener {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
        Listener { target: target.clone(), name, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.name, self.callback.as_ref().unchecked_ref());
    }
}

/// Whether the page is visible (true without a document, e.g. in a worker).
pub fn visible() -> bool {
    web_sys::window().and_then(|w| w.document()).is_none_or(|d| d.visibility_state() != web_sys::VisibilityState::Hidden)
}

/// The page's location, to resolve a relative endpoint (none in a worker).
pub fn page() -> Option<crate::core::endpoint::PageLocation> {
    let location = web_sys::window()?.location();
    Some(crate::core::endpoint::PageLocation { protocol: location.protocol().ok()?, host: location.host().ok()? })
}

/// A random seed for the reconnect jitter.
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}
