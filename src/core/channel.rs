//! A channel's state as the core holds it: its lifecycle state, join push,
//! rejoin backoff, buffered pushes and event bindings.

use core::fmt;

use super::backoff::Backoff;
use super::ids::{BindingRef, PushId};
use super::text::{cat, display_by_message};

/// The lifecycle state of a channel (phoenix.js `CHANNEL_STATES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelState {
    /// Not joined (initial state, and after leaving or `phx_close`).
    Closed,
    /// The join failed, timed out, crashed or the transport dropped; a rejoin is due.
    Errored,
    /// Joined.
    Joined,
    /// A join is in flight.
    Joining,
    /// A leave is in flight.
    Leaving,
}

impl ChannelState {
    /// The phoenix.js name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::Closed => "closed",
            ChannelState::Errored => "errored",
            ChannelState::Joined => "joined",
            ChannelState::Joining => "joining",
            ChannelState::Leaving => "leaving",
        }
    }
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel's join params (JSON object text): fixed, or asked of the host on every
/// join and rejoin ([`crate::core::Output::JoinParams`]), so they can be refreshed.
pub type Params = super::source::Source<String>;

/// Misuse of a channel, reported to the caller instead of panicking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelError {
    /// The channel id is unknown (removed, or from another socket).
    UnknownChannel,
    /// `join()` was called a second time.
    JoinedTwice(String),
    /// `push()` before `join()`.
    PushBeforeJoin {
        /// The channel's topic.
        topic: String,
        /// The pushed event.
        event: String,
    },
}

impl ChannelError {
    /// What went wrong, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            ChannelError::UnknownChannel => "unknown channel (was it removed from its socket?)".to_owned(),
            ChannelError::JoinedTwice(topic) => cat(&[
                "tried to join multiple times to '",
                topic,
                "'. 'join' can only be called a single time per channel instance",
            ]),
            ChannelError::PushBeforeJoin { topic, event } => cat(&[
                "tried to push '",
                event,
                "' to '",
                topic,
                "' before joining. Use channel.join() before pushing events",
            ]),
        }
    }
}

display_by_message!(ChannelError);

impl std::error::Error for ChannelError {}

/// The core's record of one channel.
pub(crate) struct Channel {
    pub topic: String,
    pub params: Params,
    pub state: ChannelState,
    pub joined_once: bool,
    pub join_push: PushId,
    pub timeout: u64,
    pub rejoin: Backoff,
    pub push_buffer: Vec<PushId>,
    pub bindings: Vec<(BindingRef, String)>,
    pub next_binding: u32,
    pub reliable: Option<super::reliable::Reliable>,
    /// Report each move of the reliable cursor (the channel resumes across page loads).
    pub report_cursor: bool,
    pub unbatch: Option<String>,
}

impl Channel {
    /// The bindings for `event`, in the order they were made.
    pub fn bindings_for(&self, event: &str) -> Vec<BindingRef> {
        self.bindings.iter().filter(|(_, e)| e == event).map(|(r, _)| *r).collect()
    }

    /// Adds a binding and returns its ref.
    pub fn bind(&mut self, event: &str) -> BindingRef {
        let r = BindingRef(self.next_binding);
        self.next_binding = self.next_binding.wrapping_add(1);
        self.bindings.push((r, event.to_owned()));
        r
    }

    /// Removes one binding of `event` (by ref) or all of them; returns the removed refs.
    pub fn unbind(&mut self, event: &str, r: Option<BindingRef>) -> Vec<BindingRef> {
        let mut removed = Vec::new();
        self.bindings.retain(|(br, e)| {
            let hit = e == event && r.is_none_or(|r| r == *br);
            if hit {
                removed.push(*br);
            }
            !hit
        });
        removed
    }
}
