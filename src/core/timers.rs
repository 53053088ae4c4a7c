//! One table of every armed timer, ordered by deadline.
//!
//! The shell arms a single browser timer for [`Timers::next`]; when it fires, the
//! core pops every due [`TimerKey`] and acts on it. Times are milliseconds on the
//! caller's clock.

use std::collections::{BTreeSet, HashMap};

use super::ids::{ChannelId, PushId};

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimerKey {
    /// Send the next heartbeat.
    Heartbeat,
    /// The pending heartbeat was not answered in time.
    HeartbeatTimeout,
    /// Try to connect again.
    Reconnect,
    /// Rejoin an errored channel.
    Rejoin(ChannelId),
    /// A push (or a join or leave) got no reply in time.
    PushTimeout(PushId),
    /// Acknowledge what a reliable channel delivered.
    Ack(ChannelId),
}

/// The timer table.
#[derive(Debug, Default)]
pub struct Timers {
    by_deadline: BTreeSet<(u64, TimerKey)>,
    deadlines: HashMap<TimerKey, u64>,
}

impl Timers {
    /// Arms `key` at `at`, replacing any earlier deadline of the same key.
    pub fn arm(&mut self, key: TimerKey, at: u64) {
        self.cancel(key);
        self.by_deadline.insert((at, key));
        self.deadlines.insert(key, at);
    }

    /// Disarms `key`; returns whether it was armed.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        match self.deadlines.remove(&key) {
            Some(at) => self.by_deadline.remove(&(at, key)),
            None => false,
        }
    }

    /// The deadline of `key`, if armed.
    pub fn deadline(&self, key: TimerKey) -> Option<u64> {
        self.deadlines.get(&key).copied()
    }

    /// The earliest deadline of all armed timers.
    pub fn next(&self) -> Option<u64> {
        self.by_deadline.first().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest timer whose deadline is `<= now`.
    pub fn pop_due(&mut self, now: u64) -> Option<TimerKey> {
        let &(at, key) = self.by_deadline.first()?;
        if at > now {
            return None;
        }
        self.by_deadline.remove(&(at, key));
        self.deadlines.remove(&key);
        Some(key)
    }

    /// Number of armed timers.
    pub fn len(&self) -> usize {
        self.deadlines.len()
    }

    /// True when no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.deadlines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_deadline_order_and_rearms_replace() {
        let mut t = Timers::default();
        t.arm(TimerKey::Reconnect, 50);
        t.arm(TimerKey::Heartbeat, 10);
        t.arm(TimerKey::PushTimeout(PushId(1)), 30);
        t.arm(TimerKey::Heartbeat, 40); // replaces 10
        assert_eq!(t.next(), Some(30));
        assert_eq!(t.pop_due(29), None);
        assert_eq!(t.pop_due(100), Some(TimerKey::PushTimeout(PushId(1))));
        assert!(t.cancel(TimerKey::Reconnect));
        assert!(!t.cancel(TimerKey::Reconnect));
        assert_eq!(t.pop_due(100), Some(TimerKey::Heartbeat));
        assert!(t.is_empty());
    }
}
