//! Reliable delivery over Phoenix channels (an opt-in per channel) and batch
//! un-batching. Wire contract (docs/reliable-delivery.md):
//!
//! - the server stamps each event of a reliable topic with a top-level integer
//!   `seq` in its payload, increasing by one per event of the topic;
//! - the client sends the last `seq` it delivered as `last_seq` in the join params
//!   of every (re)join, and the server replays the events after it that it still
//!   holds, in order, before new ones;
//! - the client acknowledges with a push `ack` `{sequence_number}`, batched;
//! - the client drops duplicates (`seq <= last`), and reports a hole it cannot
//!   fill (`seq > last + 1`) as a `missed` event `{missed, from, to}` before
//!   delivering the event that revealed it.

use super::json::{self, JsonError};
use super::text::{cat, uint};

/// Event name of a gap report.
pub const MISSED_EVENT: &str = "missed";
/// Event name of acknowledgements.
pub const ACK_EVENT: &str = "ack";
/// Join param carrying the last delivered sequence number.
pub const LAST_SEQ_PARAM: &str = "last_seq";

/// Per-channel options beyond phoenix.js.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelOptions {
    /// Track `seq`, resume with `last_seq`, drop duplicates, report gaps, ack.
    pub reliable: bool,
    /// Events with this name carry `{events: [...]}`; each item is delivered on its own.
    pub unbatch: Option<String>,
    /// Resume across page loads (implies `reliable`): the cursor a previous page stored
    /// (`Some(None)`: none stored yet), sent as `last_seq` on the first join; every
    /// delivered event then reports the new cursor ([`crate::core::Event::Cursor`]) for
    /// the host to store after the event's callbacks.
    pub resume: Option<Option<u64>>,
}

/// What to do with a sequenced event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The next event: deliver it.
    Deliver,
    /// Seen already: drop it.
    Duplicate,
    /// Events `from..=to` are missing and will not come: report, then deliver.
    Gap {
        /// How many.
        missed: u64,
        /// First missing seq.
        from: u64,
        /// Last missing seq.
        to: u64,
    },
}

/// The receiving side of a reliable channel.
#[derive(Debug, Clone, Default)]
pub struct Reliable {
    last_seq: Option<u64>,
    acked: Option<u64>,
    delivered_since_ack: u32,
}

/// Ack after this many delivered events (or when the ack timer fires).
pub const ACK_EVERY: u32 = 50;
/// The ack timer, in ms.
pub const ACK_INTERVAL_MS: u64 = 1000;

impl Reliable {
    /// A channel that resumes after `last_seq` (delivered by an earlier page).
    pub fn resuming(last_seq: Option<u64>) -> Reliable {
        Reliable { last_seq, acked: last_seq, delivered_since_ack: 0 }
    }

    /// The last delivered seq.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Classifies event `seq` and records it when it is delivered.
    pub fn on_event(&mut self, seq: u64) -> Verdict {
        let verdict = match self.last_seq {
            Some(last) if seq <= last => return Verdict::Duplicate,
            Some(last) if seq > last + 1 => Verdict::Gap { missed: seq - last - 1, from: last + 1, to: seq - 1 },
            _ => Verdict::Deliver,
        };
        self.last_seq = Some(seq);
        self.delivered_since_ack += 1;
        verdict
    }

    /// The seq to acknowledge now, if any: after [`ACK_EVERY`] events, or any
    /// unacknowledged one when `flush`.
    pub fn take_ack(&mut self, flush: bool) -> Option<u64> {
        let last = self.last_seq?;
        if self.acked == Some(last) || (!flush && self.delivered_since_ack < ACK_EVERY) {
            return None;
        }
        self.acked = Some(last);
        self.delivered_since_ack = 0;
        Some(last)
    }

    /// Whether some delivered event is not acknowledged yet.
    pub fn has_unacked(&self) -> bool {
        self.last_seq.is_some() && self.acked != self.last_seq
    }

    /// The join params with `last_seq` set (when something was delivered).
    pub fn join_params(&self, params: &str) -> Result<String, JsonError> {
        match self.last_seq {
            Some(last) => json::with_field(params, LAST_SEQ_PARAM, &uint(last)),
            None => Ok(params.to_owned()),
        }
    }
}

/// The `seq` of an event payload, if it has a non-negative integer one.
pub fn seq_of(payload: &str) -> Option<u64> {
    let raw = json::get(payload, "seq").ok()??;
    raw.parse().ok()
}

/// A gap report payload.
pub fn missed_payload(missed: u64, from: u64, to: u64) -> String {
    cat(&["{\"missed\":", &uint(missed), ",\"from\":", &uint(from), ",\"to\":", &uint(to), "}"])
}

/// An ack payload.
pub fn ack_payload(seq: u64) -> String {
    cat(&["{\"sequence_number\":", &uint(seq), "}"])
}

/// Splits a batch `{events: [...]}` into `(event, payload)` pairs, in order. An
/// item's event name is its `event` field (then its `payload` is the payload), or
/// its `type` field (the item is the payload), or `default_event`.
pub fn unbatch(batch: &str, default_event: &str) -> Result<Vec<(String, String)>, JsonError> {
    let items = json::get(batch, "events")?.ok_or(JsonError { offset: 0, reason: "a batch needs an events array" })?;
    json::array_items(items)?
        .into_iter()
        .map(|item| {
            let field = |k: &str| -> Result<Option<String>, JsonError> {
                match item.starts_with('{').then(|| json::get(item, k)).transpose()?.flatten() {
                    Some(v) if v.starts_with('"') => Ok(Some(json::unescape(v)?)),
                    _ => Ok(None),
                }
            };
            if let Some(event) = field("event")? {
                let payload = json::get(item, "payload")?.unwrap_or("{}");
                return Ok((event, payload.to_owned()));
            }
            let event = field("type")?.unwrap_or_else(|| default_event.to_owned());
            Ok((event, item.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_in_order_duplicates_and_gaps() {
        let mut r = Reliable::default();
        assert_eq!(r.on_event(5), Verdict::Deliver, "the first event sets the baseline");
        assert_eq!(r.on_event(6), Verdict::Deliver);
        assert_eq!(r.on_event(6), Verdict::Duplicate);
        assert_eq!(r.on_event(3), Verdict::Duplicate);
        assert_eq!(r.on_event(10), Verdict::Gap { missed: 3, from: 7, to: 9 });
        assert_eq!(r.last_seq(), Some(10));
    }

    #[test]
    fn acks_are_batched_and_flushed() {
        let mut r = Reliable::default();
        assert_eq!(r.take_ack(true), None, "nothing delivered");
        for s in 1..ACK_EVERY as u64 {
            r.on_event(s);
        }
        assert_eq!(r.take_ack(false), None);
        assert_eq!(r.take_ack(true), Some(u64::from(ACK_EVERY) - 1));
        assert!(!r.has_unacked());
        for s in ACK_EVERY as u64..2 * ACK_EVERY as u64 {
            r.on_event(s);
        }
        assert_eq!(r.take_ack(false), Some(2 * u64::from(ACK_EVERY) - 1));
    }

    #[test]
    fn join_params_carry_last_seq() {
        let mut r = Reliable::default();
        assert_eq!(r.join_params(r#"{"a":1}"#).unwrap(), r#"{"a":1}"#);
        r.on_event(41);
        assert_eq!(r.join_params(r#"{"a":1,"last_seq":3}"#).unwrap(), r#"{"a":1,"last_seq":41}"#);
        assert_eq!(r.join_params("{}").unwrap(), r#"{"last_seq":41}"#);
        assert!(r.join_params("[]").is_err());
    }

    #[test]
    fn reads_seq() {
        assert_eq!(seq_of(r#"{"seq":12,"data":{}}"#), Some(12));
        assert_eq!(seq_of(r#"{"seq":-1}"#), None);
        assert_eq!(seq_of(r#"{"seq":"12"}"#), None);
        assert_eq!(seq_of(r#"{"data":1}"#), None);
        assert_eq!(seq_of("[1]"), None);
    }

    #[test]
    fn unbatches_in_order_by_event_or_type() {
        let items = unbatch(r#"{"events":[{"event":"a","payload":{"x":1}},{"type":"tick","v":2},{"v":3},5]}"#, "batch").unwrap();
        assert_eq!(
            items,
            vec![
                ("a".to_owned(), r#"{"x":1}"#.to_owned()),
                ("tick".to_owned(), r#"{"type":"tick","v":2}"#.to_owned()),
                ("batch".to_owned(), r#"{"v":3}"#.to_owned()),
                ("batch".to_owned(), "5".to_owned()),
            ]
        );
        assert!(unbatch(r#"{"nope":[]}"#, "b").is_err());
        assert!(unbatch(r#"{"events":{}}"#, "b").is_err());
    }
}
