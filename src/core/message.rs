//! The message model of Phoenix protocol V2: a frame is
//! `[join_ref, ref, topic, event, payload]`.

use super::json;
use super::text::{cat, display_by_message};

/// Event names reserved by the protocol.
pub mod events {
    /// Join a topic.
    pub const JOIN: &str = "phx_join";
    /// Leave a topic.
    pub const LEAVE: &str = "phx_leave";
    /// Reply to a push (payload `{status, response}`).
    pub const REPLY: &str = "phx_reply";
    /// The server-side channel crashed.
    pub const ERROR: &str = "phx_error";
    /// The server closed the channel.
    pub const CLOSE: &str = "phx_close";
    /// Heartbeat on the `phoenix` topic.
    pub const HEARTBEAT: &str = "heartbeat";
    /// The topic of heartbeats.
    pub const PHOENIX_TOPIC: &str = "phoenix";
    /// A refreshed token for a joined channel (payload `{access_token}`), as
    /// docs/token-refresh.md describes the server's side.
    pub const ACCESS_TOKEN: &str = "access_token";
}

/// The body of a message: JSON text, or raw bytes for binary frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// One JSON value, as text (never parsed into a tree by the core).
    Json(String),
    /// Bytes of a binary frame (an `ArrayBuffer` in JavaScript).
    Binary(Vec<u8>),
    /// A reply decoded from a binary reply frame (kind 1): its response is binary.
    Reply {
        /// The reply status (`"ok"`, `"error"`, or a custom one).
        status: String,
        /// The response bytes.
        response: Vec<u8>,
    },
}

impl Payload {
    /// The empty JSON object `{}`, the default payload.
    pub fn empty() -> Self {
        Payload::Json("{}".to_owned())
    }

    /// A JSON payload from text, validated.
    pub fn json(text: impl Into<String>) -> Result<Self, json::JsonError> {
        let text = text.into();
        json::validate(&text)?;
        Ok(Payload::Json(text))
    }

    /// The JSON text, if this is a JSON payload.
    pub fn as_json(&self) -> Option<&str> {
        match self {
            Payload::Json(s) => Some(s),
            _ => None,
        }
    }

    /// Approximate size in bytes, used for buffer limits.
    pub fn len(&self) -> usize {
        match self {
            Payload::Json(s) => s.len(),
            Payload::Binary(b) => b.len(),
            Payload::Reply { status, response } => status.len() + response.len(),
        }
    }

    /// True when the payload holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One protocol message in either direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The ref of the join this message belongs to (`None` for broadcasts and heartbeats).
    pub join_ref: Option<String>,
    /// The ref a reply will carry (`None` for server pushes and broadcasts).
    pub msg_ref: Option<String>,
    /// The topic, e.g. `room:lobby`.
    pub topic: String,
    /// The event name.
    pub event: String,
    /// The body.
    pub payload: Payload,
}

/// A reply to a push: the payload of a `phx_reply` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// `"ok"`, `"error"` or a custom status.
    pub status: String,
    /// The response (JSON `{}` when the server sent none).
    pub response: Payload,
}

/// Why a `phx_reply` payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError(pub String);

impl ReplyError {
    /// What went wrong, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        cat(&["malformed phx_reply payload: ", &self.0])
    }
}

display_by_message!(ReplyError);

impl std::error::Error for ReplyError {}

impl Message {
    /// Reads this message's payload as a reply (`{status, response}`).
    pub fn reply(&self) -> Result<Reply, ReplyError> {
        match &self.payload {
            Payload::Reply { status, response } => {
                Ok(Reply { status: status.clone(), response: Payload::Binary(response.clone()) })
            }
            Payload::Binary(_) => Err(ReplyError("binary payload without a status".into())),
            Payload::Json(text) => {
                let mut walk = json::members(text).map_err(|e| ReplyError(e.message()))?;
                let mut status = None;
                let mut response = None;
                while let Some((k, v)) = walk.member().map_err(|e| ReplyError(e.message()))? {
                    if json::key_is(k, "status") {
                        status = Some(json::unescape(v).map_err(|_| ReplyError("status is not a string".into()))?);
                    } else if json::key_is(k, "response") {
                        response = Some(v);
                    }
                }
                let status = status.ok_or_else(|| ReplyError("missing status".into()))?;
                let response = Payload::Json(response.unwrap_or("{}").to_owned());
                Ok(Reply { status, response })
            }
        }
    }
}
