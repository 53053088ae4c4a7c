//! `new Socket(endPoint, opts)` and `socket.channel(topic, params, opts)`: the options,
//! checked by `js/options.js`, into a core [`Config`] and the shell's own options.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{ChannelOptions, Config, Source};

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    /// The socket options: `config` (the core's, as named JSON) and the application's
    /// functions by name; throws on a wrong type.
    #[wasm_bindgen(catch, js_name = socketOptions)]
    fn socket_options(opts: &JsValue) -> Result<JsValue, JsValue>;

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

/// Reads the phoenix.js options (plus phoenix-wasm's extras) into a core config and
/// the shell's options; a wrong option type throws an `Error` naming the option.
pub(crate) fn config(end_point: &str, opts: &JsValue) -> Result<(Config, ShellOptions), JsValue> {
    let o = socket_options(opts)?;
    let func = |key: &str| js_sys::Reflect::get(&o, &key.into()).ok().and_then(|v| v.dyn_into::<Function>().ok());
    let text = js_sys::Reflect::get(&o, &"config".into())?.as_string().unwrap_or_default();
    let c = Config::from_options(end_point, &text).map_err(super::values::error)?;
    let shell = ShellOptions {
        params: func("params"),
        auth_token: func("authToken"),
        reconnect_after: func("reconnectAfterMs"),
        rejoin_after: func("rejoinAfterMs"),
        logger: func("logger"),
        before_reconnect: func("beforeReconnect"),
        encode: func("encode"),
        decode: func("decode"),
    };
    Ok((c, shell))
}

/// `socket.channel(topic, params, opts)`: the params (and the function giving them, when
/// asked for), and the channel options.
pub(crate) fn channel_options(value: &JsValue, opts: &JsValue) -> Result<(Source<String>, Option<Function>, ChannelOptions), JsValue> {
    let o = channel_options_js(value, opts)?;
    let (params, f) = params(o.get(0));
    Ok((params, f, ChannelOptions { reliable: o.get(1).as_bool().unwrap_or(false), unbatch: o.get(2).as_string() }))
}
