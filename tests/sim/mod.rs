//! A virtual-clock harness around the sans-IO core: it plays the transport and
//! the server, advances time to each deadline, and records what the client sent.
#![allow(dead_code)]

use phoenix_wasm::core::serializer::{decode_from_client, encode_to_client};
use phoenix_wasm::core::{Config, ConnId, Event, Frame, Message, Output, Payload, Socket};

pub struct Sim {
    pub socket: Socket,
    pub now: u64,
    pub conn: Option<ConnId>,
    pub connects: Vec<(u64, String, Vec<String>)>,
    pub sent: Vec<Message>,
    pub closes: Vec<(u16, String)>,
    pub events: Vec<Event>,
    /// `beforeReconnect` requests, by attempt.
    pub hooks: Vec<u32>,
}

pub fn config() -> Config {
    Config::new("ws://example.test/socket")
}

pub fn params(json: &'static str) -> phoenix_wasm::core::ParamsFn {
    Box::new(move || Ok(json.to_owned()))
}

impl Sim {
    pub fn new(config: Config) -> Self {
        Sim { socket: Socket::new(config), now: 1_000, conn: None, connects: vec![], sent: vec![], closes: vec![], events: vec![], hooks: vec![] }
    }

    /// Moves every pending output into the records.
    pub fn drain(&mut self) {
        while let Some(out) = self.socket.poll_output() {
            match out {
                Output::Connect { conn, url, protocols } => {
                    self.conn = Some(conn);
                    self.connects.push((self.now, url, protocols));
                }
                Output::Send(frame) => self.sent.push(decode_from_client(&frame).expect("client sent a decodable frame")),
                Output::Close { code, reason, .. } => self.closes.push((code, reason)),
                Output::Event(e) => self.events.push(e),
                Output::BeforeReconnect { attempt } => self.hooks.push(attempt),
                Output::SendMessage(m) => self.sent.push(m),
            }
        }
    }

    /// connect() and the transport opens at once.
    pub fn open(&mut self) {
        self.socket.connect(self.now);
        self.drain();
        self.transport_opens();
    }

    pub fn transport_opens(&mut self) {
        let conn = self.conn.expect("a connect was requested");
        self.socket.handle_open(conn, self.now);
        self.drain();
    }

    /// The server (or network) closes the transport.
    pub fn transport_closes(&mut self, code: u16) {
        let conn = self.conn.expect("connected");
        self.socket.handle_close(conn, code, "", self.now);
        self.drain();
    }

    /// Advances the clock by `ms`, firing every timer on the way at its own time.
    pub fn advance(&mut self, ms: u64) {
        let target = self.now + ms;
        while let Some(at) = self.socket.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.socket.handle_timeout(self.now);
            self.drain();
        }
        self.now = target;
    }

    /// The server sends `msg`.
    pub fn recv(&mut self, msg: Message) {
        let frame = encode_to_client(&msg).unwrap();
        self.recv_frame(frame);
    }

    pub fn recv_frame(&mut self, frame: Frame) {
        let conn = self.conn.expect("connected");
        self.socket.handle_frame(conn, &frame, self.now);
        self.drain();
    }

    /// The server replies to `to` with `status` and a JSON `response`.
    pub fn reply(&mut self, to: &Message, status: &str, response: &str) {
        self.recv(Message {
            join_ref: to.join_ref.clone(),
            msg_ref: to.msg_ref.clone(),
            topic: to.topic.clone(),
            event: "phx_reply".into(),
            payload: Payload::Json(format!(r#"{{"status":"{status}","response":{response}}}"#)),
        });
    }

    pub fn take_sent(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.sent)
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The last message sent with `event`.
    pub fn last_sent(&self, event: &str) -> Message {
        self.sent.iter().rev().find(|m| m.event == event).cloned().unwrap_or_else(|| panic!("no {event} sent; sent: {:?}", self.sent))
    }

    pub fn sent_events(&self) -> Vec<String> {
        self.sent.iter().map(|m| format!("{}:{}", m.topic, m.event)).collect()
    }
}

pub fn json(text: &str) -> Payload {
    Payload::Json(text.to_owned())
}

pub fn broadcast(topic: &str, event: &str, payload: &str) -> Message {
    Message { join_ref: None, msg_ref: None, topic: topic.into(), event: event.into(), payload: json(payload) }
}

pub fn replies(events: &[Event]) -> Vec<(phoenix_wasm::core::PushId, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PushReply { push, status, .. } => Some((*push, status.clone())),
            _ => None,
        })
        .collect()
}
