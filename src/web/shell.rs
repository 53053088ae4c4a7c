//! The driver between the browser and the core: it feeds transport events and
//! timer firings into the core, then drains the core's outputs — sending frames,
//! opening/closing the transport, arming the one timer, and calling JS callbacks.
//! It holds no protocol logic.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::transport::{Transport, TransportEvent};
use super::values::{console_warn, error, invoke, now, payload_to_js};
use crate::core::{BindingRef, ChannelId, ConnId, Event, Output, PushId, Socket};

/// The receive hooks of one push, shared by every JS `Push` handle of it.
#[derive(Default)]
pub(crate) struct PushHooks {
    pub hooks: Vec<(String, Function)>,
    pub received: Option<(String, JsValue)>,
}

impl PushHooks {
    /// Adds a hook; fires it at once if that status already arrived.
    pub fn receive(&mut self, status: &str, cb: Function) {
        if let Some((s, resp)) = &self.received {
            if s == status {
                invoke(&cb, &[resp]);
            }
        }
        self.hooks.push((status.to_owned(), cb));
    }
}

#[derive(Default)]
struct ChannelCallbacks {
    bindings: HashMap<BindingRef, Function>,
}

#[derive(Default)]
struct Callbacks {
    open: Vec<(String, Function)>,
    close: Vec<(String, Function)>,
    error: Vec<(String, Function)>,
    message: Vec<(String, Function)>,
    channels: HashMap<ChannelId, ChannelCallbacks>,
    pushes: HashMap<PushId, Rc<RefCell<PushHooks>>>,
}

/// Which socket-level callback list.
#[derive(Clone, Copy)]
pub(crate) enum SocketCallback {
    Open,
    Close,
    Error,
    Message,
}

/// Everything a socket holds in the browser.
pub(crate) struct Shell {
    pub core: RefCell<Socket>,
    transport: RefCell<Option<Transport>>,
    timer: RefCell<Option<(u64, Timeout)>>,
    /// The timer that fired last: dropped on the next firing, not inside its own callback.
    spent_timer: RefCell<Option<Timeout>>,
    callbacks: RefCell<Callbacks>,
    pumping: Cell<bool>,
    me: Weak<Shell>,
}

impl Shell {
    pub fn new(core: Socket) -> Rc<Self> {
        Rc::new_cyclic(|me| Shell {
            core: RefCell::new(core),
            transport: RefCell::new(None),
            timer: RefCell::new(None),
            spent_timer: RefCell::new(None),
            callbacks: RefCell::new(Callbacks::default()),
            pumping: Cell::new(false),
            me: me.clone(),
        })
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

    pub fn add_socket_callback(&self, which: SocketCallback, cb: Function) -> String {
        let r = self.core.borrow_mut().make_ref();
        let mut cbs = self.callbacks.borrow_mut();
        let list = match which {
            SocketCallback::Open => &mut cbs.open,
            SocketCallback::Close => &mut cbs.close,
            SocketCallback::Error => &mut cbs.error,
            SocketCallback::Message => &mut cbs.message,
        };
        list.push((r.clone(), cb));
        let observe = !cbs.message.is_empty();
        drop(cbs);
        self.core.borrow_mut().set_observe_messages(observe);
        r
    }

    pub fn off(&self, refs: &[String]) {
        let mut guard = self.callbacks.borrow_mut();
        let cbs = &mut *guard;
        for list in [&mut cbs.open, &mut cbs.close, &mut cbs.error, &mut cbs.message] {
            list.retain(|(r, _)| !refs.contains(r));
        }
        let cbs = guard;
        let observe = !cbs.message.is_empty();
        drop(cbs);
        self.core.borrow_mut().set_observe_messages(observe);
    }

    pub fn bind(&self, channel: ChannelId, binding: BindingRef, cb: Function) {
        self.callbacks.borrow_mut().channels.entry(channel).or_default().bindings.insert(binding, cb);
    }

    pub fn unbind(&self, channel: ChannelId, bindings: &[BindingRef]) {
        if let Some(ch) = self.callbacks.borrow_mut().channels.get_mut(&channel) {
            for b in bindings {
                ch.bindings.remove(b);
            }
        }
    }

    /// The shared hooks of `push`, created on first use.
    pub fn push_hooks(&self, push: PushId) -> Rc<RefCell<PushHooks>> {
        self.callbacks.borrow_mut().pushes.entry(push).or_default().clone()
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
            }
        }
        self.pumping.set(false);
        self.arm_timer();
    }

    fn open_transport(&self, conn: ConnId, url: &str, protocols: &[String]) {
        let me = self.me.clone();
        let on_event = move |conn: ConnId, ev: TransportEvent| {
            if let Some(shell) = me.upgrade() {
                shell.transport_event(conn, ev);
            }
        };
        // drop (and detach) any previous transport first
        self.transport.borrow_mut().take();
        match Transport::open(conn, url, protocols, on_event) {
            Ok(t) => *self.transport.borrow_mut() = Some(t),
            Err(e) => {
                let msg = format!("cannot open WebSocket to {url}: {}", super::values::describe(&e));
                let mut core = self.core.borrow_mut();
                let t = now();
                core.handle_error(conn, &msg, t);
                core.handle_close(conn, 1006, &msg, t);
            }
        }
    }

    /// A send failed on a transport the browser already considers closing.
    fn transport_failed(&self, e: JsValue) {
        console_warn(&format!("phoenix-wasm: send failed: {}", super::values::describe(&e)));
    }

    fn transport_event(&self, conn: ConnId, ev: TransportEvent) {
        {
            let mut core = self.core.borrow_mut();
            let t = now();
            match ev {
                TransportEvent::Open => core.handle_open(conn, t),
                TransportEvent::Frame(frame) => core.handle_frame(conn, &frame, t),
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
        let next = self.core.borrow().poll_timeout();
        let mut timer = self.timer.borrow_mut();
        if timer.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        *timer = next.map(|at| {
            let me = self.me.clone();
            let delay = at.saturating_sub(now()).min(u64::from(u32::MAX)) as u32;
            let handle = Timeout::new(delay, move || {
                if let Some(shell) = me.upgrade() {
                    let fired = shell.timer.borrow_mut().take().map(|(_, t)| t);
                    drop(shell.spent_timer.replace(fired));
                    shell.with_core(|core, now| core.handle_timeout(now));
                }
            });
            (at, handle)
        });
    }

    // ------------------------------------------------------------- dispatch

    fn socket_callbacks(&self, which: SocketCallback) -> Vec<Function> {
        let cbs = self.callbacks.borrow();
        let list = match which {
            SocketCallback::Open => &cbs.open,
            SocketCallback::Close => &cbs.close,
            SocketCallback::Error => &cbs.error,
            SocketCallback::Message => &cbs.message,
        };
        list.iter().map(|(_, f)| f.clone()).collect()
    }

    fn dispatch(&self, e: Event) {
        match e {
            Event::Open => {
                for f in self.socket_callbacks(SocketCallback::Open) {
                    invoke(&f, &[]);
                }
            }
            Event::Close { code, reason, clean } => {
                let ev = Object::new();
                let _ = Reflect::set(&ev, &"code".into(), &code.into());
                let _ = Reflect::set(&ev, &"reason".into(), &reason.into());
                let _ = Reflect::set(&ev, &"wasClean".into(), &clean.into());
                for f in self.socket_callbacks(SocketCallback::Close) {
                    invoke(&f, &[&ev]);
                }
            }
            Event::Error { reason } => {
                let fs = self.socket_callbacks(SocketCallback::Error);
                if fs.is_empty() {
                    console_warn(&format!("phoenix-wasm: {reason}"));
                }
                let err = error(&reason);
                for f in fs {
                    invoke(&f, &[&err]);
                }
            }
            Event::Message(m) => {
                let msg = Object::new();
                let opt = |v: &Option<String>| v.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL);
                let _ = Reflect::set(&msg, &"join_ref".into(), &opt(&m.join_ref));
                let _ = Reflect::set(&msg, &"ref".into(), &opt(&m.msg_ref));
                let _ = Reflect::set(&msg, &"topic".into(), &m.topic.into());
                let _ = Reflect::set(&msg, &"event".into(), &m.event.into());
                let _ = Reflect::set(&msg, &"payload".into(), &payload_to_js(&m.payload));
                for f in self.socket_callbacks(SocketCallback::Message) {
                    invoke(&f, &[&msg]);
                }
            }
            Event::Channel { channel, bindings, payload, msg_ref, join_ref, .. } => {
                let fs: Vec<Function> = {
                    let cbs = self.callbacks.borrow();
                    let Some(ch) = cbs.channels.get(&channel) else { return };
                    bindings.iter().filter_map(|b| ch.bindings.get(b).cloned()).collect()
                };
                let payload = payload_to_js(&payload);
                let opt = |v: Option<String>| v.map(JsValue::from).unwrap_or(JsValue::NULL);
                let (r, jr) = (opt(msg_ref), opt(join_ref));
                for f in fs {
                    invoke(&f, &[&payload, &r, &jr]);
                }
            }
            Event::ChannelState { .. } => {}
            Event::PushReply { push, status, response, last } => {
                let hooks = {
                    let mut cbs = self.callbacks.borrow_mut();
                    if last {
                        cbs.pushes.remove(&push)
                    } else {
                        cbs.pushes.get(&push).cloned()
                    }
                };
                let Some(hooks) = hooks else { return };
                let response = payload_to_js(&response);
                let fs: Vec<Function> = {
                    let mut h = hooks.borrow_mut();
                    h.received = Some((status.clone(), response.clone()));
                    h.hooks.iter().filter(|(s, _)| *s == status).map(|(_, f)| f.clone()).collect()
                };
                for f in fs {
                    invoke(&f, &[&response]);
                }
            }
            Event::ChannelRemoved { channel, join_push } => {
                let mut cbs = self.callbacks.borrow_mut();
                cbs.channels.remove(&channel);
                cbs.pushes.remove(&join_push);
            }
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        if let Some(t) = self.transport.get_mut().take() {
            t.close(1000, "socket dropped");
        }
    }
}
