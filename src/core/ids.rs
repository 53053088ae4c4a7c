//! Small identifier newtypes, so a channel id is never confused with a push id.

/// A channel created by [`Socket::channel`](super::Socket::channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u32);

/// A push (including a channel's join and leave pushes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PushId(pub u32);

/// A binding made with [`Socket::on`](super::Socket::on); unique within its channel
/// (phoenix.js's integer binding refs, starting at 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingRef(pub u32);

/// One transport connection attempt. Inputs that name an older connection are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u32);

/// A presence tracker attached to a channel with [`Socket::presence`](super::Socket::presence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PresenceId(pub u32);
