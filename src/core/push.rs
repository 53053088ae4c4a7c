//! A push awaiting its outcome: the message to send, its ref once sent, and its timeout.

use super::ids::ChannelId;
use super::message::Payload;

/// Local failure reasons, delivered as an `"error"` reply `{"reason": ...}` so that
/// no push ever ends without an outcome.
pub mod reasons {
    /// The send buffer (or the channel's push buffer) was full.
    pub const BUFFER_FULL: &str = "buffer_full";
    /// The channel was closed or removed before the push could be sent.
    pub const CHANNEL_CLOSED: &str = "channel_closed";
    /// The channel rejoined before the buffered push was sent (its join ref is outdated).
    pub const OUTDATED: &str = "outdated";
    /// The payload could not be encoded (e.g. a binary field over 255 bytes).
    pub const ENCODE_FAILED: &str = "encode_failed";
    /// The join params function failed.
    pub const PARAMS_FAILED: &str = "params_failed";
}

/// What kind of push this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushKind {
    /// A channel's join; lives as long as its channel and is re-sent on rejoin.
    Join,
    /// A channel's leave.
    Leave,
    /// An application push.
    Event,
}

/// The core's record of one push.
pub(crate) struct PushRec {
    pub channel: ChannelId,
    pub kind: PushKind,
    pub event: String,
    pub payload: Payload,
    pub timeout: u64,
    /// The ref of the current send, set when its timeout starts.
    pub msg_ref: Option<String>,
    /// A timeout was delivered; a buffered push that timed out is never sent.
    pub timed_out: bool,
    /// A join waiting for its params ([`crate::core::Output::JoinParams`]).
    pub awaiting_params: bool,
}
