//! [`SocketBuilder`]: a socket's options with Rust types, phoenix.js's options one by
//! one: `Duration`s for times, closures for what is computed per connect (params, auth
//! token) or per retry (reconnect and rejoin delays), serde values for params.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use super::host::ms;
use super::socket::{Hooks, Socket};
use super::{json_of, Error};
use crate::core::{Config, Source};

/// Builds a [`Socket`]: `Socket::builder(endpoint)`, options, then [`SocketBuilder::build`].
/// An option not set keeps phoenix.js's default.
///
/// ```no_run
/// use std::time::Duration;
/// use phoenix_wasm::web::Socket;
///
/// # fn run(current_token: fn() -> String) -> Result<(), phoenix_wasm::web::Error> {
/// let socket = Socket::builder("/socket")
///     .params_with(move || Params { token: current_token() })
///     .timeout(Duration::from_secs(5))
///     .heartbeat_interval(Duration::from_secs(15))
///     .reconnect_after(|tries| Duration::from_millis([100, 500, 1_000, 5_000][(tries as usize - 1).min(3)]))
///     .build()?;
/// socket.connect();
/// # Ok(()) }
/// #[derive(serde::Serialize)]
/// struct Params { token: String }
/// ```
#[must_use = "a builder does nothing until `build`"]
pub struct SocketBuilder {
    config: Config,
    hooks: Hooks,
    /// The first option that could not be taken (reported by `build`).
    error: Option<String>,
}


impl SocketBuilder {
    /// phoenix.js's defaults for `endpoint` (`/websocket` is appended).
    pub fn new(endpoint: &str) -> SocketBuilder {
        SocketBuilder { config: Config::new(endpoint), hooks: Hooks::default(), error: None }
    }

    /// The connect params (phoenix.js `params`): a serde value that serializes to an object.
    pub fn params(mut self, params: &impl Serialize) -> SocketBuilder {
        match json_of(params) {
            Ok(json) => self.config.params = Source::Fixed(json),
            Err(e) => self.error = self.error.or(Some(format!("params: {e}"))),
        }
        self
    }

    /// Connect params computed on every connect (e.g. the current token).
    pub fn params_with<P: Serialize>(mut self, params: impl Fn() -> P + 'static) -> SocketBuilder {
        self.hooks.params = Some(Box::new(move || json_of(&params())));
        self
    }

    /// The auth token, sent as a subprotocol (Phoenix 1.8 `auth_token`).
    pub fn auth_token(mut self, token: &str) -> SocketBuilder {
        self.config.auth_token = Source::Fixed(Some(token.to_owned()));
        self
    }

    /// An auth token computed on every connect (`None`: no token this time).
    pub fn auth_token_with(mut self, token: impl Fn() -> Option<String> + 'static) -> SocketBuilder {
        self.hooks.auth_token = Some(Box::new(move || Ok(token())));
        self
    }

    /// Default timeout of joins, pushes and leaves (10 s).
    pub fn timeout(mut self, timeout: Duration) -> SocketBuilder {
        self.config.timeout = ms(timeout);
        self
    }

    /// Time between heartbeats (30 s).
    pub fn heartbeat_interval(mut self, interval: Duration) -> SocketBuilder {
        self.config.heartbeat_interval = ms(interval);
        self
    }

    /// How long a heartbeat may go unanswered before the connection counts as dead (the
    /// interval).
    pub fn heartbeat_timeout(mut self, timeout: Duration) -> SocketBuilder {
        self.config.heartbeat_timeout = Some(ms(timeout));
        self
    }

    /// The delay before reconnect try `tries` (1, 2, …); phoenix.js's schedule otherwise.
    pub fn reconnect_after(mut self, delay: impl Fn(u32) -> Duration + 'static) -> SocketBuilder {
        self.hooks.reconnect_after = Some(Box::new(move |tries| Some(delay(tries))));
        self
    }

    /// The delay before rejoin try `tries` of a channel; phoenix.js's schedule otherwise.
    pub fn rejoin_after(mut self, delay: impl Fn(u32) -> Duration + 'static) -> SocketBuilder {
        self.hooks.rejoin_after = Some(Box::new(move |tries| Some(delay(tries))));
        self
    }

    /// Full jitter on reconnect delays (each uniform in `[0, delay]`); off by default.
    /// Each socket draws its own random seed, so clients that lost the same server do
    /// not come back in lockstep.
    pub fn jitter(mut self, on: bool) -> SocketBuilder {
        self.config.jitter = on;
        self
    }

    /// A fixed seed for the jitter (reproducible delays, for tests) instead of a random
    /// one per socket.
    pub fn jitter_seed(mut self, seed: u64) -> SocketBuilder {
        self.config.seed = Some(seed);
        self
    }

    /// Most messages held while disconnected, in the send buffer and each channel's push
    /// buffer (1000); beyond it a push answers `error {reason: "buffer_full"}`.
    pub fn max_send_buffer(mut self, messages: usize) -> SocketBuilder {
        self.config.max_send_buffer = messages;
        self
    }

    /// Reconnect while the page is hidden (true: an OBS source in an inactive scene is
    /// hidden and must stay live; phoenix.js ≥ 1.8.2 behaves as false).
    pub fn reconnect_while_hidden(mut self, on: bool) -> SocketBuilder {
        self.config.reconnect_while_hidden = on;
        self
    }

    /// Sent as the `correlation_id` connect param and prefixed to log lines.
    pub fn correlation_id(mut self, id: &str) -> SocketBuilder {
        self.config.correlation_id = Some(id.to_owned());
        self
    }

    /// Frames larger than this close the connection with 1009 (16 MiB).
    pub fn max_frame_bytes(mut self, bytes: usize) -> SocketBuilder {
        self.config.max_frame_bytes = bytes;
        self
    }

    /// Awaited before each reconnect, with the attempt number (e.g. to refresh a token).
    pub fn before_reconnect<F: Future<Output = ()> + 'static>(mut self, hook: impl Fn(u32) -> F + 'static) -> SocketBuilder {
        self.hooks.before_reconnect = Some(Box::new(move |attempt| Box::pin(hook(attempt))));
        self
    }

    /// Log lines: kind (`transport`, `push`, `receive`, `channel` …), line, payload JSON.
    pub fn logger(mut self, logger: impl Fn(&str, &str, Option<&str>) + 'static) -> SocketBuilder {
        self.hooks.logger = Some(Box::new(logger));
        self
    }

    /// The socket (not connected yet: [`Socket::connect`]), or the first option that
    /// could not be taken.
    pub fn build(self) -> Result<Socket, Error> {
        if let Some(e) = self.error {
            return Err(Error(e));
        }
        if let Source::Fixed(p) = &self.config.params {
            if !p.starts_with('{') {
                return Err(Error(format!("params must serialize to a JSON object (got {p})")));
            }
        }
        Ok(Socket::with_hooks(self.config, self.hooks))
    }
}
