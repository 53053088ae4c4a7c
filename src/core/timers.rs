//! One table of every armed timer.
//!
//! The shell arms a single browser timer for [`Timers::next`]; when it fires, the
//! core pops every due [`TimerKey`] and acts on it. Times are milliseconds on the
//! caller's clock.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use super::idmap::IdMap;
use super::ids::{ChannelId, PushId};

/// A span in whole milliseconds (the core's time unit), saturating; in u64 arithmetic
/// (no 128-bit `as_millis` in the wasm).
pub fn whole_ms(d: Duration) -> u64 {
    d.as_secs().saturating_mul(1000).saturating_add(u64::from(d.subsec_millis()))
}

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

/// The timer table: each key's deadline, plus a min-heap of (deadline, key) from
/// which cancelled and re-armed entries are dropped lazily (when they reach the top,
/// or all at once when they outnumber the live ones). Thousands of pushes in flight
/// cost O(log n) per arm and cancel.
#[derive(Debug, Default)]
pub struct Timers {
    deadlines: IdMap<TimerKey, u64>,
    heap: BinaryHeap<Reverse<(u64, TimerKey)>>,
}

impl Timers {
    /// Arms `key` at `at`, replacing any earlier deadline of the same key.
    pub fn arm(&mut self, key: TimerKey, at: u64) {
        self.deadlines.insert(key, at);
        self.heap.push(Reverse((at, key)));
        self.tidy();
    }

    /// Disarms `key`; returns whether it was armed.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        let armed = self.deadlines.remove(&key).is_some();
        self.tidy();
        armed
    }

    /// The deadline of `key`, if armed.
    pub fn deadline(&self, key: TimerKey) -> Option<u64> {
        self.deadlines.get(&key).copied()
    }

    /// The earliest deadline of all armed timers.
    pub fn next(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Removes and returns the earliest timer whose deadline is `<= now`.
    pub fn pop_due(&mut self, now: u64) -> Option<TimerKey> {
        let &Reverse((at, key)) = self.heap.peek()?;
        if at > now {
            return None;
        }
        self.heap.pop();
        self.deadlines.remove(&key);
        self.tidy();
        Some(key)
    }

    /// Drops stale heap entries from the top (so `next` is exact), and rebuilds the
    /// heap when stale entries outnumber live ones.
    fn tidy(&mut self) {
        if self.heap.len() > 2 * self.deadlines.len() + 16 {
            self.heap = self.deadlines.iter().map(|(k, at)| Reverse((*at, *k))).collect();
        }
        while let Some(&Reverse((at, key))) = self.heap.peek() {
            if self.deadlines.get(&key) == Some(&at) {
                break;
            }
            self.heap.pop();
        }
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

    #[test]
    fn stale_entries_never_surface_and_stay_bounded() {
        let mut t = Timers::default();
        for i in 0..10_000u32 {
            t.arm(TimerKey::PushTimeout(PushId(i)), 10_000 + u64::from(i));
            t.arm(TimerKey::Heartbeat, u64::from(i)); // re-armed each time
            if i >= 10 {
                assert!(t.cancel(TimerKey::PushTimeout(PushId(i - 10))));
            }
        }
        assert_eq!(t.len(), 11);
        assert!(t.heap.len() <= 2 * t.len() + 16 + 1, "heap holds {} entries", t.heap.len());
        assert_eq!(t.next(), Some(9_999));
        assert_eq!(t.pop_due(u64::MAX), Some(TimerKey::Heartbeat));
        assert_eq!(t.next(), Some(10_000 + 9_990));
        assert_eq!(t.deadline(TimerKey::PushTimeout(PushId(9_995))), Some(19_995));
        let due: Vec<_> = std::iter::from_fn(|| t.pop_due(u64::MAX)).collect();
        assert_eq!(due.len(), 10);
        assert!(t.is_empty() && t.next().is_none());
    }
}
