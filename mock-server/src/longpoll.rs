//! LongPoll at `/socket/longpoll`, as `Phoenix.Transports.LongPoll` (Phoenix 1.7) serves it.
//! Every answer is HTTP 200 with a JSON `status`, as Phoenix's:
//! - `GET` without a known session `token`: a new session, connected with the query's
//!   params as a WebSocket would be (`{"status":403}` when refused), answered
//!   `{"status":410,"token":T,"messages":[]}`;
//! - `GET ?token=T`: waits up to the window (10 s) for the session's messages:
//!   `{"status":200,"token":T,"messages":[...]}`, or `204` with none;
//! - `POST ?token=T`: the body is one message, or with `application/x-ndjson` one per line
//!   (text frames; a line not starting with `[` is a binary frame in base64):
//!   `{"status":200}`, or `410` for an unknown session.
//!
//! A session ends when the hub closes or drops it (`/admin/drop`, `/admin/disconnect`), or
//! when the server would send a binary frame (Phoenix's LongPoll cannot carry one: its
//! session dies); its next poll then answers `410` for a new one. The query's last `token`
//! is the session's (phoenix.js appends it after the connect params).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use phoenix_wasm::core::Frame;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::conn::Session;
use crate::hub::{Hub, Out};
use crate::App;

/// How long a poll waits for messages (Phoenix's `window_ms`).
const WINDOW: Duration = Duration::from_secs(10);

/// The open LongPoll sessions, by token.
#[derive(Clone, Default)]
pub struct LongPolls(Arc<Mutex<HashMap<String, Arc<Lp>>>>);

/// One session: the socket's state, and what waits for the client's next poll.
struct Lp {
    session: Mutex<Session>,
    queue: Mutex<VecDeque<String>>,
    ready: Notify,
    /// Ended (the next poll gets `410`).
    ended: Mutex<bool>,
}

impl LongPolls {
    fn get(&self, token: &str) -> Option<Arc<Lp>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(token).cloned()
    }

    fn end(&self, token: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(token);
    }
}

fn status(code: u16) -> Json<Value> {
    Json(json!({"status": code}))
}

/// `GET /socket/longpoll`: opens a session, or waits for its messages.
pub async fn poll(State(app): State<App>, Query(q): Query<HashMap<String, String>>, headers: HeaderMap) -> Json<Value> {
    if let Some(lp) = q.get("token").and_then(|t| app.longpolls.get(t)) {
        if *lp.ended.lock().unwrap_or_else(|p| p.into_inner()) {
            return Json(json!({"status": 410, "token": null, "messages": []}));
        }
        let token = q.get("token").cloned().unwrap_or_default();
        let ready = lp.ready.notified();
        if lp.queue.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
            let _ = tokio::time::timeout(WINDOW, ready).await;
        }
        let messages: Vec<String> = lp.queue.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        let code = if messages.is_empty() { 204 } else { 200 };
        return Json(json!({"status": code, "token": token, "messages": messages}));
    }
    if app.hub.paused("longpoll") {
        return status(403);
    }
    let bearer = headers.get("x-phoenix-authtoken").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(user) = bearer.or_else(|| q.get("token").cloned()).as_deref().and_then(crate::user_for) else {
        return status(403);
    };
    let token = format!("lp{}x{}", app.hub.next_id(), crate::hub::now_ms());
    let (tx, rx) = mpsc::unbounded_channel();
    let conn = app.hub.register(&user, tx.clone());
    let lp = Arc::new(Lp {
        session: Mutex::new(Session::new(app.hub.clone(), conn, user, tx)),
        queue: Mutex::default(),
        ready: Notify::new(),
        ended: Mutex::new(false),
    });
    app.longpolls.0.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), lp.clone());
    tokio::spawn(deliver(app.hub.clone(), app.longpolls.clone(), token.clone(), conn, lp, rx));
    Json(json!({"status": 410, "token": token, "messages": []}))
}

/// Moves the session's outgoing frames into its queue until the hub ends it.
async fn deliver(hub: Hub, polls: LongPolls, token: String, conn: u64, lp: Arc<Lp>, mut rx: mpsc::UnboundedReceiver<Out>) {
    while let Some(out) = rx.recv().await {
        match out {
            Out::Frame(Frame::Text(t)) => {
                lp.queue.lock().unwrap_or_else(|p| p.into_inner()).push_back(t);
                lp.ready.notify_waiters();
            }
            Out::Expire { topic, token } => lp.session.lock().unwrap_or_else(|p| p.into_inner()).expire(&topic, &token),
            Out::Frame(Frame::Binary(_)) | Out::Close(..) | Out::Drop => break,
        }
    }
    *lp.ended.lock().unwrap_or_else(|p| p.into_inner()) = true;
    lp.ready.notify_waiters();
    polls.end(&token);
    hub.unregister(conn);
}

/// `POST /socket/longpoll?token=T`: the client's messages, for its session.
pub async fn publish(State(app): State<App>, Query(q): Query<HashMap<String, String>>, headers: HeaderMap, body: String) -> Json<Value> {
    let Some(lp) = q.get("token").and_then(|t| app.longpolls.get(t)) else {
        return status(410);
    };
    let ndjson = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/x-ndjson");
    let frames: Vec<Frame> = if ndjson {
        let mut frames = Vec::new();
        for line in body.split('\n').map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()) {
            frames.push(match line.starts_with('[') {
                true => Frame::Text(line.to_owned()),
                false => match base64(line) {
                    Some(bytes) => Frame::Binary(bytes),
                    None => return status(400),
                },
            });
        }
        frames
    } else {
        vec![Frame::Text(body)]
    };
    let mut session = lp.session.lock().unwrap_or_else(|p| p.into_inner());
    for f in &frames {
        session.handle(f);
    }
    status(200)
}

/// Standard base64 (with or without padding); `None` for anything else.
fn base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in digits {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes_what_btoa_makes() {
        assert_eq!(super::base64("AQL/").unwrap(), vec![1, 2, 255]);
        assert_eq!(super::base64("aGk=").unwrap(), b"hi");
        assert_eq!(super::base64("aA==").unwrap(), b"h");
        assert!(super::base64("a*b").is_none());
    }
}
