//! `new Socket(endPoint, opts)`: JS options to a core [`Config`].

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::values::{describe, error, json_object, type_name};
use crate::core::backoff::{default_reconnect_after, default_rejoin_after, Schedule};
use crate::core::endpoint::PageLocation;
use crate::core::Config;

/// An option's value; `null` counts as not given (phoenix.js reads `opts.x || default`).
fn get(opts: &JsValue, key: &str) -> JsValue {
    if opts.is_object() {
        let v = Reflect::get(opts, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        if v.is_null() {
            JsValue::UNDEFINED
        } else {
            v
        }
    } else {
        JsValue::UNDEFINED
    }
}

fn ms(opts: &JsValue, key: &str, default: u64) -> Result<u64, JsValue> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n as u64),
        _ => Err(error(format!("option {key} must be a non-negative number (got {})", type_name(&v)))),
    }
}

fn schedule(opts: &JsValue, key: &str, default: fn(u32) -> u64) -> Result<Schedule, JsValue> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(Box::new(default));
    }
    let f: Function = v.dyn_into().map_err(|v| error(format!("option {key} must be a function (tries) => ms (got {})", type_name(&v))))?;
    let key = key.to_owned();
    Ok(Box::new(move |tries| match f.call1(&JsValue::NULL, &JsValue::from(tries)).map(|v| v.as_f64()) {
        Ok(Some(n)) if n.is_finite() && n >= 0.0 => n as u64,
        Ok(_) => {
            super::values::console_warn(&format!("phoenix-wasm: {key} did not return a number; using the default"));
            default(tries)
        }
        Err(e) => {
            super::values::console_warn(&format!("phoenix-wasm: {key} threw ({}); using the default", describe(&e)));
            default(tries)
        }
    }))
}

/// A closure over an object-or-function option, giving JSON text on each call.
pub(crate) fn params_fn(value: JsValue, what: &'static str) -> Result<Box<dyn FnMut() -> Result<String, String>>, JsValue> {
    if let Some(f) = value.dyn_ref::<Function>().cloned() {
        return Ok(Box::new(move || {
            let v = f.call0(&JsValue::NULL).map_err(|e| format!("{what} function threw: {}", describe(&e)))?;
            json_object(&v, what)
        }));
    }
    // validate once now, so a wrong type throws at the call site
    let text = json_object(&value, what).map_err(error)?;
    Ok(Box::new(move || Ok(text.clone())))
}

fn token_fn(value: JsValue) -> Result<Option<crate::core::socket::TokenFn>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(s) = value.as_string() {
        return Ok(Some(Box::new(move || Ok(Some(s.clone())))));
    }
    let f: Function = value
        .dyn_into()
        .map_err(|v| error(format!("option authToken must be a string or a function returning one (got {})", type_name(&v))))?;
    Ok(Some(Box::new(move || {
        let v = f.call0(&JsValue::NULL).map_err(|e| format!("authToken function threw: {}", describe(&e)))?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string().map(Some).ok_or_else(|| format!("authToken function must return a string (got {})", type_name(&v)))
    })))
}

fn page_location() -> Option<PageLocation> {
    let loc = Reflect::get(&js_sys::global(), &JsValue::from_str("location")).ok()?;
    let field = |k: &str| Reflect::get(&loc, &JsValue::from_str(k)).ok().and_then(|v| v.as_string());
    Some(PageLocation { protocol: field("protocol")?, host: field("host")? })
}

fn flag(opts: &JsValue, key: &str, default: bool) -> Result<bool, JsValue> {
    let v = get(opts, key);
    if v.is_undefined() {
        return Ok(default);
    }
    v.as_bool().ok_or_else(|| error(format!("option {key} must be a boolean (got {})", type_name(&v))))
}

fn optional_fn(opts: &JsValue, key: &str) -> Result<Option<Function>, JsValue> {
    let v = get(opts, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<Function>().map(Some).map_err(|v| error(format!("option {key} must be a function (got {})", type_name(&v))))
}

/// Options the shell keeps for itself (the core never calls JS).
pub(crate) struct ShellOptions {
    /// `logger(kind, msg, data)`; `debug: true` installs a `console.log` one.
    pub logger: Option<Function>,
    /// `beforeReconnect()`, awaited before each reconnect.
    pub before_reconnect: Option<Function>,
    /// `encode(msg, callback)`, replacing the V2 serializer for sending.
    pub encode: Option<Function>,
    /// `decode(raw, callback)`, replacing the V2 serializer for receiving.
    pub decode: Option<Function>,
}

/// Reads the shell's own options.
pub(crate) fn shell_options(opts: &JsValue) -> Result<ShellOptions, JsValue> {
    let mut logger = optional_fn(opts, "logger")?;
    if logger.is_none() && flag(opts, "debug", false)? {
        logger = Some(Function::new_with_args("kind, msg, data", "console.log(`${kind}: ${msg}`, data)"));
    }
    Ok(ShellOptions {
        logger,
        before_reconnect: optional_fn(opts, "beforeReconnect")?,
        encode: optional_fn(opts, "encode")?,
        decode: optional_fn(opts, "decode")?,
    })
}

/// Reads the phoenix.js options (plus phoenix-wasm's extras) into a core config.
pub(crate) fn config(end_point: &str, opts: &JsValue) -> Result<Config, JsValue> {
    if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
        return Err(error(format!("Socket options must be an object (got {})", type_name(opts))));
    }
    let mut c = Config::new(end_point);
    c.timeout = ms(opts, "timeout", c.timeout)?;
    c.heartbeat_interval = ms(opts, "heartbeatIntervalMs", c.heartbeat_interval)?;
    c.heartbeat_timeout = ms(opts, "heartbeatTimeoutMs", c.heartbeat_interval)?;
    c.max_send_buffer = ms(opts, "maxSendBuffer", c.max_send_buffer as u64)? as usize;
    c.reconnect_after = schedule(opts, "reconnectAfterMs", default_reconnect_after)?;
    c.rejoin_after = schedule(opts, "rejoinAfterMs", default_rejoin_after)?;
    c.params = params_fn(get(opts, "params"), "params")?;
    c.auth_token = token_fn(get(opts, "authToken"))?;
    let vsn = get(opts, "vsn");
    if let Some(v) = vsn.as_string() {
        c.vsn = v;
    } else if !vsn.is_undefined() {
        return Err(error("option vsn must be a string"));
    }
    let binary_type = get(opts, "binaryType");
    if !(binary_type.is_undefined() || binary_type.as_string().as_deref() == Some("arraybuffer")) {
        return Err(error("option binaryType must be \"arraybuffer\" (binary payloads arrive as ArrayBuffer)"));
    }
    c.jitter = flag(opts, "jitter", false)?;
    c.reconnect_while_hidden = flag(opts, "reconnectWhileHidden", true)?;
    c.before_reconnect = optional_fn(opts, "beforeReconnect")?.is_some();
    c.log = optional_fn(opts, "logger")?.is_some() || flag(opts, "debug", false)?;
    c.custom_codec = optional_fn(opts, "encode")?.is_some();
    c.max_frame_bytes = ms(opts, "maxFrameBytes", c.max_frame_bytes as u64)? as usize;
    let cid = get(opts, "correlationId");
    c.correlation_id = if let Some(id) = cid.as_string() {
        Some(id)
    } else if cid.as_bool() == Some(true) {
        Some(format!("{:08x}{:08x}", (js_sys::Math::random() * 4294967296.0) as u32, (js_sys::Math::random() * 4294967296.0) as u32))
    } else if cid.is_undefined() || cid.as_bool() == Some(false) {
        None
    } else {
        return Err(error("option correlationId must be true or a string"));
    };
    c.seed = (js_sys::Math::random() * 9.007_199_254_740_991e15) as u64 | 1;
    c.page = page_location();
    Ok(c)
}

/// `socket.channel(topic, params, opts)`'s options.
pub(crate) fn channel_options(opts: &JsValue) -> Result<crate::core::ChannelOptions, JsValue> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(crate::core::ChannelOptions::default());
    }
    if !opts.is_object() {
        return Err(error(format!("channel options must be an object (got {})", type_name(opts))));
    }
    let unbatch = get(opts, "unbatch");
    let unbatch = if unbatch.is_undefined() {
        None
    } else {
        Some(unbatch.as_string().ok_or_else(|| error("channel option unbatch must be an event name"))?)
    };
    Ok(crate::core::ChannelOptions { reliable: flag(opts, "reliable", false)?, unbatch })
}
