//! The Rust API for the browser: a driver over the sans-IO core ([`crate::core`]) with
//! the browser's `WebSocket` (web-sys), one timer and the page's lifecycle, for Rust
//! web apps (Leptos, Yew, Dioxus, …). No JS of the package is involved.
//!
//! - [`Socket`] (`socket.rs`): the connection, its callbacks and the driver loop: every
//!   call into the core is followed by a pump of its outputs, each acted on with nothing
//!   borrowed, so a callback may call any method of the socket, channel or push.
//! - [`Channel`] (`channel.rs`), [`Push`] (`push.rs`), [`Presence`] (`presence.rs`).
//! - `transport.rs`: the `WebSocket`; `host.rs`: clock, timer, event listeners.
//!
//! Payloads are [`Payload`]s (JSON or bytes), made from serde values and decoded into
//! them; [`crate::typed`] gives topics whose events arrive decoded.
//!
//! ```no_run
//! use phoenix_wasm::web::Socket;
//!
//! #[derive(serde::Serialize)]
//! struct Params { token: &'static str }
//! #[derive(serde::Serialize)]
//! struct Echo { body: &'static str }
//! #[derive(serde::Deserialize)]
//! struct Shout { body: String }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let socket = Socket::builder("wss://example.com/socket").params(&Params { token: "abc" }).build()?;
//! socket.connect();
//! let room = socket.channel("room:lobby");
//! room.on("shout", |payload| {
//!     let _shout: Result<Shout, _> = payload.decode();
//! })?;
//! room.join()?.outcome().await?;
//! let reply = room.push("echo", &Echo { body: "hi" })?.outcome().await?;
//! # let _ = reply;
//! # Ok(()) }
//! ```

mod channel;
mod host;
mod options;
mod presence;
mod push;
pub(crate) mod socket;
mod transport;

use std::fmt;

pub use channel::{Channel, CursorStore, JoinParams, ToPayload, WebStorage};
pub use options::SocketBuilder;
pub use presence::Presence;
pub use push::{Push, PushError, RefreshError, CANCELED};
pub use socket::{BeforeReconnect, Closed, Hooks, Logger, Socket, TokenHook};

pub use crate::core::{ChannelOptions, ChannelState, Config, Entry, Health, Message, Payload, Status};

/// A call the socket refused: a wrong option, a channel misused (pushing before
/// joining, joining twice, a removed channel), a full send buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub(crate) String);

impl Error {
    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Payload {
    /// `value` as a JSON payload (`()` and unit structs are `{}`).
    pub fn value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Payload, Error> {
        json_of(value).map(Payload::Json).map_err(|e| Error(format!("payload: {e}")))
    }

    /// The JSON payload decoded into `T` (an error for bytes or a payload of another
    /// shape).
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let text = self.as_json().ok_or_else(|| Error("a binary payload is not JSON".to_owned()))?;
        let value = js_sys::JSON::parse(text).map_err(|_| Error("malformed JSON payload".to_owned()))?;
        serde_wasm_bindgen::from_value(value).map_err(|e| Error(format!("payload: {e}")))
    }
}

/// `value` as JSON text (through the browser's `JSON.stringify`, no JSON crate); `()`
/// and unit structs are `{}`, an empty payload as in phoenix.js.
pub(crate) fn json_of<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let js = serde_wasm_bindgen::to_value(value).map_err(|e| e.to_string())?;
    if js.is_undefined() {
        return Ok("{}".to_owned());
    }
    js_sys::JSON::stringify(&js).ok().and_then(|s| s.as_string()).ok_or_else(|| "not a JSON value".to_owned())
}
