//! A socket's configuration from one named JSON object: what a host checked once (the
//! JS package's `js/options.js`) hands the core as plain data. The defaults live in
//! [`Config::new`] alone; a key that is not given keeps its default.
//!
//! ```
//! use phoenix_wasm::core::{Config, Schedule, Source};
//!
//! let c = Config::from_options("/socket", r#"{"timeout":5000,"params":{"token":"t"},"ask":["reconnectAfterMs"]}"#).unwrap();
//! assert_eq!(c.timeout, 5000);
//! assert_eq!(c.params, Source::json(r#"{"token":"t"}"#));
//! assert_eq!(c.reconnect_after, Schedule::Ask);
//! assert_eq!(c.heartbeat_interval, Config::new("/socket").heartbeat_interval);
//! ```
//!
//! The keys, each optional: `timeout`, `heartbeatIntervalMs`, `heartbeatTimeoutMs`,
//! `maxSendBuffer`, `maxFrameBytes`, `seed` (non-negative integers); `vsn`,
//! `correlationId`, `authToken`, `pageProtocol`, `pageHost` (strings); `jitter`,
//! `reconnectWhileHidden`, `log`, `codec` (booleans); `reconnectAfterMs`, `rejoinAfterMs`
//! (arrays of delays); `params` (an object); `ask`, the names of what the host computes
//! each time (`params`, `authToken`, `reconnectAfterMs`, `rejoinAfterMs`,
//! `beforeReconnect`).

use super::backoff::Schedule;
use super::endpoint::PageLocation;
use super::json::{self, JsonError};
use super::socket::Config;
use super::source::Source;
use super::text::cat;

/// The kind of value an option takes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Text,
    Flag,
    Steps,
    Object,
}

/// The options, each with the kind of value it takes (the index is the option's number
/// in [`Config::from_options`]'s `match`).
const OPTIONS: [(&str, Kind); 18] = [
    ("timeout", Kind::Int),
    ("heartbeatIntervalMs", Kind::Int),
    ("heartbeatTimeoutMs", Kind::Int),
    ("maxSendBuffer", Kind::Int),
    ("maxFrameBytes", Kind::Int),
    ("seed", Kind::Int),
    ("vsn", Kind::Text),
    ("correlationId", Kind::Text),
    ("authToken", Kind::Text),
    ("pageProtocol", Kind::Text),
    ("pageHost", Kind::Text),
    ("jitter", Kind::Flag),
    ("reconnectWhileHidden", Kind::Flag),
    ("log", Kind::Flag),
    ("codec", Kind::Flag),
    ("reconnectAfterMs", Kind::Steps),
    ("rejoinAfterMs", Kind::Steps),
    ("params", Kind::Object),
];

/// What may be asked for (`ask`), in the order of [`Config::from_options`]'s `match`.
const ASKED: [&str; 5] = ["params", "authToken", "reconnectAfterMs", "rejoinAfterMs", "beforeReconnect"];

/// An option's value, read as its kind.
enum Value {
    Int(u64),
    Text(String),
    Flag(bool),
    Steps(Schedule),
    Raw,
}

impl Config {
    /// The configuration for `endpoint` from the named options in `options` (a JSON
    /// object, keys above); an unknown key or a value of the wrong type is an error that
    /// names it.
    pub fn from_options(endpoint: &str, options: &str) -> Result<Config, String> {
        let mut c = Config::new(endpoint);
        let mut page = (None, None);
        let mut walk = json::members(options).map_err(|e| bad("options", &e))?;
        while let Some((raw_key, raw)) = walk.member().map_err(|e| bad("options", &e))? {
            let key = json::unescape(raw_key).map_err(|e| bad("options", &e))?;
            if key == "ask" {
                let mut names = json::items(raw).map_err(|e| bad("ask", &e))?;
                while let Some(name) = names.item().map_err(|e| bad("ask", &e))? {
                    let asked = json::opt_string(name).ok().flatten();
                    match ASKED.iter().position(|a| Some(*a) == asked.as_deref()) {
                        Some(0) => c.params = Source::Ask,
                        Some(1) => c.auth_token = Source::Ask,
                        Some(2) => c.reconnect_after = Schedule::Ask,
                        Some(3) => c.rejoin_after = Schedule::Ask,
                        Some(_) => c.before_reconnect = true,
                        None => return Err(cat(&["option ask: nothing named ", name, " is asked for"])),
                    }
                }
                continue;
            }
            let Some(i) = OPTIONS.iter().position(|(k, _)| *k == key) else {
                return Err(cat(&["unknown option ", &key]));
            };
            let kind = OPTIONS[i].1;
            let value = read(kind, raw).ok_or_else(|| cat(&["option ", &key, " must be ", what(kind)]))?;
            match (i, value) {
                (0, Value::Int(n)) => c.timeout = n,
                (1, Value::Int(n)) => c.heartbeat_interval = n,
                (2, Value::Int(n)) => c.heartbeat_timeout = Some(n),
                (3, Value::Int(n)) => c.max_send_buffer = n as usize,
                (4, Value::Int(n)) => c.max_frame_bytes = n as usize,
                (5, Value::Int(n)) => c.seed = Some(n),
                (6, Value::Text(t)) => c.vsn = t,
                (7, Value::Text(t)) => c.correlation_id = Some(t),
                (8, Value::Text(t)) => c.auth_token = Source::Fixed(Some(t)),
                (9, Value::Text(t)) => page.0 = Some(t),
                (10, Value::Text(t)) => page.1 = Some(t),
                (11, Value::Flag(b)) => c.jitter = b,
                (12, Value::Flag(b)) => c.reconnect_while_hidden = b,
                (13, Value::Flag(b)) => c.log = b,
                (14, Value::Flag(b)) => c.custom_codec = b,
                (15, Value::Steps(s)) => c.reconnect_after = s,
                (16, Value::Steps(s)) => c.rejoin_after = s,
                _ => c.params = Source::json(raw),
            }
        }
        if let (Some(protocol), Some(host)) = page {
            c.page = Some(PageLocation { protocol, host });
        }
        Ok(c)
    }
}

/// `raw` read as `kind`, if it is one.
fn read(kind: Kind, raw: &str) -> Option<Value> {
    Some(match kind {
        Kind::Int => Value::Int(uint(raw)?),
        Kind::Text if raw.starts_with('"') => Value::Text(json::unescape(raw).ok()?),
        Kind::Flag if raw == "true" || raw == "false" => Value::Flag(raw == "true"),
        Kind::Steps => Value::Steps(steps(raw)?),
        Kind::Object if raw.starts_with('{') => Value::Raw,
        _ => return None,
    })
}

/// What an option of `kind` must be, for its error.
fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "a non-negative integer",
        Kind::Text => "a string",
        Kind::Flag => "a boolean",
        Kind::Steps => "an array of delays",
        _ => "an object",
    }
}

fn bad(what: &str, e: &JsonError) -> String {
    cat(&[what, ": ", &e.message()])
}

/// A non-negative integer literal (no sign, fraction or exponent).
fn uint(raw: &str) -> Option<u64> {
    let mut n: u64 = 0;
    for b in raw.bytes() {
        n = n.checked_mul(10)?.checked_add((b as char).to_digit(10)? as u64)?;
    }
    (!raw.is_empty()).then_some(n)
}

/// A JSON array of delays as a schedule (at least one).
fn steps(raw: &str) -> Option<Schedule> {
    let mut walk = json::items(raw).ok()?;
    let mut out = Vec::new();
    while let Some(v) = walk.item().ok()? {
        out.push(uint(v)?);
    }
    (!out.is_empty()).then_some(Schedule::Steps(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_sets_its_field_and_nothing_else_changes() {
        let opts = r#"{"timeout":1,"heartbeatIntervalMs":2,"heartbeatTimeoutMs":3,"maxSendBuffer":4,"maxFrameBytes":5,"seed":6,
            "vsn":"1.0.0","correlationId":"c","authToken":"t\u00e9","pageProtocol":"https:","pageHost":"h:1",
            "jitter":true,"reconnectWhileHidden":false,"log":true,"codec":true,
            "reconnectAfterMs":[7,8],"rejoinAfterMs":[9],"params":{"a":[1]}}"#;
        let c = Config::from_options("/s", opts).unwrap();
        assert_eq!((c.timeout, c.heartbeat_interval, c.heartbeat_timeout, c.max_send_buffer, c.max_frame_bytes, c.seed), (1, 2, Some(3), 4, 5, Some(6)));
        assert_eq!((c.vsn.as_str(), c.correlation_id.as_deref()), ("1.0.0", Some("c")));
        assert_eq!(c.auth_token, Source::Fixed(Some("té".to_owned())));
        assert_eq!(c.page, Some(PageLocation { protocol: "https:".into(), host: "h:1".into() }));
        assert!(c.jitter && !c.reconnect_while_hidden && c.log && c.custom_codec && !c.before_reconnect);
        assert_eq!((c.reconnect_after, c.rejoin_after), (Schedule::Steps(vec![7, 8]), Schedule::Steps(vec![9])));
        assert_eq!(c.params, Source::json(r#"{"a":[1]}"#));
        assert_eq!(c.endpoint, "/s");
    }

    #[test]
    fn no_options_are_the_defaults() {
        let (a, b) = (Config::from_options("/s", "{}").unwrap(), Config::new("/s"));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn what_is_asked_for() {
        let c = Config::from_options("/s", r#"{"ask":["params","authToken","reconnectAfterMs","rejoinAfterMs","beforeReconnect"]}"#).unwrap();
        assert!(c.params.is_ask() && c.auth_token.is_ask() && c.before_reconnect);
        assert_eq!((c.reconnect_after, c.rejoin_after), (Schedule::Ask, Schedule::Ask));
    }

    #[test]
    fn a_wrong_option_is_named() {
        for (opts, error) in [
            (r#"{"timeout":-1}"#, "option timeout must be a non-negative integer"),
            (r#"{"timeout":1.5}"#, "option timeout must be a non-negative integer"),
            (r#"{"vsn":2}"#, "option vsn must be a string"),
            (r#"{"jitter":1}"#, "option jitter must be a boolean"),
            (r#"{"params":[]}"#, "option params must be an object"),
            (r#"{"reconnectAfterMs":[]}"#, "option reconnectAfterMs must be an array of delays"),
            (r#"{"rejoinAfterMs":["1"]}"#, "option rejoinAfterMs must be an array of delays"),
            (r#"{"ask":["token"]}"#, r#"option ask: nothing named "token" is asked for"#),
            (r#"{"heartbeat":1}"#, "unknown option heartbeat"),
        ] {
            assert_eq!(Config::from_options("/s", opts).unwrap_err(), error, "{opts}");
        }
        assert!(Config::from_options("/s", "[]").unwrap_err().ends_with("expected an object"));
        assert!(Config::from_options("/s", r#"{"timeout":1"#).unwrap_err().starts_with("options: "));
    }
}
