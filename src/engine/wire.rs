//! The engine's outputs as its host reads them: records in one buffer of `u32` words,
//! their text and bytes in one arena of bytes. Each record is a kind, then its fields in
//! the order [`KINDS`] lists them:
//! - `Int`: one word;
//! - `Text`: two words, the UTF-8 span's start and length in the arena;
//! - `OptText`: as `Text`, or a start of [`NONE`] for no text;
//! - `Payload`: a tag (0 JSON text, 1 bytes, 2 none, 3 JSON text that is a span of the
//!   text frame the host last gave), then the span; for tag 3 the span's start in the
//!   frame and the length of what follows it there, both in UTF-16 code units (the
//!   host slices its own string of the frame: no text crosses back out of wasm).
//! - `Ints`: a count, then that many words.
//!
//! The kinds and their fields are defined here once; `js/wire.js`, the JS reader, is
//! generated from them ([`js_reader`]; a native test checks the file is current).

use crate::core::message::Payload;
use crate::core::presence::changes_json;
use crate::core::serializer::{last_element_end, Frame};
use crate::core::timers::whole_ms;
use crate::core::{Event, Message, Output, Retry, Status};

/// A missing id or text (a reconnect's retry has no channel; a message may have no ref).
pub const NONE: u32 = u32::MAX;

/// How a field is laid out in the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// One word.
    Int,
    /// A UTF-8 span.
    Text,
    /// A UTF-8 span, or none.
    OptText,
    /// JSON text, bytes, or none.
    Payload,
    /// A count, then the words.
    Ints,
}

macro_rules! kinds {
    ($( $(#[doc = $doc:literal])* $id:ident = $n:literal $name:ident ( $( $field:ident : $ty:ident ),* ); )*) => {
        $( $(#[doc = $doc])* pub const $id: u32 = $n; )*
        /// Every kind: its number (its index), its name (the host's handler method) and
        /// its fields.
        pub const KINDS: &[(&str, &[(&str, Field)])] = &[ $( (stringify!($name), &[ $( (stringify!($field), Field::$ty) ),* ]) ),* ];
        /// The doc line of each kind, for the generated reader.
        const DOCS: &[&str] = &[ $( concat!($($doc),*) ),* ];
    };
}

kinds! {
    /// Open a transport to `url` offering `protocols` (comma-separated); report its events with `conn`.
    CONNECT = 0 connect(conn: Int, url: Text, protocols: Text);
    /// Send this frame (`frame`: JSON text or bytes) on the open transport.
    SEND = 1 send(frame: Payload);
    /// Encode this message with the application's `encode` and send what it gives.
    ENCODE = 2 encode(joinRef: OptText, ref: OptText, topic: Text, event: Text, payload: Payload);
    /// Close transport `conn` with `code` and `reason`.
    CLOSE = 3 close(conn: Int, code: Int, reason: Text);
    /// Run `beforeReconnect(attempt)`, then answer `reconnectReady`.
    BEFORE_RECONNECT = 4 beforeReconnect(attempt: Int);
    /// Transport `conn` needs its params and token: answer `connectParams`.
    CONNECT_PARAMS = 5 connectParams(conn: Int);
    /// The join of `channel` needs its params: answer `joinParams`.
    JOIN_PARAMS = 6 joinParams(channel: Int);
    /// A retry needs its delay (`channel` NONE: the socket's reconnect): answer `retryDelay`.
    RETRY_DELAY = 7 retryDelay(channel: Int, tries: Int);
    /// The socket opened (`onOpen`).
    OPENED = 8 opened();
    /// The socket closed (`onClose`); `clean` 1 when the client asked for it.
    CLOSED = 9 closed(code: Int, reason: Text, clean: Int);
    /// The status changed: `state` 0 connecting, 1 open, 2 reconnecting (`attempt`, `inMs`), 3 closed (`code`, `reason`, `clean`).
    STATUS = 10 status(state: Int, attempt: Int, inMs: Int, code: Int, reason: Text, clean: Int);
    /// A heartbeat was answered after `rtt` ms.
    HEARTBEAT = 11 heartbeat(rtt: Int);
    /// A transport error, a connect error or a malformed frame (`onError`).
    ERROR = 12 error(reason: Text);
    /// A message received (`onMessage`, while observed).
    MESSAGE = 13 message(joinRef: OptText, ref: OptText, topic: Text, event: Text, payload: Payload);
    /// An event for `bindings` of `channel`.
    EVENT = 14 event(channel: Int, bindings: Ints, payload: Payload, ref: OptText, joinRef: OptText);
    /// `channel` changed state: 0 closed, 1 errored, 2 joined, 3 joining, 4 leaving.
    CHANNEL_STATE = 15 channelState(channel: Int, state: Int);
    /// `push` got a reply (or timed out); `last` 0 for a join, which answers again on a rejoin.
    REPLY = 16 reply(push: Int, status: Text, response: Payload, last: Int);
    /// The answer to ping `ping`, after `rtt` ms.
    PONG = 17 pong(ping: Int, rtt: Int);
    /// A log line (`logger(kind, msg, data)`).
    LOG = 18 log(kind: Text, msg: Text, data: Payload);
    /// `presence` synced: its joins and leaves as JSON (`[[kind, key, current, presences], …]`, empty when none are reported).
    PRESENCE = 19 presence(presence: Int, changes: Text);
    /// `channel` was removed: its join push answers no more, its presences are gone.
    CHANNEL_REMOVED = 20 channelRemoved(channel: Int, joinPush: Int, presences: Ints);
    /// Resuming `channel` delivered up to `seq` (decimal; none: it starts over): store it, after the event's callbacks.
    CURSOR = 21 cursor(channel: Int, seq: OptText);
}

/// The channel states in the order [`CHANNEL_STATE`] numbers them.
pub const CHANNEL_STATES: [&str; 5] = ["closed", "errored", "joined", "joining", "leaving"];
/// The statuses in the order [`STATUS`] numbers them.
pub const STATUSES: [&str; 4] = ["connecting", "open", "reconnecting", "closed"];

/// Records being written: the words and the arena of their text and bytes.
#[derive(Default)]
pub struct Wire {
    /// The records.
    pub words: Vec<u32>,
    /// Their text and bytes.
    pub bytes: Vec<u8>,
    /// The text frame the host last gave, until the records of its outputs are
    /// written: an event's payload that is the frame's last element is written as its
    /// span there (tag 3).
    pub frame: String,
}

impl Wire {
    fn int(&mut self, n: u32) -> &mut Self {
        self.words.push(n);
        self
    }

    fn span(&mut self, b: &[u8]) -> &mut Self {
        self.words.push(self.bytes.len() as u32);
        self.words.push(b.len() as u32);
        self.bytes.extend_from_slice(b);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.span(s.as_bytes())
    }

    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.int(NONE).int(0),
        }
    }

    fn payload(&mut self, p: Option<&Payload>) -> &mut Self {
        match p {
            Some(Payload::Json(t)) => self.int(0).text(t),
            Some(Payload::Binary(b) | Payload::Reply { response: b, .. }) => self.int(1).span(b),
            None => self.int(2).int(0).int(0),
        }
    }

    /// An event's payload: its span in [`Wire::frame`] when it is the frame's last
    /// element (as a broadcast's or a server push's is), else as [`Wire::payload`].
    fn event_payload(&mut self, p: &Payload) -> &mut Self {
        match p.as_json().and_then(|t| span_in_frame(&self.frame, t)) {
            Some((start, after)) => self.int(3).int(start).int(after),
            None => self.payload(Some(p)),
        }
    }

    fn ints(&mut self, items: impl ExactSizeIterator<Item = u32>) -> &mut Self {
        self.words.push(items.len() as u32);
        self.words.extend(items);
        self
    }

    /// A message's fields (`joinRef`, `ref`, `topic`, `event`, `payload`).
    fn message(&mut self, kind: u32, m: &Message) {
        self.int(kind).opt(m.join_ref.as_deref()).opt(m.msg_ref.as_deref()).text(&m.topic).text(&m.event).payload(Some(&m.payload));
    }

    /// Writes one output of the core as its record.
    pub fn output(&mut self, out: Output) {
        match out {
            Output::Connect { conn, url, protocols } => {
                self.int(CONNECT).int(conn.0).text(&url).text(&protocols.join(","));
            }
            Output::Send(Frame::Text(t)) => {
                self.int(SEND).int(0).text(&t);
            }
            Output::Send(Frame::Binary(b)) => {
                self.int(SEND).int(1).span(&b);
            }
            Output::SendMessage(m) => self.message(ENCODE, &m),
            Output::Close { conn, code, reason } => {
                self.int(CLOSE).int(conn.0).int(code as u32).text(&reason);
            }
            Output::BeforeReconnect { attempt } => {
                self.int(BEFORE_RECONNECT).int(attempt);
            }
            Output::ConnectParams { conn } => {
                self.int(CONNECT_PARAMS).int(conn.0);
            }
            Output::JoinParams { channel } => {
                self.int(JOIN_PARAMS).int(channel.0);
            }
            Output::RetryDelay { retry, tries } => {
                let channel = match retry {
                    Retry::Reconnect => NONE,
                    Retry::Rejoin(c) => c.0,
                };
                self.int(RETRY_DELAY).int(channel).int(tries);
            }
            Output::Event(e) => self.event(e),
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Open => {
                self.int(OPENED);
            }
            Event::Close { code, reason, clean } => {
                self.int(CLOSED).int(code as u32).text(&reason).int(clean as u32);
            }
            Event::Status(s) => {
                let (state, attempt, in_ms, code, reason, clean) = match &s {
                    Status::Connecting => (0, 0, 0, 0, "", false),
                    Status::Open => (1, 0, 0, 0, "", false),
                    Status::Reconnecting { attempt, delay } => (2, *attempt, whole_ms(*delay).min(u64::from(NONE)) as u32, 0, "", false),
                    Status::Closed { code, reason, clean } => (3, 0, 0, *code as u32, reason.as_str(), *clean),
                };
                self.int(STATUS).int(state).int(attempt).int(in_ms).int(code).text(reason).int(clean as u32);
            }
            Event::Heartbeat { rtt } => {
                self.int(HEARTBEAT).int(rtt.min(NONE as u64) as u32);
            }
            Event::Error { reason } => {
                self.int(ERROR).text(&reason);
            }
            Event::Message(m) => self.message(MESSAGE, &m),
            Event::Channel { channel, bindings, payload, msg_ref, join_ref, .. } => {
                self.int(EVENT).int(channel.0).ints(bindings.iter().map(|b| b.0)).event_payload(&payload);
                self.opt(msg_ref.as_deref()).opt(join_ref.as_deref());
            }
            Event::ChannelState { channel, state } => {
                let n = CHANNEL_STATES.iter().position(|s| *s == state.as_str()).unwrap_or(0);
                self.int(CHANNEL_STATE).int(channel.0).int(n as u32);
            }
            Event::PushReply { push, status, response, last } => {
                self.int(REPLY).int(push.0).text(&status).payload(Some(&response)).int(last as u32);
            }
            Event::Pong { ping, rtt } => {
                self.int(PONG).int(ping).int(rtt.min(NONE as u64) as u32);
            }
            Event::Log { kind, msg, data } => {
                self.int(LOG).text(kind).text(&msg).payload(data.as_ref());
            }
            Event::Presence { presence, changes } => {
                let json = if changes.is_empty() { String::new() } else { changes_json(&changes) };
                self.int(PRESENCE).int(presence.0).text(&json);
            }
            Event::ChannelRemoved { channel, join_push, presences } => {
                self.int(CHANNEL_REMOVED).int(channel.0).int(join_push.0).ints(presences.iter().map(|p| p.0));
            }
            Event::Cursor { channel, seq } => {
                let seq = seq.map(crate::core::text::uint);
                self.int(CURSOR).int(channel.0).opt(seq.as_deref());
            }
        }
    }
}

/// Where `payload` is `frame`'s last element, as the frame's text before it and after
/// it in UTF-16 code units (the host's string of the frame): the text that ends the
/// frame before its closing bracket is compared with `payload`, so any payload equal to
/// that text is found there, whatever made it.
fn span_in_frame(frame: &str, payload: &str) -> Option<(u32, u32)> {
    let b = frame.as_bytes();
    let end = last_element_end(frame)?;
    let start = end.checked_sub(payload.len()).filter(|&s| &b[s..end] == payload.as_bytes())?;
    // UTF-16 units before it: a unit for each character, two for those of four bytes
    let units = b[..start].iter().map(|&c| usize::from(c & 0xc0 != 0x80) + usize::from(c >= 0xf0)).sum::<usize>();
    // what follows the payload is JSON whitespace and the bracket: one unit a byte
    Some((units as u32, (b.len() - end) as u32))
}

/// `js/wire.js`: the kinds' numbers, and `read(p, n, at, lastFrame, handler)`, which calls
/// `handler.<kind>(fields…)` for each record of the `n` words at word index `p` of the
/// module's memory, their text and bytes at byte address `at` (read with `js/engine.js`'s
/// `memoryU32`, `textAt` and `bytesAt`; a payload is JSON text as a string — a slice of
/// `lastFrame`, the host's string of the last text frame, for tag 3 — bytes as an
/// `ArrayBuffer`, or undefined; a list of ints an array of numbers).
pub fn js_reader() -> String {
    let mut js = String::from(
        "// The engine's output records (src/engine/wire.rs), generated from their one definition\n\
         // there by `cargo test` (`UPDATE_WIRE=1 cargo test wire` rewrites it). Do not edit.\n\
         import { memoryU32, textAt, bytesAt } from \"./engine.js\";\n\n",
    );
    for (n, ((name, fields), doc)) in KINDS.iter().zip(DOCS).enumerate() {
        let args: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
        js.push_str(&["/** ", &n.to_string(), " `", name, "(", &args.join(", "), ")`:", doc, " */\n"].concat());
    }
    js.push_str("/** The auth token's subprotocol prefix in a `connect` record's protocols. */\nexport const TOKEN_PROTOCOL_PREFIX = \"");
    js.push_str(crate::core::endpoint::TOKEN_PROTOCOL_PREFIX);
    js.push_str("\";\n");
    js.push_str("export const STATUSES = [");
    js.push_str(&STATUSES.map(|s| ["\"", s, "\""].concat()).join(", "));
    js.push_str("];\nexport const CHANNEL_STATES = [");
    js.push_str(&CHANNEL_STATES.map(|s| ["\"", s, "\""].concat()).join(", "));
    js.push_str(
        "];\n\n\
         const readText = (w, i, at) => textAt(at + w[i], w[i + 1]);\n\
         const readOptText = (w, i, at) => (w[i] === 0xffffffff ? null : textAt(at + w[i], w[i + 1]));\n\
         const readPayload = (w, i, at, lastFrame) =>\n\
         \x20 w[i] === 0 ? textAt(at + w[i + 1], w[i + 2]) : w[i] === 1 ? bytesAt(at + w[i + 1], w[i + 2]) : w[i] === 3 ? lastFrame.slice(w[i + 1], lastFrame.length - w[i + 2]) : undefined;\n\
         function readInts(w, i) {\n  const a = [];\n  for (let k = 1; k <= w[i]; k++) a.push(w[i + k]);\n  return a;\n}\n\n\
         /** Calls `h.<kind>(fields…)` for each record of the `n` words at word index `p`, their text and bytes at `at`, a payload of tag 3 a slice of `lastFrame`. */\n\
         export function read(p, n, at, lastFrame, h) {\n  const end = p + n;\n  let i = p;\n  while (i < end) {\n\
         \x20   // anew for each record: a handler's call into the engine may have grown the memory\n\
         \x20   const w = memoryU32();\n    switch (w[i++]) {\n",
    );
    for (n, (name, fields)) in KINDS.iter().enumerate() {
        js.push_str(&["      case ", &n.to_string(), ": {\n"].concat());
        let mut args = Vec::new();
        for (f, ty) in fields.iter() {
            let (value, size) = match ty {
                Field::Int => ("w[i]", "1"),
                Field::Text => ("readText(w, i, at)", "2"),
                Field::OptText => ("readOptText(w, i, at)", "2"),
                Field::Payload => ("readPayload(w, i, at, lastFrame)", "3"),
                Field::Ints => ("readInts(w, i)", "1 + w[i]"),
            };
            js.push_str(&["        const ", f, " = ", value, ";\n        i += ", size, ";\n"].concat());
            args.push(*f);
        }
        js.push_str(&["        h.", name, "(", &args.join(", "), ");\n        break;\n      }\n"].concat());
    }
    js.push_str("      default:\n        throw new Error(`phoenix-wasm: unknown output record ${w[i - 1]}`);\n    }\n  }\n}\n");
    js
}

#[cfg(test)]
mod tests {
    use std::time::Duration;
    use super::*;
    use crate::core::{BindingRef, ChannelId, ChannelState, ConnId, PresenceId, PushId};

    /// What a reader of the records sees: each record as its name and fields in text.
    fn read(w: &Wire) -> Vec<String> {
        let text = |s: u32, l: u32| String::from_utf8(w.bytes[s as usize..(s + l) as usize].to_vec()).unwrap();
        let (words, mut i, mut out) = (&w.words, 0, Vec::new());
        while i < words.len() {
            let (name, fields) = KINDS[words[i] as usize];
            i += 1;
            let mut rec = vec![name.to_owned()];
            for (_, ty) in fields.iter() {
                rec.push(match ty {
                    Field::Int => {
                        i += 1;
                        words[i - 1].to_string()
                    }
                    Field::Text | Field::OptText => {
                        i += 2;
                        if words[i - 2] == NONE { "null".into() } else { text(words[i - 2], words[i - 1]) }
                    }
                    Field::Payload => {
                        i += 3;
                        match words[i - 3] {
                            0 => text(words[i - 2], words[i - 1]),
                            1 => ["bytes", &words[i - 1].to_string()].concat(),
                            3 => ["frame ", &words[i - 2].to_string(), " ", &words[i - 1].to_string()].concat(),
                            _ => "none".into(),
                        }
                    }
                    Field::Ints => {
                        let n = words[i] as usize;
                        i += 1 + n;
                        words[i - n..i].iter().map(|x| x.to_string()).collect::<Vec<_>>().join("+")
                    }
                });
            }
            out.push(rec.join(" "));
        }
        out
    }

    #[test]
    fn each_output_reads_back_as_its_fields() {
        let mut w = Wire::default();
        let msg = Message { join_ref: Some("1".into()), msg_ref: None, topic: "room:é".into(), event: "shout".into(), payload: Payload::Json("{\"a\":1}".into()) };
        w.output(Output::Connect { conn: ConnId(3), url: "ws://h/socket/websocket?vsn=2.0.0".into(), protocols: vec!["phoenix".into(), "base64url.bearer.phx.dA".into()] });
        w.output(Output::Send(Frame::Text("[null,null,\"t\",\"e\",{}]".into())));
        w.output(Output::Send(Frame::Binary(vec![0, 1, 2])));
        w.output(Output::SendMessage(msg.clone()));
        w.output(Output::Close { conn: ConnId(3), code: 1000, reason: "bye".into() });
        w.output(Output::RetryDelay { retry: Retry::Reconnect, tries: 2 });
        w.output(Output::RetryDelay { retry: Retry::Rejoin(ChannelId(4)), tries: 1 });
        w.output(Output::Event(Event::Status(Status::Reconnecting { attempt: 2, delay: Duration::from_millis(50) })));
        w.output(Output::Event(Event::Status(Status::Closed { code: 1006, reason: "gone".into(), clean: false })));
        w.output(Output::Event(Event::Message(msg)));
        w.output(Output::Event(Event::Channel {
            channel: ChannelId(4),
            bindings: vec![BindingRef(7), BindingRef(9)],
            event: "shout".into(),
            payload: Payload::Binary(vec![9; 5]),
            msg_ref: None,
            join_ref: Some("1".into()),
        }));
        w.output(Output::Event(Event::ChannelState { channel: ChannelId(4), state: ChannelState::Leaving }));
        w.output(Output::Event(Event::PushReply { push: PushId(5), status: "ok".into(), response: Payload::Json("{}".into()), last: true }));
        w.output(Output::Event(Event::Log { kind: "push", msg: "room:é shout".into(), data: None }));
        w.output(Output::Event(Event::Presence { presence: PresenceId(1), changes: vec![] }));
        w.output(Output::Event(Event::ChannelRemoved { channel: ChannelId(4), join_push: PushId(2), presences: vec![PresenceId(1)] }));
        assert_eq!(
            read(&w),
            [
                "connect 3 ws://h/socket/websocket?vsn=2.0.0 phoenix,base64url.bearer.phx.dA",
                "send [null,null,\"t\",\"e\",{}]",
                "send bytes3",
                "encode 1 null room:é shout {\"a\":1}",
                "close 3 1000 bye",
                "retryDelay 4294967295 2",
                "retryDelay 4 1",
                "status 2 2 50 0  0",
                "status 3 0 0 1006 gone 0",
                "message 1 null room:é shout {\"a\":1}",
                "event 4 7+9 bytes5 null 1",
                "channelState 4 4",
                "reply 5 ok {} 1",
                "log push room:é shout none",
                "presence 1 ",
                "channelRemoved 4 2 1",
            ]
        );
    }

    /// An event's payload that ends the last text frame is written as its place there
    /// in UTF-16 units; any other payload as text.
    #[test]
    fn an_event_payload_that_ends_the_frame_is_its_span_there() {
        let event = |payload: &str| Output::Event(Event::Channel {
            channel: ChannelId(1),
            bindings: vec![BindingRef(2)],
            event: "e".into(),
            payload: Payload::Json(payload.into()),
            msg_ref: None,
            join_ref: None,
        });
        let cases = [
            // frame, payload, what the record says
            (r#"[null,null,"t","e",{"a":1}]"#, r#"{"a":1}"#, "frame 19 1"),
            ("[null,null,\"t\",\"e\", {\"a\":1} \n] \r\n", r#"{"a":1}"#, "frame 20 6"),
            // before the payload: é is one unit, 😀 two, though 2 and 4 bytes
            (r#"[null,null,"é😀","e",{"a":"é"}]"#, r#"{"a":"é"}"#, "frame 21 1"),
            // equal text elsewhere, or no frame: written as text
            (r#"[null,null,"t","e",{"a":1}]"#, r#"{"a":2}"#, r#"{"a":2}"#),
            (r#"[null,null,"t","e",{"a":1}"#, r#"{"a":1}"#, r#"{"a":1}"#),
            ("", r#"{"a":1}"#, r#"{"a":1}"#),
            (r#"{"a":1}]"#, r#"{"a":1}"#, "frame 0 1"),
            (r#"1]"#, r#"[1]"#, "[1]"),
        ];
        for (frame, payload, want) in cases {
            let mut w = Wire { frame: frame.into(), ..Wire::default() };
            w.output(event(payload));
            assert_eq!(read(&w), [["event 1 2 ", want, " null null"].concat()], "{frame}");
            if let Some(rest) = want.strip_prefix("frame ") {
                let n: Vec<usize> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
                let units: Vec<u16> = frame.encode_utf16().collect();
                assert_eq!(String::from_utf16(&units[n[0]..units.len() - n[1]]).unwrap(), payload);
            }
        }
    }

    #[test]
    fn kinds_are_numbered_by_their_place() {
        for (n, id) in [CONNECT, SEND, ENCODE, CLOSE, BEFORE_RECONNECT, CONNECT_PARAMS, JOIN_PARAMS, RETRY_DELAY, OPENED, CLOSED, STATUS, HEARTBEAT, ERROR, MESSAGE, EVENT, CHANNEL_STATE, REPLY, PONG, LOG, PRESENCE, CHANNEL_REMOVED]
            .into_iter()
            .enumerate()
        {
            assert_eq!(n as u32, id);
        }
        for (n, s) in CHANNEL_STATES.iter().enumerate() {
            let state = [ChannelState::Closed, ChannelState::Errored, ChannelState::Joined, ChannelState::Joining, ChannelState::Leaving][n];
            assert_eq!(state.as_str(), *s);
        }
        assert_eq!(STATUSES.map(|s| s.to_owned()), [Status::Connecting, Status::Open, Status::Reconnecting { attempt: 1, delay: Duration::ZERO }, Status::Closed { code: 0, reason: String::new(), clean: true }].map(|s| s.name().to_owned()));
    }

    /// `js/wire.js` is what [`js_reader`] writes (`UPDATE_WIRE=1` rewrites it).
    #[test]
    fn js_wire_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/wire.js");
        let want = js_reader();
        if std::env::var_os("UPDATE_WIRE").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(have == want, "js/wire.js is out of date with src/engine/wire.rs: run UPDATE_WIRE=1 cargo test wire");
    }
}
