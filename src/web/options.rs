//! `new Socket(endPoint, opts)` and `socket.channel(topic, params, opts)`: the options,
//! checked by `js/options.js`, into a core [`Config`] and the shell's own options.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::endpoint::PageLocation;
use crate::core::{ChannelOptions, Config, Schedule, Source};

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    /// The socket options in the order [`config`] reads them; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = socketOptions)]
    fn socket_options(opts: &JsValue) -> Result<Array, JsValue>;

    /// `connect(params)`'s params as JSON text or a function; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = connectParams)]
    fn connect_params_js(params: &JsValue) -> Result<JsValue, JsValue>;

    /// `[params, reliable, unbatch]`; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = channelOptions)]
    fn channel_options_js(params: &JsValue, opts: &JsValue) -> Result<Array, JsValue>;
}

/// Options the shell keeps for itself (the core never calls JS: it asks, and the shell
/// answers with what these functions give).
pub(crate) struct ShellOptions {
    /// `params` as a function (`js/options.js`: JSON text, or a throw); the shell takes it
    /// (`connect(params)` may replace it).
    pub params: Option<Function>,
    /// `authToken` as a function (a string or nothing, or a throw).
    pub auth_token: Option<Function>,
    /// `reconnectAfterMs(tries)` (`js/options.js`: ms, or -1 for the default).
    pub reconnect_after: Option<Function>,
    /// `rejoinAfterMs(tries)`, likewise.
    pub rejoin_after: Option<Function>,
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

/// Params as `js/options.js` gives them: JSON text (fixed), or a function (asked for).
fn params(value: JsValue) -> (Source<String>, Option<Function>) {
    match value.dyn_into::<Function>() {
        Ok(f) => (Source::Ask, Some(f)),
        Err(v) => (Source::Fixed(v.as_string().unwrap_or_else(|| "{}".to_owned())), None),
    }
}

/// `connect(params)`'s params (and the function giving them, when asked for).
pub(crate) fn connect_params(value: &JsValue) -> Result<(Source<String>, Option<Function>), JsValue> {
    Ok(params(connect_params_js(value)?))
}

/// A schedule option: asked for when the application gave a function.
fn schedule(value: &JsValue, default: Schedule) -> Schedule {
    if value.is_function() {
        Schedule::Ask
    } else {
        default
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
    c.heartbeat_timeout = at(2).as_f64().map(|n| n as u64);
    c.max_send_buffer = num(3, c.max_send_buffer as u64) as usize;
    c.max_frame_bytes = num(4, c.max_frame_bytes as u64) as usize;
    c.reconnect_after = schedule(&at(5), c.reconnect_after);
    c.rejoin_after = schedule(&at(6), c.rejoin_after);
    let (params, params_fn) = params(at(7));
    c.params = params;
    let token = at(8);
    let token_fn = token.dyn_ref::<Function>().cloned();
    c.auth_token = if token_fn.is_some() { Source::Ask } else { Source::Fixed(token.as_string()) };
    if let Some(vsn) = at(9).as_string() {
        c.vsn = vsn;
    }
    c.jitter = at(10).as_bool().unwrap_or(c.jitter);
    c.reconnect_while_hidden = at(11).as_bool().unwrap_or(c.reconnect_while_hidden);
    c.correlation_id = at(12).as_string();
    c.seed = (at(13).as_f64().unwrap_or(0.5) * 9.007_199_254_740_991e15) as u64 | 1;
    c.page = at(14).as_string().zip(at(15).as_string()).map(|(protocol, host)| PageLocation { protocol, host });
    let shell = ShellOptions {
        params: params_fn,
        auth_token: token_fn,
        reconnect_after: func(5),
        rejoin_after: func(6),
        logger: func(16),
        before_reconnect: func(17),
        encode: func(18),
        decode: func(19),
    };
    c.log = shell.logger.is_some();
    c.before_reconnect = shell.before_reconnect.is_some();
    c.custom_codec = shell.encode.is_some();
    Ok((c, shell))
}

/// `socket.channel(topic, params, opts)`: the params (and the function giving them, when
/// asked for), and the channel options.
pub(crate) fn channel_options(value: &JsValue, opts: &JsValue) -> Result<(Source<String>, Option<Function>, ChannelOptions), JsValue> {
    let o = channel_options_js(value, opts)?;
    let (params, f) = params(o.get(0));
    Ok((params, f, ChannelOptions { reliable: o.get(1).as_bool().unwrap_or(false), unbatch: o.get(2).as_string() }))
}
