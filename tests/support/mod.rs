//! What the browser tests of the Rust API share: the server under test (from
//! `PHX_SERVER_URL` and `PHX_SERVER`, set by `npm test`), waiting for events with a
//! deadline, and the server's control routes.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Function, Promise, JSON};
use phoenix_wasm::web::{Payload, Socket};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub fn server_url() -> &'static str {
    env!("PHX_SERVER_URL", "PHX_SERVER_URL is not set: run the browser tests through `npm test` (it starts the servers)")
}

/// Whether the server is the real Phoenix app (`PHX_SERVER=phoenix`), not phoenix-mock.
pub fn on_phoenix() -> bool {
    option_env!("PHX_SERVER") == Some("phoenix")
}

/// JSON text in one canonical form (the servers may space or order it their way).
pub fn norm(json: &str) -> String {
    String::from(JSON::stringify(&JSON::parse(json).expect("JSON")).unwrap())
}

/// A payload's JSON, in canonical form.
pub fn json(p: &Payload) -> String {
    norm(p.as_json().expect("a JSON payload"))
}

pub fn payload(text: &str) -> Payload {
    Payload::json(text).expect("valid JSON")
}

pub async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        let set = Function::new_with_args("r, ms", "setTimeout(r, ms)");
        set.call2(&JsValue::NULL, &resolve, &JsValue::from(ms)).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// `fut`, or a failed test after `ms` (a missing event fails instead of hanging).
pub async fn within<T>(ms: i32, what: &str, fut: impl Future<Output = T>) -> T {
    match select(Box::pin(fut), Box::pin(sleep(ms))).await {
        Either::Left((v, _)) => v,
        Either::Right(_) => panic!("timed out after {ms} ms waiting for {what}"),
    }
}

/// Registers a callback now (through `register`) and returns a future of the first
/// value it is called with.
pub fn next<T: 'static>(register: impl FnOnce(Box<dyn Fn(T)>)) -> impl Future<Output = T> {
    let (tx, rx) = futures_channel::oneshot::channel();
    let tx = RefCell::new(Some(tx));
    register(Box::new(move |v| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(v);
        }
    }));
    async move { rx.await.expect("the callback's sender lives") }
}

/// Waits until `cond()` holds, yielding to the event loop between checks.
pub async fn until(ms: u32, what: &str, mut cond: impl FnMut() -> bool) {
    let mut waited = 0;
    while !cond() {
        assert!(waited < ms, "timed out after {ms} ms waiting for {what}");
        sleep(10).await;
        waited += 10;
    }
}

/// A list callbacks append to.
#[derive(Clone)]
pub struct Log<T>(pub Rc<RefCell<Vec<T>>>);

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log(Rc::default())
    }
}

impl<T: Clone> Log<T> {
    pub fn push(&self, v: T) {
        self.0.borrow_mut().push(v);
    }
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    pub fn get(&self) -> Vec<T> {
        self.0.borrow().clone()
    }
}

/// Calls a control route of the server (`/admin/...`) and waits for it.
pub async fn admin(path_and_query: &str) {
    let http = server_url().replacen("ws", "http", 1).trim_end_matches("/socket").to_owned();
    let fetch = Function::new_with_args("u", "return fetch(u).then(r => { if (!r.ok) throw new Error(u + ': ' + r.status); return r.json(); })");
    let p: Promise = fetch.call1(&JsValue::NULL, &JsValue::from_str(&format!("{http}{path_and_query}"))).unwrap().unchecked_into();
    JsFuture::from(p).await.expect("admin call");
}

pub fn socket_with(opts: &str) -> Socket {
    Socket::with_options(server_url(), opts).unwrap()
}

pub async fn connected(token: &str) -> Socket {
    let socket = socket_with(&format!(r#"{{"params":{{"token":"{token}"}}}}"#));
    let opened = next(|cb| {
        socket.on_open(move || cb(()));
    });
    socket.connect();
    within(5_000, "the socket to open", opened).await;
    socket
}

/// Joins `topic` and returns the channel with the join's status and response JSON.
pub async fn join(socket: &Socket, topic: &str) -> (phoenix_wasm::web::Channel, String, String) {
    let ch = socket.channel(topic);
    let push = ch.join().unwrap();
    let (status, response) = within(5_000, "the join's answer", async {
        match push.outcome().await {
            Ok(r) => ("ok".to_owned(), json(&r)),
            Err(e) => (e.status, json(&e.response)),
        }
    })
    .await;
    (ch, status, response)
}

pub fn dispatch(name: &str) {
    Function::new_with_args("name", "globalThis.dispatchEvent(new Event(name))").call1(&JsValue::NULL, &name.into()).unwrap();
}

