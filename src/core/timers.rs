//! One table of every armed timer.
//!
//! The shell arms a single browser timer for [`Timers::next`]; when it fires, the
//! core pops every due [`TimerKey`] and acts on it. Times are milliseconds on the
//! caller's clock.

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

/// The timer table: a handful of entries (one per push in flight at most), so a
/// plain list scanned for the earliest deadline; ties go to the smaller key.
#[derive(Debug, Default)]
pub struct Timers {
    armed: Vec<(u64, TimerKey)>,
}

impl Timers {
    /// Arms `key` at `at`, replacing any earlier deadline of the same key.
    pub fn arm(&mut self, key: TimerKey, at: u64) {
        match self.armed.iter_mut().find(|(_, k)| *k == key) {
            Some(entry) => entry.0 = at,
            None => self.armed.push((at, key)),
        }
    }

    /// Disarms `key`; returns whether it was armed.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        match self.armed.iter().position(|(_, k)| *k == key) {
            Some(i) => {
                self.armed.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// The deadline of `key`, if armed.
    pub fn deadline(&self, key: TimerKey) -> Option<u64> {
        self.armed.iter().find(|(_, k)| *k == key).map(|(at, _)| *at)
    }

    fn earliest(&self) -> Option<usize> {
        (0..self.armed.len()).min_by_key(|&i| self.armed[i])
    }

    /// The earliest deadline of all armed timers.
    pub fn next(&self) -> Option<u64> {
        self.armed.iter().map(|(at, _)| *at).min()
    }

    /// Removes and returns the earliest timer whose deadline is `<= now`.
    pub fn pop_due(&mut self, now: u64) -> Option<TimerKey> {
        let i = self.earliest()?;
        if self.armed[i].0 > now {
            return None;
        }
        Some(self.armed.swap_remove(i).1)
    }

    /// Number of armed timers.
    pub fn len(&self) -> usize {
        self.armed.len()
    }

    /// True when no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.armed.is_empty()
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
