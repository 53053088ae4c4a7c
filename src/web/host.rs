//! What the driver needs from the browser besides the `WebSocket`: the clock, one
//! timer and event listeners, each cancelled when dropped (gloo's `Timeout` and
//! `EventListener`).

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The host's monotonic clock in whole ms (the core's time).
pub fn now() -> u64 {
    performance_now() as u64
}

/// The driver's one timer: a `setTimeout` for the core's next deadline, cleared when
/// dropped (also from its own callback: the callback is freed once it returns).
pub struct Timer {
    _timeout: Timeout,
    /// When it fires (ms on [`now`]'s clock).
    pub at: u64,
}

impl Timer {
    /// Calls `callback` at `at` (or at once when that has passed).
    pub fn at(at: u64, callback: impl FnOnce() + 'static) -> Timer {
        let delay = u32::try_from(at.saturating_sub(now())).unwrap_or(u32::MAX);
        Timer { _timeout: Timeout::new(delay, callback), at }
    }
}

/// Listens to `name` on `target` until the listener is dropped.
pub fn listen(target: &web_sys::EventTarget, name: &'static str, mut callback: impl FnMut() + 'static) -> EventListener {
    EventListener::new(target, name, move |_| callback())
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

/// A random seed for the reconnect jitter, one per socket.
pub fn seed() -> u64 {
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    high << 32 | low
}

pub use crate::core::timers::whole_ms as ms;
