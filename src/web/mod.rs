//! The JavaScript API, shaped like phoenix.js: `Socket`, `Channel`, `Push`.
//!
//! ```js
//! import { Socket } from "phoenix-wasm";
//! const socket = new Socket("/socket", { params: { token } });
//! socket.connect();
//! const channel = socket.channel("room:lobby", {});
//! channel.on("shout", (payload) => console.log(payload));
//! channel.join()
//!   .receive("ok", (resp) => console.log("joined", resp))
//!   .receive("error", (resp) => console.log("unable to join", resp));
//! channel.push("echo", { body: "hi" }).receive("ok", (resp) => console.log(resp));
//! ```

mod options;
mod presence;
mod shell;
mod transport;
mod values;

use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::text::cat;
use crate::core::{BindingRef, ChannelId};
pub use presence::{presence_sync, Presence};
use shell::Shell;
use values::{error, function, payload_from_js, timeout_ms};

/// Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}

/// A connection to a Phoenix server (phoenix.js `Socket`).
#[wasm_bindgen]
pub struct Socket {
    shell: Rc<Shell>,
}

#[wasm_bindgen]
impl Socket {
    /// `new Socket(endPoint, opts)`: `endPoint` like `"/socket"` or
    /// `"ws://host/socket"` (`/websocket` is appended). Options take phoenix.js's
    /// names: `params`, `authToken`, `timeout`, `heartbeatIntervalMs`,
    /// `reconnectAfterMs`, `rejoinAfterMs`, `vsn`; plus `heartbeatTimeoutMs` and
    /// `maxSendBuffer`. A wrong option type throws an `Error` naming the option.
    #[wasm_bindgen(constructor)]
    pub fn new(end_point: &str, opts: JsValue) -> Result<Socket, JsValue> {
        let (config, shell_opts) = options::config(end_point, &opts)?;
        Ok(Socket { shell: Shell::new(crate::core::Socket::new(config), shell_opts) })
    }

    /// Connects, unless already connected or connecting. `params` (deprecated, as in
    /// phoenix.js: pass them to the constructor) replace the connect params from now on.
    #[wasm_bindgen(js_name = connect)]
    pub fn connect_with(&self, params: JsValue) -> Result<(), JsValue> {
        if !params.is_undefined() && !params.is_null() {
            let (params, f) = options::connect_params(&params)?;
            values::console_warn("passing params to connect is deprecated. Instead pass :params to the Socket constructor");
            self.shell.set_params(params, f);
        }
        self.shell.with_core(|core, now| core.connect(now));
        Ok(())
    }

    /// Disconnects on purpose (no reconnect), with a close `code` and `reason`. Not API
    /// (`disconnect(callback, code, reason)` in JS and Rust).
    #[wasm_bindgen(js_name = __disconnect, skip_typescript)]
    pub fn close(&self, code: Option<u16>, reason: Option<String>) {
        self.shell.with_core(|core, now| core.disconnect(code, reason.as_deref(), now));
    }

    /// Creates a channel for `topic`; `params` is an object or a function
    /// returning one (re-evaluated on every rejoin). `opts` (beyond phoenix.js):
    /// `{reliable: true}` for sequenced, resumable delivery, `{unbatch: "batch_updates"}`
    /// to deliver the items of batched events one by one.
    pub fn channel(&self, topic: &str, params: JsValue, opts: JsValue) -> Result<Channel, JsValue> {
        let (params, params_fn, opts) = options::channel_options(&params, &opts)?;
        let id = self.shell.core.borrow_mut().channel_with(topic, params, opts);
        let events = self.shell.add_channel(id, params_fn);
        Ok(Channel { shell: self.shell.clone(), id, topic: topic.to_owned(), events })
    }

    /// Removes a channel from the socket (it stops receiving and rejoining).
    pub fn remove(&self, channel: &Channel) {
        self.shell.with_core(|core, _| core.remove(channel.id));
    }

    /// Sends a heartbeat-shaped ping: its id for the pong callbacks (`js/events.js`),
    /// or nothing when not connected. Not API (`ping(callback)` in JS and Rust).
    #[wasm_bindgen(js_name = __ping, skip_typescript)]
    pub fn send_ping(&self) -> Option<u32> {
        self.shell.with_core(|core, now| core.ping(now))
    }

    /// Sends a raw message `{topic, event, payload, ref, join_ref}` (buffered while
    /// disconnected; throws when the send buffer is full).
    pub fn push(&self, data: JsValue) -> Result<(), JsValue> {
        let msg = values::message_from_js(&data, "socket.push")?;
        self.shell.with_core(|core, now| core.push_message(msg, now)).map_err(|e| error(cat(&["push failed: ", &e])))
    }

    /// The URL a connect opens (phoenix.js `endPointURL()`): the endpoint with
    /// `/websocket`, the params (a params function is called) and `vsn`, resolved against
    /// the page. Throws what a connect would report (params that are not an object, a
    /// relative endpoint without a page).
    #[wasm_bindgen(js_name = endPointURL)]
    pub fn end_point_url(&self) -> Result<String, JsValue> {
        let params = self.shell.params()?;
        self.shell.core.borrow().endpoint_url(params).map_err(|e| error(e.message()))
    }

    /// Whether the socket is open.
    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self) -> bool {
        self.shell.core.borrow().is_connected()
    }

    /// `"connecting"`, `"open"` or `"closed"`.
    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> String {
        self.shell.core.borrow().connection_state().as_str().to_owned()
    }

    /// The next message ref.
    #[wasm_bindgen(js_name = makeRef)]
    pub fn make_ref(&self) -> String {
        self.shell.core.borrow_mut().make_ref()
    }

    /// The current status (as `onStatus` reports it).
    pub fn status(&self) -> JsValue {
        shell::status_to_js(self.shell.core.borrow().status())
    }

    /// `{status, lastRttMs, reconnects, sendBuffer, pushesInFlight, channels: [{topic, state}]}`.
    pub fn health(&self) -> JsValue {
        let h = self.shell.core.borrow().health();
        let o = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&o, &k.into(), v);
        };
        set("status", &shell::status_to_js(&h.status));
        set("lastRttMs", &h.last_rtt.map(|r| JsValue::from(r as f64)).unwrap_or(JsValue::NULL));
        set("reconnects", &h.reconnects.into());
        set("sendBuffer", &(h.send_buffer as u32).into());
        set("pushesInFlight", &(h.pushes_in_flight as u32).into());
        let channels = Array::new();
        for (topic, state) in h.channels {
            let c = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&c, &"topic".into(), &topic.into());
            let _ = js_sys::Reflect::set(&c, &"state".into(), &state.as_str().into());
            channels.push(&c);
        }
        set("channels", &channels);
        o.into()
    }

    /// The correlation id sent with every connect (option `correlationId`).
    #[wasm_bindgen(getter, js_name = correlationId)]
    pub fn correlation_id(&self) -> Option<String> {
        self.shell.core.borrow().config().correlation_id.clone()
    }

    /// The socket's own callbacks (`js/events.js`), for the package's JS. Not API.
    #[wasm_bindgen(js_name = __events, skip_typescript)]
    pub fn events(&self) -> JsValue {
        self.shell.events.clone()
    }

    /// Tells the core whether to report every message (after `onMessage` / `off` in JS). Not API.
    #[wasm_bindgen(js_name = __observe, skip_typescript)]
    pub fn observe(&self) {
        self.shell.observe_messages_if_wanted();
    }
}

/// The socket-level callbacks and the logger, for Rust (the package's JS reaches them on
/// the same object, `js/events.js`, without a call into wasm).
impl Socket {
    /// Connects, unless already connected or connecting.
    pub fn connect(&self) {
        self.shell.with_core(|core, now| core.connect(now));
    }

    /// Whether a `logger` (or `debug: true`) is set.
    pub fn has_logger(&self) -> bool {
        self.shell.has_logger()
    }

    /// Logs through the `logger`, if any.
    pub fn log(&self, kind: &str, msg: &str, data: JsValue) {
        self.shell.log(kind, msg, &data);
    }

    /// Disconnects on purpose (no reconnect), then calls `callback`.
    pub fn disconnect(&self, callback: JsValue, code: Option<u16>, reason: Option<String>) -> Result<(), JsValue> {
        let cb = if callback.is_undefined() || callback.is_null() { None } else { Some(function(&callback, "disconnect callback")?) };
        self.close(code, reason);
        if let Some(cb) = cb {
            values::invoke(&cb, &[]);
        }
        Ok(())
    }

    /// Measures the round trip of a heartbeat-shaped ping: calls `callback(rttMs)`.
    /// Returns `false` (and never calls back) when not connected.
    pub fn ping(&self, callback: JsValue) -> Result<bool, JsValue> {
        let cb = function(&callback, "ping callback")?;
        match self.send_ping() {
            Some(id) => {
                self.shell.on_pong(id, cb);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Calls `callback()` when the socket opens; returns a ref for `off`.
    pub fn on_open(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onOpen", &callback)
    }

    /// Calls `callback({code, reason, wasClean})` when the socket closes.
    pub fn on_close(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onClose", &callback)
    }

    /// Calls `callback(error)` on transport errors and malformed frames.
    pub fn on_error(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onError", &callback)
    }

    /// Calls `callback({topic, event, payload, ref, join_ref})` for every message.
    pub fn on_message(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onMessage", &callback)
    }

    /// Calls `callback(status)` on every connection status change:
    /// `{state: "connecting"}`, `{state: "open"}`, `{state: "reconnecting", attempt, inMs}`,
    /// `{state: "closed", code, reason, clean}` (no reconnect scheduled).
    pub fn on_status(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onStatus", &callback)
    }

    /// Calls `callback(rttMs)` each time a heartbeat is answered.
    pub fn on_heartbeat(&self, callback: JsValue) -> Result<String, JsValue> {
        self.shell.add_socket_callback("onHeartbeat", &callback)
    }

    /// A promise of the next status whose `state` is `state` (`"open"`,
    /// `"connecting"`, `"reconnecting"`, `"closed"`); resolved at once if it is now.
    pub fn wait_for(&self, state: &str) -> Result<js_sys::Promise, JsValue> {
        self.shell.wait_for(state)
    }

    /// Removes the callbacks registered under `refs` (an array of refs).
    pub fn off(&self, refs: JsValue) -> Result<(), JsValue> {
        self.shell.off(&refs)
    }
}

/// A channel on a topic (phoenix.js `Channel`).
#[wasm_bindgen]
pub struct Channel {
    shell: Rc<Shell>,
    id: ChannelId,
    topic: String,
    /// Its bindings and state callbacks (`js/events.js`).
    events: shell::ChannelEvents,
}

impl Channel {
    fn channel_result<T>(r: Result<T, crate::core::ChannelError>) -> Result<T, JsValue> {
        r.map_err(|e| error(e.message()))
    }
}

#[wasm_bindgen]
impl Channel {
    /// `new Channel(topic, params, socket)` (phoenix.js's constructor): the same channel as
    /// `socket.channel(topic, params)`, on that socket.
    #[wasm_bindgen(constructor)]
    pub fn new(topic: &str, params: JsValue, socket: &Socket) -> Result<Channel, JsValue> {
        socket.channel(topic, params, JsValue::UNDEFINED)
    }

    /// The topic.
    #[wasm_bindgen(getter)]
    pub fn topic(&self) -> String {
        self.topic.clone()
    }

    /// `"closed"`, `"errored"`, `"joined"`, `"joining"` or `"leaving"`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.shell.core.borrow().channel_state(self.id).map(|s| s.as_str()).unwrap_or("closed").to_owned()
    }

    /// The ref of the current join.
    #[wasm_bindgen(js_name = joinRef)]
    pub fn join_ref(&self) -> Option<String> {
        self.shell.core.borrow().join_ref_of(self.id)
    }

    /// Joins (once per channel; a second call throws). Returns the join `Push`,
    /// whose `ok` hooks fire on every successful (re)join.
    pub fn join(&self, timeout: Option<f64>) -> Result<Push, JsValue> {
        let timeout = timeout_ms(timeout, "join timeout")?;
        let jp = Self::channel_result(self.shell.core.borrow().join_push(self.id))?;
        let handle = self.shell.push_handle(jp, crate::core::message::events::JOIN);
        Self::channel_result(self.shell.with_core(|core, now| core.join(self.id, timeout, now)))?;
        Ok(handle)
    }

    /// Pushes `event` with `payload` (an object, or an `ArrayBuffer` for binary).
    pub fn push(&self, event: &str, payload: JsValue, timeout: Option<f64>) -> Result<Push, JsValue> {
        let payload = payload_from_js(&payload, "push payload")?;
        let timeout = timeout_ms(timeout, "push timeout")?;
        let shell = &self.shell;
        let id = {
            let mut core = shell.core.borrow_mut();
            Self::channel_result(core.push(self.id, event, payload, timeout, values::now()))?
        };
        let handle = self.shell.push_handle(id, event);
        shell.pump();
        Ok(handle)
    }

    /// Leaves; the channel closes on the server's `ok` or on timeout.
    pub fn leave(&self, timeout: Option<f64>) -> Result<Push, JsValue> {
        let timeout = timeout_ms(timeout, "leave timeout")?;
        let id = {
            let mut core = self.shell.core.borrow_mut();
            Self::channel_result(core.leave(self.id, timeout, values::now()))?
        };
        let handle = self.shell.push_handle(id, crate::core::message::events::LEAVE);
        self.shell.pump();
        Ok(handle)
    }

    /// The channel's bindings and state callbacks (`js/events.js`), for the
    /// package's JS. Not API.
    #[wasm_bindgen(js_name = __events, skip_typescript)]
    pub fn events(&self) -> JsValue {
        self.events.clone().into()
    }

    /// A new binding of `event` in the core; its ref. Not API (`on` in JS and Rust).
    #[wasm_bindgen(js_name = __on, skip_typescript)]
    pub fn bind(&self, event: &str) -> Result<u32, JsValue> {
        Self::channel_result(self.shell.core.borrow_mut().on(self.id, event)).map(|r| r.0)
    }

    /// Removes the binding `ref` of `event` (or every binding of `event`) from the core;
    /// the refs removed. Not API (`off` in JS and Rust).
    #[wasm_bindgen(js_name = __off, skip_typescript)]
    pub fn unbind(&self, event: &str, binding_ref: Option<u32>) -> Result<Vec<u32>, JsValue> {
        let removed = Self::channel_result(self.shell.core.borrow_mut().off(self.id, event, binding_ref.map(BindingRef)))?;
        Ok(removed.into_iter().map(|r| r.0).collect())
    }
}

/// A channel's callbacks, for Rust (the package's JS registers them on the same object,
/// `js/events.js`).
impl Channel {
    /// Calls `callback(payload, ref, joinRef)` for `event`; returns the binding ref.
    pub fn on(&self, event: &str, callback: JsValue) -> Result<u32, JsValue> {
        self.events.check(&callback, "on callback")?;
        let r = self.bind(event)?;
        self.events.bind(r, &callback);
        Ok(r)
    }

    /// Removes the binding `ref` of `event`, or every binding of `event`.
    pub fn off(&self, event: &str, binding_ref: Option<u32>) -> Result<(), JsValue> {
        let removed = self.unbind(event, binding_ref)?;
        self.events.unbind(&removed);
        Ok(())
    }

    /// Calls `callback()` when the channel closes.
    pub fn on_close(&self, callback: JsValue) -> Result<u32, JsValue> {
        self.on(crate::core::message::events::CLOSE, callback)
    }

    /// Calls `callback(state)` on every state change of the channel
    /// (`joining`, `joined`, `errored`, `leaving`, `closed`).
    pub fn on_state(&self, callback: JsValue) -> Result<(), JsValue> {
        self.events.on_state(&callback)
    }

    /// Calls `callback(reason)` when the channel errors.
    pub fn on_error(&self, callback: JsValue) -> Result<u32, JsValue> {
        self.on(crate::core::message::events::ERROR, callback)
    }
}

#[wasm_bindgen(module = "/js/push.js")]
extern "C" {
    /// A message sent on a channel, awaiting its reply (phoenix.js `Push`): a plain
    /// JS object (`js/push.js`), so `receive` and `then` never call into wasm.
    #[derive(Clone)]
    pub type Push;

    #[wasm_bindgen(constructor)]
    pub(crate) fn new(event: &str) -> Push;

    /// Calls `callback(response)` when the reply has `status` (`"ok"`, `"error"`,
    /// `"timeout"` or a custom one); at once if it already has. Returns the push
    /// itself; throws when `callback` is not a function.
    #[wasm_bindgen(method, catch)]
    pub fn receive(this: &Push, status: &str, callback: JsValue) -> Result<Push, JsValue>;

    /// A reply (or timeout) for this push, from the shell.
    #[wasm_bindgen(method, js_name = __reply)]
    pub(crate) fn reply(this: &Push, status: &JsValue, response: &JsValue);

    /// The `Push` class itself.
    #[wasm_bindgen(thread_local_v2, js_name = Push)]
    static PUSH_CLASS: JsValue;
}

/// The `Push` class, for the package entries to export (the wasm module imports it).
#[wasm_bindgen(js_name = __pushClass, skip_typescript)]
pub fn push_class() -> JsValue {
    PUSH_CLASS.with(JsValue::clone)
}

impl Socket {
    /// Status changes as a Rust `Stream` (from now on).
    pub fn statuses(&self) -> impl futures_core::Stream<Item = crate::core::Status> {
        self.shell.status_stream()
    }
}

impl Push {
    /// A promise of this push's outcome: resolves on `ok`, rejects with a `PushError`.
    pub fn promise(&self) -> js_sys::Promise {
        js_sys::Promise::resolve::<JsValue>(self.unchecked_ref()) // a thenable: adopted through its `then`
    }

    /// Awaits the outcome from Rust: `Ok(response)` on `ok`, `Err(PushError)` otherwise.
    pub async fn outcome(&self) -> Result<JsValue, JsValue> {
        wasm_bindgen_futures::JsFuture::from(self.promise()).await
    }
}
