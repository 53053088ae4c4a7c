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
//!     type Event = ObsEvent;
//!     const EVENTS: &'static [&'static str] = &["obs_event", "initial_state"];
//!     fn topic(&self) -> String { "overlay:obs".into() }
//! }
//!
//! # async fn run(socket: phoenix_wasm::web::Socket) -> Result<(), wasm_bindgen::JsValue> {
//! let mut obs = TypedChannel::new(&socket, Obs, wasm_bindgen::JsValue::UNDEFINED)?;
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

use futures_channel::mpsc;
use futures_core::Stream;
use js_sys::{Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::web::{Channel, Push, Socket};

/// A topic with known events.
pub trait Topic {
    /// The events, decoded from `{"event": name, "payload": payload}`: typically an
    /// enum with `#[serde(tag = "event", content = "payload")]`.
    type Event: DeserializeOwned + 'static;
    /// The event names to listen to.
    const EVENTS: &'static [&'static str];
    /// The topic string, e.g. `"chat:room:42"`.
    fn topic(&self) -> String;
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
    /// The payload could not be turned into a JS value.
    Encode(String),
    /// The reply was not `ok`: `error`, `timeout` or a custom status.
    Status {
        /// The status.
        status: String,
        /// The response.
        response: JsValue,
    },
    /// The `ok` reply did not decode into the expected type.
    Decode(String),
    /// The push could not be made (e.g. before joining).
    Rejected(String),
}

impl fmt::Display for PushFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushFailure::Encode(e) => write!(f, "cannot encode the payload: {e}"),
            PushFailure::Status { status, .. } => write!(f, "push answered {status}"),
            PushFailure::Decode(e) => write!(f, "cannot decode the reply: {e}"),
            PushFailure::Rejected(e) => write!(f, "push rejected: {e}"),
        }
    }
}

impl std::error::Error for PushFailure {}

type Item<T> = Result<<T as Topic>::Event, DecodeError>;
/// An event name, its binding ref, and the closure bound to it.
type Binding = (&'static str, u32, Closure<dyn FnMut(JsValue)>);

/// A channel whose events arrive decoded, as a `Stream`.
pub struct TypedChannel<T: Topic> {
    channel: Channel,
    rx: mpsc::UnboundedReceiver<Item<T>>,
    bindings: Vec<Binding>,
    _topic: PhantomData<fn() -> T>,
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

impl<T: Topic> TypedChannel<T> {
    /// Creates the channel for `topic` (with join `params`) and listens to its events.
    pub fn new(socket: &Socket, topic: T, params: JsValue) -> Result<Self, JsValue> {
        let channel = socket.channel(&topic.topic(), params, JsValue::UNDEFINED)?;
        let (tx, rx) = mpsc::unbounded();
        let mut bindings = Vec::with_capacity(T::EVENTS.len());
        for &event in T::EVENTS {
            let tx = tx.clone();
            let cb = Closure::<dyn FnMut(JsValue)>::new(move |payload: JsValue| {
                let _ = tx.unbounded_send(decode::<T::Event>(event, payload));
            });
            let r = channel.on(event, cb.as_ref().clone())?;
            bindings.push((event, r, cb));
        }
        Ok(TypedChannel { channel, rx, bindings, _topic: PhantomData })
    }

    /// Joins; the returned push answers on every (re)join.
    pub fn join(&self) -> Result<Push, JsValue> {
        self.channel.join(None)
    }

    /// The underlying channel.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Pushes `event` with a serializable payload and decodes the `ok` reply.
    pub async fn push<P: Serialize + ?Sized, R: DeserializeOwned>(&self, event: &str, payload: &P) -> Result<R, PushFailure> {
        let value = serde_wasm_bindgen::to_value(payload).map_err(|e| PushFailure::Encode(e.to_string()))?;
        let push = self.channel.push(event, value, None).map_err(|e| PushFailure::Rejected(describe(&e)))?;
        match push.outcome().await {
            Ok(reply) => serde_wasm_bindgen::from_value(reply).map_err(|e| PushFailure::Decode(e.to_string())),
            Err(err) => Err(PushFailure::Status {
                status: Reflect::get(&err, &"status".into()).ok().and_then(|s| s.as_string()).unwrap_or_default(),
                response: Reflect::get(&err, &"response".into()).unwrap_or(JsValue::UNDEFINED),
            }),
        }
    }
}

fn decode<E: DeserializeOwned>(event: &str, payload: JsValue) -> Result<E, DecodeError> {
    let tagged = Object::new();
    let _ = Reflect::set(&tagged, &"event".into(), &event.into());
    let _ = Reflect::set(&tagged, &"payload".into(), &payload);
    serde_wasm_bindgen::from_value(tagged.into()).map_err(|e| DecodeError { event: event.to_owned(), message: e.to_string() })
}

impl<T: Topic> Stream for TypedChannel<T> {
    type Item = Item<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

impl<T: Topic> Drop for TypedChannel<T> {
    fn drop(&mut self) {
        for (event, r, _) in &self.bindings {
            let _ = self.channel.off(event, Some(*r));
        }
    }
}
