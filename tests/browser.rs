//! Browser tests: the JS-facing classes in real headless Chromium, over real
//! WebSockets, against the mock server whose URL `npm test` passes in
//! `PHX_MOCK_URL` (e.g. `ws://127.0.0.1:PORT/socket`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect, JSON};
use phoenix_wasm::web::{Channel, Socket};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mock_url() -> &'static str {
    option_env!("PHX_MOCK_URL").expect("PHX_MOCK_URL is not set: run the browser tests through `npm test`")
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
    let socket = Socket::new(mock_url(), obj(&format!(r#"{{"params":{{"token":"{token}"}}}}"#))).unwrap();
    let opened = next(5_000, |cb| {
        socket.on_open(cb).unwrap();
    });
    socket.connect();
    opened.await.expect("socket opens");
    socket
}

/// Joins and returns the channel with the join push's `{status, response}`.
async fn join(socket: &Socket, topic: &str) -> (Channel, String, JsValue) {
    let ch = socket.channel(topic, JsValue::UNDEFINED).unwrap();
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
    let push = ch.push("echo", obj(r#"{"n":[1,2,{"x":null}],"text":"héllo"}"#), None).unwrap();
    let reply = next(5_000, |cb| {
        push.receive("ok", cb).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(stringify(&reply), r#"{"n":[1,2,{"x":null}],"text":"héllo"}"#);
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
    let bad_opts = Socket::new(mock_url(), obj(r#"{"timeout":"soon"}"#)).err().expect("bad option type throws");
    let msg = Reflect::get(&bad_opts, &"message".into()).unwrap().as_string().unwrap();
    assert!(msg.contains("timeout"), "{msg}");

    let socket = Socket::new(mock_url(), obj(r#"{"params":{"token":"valid"}}"#)).unwrap();
    let err = socket.channel("room:x", JsValue::from(5)).err().expect("params must be an object");
    assert!(stringify(&Reflect::get(&err, &"message".into()).unwrap()).contains("channel params"));

    let ch = socket.channel("room:x", JsValue::UNDEFINED).unwrap();
    assert!(ch.push("echo", JsValue::UNDEFINED, None).is_err(), "push before join throws");
    assert!(ch.on("e", JsValue::from_str("not a function")).is_err());
    ch.join(None).unwrap();
    assert!(ch.join(None).is_err(), "second join throws");
    let cyclic = Function::new_no_args("const o = {}; o.self = o; return o;").call0(&JsValue::NULL).unwrap();
    assert!(ch.push("echo", cyclic, None).is_err(), "cyclic payload throws");
    assert!(socket.off(JsValue::from_str("x")).is_err());
    let _ = Array::new();
}
