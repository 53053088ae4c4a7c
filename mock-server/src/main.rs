//! phoenix-mock: a Phoenix Channels V2 server for tests, benchmarks and demos.
//!
//! ```text
//! phoenix-mock [--port N] [--root DIR]     (PORT env also works; default 4000; 0 = any free port)
//! ```
//! It prints `phoenix-mock listening on http://127.0.0.1:PORT` once it accepts
//! connections. See mock-server/README.md for the channels and the control API.

mod channels;
mod conn;
mod hub;
mod longpoll;
mod scenario;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use phoenix_wasm::core::endpoint::token_from_protocols;
use serde_json::json;

use hub::{Hub, Out};

#[derive(Clone)]
struct App {
    hub: Hub,
    longpolls: longpoll::LongPolls,
    root: PathBuf,
    /// `None`: any origin; otherwise the allowed origins (Phoenix's `check_origin`).
    origins: Option<Vec<String>>,
}

/// The origins `--check-origin` allows: OBS local files (`http://absolute`) and
/// pages from this machine, plus any given with `--allow-origin`.
fn origin_allowed(origin: &str, extra: &[String]) -> bool {
    const LOCAL: [&str; 5] = ["http://absolute", "http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1"];
    LOCAL.iter().copied().chain(extra.iter().map(String::as_str)).any(|o| {
        origin == o
            || origin
                .strip_prefix(o)
                .and_then(|rest| rest.strip_prefix(':'))
                .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
    })
}

type Params = Query<HashMap<String, String>>;

/// The test contract's socket auth: `valid` → user `valid`, `user:<id>` → `<id>`.
fn user_for(token: &str) -> Option<String> {
    match token {
        "valid" => Some("valid".into()),
        t => t.strip_prefix("user:").filter(|id| !id.is_empty()).map(Into::into),
    }
}

async fn socket(State(app): State<App>, Query(q): Params, headers: axum::http::HeaderMap, ws: WebSocketUpgrade) -> Response {
    if app.hub.paused("websocket") {
        // as a Phoenix socket whose connect/3 refuses
        return (StatusCode::FORBIDDEN, "paused").into_response();
    }
    if let Some(allowed) = &app.origins {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !origin_allowed(origin, allowed) {
            eprintln!("phoenix-mock: rejected origin {origin:?} (check_origin)");
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        }
    }
    let offered: Vec<String> =
        ws.requested_protocols().filter_map(|h| h.to_str().ok()).map(str::to_owned).collect();
    let bearer = token_from_protocols(offered.iter().map(String::as_str));
    // Phoenix echoes `phoenix` only where it takes the token subprotocol (1.8's
    // `auth_token: true`); a default endpoint echoes nothing, so a client that offers a
    // subprotocol without a token fails the handshake there and here alike
    let echo: &[&str] = if bearer.is_some() { &["phoenix"] } else { &[] };
    let token = bearer.or_else(|| q.get("token").cloned());
    let Some(user) = token.as_deref().and_then(user_for) else {
        return (StatusCode::FORBIDDEN, "forbidden").into_response();
    };
    // registered before the 101 goes out: a socket its client already sees open is one
    // the admin routes (`/admin/drop?user=` …) find
    let hub = app.hub.clone();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let conn = hub.register(&user, tx.clone());
    let failed = hub.clone();
    ws.protocols(echo.iter().copied())
        .on_failed_upgrade(move |_| failed.unregister(conn))
        .on_upgrade(move |socket| conn::serve(socket, hub, conn::Registered { conn, user, tx, rx }))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

fn ms_param(q: &HashMap<String, String>, default: u64) -> Duration {
    Duration::from_millis(q.get("ms").and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// `/admin/disconnect?user=ID`: Phoenix's `disconnect` broadcast for that user's sockets.
async fn admin_disconnect(State(app): State<App>, Query(q): Params) -> Json<serde_json::Value> {
    let n = app.hub.kick(q.get("user").map(String::as_str), || Out::Close(1011, String::new()));
    Json(json!({"closed": n}))
}

/// `/admin/drop[?user=ID]`: cut every socket (of that user) without a close frame.
async fn admin_drop(State(app): State<App>, Query(q): Params) -> Json<serde_json::Value> {
    let n = app.hub.kick(q.get("user").map(String::as_str), || Out::Drop);
    Json(json!({"dropped": n}))
}

/// `/admin/mute?ms=N[&user=ID]`: stop answering heartbeats (of that user) for N ms
/// (default 60,000; 0 unmutes).
async fn admin_mute(State(app): State<App>, Query(q): Params) -> Json<serde_json::Value> {
    let d = ms_param(&q, 60_000);
    app.hub.lock().mute_until.insert(q.get("user").cloned(), Instant::now() + d);
    Json(json!({"muted_ms": d.as_millis() as u64}))
}

/// `/admin/drop-next`: the next push that arrives drops its connection before any reply.
async fn admin_drop_next(State(app): State<App>) -> Json<serde_json::Value> {
    app.hub.lock().drop_next_push = true;
    Json(json!({"armed": true}))
}

/// `/admin/delay?ms=D&for=N`: hold every outgoing frame D ms, for N ms (default 1,000).
async fn admin_delay(State(app): State<App>, Query(q): Params) -> Json<serde_json::Value> {
    let d = ms_param(&q, 100);
    let span = Duration::from_millis(q.get("for").and_then(|v| v.parse().ok()).unwrap_or(1_000));
    app.hub.lock().delay = Some((Instant::now() + span, d));
    Json(json!({"delay_ms": d.as_millis() as u64, "for_ms": span.as_millis() as u64}))
}

/// `/admin/pause?ms=N[&transport=websocket|longpoll]`: refuse connects with 403 for N ms
/// (default 5,000; 0 resumes), over both transports or the one named.
async fn admin_pause(State(app): State<App>, Query(q): Params) -> Json<serde_json::Value> {
    let d = ms_param(&q, 5_000);
    let mut st = app.hub.lock();
    st.pause_until = Some(Instant::now() + d);
    st.pause_transport = q.get("transport").cloned();
    drop(st);
    Json(json!({"paused_ms": d.as_millis() as u64}))
}

/// Control and health routes answer any origin: test pages served elsewhere
/// (e.g. a test runner's cross-origin-isolated page) drive them with `fetch`.
async fn allow_any_origin(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    h.insert("cross-origin-resource-policy", header::HeaderValue::from_static("cross-origin"));
    res
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Static files: `/pkg/*` from the built package, everything else from `www/`.
async fn static_file(State(app): State<App>, uri: Uri) -> Response {
    let rel = uri.path().trim_start_matches('/');
    let (base, rel) = match rel.strip_prefix("pkg/") {
        Some(r) => (app.root.join("pkg"), r),
        None => (app.root.join("www"), rel),
    };
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    }
    let mut path = base.join(rel);
    if path.is_dir() {
        path = path.join("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "no-cache")], bytes).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    // the last occurrence wins, so a wrapper can set defaults that callers override
    args.iter().rposition(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = arg(&args, "--port")
        .or_else(|| std::env::var("PORT").ok())
        .map(|p| p.parse().unwrap_or_else(|_| panic!("invalid port {p:?}")))
        .unwrap_or(4000);
    let root = arg(&args, "--root").map(PathBuf::from).unwrap_or_else(|| std::env::current_dir().expect("current dir"));
    let scenario = match arg(&args, "--scenario") {
        Some(path) => scenario::Scenario::load(&path).unwrap_or_else(|e| {
            eprintln!("phoenix-mock: {e}");
            std::process::exit(2);
        }),
        None => scenario::Scenario::default(),
    };
    let origins = args.iter().any(|a| a == "--check-origin").then(|| {
        args.windows(2).filter(|w| w[0] == "--allow-origin").map(|w| w[1].clone()).collect::<Vec<_>>()
    });
    let app = App { hub: Hub::new(scenario), longpolls: longpoll::LongPolls::default(), root, origins };
    let control = Router::new()
        .route("/health", get(health))
        .route("/admin/disconnect", get(admin_disconnect))
        .route("/admin/drop", get(admin_drop))
        .route("/admin/mute", get(admin_mute))
        .route("/admin/pause", get(admin_pause))
        .route("/admin/drop-next", get(admin_drop_next))
        .route("/admin/delay", get(admin_delay))
        .layer(axum::middleware::map_response(allow_any_origin));
    let router = Router::new()
        .route("/socket/websocket", get(socket))
        .route("/socket/longpoll", get(longpoll::poll).post(longpoll::publish))
        .merge(control)
        .fallback(static_file)
        .with_state(app.clone());
    let app_hub = app.hub.clone();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("phoenix-mock: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().expect("bound address");
    channels::start_tickers(&app_hub);
    println!("phoenix-mock listening on http://{local}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
        eprintln!("phoenix-mock: server error: {e}");
        std::process::exit(1);
    }
}
