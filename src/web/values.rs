//! Values crossing the JS boundary: payloads, callbacks, errors, the clock.

use js_sys::{ArrayBuffer, Function, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use js_sys::{Object, Reflect};

use crate::core::text::cat;
use crate::core::{Message, Payload};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(js_namespace = console, js_name = error)]
    pub(crate) fn console_error(msg: &str, detail: &JsValue);

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn console_warn(msg: &str);
}

#[wasm_bindgen]
extern "C" {
    /// `globalThis` (one import, where `js_sys::global()` probes four names).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// The global object: the page's `window`, a worker's `self`, node's `globalThis`.
pub(crate) fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> Uint8Array;
}

#[wasm_bindgen(module = "/js/text.js")]
extern "C" {
    /// `text` as UTF-8 into wasm memory at `[ptr, ptr + capacity)`: the bytes
    /// written, or -1 when they did not all fit.
    #[wasm_bindgen(js_name = encodeInto)]
    fn encode_into(text: &js_sys::JsString, memory: &JsValue, ptr: u32, capacity: u32) -> i32;

    /// A thrown value that is not an `Error`, as text (JSON for plain objects and arrays).
    fn show(value: &JsValue) -> String;
}


/// Strings up to this length that are not all ASCII get room for their longest
/// UTF-8 form (3 bytes per UTF-16 unit); longer ones are encoded by the browser
/// first, so a megabyte of state never asks for three.
const BULK_TEXT: usize = 4096;

/// A JS string as a Rust string, written into wasm memory by the browser's
/// `TextEncoder` (one copy; lone surrogates become U+FFFD, as `TextEncoder` does).
pub(crate) fn string_from_js(text: &js_sys::JsString) -> String {
    let len = text.length() as usize;
    // most frames and payloads are ASCII: one byte per UTF-16 unit is room enough
    let tries: &[usize] = if len < BULK_TEXT { &[len, len * 3] } else { &[len] };
    for &capacity in tries {
        let mut buf = Vec::<u8>::with_capacity(capacity);
        let written = encode_into(text, &wasm_bindgen::memory(), buf.as_mut_ptr() as u32, capacity as u32);
        if let Ok(written) = usize::try_from(written) {
            // SAFETY: the encoder wrote `written` (<= capacity) initialised bytes
            unsafe { buf.set_len(written) };
            // (TextEncoder writes UTF-8, so neither conversion here can fail)
            return String::from_utf8(buf).unwrap_or_default();
        }
    }
    String::from_utf8(TextEncoder::new().encode(text).to_vec()).unwrap_or_default()
}

/// Milliseconds on a monotonic clock (the core's `now`).
pub(crate) fn now() -> u64 {
    performance_now() as u64
}

/// A JS `Error` with `message`.
pub(crate) fn error(message: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(message.as_ref()).into()
}

/// A payload from JS: an `ArrayBuffer` travels as binary, anything else as JSON;
/// `undefined` is `{}`.
pub(crate) fn payload_from_js(value: &JsValue, what: &str) -> Result<Payload, JsValue> {
    if value.is_undefined() {
        return Ok(Payload::empty());
    }
    if let Some(buf) = value.dyn_ref::<ArrayBuffer>() {
        return Ok(Payload::Binary(Uint8Array::new(buf).to_vec()));
    }
    let text = JSON::stringify(value).map_err(|e| error(cat(&[what, " cannot be serialized to JSON: ", &describe(&e)])))?;
    match text.dyn_ref::<js_sys::JsString>() {
        Some(text) => Ok(Payload::Json(string_from_js(text))),
        None => Err(error(cat(&[what, " is not a JSON value (got ", &type_name(value), ")"]))),
    }
}

/// A payload for JS: JSON is parsed once with the browser's `JSON.parse`; binary
/// becomes an `ArrayBuffer`.
pub(crate) fn payload_to_js(payload: &Payload) -> JsValue {
    match payload {
        Payload::Json(text) => JSON::parse(text).unwrap_or_else(|e| error(cat(&["malformed JSON payload: ", &describe(&e)]))),
        Payload::Binary(bytes) | Payload::Reply { response: bytes, .. } => Uint8Array::from(bytes.as_slice()).buffer().into(),
    }
}

/// The message of a thrown value.
pub(crate) fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return err.message().into();
    }
    e.as_string().unwrap_or_else(|| show(e))
}

/// `typeof`-style name, with `null` and `array` told apart.
pub(crate) fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(v) {
        "array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

/// A callback argument that must be a function.
pub(crate) fn function(value: &JsValue, what: &str) -> Result<Function, JsValue> {
    value.dyn_ref::<Function>().cloned().ok_or_else(|| error(cat(&[what, " must be a function (got ", &type_name(value), ")"])))
}

/// Calls an application callback; a throw is reported, never propagated into the core.
pub(crate) fn invoke(f: &Function, args: &[&JsValue]) {
    let res = match args {
        [] => f.call0(&JsValue::NULL),
        [a] => f.call1(&JsValue::NULL, a),
        [a, b] => f.call2(&JsValue::NULL, a, b),
        [a, b, c, ..] => f.call3(&JsValue::NULL, a, b, c),
    };
    if let Err(e) = res {
        console_error("phoenix-wasm: a callback threw", &e);
    }
}

/// An optional timeout argument in ms.
pub(crate) fn timeout_ms(value: Option<f64>, what: &str) -> Result<Option<u64>, JsValue> {
    match value {
        None => Ok(None),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(t as u64)),
        Some(_) => Err(error(cat(&[what, " must be a non-negative, finite number of milliseconds"]))),
    }
}

/// `{join_ref, ref, topic, event, payload}` for JS (phoenix.js's message shape).
pub(crate) fn message_to_js(m: &Message) -> JsValue {
    let msg = Object::new();
    let opt = |v: &Option<String>| v.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL);
    let _ = Reflect::set(&msg, &"join_ref".into(), &opt(&m.join_ref));
    let _ = Reflect::set(&msg, &"ref".into(), &opt(&m.msg_ref));
    let _ = Reflect::set(&msg, &"topic".into(), &JsValue::from_str(&m.topic));
    let _ = Reflect::set(&msg, &"event".into(), &JsValue::from_str(&m.event));
    let _ = Reflect::set(&msg, &"payload".into(), &payload_to_js(&m.payload));
    msg.into()
}

/// A message from a JS object `{join_ref, ref, topic, event, payload}`.
pub(crate) fn message_from_js(v: &JsValue, what: &str) -> Result<Message, JsValue> {
    if !v.is_object() {
        return Err(error(cat(&[what, " must be an object {topic, event, payload, ref, join_ref} (got ", &type_name(v), ")"])));
    }
    let field = |k: &str| Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let text = |k: &str| -> Result<Option<String>, JsValue> {
        let f = field(k);
        if f.is_undefined() || f.is_null() {
            Ok(None)
        } else {
            f.as_string().map(Some).ok_or_else(|| error(cat(&[what, ": ", k, " must be a string (got ", &type_name(&f), ")"])))
        }
    };
    Ok(Message {
        join_ref: text("join_ref")?,
        msg_ref: text("ref")?,
        topic: text("topic")?.ok_or_else(|| error(cat(&[what, ": topic is required"])))?,
        event: text("event")?.ok_or_else(|| error(cat(&[what, ": event is required"])))?,
        payload: payload_from_js(&field("payload"), what)?,
    })
}
