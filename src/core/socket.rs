//! The socket state machine: connection lifecycle, heartbeat, reconnect, send
//! buffer, and the channels and pushes it multiplexes.
//!
//! It owns no socket and reads no clock. The caller feeds it inputs
//! (`handle_*`, with `now` in milliseconds), calls mutators (`connect`, `join`,
//! `push` …), then drains [`Socket::poll_output`] and arms one timer for
//! [`Socket::poll_timeout`]. When that timer fires, call [`Socket::handle_timeout`].

use std::collections::VecDeque;
use std::time::Duration;

use super::idmap::IdMap;

use super::backoff::{Backoff, Schedule};
use super::channel::{Channel, ChannelError, ChannelState, Params};
use super::endpoint::{endpoint_url, protocols, redact_url, websocket_endpoint, ConnectError, PageLocation};
use super::ids::{BindingRef, ChannelId, ConnId, PresenceId, PushId};
use super::presence::{Change, PresenceState, PresenceTracker, Touched};
use super::json;
use super::message::{events, Message, Payload};
use super::push::{reasons, PushKind, PushRec};
use super::reliable::{self, ChannelOptions, Verdict};
use super::serializer::{self, Frame};
use super::source::Source;
use super::text::{cat, uint};
use super::timers::{TimerKey, Timers};

/// The channel error reason when the connection closed (phoenix.js's).
const CLOSED: &str = "connection_closed";

/// The close code of a normal closure.
pub const WS_CLOSE_NORMAL: u16 = 1000;
/// The code a close event reports when the close frame carried none (what
/// `disconnect()` without a code produces, as in phoenix.js).
pub const WS_CLOSE_NO_STATUS: u16 = 1005;

/// Socket options, with phoenix.js's names and defaults. Plain data: what the host
/// computes (params, token, retry delays, the `beforeReconnect` hook) is asked for with
/// an [`Output`] and answered with an input, so nothing calls out of the core while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The endpoint as given to `new Socket(endpoint)`; `/websocket` is appended.
    pub endpoint: String,
    /// Protocol version sent as `vsn` (default `"2.0.0"`).
    pub vsn: String,
    /// Default timeout of joins, pushes and leaves in ms (default 10,000).
    pub timeout: u64,
    /// Interval between heartbeats in ms (default 30,000).
    pub heartbeat_interval: u64,
    /// How long to wait for a heartbeat reply in ms (`None`, the default: the interval).
    pub heartbeat_timeout: Option<u64>,
    /// Reconnect delays by try number (default phoenix.js's).
    pub reconnect_after: Schedule,
    /// Rejoin delays by try number (default phoenix.js's).
    pub rejoin_after: Schedule,
    /// Most messages held while disconnected (send buffer, and each channel's push buffer).
    pub max_send_buffer: usize,
    /// Connect params, a JSON object as text (default `{}`); with [`Source::Ask`] each
    /// connect asks for them ([`Output::ConnectParams`]).
    pub params: Source<String>,
    /// Auth token, sent as a subprotocol (default none); [`Source::Ask`] as for `params`.
    pub auth_token: Source<Option<String>>,
    /// The page location, to resolve relative endpoints.
    pub page: Option<PageLocation>,
    /// Full jitter on reconnect delays: each delay is uniform in `[0, schedule(tries)]`.
    pub jitter: bool,
    /// Seed of the jitter's random numbers. `None` (the default): the host draws a
    /// random one per socket, so clients do not reconnect in lockstep (the core alone,
    /// without a host, uses [`FIXED_SEED`]); `Some`: reproducible delays, for tests.
    pub seed: Option<u64>,
    /// Reconnect while the page is hidden (default true: an OBS source in an inactive
    /// scene is hidden and must stay live). phoenix.js ≥ 1.8.2 behaves as `false`.
    pub reconnect_while_hidden: bool,
    /// Ask the caller before each reconnect ([`Output::BeforeReconnect`]), e.g. to
    /// refresh a token; the connection starts at [`Socket::reconnect_ready`].
    pub before_reconnect: bool,
    /// Report [`Event::Log`] lines (phoenix.js `logger`).
    pub log: bool,
    /// The application encodes and decodes frames itself (phoenix.js `encode`/`decode`):
    /// the core emits [`Output::SendMessage`] and takes [`Socket::handle_decoded`].
    pub custom_codec: bool,
    /// Frames larger than this close the connection with 1009 (default 16 MiB): a
    /// hostile or broken server cannot make the client buffer without bound.
    pub max_frame_bytes: usize,
    /// Sent as the `correlation_id` connect param and prefixed to log lines, so client
    /// and server logs line up.
    pub correlation_id: Option<String>,
}

impl Config {
    /// phoenix.js defaults for `endpoint`.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Config {
            endpoint: endpoint.into(),
            vsn: "2.0.0".to_owned(),
            timeout: 10_000,
            heartbeat_interval: 30_000,
            heartbeat_timeout: None,
            reconnect_after: Schedule::reconnect(),
            rejoin_after: Schedule::rejoin(),
            max_send_buffer: 1000,
            params: Source::json("{}"),
            auth_token: Source::Fixed(None),
            page: None,
            jitter: false,
            seed: None,
            reconnect_while_hidden: true,
            before_reconnect: false,
            log: false,
            custom_codec: false,
            max_frame_bytes: 16 * 1024 * 1024,
            correlation_id: None,
        }
    }

    /// The heartbeat timeout in ms: the option, or the interval.
    pub fn heartbeat_timeout_ms(&self) -> u64 {
        self.heartbeat_timeout.unwrap_or(self.heartbeat_interval)
    }
}

/// What a retry delay is asked for ([`Output::RetryDelay`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The socket's next reconnect (`reconnectAfterMs`).
    Reconnect,
    /// A channel's next rejoin (`rejoinAfterMs`).
    Rejoin(ChannelId),
}

/// The socket's connection state (phoenix.js `connectionState()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// A transport is being opened.
    Connecting,
    /// Connected.
    Open,
    /// Not connected.
    Closed,
}

impl ConnectionState {
    /// The phoenix.js name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Open => "open",
            ConnectionState::Closed => "closed",
        }
    }
}

/// The connection as a person would describe it (the status stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Opening a connection.
    Connecting,
    /// Connected.
    Open,
    /// Disconnected; the next attempt starts after `delay`.
    Reconnecting {
        /// The attempt about to be made, from 1.
        attempt: u32,
        /// How long until it starts.
        delay: Duration,
    },
    /// Disconnected, and no attempt is scheduled (after `disconnect()`, or while
    /// hidden with `reconnect_while_hidden` off).
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the client asked for it.
        clean: bool,
    },
}

/// [`Socket::health`]: the connection at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The connection status.
    pub status: Status,
    /// The round trip of the last answered heartbeat.
    pub last_rtt: Option<Duration>,
    /// Successful reconnects since the socket was made.
    pub reconnects: u32,
    /// Messages waiting to be sent until the connection opens.
    pub send_buffer: usize,
    /// Pushes sent (or buffered) and not answered yet.
    pub pushes_in_flight: usize,
    /// Each channel's topic and state.
    pub channels: Vec<(String, ChannelState)>,
}

impl Status {
    /// `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Connecting => "connecting",
            Status::Open => "open",
            Status::Reconnecting { .. } => "reconnecting",
            Status::Closed { .. } => "closed",
        }
    }
}

/// What the caller must do, or tell the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a WebSocket to `url` offering `protocols`; report its events with `conn`.
    Connect {
        /// The connection's id.
        conn: ConnId,
        /// The URL to open.
        url: String,
        /// The subprotocols to offer.
        protocols: Vec<String>,
    },
    /// Send this frame on the open connection.
    Send(Frame),
    /// Encode this message with the application's encoder and send it
    /// (only with [`Config::custom_codec`]).
    SendMessage(Message),
    /// Close connection `conn` with this code and reason (1005: close without a code).
    Close {
        /// The connection to close.
        conn: ConnId,
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// Something for the application.
    Event(Event),
    /// A reconnect is due: run the application's `beforeReconnect` hook, then call
    /// [`Socket::reconnect_ready`] (only with [`Config::before_reconnect`]).
    BeforeReconnect {
        /// The reconnect attempt, from 1.
        attempt: u32,
    },
    /// Connection `conn` needs its params and token (where [`Config::params`] or
    /// [`Config::auth_token`] is [`Source::Ask`]): answer with [`Socket::connect_params`].
    ConnectParams {
        /// The connection being opened.
        conn: ConnId,
    },
    /// The channel's join needs its params (its params are [`Source::Ask`]): answer
    /// with [`Socket::join_params`].
    JoinParams {
        /// The channel joining.
        channel: ChannelId,
    },
    /// A retry needs its delay (its schedule is [`Schedule::Ask`]): answer with
    /// [`Socket::retry_delay`].
    RetryDelay {
        /// What is retried.
        retry: Retry,
        /// The try the delay is for, from 1.
        tries: u32,
    },
}

/// Application-level events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The socket opened (`onOpen`).
    Open,
    /// The socket closed (`onClose`).
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the client asked for it.
        clean: bool,
    },
    /// The connection status changed.
    Status(Status),
    /// A heartbeat was answered after `rtt` ms.
    Heartbeat {
        /// Round-trip time in ms.
        rtt: u64,
    },
    /// A transport error, a connect error, or a malformed frame (`onError`).
    Error {
        /// What went wrong.
        reason: String,
    },
    /// Every message received, when [`Socket::set_observe_messages`] is on (`onMessage`).
    Message(Message),
    /// A channel event for the channel's bindings (`channel.on(event, cb)`).
    Channel {
        /// The channel.
        channel: ChannelId,
        /// Its bindings for this event, in order.
        bindings: Vec<BindingRef>,
        /// The event name.
        event: String,
        /// The payload.
        payload: Payload,
        /// The message's ref.
        msg_ref: Option<String>,
        /// The message's join ref.
        join_ref: Option<String>,
    },
    /// A channel changed state.
    ChannelState {
        /// The channel.
        channel: ChannelId,
        /// Its new state.
        state: ChannelState,
    },
    /// A push got its outcome: `ok`, `error`, `timeout` or a custom status.
    PushReply {
        /// The push.
        push: PushId,
        /// The status.
        status: String,
        /// The response (`{}` for timeouts).
        response: Payload,
        /// No further outcome will come for this push (false for join pushes,
        /// which answer again on every rejoin).
        last: bool,
    },
    /// The answer to [`Socket::ping`]: the round-trip time in ms.
    Pong {
        /// The ping.
        ping: u32,
        /// Round-trip time in ms.
        rtt: u64,
    },
    /// A log line (phoenix.js `logger(kind, msg, data)`), when [`Config::log`] is on.
    Log {
        /// `transport`, `push`, `receive`, `channel` …
        kind: &'static str,
        /// The line.
        msg: String,
        /// The payload it concerns, if any.
        data: Option<Payload>,
    },
    /// A presence applied a `presence_state` or `presence_diff` (`onJoin`/`onLeave`
    /// for each change, then `onSync`).
    Presence {
        /// The presence tracker.
        presence: PresenceId,
        /// Joins and leaves, in order.
        changes: Vec<Change>,
    },
    /// A resuming channel delivered up to `seq` (`None`: the server lost its history and
    /// the channel starts over): store it for the next page load.
    Cursor {
        /// The channel.
        channel: ChannelId,
        /// The last delivered sequence number.
        seq: Option<u64>,
    },
    /// A channel was removed from the socket; its bindings are gone.
    ChannelRemoved {
        /// The channel.
        channel: ChannelId,
        /// Its join push, which will not answer again.
        join_push: PushId,
        /// The presence trackers it had, now gone.
        presences: Vec<PresenceId>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Closed,
    Connecting(ConnId),
    Open(ConnId),
}

struct Buffered {
    msg: Message,
    push: Option<PushId>,
}

/// The sans-IO Phoenix socket.
pub struct Socket {
    config: Config,
    conn: Conn,
    next_conn: u32,
    closed_by_client: bool,
    reconnect: Backoff,
    next_ref: u64,
    /// The ref and send time of the heartbeat awaiting its reply.
    pending_heartbeat: Option<(String, u64)>,
    last_rtt: Option<u64>,
    reconnects: u32,
    status: Status,
    timers: Timers,
    outputs: VecDeque<Output>,
    send_buffer: VecDeque<Buffered>,
    channels: IdMap<ChannelId, Channel>,
    channel_order: Vec<ChannelId>,
    next_channel: u32,
    pushes: IdMap<PushId, Box<PushRec>>,
    /// ref (as the number this socket made it from) -> the push awaiting its reply
    reply_refs: IdMap<u64, PushId>,
    next_push: u32,
    observe_messages: bool,
    rng: u64,
    hidden: bool,
    /// The last close was not asked for by the client (phoenix.js `closeWasClean == false`).
    last_close_unclean: bool,
    established_once: bool,
    /// A reconnect was skipped while hidden; it runs when the page is shown.
    reconnect_deferred: bool,
    awaiting_hook: bool,
    /// A reconnect delay was asked for ([`Output::RetryDelay`]) and not answered yet.
    awaiting_delay: bool,
    closed_by_pagehide: bool,
    pings: IdMap<String, (u32, u64)>,
    next_ping: u32,
    presences: Vec<PresenceSlot>,
    next_presence: u32,
}

struct PresenceSlot {
    id: PresenceId,
    channel: ChannelId,
    state_event: String,
    diff_event: String,
    tracker: PresenceTracker,
}

/// The jitter's seed where the configuration gives none and no host drew one.
pub const FIXED_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// The random generator's state: never 0 (xorshift would stay 0).
fn config_seed(c: &Config) -> u64 {
    match c.seed.unwrap_or(FIXED_SEED) {
        0 => FIXED_SEED,
        s => s,
    }
}

/// The number a ref made by [`Socket::make_ref`] was written from: plain decimal
/// only (no sign, no leading zero), so two different ref strings never map to the
/// same number.
fn ref_number(r: &str) -> Option<u64> {
    let canonical = !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) && (r == "0" || !r.starts_with('0'));
    if canonical {
        r.parse().ok()
    } else {
        None
    }
}

fn reason_json(reason: &str) -> Payload {
    string_field("reason", reason)
}

/// `{"<key>": "<value>"}`.
#[inline(never)]
fn string_field(key: &str, value: &str) -> Payload {
    let mut s = String::from("{\"");
    s.push_str(key);
    s.push_str("\":");
    json::write_string(&mut s, value);
    s.push('}');
    Payload::Json(s)
}

/// A message ready to go out: its output, and its log line and payload when logging.
struct Sent {
    out: Output,
    log: Option<(String, Payload)>,
}

/// A payload left to be checked as it was read turned out not to be JSON.
#[derive(Debug)]
struct MalformedPayload;

impl Socket {
    /// A socket that is not connected yet.
    pub fn new(config: Config) -> Self {
        Socket {
            conn: Conn::Closed,
            next_conn: 0,
            closed_by_client: false,
            reconnect: Backoff::default(),
            next_ref: 0,
            pending_heartbeat: None,
            last_rtt: None,
            reconnects: 0,
            status: Status::Closed { code: WS_CLOSE_NO_STATUS, reason: String::new(), clean: true },
            timers: Timers::default(),
            outputs: VecDeque::new(),
            send_buffer: VecDeque::new(),
            channels: IdMap::new(),
            channel_order: Vec::new(),
            next_channel: 0,
            pushes: IdMap::new(),
            reply_refs: IdMap::new(),
            next_push: 0,
            observe_messages: false,
            rng: config_seed(&config),
            hidden: false,
            last_close_unclean: false,
            established_once: false,
            reconnect_deferred: false,
            awaiting_hook: false,
            awaiting_delay: false,
            closed_by_pagehide: false,
            pings: IdMap::new(),
            next_ping: 0,
            presences: Vec::new(),
            next_presence: 0,
            config,
        }
    }

    /// The options.
    pub fn config(&self) -> &Config {
        &self.config
    }

    // ---------------------------------------------------------------- outputs

    /// The next thing to do, if any. Drain it after every input and mutation.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The earliest time [`Socket::handle_timeout`] must be called, if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.timers.next()
    }

    fn emit(&mut self, e: Event) {
        if let Event::Status(s) = &e {
            self.status = s.clone();
        }
        self.outputs.push_back(Output::Event(e));
    }

    /// The current connection status.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// A snapshot for dashboards and diagnostics.
    pub fn health(&self) -> Health {
        Health {
            status: self.status.clone(),
            last_rtt: self.last_rtt.map(Duration::from_millis),
            reconnects: self.reconnects,
            send_buffer: self.send_buffer.len(),
            pushes_in_flight: self.pushes.values().filter(|p| p.msg_ref.is_some() && p.kind != PushKind::Join).count(),
            channels: self.channel_order.iter().map(|id| (self.channels[id].topic.clone(), self.channels[id].state)).collect(),
        }
    }

    /// Whether every received message is reported as [`Event::Message`].
    pub fn set_observe_messages(&mut self, on: bool) {
        self.observe_messages = on;
    }

    // ------------------------------------------------------------------ state

    /// Whether the transport is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.conn, Conn::Open(_))
    }

    /// `connecting`, `open` or `closed`.
    pub fn connection_state(&self) -> ConnectionState {
        match self.conn {
            Conn::Closed => ConnectionState::Closed,
            Conn::Connecting(_) => ConnectionState::Connecting,
            Conn::Open(_) => ConnectionState::Open,
        }
    }

    /// The next message ref (`"1"`, `"2"` …; restarts at 0 on overflow).
    pub fn make_ref(&mut self) -> String {
        // refs are decimal numbers (`ref_number` reads them back)
        self.next_ref = self.next_ref.checked_add(1).unwrap_or(0);
        uint(self.next_ref)
    }

    /// Whether a push on the channel would be sent now (connected and joined).
    pub fn can_push(&self, id: ChannelId) -> bool {
        self.is_connected() && self.channels.get(&id).is_some_and(|c| c.state == ChannelState::Joined)
    }

    /// Replies the socket is waiting for (a leak check: it returns to the number
    /// of pushes in flight once they are answered).
    pub fn reply_bindings(&self) -> usize {
        self.reply_refs.len()
    }

    /// Sets the ref counter (to test its overflow).
    #[doc(hidden)]
    pub fn set_ref_counter(&mut self, value: u64) {
        self.next_ref = value;
    }

    /// Messages waiting in the send buffer.
    pub fn send_buffer_len(&self) -> usize {
        self.send_buffer.len()
    }

    /// Armed timers (for invariant checks).
    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    // ------------------------------------------------------------- lifecycle

    /// Starts connecting, unless a connection is open or being opened.
    pub fn connect(&mut self, now: u64) {
        let _ = now;
        if self.conn != Conn::Closed {
            return;
        }
        self.closed_by_client = false;
        self.timers.cancel(TimerKey::Reconnect);
        self.awaiting_hook = false;
        self.awaiting_delay = false;
        self.reconnect_deferred = false;
        self.next_conn = self.next_conn.wrapping_add(1);
        let conn = ConnId(self.next_conn);
        self.conn = Conn::Connecting(conn);
        if self.config.params.is_ask() || self.config.auth_token.is_ask() {
            self.outputs.push_back(Output::ConnectParams { conn });
        } else {
            self.open_connection(conn, Ok((None, None)));
        }
    }

    /// The answer to [`Output::ConnectParams`]: the params (a JSON object as text) and
    /// the token, each used where the config asks for it; or why they could not be
    /// made (the connect fails with an error event). Stale answers are ignored.
    pub fn connect_params(&mut self, conn: ConnId, answer: Result<(Option<String>, Option<String>), String>, now: u64) {
        let _ = now;
        if self.conn == Conn::Connecting(conn) {
            self.open_connection(conn, answer);
        }
    }

    fn open_connection(&mut self, conn: ConnId, answer: Result<(Option<String>, Option<String>), String>) {
        match answer.map_err(ConnectError::Params).and_then(|(params, token)| self.connect_request(params, token)) {
            Ok((url, protocols)) => {
                self.log("transport", || cat(&["connecting to ", &redact_url(&url)]), None);
                self.outputs.push_back(Output::Connect { conn, url, protocols });
                self.emit(Event::Status(Status::Connecting));
            }
            Err(e) => {
                self.conn = Conn::Closed;
                self.emit(Event::Error { reason: e.message() });
            }
        }
    }

    fn connect_request(&self, params: Option<String>, token: Option<String>) -> Result<(String, Vec<String>), ConnectError> {
        let url = self.endpoint_url(params)?;
        let token = match &self.config.auth_token {
            Source::Fixed(t) => t.clone(),
            Source::Ask => token,
        };
        Ok((url, protocols(token.as_deref())?))
    }

    /// Replaces the connect params (phoenix.js's deprecated `connect(params)`): used
    /// from the next connect on.
    pub fn set_params(&mut self, params: Source<String>) {
        self.config.params = params;
    }

    /// The URL a connect opens (phoenix.js `endPointURL()`): the endpoint with
    /// `/websocket`, the params (`params`, where the config asks for them) and `vsn`,
    /// resolved against the page.
    pub fn endpoint_url(&self, params: Option<String>) -> Result<String, ConnectError> {
        let mut params = match (&self.config.params, params) {
            (Source::Fixed(p), _) => p.clone(),
            (Source::Ask, p) => p.unwrap_or_else(|| "{}".to_owned()),
        };
        if let Some(cid) = &self.config.correlation_id {
            let mut raw = String::new();
            json::write_string(&mut raw, cid);
            params = json::with_field(&params, "correlation_id", &raw).map_err(|e| ConnectError::Params(e.message()))?;
        }
        let endpoint = websocket_endpoint(&self.config.endpoint);
        endpoint_url(&endpoint, &params, &self.config.vsn, self.config.page.as_ref())
    }

    /// Closes the connection on purpose: no reconnect until [`Socket::connect`].
    pub fn disconnect(&mut self, code: Option<u16>, reason: Option<&str>, now: u64) {
        self.closed_by_client = true;
        self.awaiting_hook = false;
        self.awaiting_delay = false;
        self.reconnect_deferred = false;
        self.closed_by_pagehide = false;
        self.timers.cancel(TimerKey::Reconnect);
        self.reconnect.reset();
        let code = code.unwrap_or(WS_CLOSE_NO_STATUS);
        let reason = reason.unwrap_or("").to_owned();
        if let Conn::Open(conn) | Conn::Connecting(conn) = self.conn {
            self.outputs.push_back(Output::Close { conn, code, reason: reason.clone() });
            self.connection_lost(code, reason, true, CLOSED, now);
        }
    }

    /// The transport `conn` opened.
    pub fn handle_open(&mut self, conn: ConnId, now: u64) {
        if self.conn != Conn::Connecting(conn) {
            return;
        }
        self.conn = Conn::Open(conn);
        if self.established_once {
            self.reconnects = self.reconnects.saturating_add(1);
        }
        self.established_once = true;
        self.last_close_unclean = false;
        self.log("transport", || "connected".to_owned(), None);
        self.reconnect.reset();
        self.timers.cancel(TimerKey::Reconnect);
        self.flush_send_buffer(now);
        self.pending_heartbeat = None;
        self.timers.arm(TimerKey::Heartbeat, now + self.config.heartbeat_interval);
        self.emit(Event::Status(Status::Open));
        self.emit(Event::Open);
        for id in self.channel_order.clone() {
            let Some(ch) = self.channels.get_mut(&id) else { continue };
            ch.rejoin.reset();
            self.timers.cancel(TimerKey::Rejoin(id));
            if ch.state == ChannelState::Errored {
                self.rejoin(id, None, now);
            }
        }
    }

    /// The transport `conn` reported an error (a close follows).
    pub fn handle_error(&mut self, conn: ConnId, reason: &str, now: u64) {
        if !self.is_current(conn) {
            return;
        }
        self.emit(Event::Error { reason: reason.to_owned() });
        self.error_channels("connection_error", now);
    }

    /// The transport `conn` closed.
    pub fn handle_close(&mut self, conn: ConnId, code: u16, reason: &str, now: u64) {
        if !self.is_current(conn) {
            return;
        }
        self.connection_lost(code, reason.to_owned(), false, CLOSED, now);
    }

    fn is_current(&self, conn: ConnId) -> bool {
        matches!(self.conn, Conn::Open(c) | Conn::Connecting(c) if c == conn)
    }

    /// The connection is gone: joined and joining channels error with
    /// `{source: "transport", reason: channel_reason}`, and a reconnect is scheduled
    /// unless the client closed it.
    fn connection_lost(&mut self, code: u16, reason: String, clean: bool, channel_reason: &str, now: u64) {
        self.conn = Conn::Closed;
        self.last_close_unclean = !clean;
        self.log("transport", || cat(&["close ", &uint(u64::from(code)), " ", &reason]), None);
        self.pings.clear();
        self.pending_heartbeat = None;
        self.timers.cancel(TimerKey::Heartbeat);
        self.timers.cancel(TimerKey::HeartbeatTimeout);
        self.error_channels(channel_reason, now);
        self.emit(Event::Close { code, reason: reason.clone(), clean });
        if self.closed_by_client {
            self.emit(Event::Status(Status::Closed { code, reason, clean }));
        } else {
            self.schedule_reconnect(now);
        }
    }

    fn schedule_reconnect(&mut self, now: u64) {
        match self.reconnect.next_delay(&self.config.reconnect_after) {
            Some(delay) => self.arm_reconnect(delay, now),
            None => {
                self.awaiting_delay = true;
                self.outputs.push_back(Output::RetryDelay { retry: Retry::Reconnect, tries: self.reconnect.next_try() });
            }
        }
    }

    /// The answer to [`Output::RetryDelay`]: the delay in ms of that retry, or `None`
    /// where the host has none (the application's function failed or gave no number):
    /// phoenix.js's default schedule's. Answers no longer wanted (the socket
    /// connected, the channel left) are ignored.
    pub fn retry_delay(&mut self, retry: Retry, delay: Option<u64>, now: u64) {
        match retry {
            Retry::Reconnect => {
                if std::mem::take(&mut self.awaiting_delay) && self.conn == Conn::Closed && !self.closed_by_client {
                    let delay = delay.or_else(|| Schedule::reconnect().delay(self.reconnect.next_try())).unwrap_or(0);
                    self.arm_reconnect(delay, now);
                }
            }
            Retry::Rejoin(id) => {
                let Some(ch) = self.channels.get(&id).filter(|c| c.state == ChannelState::Errored) else { return };
                if self.is_connected() {
                    let delay = delay.or_else(|| Schedule::rejoin().delay(ch.rejoin.next_try())).unwrap_or(0);
                    self.timers.arm(TimerKey::Rejoin(id), now + delay);
                }
            }
        }
    }

    fn arm_reconnect(&mut self, mut delay: u64, now: u64) {
        if self.config.jitter {
            delay = self.random() % (delay + 1);
        }
        self.timers.arm(TimerKey::Reconnect, now + delay);
        self.emit(Event::Status(Status::Reconnecting { attempt: self.reconnect.tries() + 1, delay: Duration::from_millis(delay) }));
    }

    /// xorshift64*: deterministic for a given seed.
    fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The application's `beforeReconnect` hook finished: connect now, unless the
    /// application connected or disconnected meanwhile.
    pub fn reconnect_ready(&mut self, now: u64) {
        if std::mem::take(&mut self.awaiting_hook) && !self.closed_by_client {
            self.connect(now);
        }
    }

    /// A reconnect is due now (its timer fired, or the page came back): through the
    /// application's `beforeReconnect` hook when there is one.
    fn reconnect_now(&mut self, now: u64) {
        if self.config.before_reconnect {
            self.awaiting_hook = true;
            self.awaiting_delay = false;
            self.outputs.push_back(Output::BeforeReconnect { attempt: self.reconnect.tries().max(1) });
        } else {
            self.connect(now);
        }
    }

    /// The page became visible or hidden (`visibilitychange`, `resume`). On becoming
    /// visible after an unclean close, reconnects at once with a fresh backoff.
    pub fn handle_visibility(&mut self, visible: bool, now: u64) {
        self.hidden = !visible;
        let down = self.conn == Conn::Closed;
        if visible && down && self.established_once && !self.closed_by_client && (self.last_close_unclean || self.reconnect_deferred) {
            self.reconnect.reset();
            self.timers.cancel(TimerKey::Reconnect);
            self.reconnect_now(now);
        }
    }

    /// The browser reports the network back (`online`, e.g. after a network switch): an
    /// open connection, which may have died silently, is checked with a heartbeat now
    /// (instead of at the next interval), and a reconnect that is waiting for its delay
    /// starts now with a fresh backoff.
    pub fn handle_online(&mut self, now: u64) {
        match self.conn {
            Conn::Open(_) if self.pending_heartbeat.is_none() => {
                self.timers.cancel(TimerKey::Heartbeat);
                self.send_heartbeat(now);
            }
            Conn::Closed if !self.closed_by_client && (self.timers.deadline(TimerKey::Reconnect).is_some() || self.awaiting_delay) => {
                self.log("transport", || "network online: reconnecting now".to_owned(), None);
                self.reconnect.reset();
                self.timers.cancel(TimerKey::Reconnect);
                self.awaiting_delay = false;
                self.reconnect_now(now);
            }
            _ => {}
        }
    }

    /// `pagehide`: disconnect (the page may enter the back/forward cache).
    pub fn handle_page_hide(&mut self, now: u64) {
        if self.conn != Conn::Closed {
            self.disconnect(None, None, now);
            self.closed_by_pagehide = true;
        }
    }

    /// `pageshow`: reconnect if `pagehide` disconnected.
    pub fn handle_page_show(&mut self, now: u64) {
        if std::mem::take(&mut self.closed_by_pagehide) {
            self.closed_by_client = false;
            self.reconnect_now(now);
        }
    }

    /// Sends a heartbeat-shaped ping and reports its round trip as [`Event::Pong`];
    /// `None` when not connected (phoenix.js `ping` returns `false`).
    pub fn ping(&mut self, now: u64) -> Option<u32> {
        if !self.is_connected() {
            return None;
        }
        let r = self.make_ref();
        self.next_ping = self.next_ping.wrapping_add(1);
        self.pings.insert(r.clone(), (self.next_ping, now));
        self.transmit_heartbeat(r);
        Some(self.next_ping)
    }

    /// `[null, ref, "phoenix", "heartbeat", {}]`, for heartbeats and pings.
    fn transmit_heartbeat(&mut self, r: String) {
        let msg = Message {
            join_ref: None,
            msg_ref: Some(r),
            topic: events::PHOENIX_TOPIC.to_owned(),
            event: events::HEARTBEAT.to_owned(),
            payload: Payload::empty(),
        };
        // a JSON message always encodes
        let _ = self.transmit(&msg);
    }

    /// Sends a raw message (phoenix.js `socket.push`), or buffers it while not connected.
    /// Fails only when the send buffer is full.
    pub fn push_message(&mut self, msg: Message, now: u64) -> Result<(), String> {
        if !self.is_connected() && self.send_buffer.len() >= self.config.max_send_buffer {
            return Err(reasons::BUFFER_FULL.to_owned());
        }
        self.socket_push(msg, None, now);
        Ok(())
    }

    fn log(&mut self, kind: &'static str, msg: impl FnOnce() -> String, data: Option<&Payload>) {
        if self.config.log {
            let msg = match &self.config.correlation_id {
                Some(cid) => cat(&["[", cid, "] ", &msg()]),
                None => msg(),
            };
            let data = data.map(|d| match d {
                Payload::Json(j) => Payload::Json(super::endpoint::redact_json(j)),
                other => other.clone(),
            });
            self.emit(Event::Log { kind, msg, data });
        }
    }

    /// Errors every channel that is joining or joined (phoenix.js `triggerChanError`).
    fn error_channels(&mut self, reason: &str, now: u64) {
        let payload = {
            let mut s = String::from("{\"source\":\"transport\",\"reason\":");
            json::write_string(&mut s, reason);
            s.push('}');
            Payload::Json(s)
        };
        for id in self.channel_order.clone() {
            let state = self.channels[&id].state;
            if matches!(state, ChannelState::Joined | ChannelState::Joining) {
                self.channel_errored(id, payload.clone(), None, None, now);
            }
        }
    }

    /// Fires every due timer.
    pub fn handle_timeout(&mut self, now: u64) {
        while let Some(key) = self.timers.pop_due(now) {
            match key {
                TimerKey::Heartbeat => self.send_heartbeat(now),
                TimerKey::HeartbeatTimeout => self.heartbeat_timeout(now),
                TimerKey::Reconnect => {
                    self.reconnect.fired();
                    if self.hidden && !self.config.reconnect_while_hidden {
                        self.reconnect_deferred = true;
                        self.log("transport", || "not reconnecting as page is hidden".to_owned(), None);
                    } else {
                        self.reconnect_now(now);
                    }
                }
                TimerKey::Rejoin(id) => {
                    if let Some(ch) = self.channels.get_mut(&id) {
                        ch.rejoin.fired();
                        if self.is_connected() {
                            self.rejoin(id, None, now);
                        }
                    }
                }
                TimerKey::PushTimeout(id) => self.push_timed_out(id, now),
                TimerKey::Ack(id) => self.maybe_ack(id, true, now),
            }
        }
    }

    fn send_heartbeat(&mut self, now: u64) {
        if !self.is_connected() {
            return;
        }
        let r = self.make_ref();
        self.pending_heartbeat = Some((r.clone(), now));
        self.timers.arm(TimerKey::HeartbeatTimeout, now + self.config.heartbeat_timeout_ms());
        self.transmit_heartbeat(r);
    }

    fn heartbeat_timeout(&mut self, now: u64) {
        let Conn::Open(conn) = self.conn else { return };
        if self.pending_heartbeat.take().is_none() {
            return;
        }
        let reason = "heartbeat timeout".to_owned();
        self.log("transport", || "heartbeat timeout. Attempting to re-establish connection".to_owned(), None);
        self.outputs.push_back(Output::Close { conn, code: WS_CLOSE_NORMAL, reason: reason.clone() });
        self.connection_lost(WS_CLOSE_NORMAL, reason, false, "heartbeat_timeout", now);
    }

    // ------------------------------------------------------------- receiving

    /// A frame arrived on connection `conn`.
    pub fn handle_frame(&mut self, conn: ConnId, frame: &Frame, now: u64) {
        if !self.is_current(conn) {
            return;
        }
        let len = match frame {
            Frame::Text(t) => t.len(),
            Frame::Binary(b) => b.len(),
        };
        if len > self.config.max_frame_bytes {
            let reason = cat(&["frame of ", &uint(len as u64), " bytes exceeds maxFrameBytes (", &uint(self.config.max_frame_bytes as u64), ")"]);
            self.emit(Event::Error { reason: reason.clone() });
            self.outputs.push_back(Output::Close { conn, code: 1009, reason: "message too big".into() });
            return self.connection_lost(1009, reason, false, CLOSED, now);
        }
        let (msg, deferred) = match serializer::decode_deferred(frame) {
            Ok(m) => m,
            Err(e) => return self.emit(Event::Error { reason: e.message() }),
        };
        // A presence state or diff is checked by the presence reader as it reads it
        // (a state can be a megabyte: one pass instead of two); any other payload now.
        let unchecked = deferred && self.presence_reads_first(&msg);
        let malformed = deferred && !unchecked && msg.payload.as_json().is_some_and(|p| json::validate(p).is_err());
        if malformed || self.handle_message(msg, unchecked, now).is_err() {
            // the same error as a frame checked whole on arrival
            let reason = serializer::decode(frame).err().map_or_else(|| "malformed frame".to_owned(), |e| e.message());
            self.emit(Event::Error { reason });
        }
    }

    /// A message decoded by the application's own decoder arrived on `conn`.
    pub fn handle_decoded(&mut self, conn: ConnId, msg: Message, now: u64) {
        if self.is_current(conn) {
            // its payload came from the application's decoder: nothing is left unchecked
            let _ = self.handle_message(msg, false, now);
        }
    }

    /// Whether every channel `msg` is for reads it first as a presence state or
    /// diff, before anything is forwarded (so the reader can check the payload):
    /// not replies, pings, channel errors or closes, nor with logging on.
    fn presence_reads_first(&self, msg: &Message) -> bool {
        if self.presences.is_empty() || self.config.log || msg.msg_ref.is_some() || matches!(msg.event.as_str(), events::REPLY | events::ERROR | events::CLOSE) {
            return false;
        }
        let mut members = self.channel_order.iter().filter(|&&id| self.is_member(id, msg)).peekable();
        members.peek().is_some()
            && members.all(|&id| self.presences.iter().any(|p| p.channel == id && (p.state_event == msg.event || p.diff_event == msg.event)))
    }

    /// Routes a message; `Err` when its payload was `unchecked` and a presence
    /// reader found it malformed (then nothing of it was delivered).
    fn handle_message(&mut self, mut msg: Message, unchecked: bool, now: u64) -> Result<(), MalformedPayload> {
        if self.config.log {
            let line = cat(&[&msg.topic, " ", &msg.event, " (", msg.msg_ref.as_deref().unwrap_or(""), ")"]);
            self.log("receive", || line, Some(&msg.payload));
        }
        if let Some((ping, at)) = msg.msg_ref.as_ref().and_then(|r| self.pings.remove(r)) {
            self.emit(Event::Pong { ping, rtt: now.saturating_sub(at) });
        }
        if msg.msg_ref.is_some() && msg.msg_ref.as_ref() == self.pending_heartbeat.as_ref().map(|(r, _)| r) {
            let sent = self.pending_heartbeat.take().map_or(now, |(_, at)| at);
            let rtt = now.saturating_sub(sent);
            self.last_rtt = Some(rtt);
            self.emit(Event::Heartbeat { rtt });
            self.timers.cancel(TimerKey::HeartbeatTimeout);
            self.timers.arm(TimerKey::Heartbeat, now + self.config.heartbeat_interval);
        }
        // by index: a message adds no channel, changes no other channel's topic or
        // join ref, and removes at most the one it closes (then the ones after it move
        // up by one). The last channel it is for may take its parts instead of copying
        // them, unless every message is observed as a whole afterwards.
        let mut next = self.next_member(0, &msg);
        while let Some(i) = next {
            let id = self.channel_order[i];
            let after = self.next_member(i + 1, &msg);
            self.channel_message(id, &mut msg, after.is_none() && !self.observe_messages, unchecked, now)?;
            let closed = self.channel_order.get(i) != Some(&id);
            next = after.map(|a| a - usize::from(closed));
        }
        if self.observe_messages {
            self.emit(Event::Message(msg));
        }
        Ok(())
    }

    /// The index of the first channel at or after `from` in `channel_order` that `msg` is for.
    fn next_member(&self, from: usize, msg: &Message) -> Option<usize> {
        self.channel_order.get(from..)?.iter().position(|&id| self.is_member(id, msg)).map(|p| from + p)
    }

    fn is_member(&self, id: ChannelId, msg: &Message) -> bool {
        let Some(ch) = self.channels.get(&id) else { return false };
        if ch.topic != msg.topic {
            return false;
        }
        match &msg.join_ref {
            Some(jr) => self.join_ref(id) == Some(jr.as_str()),
            None => true,
        }
    }

    /// `msg` for channel `id`; when `last`, nothing reads `msg` after this, so its parts
    /// may be moved into the event delivered.
    fn channel_message(&mut self, id: ChannelId, msg: &mut Message, last: bool, unchecked: bool, now: u64) -> Result<(), MalformedPayload> {
        match msg.event.as_str() {
            events::REPLY => self.route_reply(id, msg, now),
            events::CLOSE => self.channel_closed(id),
            events::ERROR => self.channel_errored(id, msg.payload.clone(), msg.msg_ref.clone(), msg.join_ref.clone(), now),
            _ => {}
        }
        if !self.presences.is_empty() {
            self.presence_message(id, msg, unchecked)?;
        }
        if msg.event != events::ERROR {
            self.deliver_app_event(id, msg, last, now);
        }
        Ok(())
    }

    /// Delivers an application event, un-batching it and filtering it through
    /// reliable delivery when the channel asks for that.
    fn deliver_app_event(&mut self, id: ChannelId, msg: &mut Message, last: bool, now: u64) {
        let Some(ch) = self.channels.get(&id) else { return };
        let batched = ch.unbatch.as_deref() == Some(msg.event.as_str());
        let reliable = ch.reliable.is_some();
        if !batched && !reliable {
            if last {
                return self.deliver_taken(id, msg);
            }
            return self.deliver(id, &msg.event, &msg.payload, msg.msg_ref.as_deref(), msg.join_ref.as_deref());
        }
        let items = match (&msg.payload, batched) {
            (Payload::Json(text), true) => match reliable::unbatch(text, &msg.event) {
                Ok(items) => items.into_iter().map(|(e, p)| (e, Payload::Json(p))).collect(),
                Err(e) => return self.emit(Event::Error { reason: cat(&["malformed ", &msg.event, " on ", &msg.topic, ": ", &e.message()]) }),
            },
            _ => vec![(msg.event.clone(), msg.payload.clone())],
        };
        for (event, payload) in items {
            let seq = if reliable { payload.as_json().and_then(reliable::seq_of) } else { None };
            if let Some(seq) = seq {
                let verdict = match self.channels.get_mut(&id).and_then(|c| c.reliable.as_mut()) {
                    Some(r) => r.on_event(seq),
                    None => return,
                };
                match verdict {
                    Verdict::Duplicate => continue,
                    Verdict::Gap { missed, from, to } => {
                        let gap = Payload::Json(reliable::missed_payload(missed, from, to));
                        self.deliver(id, reliable::MISSED_EVENT, &gap, None, msg.join_ref.as_deref());
                    }
                    Verdict::Deliver => {}
                }
            }
            self.deliver(id, &event, &payload, msg.msg_ref.as_deref(), msg.join_ref.as_deref());
            if seq.is_some() {
                self.report_cursor(id);
            }
        }
        if reliable {
            self.maybe_ack(id, false, now);
        }
    }

    /// Sends an `ack` when enough events were delivered (or any, on `flush`), and
    /// keeps the ack timer armed while something is unacknowledged.
    fn maybe_ack(&mut self, id: ChannelId, flush: bool, now: u64) {
        let can_push = self.can_push(id);
        let Some(r) = self.channels.get_mut(&id).and_then(|c| c.reliable.as_mut()) else { return };
        if can_push {
            if let Some(seq) = r.take_ack(flush) {
                let _ = self.push(id, reliable::ACK_EVENT, Payload::Json(reliable::ack_payload(seq)), None, now);
            }
        }
        // the timer only while an ack can go out: a channel that cannot push acknowledges
        // once joined again (no timer that wakes a disconnected socket every second)
        let unacked = self.channels.get(&id).and_then(|c| c.reliable.as_ref()).is_some_and(|r| r.has_unacked());
        if can_push && unacked && self.timers.deadline(TimerKey::Ack(id)).is_none() {
            self.timers.arm(TimerKey::Ack(id), now + reliable::ACK_INTERVAL_MS);
        }
    }

    /// A join reply with `reset: true` means the server lost its history (it
    /// restarted): what the client had not received is gone. Say so, and start over.
    fn check_reliable_reset(&mut self, id: ChannelId, response: &Payload) {
        let reset = response.as_json().and_then(|r| json::get(r, "reset").ok().flatten()) == Some("true");
        if !reset {
            return self.start_reliable_cursor(id, response);
        }
        let Some(r) = self.channels.get_mut(&id).and_then(|c| c.reliable.as_mut()) else { return };
        let from = r.last_seq().map_or(1, |l| l + 1);
        *r = reliable::Reliable::default();
        let payload = Payload::Json(cat(&["{\"missed\":null,\"reset\":true,\"from\":", &uint(from), "}"]));
        let join_ref = self.join_ref_of(id);
        self.deliver(id, reliable::MISSED_EVENT, &payload, None, join_ref.as_deref());
        self.report_cursor(id);
    }

    /// A reliable channel that has delivered nothing yet starts after the `seq` its join
    /// reply names (what the feed held when it joined: a first join gets what comes
    /// next), so a rejoin before its first event asks for everything since the join
    /// rather than joining afresh and losing what was published in between.
    fn start_reliable_cursor(&mut self, id: ChannelId, response: &Payload) {
        let Some(seq) = response.as_json().and_then(|r| json::get(r, "seq").ok().flatten()).and_then(|s| s.parse().ok()) else { return };
        let Some(r) = self.channels.get_mut(&id).and_then(|c| c.reliable.as_mut()) else { return };
        if r.last_seq().is_none() {
            *r = reliable::Reliable::resuming(Some(seq));
            self.report_cursor(id);
        }
    }

    /// A resuming channel's cursor moved (after the delivery just emitted): the host
    /// stores it, so a later page load resumes after it.
    fn report_cursor(&mut self, id: ChannelId) {
        let Some(ch) = self.channels.get(&id).filter(|c| c.report_cursor) else { return };
        let seq = ch.reliable.as_ref().and_then(|r| r.last_seq());
        self.emit(Event::Cursor { channel: id, seq });
    }

    /// The last sequence number a reliable channel delivered.
    pub fn last_seq(&self, id: ChannelId) -> Option<u64> {
        self.channels.get(&id)?.reliable.as_ref()?.last_seq()
    }

    fn presence_message(&mut self, channel: ChannelId, msg: &Message, unchecked: bool) -> Result<(), MalformedPayload> {
        let join_ref = self.join_ref_of(channel);
        let mut out = Vec::new();
        for slot in self.presences.iter_mut().filter(|p| p.channel == channel) {
            let is_state = msg.event == slot.state_event;
            if !is_state && msg.event != slot.diff_event {
                continue;
            }
            let Some(raw) = msg.payload.as_json() else {
                out.push(Event::Error { reason: cat(&[&msg.event, " on ", &msg.topic, " must be JSON"]) });
                continue;
            };
            let result = if is_state {
                slot.tracker.handle_state(raw, join_ref.as_deref()).map(Some)
            } else {
                slot.tracker.handle_diff(raw, join_ref.as_deref())
            };
            match result {
                Ok(Some(changes)) => out.push(Event::Presence { presence: slot.id, changes }),
                Ok(None) => {}
                // not JSON at all: the frame is malformed (the readers change nothing
                // before they have read the whole payload)
                Err(_) if unchecked && json::validate(raw).is_err() => return Err(MalformedPayload),
                Err(e) => out.push(Event::Error { reason: cat(&["malformed ", &msg.event, " on ", &msg.topic, ": ", &e.message()]) }),
            }
        }
        for e in out {
            self.emit(e);
        }
        Ok(())
    }

    /// Tracks presence on a channel (phoenix.js `new Presence(channel, {events})`):
    /// `state_event` / `diff_event` default to `presence_state` / `presence_diff`.
    pub fn presence(&mut self, channel: ChannelId, state_event: Option<&str>, diff_event: Option<&str>) -> Result<PresenceId, ChannelError> {
        self.chan(channel)?;
        self.next_presence = self.next_presence.wrapping_add(1);
        let id = PresenceId(self.next_presence);
        self.presences.push(PresenceSlot {
            id,
            channel,
            state_event: state_event.unwrap_or("presence_state").to_owned(),
            diff_event: diff_event.unwrap_or("presence_diff").to_owned(),
            tracker: PresenceTracker::default(),
        });
        Ok(id)
    }

    /// The synced state of a presence tracker.
    pub fn presence_state(&self, id: PresenceId) -> Option<&PresenceState> {
        self.presences.iter().find(|p| p.id == id).map(|p| &p.tracker.state)
    }

    /// Whether a presence tracker is holding diffs until the state of the current join.
    pub fn presence_pending(&self, id: PresenceId) -> Option<bool> {
        let p = self.presences.iter().find(|p| p.id == id)?;
        Some(p.tracker.in_pending_sync_state(self.join_ref_of(p.channel).as_deref()))
    }

    /// Whether [`Event::Presence`] lists the joins and leaves (on by default); off,
    /// it only marks each applied sync, and a sync copies no presence.
    pub fn set_presence_reporting(&mut self, id: PresenceId, on: bool) {
        if let Some(p) = self.presences.iter_mut().find(|p| p.id == id) {
            p.tracker.state.set_reporting(on);
        }
    }

    /// Whether a presence tracker notes the keys each sync changes
    /// ([`Socket::presence_touched`]); off by default.
    pub fn watch_presence_changes(&mut self, id: PresenceId, on: bool) {
        if let Some(p) = self.presences.iter_mut().find(|p| p.id == id) {
            p.tracker.state.watch_changes(on);
        }
    }

    /// What a watched presence tracker changed since the last call.
    pub fn presence_touched(&mut self, id: PresenceId) -> Touched {
        self.presences.iter_mut().find(|p| p.id == id).map(|p| p.tracker.state.take_touched()).unwrap_or(Touched::Keys(Vec::new()))
    }

    /// Stops tracking presence (its state is dropped).
    pub fn remove_presence(&mut self, id: PresenceId) {
        self.presences.retain(|p| p.id != id);
    }

    /// Hands `event` to the channel's bindings; the payload is copied only when
    /// somebody listens.
    fn deliver(&mut self, id: ChannelId, event: &str, payload: &Payload, msg_ref: Option<&str>, join_ref: Option<&str>) {
        let Some(bindings) = self.listening(id, event) else { return };
        self.emit(Event::Channel {
            channel: id,
            bindings,
            event: event.to_owned(),
            payload: payload.clone(),
            msg_ref: msg_ref.map(str::to_owned),
            join_ref: join_ref.map(str::to_owned),
        });
    }

    /// [`Self::deliver`] of a whole message no one reads afterwards: its event,
    /// payload and refs are moved into the delivery instead of copied.
    fn deliver_taken(&mut self, id: ChannelId, msg: &mut Message) {
        let Some(bindings) = self.listening(id, &msg.event) else { return };
        self.emit(Event::Channel {
            channel: id,
            bindings,
            event: std::mem::take(&mut msg.event),
            payload: std::mem::replace(&mut msg.payload, Payload::Binary(Vec::new())),
            msg_ref: msg.msg_ref.take(),
            join_ref: msg.join_ref.take(),
        });
    }

    /// The bindings of channel `id` for `event`, when there are any.
    fn listening(&self, id: ChannelId, event: &str) -> Option<Vec<BindingRef>> {
        let bindings = self.channels.get(&id)?.bindings_for(event);
        (!bindings.is_empty()).then_some(bindings)
    }

    fn route_reply(&mut self, id: ChannelId, msg: &Message, now: u64) {
        let Some(r) = &msg.msg_ref else { return };
        let Some(&push) = ref_number(r).and_then(|n| self.reply_refs.get(&n)) else { return };
        if self.pushes.get(&push).map(|p| p.channel) != Some(id) {
            return;
        }
        match msg.reply() {
            Ok(reply) => self.resolve(push, &reply.status, reply.response, now),
            Err(e) => {
                self.emit(Event::Error { reason: e.message() });
                self.resolve(push, "error", reason_json("malformed reply"), now);
            }
        }
    }

    // ----------------------------------------------------------------- pushes

    fn new_push(&mut self, channel: ChannelId, kind: PushKind, event: &str, payload: Payload, timeout: u64) -> PushId {
        self.next_push = self.next_push.wrapping_add(1);
        let id = PushId(self.next_push);
        self.pushes.insert(id, Box::new(PushRec { channel, kind, event: event.to_owned(), payload, timeout, msg_ref: None, timed_out: false, awaiting_params: false }));
        id
    }

    /// phoenix.js `Push.startTimeout`: a fresh ref, bound for the reply, and a timer.
    fn start_timeout(&mut self, id: PushId, now: u64) -> Option<String> {
        let r = self.make_ref();
        let p = self.pushes.get_mut(&id)?;
        if let Some(old) = p.msg_ref.replace(r.clone()).as_deref().and_then(ref_number) {
            self.reply_refs.remove(&old);
        }
        let timeout = p.timeout;
        self.reply_refs.insert(self.next_ref, id);
        self.timers.arm(TimerKey::PushTimeout(id), now + timeout);
        Some(r)
    }

    /// phoenix.js `cancelTimeout` + `cancelRefEvent`: no timer, no reply routing;
    /// the ref is kept (a join's ref stays the channel's join ref).
    fn cancel_timeout(&mut self, id: PushId) {
        self.timers.cancel(TimerKey::PushTimeout(id));
        if let Some(n) = self.pushes.get(&id).and_then(|p| p.msg_ref.as_deref()).and_then(ref_number) {
            self.reply_refs.remove(&n);
        }
    }

    /// phoenix.js `Push.reset`: as [`Self::cancel_timeout`], and the ref is forgotten.
    fn reset_push(&mut self, id: PushId) {
        self.cancel_timeout(id);
        if let Some(p) = self.pushes.get_mut(&id) {
            p.msg_ref = None;
            p.timed_out = false;
            p.awaiting_params = false;
        }
    }

    /// phoenix.js `Push.send`.
    fn send_push(&mut self, id: PushId, now: u64) {
        let Some(p) = self.pushes.get(&id) else { return };
        if p.timed_out {
            return;
        }
        let (channel, kind) = (p.channel, p.kind);
        if kind == PushKind::Join {
            let Some(ch) = self.channels.get(&channel) else { return };
            match &ch.params {
                Source::Fixed(text) => {
                    let text = text.clone();
                    return self.send_join(id, channel, Ok(text), now);
                }
                Source::Ask => {
                    self.pushes.get_mut(&id).expect("checked above").awaiting_params = true;
                    self.outputs.push_back(Output::JoinParams { channel });
                    return;
                }
            }
        }
        self.send_started(id, now);
    }

    /// The answer to [`Output::JoinParams`]: the channel's join params (a JSON object as
    /// text), or why they could not be made (the join fails with that reason). Answers
    /// no longer wanted (the channel left or was removed) are ignored.
    pub fn join_params(&mut self, channel: ChannelId, params: Result<String, String>, now: u64) {
        let Some(jp) = self.channels.get(&channel).filter(|c| c.state == ChannelState::Joining).map(|c| c.join_push) else { return };
        let awaiting = self.pushes.get_mut(&jp).is_some_and(|p| std::mem::take(&mut p.awaiting_params));
        if awaiting {
            self.send_join(jp, channel, params, now);
        }
    }

    /// Sends the join push `id` of `channel` with its params.
    fn send_join(&mut self, id: PushId, channel: ChannelId, params: Result<String, String>, now: u64) {
        let Some(ch) = self.channels.get(&channel) else { return };
        let params = match (params, ch.reliable.as_ref()) {
            (Ok(text), None) => Payload::json(text).map_err(|e| e.message()),
            (Ok(text), Some(r)) => r.join_params(&text).map(Payload::Json).map_err(|e| cat(&["join params: ", &e.message()])),
            (Err(e), _) => Err(e),
        };
        match params {
            Ok(payload) => self.pushes.get_mut(&id).expect("the channel's join push").payload = payload,
            Err(e) => {
                let reason = cat(&[reasons::PARAMS_FAILED, ": ", &e]);
                self.emit(Event::Error { reason: reason.clone() });
                return self.resolve(id, "error", reason_json(&reason), now);
            }
        }
        self.send_started(id, now);
    }

    /// Sends push `id` (its payload ready): now, or into the send buffer.
    fn send_started(&mut self, id: PushId, now: u64) {
        let Some(p) = self.pushes.get(&id) else { return };
        let (channel, kind) = (p.channel, p.kind);
        let Some(r) = self.start_timeout(id, now) else { return };
        let p = &self.pushes[&id];
        let join_ref = if kind == PushKind::Join { Some(r.as_str()) } else { self.join_ref(channel) };
        let topic = &self.channels[&channel].topic;
        if self.is_connected() {
            // sent from the push's own fields: nothing copied to send it
            return match self.send_now(join_ref, Some(&r), topic, &p.event, &p.payload) {
                Ok(sent) => self.output(sent),
                Err(e) => self.encode_failed(id, e, now),
            };
        }
        let msg = Message {
            join_ref: join_ref.map(str::to_owned),
            msg_ref: Some(r.clone()),
            topic: topic.clone(),
            event: p.event.clone(),
            payload: p.payload.clone(),
        };
        self.socket_push(msg, Some(id), now);
    }

    /// phoenix.js `Socket.push`: send now, or buffer until open.
    fn socket_push(&mut self, msg: Message, push: Option<PushId>, now: u64) {
        if self.is_connected() {
            if let (Err(e), Some(id)) = (self.transmit(&msg), push) {
                self.encode_failed(id, e, now);
            }
        } else if self.send_buffer.len() >= self.config.max_send_buffer {
            if let Some(id) = push {
                self.resolve(id, "error", reason_json(reasons::BUFFER_FULL), now);
            }
        } else {
            self.send_buffer.push_back(Buffered { msg, push });
        }
    }

    /// Sends `msg` now (connected).
    fn transmit(&mut self, msg: &Message) -> Result<(), serializer::EncodeError> {
        let sent = self.send_now(msg.join_ref.as_deref(), msg.msg_ref.as_deref(), &msg.topic, &msg.event, &msg.payload)?;
        self.output(sent);
        Ok(())
    }

    /// What sends a message now, from its fields: its frame (or the message, for the
    /// application's encoder), and with logging on, the log line and payload.
    fn send_now(&self, join_ref: Option<&str>, msg_ref: Option<&str>, topic: &str, event: &str, payload: &Payload) -> Result<Sent, serializer::EncodeError> {
        let out = if self.config.custom_codec {
            Output::SendMessage(Message {
                join_ref: join_ref.map(str::to_owned),
                msg_ref: msg_ref.map(str::to_owned),
                topic: topic.to_owned(),
                event: event.to_owned(),
                payload: payload.clone(),
            })
        } else {
            Output::Send(serializer::encode_fields(join_ref, msg_ref, topic, event, payload)?)
        };
        let log = self.config.log.then(|| {
            (cat(&[topic, " ", event, " (", join_ref.unwrap_or(""), ", ", msg_ref.unwrap_or(""), ")"]), payload.clone())
        });
        Ok(Sent { out, log })
    }

    /// Logs and outputs what [`Socket::send_now`] made.
    fn output(&mut self, Sent { out, log }: Sent) {
        if let Some((line, payload)) = log {
            self.log("push", || line, Some(&payload));
        }
        self.outputs.push_back(out);
    }

    /// A push that could not be encoded fails with the reason.
    fn encode_failed(&mut self, id: PushId, e: serializer::EncodeError, now: u64) {
        self.resolve(id, "error", reason_json(&cat(&[reasons::ENCODE_FAILED, ": ", &e.message()])), now);
    }

    fn flush_send_buffer(&mut self, now: u64) {
        while let Some(b) = self.send_buffer.pop_front() {
            if let Some(id) = b.push {
                // Outdated: resolved meanwhile (timed out), or re-sent with a newer ref.
                let current = self.pushes.get(&id).and_then(|p| p.msg_ref.as_ref());
                if current != b.msg.msg_ref.as_ref() {
                    continue;
                }
            }
            if let (Err(e), Some(id)) = (self.transmit(&b.msg), b.push) {
                self.encode_failed(id, e, now);
            }
        }
    }

    fn push_timed_out(&mut self, id: PushId, now: u64) {
        let Some(p) = self.pushes.get_mut(&id) else { return };
        p.timed_out = true;
        self.resolve(id, "timeout", Payload::empty(), now);
    }

    /// Delivers a push's outcome and runs the channel's reaction to its join/leave.
    fn resolve(&mut self, id: PushId, status: &str, response: Payload, now: u64) {
        self.cancel_timeout(id);
        let Some(p) = self.pushes.get(&id) else { return };
        let (channel, kind) = (p.channel, p.kind);
        let last = kind != PushKind::Join;
        if last {
            self.pushes.remove(&id);
        }
        // the channel reacts first (phoenix.js binds its own hooks before the application's)
        match kind {
            PushKind::Join => {
                if status == "ok" {
                    self.check_reliable_reset(channel, &response);
                }
                self.join_outcome(channel, status, now);
                if status == "ok" {
                    // what was delivered before the channel lost its connection is acknowledged now
                    self.maybe_ack(channel, true, now);
                }
            }
            PushKind::Leave => self.channel_closed(channel),
            PushKind::Event => {}
        }
        self.emit(Event::PushReply { push: id, status: status.to_owned(), response, last });
    }

    // --------------------------------------------------------------- channels

    /// Creates a channel for `topic` (phoenix.js `socket.channel(topic, params)`).
    pub fn channel(&mut self, topic: &str, params: Params) -> ChannelId {
        self.channel_with(topic, params, ChannelOptions::default())
    }

    /// [`Socket::channel`] with options beyond phoenix.js (reliable delivery, un-batching).
    pub fn channel_with(&mut self, topic: &str, params: Params, options: ChannelOptions) -> ChannelId {
        self.next_channel = self.next_channel.wrapping_add(1);
        let id = ChannelId(self.next_channel);
        let timeout = self.config.timeout;
        let join_push = self.new_push(id, PushKind::Join, events::JOIN, Payload::empty(), timeout);
        self.channels.insert(
            id,
            Channel {
                topic: topic.to_owned(),
                params,
                state: ChannelState::Closed,
                joined_once: false,
                join_push,
                timeout,
                rejoin: Backoff::default(),
                push_buffer: Vec::new(),
                bindings: Vec::new(),
                next_binding: 0,
                reliable: match options.resume {
                    Some(cursor) => Some(reliable::Reliable::resuming(cursor)),
                    None => options.reliable.then(reliable::Reliable::default),
                },
                report_cursor: options.resume.is_some(),
                unbatch: options.unbatch,
            },
        );
        self.channel_order.push(id);
        id
    }

    fn chan(&self, id: ChannelId) -> Result<&Channel, ChannelError> {
        self.channels.get(&id).ok_or(ChannelError::UnknownChannel)
    }

    fn chan_mut(&mut self, id: ChannelId) -> Result<&mut Channel, ChannelError> {
        self.channels.get_mut(&id).ok_or(ChannelError::UnknownChannel)
    }

    /// The channel's topic.
    pub fn topic(&self, id: ChannelId) -> Result<&str, ChannelError> {
        self.chan(id).map(|c| c.topic.as_str())
    }

    /// The channel's state.
    pub fn channel_state(&self, id: ChannelId) -> Result<ChannelState, ChannelError> {
        self.chan(id).map(|c| c.state)
    }

    /// The ref of the channel's current join, if one was sent.
    pub fn join_ref_of(&self, id: ChannelId) -> Option<String> {
        self.join_ref(id).map(str::to_owned)
    }

    /// [`Socket::join_ref_of`], borrowed.
    fn join_ref(&self, id: ChannelId) -> Option<&str> {
        let ch = self.channels.get(&id)?;
        self.pushes.get(&ch.join_push)?.msg_ref.as_deref()
    }

    /// The channel's join push.
    pub fn join_push(&self, id: ChannelId) -> Result<PushId, ChannelError> {
        self.chan(id).map(|c| c.join_push)
    }

    /// Joins the channel (once per channel); returns the join push.
    pub fn join(&mut self, id: ChannelId, timeout: Option<u64>, now: u64) -> Result<PushId, ChannelError> {
        let ch = self.chan_mut(id)?;
        if ch.joined_once {
            return Err(ChannelError::JoinedTwice(ch.topic.clone()));
        }
        ch.joined_once = true;
        let join_push = ch.join_push;
        self.rejoin(id, timeout, now);
        Ok(join_push)
    }

    fn set_state(&mut self, id: ChannelId, state: ChannelState) {
        if let Some(ch) = self.channels.get_mut(&id) {
            if ch.state != state {
                ch.state = state;
                self.emit(Event::ChannelState { channel: id, state });
            }
        }
    }

    fn rejoin(&mut self, id: ChannelId, timeout: Option<u64>, now: u64) {
        let Some(ch) = self.channels.get(&id) else { return };
        if ch.state == ChannelState::Leaving {
            return;
        }
        let (topic, join_push) = (ch.topic.clone(), ch.join_push);
        self.leave_open_topic(&topic, id, now);
        self.set_state(id, ChannelState::Joining);
        // phoenix.js Push.resend: reset, then send
        self.reset_push(join_push);
        if let Some(p) = self.pushes.get_mut(&join_push) {
            if let Some(t) = timeout {
                p.timeout = t;
            }
        }
        self.send_push(join_push, now);
    }

    fn leave_open_topic(&mut self, topic: &str, except: ChannelId, now: u64) {
        let dup = self.channel_order.iter().copied().find(|&c| {
            c != except && {
                let ch = &self.channels[&c];
                ch.topic == topic && matches!(ch.state, ChannelState::Joined | ChannelState::Joining)
            }
        });
        if let Some(dup) = dup {
            let _ = self.leave(dup, None, now);
        }
    }

    fn join_outcome(&mut self, id: ChannelId, status: &str, now: u64) {
        let Some(ch) = self.channels.get(&id) else { return };
        if ch.state != ChannelState::Joining {
            return;
        }
        match status {
            "ok" => {
                self.set_state(id, ChannelState::Joined);
                self.timers.cancel(TimerKey::Rejoin(id));
                let ch = self.channels.get_mut(&id).expect("checked above");
                ch.rejoin.reset();
                for p in std::mem::take(&mut ch.push_buffer) {
                    self.send_push(p, now);
                }
            }
            "timeout" => {
                // tell the server we gave up on this join, then retry later
                let timeout = self.channels[&id].timeout;
                let leave = self.new_push(id, PushKind::Event, events::LEAVE, Payload::empty(), timeout);
                self.send_push(leave, now);
                let jp = self.channels[&id].join_push;
                self.reset_push(jp);
                self.set_state(id, ChannelState::Errored);
                self.schedule_rejoin(id, now);
            }
            _ => {
                self.set_state(id, ChannelState::Errored);
                self.schedule_rejoin(id, now);
            }
        }
    }

    fn schedule_rejoin(&mut self, id: ChannelId, now: u64) {
        if !self.is_connected() {
            return;
        }
        let Some(ch) = self.channels.get(&id) else { return };
        match ch.rejoin.next_delay(&self.config.rejoin_after) {
            Some(delay) => self.timers.arm(TimerKey::Rejoin(id), now + delay),
            None => {
                let tries = ch.rejoin.next_try();
                self.outputs.push_back(Output::RetryDelay { retry: Retry::Rejoin(id), tries });
            }
        }
    }

    /// The channel errored (server `phx_error`, or the transport failed).
    fn channel_errored(&mut self, id: ChannelId, payload: Payload, msg_ref: Option<String>, join_ref: Option<String>, now: u64) {
        let Some(ch) = self.channels.get(&id) else { return };
        if matches!(ch.state, ChannelState::Errored | ChannelState::Leaving | ChannelState::Closed) {
            return;
        }
        if ch.state == ChannelState::Joining {
            let jp = ch.join_push;
            self.reset_push(jp);
        }
        self.set_state(id, ChannelState::Errored);
        // a rejoin is due: by backoff while connected, otherwise right on the next open
        self.schedule_rejoin(id, now);
        self.deliver(id, events::ERROR, &payload, msg_ref.as_deref(), join_ref.as_deref());
    }

    /// The channel closed (left, or server `phx_close`): it is removed from the socket.
    fn channel_closed(&mut self, id: ChannelId) {
        let Some(ch) = self.channels.get(&id) else { return };
        if ch.state == ChannelState::Closed && !ch.joined_once {
            return;
        }
        let jp = ch.join_push;
        self.timers.cancel(TimerKey::Rejoin(id));
        self.cancel_timeout(jp);
        self.set_state(id, ChannelState::Closed);
        self.deliver(id, events::CLOSE, &Payload::empty(), None, None);
        self.remove(id);
    }

    /// Binds `event` on the channel; returns the binding's ref.
    pub fn on(&mut self, id: ChannelId, event: &str) -> Result<BindingRef, ChannelError> {
        Ok(self.chan_mut(id)?.bind(event))
    }

    /// Unbinds one binding of `event` (by ref), or all of them; returns the removed refs.
    pub fn off(&mut self, id: ChannelId, event: &str, r: Option<BindingRef>) -> Result<Vec<BindingRef>, ChannelError> {
        Ok(self.chan_mut(id)?.unbind(event, r))
    }

    /// Pushes `event` with `payload`: sent now if joined and connected, otherwise
    /// buffered until the join succeeds. Returns the push; its outcome arrives as
    /// [`Event::PushReply`].
    pub fn push(&mut self, id: ChannelId, event: &str, payload: Payload, timeout: Option<u64>, now: u64) -> Result<PushId, ChannelError> {
        let ch = self.chan(id)?;
        if !ch.joined_once {
            return Err(ChannelError::PushBeforeJoin { topic: ch.topic.clone(), event: event.to_owned() });
        }
        let timeout = timeout.unwrap_or(ch.timeout);
        let (state, buffered) = (ch.state, ch.push_buffer.len());
        let push = self.new_push(id, PushKind::Event, event, payload, timeout);
        if self.is_connected() && state == ChannelState::Joined {
            self.send_push(push, now);
        } else if state == ChannelState::Closed {
            self.resolve(push, "error", reason_json(reasons::CHANNEL_CLOSED), now);
        } else if buffered >= self.config.max_send_buffer {
            self.resolve(push, "error", reason_json(reasons::BUFFER_FULL), now);
        } else {
            self.start_timeout(push, now);
            self.chan_mut(id)?.push_buffer.push(push);
        }
        Ok(push)
    }

    /// Hands a refreshed token to the server without reconnecting
    /// (docs/token-refresh.md): pushes [`events::ACCESS_TOKEN`] `{"access_token": token}`
    /// on every channel that has joined and is not leaving or closed (sent now when
    /// joined, otherwise buffered until the rejoin, as any push), and makes `token` the
    /// [`Config::auth_token`] of later connects when that is a fixed token. Returns the
    /// pushes, one per channel, in channel order; each channel's outcome arrives as its
    /// [`Event::PushReply`].
    pub fn refresh_token(&mut self, token: &str, timeout: Option<u64>, now: u64) -> Vec<(ChannelId, PushId)> {
        if let Source::Fixed(Some(t)) = &mut self.config.auth_token {
            token.clone_into(t);
        }
        let payload = string_field("access_token", token);
        let mut pushes = Vec::new();
        for i in 0..self.channel_order.len() {
            let id = self.channel_order[i];
            let ch = &self.channels[&id];
            if ch.joined_once && matches!(ch.state, ChannelState::Joined | ChannelState::Joining | ChannelState::Errored) {
                if let Ok(push) = self.push(id, events::ACCESS_TOKEN, payload.clone(), timeout, now) {
                    pushes.push((id, push));
                }
            }
        }
        pushes
    }

    /// Leaves the channel; it closes on the server's `ok` or on timeout.
    pub fn leave(&mut self, id: ChannelId, timeout: Option<u64>, now: u64) -> Result<PushId, ChannelError> {
        let ch = self.chan(id)?;
        let connected = self.is_connected();
        let can_push = connected && ch.state == ChannelState::Joined;
        let (jp, timeout) = (ch.join_push, timeout.unwrap_or(ch.timeout));
        self.timers.cancel(TimerKey::Rejoin(id));
        self.chan_mut(id)?.rejoin.reset();
        self.cancel_timeout(jp);
        self.set_state(id, ChannelState::Leaving);
        let leave = self.new_push(id, PushKind::Leave, events::LEAVE, Payload::empty(), timeout);
        // sent whenever connected, as phoenix.js does: a join still waiting for its reply
        // may already have joined on the server, which must hear of the leave
        if connected {
            self.send_push(leave, now);
        }
        if !can_push {
            self.resolve(leave, "ok", Payload::empty(), now);
        }
        Ok(leave)
    }

    /// Removes the channel from the socket; its buffered pushes fail with
    /// `channel_closed`, its timers are cancelled and its bindings dropped.
    pub fn remove(&mut self, id: ChannelId) {
        let Some(ch) = self.channels.remove(&id) else { return };
        self.channel_order.retain(|c| *c != id);
        self.timers.cancel(TimerKey::Rejoin(id));
        self.timers.cancel(TimerKey::Ack(id));
        for p in ch.push_buffer {
            // application pushes: resolving them schedules nothing, so no clock is needed
            self.resolve(p, "error", reason_json(reasons::CHANNEL_CLOSED), 0);
        }
        self.cancel_timeout(ch.join_push);
        self.pushes.remove(&ch.join_push);
        let presences = self.presences.iter().filter(|p| p.channel == id).map(|p| p.id).collect();
        self.presences.retain(|p| p.channel != id);
        self.emit(Event::ChannelRemoved { channel: id, join_push: ch.join_push, presences });
    }
}
