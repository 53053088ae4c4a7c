//! Typed topics for Rust/wasm applications: a [`Topic`] ties a topic to a serde
//! event enum; a [`TypedChannel`] yields decoded events as a `Stream` and sends
//! typed pushes with typed replies. A payload that does not decode is reported as
//! an `Err` item of the stream, never a panic.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use phoenix_wasm::typed::{Topic, TypedChannel};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, Debug)]
//! #[serde(tag = "event", content = "payload", rename_all = "snake_case")]
//! enum ObsEvent {
//!     ObsEvent { r#type: String, timestamp: u64 },
//!     InitialState { scene: String },
//! }
//!
//! struct Obs;
//! impl Topic for Obs {
//!     type Event = ObsEvent;   // the events listened to are its variants: obs_event, initial_state
//!     fn topic(&self) -> String { "overlay:obs".into() }
//! }
//!
//! # async fn run(socket: phoenix_wasm::web::Socket) -> Result<(), phoenix_wasm::web::Error> {
//! let mut obs = TypedChannel::new(&socket, Obs)?;
//! obs.join()?;
//! while let Some(event) = obs.next().await {
//!     match event {
//!         Ok(ObsEvent::InitialState { scene }) => { /* draw it */ let _ = scene; }
//!         Ok(other) => { let _ = other; }
//!         Err(e) => { let _ = e; /* a payload the server changed shape of */ }
//!     }
//! }
//! # Ok(()) }
//! ```

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::marker::PhantomData;
use std::time::Duration;

use futures_channel::mpsc;
use futures_core::Stream;
use js_sys::{Object, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use std::rc::Weak;

use crate::core::PresenceId;
use crate::web::{Channel, ChannelOptions, Error, JoinParams, Payload, Presence, Push, PushError, Socket};

mod events;

pub use events::NoEvents;

/// A topic with known events.
///
/// A topic whose events are not read (presence only) has [`NoEvents`]; a topic known
/// only by its name is a `String` or `&str` (with [`NoEvents`]).
pub trait Topic {
    /// The events, decoded from `{"event": name, "payload": payload}`: typically an
    /// enum with `#[serde(tag = "event", content = "payload")]`.
    type Event: DeserializeOwned + 'static;
    /// The topic string, e.g. `"chat:room:42"`.
    fn topic(&self) -> String;
    /// The event names listened to: by default the variants of [`Topic::Event`], as its
    /// serde `Deserialize` names them (`rename_all` and `rename` included). `None`
    /// where that implementation names none (not an enum): then list them here.
    fn events() -> Option<&'static [&'static str]> {
        events::names::<Self::Event>()
    }
}

impl Topic for String {
    type Event = NoEvents;
    fn topic(&self) -> String {
        self.clone()
    }
}

impl Topic for &str {
    type Event = NoEvents;
    fn topic(&self) -> String {
        (*self).to_owned()
    }
}

/// An event whose payload did not decode into the topic's event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The event name.
    pub event: String,
    /// What serde reported.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode event \"{}\": {}", self.event, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Why a typed push failed.
#[derive(Debug)]
pub enum PushFailure {
    /// The payload could not be serialized.
    Encode(String),
    /// The reply was not `ok` (`error`, `timeout`, `canceled` or a custom status): the
    /// server's response is in it (`error.response.decode()`).
    Status(PushError),
    /// The `ok` reply did not decode into the expected type.
    Decode(String),
    /// The push could not be made (e.g. before joining).
    Rejected(String),
}

impl fmt::Display for PushFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushFailure::Encode(e) => write!(f, "cannot encode the payload: {e}"),
            PushFailure::Status(e) => e.fmt(f),
            PushFailure::Decode(e) => write!(f, "cannot decode the reply: {e}"),
            PushFailure::Rejected(e) => write!(f, "push rejected: {e}"),
        }
    }
}

impl std::error::Error for PushFailure {}

type Item<T> = Result<<T as Topic>::Event, DecodeError>;

/// A channel whose events arrive decoded, as a `Stream`. It is a handle, as a
/// [`Channel`]: while it lives, so does its socket. The stream ends when the channel
/// leaves or is removed (after the events that arrived before); it stays open through
/// a `disconnect()` and a lost connection, as the channel rejoins on the next connect.
pub struct TypedChannel<T: Topic> {
    channel: Channel,
    rx: mpsc::UnboundedReceiver<Item<T>>,
    /// Each event name and its binding's ref.
    bindings: Vec<(&'static str, u32)>,
    _topic: PhantomData<fn() -> T>,
}

impl<T: Topic> TypedChannel<T> {
    /// Creates the channel for `topic` (joined with `{}`) and listens to its events.
    pub fn new(socket: &Socket, topic: T) -> Result<Self, Error> {
        Self::with_join_params(socket, topic, JoinParams::default())
    }

    /// Creates the channel for `topic`, joined with `params` (a serde value that
    /// serializes to an object), and listens to its events.
    pub fn with_params<P: Serialize + ?Sized>(socket: &Socket, topic: T, params: &P) -> Result<Self, Error> {
        Self::with_join_params(socket, topic, JoinParams::value(params)?)
    }

    /// Creates the channel for `topic` with [`JoinParams`] (e.g. computed on every
    /// join) and listens to its events.
    pub fn with_join_params(socket: &Socket, topic: T, params: JoinParams) -> Result<Self, Error> {
        let events = T::events().ok_or_else(|| {
            Error(format!("the events of {} are not named by its Deserialize: list them in Topic::events", std::any::type_name::<T::Event>()))
        })?;
        let channel = socket.channel_with(&topic.topic(), params, ChannelOptions::default());
        let (tx, rx) = mpsc::unbounded();
        let mut bindings = Vec::with_capacity(events.len());
        for &event in events {
            let tx = tx.clone();
            let r = channel.on(event, move |payload: &Payload| {
                let _ = tx.unbounded_send(decode::<T::Event>(event, payload));
            })?;
            bindings.push((event, r));
        }
        Ok(TypedChannel { channel, rx, bindings, _topic: PhantomData })
    }

    /// Joins; the returned push answers on every (re)join.
    pub fn join(&self) -> Result<Push, Error> {
        self.channel.join()
    }

    /// Joins and waits for the first answer, its `ok` response decoded into `R` (a
    /// refused join is [`PushFailure::Status`], with the server's reply).
    pub async fn joined<R: DeserializeOwned>(&self) -> Result<R, PushFailure> {
        let push = self.join().map_err(|e| PushFailure::Rejected(e.to_string()))?;
        reply(push).await
    }

    /// Leaves and waits for the answer; the stream of events ends (after the events that
    /// arrived before).
    pub async fn leave(&mut self) -> Result<(), PushFailure> {
        let push = self.channel.leave().map_err(|e| PushFailure::Rejected(e.to_string()))?;
        self.unbind();
        push.outcome().await.map(|_| ()).map_err(PushFailure::Status)
    }

    /// Removes the bindings: their senders go, so the stream ends once drained.
    fn unbind(&mut self) {
        for (event, r) in self.bindings.drain(..) {
            let _ = self.channel.off(event, Some(r));
        }
    }

    /// The underlying channel.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Pushes `event` with a serializable payload and decodes the `ok` reply.
    pub async fn push<P: Serialize + ?Sized, R: DeserializeOwned>(&self, event: &str, payload: &P) -> Result<R, PushFailure> {
        self.push_with_timeout(event, payload, None).await
    }

    /// [`TypedChannel::push`] with a timeout (`None`: the socket's).
    pub async fn push_with_timeout<P: Serialize + ?Sized, R: DeserializeOwned>(&self, event: &str, payload: &P, timeout: Option<Duration>) -> Result<R, PushFailure> {
        let payload = Payload::value(payload).map_err(|e| PushFailure::Encode(e.to_string()))?;
        let push = self.channel.push_with_timeout(event, payload, timeout).map_err(|e| PushFailure::Rejected(e.to_string()))?;
        reply(push).await
    }
}

impl Socket {
    /// `topic`'s channel (joined with `{}`), its events decoded: [`TypedChannel::new`].
    pub fn typed_channel<T: Topic>(&self, topic: T) -> Result<TypedChannel<T>, Error> {
        TypedChannel::new(self, topic)
    }

    /// `topic`'s channel joined with `params`, a serde value that serializes to an
    /// object: [`TypedChannel::with_params`].
    pub fn typed_channel_with<T: Topic, P: Serialize + ?Sized>(&self, topic: T, params: &P) -> Result<TypedChannel<T>, Error> {
        TypedChannel::with_params(self, topic, params)
    }
}

/// One presence: its key and its metas (one per tab or device), decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<M> {
    /// The presence key (e.g. the user id).
    pub key: String,
    /// The metas, oldest first (`phx_ref` is in each meta's JSON: add it to `M` to read it).
    pub metas: Vec<M>,
}

/// A channel's presences with metas decoded into `M`: [`TypedPresence::list`] at any
/// time, and a `Stream` of the list after each sync (syncs that arrive before the stream
/// is polled yield one list, the latest).
///
/// It is a view, not a handle: it does not keep its socket. The stream ends when the
/// channel leaves or is removed, or when the socket's last handle is dropped (then
/// [`TypedPresence::list`] is empty); it stays open through a `disconnect()` and a lost
/// connection (the next join's state syncs it again).
pub struct TypedPresence<M> {
    socket: Weak<crate::web::socket::Shared>,
    id: PresenceId,
    syncs: mpsc::UnboundedReceiver<()>,
    _meta: PhantomData<fn() -> M>,
}

impl<M: DeserializeOwned> TypedPresence<M> {
    /// Tracks `channel`'s `presence_state` and `presence_diff`.
    pub fn new(channel: &Channel) -> Result<Self, Error> {
        let presence = Presence::new(channel)?;
        let syncs = presence.syncs();
        Ok(TypedPresence { socket: std::rc::Rc::downgrade(&channel.socket().shared), id: presence.id(), syncs, _meta: PhantomData })
    }

    /// The presences now, in join order; an `Err` names the first meta that does not decode.
    pub fn list(&self) -> Result<Vec<Member<M>>, DecodeError> {
        let Some(socket) = self.socket.upgrade() else { return Ok(Vec::new()) };
        let error = |message: String| DecodeError { event: "presence".to_owned(), message };
        let core = socket.core.borrow();
        let Some(state) = core.presence_state(self.id) else { return Ok(Vec::new()) };
        let members = state.iter().map(|(key, entry)| {
            let metas = entry.metas.iter().map(|m| {
                let value = JSON::parse(&m.raw).map_err(|_| "malformed JSON".to_owned())?;
                serde_wasm_bindgen::from_value::<M>(value).map_err(|e| format!("{key}: {e}"))
            });
            metas.collect::<Result<Vec<M>, String>>().map(|metas| Member { key: key.to_owned(), metas })
        });
        members.collect::<Result<_, _>>().map_err(error)
    }
}

impl<M: DeserializeOwned> Stream for TypedPresence<M> {
    type Item = Result<Vec<Member<M>>, DecodeError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.syncs).poll_next(cx) {
            Poll::Ready(Some(())) => {
                // the syncs queued meanwhile are the same list now
                while self.syncs.try_recv().is_ok() {}
                Poll::Ready(Some(self.list()))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A push's `ok` response decoded into `R`, or why not.
async fn reply<R: DeserializeOwned>(push: Push) -> Result<R, PushFailure> {
    match push.outcome().await {
        Ok(reply) => parse(&reply).and_then(|v| serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())).map_err(PushFailure::Decode),
        Err(e) => Err(PushFailure::Status(e)),
    }
}

/// A JSON payload as a JS value (serde-wasm-bindgen reads it without a JSON crate).
fn parse(payload: &Payload) -> Result<JsValue, String> {
    let text = payload.as_json().ok_or("a binary payload")?;
    JSON::parse(text).map_err(|_| "malformed JSON".to_owned())
}

fn decode<E: DeserializeOwned>(event: &str, payload: &Payload) -> Result<E, DecodeError> {
    let error = |message: String| DecodeError { event: event.to_owned(), message };
    let payload = parse(payload).map_err(error)?;
    let tagged = Object::new();
    let _ = Reflect::set(&tagged, &"event".into(), &event.into());
    let _ = Reflect::set(&tagged, &"payload".into(), &payload);
    serde_wasm_bindgen::from_value(tagged.into()).map_err(|e| error(e.to_string()))
}

impl<T: Topic> Stream for TypedChannel<T> {
    type Item = Item<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

impl<T: Topic> Drop for TypedChannel<T> {
    /// Unbinds its events (the channel stays joined: [`TypedChannel::leave`] leaves).
    fn drop(&mut self) {
        self.unbind();
    }
}
