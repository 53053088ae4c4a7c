//! A virtual-clock harness around the sans-IO core: it plays the transport and
//! the server, advances time to each deadline, and records what the client sent.
#![allow(dead_code)]

use phoenix_wasm::core::serializer::{decode_from_client, encode_to_client};
use std::collections::HashMap;

use phoenix_wasm::core::{ChannelId, Config, ConnId, Event, Frame, Message, Output, Payload, Retry, Socket, Source};

/// What the application computes when the socket asks: the host's answers.
#[derive(Default)]
pub struct Answers {
    /// Connect params (where the config asks for them).
    pub params: Option<Box<dyn FnMut() -> Result<String, String>>>,
    /// The auth token (where the config asks for it).
    pub token: Option<Box<dyn FnMut() -> Result<Option<String>, String>>>,
    /// Reconnect delays by try.
    pub reconnect_after: Option<Box<dyn FnMut(u32) -> u64>>,
    /// Rejoin delays by try.
    pub rejoin_after: Option<Box<dyn FnMut(u32) -> u64>>,
    /// Each channel's join params.
    pub join_params: HashMap<ChannelId, Box<dyn FnMut() -> Result<String, String>>>,
}

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
    /// How the asks of the socket are answered.
    pub answers: Answers,
    /// Every ask, as it came.
    pub asks: Vec<Output>,
}

pub fn config() -> Config {
    Config::new("ws://example.test/socket")
}

pub fn params(json: &'static str) -> phoenix_wasm::core::Params {
    Source::json(json)
}

impl Sim {
    pub fn new(config: Config) -> Self {
        Sim { socket: Socket::new(config), now: 1_000, conn: None, connects: vec![], sent: vec![], closes: vec![], events: vec![], hooks: vec![], answers: Answers::default(), asks: vec![] }
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
                Output::ConnectParams { conn } => {
                    self.asks.push(out);
                    let a = &mut self.answers;
                    let params = a.params.as_mut().map(|f| f()).transpose();
                    let token = a.token.as_mut().map(|f| f()).transpose().map(Option::flatten);
                    let answer = params.and_then(|p| token.map(|t| (p, t)));
                    self.socket.connect_params(conn, answer, self.now);
                }
                Output::JoinParams { channel } => {
                    self.asks.push(out);
                    let params = self.answers.join_params.get_mut(&channel).map_or_else(|| Ok("{}".to_owned()), |f| f());
                    self.socket.join_params(channel, params, self.now);
                }
                Output::RetryDelay { retry, tries } => {
                    self.asks.push(out);
                    let f = match retry {
                        Retry::Reconnect => self.answers.reconnect_after.as_mut(),
                        Retry::Rejoin(_) => self.answers.rejoin_after.as_mut(),
                    };
                    let delay = f.map(|f| f(tries));
                    self.socket.retry_delay(retry, delay, self.now);
                }
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
