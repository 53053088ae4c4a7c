//! `subscribe(socket, topic, handlers, opts)`: the hook-style helper for overlays.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::values::{error, function, type_name};
use super::Socket;

/// Joins `topic` with a map of event handlers and returns one function that removes
/// the handlers and leaves the channel. Options: `params`, `channel` (channel
/// options, e.g. `{reliable: true}`), `onJoin(reply)`, `onError(reason)`. Framework-free: return it from React's `useEffect`, call it
/// in Vue's `onUnmounted` or return it from Svelte's `onMount`.
#[wasm_bindgen]
pub fn subscribe(socket: &Socket, topic: &str, handlers: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    if !handlers.is_object() {
        return Err(error(format!("subscribe handlers must be an object of event -> function (got {})", type_name(&handlers))));
    }
    let opt = |k: &str| if opts.is_object() { Reflect::get(&opts, &k.into()).unwrap_or(JsValue::UNDEFINED) } else { JsValue::UNDEFINED };
    let channel = socket.channel(topic, opt("params"), opt("channel"))?;
    let mut bindings = Vec::new();
    let handlers_obj: &Object = handlers.unchecked_ref();
    for key in Object::keys(handlers_obj).iter() {
        let event = key.as_string().unwrap_or_default();
        let cb = Reflect::get(&handlers, &key)?;
        function(&cb, &format!("subscribe handler for \"{event}\""))?;
        bindings.push((event.clone(), channel.on(&event, cb)?));
    }
    let join = channel.join(None)?;
    for (status, key) in [("ok", "onJoin"), ("error", "onError")] {
        let cb = opt(key);
        if !cb.is_undefined() {
            join.receive(status, cb)?;
        }
    }
    let unsubscribe = Closure::once_into_js(move || {
        for (event, r) in bindings {
            let _ = channel.off(&event, Some(r));
        }
        let _ = channel.leave(None);
    });
    Ok(unsubscribe)
}
