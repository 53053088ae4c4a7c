//! [`Socket`]: a connection to a Phoenix server, and the driver of its core.
//!
//! The protocol is the sans-IO core's ([`crate::core::Socket`]); this file moves what it
//! asks for between it and the browser: transports ([`super::transport`]), the one
//! timer and the page's lifecycle ([`super::host`]), and the application's callbacks.
//! Every call into the core is followed by [`Shared::pump`], which takes the core's
//! outputs one at a time and acts on each with no borrow held, so a callback may call
//! any method of the socket, its channels or their pushes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_channel::mpsc;
use wasm_bindgen::prelude::*;

use super::channel::{Channel, ChannelSlot, CursorStore, JoinParams};
use super::options::SocketBuilder;
use super::host::{self, Timer};
use super::presence::PresenceSlot;
use super::push::{Push, PushSlot, RefreshError};
use super::transport::{Sink, Transport};
use super::Error;
use crate::core::{
    self, ChannelOptions, Config, ConnId, Event, Frame, Health, Message, Output, Retry,
    Source, Status,
};

/// How the socket closed (`onClose`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close code.
    pub code: u16,
    /// The close reason.
    pub reason: String,
    /// Whether the client asked for it.
    pub clean: bool,
}

/// A `beforeReconnect` hook: the attempt number in, a future to await out.
pub type BeforeReconnect = Box<dyn Fn(u32) -> Pin<Box<dyn Future<Output = ()>>>>;
/// A token hook: the token (none: no token), or why there is none.
pub type TokenHook = Box<dyn Fn() -> Result<Option<String>, String>>;
/// A logger: the line's kind (`transport`, `push`, `receive`, `channel` …), the line,
/// and the payload concerned as JSON text.
pub type Logger = Box<dyn Fn(&str, &str, Option<&str>)>;

/// The application's functions the socket calls (phoenix.js's function-valued
/// options). Each one given is asked for by the core when it needs it; each one not
/// given is the [`Config`]'s value.
#[derive(Default)]
pub struct Hooks {
    /// The connect params, a JSON object as text, computed on every connect.
    pub params: Option<Box<dyn Fn() -> Result<String, String>>>,
    /// The auth token (sent as a subprotocol), computed on every connect.
    pub auth_token: Option<TokenHook>,
    /// The reconnect delay by try number (`None`: the default schedule's).
    pub reconnect_after: Option<Box<dyn Fn(u32) -> Option<Duration>>>,
    /// The rejoin delay by try number (`None`: the default schedule's).
    pub rejoin_after: Option<Box<dyn Fn(u32) -> Option<Duration>>>,
    /// Awaited before each reconnect (e.g. to refresh a token), with the attempt number.
    pub before_reconnect: Option<BeforeReconnect>,
    /// Log lines.
    pub logger: Option<Logger>,
}

type List<T> = Vec<(u32, Rc<T>)>;

/// The socket's own callbacks, by kind.
#[derive(Default)]
struct Callbacks {
    open: List<dyn Fn()>,
    close: List<dyn Fn(&Closed)>,
    error: List<dyn Fn(&str)>,
    message: List<dyn Fn(&Message)>,
    status: List<dyn Fn(&Status)>,
    heartbeat: List<dyn Fn(Duration)>,
}

/// What the driver holds besides the core; borrowed only between calls of callbacks.
#[derive(Default)]
pub(crate) struct State {
    /// The current transport, and those closing (kept until their `close` event).
    transport: Option<(ConnId, Transport)>,
    closing: Vec<(ConnId, Transport)>,
    timer: Option<Timer>,
    listeners: Vec<gloo_events::EventListener>,
    callbacks: Callbacks,
    next_ref: u32,
    pub(crate) channels: HashMap<u32, ChannelSlot>,
    pub(crate) pushes: HashMap<u32, Rc<PushSlot>>,
    pub(crate) presences: HashMap<u32, Rc<PresenceSlot>>,
    pings: HashMap<u32, Box<dyn FnOnce(Duration)>>,
    statuses: Vec<mpsc::UnboundedSender<Status>>,
    heartbeats: Vec<mpsc::UnboundedSender<Duration>>,
}

/// One socket's core, driver state and hooks, shared by its handles.
pub(crate) struct Shared {
    pub(crate) core: RefCell<core::Socket>,
    pub(crate) state: RefCell<State>,
    pumping: Cell<bool>,
    hooks: Hooks,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last handle can go inside one of the socket's own handlers (a callback
        // that drops it): the closures that handler runs in are freed after it returns.
        // Every wait ends: the pushes not answered yet settle as `canceled` (after this
        // drop, so no callback runs inside it), and every stream's sender goes with the
        // state.
        let state = std::mem::take(self.state.get_mut());
        if let Some((_, t)) = &state.transport {
            t.detach();
        }
        for (_, t) in &state.closing {
            t.detach();
        }
        wasm_bindgen_futures::spawn_local(async move {
            for slot in state.pushes.values() {
                slot.cancel();
            }
            for slot in state.presences.values() {
                slot.close();
            }
            drop(state);
        });
    }
}

/// A connection to a Phoenix server (phoenix.js `Socket`). Cloning gives another handle
/// to the same socket; it closes when the last handle (including its channels') is
/// dropped.
///
/// ```no_run
/// use phoenix_wasm::web::Socket;
///
/// #[derive(serde::Serialize)]
/// struct Params { token: &'static str }
///
/// let socket = Socket::builder("/socket").params(&Params { token: "abc" }).build()?;
/// socket.on_open(|| web_sys_free_log("open"));
/// socket.connect();
/// let room = socket.channel("room:lobby");
/// room.on("shout", |payload| web_sys_free_log(payload.as_json().unwrap_or("")))?;
/// room.join()?;
/// # fn web_sys_free_log(_: &str) {}
/// # Ok::<(), phoenix_wasm::web::Error>(())
/// ```
#[derive(Clone)]
pub struct Socket {
    pub(crate) shared: Rc<Shared>,
}

impl Socket {
    /// A socket configured by `config` (plain data: [`Config::new`] gives phoenix.js's
    /// defaults). The page's location and a jitter seed are filled in.
    pub fn new(config: Config) -> Socket {
        Socket::with_hooks(config, Hooks::default())
    }

    /// A [`SocketBuilder`] for `endpoint`: every option with Rust types (`Duration`s,
    /// closures for what is computed per connect or per retry).
    pub fn builder(endpoint: &str) -> SocketBuilder {
        SocketBuilder::new(endpoint)
    }

    /// A socket for `endpoint` with phoenix.js's option names as JSON (`timeout`,
    /// `heartbeatIntervalMs`, `params`, …: [`Config::from_options`]); an error names a
    /// wrong option.
    pub fn with_options(endpoint: &str, options: &str) -> Result<Socket, Error> {
        Ok(Socket::new(Config::from_options(endpoint, options).map_err(Error)?))
    }

    /// A socket whose `hooks` compute what they give (see [`Hooks`]).
    pub fn with_hooks(mut config: Config, hooks: Hooks) -> Socket {
        if config.page.is_none() {
            config.page = host::page();
        }
        if config.seed.is_none() {
            config.seed = Some(host::seed());
        }
        if hooks.params.is_some() {
            config.params = Source::Ask;
        }
        if hooks.auth_token.is_some() {
            config.auth_token = Source::Ask;
        }
        if hooks.reconnect_after.is_some() {
            config.reconnect_after = core::Schedule::Ask;
        }
        if hooks.rejoin_after.is_some() {
            config.rejoin_after = core::Schedule::Ask;
        }
        config.before_reconnect = hooks.before_reconnect.is_some();
        config.log = hooks.logger.is_some();
        // the application's own frame codec is a JS feature (phoenix.js `encode`/`decode`)
        config.custom_codec = false;
        let shared = Rc::new(Shared {
            core: RefCell::new(core::Socket::new(config)),
            state: RefCell::new(State::default()),
            pumping: Cell::new(false),
            hooks,
        });
        shared.listen();
        Socket { shared }
    }

    /// Connects, unless connected or connecting.
    pub fn connect(&self) {
        self.shared.core.borrow_mut().connect(host::now());
        self.shared.pump();
    }

    /// Disconnects on purpose (no reconnect until [`Socket::connect`]) with close code
    /// 1000 (normal closure): the code the close is reported with (`on_close`, the
    /// status), and the one phoenix.js's `disconnect()` reports against Phoenix, which
    /// answers its close frame without a code with 1000. Channels stay on the socket and
    /// rejoin on the next connect; their pushes in flight time out.
    pub fn disconnect(&self) {
        self.disconnect_with(Some(core::socket::WS_CLOSE_NORMAL), None);
    }

    /// Disconnects on purpose with a close `code` (1000, or 3000–4999) and `reason`; the
    /// close is reported with them.
    pub fn disconnect_with(&self, code: Option<u16>, reason: Option<&str>) {
        self.shared.core.borrow_mut().disconnect(code, reason, host::now());
        self.shared.pump();
    }

    /// A channel for `topic`, joined with `{}` as its params.
    pub fn channel(&self, topic: &str) -> Channel {
        self.channel_with(topic, JoinParams::default(), ChannelOptions::default())
    }

    /// A channel for `topic` with join `params` and `options` (reliable delivery,
    /// un-batching).
    pub fn channel_with(&self, topic: &str, params: JoinParams, options: ChannelOptions) -> Channel {
        let (source, function) = match params {
            JoinParams::Json(json) => (Source::Fixed(json), None),
            JoinParams::Function(f) => (Source::Ask, Some(f)),
        };
        let id = self.shared.core.borrow_mut().channel_with(topic, source, options);
        self.shared.state.borrow_mut().channels.insert(id.0, ChannelSlot::new(function));
        Channel::new(self.clone(), id, topic)
    }

    /// A reliable channel for `topic` that resumes across page loads: the cursor `store`
    /// holds (the last sequence number an earlier page delivered) is its first join's
    /// `last_seq`, and each delivered event's sequence number is saved there after the
    /// event's callbacks return (docs/reliable-delivery.md: what "once" means across a
    /// reload).
    pub fn resuming_channel(&self, topic: &str, params: JoinParams, store: impl CursorStore + 'static) -> Channel {
        let options = ChannelOptions { resume: Some(store.load()), ..ChannelOptions::default() };
        let channel = self.channel_with(topic, params, options);
        if let Some(slot) = self.shared.state.borrow_mut().channels.get_mut(&channel.id().0) {
            slot.cursor = Some(Rc::new(store));
        }
        channel
    }

    /// Whether the socket is open.
    pub fn is_connected(&self) -> bool {
        self.shared.core.borrow().is_connected()
    }

    /// `"connecting"`, `"open"` or `"closed"`.
    pub fn connection_state(&self) -> &'static str {
        self.shared.core.borrow().connection_state().as_str()
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.shared.core.borrow().status().clone()
    }

    /// Every status from now on, as a stream. It does not end at `disconnect()` (the
    /// socket may connect again) and does not keep the socket: it ends when the socket's
    /// last handle is dropped.
    pub fn statuses(&self) -> mpsc::UnboundedReceiver<Status> {
        let (tx, rx) = mpsc::unbounded();
        self.shared.state.borrow_mut().statuses.push(tx);
        rx
    }

    /// The round trip of every answered heartbeat from now on, as a stream (it ends when
    /// the socket's last handle is dropped).
    pub fn heartbeats(&self) -> mpsc::UnboundedReceiver<Duration> {
        let (tx, rx) = mpsc::unbounded();
        self.shared.state.borrow_mut().heartbeats.push(tx);
        rx
    }

    /// A snapshot for dashboards: status, last heartbeat round trip, reconnects,
    /// buffered messages, pushes in flight, each channel's state.
    pub fn health(&self) -> Health {
        self.shared.core.borrow().health()
    }

    /// The URL a connect opens (phoenix.js `endPointURL()`).
    pub fn endpoint_url(&self) -> Result<String, Error> {
        let params = match &self.shared.hooks.params {
            Some(f) => Some(f().map_err(Error)?),
            None => None,
        };
        self.shared.core.borrow().endpoint_url(params).map_err(|e| Error(e.message()))
    }

    /// The next message ref.
    pub fn make_ref(&self) -> String {
        self.shared.core.borrow_mut().make_ref()
    }

    /// Sends a heartbeat now; `callback` gets the round trip. False (and no call) when
    /// not connected.
    pub fn ping(&self, callback: impl FnOnce(Duration) + 'static) -> bool {
        let id = self.shared.core.borrow_mut().ping(host::now());
        if let Some(id) = id {
            self.shared.state.borrow_mut().pings.insert(id, Box::new(callback));
        }
        self.shared.pump();
        id.is_some()
    }

    /// Sends a raw message (phoenix.js `socket.push`); an error when the send buffer is
    /// full.
    pub fn push(&self, message: Message) -> Result<(), Error> {
        let r = self.shared.core.borrow_mut().push_message(message, host::now());
        self.shared.pump();
        r.map_err(Error)
    }

    /// Hands a refreshed token to the server without reconnecting (docs/token-refresh.md):
    /// every channel that has joined and is not leaving pushes `access_token`
    /// `{"access_token": token}` (one waiting to rejoin sends it once joined), and a
    /// fixed [`Config::auth_token`] becomes `token` for later connects (a
    /// [`Hooks::auth_token`] or params hook is asked at each connect, as before). The
    /// pushes leave at once; the future resolves when every channel accepted the token.
    pub fn refresh_token(&self, token: &str) -> impl Future<Output = Result<(), RefreshError>> {
        let shared = &self.shared;
        let ids = shared.core.borrow_mut().refresh_token(token, None, host::now());
        let pushes: Vec<(String, Push)> = {
            let core = shared.core.borrow();
            let mut state = shared.state.borrow_mut();
            (ids.into_iter())
                .map(|(channel, push)| {
                    let slot = Rc::new(PushSlot::new(core::message::events::ACCESS_TOKEN));
                    state.pushes.insert(push.0, slot.clone());
                    (core.topic(channel).unwrap_or_default().to_owned(), Push::new(slot))
                })
                .collect()
        };
        shared.pump();
        async move {
            for (topic, push) in pushes {
                push.outcome().await.map_err(|error| RefreshError { topic, error })?;
            }
            Ok(())
        }
    }

    /// Calls `callback` when the socket opens; the ref [`Socket::off`] takes.
    pub fn on_open(&self, callback: impl Fn() + 'static) -> u32 {
        self.add(|c, r| c.open.push((r, Rc::new(callback))))
    }

    /// Calls `callback` when the socket closes.
    pub fn on_close(&self, callback: impl Fn(&Closed) + 'static) -> u32 {
        self.add(|c, r| c.close.push((r, Rc::new(callback))))
    }

    /// Calls `callback` with each transport error, connect error or malformed frame.
    pub fn on_error(&self, callback: impl Fn(&str) + 'static) -> u32 {
        self.add(|c, r| c.error.push((r, Rc::new(callback))))
    }

    /// Calls `callback` with every message received.
    pub fn on_message(&self, callback: impl Fn(&Message) + 'static) -> u32 {
        let r = self.add(|c, r| c.message.push((r, Rc::new(callback))));
        self.shared.core.borrow_mut().set_observe_messages(true);
        r
    }

    /// Calls `callback` with each new status.
    pub fn on_status(&self, callback: impl Fn(&Status) + 'static) -> u32 {
        self.add(|c, r| c.status.push((r, Rc::new(callback))))
    }

    /// Calls `callback` with the round trip of each answered heartbeat.
    pub fn on_heartbeat(&self, callback: impl Fn(Duration) + 'static) -> u32 {
        self.add(|c, r| c.heartbeat.push((r, Rc::new(callback))))
    }

    /// Removes the callbacks with these refs.
    pub fn off(&self, refs: &[u32]) {
        let observe = {
            let mut st = self.shared.state.borrow_mut();
            let c = &mut st.callbacks;
            c.open.retain(|(r, _)| !refs.contains(r));
            c.close.retain(|(r, _)| !refs.contains(r));
            c.error.retain(|(r, _)| !refs.contains(r));
            c.message.retain(|(r, _)| !refs.contains(r));
            c.status.retain(|(r, _)| !refs.contains(r));
            c.heartbeat.retain(|(r, _)| !refs.contains(r));
            !c.message.is_empty()
        };
        self.shared.core.borrow_mut().set_observe_messages(observe);
    }

    fn add(&self, push: impl FnOnce(&mut Callbacks, u32)) -> u32 {
        let mut st = self.shared.state.borrow_mut();
        st.next_ref += 1;
        let r = st.next_ref;
        push(&mut st.callbacks, r);
        r
    }
}

/// Clones one kind of callback out of the state (so none is borrowed while they run).
fn each<T: ?Sized>(shared: &Shared, pick: impl FnOnce(&Callbacks) -> &List<T>) -> Vec<Rc<T>> {
    pick(&shared.state.borrow().callbacks).iter().map(|(_, f)| f.clone()).collect()
}

impl Shared {
    /// Acts on every output of the core, one at a time with nothing borrowed while it
    /// runs; a call made from a callback (which pumps too) returns at once and its
    /// outputs are taken by the loop already running. Then arms the timer.
    pub(crate) fn pump(self: &Rc<Self>) {
        if self.pumping.replace(true) {
            return;
        }
        loop {
            let out = self.core.borrow_mut().poll_output();
            match out {
                Some(out) => self.output(out),
                None => break,
            }
        }
        self.pumping.set(false);
        self.arm_timer();
    }

    fn arm_timer(self: &Rc<Self>) {
        // a timer that fires no later than the core's next deadline is kept (it may wake
        // the core early, which then re-arms): pushes answered in time cost no timer each
        let Some(at) = self.core.borrow().poll_timeout() else { return };
        let mut st = self.state.borrow_mut();
        if st.timer.as_ref().is_some_and(|t| t.at <= at) {
            return;
        }
        let weak = Rc::downgrade(self);
        st.timer = Some(Timer::at(at, move || {
            if let Some(s) = weak.upgrade() {
                s.state.borrow_mut().timer = None;
                s.core.borrow_mut().handle_timeout(host::now());
                s.pump();
            }
        }));
    }

    fn output(self: &Rc<Self>, out: Output) {
        let now = host::now;
        match out {
            Output::Connect { conn, url, protocols } => self.open(conn, &url, &protocols),
            Output::Send(frame) => self.send(&frame),
            Output::SendMessage(m) => self.error(&["cannot send ", &m.event, " on ", &m.topic, ": no encoder"].concat()),
            Output::Close { conn, code, reason } => {
                let mut st = self.state.borrow_mut();
                if st.transport.as_ref().is_some_and(|(c, _)| *c == conn) {
                    if let Some((c, t)) = st.transport.take() {
                        t.close(code, &reason);
                        st.closing.push((c, t));
                    }
                }
            }
            Output::BeforeReconnect { attempt } => match &self.hooks.before_reconnect {
                Some(hook) => {
                    let ready = hook(attempt);
                    let weak = Rc::downgrade(self);
                    wasm_bindgen_futures::spawn_local(async move {
                        ready.await;
                        if let Some(s) = weak.upgrade() {
                            s.core.borrow_mut().reconnect_ready(host::now());
                            s.pump();
                        }
                    });
                }
                None => self.core.borrow_mut().reconnect_ready(now()),
            },
            Output::ConnectParams { conn } => {
                let params = self.hooks.params.as_ref().map(|f| f());
                let token = self.hooks.auth_token.as_ref().map(|f| f());
                let answer = match (params.transpose(), token.transpose()) {
                    (Ok(p), Ok(t)) => Ok((p, t.flatten())),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                self.core.borrow_mut().connect_params(conn, answer, now());
            }
            Output::JoinParams { channel } => {
                let f = self.state.borrow().channels.get(&channel.0).and_then(|c| c.params.clone());
                let answer = f.map_or_else(|| Ok("{}".to_owned()), |f| f());
                self.core.borrow_mut().join_params(channel, answer, now());
            }
            Output::RetryDelay { retry, tries } => {
                let hook = match retry {
                    Retry::Reconnect => &self.hooks.reconnect_after,
                    Retry::Rejoin(_) => &self.hooks.rejoin_after,
                };
                let delay = hook.as_ref().and_then(|f| f(tries)).map(host::ms);
                self.core.borrow_mut().retry_delay(retry, delay, now());
            }
            Output::Event(e) => self.event(e),
        }
    }

    fn event(self: &Rc<Self>, e: Event) {
        match e {
            Event::Open => each(self, |c| &c.open).iter().for_each(|f| f()),
            Event::Close { code, reason, clean } => {
                let closed = Closed { code, reason, clean };
                each(self, |c| &c.close).iter().for_each(|f| f(&closed));
            }
            Event::Status(s) => {
                self.state.borrow_mut().statuses.retain(|tx| tx.unbounded_send(s.clone()).is_ok());
                each(self, |c| &c.status).iter().for_each(|f| f(&s));
            }
            Event::Heartbeat { rtt } => {
                let rtt = Duration::from_millis(rtt);
                self.state.borrow_mut().heartbeats.retain(|tx| tx.unbounded_send(rtt).is_ok());
                each(self, |c| &c.heartbeat).iter().for_each(|f| f(rtt));
            }
            Event::Error { reason } => self.error(&reason),
            Event::Message(m) => each(self, |c| &c.message).iter().for_each(|f| f(&m)),
            Event::Channel { channel, bindings, payload, msg_ref, .. } => {
                let callbacks = self.state.borrow().channels.get(&channel.0).map(|c| c.bindings(&bindings)).unwrap_or_default();
                for f in callbacks {
                    f(&payload, msg_ref.as_deref());
                }
            }
            Event::ChannelState { channel, state } => {
                let callbacks = self.state.borrow().channels.get(&channel.0).map(|c| c.states.clone()).unwrap_or_default();
                for f in callbacks {
                    f(state);
                }
            }
            Event::PushReply { push, status, response, last } => {
                let slot = {
                    let mut st = self.state.borrow_mut();
                    if last {
                        st.pushes.remove(&push.0)
                    } else {
                        st.pushes.get(&push.0).cloned()
                    }
                };
                if let Some(slot) = slot {
                    slot.reply(status, response);
                }
            }
            Event::Pong { ping, rtt } => {
                let callback = self.state.borrow_mut().pings.remove(&ping);
                if let Some(f) = callback {
                    f(Duration::from_millis(rtt));
                }
            }
            Event::Log { kind, msg, data } => {
                if let Some(log) = &self.hooks.logger {
                    log(kind, &msg, data.as_ref().and_then(|d| d.as_json()));
                }
            }
            Event::Presence { presence, changes } => {
                let slot = self.state.borrow().presences.get(&presence.0).cloned();
                if let Some(slot) = slot {
                    slot.synced(&changes);
                }
            }
            Event::Cursor { channel, seq } => {
                let store = self.state.borrow().channels.get(&channel.0).and_then(|c| c.cursor.clone());
                if let Some(store) = store {
                    store.save(seq);
                }
            }
            Event::ChannelRemoved { channel, join_push, presences } => {
                let mut st = self.state.borrow_mut();
                st.channels.remove(&channel.0);
                st.pushes.remove(&join_push.0);
                for p in presences {
                    if let Some(slot) = st.presences.remove(&p.0) {
                        slot.close();
                    }
                }
            }
        }
    }

    /// The `on_error` callbacks, or the console when there are none.
    fn error(&self, reason: &str) {
        let callbacks = each(self, |c| &c.error);
        if callbacks.is_empty() {
            warn(&["phoenix-wasm: ", reason].concat());
        }
        for f in callbacks {
            f(reason);
        }
    }

    fn open(self: &Rc<Self>, conn: ConnId, url: &str, protocols: &[String]) {
        // the previous transport, if any, is detached and closed
        let previous = self.state.borrow_mut().transport.take();
        if let Some((_, t)) = previous {
            t.retire();
        }
        match Transport::open(url, protocols, Events { socket: Rc::downgrade(self), conn }) {
            Ok(t) => self.state.borrow_mut().transport = Some((conn, t)),
            Err(e) => {
                let msg = ["cannot open WebSocket to ", url, ": ", &e].concat();
                let mut core = self.core.borrow_mut();
                core.handle_error(conn, &msg, host::now());
                core.handle_close(conn, 1006, &msg, host::now());
            }
        }
    }

    fn send(&self, frame: &Frame) {
        let sent = match &self.state.borrow().transport {
            Some((_, t)) => t.send(frame),
            None => Err("no transport".to_owned()),
        };
        if let Err(e) = sent {
            self.error(&["send failed: ", &e].concat());
        }
    }

    /// Follows the page's lifecycle as phoenix.js does: `pagehide` / `pageshow` (the
    /// back/forward cache), `visibilitychange` / `resume` (reconnect when shown after an
    /// unclean close), and the network coming back (`online`). Without a window (a
    /// worker) nothing is listened to.
    fn listen(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else { return };
        let on = |target: &web_sys::EventTarget, name: &'static str, act: fn(&mut core::Socket, u64)| {
            let weak = Rc::downgrade(self);
            host::listen(target, name, move || {
                if let Some(s) = weak.upgrade() {
                    act(&mut s.core.borrow_mut(), host::now());
                    s.pump();
                }
            })
        };
        let visibility: fn(&mut core::Socket, u64) = |c, now| c.handle_visibility(host::visible(), now);
        let mut listeners = vec![
            on(&window, "pagehide", core::Socket::handle_page_hide),
            on(&window, "pageshow", core::Socket::handle_page_show),
            on(&window, "visibilitychange", visibility),
            on(&window, "online", core::Socket::handle_online),
        ];
        if let Some(doc) = window.document() {
            listeners.push(on(&doc, "resume", visibility));
        }
        self.state.borrow_mut().listeners = listeners;
        if !host::visible() {
            self.core.borrow_mut().handle_visibility(false, host::now());
        }
    }
}

/// A transport's events, for the core, while its socket lives.
struct Events {
    socket: Weak<Shared>,
    conn: ConnId,
}

impl Events {
    fn with(&self, f: impl FnOnce(&mut core::Socket, u64)) {
        if let Some(s) = self.socket.upgrade() {
            f(&mut s.core.borrow_mut(), host::now());
            s.pump();
        }
    }
}

impl Sink for Events {
    fn opened(&self) {
        self.with(|c, now| c.handle_open(self.conn, now));
    }

    fn frame(&self, frame: Frame) {
        self.with(|c, now| c.handle_frame(self.conn, &frame, now));
    }

    fn failed(&self, reason: &str) {
        self.with(|c, now| c.handle_error(self.conn, reason, now));
    }

    fn closed(&self, code: u16, reason: &str) {
        if let Some(s) = self.socket.upgrade() {
            // its transport is done (retired: this handler runs in it)
            let done = {
                let mut st = s.state.borrow_mut();
                let mut done = Vec::new();
                if st.transport.as_ref().is_some_and(|(c, _)| *c == self.conn) {
                    done.extend(st.transport.take());
                }
                let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut st.closing).into_iter().partition(|(c, _)| *c == self.conn);
                st.closing = kept;
                done.extend(gone);
                done
            };
            for (_, t) in done {
                t.retire();
            }
            s.core.borrow_mut().handle_close(self.conn, code, reason, host::now());
            s.pump();
        }
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console)]
    fn warn(s: &str);
}
