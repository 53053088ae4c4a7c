//! [`Channel`]: a topic on a socket (phoenix.js `Channel`).

use std::rc::Rc;
use std::time::Duration;

use futures_channel::mpsc;
use serde::Serialize;

use super::host::ms;
use super::push::{Push, PushSlot};
use super::socket::Socket;
use super::{json_of, Error};
use crate::core::{BindingRef, ChannelError, ChannelId, ChannelState, Payload, PushId};

/// A channel's join params: a serde value ([`JoinParams::value`]), one computed on
/// every join ([`JoinParams::computed`]), or `{}` ([`JoinParams::default`]).
#[derive(Clone)]
pub enum JoinParams {
    /// A JSON object as text (what [`JoinParams::value`] makes).
    Json(String),
    /// Called on every (re)join; an `Err` fails that join with its message (what
    /// [`JoinParams::computed`] makes).
    Function(Rc<dyn Fn() -> Result<String, String>>),
}

impl Default for JoinParams {
    /// `{}`.
    fn default() -> JoinParams {
        JoinParams::Json("{}".to_owned())
    }
}

impl JoinParams {
    /// `params`, which must serialize to an object.
    pub fn value<P: Serialize + ?Sized>(params: &P) -> Result<JoinParams, Error> {
        let json = json_of(params).map_err(|e| Error(format!("join params: {e}")))?;
        if !json.starts_with('{') {
            return Err(Error(format!("join params must serialize to a JSON object (got {json})")));
        }
        Ok(JoinParams::Json(json))
    }

    /// Params computed on every (re)join (e.g. the last message seen).
    pub fn computed<P: Serialize>(params: impl Fn() -> P + 'static) -> JoinParams {
        JoinParams::Function(Rc::new(move || json_of(&params())))
    }
}

/// What a push carries: a [`Payload`] (JSON text or bytes), or a reference to any serde
/// value (`&MyStruct`, `&serde_json::Value`, `&()` for `{}`).
pub trait ToPayload {
    /// The payload, or why the value cannot be one.
    fn to_payload(self) -> Result<Payload, Error>;
}

impl ToPayload for Payload {
    fn to_payload(self) -> Result<Payload, Error> {
        Ok(self)
    }
}

impl<T: Serialize + ?Sized> ToPayload for &T {
    fn to_payload(self) -> Result<Payload, Error> {
        Payload::value(self)
    }
}

/// A binding's callback: the payload and the message's ref.
pub(crate) type Binding = Rc<dyn Fn(&Payload, Option<&str>)>;

/// Where a reliable channel keeps its cursor (the last sequence number delivered)
/// across page loads: [`WebStorage`] (the page's `sessionStorage` or `localStorage`), or
/// the application's own.
pub trait CursorStore {
    /// The stored cursor, if any.
    fn load(&self) -> Option<u64>;
    /// Stores `seq` (called after the callbacks of the event that moved it), or forgets
    /// it (`None`: the server lost its history and the channel starts over).
    fn save(&self, seq: Option<u64>);
}

/// A cursor kept in the page's `sessionStorage` (survives reloads of the tab, as an OBS
/// browser source's) or `localStorage` (survives the browser too), under a key.
pub struct WebStorage {
    storage: web_sys::Storage,
    key: String,
}

impl WebStorage {
    /// `sessionStorage` under `key` (`None` where the page has none).
    pub fn session(key: &str) -> Option<WebStorage> {
        let storage = web_sys::window()?.session_storage().ok()??;
        Some(WebStorage { storage, key: key.to_owned() })
    }

    /// `localStorage` under `key` (`None` where the page has none).
    pub fn local(key: &str) -> Option<WebStorage> {
        let storage = web_sys::window()?.local_storage().ok()??;
        Some(WebStorage { storage, key: key.to_owned() })
    }
}

impl CursorStore for WebStorage {
    fn load(&self) -> Option<u64> {
        self.storage.get_item(&self.key).ok()??.parse().ok()
    }

    fn save(&self, seq: Option<u64>) {
        let _ = match seq {
            Some(seq) => self.storage.set_item(&self.key, &seq.to_string()),
            None => self.storage.remove_item(&self.key),
        };
    }
}

/// A channel's callbacks and params function, held by its socket's driver.
pub(crate) struct ChannelSlot {
    pub(crate) params: Option<Rc<dyn Fn() -> Result<String, String>>>,
    bindings: Vec<(u32, Binding)>,
    pub(crate) states: Vec<Rc<dyn Fn(ChannelState)>>,
    pub(crate) cursor: Option<Rc<dyn CursorStore>>,
}

impl ChannelSlot {
    pub(crate) fn new(params: Option<Rc<dyn Fn() -> Result<String, String>>>) -> ChannelSlot {
        ChannelSlot { params, bindings: Vec::new(), states: Vec::new(), cursor: None }
    }

    /// The callbacks of `refs`, in order.
    pub(crate) fn bindings(&self, refs: &[BindingRef]) -> Vec<Binding> {
        refs.iter().filter_map(|r| self.bindings.iter().find(|(b, _)| *b == r.0).map(|(_, f)| f.clone())).collect()
    }
}

/// A channel for one topic on a [`Socket`]. Cloning gives another handle to it.
#[derive(Clone)]
pub struct Channel {
    socket: Socket,
    id: ChannelId,
    topic: Rc<str>,
}

fn error(e: ChannelError) -> Error {
    Error(e.message())
}

impl Channel {
    pub(crate) fn new(socket: Socket, id: ChannelId, topic: &str) -> Channel {
        Channel { socket, id, topic: topic.into() }
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The socket this channel is on.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Its state (`Closed` once removed from its socket).
    pub fn state(&self) -> ChannelState {
        self.socket.shared.core.borrow().channel_state(self.id).unwrap_or(ChannelState::Closed)
    }

    /// The ref of its current join, once it has joined.
    pub fn join_ref(&self) -> Option<String> {
        self.socket.shared.core.borrow().join_ref_of(self.id)
    }

    /// Joins with the socket's timeout; the push answers on every (re)join. Joining
    /// twice is an error.
    pub fn join(&self) -> Result<Push, Error> {
        self.join_with_timeout(None)
    }

    /// Joins with a timeout (`None`: the socket's).
    pub fn join_with_timeout(&self, timeout: Option<Duration>) -> Result<Push, Error> {
        self.make("phx_join", |c, now| c.join(self.id, timeout.map(ms), now))
    }

    /// Pushes `event` with `payload` (a serde value by reference, or a [`Payload`] of
    /// JSON text or bytes) and the socket's timeout. An error before the first join;
    /// while disconnected it is buffered.
    pub fn push(&self, event: &str, payload: impl ToPayload) -> Result<Push, Error> {
        self.push_with_timeout(event, payload, None)
    }

    /// Pushes `event` with a timeout (`None`: the socket's).
    pub fn push_with_timeout(&self, event: &str, payload: impl ToPayload, timeout: Option<Duration>) -> Result<Push, Error> {
        let payload = payload.to_payload()?;
        self.make(event, |c, now| c.push(self.id, event, payload, timeout.map(ms), now))
    }

    /// Leaves (the socket's timeout). The channel is removed once the server answers
    /// (or the leave times out): its streams end, its pushes in flight time out.
    pub fn leave(&self) -> Result<Push, Error> {
        self.leave_with_timeout(None)
    }

    /// Leaves with a timeout (`None`: the socket's).
    pub fn leave_with_timeout(&self, timeout: Option<Duration>) -> Result<Push, Error> {
        self.make("phx_leave", |c, now| c.leave(self.id, timeout.map(ms), now))
    }

    fn make(&self, event: &str, f: impl FnOnce(&mut crate::core::Socket, u64) -> Result<PushId, ChannelError>) -> Result<Push, Error> {
        let shared = &self.socket.shared;
        let id = f(&mut shared.core.borrow_mut(), super::host::now()).map_err(error)?;
        let slot = shared.state.borrow_mut().pushes.entry(id.0).or_insert_with(|| Rc::new(PushSlot::new(event))).clone();
        shared.pump();
        Ok(Push::new(slot))
    }

    /// Calls `callback` with the payload of each `event`; the ref [`Channel::off`] takes.
    pub fn on(&self, event: &str, callback: impl Fn(&Payload) + 'static) -> Result<u32, Error> {
        self.bind(event, Rc::new(move |p: &Payload, _: Option<&str>| callback(p)))
    }

    /// Each `event`'s payload, as a stream. It does not keep the socket: it ends when the
    /// channel leaves or is removed, when [`Channel::off`] removes it (the ref also
    /// returned), or when the socket's last handle is dropped; it stays open through a
    /// `disconnect()` and a lost connection (the channel rejoins on the next connect).
    pub fn events(&self, event: &str) -> Result<(u32, mpsc::UnboundedReceiver<Payload>), Error> {
        let (tx, rx) = mpsc::unbounded();
        let r = self.bind(event, Rc::new(move |p: &Payload, _: Option<&str>| {
            let _ = tx.unbounded_send(p.clone());
        }))?;
        Ok((r, rx))
    }

    fn bind(&self, event: &str, callback: Binding) -> Result<u32, Error> {
        let shared = &self.socket.shared;
        let r = shared.core.borrow_mut().on(self.id, event).map_err(error)?;
        if let Some(slot) = shared.state.borrow_mut().channels.get_mut(&self.id.0) {
            slot.bindings.push((r.0, callback));
        }
        Ok(r.0)
    }

    /// Removes the binding `binding` of `event`, or every binding of `event` (`None`).
    pub fn off(&self, event: &str, binding: Option<u32>) -> Result<(), Error> {
        let shared = &self.socket.shared;
        let removed = shared.core.borrow_mut().off(self.id, event, binding.map(BindingRef)).map_err(error)?;
        if let Some(slot) = shared.state.borrow_mut().channels.get_mut(&self.id.0) {
            slot.bindings.retain(|(r, _)| !removed.iter().any(|x| x.0 == *r));
        }
        Ok(())
    }

    /// Calls `callback` when the server closes the channel (`phx_close`).
    pub fn on_close(&self, callback: impl Fn(&Payload) + 'static) -> Result<u32, Error> {
        self.on("phx_close", callback)
    }

    /// Calls `callback` when the channel errors (`phx_error`: a crash, a lost connection).
    pub fn on_error(&self, callback: impl Fn(&Payload) + 'static) -> Result<u32, Error> {
        self.on("phx_error", callback)
    }

    /// Calls `callback` with each new state.
    pub fn on_state(&self, callback: impl Fn(ChannelState) + 'static) {
        if let Some(slot) = self.socket.shared.state.borrow_mut().channels.get_mut(&self.id.0) {
            slot.states.push(Rc::new(callback));
        }
    }

    /// Removes the channel from its socket: it stops receiving and rejoining.
    pub fn remove(&self) {
        self.socket.shared.core.borrow_mut().remove(self.id);
        self.socket.shared.pump();
    }

    pub(crate) fn id(&self) -> ChannelId {
        self.id
    }
}
