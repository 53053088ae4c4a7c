//! [`Channel`]: a topic on a socket (phoenix.js `Channel`).

use std::rc::Rc;

use futures_channel::mpsc;

use super::push::{Push, PushSlot};
use super::socket::Socket;
use super::Error;
use crate::core::{BindingRef, ChannelError, ChannelId, ChannelState, Payload, PushId};

/// A channel's join params: JSON text, or a function that computes it on every join.
#[derive(Clone)]
pub enum JoinParams {
    /// A JSON object as text.
    Json(String),
    /// Called on every (re)join; an `Err` fails that join with its message.
    Function(Rc<dyn Fn() -> Result<String, String>>),
}

/// A binding's callback: the payload and the message's ref.
pub(crate) type Binding = Rc<dyn Fn(&Payload, Option<&str>)>;

/// A channel's callbacks and params function, held by its socket's driver.
pub(crate) struct ChannelSlot {
    pub(crate) params: Option<Rc<dyn Fn() -> Result<String, String>>>,
    bindings: Vec<(u32, Binding)>,
    pub(crate) states: Vec<Rc<dyn Fn(ChannelState)>>,
}

impl ChannelSlot {
    pub(crate) fn new(params: Option<Rc<dyn Fn() -> Result<String, String>>>) -> ChannelSlot {
        ChannelSlot { params, bindings: Vec::new(), states: Vec::new() }
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

    /// Joins with a timeout in ms (`None`: the socket's).
    pub fn join_with_timeout(&self, timeout: Option<u64>) -> Result<Push, Error> {
        self.make("phx_join", |c, now| c.join(self.id, timeout, now))
    }

    /// Pushes `event` with `payload` (JSON text or bytes) and the socket's timeout.
    /// An error before the first join; while disconnected it is buffered.
    pub fn push(&self, event: &str, payload: Payload) -> Result<Push, Error> {
        self.push_with_timeout(event, payload, None)
    }

    /// Pushes `event` with a timeout in ms (`None`: the socket's).
    pub fn push_with_timeout(&self, event: &str, payload: Payload, timeout: Option<u64>) -> Result<Push, Error> {
        self.make(event, |c, now| c.push(self.id, event, payload, timeout, now))
    }

    /// Leaves (the socket's timeout).
    pub fn leave(&self) -> Result<Push, Error> {
        self.make("phx_leave", |c, now| c.leave(self.id, None, now))
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

    /// Each `event`'s payload, as a stream (until the channel is removed, or
    /// [`Channel::off`] with the ref also returned).
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
