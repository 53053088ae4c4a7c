//! The V2 serializer: JSON text frames and binary frames.
//!
//! Text frames are JSON arrays `[join_ref, ref, topic, event, payload]`.
//! Binary frames start with a kind byte and one length byte per metadata field:
//!
//! | kind | direction | header after kind | then |
//! |---|---|---|---|
//! | 0 push | client→server | join_ref, ref, topic, event lengths | fields, payload |
//! | 0 push | server→client | join_ref, topic, event lengths | fields, payload |
//! | 1 reply | server→client | join_ref, ref, topic, status lengths | fields, response |
//! | 2 broadcast | server→client | topic, event lengths | fields, payload |
//!
//! [`encode`] and [`decode`] are the client's directions; [`encode_to_client`] and
//! [`decode_from_client`] are the server's (used by the mock server).

use super::json;
use super::message::{events, Message, Payload};
use super::text::{cat, display_by_message, uint};

/// A WebSocket frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame (JSON).
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A metadata field of a binary frame is longer than 255 UTF-8 bytes.
    FieldTooLong {
        /// Which field (`join_ref`, `ref`, `topic`, `event` or `status`).
        field: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// This payload kind cannot travel in this direction.
    Unsupported(&'static str),
}

impl EncodeError {
    /// What went wrong, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            EncodeError::FieldTooLong { field, len } => {
                cat(&["unable to convert ", field, " to binary: ", &uint(*len as u64), " UTF-8 bytes, at most 255 allowed"])
            }
            EncodeError::Unsupported(what) => cat(&["cannot encode ", what]),
        }
    }
}

display_by_message!(EncodeError);

impl std::error::Error for EncodeError {}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The text frame is not valid JSON.
    Json(json::JsonError),
    /// The JSON is valid but not a `[join_ref, ref, topic, event, payload]` array.
    Shape(&'static str),
    /// The binary frame is shorter than its header says.
    Truncated,
    /// The binary frame has an unknown kind byte.
    UnknownKind(u8),
    /// A metadata field of a binary frame is not UTF-8.
    NotUtf8(&'static str),
}

impl DecodeError {
    /// What went wrong, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            DecodeError::Json(e) => cat(&["malformed frame: ", &e.message()]),
            DecodeError::Shape(what) => cat(&["malformed frame: ", what]),
            DecodeError::Truncated => "malformed binary frame: truncated".to_owned(),
            DecodeError::UnknownKind(k) => cat(&["malformed binary frame: unknown kind ", &uint(u64::from(*k))]),
            DecodeError::NotUtf8(field) => cat(&["malformed binary frame: ", field, " is not UTF-8"]),
        }
    }
}

display_by_message!(DecodeError);

impl std::error::Error for DecodeError {}

impl From<json::JsonError> for DecodeError {
    fn from(e: json::JsonError) -> Self {
        DecodeError::Json(e)
    }
}

const KIND_PUSH: u8 = 0;
const KIND_REPLY: u8 = 1;
const KIND_BROADCAST: u8 = 2;

fn write_opt(out: &mut String, v: Option<&str>) {
    match v {
        Some(s) => json::write_string(out, s),
        None => out.push_str("null"),
    }
}

fn encode_text(msg: &Message, payload: &str) -> Frame {
    encode_text_fields(msg.join_ref.as_deref(), msg.msg_ref.as_deref(), &msg.topic, &msg.event, payload)
}

fn encode_text_fields(join_ref: Option<&str>, msg_ref: Option<&str>, topic: &str, event: &str, payload: &str) -> Frame {
    let mut out = String::with_capacity(payload.len() + topic.len() + event.len() + 32);
    out.push('[');
    write_opt(&mut out, join_ref);
    out.push(',');
    write_opt(&mut out, msg_ref);
    out.push(',');
    json::write_string(&mut out, topic);
    out.push(',');
    json::write_string(&mut out, event);
    out.push(',');
    out.push_str(payload);
    out.push(']');
    Frame::Text(out)
}

fn field_len(field: &'static str, value: &str) -> Result<u8, EncodeError> {
    u8::try_from(value.len()).map_err(|_| EncodeError::FieldTooLong { field, len: value.len() })
}

fn binary(kind: u8, fields: &[(&'static str, &str)], body: &[u8]) -> Result<Frame, EncodeError> {
    let meta: usize = fields.iter().map(|(_, v)| v.len()).sum();
    let mut out = Vec::with_capacity(1 + fields.len() + meta + body.len());
    out.push(kind);
    for (name, value) in fields {
        out.push(field_len(name, value)?);
    }
    for (_, value) in fields {
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(body);
    Ok(Frame::Binary(out))
}

/// Encodes a client→server message. JSON payloads become text frames,
/// binary payloads become kind-0 binary frames.
pub fn encode(msg: &Message) -> Result<Frame, EncodeError> {
    encode_fields(msg.join_ref.as_deref(), msg.msg_ref.as_deref(), &msg.topic, &msg.event, &msg.payload)
}

/// [`encode`] from the fields of a message, borrowed (no [`Message`] built to send one).
pub fn encode_fields(join_ref: Option<&str>, msg_ref: Option<&str>, topic: &str, event: &str, payload: &Payload) -> Result<Frame, EncodeError> {
    match payload {
        Payload::Json(text) => Ok(encode_text_fields(join_ref, msg_ref, topic, event, text)),
        Payload::Binary(bytes) => binary(
            KIND_PUSH,
            &[("join_ref", join_ref.unwrap_or("")), ("ref", msg_ref.unwrap_or("")), ("topic", topic), ("event", event)],
            bytes,
        ),
        Payload::Reply { .. } => Err(EncodeError::Unsupported("a reply from the client")),
    }
}

/// Decodes a server→client frame.
pub fn decode(frame: &Frame) -> Result<Message, DecodeError> {
    match frame {
        Frame::Text(text) => decode_text(text),
        Frame::Binary(bytes) => decode_binary(bytes, false),
    }
}

/// Encodes a server→client message (the mock server's direction). Binary payloads
/// become a push (kind 0, when `msg_ref` is `None` and `join_ref` is set), a
/// broadcast (kind 2, no refs), or a reply (kind 1, for [`Payload::Reply`]).
pub fn encode_to_client(msg: &Message) -> Result<Frame, EncodeError> {
    let join_ref = msg.join_ref.as_deref().unwrap_or("");
    match &msg.payload {
        Payload::Json(text) => Ok(encode_text(msg, text)),
        Payload::Reply { status, response } => binary(
            KIND_REPLY,
            &[("join_ref", join_ref), ("ref", msg.msg_ref.as_deref().unwrap_or("")), ("topic", &msg.topic), ("status", status)],
            response,
        ),
        Payload::Binary(bytes) if msg.join_ref.is_none() && msg.msg_ref.is_none() => {
            binary(KIND_BROADCAST, &[("topic", &msg.topic), ("event", &msg.event)], bytes)
        }
        Payload::Binary(bytes) => {
            binary(KIND_PUSH, &[("join_ref", join_ref), ("topic", &msg.topic), ("event", &msg.event)], bytes)
        }
    }
}

/// Decodes a client→server frame (the mock server's direction).
pub fn decode_from_client(frame: &Frame) -> Result<Message, DecodeError> {
    match frame {
        Frame::Text(text) => decode_text(text),
        Frame::Binary(bytes) => decode_binary(bytes, true),
    }
}

const SHAPE: DecodeError = DecodeError::Shape("expected an array of 5 elements");

/// Reads a text frame's four header fields; the walk is left before the payload.
fn read_header(items: &mut json::Walk<'_>) -> Result<Message, DecodeError> {
    let mut next = || items.item()?.ok_or(SHAPE);
    let join_ref = json::opt_string(next()?).map_err(|_| DecodeError::Shape("join_ref must be a string or null"))?;
    let msg_ref = json::opt_string(next()?).map_err(|_| DecodeError::Shape("ref must be a string or null"))?;
    let topic = json::opt_string(next()?).ok().flatten().ok_or(DecodeError::Shape("topic must be a string"))?;
    let event = json::opt_string(next()?).ok().flatten().ok_or(DecodeError::Shape("event must be a string"))?;
    Ok(Message { join_ref, msg_ref, topic, event, payload: Payload::Json(String::new()) })
}

fn decode_text(text: &str) -> Result<Message, DecodeError> {
    let mut items = json::items(text)?;
    let mut msg = read_header(&mut items)?;
    let payload = items.item()?.ok_or(SHAPE)?;
    if items.item()?.is_some() {
        return Err(SHAPE);
    }
    msg.payload = Payload::Json(payload.to_owned());
    Ok(msg)
}

/// [`decode`], except that a text frame's payload is only located (the text
/// between the header and the closing bracket), not checked: the flag is true when
/// the caller must still check it ([`json::validate`], or a reader that validates
/// all it reads) before anything uses it, and on failure report [`decode`]'s error.
/// For a megabyte of presence state that is one pass over it instead of two.
pub fn decode_deferred(frame: &Frame) -> Result<(Message, bool), DecodeError> {
    let text = match frame {
        Frame::Text(text) => text,
        Frame::Binary(bytes) => return decode_binary(bytes, false).map(|m| (m, false)),
    };
    let mut items = json::items(text)?;
    let mut msg = read_header(&mut items)?;
    let start = if items.next_item()? { items.position() } else { return Err(SHAPE) };
    let end = last_element_end(text).filter(|&end| end > start).unwrap_or(start);
    let payload = &text[start..end];
    if payload.is_empty() {
        // no payload before the bracket: decode says what is wrong
        return decode_text(text).map(|m| (m, false));
    }
    msg.payload = Payload::Json(payload.to_owned());
    Ok((msg, true))
}

/// Where a text frame's last element ends: back from the end over JSON whitespace, the
/// closing bracket and JSON whitespace; `None` when the frame does not end in a bracket.
pub(crate) fn last_element_end(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let ws = |end: usize| b[..end].iter().rposition(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r')).map_or(0, |i| i + 1);
    let close = ws(b.len()).checked_sub(1).filter(|&i| b[i] == b']')?;
    Some(ws(close))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn lens(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        self.take(n)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let out = self.bytes.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    fn field(&mut self, name: &'static str, len: u8) -> Result<String, DecodeError> {
        let raw = self.take(len as usize)?;
        core::str::from_utf8(raw).map(str::to_owned).map_err(|_| DecodeError::NotUtf8(name))
    }

    fn rest(&self) -> Vec<u8> {
        self.bytes[self.pos..].to_vec()
    }
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

fn decode_binary(bytes: &[u8], from_client: bool) -> Result<Message, DecodeError> {
    let (&kind, _) = bytes.split_first().ok_or(DecodeError::Truncated)?;
    let mut r = Reader { bytes, pos: 1 };
    match kind {
        KIND_PUSH if from_client => {
            let l = r.lens(4)?;
            let join_ref = r.field("join_ref", l[0])?;
            let msg_ref = r.field("ref", l[1])?;
            let topic = r.field("topic", l[2])?;
            let event = r.field("event", l[3])?;
            Ok(Message { join_ref: non_empty(join_ref), msg_ref: non_empty(msg_ref), topic, event, payload: Payload::Binary(r.rest()) })
        }
        KIND_PUSH => {
            let l = r.lens(3)?;
            let join_ref = r.field("join_ref", l[0])?;
            let topic = r.field("topic", l[1])?;
            let event = r.field("event", l[2])?;
            Ok(Message { join_ref: non_empty(join_ref), msg_ref: None, topic, event, payload: Payload::Binary(r.rest()) })
        }
        KIND_REPLY if !from_client => {
            let l = r.lens(4)?;
            let join_ref = r.field("join_ref", l[0])?;
            let msg_ref = r.field("ref", l[1])?;
            let topic = r.field("topic", l[2])?;
            let status = r.field("status", l[3])?;
            Ok(Message {
                join_ref: non_empty(join_ref),
                msg_ref: non_empty(msg_ref),
                topic,
                event: events::REPLY.to_owned(),
                payload: Payload::Reply { status, response: r.rest() },
            })
        }
        KIND_BROADCAST if !from_client => {
            let l = r.lens(2)?;
            let topic = r.field("topic", l[0])?;
            let event = r.field("event", l[1])?;
            Ok(Message { join_ref: None, msg_ref: None, topic, event, payload: Payload::Binary(r.rest()) })
        }
        other => Err(DecodeError::UnknownKind(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(join_ref: Option<&str>, msg_ref: Option<&str>, topic: &str, event: &str, payload: Payload) -> Message {
        Message {
            join_ref: join_ref.map(Into::into),
            msg_ref: msg_ref.map(Into::into),
            topic: topic.into(),
            event: event.into(),
            payload,
        }
    }

    // phoenix.js serializer_test.js: "encodes general pushes"
    #[test]
    fn json_encodes_general_pushes() {
        let m = msg(Some("0"), Some("1"), "t", "e", Payload::Json(r#"{"foo":1}"#.into()));
        assert_eq!(encode(&m).unwrap(), Frame::Text(r#"["0","1","t","e",{"foo":1}]"#.into()));
        let hb = msg(None, Some("1"), "phoenix", "heartbeat", Payload::empty());
        assert_eq!(encode(&hb).unwrap(), Frame::Text(r#"[null,"1","phoenix","heartbeat",{}]"#.into()));
    }

    // "decodes"
    #[test]
    fn deferred_decoding_agrees_with_decoding_whole() {
        let frames = [
            r#"["1","2","room:1","presence_state",{"u1":{"metas":[]}}]"#,
            " [ null , null , \"t\" , \"e\" , [1, {\"a\": \"]\"}] \n] \r\n",
            r#"[null,null,"t","e",7]"#,
            r#"[null,null,"t","e",{"a":tru}]"#,
            r#"[null,null,"t","e",{"a":1},5]"#,
            r#"[null,null,"t","e",{"a":1}]]"#,
            r#"[null,null,"t","e",{"a":1}"#,
            r#"[null,null,"t","e",]"#,
            r#"[null,null,"t","e"]"#,
            r#"[null,null,"t",1,{}]"#,
            "[null,null,\"t\",\"e\",{}]\u{a0}",
            "[null,null,\"t\",\"e\",{}\u{a0}]",
        ];
        for text in frames {
            let frame = Frame::Text(text.into());
            match (decode(&frame), decode_deferred(&frame)) {
                (Ok(m), Ok((d, unchecked))) => assert!(m == d && unchecked, "{text}"),
                (Err(e), Ok((d, true))) => assert!(json::validate(d.payload.as_json().unwrap()).is_err(), "{text}: {e}"),
                (Err(e), Err(d)) => assert_eq!(e, d, "{text}"),
                (whole, deferred) => panic!("{text}: {whole:?} vs {deferred:?}"),
            }
        }
    }

    #[test]
    fn json_decodes() {
        let m = decode(&Frame::Text(r#"["1","2","topic","event",{"foo":"bar"}]"#.into())).unwrap();
        assert_eq!(m, msg(Some("1"), Some("2"), "topic", "event", Payload::Json(r#"{"foo":"bar"}"#.into())));
        let b = decode(&Frame::Text(r#"[null,null,"room:1","shout",{"a":[1,2]}]"#.into())).unwrap();
        assert_eq!(b.join_ref, None);
        assert_eq!(b.msg_ref, None);
    }

    #[test]
    fn json_escapes_topic_and_event() {
        let m = msg(None, None, "room:\"q\"", "é\n", Payload::empty());
        let Frame::Text(t) = encode(&m).unwrap() else { panic!() };
        assert_eq!(decode(&Frame::Text(t)).unwrap(), m);
    }

    // "encodes"
    #[test]
    fn binary_encodes() {
        let m = msg(Some("0"), Some("1"), "t", "e", Payload::Binary(vec![1]));
        assert_eq!(encode(&m).unwrap(), Frame::Binary(b"\0\x01\x01\x01\x0101te\x01".to_vec()));
    }

    // "encodes variable length segments"
    #[test]
    fn binary_encodes_variable_length_segments() {
        let m = msg(Some("101"), Some("1"), "top", "ev", Payload::Binary(vec![1]));
        assert_eq!(encode(&m).unwrap(), Frame::Binary(b"\0\x03\x01\x03\x021011topev\x01".to_vec()));
    }

    // "decodes push"
    #[test]
    fn binary_decodes_push() {
        let m = decode(&Frame::Binary(b"\0\x03\x03\n123topsome-event\x01\x01".to_vec())).unwrap();
        assert_eq!(m, msg(Some("123"), None, "top", "some-event", Payload::Binary(vec![1, 1])));
    }

    // "decodes reply"
    #[test]
    fn binary_decodes_reply() {
        let m = decode(&Frame::Binary(b"\x01\x03\x02\x03\x0210012topok\x01\x01".to_vec())).unwrap();
        assert_eq!(m.join_ref.as_deref(), Some("100"));
        assert_eq!(m.msg_ref.as_deref(), Some("12"));
        assert_eq!(m.topic, "top");
        assert_eq!(m.event, "phx_reply");
        let reply = m.reply().unwrap();
        assert_eq!(reply.status, "ok");
        assert_eq!(reply.response, Payload::Binary(vec![1, 1]));
    }

    // "decodes broadcast"
    #[test]
    fn binary_decodes_broadcast() {
        let m = decode(&Frame::Binary(b"\x02\x03\ntopsome-event\x01\x01".to_vec())).unwrap();
        assert_eq!(m, msg(None, None, "top", "some-event", Payload::Binary(vec![1, 1])));
    }

    // "encodes non-ASCII metadata as UTF-8"
    #[test]
    fn binary_encodes_non_ascii_metadata_as_utf8() {
        let m = msg(Some("0"), Some("1"), "tøp", "évent", Payload::Binary(vec![1]));
        let Frame::Binary(b) = encode(&m).unwrap() else { panic!() };
        assert_eq!(&b[..5], &[0, 1, 1, 4, 6]);
        assert_eq!(decode_from_client(&Frame::Binary(b)).unwrap(), m);
    }

    // "throws when a metadata field exceeds 255 UTF-8 bytes"
    #[test]
    fn binary_rejects_metadata_over_255_utf8_bytes() {
        let long_topic = "é".repeat(128); // 256 bytes, 128 chars
        let m = msg(Some("0"), Some("1"), &long_topic, "e", Payload::Binary(vec![1]));
        assert_eq!(encode(&m), Err(EncodeError::FieldTooLong { field: "topic", len: 256 }));
        let ok = msg(Some("0"), Some("1"), &"a".repeat(255), "e", Payload::Binary(vec![1]));
        assert!(encode(&ok).is_ok());
    }

    #[test]
    fn server_direction_round_trips() {
        let cases = [
            msg(Some("3"), None, "room:1", "after_join", Payload::Binary(vec![9, 8])),
            msg(None, None, "room:1", "shout", Payload::Binary(vec![])),
            msg(Some("3"), Some("7"), "room:1", "phx_reply", Payload::Reply { status: "ok".into(), response: vec![1, 2, 3] }),
            msg(Some("3"), Some("7"), "room:1", "phx_reply", Payload::Json(r#"{"status":"ok","response":{}}"#.into())),
        ];
        for m in cases {
            assert_eq!(decode(&encode_to_client(&m).unwrap()).unwrap(), m);
        }
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        let texts = [
            "", "[", "{}", "[1,2,3]", r#"["1","2","t","e"]"#, r#"["1","2","t","e",{},6]"#,
            r#"[1,"2","t","e",{}]"#, r#"["1",2,"t","e",{}]"#, r#"["1","2",null,"e",{}]"#,
            r#"["1","2","t",5,{}]"#, r#"["1","2","t","e",{]"#, "[null,null,\"t\",\"e\",{}] junk",
        ];
        for t in texts {
            assert!(decode(&Frame::Text(t.into())).is_err(), "{t:?} should not decode");
        }
        let bins: [&[u8]; 7] = [b"", b"\x00", b"\x00\x05\x01\x01top", b"\x01\x01\x01", b"\x02\xff\x01a", b"\x07abc", b"\x02\x02\x01\xff\xfee"];
        for b in bins {
            assert!(decode(&Frame::Binary(b.to_vec())).is_err(), "{b:?} should not decode");
        }
        assert_eq!(decode(&Frame::Binary(b"\x09".to_vec())), Err(DecodeError::UnknownKind(9)));
    }

    #[test]
    fn reply_payload_is_read_or_rejected() {
        let m = decode(&Frame::Text(r#"["1","1","t","phx_reply",{"status":"error","response":{"reason":"x"}}]"#.into())).unwrap();
        let r = m.reply().unwrap();
        assert_eq!(r.status, "error");
        assert_eq!(r.response, Payload::Json(r#"{"reason":"x"}"#.into()));
        let no_resp = decode(&Frame::Text(r#"["1","1","t","phx_reply",{"status":"ok"}]"#.into())).unwrap();
        assert_eq!(no_resp.reply().unwrap().response, Payload::empty());
        for bad in [r#"{"response":{}}"#, r#"{"status":1}"#, "[]", "5"] {
            let m = msg(None, Some("1"), "t", "phx_reply", Payload::Json(bad.into()));
            assert!(m.reply().is_err(), "{bad}");
        }
    }
}
