//! `new Socket(endPoint, opts)` and `socket.channel(topic, params, opts)`: the options,
//! checked by `js/options.js`, into a core [`Config`] and the shell's own options.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::values::describe;
use crate::core::backoff::{default_reconnect_after, default_rejoin_after, Schedule};
use crate::core::endpoint::PageLocation;
use crate::core::{ChannelOptions, Config, ParamsFn};

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    /// The socket options in the order [`config`] reads them; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = socketOptions)]
    fn socket_options(opts: &JsValue) -> Result<Array, JsValue>;

    /// `[params, reliable, unbatch]`; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = channelOptions)]
    fn channel_options_js(params: &JsValue, opts: &JsValue) -> Result<Array, JsValue>;
}

/// Options the shell keeps for itself (the core never calls JS).
pub(crate) struct ShellOptions {
    /// `logger(kind, msg, data)`; `debug: true` installs a `console.log` one.
    pub logger: Option<Function>,
    /// `beforeReconnect`, wrapped by `js/options.js` as `(attempt, ready)`: it calls
    /// `ready()` once the application's hook has settled.
    pub before_reconnect: Option<Function>,
    /// `encode(msg, callback)`, replacing the V2 serializer for sending.
    pub encode: Option<Function>,
    /// `decode(raw, callback)`, replacing the V2 serializer for receiving.
    pub decode: Option<Function>,
}

/// A function from `js/options.js` as a Rust closure: its result, or what it threw.
fn call(value: JsValue) -> Option<impl FnMut() -> Result<JsValue, String>> {
    let f = value.dyn_into::<Function>().ok()?;
    Some(move || f.call0(&JsValue::NULL).map_err(|e| describe(&e)))
}

/// A params function (from `js/options.js`, which gives JSON text) as the core's.
fn params(value: JsValue) -> Box<dyn FnMut() -> Result<String, String>> {
    match call(value) {
        Some(mut f) => Box::new(move || f().map(|v| v.as_string().unwrap_or_default())),
        None => Box::new(|| Ok("{}".to_owned())),
    }
}

/// A `(tries) => ms` option (from `js/options.js`, which gives -1 for the default).
fn schedule(value: JsValue, default: fn(u32) -> u64) -> Schedule {
    match value.dyn_into::<Function>() {
        Ok(f) => Box::new(move |tries| match f.call1(&JsValue::NULL, &JsValue::from(tries)).ok().and_then(|v| v.as_f64()) {
            Some(n) if n >= 0.0 => n as u64,
            _ => default(tries),
        }),
        Err(_) => Box::new(default),
    }
}

/// Reads the phoenix.js options (plus phoenix-wasm's extras) into a core config and
/// the shell's options; a wrong option type throws an `Error` naming the option.
pub(crate) fn config(end_point: &str, opts: &JsValue) -> Result<(Config, ShellOptions), JsValue> {
    let o = socket_options(opts)?;
    let at = |i: u32| o.get(i);
    let num = |i: u32, default: u64| at(i).as_f64().map_or(default, |n| n as u64);
    let func = |i: u32| at(i).dyn_into::<Function>().ok();
    let mut c = Config::new(end_point);
    c.timeout = num(0, c.timeout);
    c.heartbeat_interval = num(1, c.heartbeat_interval);
    c.heartbeat_timeout = num(2, c.heartbeat_interval);
    c.max_send_buffer = num(3, c.max_send_buffer as u64) as usize;
    c.max_frame_bytes = num(4, c.max_frame_bytes as u64) as usize;
    c.reconnect_after = schedule(at(5), default_reconnect_after);
    c.rejoin_after = schedule(at(6), default_rejoin_after);
    c.params = params(at(7));
    c.auth_token = call(at(8)).map(|mut f| -> crate::core::socket::TokenFn { Box::new(move || f().map(|v| v.as_string())) });
    if let Some(vsn) = at(9).as_string() {
        c.vsn = vsn;
    }
    c.jitter = at(10).as_bool().unwrap_or(false);
    c.reconnect_while_hidden = at(11).as_bool().unwrap_or(true);
    c.correlation_id = at(12).as_string();
    c.seed = (at(13).as_f64().unwrap_or(0.5) * 9.007_199_254_740_991e15) as u64 | 1;
    c.page = at(14).as_string().zip(at(15).as_string()).map(|(protocol, host)| PageLocation { protocol, host });
    let shell = ShellOptions { logger: func(16), before_reconnect: func(17), encode: func(18), decode: func(19) };
    c.log = shell.logger.is_some();
    c.before_reconnect = shell.before_reconnect.is_some();
    c.custom_codec = shell.encode.is_some();
    Ok((c, shell))
}

/// `socket.channel(topic, params, opts)`: the params as the core's function, and the
/// channel options.
pub(crate) fn channel_options(value: &JsValue, opts: &JsValue) -> Result<(ParamsFn, ChannelOptions), JsValue> {
    let o = channel_options_js(value, opts)?;
    Ok((params(o.get(0)), ChannelOptions { reliable: o.get(1).as_bool().unwrap_or(false), unbatch: o.get(2).as_string() }))
}
