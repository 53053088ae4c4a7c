//! The driver between the browser and the core: it feeds transport events and
//! timer firings into the core, then drains the core's outputs — sending frames,
//! opening/closing the transport, arming the one timer, and calling JS callbacks.
//! It holds no protocol logic.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::options::ShellOptions;
use super::transport::{Transport, TransportEvent};
use super::values::{console_warn, error, invoke, message_from_js, message_to_js, now, payload_to_js};
use crate::core::idmap::IdMap;
use crate::core::presence::changes_json;
use crate::core::text::cat;
use crate::core::{ChannelId, ConnId, Event, Output, PresenceId, PresenceState, PushId, Retry, Socket, Touched};

#[derive(Default)]
struct PresenceCallbacks {
    /// `onJoin`, `onLeave` and `onSync` (JS, `js/events.js`).
    events: Option<PresenceEvents>,
    /// The state as JS objects (`key -> presence`, in join order) once `list()` has
    /// been called: kept in step with each sync from the keys it touched, so a
    /// `list()` in `onSync` is not a rebuild of the whole state.
    mirror: Option<js_sys::Map>,
}

/// A Rust observer of status changes: `false` once it wants no more.
type StatusObserver = Box<dyn FnMut(&crate::core::Status) -> bool>;

#[derive(Default)]
struct Callbacks {
    /// Rust observers of status changes (each status stream's sender; `false` once
    /// its receiver is gone). A plain function here keeps the channel's code out of
    /// builds that never make a stream.
    status_observers: Vec<StatusObserver>,
    /// Each channel's bindings and state callbacks (JS).
    channels: IdMap<ChannelId, ChannelEvents>,
    /// The params functions of channels whose params are asked for.
    channel_params: IdMap<ChannelId, Function>,
    /// The JS `Push` object of each push awaiting a reply (and of each join).
    pushes: IdMap<PushId, super::Push>,
    presences: IdMap<PresenceId, PresenceCallbacks>,
}

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// A socket's own callbacks, waiters and ping callbacks, kept in JS (`js/events.js`).
    pub(crate) type SocketEvents;
    #[wasm_bindgen(constructor)]
    fn new(logger: &JsValue) -> SocketEvents;
    #[wasm_bindgen(method, catch)]
    fn add(this: &SocketEvents, method: &str, r: &str, callback: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn off(this: &SocketEvents, refs: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn observing(this: &SocketEvents) -> bool;
    #[wasm_bindgen(method, catch, js_name = waitFor)]
    fn wait_for(this: &SocketEvents, state: &str, current: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(method)]
    fn ping(this: &SocketEvents, id: u32, callback: &Function);
    #[wasm_bindgen(method, js_name = __open)]
    fn open(this: &SocketEvents);
    #[wasm_bindgen(method, js_name = __close)]
    fn close(this: &SocketEvents, code: u16, reason: &str, was_clean: bool);
    #[wasm_bindgen(method, js_name = __error)]
    fn error(this: &SocketEvents, reason: &str);
    #[wasm_bindgen(method, js_name = __message)]
    fn message(this: &SocketEvents, message: &JsValue);
    #[wasm_bindgen(method, js_name = __status)]
    fn status(this: &SocketEvents, status: &JsValue);
    #[wasm_bindgen(method, js_name = __heartbeat)]
    fn heartbeat(this: &SocketEvents, rtt: f64);
    #[wasm_bindgen(method, js_name = __pong)]
    fn pong(this: &SocketEvents, id: u32, rtt: f64);
    /// Calls the `logger` option, if any (a throw is reported).
    #[wasm_bindgen(method)]
    fn log(this: &SocketEvents, kind: &str, msg: &str, data: &JsValue);
    /// Listens to the page's lifecycle, calling `handler(kind, visible)`; whether the
    /// page is visible now.
    #[wasm_bindgen(method)]
    fn listen(this: &SocketEvents, handler: &Closure<dyn FnMut(u8, bool)>) -> bool;
    #[wasm_bindgen(method)]
    fn unlisten(this: &SocketEvents);
}

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// A channel's bindings and state callbacks, kept in JS (`js/events.js`).
    #[derive(Clone)]
    pub(crate) type ChannelEvents;
    #[wasm_bindgen(constructor)]
    fn new() -> ChannelEvents;
    /// Throws unless `callback` is a function (`what` names it in the error).
    #[wasm_bindgen(method, catch)]
    pub fn check(this: &ChannelEvents, callback: &JsValue, what: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub fn bind(this: &ChannelEvents, binding: u32, callback: &JsValue);
    #[wasm_bindgen(method)]
    pub fn unbind(this: &ChannelEvents, bindings: &[u32]);
    /// Adds a state callback (throws unless it is a function).
    #[wasm_bindgen(method, catch, js_name = onState)]
    pub fn on_state(this: &ChannelEvents, callback: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = __deliver)]
    fn deliver(this: &ChannelEvents, binding: u32, payload: &JsValue, msg_ref: &JsValue, join_ref: &JsValue);
    #[wasm_bindgen(method, js_name = __deliverAll)]
    fn deliver_all(this: &ChannelEvents, bindings: &[u32], payload: &JsValue, msg_ref: &JsValue, join_ref: &JsValue);
    #[wasm_bindgen(method, js_name = __state)]
    fn state(this: &ChannelEvents, state: &str);
}

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// A presence's `onJoin`, `onLeave` and `onSync` callbacks, kept in JS (`js/events.js`).
    #[derive(Clone)]
    pub(crate) type PresenceEvents;
    #[wasm_bindgen(constructor)]
    fn new() -> PresenceEvents;
    /// Sets the callback `kind` (`"join"`, `"leave"`, `"sync"`); throws unless it is a
    /// function (`method` names it in the error).
    #[wasm_bindgen(method, catch)]
    pub fn set(this: &PresenceEvents, kind: &str, callback: &JsValue, method: &str) -> Result<(), JsValue>;
    /// A sync: its joins and leaves (the JSON array `changes_json` writes, or empty),
    /// then `onSync`.
    #[wasm_bindgen(method, js_name = __sync)]
    fn sync(this: &PresenceEvents, changes: &str);
}

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(callback, ms)`: its id (a number in browsers, an object in node).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &JsValue, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A Rust closure handed to JS as a one-argument callback.
type JsCallback = Closure<dyn FnMut(JsValue)>;

/// Everything a socket holds in the browser.
pub(crate) struct Shell {
    pub core: RefCell<Socket>,
    transport: RefCell<Option<Transport>>,
    /// What every transport of this socket hands its events to (`js/events.js`):
    /// `(conn, kind, a, b)`, read by [`TransportEvent::from_js`].
    transport_events: Closure<dyn FnMut(u32, u8, JsValue, JsValue)>,
    /// The armed browser timer: the core's deadline it is for, and its `setTimeout` id.
    timer: RefCell<Option<(u64, JsValue)>>,
    /// What the timer calls (made once; it hands the firing to the core).
    tick: Closure<dyn FnMut()>,
    callbacks: RefCell<Callbacks>,
    /// The socket-level callbacks (JS).
    pub events: SocketEvents,
    pumping: Cell<bool>,
    opts: ShellOptions,
    /// `params` as a function (`js/options.js`: JSON text, or a throw), when it is one;
    /// `connect(params)` replaces it.
    params: RefCell<Option<Function>>,
    /// What the page-lifecycle listeners of `events` call: `(kind, visible)`, kind 0
    /// `pagehide`, 1 `pageshow`, 2 a visibility change (`visibilitychange`, `resume`),
    /// 3 the network back (`online`).
    lifecycle: Closure<dyn FnMut(u8, bool)>,
    /// The callbacks handed to a custom `encode` / `decode`, made once.
    codec_callbacks: RefCell<Option<(JsCallback, JsCallback)>>,
    /// The callback handed to `beforeReconnect` (`js/options.js` calls it when the
    /// application's hook has settled), made once when the hook is set.
    reconnect_ready: Option<JsCallback>,
    me: Weak<Shell>,
}

impl Shell {
    pub fn new(core: Socket, mut opts: ShellOptions) -> Rc<Self> {
        let params = opts.params.take();
        let shell = Rc::new_cyclic(|me: &Weak<Shell>| Shell {
            core: RefCell::new(core),
            transport: RefCell::new(None),
            transport_events: {
                let me = me.clone();
                Closure::new(move |conn: u32, kind: u8, a: JsValue, b: JsValue| {
                    if let Some(shell) = me.upgrade() {
                        shell.transport_event(ConnId(conn), TransportEvent::from_js(kind, a, b));
                    }
                })
            },
            timer: RefCell::new(None),
            tick: {
                let me = me.clone();
                Closure::new(move || {
                    if let Some(shell) = me.upgrade() {
                        shell.timer.borrow_mut().take();
                        shell.with_core(|core, now| core.handle_timeout(now));
                    }
                })
            },
            callbacks: RefCell::new(Callbacks::default()),
            events: SocketEvents::new(opts.logger.as_ref().map_or(&JsValue::UNDEFINED, |l| l.as_ref())),
            pumping: Cell::new(false),
            lifecycle: {
                let me = me.clone();
                Closure::new(move |kind: u8, visible: bool| {
                    if let Some(shell) = me.upgrade() {
                        shell.with_core(|core, now| match kind {
                            0 => core.handle_page_hide(now),
                            1 => core.handle_page_show(now),
                            3 => core.handle_online(now),
                            _ => core.handle_visibility(visible, now),
                        });
                    }
                })
            },
            codec_callbacks: RefCell::new(None),
            reconnect_ready: opts.before_reconnect.is_some().then(|| {
                let me = me.clone();
                Closure::new(move |_: JsValue| {
                    if let Some(shell) = me.upgrade() {
                        shell.with_core(|core, now| core.reconnect_ready(now));
                    }
                })
            }),
            params: RefCell::new(params),
            opts,
            me: me.clone(),
        });
        shell.make_codec_callbacks();
        // phoenix.js's page lifecycle: `pagehide`/`pageshow` (back/forward cache) and
        // `visibilitychange`/`resume` (reconnect when shown after an unclean close)
        if !shell.events.listen(&shell.lifecycle) {
            shell.core.borrow_mut().handle_visibility(false, now());
        }
        shell
    }

    /// The callbacks given to custom codecs: the encoder's sends its result on the
    /// current transport; the decoder's feeds the decoded message to the core.
    fn make_codec_callbacks(&self) {
        if self.opts.encode.is_none() && self.opts.decode.is_none() {
            return;
        }
        let me = self.me.clone();
        let sent = Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| {
            let Some(shell) = me.upgrade() else { return };
            let res = shell.transport.borrow().as_ref().map(|t| t.send_js(&data));
            if let Some(Err(e)) = res {
                shell.transport_failed(e);
            }
        });
        let me = self.me.clone();
        let decoded = Closure::<dyn FnMut(JsValue)>::new(move |msg: JsValue| {
            let Some(shell) = me.upgrade() else { return };
            let conn = shell.transport.borrow().as_ref().map(|t| t.conn);
            match (conn, message_from_js(&msg, "decoded message")) {
                (Some(conn), Ok(m)) => shell.with_core(|core, now| core.handle_decoded(conn, m, now)),
                (_, Err(e)) => super::values::console_error("phoenix-wasm: decode produced a malformed message", &e),
                (None, _) => {}
            }
        });
        *self.codec_callbacks.borrow_mut() = Some((sent, decoded));
    }

    fn codec_callback(&self, decoder: bool) -> JsValue {
        let cbs = self.codec_callbacks.borrow();
        let (sent, decoded) = cbs.as_ref().expect("made when a codec is set");
        if decoder { decoded.as_ref().clone() } else { sent.as_ref().clone() }
    }

    /// The callbacks object of a new presence.
    pub fn add_presence(&self, id: PresenceId) -> PresenceEvents {
        let events = PresenceEvents::new();
        self.callbacks.borrow_mut().presences.get_or_default(id).events = Some(events.clone());
        events
    }

    /// A presence's listed JS objects, if `list()` has been called.
    fn mirror(&self, id: PresenceId) -> Option<js_sys::Map> {
        self.callbacks.borrow().presences.get(&id).and_then(|p| p.mirror.clone())
    }

    /// The presence state as a JS `Map` of `key -> presence` in join order,
    /// built on the first call and kept in step with every sync after it.
    pub fn presence_map(&self, id: PresenceId) -> js_sys::Map {
        if let Some(m) = self.mirror(id) {
            return m;
        }
        let pairs = {
            let mut core = self.core.borrow_mut();
            core.watch_presence_changes(id, true);
            core.presence_state(id).map(PresenceState::to_pairs_json)
        };
        // a presence whose channel was removed lists nothing and keeps nothing
        let Some(pairs) = pairs else { return js_sys::Map::new() };
        let map = map_of_pairs(&pairs);
        self.callbacks.borrow_mut().presences.get_or_default(id).mirror = Some(map.clone());
        map
    }

    /// Brings a presence's JS `Map` (if any) up to date with the core's state.
    fn refresh_presence_map(&self, id: PresenceId) {
        let Some(map) = self.mirror(id) else { return };
        let mut core = self.core.borrow_mut();
        let touched = core.presence_touched(id);
        let Some(state) = core.presence_state(id) else { return };
        match touched {
            Touched::All => {
                let fresh = map_of_pairs(&state.to_pairs_json());
                drop(core);
                if let Some(p) = self.callbacks.borrow_mut().presences.get_mut(&id) {
                    p.mirror = Some(fresh);
                }
            }
            Touched::Keys(keys) => {
                for key in &keys {
                    let k = JsValue::from_str(key);
                    match state.get(key) {
                        Some(e) => {
                            map.set(&k, &JSON::parse(&e.to_json()).unwrap_or(JsValue::UNDEFINED));
                        }
                        None => {
                            map.delete(&k);
                        }
                    }
                }
            }
        }
    }

    /// A promise of the next status whose state is `state` (resolved now, if it is);
    /// throws for an unknown state.
    pub fn wait_for(&self, state: &str) -> Result<js_sys::Promise, JsValue> {
        let current = status_to_js(self.core.borrow().status());
        self.events.wait_for(state, &current)
    }

    /// A Rust stream of status changes.
    pub fn status_stream(&self) -> futures_channel::mpsc::UnboundedReceiver<crate::core::Status> {
        let (tx, rx) = futures_channel::mpsc::unbounded();
        self.callbacks.borrow_mut().status_observers.push(Box::new(move |status| tx.unbounded_send(status.clone()).is_ok()));
        rx
    }

    /// The callbacks object of a new channel.
    pub fn add_channel(&self, channel: ChannelId, params: Option<Function>) -> ChannelEvents {
        let events = ChannelEvents::new();
        let mut cbs = self.callbacks.borrow_mut();
        cbs.channels.insert(channel, events.clone());
        if let Some(f) = params {
            cbs.channel_params.insert(channel, f);
        }
        events
    }

    /// Registers a ping callback.
    pub fn on_pong(&self, ping: u32, cb: Function) {
        self.events.ping(ping, &cb);
    }

    /// Whether a logger is installed.
    pub fn has_logger(&self) -> bool {
        self.opts.logger.is_some()
    }

    /// Calls the logger, if any (the socket's JS callbacks object holds it).
    pub fn log(&self, kind: &str, msg: &str, data: &JsValue) {
        self.events.log(kind, msg, data);
    }

    /// Runs `f` on the core, then drains its outputs.
    pub fn with_core<T>(&self, f: impl FnOnce(&mut Socket, u64) -> T) -> T {
        let out = {
            let mut core = self.core.borrow_mut();
            f(&mut core, now())
        };
        self.pump();
        out
    }

    // ------------------------------------------------------------ callbacks

    /// Adds a socket-level callback under a new ref for `method` (`"onOpen"` …; throws
    /// when `cb` is not a function).
    pub fn add_socket_callback(&self, method: &str, cb: &JsValue) -> Result<String, JsValue> {
        let r = self.core.borrow_mut().make_ref();
        self.events.add(method, &r, cb)?;
        self.observe_messages_if_wanted();
        Ok(r)
    }

    /// Removes the socket-level callbacks of `refs` (throws when it is not an array).
    pub fn off(&self, refs: &JsValue) -> Result<(), JsValue> {
        self.events.off(refs)?;
        self.observe_messages_if_wanted();
        Ok(())
    }

    /// The core reports every message only while an `onMessage` callback exists.
    pub fn observe_messages_if_wanted(&self) {
        let observe = self.events.observing();
        self.core.borrow_mut().set_observe_messages(observe);
    }

    /// The JS `Push` of `push` (of `event`), made on first use (a join's is kept).
    pub fn push_handle(&self, push: PushId, event: &str) -> super::Push {
        let mut cbs = self.callbacks.borrow_mut();
        if let Some(p) = cbs.pushes.get(&push) {
            return p.clone();
        }
        let p = super::Push::new(event);
        cbs.pushes.insert(push, p.clone());
        p
    }

    // ----------------------------------------------------------------- pump

    /// Drains the core's outputs. Re-entrant calls (from callbacks) return at once;
    /// the outer loop picks up whatever they added.
    pub fn pump(&self) {
        if self.pumping.replace(true) {
            return;
        }
        loop {
            let out = self.core.borrow_mut().poll_output();
            let Some(out) = out else { break };
            match out {
                Output::Connect { conn, url, protocols } => self.open_transport(conn, &url, &protocols),
                Output::Send(frame) => {
                    let failed = match self.transport.borrow().as_ref() {
                        Some(t) => t.send(&frame).err(),
                        None => Some(error("no transport")),
                    };
                    if let Some(e) = failed {
                        self.transport_failed(e);
                    }
                }
                Output::Close { conn, code, reason } => {
                    let t = self.transport.borrow_mut().take_if(|t| t.conn == conn);
                    if let Some(t) = t {
                        t.close(code, &reason);
                    }
                }
                Output::Event(e) => self.dispatch(e),
                Output::BeforeReconnect { attempt } => self.run_before_reconnect(attempt),
                // what the core asks of the application, answered with no borrow held
                // while the application's functions run (they may use the socket)
                Output::ConnectParams { conn } => {
                    let answer = match (self.params(), call_text(&self.opts.auth_token)) {
                        (Err(e), _) | (_, Err(e)) => Err(super::values::describe(&e)),
                        (Ok(p), Ok(t)) => Ok((p, t)),
                    };
                    self.core.borrow_mut().connect_params(conn, answer, now());
                }
                Output::JoinParams { channel } => {
                    let f = self.callbacks.borrow().channel_params.get(&channel).cloned();
                    let answer = match f.map(|f| f.call0(&JsValue::NULL)) {
                        Some(Ok(v)) => Ok(v.as_string().unwrap_or_else(|| "{}".to_owned())),
                        Some(Err(e)) => Err(super::values::describe(&e)),
                        None => Ok("{}".to_owned()),
                    };
                    self.core.borrow_mut().join_params(channel, answer, now());
                }
                Output::RetryDelay { retry, tries } => {
                    let f = match retry {
                        Retry::Reconnect => &self.opts.reconnect_after,
                        Retry::Rejoin(_) => &self.opts.rejoin_after,
                    };
                    // js/options.js gives -1 (and warns) where the function gave no delay:
                    // the core then takes the default schedule's
                    let asked = f.as_ref().and_then(|f| f.call1(&JsValue::NULL, &tries.into()).ok()).and_then(|v| v.as_f64()).filter(|n| *n >= 0.0);
                    self.core.borrow_mut().retry_delay(retry, asked.map(|n| n as u64), now());
                }
                // only produced when a custom `encode` is set
                Output::SendMessage(m) => {
                    if let Some(encode) = &self.opts.encode {
                        invoke(encode, &[&message_to_js(&m), &self.codec_callback(false)]);
                    }
                }
            }
        }
        self.pumping.set(false);
        self.arm_timer();
    }

    /// The connect params from the application's `params` function (JSON text from
    /// `js/options.js`, which throws an `Error` naming the option), if it gave one.
    pub fn params(&self) -> Result<Option<String>, JsValue> {
        let f = self.params.borrow().clone();
        call_text(&f)
    }

    /// Replaces the connect params (the deprecated `connect(params)`).
    pub fn set_params(&self, params: crate::core::Source<String>, f: Option<Function>) {
        *self.params.borrow_mut() = f;
        self.core.borrow_mut().set_params(params);
    }

    /// Runs the application's `beforeReconnect(attempt)` (wrapped by `js/options.js`,
    /// which awaits a returned promise, reports a failure, and then calls back): the core
    /// connects when it calls back.
    fn run_before_reconnect(&self, attempt: u32) {
        let called = match (&self.opts.before_reconnect, &self.reconnect_ready) {
            (Some(hook), Some(ready)) => hook.call2(&JsValue::NULL, &attempt.into(), ready.as_ref()).is_ok(),
            _ => false,
        };
        if !called {
            self.core.borrow_mut().reconnect_ready(now());
        }
    }

    fn open_transport(&self, conn: ConnId, url: &str, protocols: &[String]) {
        // drop (and detach) any previous transport first
        self.transport.borrow_mut().take();
        match Transport::open(conn, url, protocols, self.transport_events.as_ref()) {
            Ok(t) => *self.transport.borrow_mut() = Some(t),
            Err(e) => {
                let msg = cat(&["cannot open WebSocket to ", url, ": ", &super::values::describe(&e)]);
                let mut core = self.core.borrow_mut();
                let t = now();
                core.handle_error(conn, &msg, t);
                core.handle_close(conn, 1006, &msg, t);
            }
        }
    }

    /// A send failed on a transport the browser already considers closing.
    fn transport_failed(&self, e: JsValue) {
        console_warn(&cat(&["phoenix-wasm: send failed: ", &super::values::describe(&e)]));
    }

    fn transport_event(&self, conn: ConnId, ev: TransportEvent) {
        {
            let mut core = self.core.borrow_mut();
            let t = now();
            match ev {
                TransportEvent::Open => core.handle_open(conn, t),
                TransportEvent::Frame(frame) => match &self.opts.decode {
                    Some(decode) => {
                        drop(core);
                        let raw: JsValue = match frame {
                            crate::core::Frame::Text(t) => t.into(),
                            crate::core::Frame::Binary(b) => js_sys::Uint8Array::from(b.as_slice()).buffer().into(),
                        };
                        invoke(decode, &[&raw, &self.codec_callback(true)]);
                        return self.pump();
                    }
                    None => core.handle_frame(conn, &frame, t),
                },
                TransportEvent::Error => core.handle_error(conn, "WebSocket error", t),
                TransportEvent::Close { code, reason } => {
                    core.handle_close(conn, code, &reason, t);
                    drop(core);
                    self.transport.borrow_mut().take_if(|tr| tr.conn == conn);
                }
            }
        }
        self.pump();
    }

    fn arm_timer(&self) {
        // An armed browser timer is kept while it fires no later than the core's next
        // deadline (it may wake the core early, which then re-arms): the deadlines of
        // pushes answered in time never cost a clearTimeout + setTimeout each.
        let Some(next) = self.core.borrow().poll_timeout() else { return };
        let mut timer = self.timer.borrow_mut();
        if timer.as_ref().is_some_and(|(at, _)| *at <= next) {
            return;
        }
        if let Some((_, id)) = timer.take() {
            clear_timeout(&id);
        }
        // (browsers take delays up to 2^31 - 1 ms; the core's deadlines are far shorter)
        let delay = next.saturating_sub(now()).min(i32::MAX as u64) as u32;
        *timer = Some((next, set_timeout(self.tick.as_ref(), delay)));
    }

    // ------------------------------------------------------------- dispatch

    fn dispatch(&self, e: Event) {
        match e {
            Event::Open => self.events.open(),
            Event::Close { code, reason, clean } => self.events.close(code, &reason, clean),
            Event::Error { reason } => self.events.error(&reason),
            Event::Message(m) => self.events.message(&message_to_js(&m)),
            Event::Channel { channel, bindings, payload, msg_ref, join_ref, .. } => {
                let Some(events) = self.callbacks.borrow().channels.get(&channel).cloned() else { return };
                let payload = payload_to_js(&payload);
                let opt = |v: Option<String>| v.map(JsValue::from).unwrap_or(JsValue::NULL);
                let (r, jr) = (opt(msg_ref), opt(join_ref));
                match bindings.as_slice() {
                    [one] => events.deliver(one.0, &payload, &r, &jr),
                    many => {
                        let refs: Vec<u32> = many.iter().map(|b| b.0).collect();
                        events.deliver_all(&refs, &payload, &r, &jr);
                    }
                }
            }
            Event::ChannelState { channel, state } => {
                let events = self.callbacks.borrow().channels.get(&channel).cloned();
                if let Some(events) = events {
                    events.state(state.as_str());
                }
            }
            Event::Heartbeat { rtt } => self.events.heartbeat(rtt as f64),
            Event::Status(status) => {
                self.callbacks.borrow_mut().status_observers.retain_mut(|observe| observe(&status));
                self.events.status(&status_to_js(&status));
            }
            Event::Presence { presence, changes } => {
                self.refresh_presence_map(presence);
                let Some(events) = self.callbacks.borrow().presences.get(&presence).and_then(|p| p.events.clone()) else { return };
                events.sync(&if changes.is_empty() { String::new() } else { changes_json(&changes) });
            }
            Event::Pong { ping, rtt } => self.events.pong(ping, rtt as f64),
            Event::Log { kind, msg, data } => {
                let data = data.as_ref().map(payload_to_js).unwrap_or(JsValue::UNDEFINED);
                self.log(kind, &msg, &data);
            }
            Event::PushReply { push, status, response, last } => {
                let handle = {
                    let mut cbs = self.callbacks.borrow_mut();
                    if last {
                        cbs.pushes.remove(&push)
                    } else {
                        cbs.pushes.get(&push).cloned()
                    }
                };
                if let Some(handle) = handle {
                    let response = payload_to_js(&response);
                    if status == "ok" {
                        OK.with(|ok| handle.reply(ok, &response)); // no string made per reply
                    } else {
                        handle.reply(&JsValue::from_str(&status), &response);
                    }
                }
            }
            Event::ChannelRemoved { channel, join_push, presences } => {
                let mut cbs = self.callbacks.borrow_mut();
                cbs.channels.remove(&channel);
                cbs.channel_params.remove(&channel);
                cbs.pushes.remove(&join_push);
                // their callbacks and listed JS objects go with them
                cbs.presences.retain(|id, _| !presences.contains(id));
            }
        }
    }
}

/// What a function of the application's gives, as text (nothing: no function, or no string).
fn call_text(f: &Option<Function>) -> Result<Option<String>, JsValue> {
    f.as_ref().map_or(Ok(None), |f| f.call0(&JsValue::NULL).map(|v| v.as_string()))
}

thread_local! {
    /// The status of most replies, as a JS string made once.
    static OK: JsValue = JsValue::from_str("ok");
}

/// `{state, attempt?, inMs?, code?, reason?, clean?}` for `onStatus` callbacks.
pub(crate) fn status_to_js(status: &crate::core::Status) -> JsValue {
    use crate::core::Status;
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &k.into(), &v);
    };
    set("state", status.name().into());
    match status {
        Status::Connecting | Status::Open => {}
        Status::Reconnecting { attempt, in_ms } => {
            set("attempt", (*attempt).into());
            set("inMs", (*in_ms as f64).into());
        }
        Status::Closed { code, reason, clean } => {
            set("code", (*code).into());
            set("reason", reason.as_str().into());
            set("clean", (*clean).into());
        }
    }
    o.into()
}

/// `new Map(JSON.parse(pairs))` for a JSON array of `[key, value]` pairs.
fn map_of_pairs(pairs: &str) -> js_sys::Map {
    let pairs = JSON::parse(pairs).unwrap_or_else(|_| js_sys::Array::new().into());
    let ctor = Reflect::get(&super::values::global(), &"Map".into()).map(Function::from);
    match ctor.and_then(|c| Reflect::construct(&c, &js_sys::Array::of1(&pairs))) {
        Ok(m) => m.unchecked_into(),
        Err(_) => js_sys::Map::new(),
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        self.events.unlisten();
        if let Some(t) = self.transport.get_mut().take() {
            t.close(1000, "socket dropped");
        }
        // the timer's callback goes with the shell
        if let Some((_, id)) = self.timer.get_mut().take() {
            clear_timeout(&id);
        }
    }
}
