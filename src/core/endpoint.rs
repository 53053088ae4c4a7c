//! Endpoint URLs, connect params and the auth-token subprotocol, as phoenix.js builds them.

use super::json;
use super::text::{cat, display_by_message, uint};

/// The page the client runs in, for relative endpoints (`location.protocol` and `location.host`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLocation {
    /// `"http:"`, `"https:"`, `"file:"` …
    pub protocol: String,
    /// `host[:port]`
    pub host: String,
}

/// Why a connection could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// The params are not a JSON object.
    Params(String),
    /// A relative endpoint was given but there is no page location to resolve it.
    RelativeWithoutPage(String),
    /// The auth token contains a character outside Latin-1 (`btoa` would throw).
    TokenNotLatin1,
    /// The base64 of the auth token contains a character that is illegal in a
    /// WebSocket subprotocol (`/`), so the browser would refuse it.
    TokenNotSubprotocolSafe,
}

impl ConnectError {
    /// What went wrong, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            ConnectError::Params(e) => cat(&["socket params must be an object: ", e]),
            ConnectError::RelativeWithoutPage(u) => {
                cat(&["endpoint \"", u, "\" is relative but the page has no location to resolve it against"])
            }
            ConnectError::TokenNotLatin1 => {
                "authToken contains characters outside Latin-1; it cannot be sent as a subprotocol (encode it first, e.g. base64url)".to_owned()
            }
            ConnectError::TokenNotSubprotocolSafe => {
                "authToken encodes to base64 containing '/', which browsers reject in a WebSocket subprotocol; use a token whose base64 has no '/'".to_owned()
            }
        }
    }
}

display_by_message!(ConnectError);

impl std::error::Error for ConnectError {}

/// The subprotocol that carries no token.
pub const PHOENIX_PROTOCOL: &str = "phoenix";
/// The prefix of the token subprotocol.
pub const TOKEN_PROTOCOL_PREFIX: &str = "base64url.bearer.phx.";

/// Appends `/websocket` to a socket endpoint such as `/socket` (phoenix.js does the same).
pub fn websocket_endpoint(endpoint: &str) -> String {
    cat(&[endpoint, "/websocket"])
}

/// Builds the URL to open: params as a query string, then `vsn`, resolved against
/// the page for relative (`/socket`) and protocol-relative (`//host/socket`)
/// endpoints, with `http(s)` turned into `ws(s)`.
pub fn endpoint_url(endpoint: &str, params_json: &str, vsn: &str, page: Option<&PageLocation>) -> Result<String, ConnectError> {
    let mut query = String::new();
    serialize_params(params_json, &mut query)?;
    let mut uri = String::from(endpoint);
    if !query.is_empty() {
        uri.push(if uri.contains('?') { '&' } else { '?' });
        uri.push_str(&query);
    }
    uri.push(if uri.contains('?') { '&' } else { '?' });
    uri.push_str("vsn=");
    encode_uri_component(vsn, &mut uri);

    if let Some(rest) = uri.strip_prefix("https://") {
        return Ok(cat(&["wss://", rest]));
    }
    if let Some(rest) = uri.strip_prefix("http://") {
        return Ok(cat(&["ws://", rest]));
    }
    if !uri.starts_with('/') {
        return Ok(uri);
    }
    let page = page.ok_or_else(|| ConnectError::RelativeWithoutPage(endpoint.to_owned()))?;
    let scheme = if page.protocol.starts_with("https") { "wss" } else { "ws" };
    if uri.starts_with("//") {
        Ok(cat(&[scheme, ":", &uri]))
    } else {
        Ok(cat(&[scheme, "://", &page.host, &uri]))
    }
}

/// Serializes a JSON object as a query string the way phoenix.js's `Ajax.serialize`
/// does: nested objects and arrays become `parent[key]=value`; `null` is skipped.
pub fn serialize_params(params_json: &str, out: &mut String) -> Result<(), ConnectError> {
    let entries = json::object_entries(params_json).map_err(|e| ConnectError::Params(e.message()))?;
    for (key, value) in entries {
        serialize_value(&key, value, out).map_err(|e| ConnectError::Params(e.message()))?;
    }
    Ok(())
}

fn serialize_value(key: &str, raw: &str, out: &mut String) -> Result<(), json::JsonError> {
    let nested: Vec<(String, &str)> = match raw.as_bytes().first() {
        Some(b'{') => json::object_entries(raw)?,
        Some(b'[') => json::array_items(raw)?.into_iter().enumerate().map(|(i, v)| (uint(i as u64), v)).collect(),
        Some(b'n') => return Ok(()),
        _ => {
            let value = if raw.starts_with('"') { json::unescape(raw)? } else { raw.to_owned() };
            if !out.is_empty() {
                out.push('&');
            }
            encode_uri_component(key, out);
            out.push('=');
            encode_uri_component(&value, out);
            return Ok(());
        }
    };
    for (sub, value) in nested {
        serialize_value(&cat(&[key, "[", &sub, "]"]), value, out)?;
    }
    Ok(())
}

/// Whether a param name looks secret (its value is never logged).
pub fn is_secret_name(name: &str) -> bool {
    const SECRET: [&[u8]; 8] = [b"token", b"secret", b"password", b"passwd", b"auth", b"key", b"session", b"jwt"];
    let n = name.as_bytes();
    SECRET.iter().any(|s| n.windows(s.len()).any(|w| w.eq_ignore_ascii_case(s)))
}

/// The URL with the values of secret-looking query params replaced by `[REDACTED]`.
pub fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_owned() };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if is_secret_name(k) => cat(&[k, "=[REDACTED]"]),
            _ => kv.to_owned(),
        })
        .collect();
    cat(&[base, "?", &parts.join("&")])
}

/// A JSON object with the values of secret-looking keys replaced by `"[REDACTED]"`
/// (top level; anything else is returned as it is).
pub fn redact_json(raw: &str) -> String {
    let Ok(entries) = json::object_entries(raw) else { return raw.to_owned() };
    if !entries.iter().any(|(k, _)| is_secret_name(k)) {
        return raw.to_owned();
    }
    let mut out = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_string(&mut out, k);
        out.push(':');
        out.push_str(if is_secret_name(k) { "\"[REDACTED]\"" } else { v });
    }
    out.push('}');
    out
}

/// JavaScript's `encodeURIComponent`, appended to `out`.
pub fn encode_uri_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// The subprotocols to offer, exactly as phoenix.js 1.8.16: none without a token (a
/// default Phoenix endpoint echoes no subprotocol, and a browser that offered one then
/// fails the handshake); with a token, `["phoenix", "base64url.bearer.phx." +
/// base64(token)]` (standard alphabet, no padding), which Phoenix 1.8 decodes and answers
/// with `phoenix`.
pub fn protocols(auth_token: Option<&str>) -> Result<Vec<String>, ConnectError> {
    let mut out = Vec::new();
    if let Some(token) = auth_token {
        out.push(PHOENIX_PROTOCOL.to_owned());
        let mut bytes = Vec::with_capacity(token.len());
        for c in token.chars() {
            bytes.push(u8::try_from(u32::from(c)).map_err(|_| ConnectError::TokenNotLatin1)?);
        }
        let encoded = base64_no_pad(&bytes);
        if encoded.contains('/') {
            return Err(ConnectError::TokenNotSubprotocolSafe);
        }
        out.push(cat(&[TOKEN_PROTOCOL_PREFIX, &encoded]));
    }
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard-alphabet base64 without padding (`btoa(s).replace(/=/g, "")`).
pub fn base64_no_pad(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes standard-alphabet base64 with or without padding (the server's side).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if s.len() % 4 == 1 {
        return None;
    }
    Some(out)
}

/// The token carried by a subprotocol list, if any (the server's side).
pub fn token_from_protocols<'a>(protocols: impl IntoIterator<Item = &'a str>) -> Option<String> {
    protocols.into_iter().find_map(|p| {
        let encoded = p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX)?;
        let bytes = base64_decode(encoded)?;
        Some(bytes.into_iter().map(char::from).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(protocol: &str) -> PageLocation {
        PageLocation { protocol: protocol.into(), host: "example.com".into() }
    }

    // socket_test.js endpointURL: "returns endpoint for given full url"
    #[test]
    fn full_url() {
        let url = endpoint_url("wss://example.org/chat/websocket", "{}", "2.0.0", None).unwrap();
        assert_eq!(url, "wss://example.org/chat/websocket?vsn=2.0.0");
    }

    // "returns endpoint for given protocol-relative url"
    #[test]
    fn protocol_relative_url() {
        let url = endpoint_url("//example.org/chat/websocket", "{}", "2.0.0", Some(&page("https:"))).unwrap();
        assert_eq!(url, "wss://example.org/chat/websocket?vsn=2.0.0");
    }

    // "returns endpoint for given path on https host" and socket_http_test.js
    #[test]
    fn path_on_host() {
        assert_eq!(
            endpoint_url("/socket/websocket", "{}", "2.0.0", Some(&page("https:"))).unwrap(),
            "wss://example.com/socket/websocket?vsn=2.0.0"
        );
        assert_eq!(
            endpoint_url("/socket/websocket", "{}", "2.0.0", Some(&page("http:"))).unwrap(),
            "ws://example.com/socket/websocket?vsn=2.0.0"
        );
        assert!(matches!(endpoint_url("/socket", "{}", "2.0.0", None), Err(ConnectError::RelativeWithoutPage(_))));
    }

    #[test]
    fn http_schemes_become_ws() {
        assert_eq!(endpoint_url("https://h/s/websocket", "{}", "2.0.0", None).unwrap(), "wss://h/s/websocket?vsn=2.0.0");
        assert_eq!(endpoint_url("http://h/s/websocket", "{}", "2.0.0", None).unwrap(), "ws://h/s/websocket?vsn=2.0.0");
    }

    #[test]
    fn params_serialize_like_phoenix_js() {
        let url = endpoint_url(
            "ws://h/socket/websocket",
            r#"{"token":"a b&c","n":5,"ok":true,"user":{"id":7,"tags":["x","y"]},"skip":null}"#,
            "2.0.0",
            None,
        )
        .unwrap();
        assert_eq!(
            url,
            "ws://h/socket/websocket?token=a%20b%26c&n=5&ok=true&user%5Bid%5D=7&user%5Btags%5D%5B0%5D=x&user%5Btags%5D%5B1%5D=y&vsn=2.0.0"
        );
        let with_query = endpoint_url("ws://h/s?x=1", r#"{"y":"2"}"#, "2.0.0", None).unwrap();
        assert_eq!(with_query, "ws://h/s?x=1&y=2&vsn=2.0.0");
        assert!(matches!(endpoint_url("ws://h/s", "[1]", "2.0.0", None), Err(ConnectError::Params(_))));
    }

    // channel_test.js constructor: subprotocols for token "1234"
    #[test]
    fn token_subprotocols_match_phoenix_js() {
        // no token, no subprotocol: a default Phoenix endpoint echoes none
        assert!(protocols(None).unwrap().is_empty());
        assert_eq!(protocols(Some("1234")).unwrap(), vec!["phoenix", "base64url.bearer.phx.MTIzNA"]);
        assert_eq!(protocols(Some("é")).unwrap()[1], "base64url.bearer.phx.6Q"); // btoa("é") = "6Q=="
        assert_eq!(protocols(Some("€")), Err(ConnectError::TokenNotLatin1));
        // btoa("??>") = "Pz8+", btoa("???") = "Pz8/"
        assert_eq!(protocols(Some("??>")).unwrap()[1], "base64url.bearer.phx.Pz8+");
        assert_eq!(protocols(Some("???")), Err(ConnectError::TokenNotSubprotocolSafe));
    }

    #[test]
    fn redacts_secret_params() {
        assert_eq!(
            redact_url("ws://h/s/websocket?token=abc&room=1&apiKey=z&vsn=2.0.0"),
            "ws://h/s/websocket?token=[REDACTED]&room=1&apiKey=[REDACTED]&vsn=2.0.0"
        );
        assert_eq!(redact_url("ws://h/s"), "ws://h/s");
        for secret in ["X-AUTH", "sessionId", "my_JWT", "Passwd", "k"] {
            assert_eq!(is_secret_name(secret), secret != "k", "{secret}");
        }
        assert!(!is_secret_name("room") && !is_secret_name("ke") && !is_secret_name(""));
        assert_eq!(redact_json(r#"{"room":1,"authToken":"abc"}"#), r#"{"room":1,"authToken":"[REDACTED]"}"#);
        assert_eq!(redact_json(r#"{"room":1}"#), r#"{"room":1}"#);
        assert_eq!(redact_json("[1]"), "[1]");
    }

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "user:42", "valid"] {
            assert_eq!(base64_decode(&base64_no_pad(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert_eq!(base64_decode("TQ==").unwrap(), b"M");
        assert_eq!(base64_decode("T"), None);
        assert_eq!(base64_decode("a-b_"), None);
        assert_eq!(token_from_protocols(["phoenix", "base64url.bearer.phx.MTIzNA"]), Some("1234".into()));
    }
}
