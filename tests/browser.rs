//! Browser tests: the JS-facing classes in real headless Chromium, over real
//! WebSockets, against the server whose URL `npm test` passes in `PHX_SERVER_URL`
//! (e.g. `ws://127.0.0.1:PORT/socket`) and whose kind in `PHX_SERVER`: `npm test`
//! builds and runs them twice, against phoenix-mock and against the real Phoenix app.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect, JSON};
#[allow(unused_imports)]
use js_sys::Object;
use phoenix_wasm::web::{Channel, Socket};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn server_url() -> &'static str {
    env!("PHX_SERVER_URL", "PHX_SERVER_URL is not set: run the browser tests through `npm test` (it starts the servers)")
}

/// Whether the server is the real Phoenix app (`PHX_SERVER=phoenix`), not phoenix-mock.
fn on_phoenix() -> bool {
    option_env!("PHX_SERVER") == Some("phoenix")
}

fn obj(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).map(String::from).unwrap_or_else(|_| format!("{v:?}"))
}

/// Registers a callback now (through `register`) and returns a future of the first
/// argument it is called with; it rejects after `ms` so a missing event fails the
/// test instead of hanging it.
fn next(ms: i32, register: impl FnOnce(JsValue)) -> JsFuture {
    let mut resolve_fn = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let arm = Function::new_with_args("reject, ms", "setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)");
        arm.call2(&JsValue::NULL, &reject, &JsValue::from(ms)).unwrap();
        resolve_fn = Some(resolve);
    });
    register(resolve_fn.unwrap().into());
    JsFuture::from(promise)
}

async fn connected(token: &str) -> Socket {
    let socket = Socket::new(server_url(), obj(&format!(r#"{{"params":{{"token":"{token}"}}}}"#))).unwrap();
    let opened = next(5_000, |cb| {
        socket.on_open(cb).unwrap();
    });
    socket.connect();
    opened.await.expect("socket opens");
    socket
}

/// Joins and returns the channel with the join push's `{status, response}`.
async fn join(socket: &Socket, topic: &str) -> (Channel, String, JsValue) {
    let ch = socket.channel(topic, JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let push = ch.join(None).unwrap();
    let res = next(5_000, |cb| {
        let ok = Function::new_with_args("cb, r", "cb({status: 'ok', response: r})").bind1(&JsValue::NULL, &cb);
        let err = Function::new_with_args("cb, r", "cb({status: 'error', response: r})").bind1(&JsValue::NULL, &cb);
        push.receive("ok", ok.into()).unwrap().receive("error", err.into()).unwrap();
    })
    .await
    .expect("join answered");
    let status = Reflect::get(&res, &"status".into()).unwrap().as_string().unwrap();
    let response = Reflect::get(&res, &"response".into()).unwrap();
    (ch, status, response)
}

#[wasm_bindgen_test]
async fn runs_in_a_real_browser() {
    let ua = Function::new_no_args("return navigator.userAgent").call0(&JsValue::NULL).unwrap().as_string().unwrap();
    console_log!("browser: {ua}");
    assert!(ua.contains("Chrome"), "{ua}");
}

#[wasm_bindgen_test]
async fn connects_with_token_and_joins_room_lobby() {
    let socket = connected("valid").await;
    assert!(socket.is_connected());
    assert_eq!(socket.connection_state(), "open");
    let (ch, status, response) = join(&socket, "room:lobby").await;
    assert_eq!(status, "ok");
    assert_eq!(stringify(&response), r#"{"joined":"room:lobby"}"#);
    assert_eq!(ch.state(), "joined");
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn push_echo_gets_the_payload_back() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:echo").await;
    let push = ch.push("echo", obj(r#"{"n":[1,2,{"x":null}],"text":"héllo 🎉 ✓"}"#), None).unwrap();
    let reply = next(5_000, |cb| {
        push.receive("ok", cb).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(stringify(&reply), r#"{"n":[1,2,{"x":null}],"text":"héllo 🎉 ✓"}"#);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn receives_the_shout_broadcast_on_two_sockets() {
    let a = connected("user:a").await;
    let b = connected("user:b").await;
    let (ca, _, _) = join(&a, "room:shout").await;
    let (cb_, _, _) = join(&b, "room:shout").await;
    let got_b = next(5_000, |cb| {
        cb_.on("shout", cb).unwrap();
    });
    let got_a = next(5_000, |cb| {
        ca.on("shout", cb).unwrap();
    });
    ca.push("shout", obj(r#"{"body":"hi all"}"#), None).unwrap();
    assert_eq!(stringify(&got_a.await.unwrap()), r#"{"body":"hi all"}"#);
    assert_eq!(stringify(&got_b.await.unwrap()), r#"{"body":"hi all"}"#);
    a.disconnect(JsValue::UNDEFINED, None, None).unwrap();
    b.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn joining_room_forbidden_is_an_error() {
    let socket = connected("valid").await;
    let (ch, status, response) = join(&socket, "room:forbidden").await;
    assert_eq!(status, "error");
    assert_eq!(stringify(&response), r#"{"reason":"unauthorized"}"#);
    assert_eq!(ch.state(), "errored");
    ch.leave(None).unwrap();
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn binary_push_gets_binary_reply() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:bin").await;
    let bytes = js_sys::Uint8Array::from(&[0u8, 1, 2, 254, 255][..]);
    let push = ch.push("binary", bytes.buffer().into(), None).unwrap();
    let reply = next(5_000, |cb| {
        push.receive("ok", cb).unwrap();
    })
    .await
    .unwrap();
    let buf: js_sys::ArrayBuffer = reply.dyn_into().expect("an ArrayBuffer reply");
    assert_eq!(js_sys::Uint8Array::new(&buf).to_vec(), vec![0, 1, 2, 254, 255]);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn hostile_input_throws_clear_errors() {
    let bad_opts = Socket::new(server_url(), obj(r#"{"timeout":"soon"}"#)).err().expect("bad option type throws");
    let msg = Reflect::get(&bad_opts, &"message".into()).unwrap().as_string().unwrap();
    assert!(msg.contains("timeout"), "{msg}");

    let socket = Socket::new(server_url(), obj(r#"{"params":{"token":"valid"}}"#)).unwrap();
    let err = socket.channel("room:x", JsValue::from(5), JsValue::UNDEFINED).err().expect("params must be an object");
    assert!(stringify(&Reflect::get(&err, &"message".into()).unwrap()).contains("channel params"));

    let ch = socket.channel("room:x", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert!(ch.push("echo", JsValue::UNDEFINED, None).is_err(), "push before join throws");
    assert!(ch.on("e", JsValue::from_str("not a function")).is_err());
    ch.join(None).unwrap();
    assert!(ch.join(None).is_err(), "second join throws");
    let cyclic = Function::new_no_args("const o = {}; o.self = o; return o;").call0(&JsValue::NULL).unwrap();
    assert!(ch.push("echo", cyclic, None).is_err(), "cyclic payload throws");
    // a thrown value that is not an Error is shown in the message (as JSON)
    let throws = Function::new_no_args("return {toJSON() { throw {code: 7}; }}").call0(&JsValue::NULL).unwrap();
    let err = ch.push("echo", throws, None).err().expect("a payload whose toJSON throws");
    let msg = Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap();
    assert!(msg.contains(r#"cannot be serialized to JSON: {"code":7}"#), "{msg}");
    assert!(socket.off(JsValue::from_str("x")).is_err());
    assert!(ch.push("echo", JsValue::UNDEFINED, Some(-1.0)).is_err(), "negative timeout throws");
    let push = ch.push("echo", JsValue::UNDEFINED, None).unwrap();
    assert!(push.receive("ok", JsValue::UNDEFINED).is_err(), "missing callback throws");
    assert!(Socket::new(server_url(), JsValue::from(3)).is_err(), "options must be an object");
}

#[wasm_bindgen_test]
async fn huge_payloads_round_trip() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:huge").await;
    // large frames take the browser's TextEncoder path into wasm; multi-byte text must survive it
    let big = Function::new_no_args("return {blob: 'x'.repeat(4 * 1024 * 1024), list: Array.from({length: 10000}, (_, i) => i), text: 'héllo 🎉 ✓ '.repeat(2000)}")
        .call0(&JsValue::NULL)
        .unwrap();
    let reply = ch.push("echo", big.clone(), None).unwrap().outcome().await.unwrap();
    assert!(stringify(&reply) == stringify(&big), "the 4 MB echo came back changed");
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

// ------------------------------------------------------- over a real network

/// Calls a control route of the server (`/admin/...`) and waits for it.
async fn admin(path_and_query: &str) {
    let http = server_url().replacen("ws", "http", 1).trim_end_matches("/socket").to_owned();
    let fetch = Function::new_with_args("u", "return fetch(u).then(r => { if (!r.ok) throw new Error(u + ': ' + r.status); return r.json(); })");
    let p: Promise = fetch.call1(&JsValue::NULL, &JsValue::from_str(&format!("{http}{path_and_query}"))).unwrap().unchecked_into();
    JsFuture::from(p).await.expect("admin call");
}

/// Records every call of a callback into a JS array.
fn recorder() -> (Array, JsValue) {
    let log = Array::new();
    let cb = Function::new_with_args("log, x", "log.push(x === undefined ? null : x)").bind1(&JsValue::NULL, &log);
    (log, cb.into())
}

/// Waits until `cond()` holds, yielding to the event loop between checks.
async fn until(ms: u32, what: &str, mut cond: impl FnMut() -> bool) {
    let sleep = Function::new_with_args("ms", "return new Promise(r => setTimeout(r, ms))");
    let mut waited = 0;
    while !cond() {
        assert!(waited < ms, "timed out after {ms} ms waiting for {what}");
        JsFuture::from(sleep.call1(&JsValue::NULL, &JsValue::from(10)).unwrap().unchecked_into::<Promise>()).await.unwrap();
        waited += 10;
    }
}

fn socket_with(opts: &str) -> Socket {
    Socket::new(server_url(), obj(opts)).unwrap()
}

#[wasm_bindgen_test]
async fn pagehide_disconnects_and_pageshow_reconnects() {
    let socket = connected("valid").await;
    let (ch, status, _) = join(&socket, "room:lifecycle").await;
    assert_eq!(status, "ok");
    let dispatch = Function::new_with_args("name", "globalThis.dispatchEvent(new Event(name))");
    let closed = next(5_000, |cb| {
        socket.on_close(cb).unwrap();
    });
    dispatch.call1(&JsValue::NULL, &"pagehide".into()).unwrap();
    closed.await.expect("pagehide closes the socket");
    assert!(!socket.is_connected());
    let opened = next(5_000, |cb| {
        socket.on_open(cb).unwrap();
    });
    dispatch.call1(&JsValue::NULL, &"pageshow".into()).unwrap();
    opened.await.expect("pageshow reconnects");
    until(5_000, "the channel rejoined", || ch.state() == "joined").await;
    // a pageshow without a pagehide before it changes nothing
    let (log, cb) = recorder();
    socket.on_status(cb).unwrap();
    dispatch.call1(&JsValue::NULL, &"pageshow".into()).unwrap();
    assert_eq!(log.length(), 0, "no status change: {}", stringify(&log));
    assert!(socket.is_connected());
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

/// The browser's `online` event (a network switch): an open socket checks itself with a
/// heartbeat at once; a socket waiting out a long reconnect delay reconnects at once.
#[wasm_bindgen_test]
async fn online_sends_a_heartbeat_at_once_and_cuts_a_reconnect_delay_short() {
    // reconnectAfterMs is a function (JSON cannot hold one)
    let opts = obj(r#"{"params":{"token":"user:online"},"heartbeatIntervalMs":60000}"#);
    Reflect::set(&opts, &"reconnectAfterMs".into(), &Function::new_no_args("return 60000")).unwrap();
    let socket = Socket::new(server_url(), opts).unwrap();
    let opened = next(5_000, |cb| {
        socket.on_open(cb).unwrap();
    });
    socket.connect();
    opened.await.expect("connected");
    let dispatch = Function::new_with_args("name", "globalThis.dispatchEvent(new Event(name))");
    let beat = next(5_000, |cb| {
        socket.on_heartbeat(cb).unwrap();
    });
    dispatch.call1(&JsValue::NULL, &"online".into()).unwrap();
    let rtt = beat.await.expect("a heartbeat answered within 5 s, not at the 60 s interval");
    assert!(rtt.as_f64().is_some(), "{}", stringify(&rtt));

    let (closes, cb) = recorder();
    socket.on_close(cb).unwrap();
    admin("/admin/drop?user=online").await;
    until(5_000, "the drop", || closes.length() == 1).await;
    assert!(!socket.is_connected());
    let reopened = next(5_000, |cb| {
        socket.on_open(cb).unwrap();
    });
    dispatch.call1(&JsValue::NULL, &"online".into()).unwrap();
    reopened.await.expect("reconnected at once, not after the 60 s delay");
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn reconnects_with_backoff_and_rejoins_after_the_server_drops_every_socket() {
    let socket = socket_with(r#"{"params":{"token":"user:dropme"},"reconnectAfterMs":null}"#);
    let (opens, cb) = recorder();
    socket.on_open(cb).unwrap();
    let (closes, cb) = recorder();
    socket.on_close(cb).unwrap();
    let (statuses, cb) = recorder();
    socket.on_status(cb).unwrap();
    socket.connect();
    let ch = socket.channel("room:drop", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let (joins, cb) = recorder();
    ch.join(None).unwrap().receive("ok", cb).unwrap();
    until(5_000, "first join", || joins.length() == 1).await;
    admin("/admin/drop?user=dropme").await;
    until(5_000, "close", || closes.length() == 1).await;
    let close = closes.get(0);
    assert_eq!(Reflect::get(&close, &"wasClean".into()).unwrap(), JsValue::FALSE);
    until(5_000, "reopen and rejoin", || opens.length() == 2 && joins.length() == 2).await;
    assert_eq!(ch.state(), "joined");
    let seen: Vec<String> = statuses.iter().map(|v| stringify(&v)).collect();
    assert_eq!(
        seen,
        [
            r#"{"state":"connecting"}"#,
            r#"{"state":"open"}"#,
            r#"{"state":"reconnecting","attempt":1,"inMs":10}"#,
            r#"{"state":"connecting"}"#,
            r#"{"state":"open"}"#
        ]
    );
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn pushes_made_while_disconnected_are_all_delivered_after_reconnect_in_order() {
    let socket = socket_with(r#"{"params":{"token":"user:buffered"}}"#);
    let (closes, cb) = recorder();
    socket.on_close(cb).unwrap();
    socket.connect();
    let (ch, _, _) = join(&socket, "room:buffered").await;
    admin("/admin/drop?user=buffered").await;
    until(5_000, "close", || closes.length() == 1).await;
    assert!(!socket.is_connected());
    let (echoes, cb) = recorder();
    for i in 0..50 {
        ch.push("echo", obj(&format!(r#"{{"i":{i}}}"#)), None).unwrap().receive("ok", cb.clone()).unwrap();
    }
    until(10_000, "50 echoes", || echoes.length() == 50).await;
    let got: Vec<String> = echoes.iter().map(|v| stringify(&v)).collect();
    let want: Vec<String> = (0..50).map(|i| format!(r#"{{"i":{i}}}"#)).collect();
    assert_eq!(got, want);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn heartbeat_timeout_is_detected_when_the_server_stops_answering() {
    let socket = socket_with(r#"{"params":{"token":"user:muted"},"heartbeatIntervalMs":100,"heartbeatTimeoutMs":150}"#);
    let (closes, cb) = recorder();
    socket.on_close(cb).unwrap();
    socket.connect();
    let (ch, _, _) = join(&socket, "room:muted").await;
    let (errors, cb) = recorder();
    ch.on_error(cb).unwrap();
    admin("/admin/mute?user=muted&ms=400").await;
    until(5_000, "heartbeat timeout close", || closes.length() >= 1).await;
    assert_eq!(stringify(&Reflect::get(&closes.get(0), &"reason".into()).unwrap()), r#""heartbeat timeout""#);
    assert_eq!(stringify(&errors.get(0)), r#"{"source":"transport","reason":"heartbeat_timeout"}"#);
    until(5_000, "rejoined after the mute ends", || ch.state() == "joined" && socket.is_connected()).await;
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn rejoins_after_the_channel_crashes() {
    let socket = socket_with(r#"{"params":{"token":"valid"},"rejoinAfterMs":null}"#);
    socket.connect();
    let ch = socket.channel("room:crashy", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let (joins, cb) = recorder();
    ch.join(None).unwrap().receive("ok", cb).unwrap();
    until(5_000, "join", || joins.length() == 1).await;
    let (errors, cb) = recorder();
    ch.on_error(cb).unwrap();
    ch.push("crash", JsValue::UNDEFINED, None).unwrap();
    until(5_000, "phx_error", || errors.length() == 1).await;
    assert_eq!(stringify(&errors.get(0)), "{}"); // Phoenix 1.7's phx_error payload
    assert_eq!(ch.state(), "errored");
    until(5_000, "rejoin after 1 s", || joins.length() == 2).await;
    assert_eq!(ch.state(), "joined");
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn join_timeout_when_the_server_never_answers() {
    let socket = connected("valid").await;
    let ch = socket.channel("room:silent", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let push = ch.join(Some(200.0)).unwrap();
    let got = next(5_000, |cb| {
        push.receive("timeout", cb).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(stringify(&got), "{}");
    assert_eq!(ch.state(), "errored");
    ch.leave(None).unwrap();
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

/// The token subprotocol is Phoenix 1.8's (`auth_token: true`, what the mock answers like);
/// a Phoenix 1.7 endpoint echoes no subprotocol, so there the browser fails the handshake.
#[wasm_bindgen_test]
async fn auth_token_is_accepted_by_the_server() {
    let socket = socket_with(r#"{"authToken":"user:tokenuser","reconnectAfterMs":null}"#);
    if on_phoenix() {
        let failed = next(5_000, |cb| {
            socket.on_error(cb).unwrap();
        });
        socket.connect();
        failed.await.expect("the handshake fails on Phoenix 1.7");
        assert!(!socket.is_connected());
        socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
        return;
    }
    socket.connect();
    let ch = socket.channel("room:auth", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let hello = next(5_000, |cb| {
        ch.on("after_join", cb).unwrap();
    });
    ch.join(None).unwrap();
    assert_eq!(stringify(&hello.await.unwrap()), r#"{"hello":"tokenuser"}"#);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn params_function_is_re_evaluated_on_reconnect() {
    let counter = Function::new_no_args("let n = 0; return () => ({token: 'user:refresh' + (++n)})").call0(&JsValue::NULL).unwrap();
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"params".into(), &counter).unwrap();
    let socket = Socket::new(server_url(), opts.into()).unwrap();
    socket.connect();
    let ch = socket.channel("room:refresh", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let (hellos, cb) = recorder();
    ch.on("after_join", cb).unwrap();
    ch.join(None).unwrap();
    until(5_000, "first hello", || hellos.length() == 1).await;
    admin("/admin/disconnect?user=refresh1").await;
    until(5_000, "second hello", || hellos.length() == 2).await;
    let got: Vec<String> = hellos.iter().map(|v| stringify(&v)).collect();
    assert_eq!(got, [r#"{"hello":"refresh1"}"#, r#"{"hello":"refresh2"}"#]);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn pushes_are_awaitable_and_reject_with_a_push_error() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:await").await;
    let ok = ch.push("echo", obj(r#"{"a":1}"#), None).unwrap().outcome().await.unwrap();
    assert_eq!(stringify(&ok), r#"{"a":1}"#);
    let err = ch.push("fail", JsValue::UNDEFINED, None).unwrap().outcome().await.unwrap_err();
    assert_eq!(Reflect::get(&err, &"name".into()).unwrap(), "PushError");
    assert_eq!(Reflect::get(&err, &"status".into()).unwrap(), "error");
    assert_eq!(stringify(&Reflect::get(&err, &"response".into()).unwrap()), r#"{"reason":"failed"}"#);
    let timeout = ch.push("noreply", JsValue::UNDEFINED, Some(100.0)).unwrap().outcome().await.unwrap_err();
    assert_eq!(Reflect::get(&timeout, &"status".into()).unwrap(), "timeout");
    // `then` makes `await push` work from JavaScript
    let push = ch.push("ping", JsValue::UNDEFINED, None).unwrap();
    let awaited = Function::new_with_args("p", "return (async () => await p)()").call1(&JsValue::NULL, &JsValue::from(push)).unwrap();
    let pong = JsFuture::from(awaited.unchecked_into::<Promise>()).await.unwrap();
    assert_eq!(stringify(&pong), r#"{"pong":true}"#);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn ping_reports_a_round_trip_time() {
    let socket = connected("valid").await;
    let rtt = next(5_000, |cb| {
        assert!(socket.ping(cb).unwrap());
    })
    .await
    .unwrap();
    assert!(rtt.as_f64().unwrap() >= 0.0);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
    let (_, cb) = recorder();
    assert!(!socket.ping(cb).unwrap(), "false when disconnected");
}

#[wasm_bindgen_test]
async fn a_throwing_callback_does_not_break_the_socket() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:throws").await;
    ch.on("shout", Function::new_no_args("throw new Error('app bug')").into()).unwrap();
    let got = next(5_000, |cb| {
        ch.on("shout", cb).unwrap();
    });
    ch.push("shout", obj(r#"{"x":1}"#), None).unwrap();
    assert_eq!(stringify(&got.await.unwrap()), r#"{"x":1}"#);
    let again = ch.push("echo", obj(r#"{"still":"alive"}"#), None).unwrap().outcome().await.unwrap();
    assert_eq!(stringify(&again), r#"{"still":"alive"}"#);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn receive_after_the_reply_arrived_fires_at_once_for_that_status_only() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:late").await;
    let push = ch.push("fail", JsValue::UNDEFINED, None).unwrap();
    let _ = push.outcome().await; // the reply has arrived
    let (errors, cb) = recorder();
    let (oks, ok_cb) = recorder();
    push.receive("ok", ok_cb).unwrap().receive("error", cb).unwrap();
    assert_eq!(errors.length(), 1, "fires synchronously");
    assert_eq!(stringify(&errors.get(0)), r#"{"reason":"failed"}"#);
    assert_eq!(oks.length(), 0);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn custom_encode_and_decode_replace_the_serializer() {
    // a codec that speaks V2 JSON itself and counts what it handled
    let codec = Function::new_no_args(
        "const stats = {encoded: 0, decoded: 0};
         return {
           stats,
           encode(msg, cb) { stats.encoded++; cb(JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload])); },
           decode(raw, cb) { stats.decoded++; const [join_ref, ref, topic, event, payload] = JSON.parse(raw); cb({join_ref, ref, topic, event, payload}); },
         };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let opts = obj(r#"{"params":{"token":"valid"}}"#);
    Reflect::set(&opts, &"encode".into(), &Reflect::get(&codec, &"encode".into()).unwrap()).unwrap();
    Reflect::set(&opts, &"decode".into(), &Reflect::get(&codec, &"decode".into()).unwrap()).unwrap();
    let socket = Socket::new(server_url(), opts).unwrap();
    socket.connect();
    let (ch, status, _) = join(&socket, "room:codec").await;
    assert_eq!(status, "ok");
    let reply = ch.push("echo", obj(r#"{"via":"codec"}"#), None).unwrap().outcome().await.unwrap();
    assert_eq!(stringify(&reply), r#"{"via":"codec"}"#);
    let stats = Reflect::get(&codec, &"stats".into()).unwrap();
    assert!(Reflect::get(&stats, &"encoded".into()).unwrap().as_f64().unwrap() >= 2.0);
    assert!(Reflect::get(&stats, &"decoded".into()).unwrap().as_f64().unwrap() >= 2.0);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn reliable_channel_loses_nothing_across_a_drop() {
    let publisher = connected("user:publisher").await;
    let (pubch, _, _) = join(&publisher, "reliable:feed").await;
    let sub = socket_with(r#"{"params":{"token":"user:reliable-sub"},"reconnectAfterMs":null}"#);
    let (closes, cb) = recorder();
    sub.on_close(cb).unwrap();
    sub.connect();
    let ch = sub.channel("reliable:feed", JsValue::UNDEFINED, obj(r#"{"reliable":true}"#)).unwrap();
    let (events, cb) = recorder();
    ch.on("event", cb).unwrap();
    let (missed, cb) = recorder();
    ch.on("missed", cb).unwrap();
    let (joins, cb) = recorder();
    ch.join(None).unwrap().receive("ok", cb).unwrap();
    until(5_000, "subscribed", || joins.length() == 1).await;
    let publish = |i: u32| pubch.push("publish", obj(&format!(r#"{{"data":{{"i":{i}}}}}"#)), None).unwrap();
    for i in 0..20 {
        publish(i).outcome().await.unwrap();
    }
    until(5_000, "first 20", || events.length() == 20).await;
    admin("/admin/drop?user=reliable-sub").await;
    until(5_000, "drop noticed", || closes.length() == 1).await;
    for i in 20..40 {
        publish(i).outcome().await.unwrap(); // published while the subscriber is away
    }
    until(10_000, "all 40 after the rejoin", || events.length() >= 40).await;
    let got: Vec<i64> = events
        .iter()
        .map(|e| Reflect::get(&Reflect::get(&e, &"data".into()).unwrap(), &"i".into()).unwrap().as_f64().unwrap() as i64)
        .collect();
    assert_eq!(got, (0..40).collect::<Vec<i64>>(), "in order, once each");
    assert_eq!(missed.length(), 0);
    sub.disconnect(JsValue::UNDEFINED, None, None).unwrap();
    publisher.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn health_status_heartbeats_channel_states_and_correlation_id() {
    use futures_util::StreamExt;
    let socket = socket_with(r#"{"params":{"token":"user:healthy"},"heartbeatIntervalMs":50,"correlationId":"cid-7"}"#);
    assert_eq!(socket.correlation_id().as_deref(), Some("cid-7"));
    let mut statuses = socket.statuses();
    let (rtts, cb) = recorder();
    socket.on_heartbeat(cb).unwrap();
    let open = socket.wait_for("open").unwrap();
    socket.connect();
    JsFuture::from(open).await.unwrap();
    assert_eq!(stringify(&socket.status()), r#"{"state":"open"}"#);
    let ch = socket.channel("room:health", JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let (states, cb) = recorder();
    ch.on_state(cb).unwrap();
    ch.join(None).unwrap().outcome().await.unwrap();
    until(5_000, "two heartbeats", || rtts.length() >= 2).await;
    let h = socket.health();
    assert!(Reflect::get(&h, &"lastRttMs".into()).unwrap().as_f64().unwrap() >= 0.0);
    assert_eq!(stringify(&Reflect::get(&h, &"channels".into()).unwrap()), r#"[{"topic":"room:health","state":"joined"}]"#);
    assert_eq!(Reflect::get(&h, &"reconnects".into()).unwrap().as_f64(), Some(0.0));
    admin("/admin/drop?user=healthy").await;
    JsFuture::from(socket.wait_for("reconnecting").unwrap()).await.unwrap();
    JsFuture::from(socket.wait_for("open").unwrap()).await.unwrap();
    until(5_000, "rejoined", || ch.state() == "joined").await;
    assert_eq!(Reflect::get(&socket.health(), &"reconnects".into()).unwrap().as_f64(), Some(1.0));
    let seen: Vec<String> = states.iter().map(|s| s.as_string().unwrap()).collect();
    assert_eq!(seen, ["joining", "joined", "errored", "joining", "joined"]);
    use phoenix_wasm::core::Status;
    assert_eq!(statuses.next().await, Some(Status::Connecting));
    assert_eq!(statuses.next().await, Some(Status::Open));
    assert!(matches!(statuses.next().await, Some(Status::Reconnecting { attempt: 1, .. })));
    assert!(socket.wait_for("bogus").is_err());
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}

#[wasm_bindgen_test]
async fn presence_list_follows_a_large_state_and_its_diffs_in_join_order() {
    use phoenix_wasm::web::Presence;
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:presence-list").await;
    let presence = Presence::new(&ch, obj(r#"{"events":{"state":"bench_state","diff":"bench_diff"}}"#)).unwrap();
    // listed before anything arrives: the state and every diff after it update the listed objects
    assert_eq!(presence.list(JsValue::UNDEFINED).unwrap().length(), 0);
    let keys = Function::new_no_args("return (key) => key").call0(&JsValue::NULL).unwrap();
    let (syncs, on_sync) = recorder();
    presence.on_sync(on_sync).unwrap();
    let (states, on_state) = recorder();
    ch.on("bench_state", on_state).unwrap();
    // 200 members (user0..user199), then 50 diffs: diff d joins user{200+d} and removes user{d}
    let push = ch.push("presence_load", obj(r#"{"members":200,"diffs":50}"#), None).unwrap();
    next(10_000, |cb| {
        push.receive("ok", cb).unwrap();
    })
    .await
    .expect("presence_load answered after its frames");
    assert_eq!(syncs.length(), 51);
    // the state's keys in the order the server's state object has them (the mock sorts them
    // as strings, Phoenix's maps hash them), less the 50 that left; the joins come after
    let gone: Vec<String> = (0..50).map(|u| format!("user{u}")).collect();
    let mut expected: Vec<String> = Object::keys(states.get(0).unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .filter(|k| !gone.contains(k))
        .collect();
    assert_eq!(expected.len(), 150);
    expected.extend((200..250).map(|u| format!("user{u}")));
    let listed: Vec<String> = presence.list(keys).unwrap().iter().map(|k| k.as_string().unwrap()).collect();
    assert_eq!(listed, expected, "listed {} keys: {:?} .. {:?}", listed.len(), listed.first(), listed.last());
    let metas = Function::new_no_args("return (key, p) => p.metas[0].phx_ref").call0(&JsValue::NULL).unwrap();
    let refs = presence.list(metas).unwrap();
    assert_eq!(refs.get(0).as_string().unwrap(), format!("R{}-0", &expected[0]["user".len()..]));
    assert_eq!(refs.get(199).as_string().unwrap(), "R249-0");
    // the state object has the same keys in the same order
    let fresh: Vec<String> = Object::keys(presence.state().unchecked_ref::<Object>()).iter().map(|k| k.as_string().unwrap()).collect();
    assert_eq!(fresh, expected);
    socket.disconnect(JsValue::UNDEFINED, None, None).unwrap();
}
