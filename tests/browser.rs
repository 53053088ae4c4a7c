//! Browser tests of the Rust API (`phoenix_wasm::web`, the driver over web-sys) in real
//! headless Chromium, over real WebSockets, against the server whose URL `npm test`
//! passes in `PHX_SERVER_URL` (e.g. `ws://127.0.0.1:PORT/socket`) and whose kind in
//! `PHX_SERVER`: `npm test` builds and runs them twice, against phoenix-mock and against
//! the real Phoenix app.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures_util::StreamExt;
use js_sys::{Function, JSON};
use phoenix_wasm::web::{ChannelOptions, ChannelState, Closed, Config, CursorStore, Hooks, JoinParams, Payload, Presence, Socket, Status, WebStorage};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod support;

use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn runs_in_a_real_browser() {
    let ua = Function::new_no_args("return navigator.userAgent").call0(&JsValue::NULL).unwrap().as_string().unwrap();
    console_log!("browser: {ua}");
    assert!(ua.contains("Chrome"), "{ua}");
}

/// The README's example (compiled there as a doctest), run: one shout instead of a loop.
#[wasm_bindgen_test]
async fn the_readme_example_runs() {
    #[derive(serde::Serialize)]
    struct Params {
        token: String,
    }
    async fn example(url: &str, log: impl Fn(&str) + 'static) -> Result<String, Box<dyn std::error::Error>> {
        let token = "user:42".to_owned();
        let socket = Socket::builder(url).params_with(move || Params { token: token.clone() }).heartbeat_interval(std::time::Duration::from_secs(15)).build()?;
        socket.on_status(move |status| log(status.name()));
        socket.connect();
        let room = socket.channel("room:lobby");
        let (_, mut shouts) = room.events("shout")?; // a stream of payloads (or room.on(event, closure))
        room.join()?.outcome().await?; // Result<Payload, PushError>
        room.push("shout", Payload::json(r#"{"body": "hi"}"#)?)?;
        let shout = shouts.next().await.ok_or("no shout")?;
        socket.disconnect();
        Ok(shout.as_json().unwrap_or("").to_owned())
    }
    let statuses = Log::default();
    let s = statuses.clone();
    let shout = within(5_000, "the example", example(server_url(), move |name| s.push(name.to_owned()))).await.unwrap();
    assert_eq!(norm(&shout), r#"{"body":"hi"}"#);
    assert_eq!(statuses.get(), ["connecting", "open", "closed"]);
}

#[wasm_bindgen_test]
async fn connects_with_token_and_joins_room_lobby() {
    let socket = connected("valid").await;
    assert!(socket.is_connected());
    assert_eq!(socket.connection_state(), "open");
    let (ch, status, response) = join(&socket, "room:lobby").await;
    assert_eq!(status, "ok");
    assert_eq!(response, r#"{"joined":"room:lobby"}"#);
    assert_eq!(ch.state(), ChannelState::Joined);
    assert!(ch.join_ref().is_some());
    socket.disconnect();
    assert!(!socket.is_connected());
}

#[wasm_bindgen_test]
async fn push_echo_gets_the_payload_back() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:echo").await;
    let sent = r#"{"n":[1,2,{"x":null}],"text":"héllo 🎉 ✓"}"#;
    let reply = within(5_000, "the echo", ch.push("echo", payload(sent)).unwrap().outcome()).await.unwrap();
    assert_eq!(json(&reply), norm(sent));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn receives_the_shout_broadcast_on_two_sockets() {
    let a = connected("user:a").await;
    let b = connected("user:b").await;
    let (ca, _, _) = join(&a, "room:shout").await;
    let (cb_, _, _) = join(&b, "room:shout").await;
    let got_b = next(|cb| {
        cb_.on("shout", move |p| cb(json(p))).unwrap();
    });
    // the other way to listen: a stream of payloads
    let (_, mut shouts_a) = ca.events("shout").unwrap();
    ca.push("shout", payload(r#"{"body":"hi all"}"#)).unwrap();
    assert_eq!(json(&within(5_000, "a's shout", shouts_a.next()).await.unwrap()), r#"{"body":"hi all"}"#);
    assert_eq!(within(5_000, "b's shout", got_b).await, r#"{"body":"hi all"}"#);
    a.disconnect();
    b.disconnect();
}

#[wasm_bindgen_test]
async fn joining_room_forbidden_is_an_error() {
    let socket = connected("valid").await;
    let (ch, status, response) = join(&socket, "room:forbidden").await;
    assert_eq!(status, "error");
    assert_eq!(response, r#"{"reason":"unauthorized"}"#);
    assert_eq!(ch.state(), ChannelState::Errored);
    ch.leave().unwrap();
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn binary_push_gets_binary_reply() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:bin").await;
    let reply = within(5_000, "the binary reply", ch.push("binary", Payload::Binary(vec![0, 1, 2, 254, 255])).unwrap().outcome()).await.unwrap();
    assert_eq!(reply, Payload::Binary(vec![0, 1, 2, 254, 255]));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn misuse_is_a_clear_error_never_a_panic() {
    let err = Socket::with_options(server_url(), r#"{"timeout":"soon"}"#).err().expect("a wrong option type is an error");
    assert!(err.message().contains("timeout"), "{err}");
    assert!(Socket::with_options(server_url(), "3").is_err(), "options must be an object");
    assert!(Payload::json("{not json").is_err(), "a payload must be JSON");

    let socket = socket_with(r#"{"params":{"token":"valid"}}"#);
    let ch = socket.channel("room:x");
    let err = ch.push("echo", Payload::empty()).err().expect("a push before the join");
    assert!(err.message().contains("join"), "{err}");
    ch.join().unwrap();
    assert!(ch.join().is_err(), "a second join");
    ch.remove();
    assert_eq!(ch.state(), ChannelState::Closed);
    assert!(ch.push("echo", Payload::empty()).is_err(), "a push on a removed channel");
    assert!(ch.on("e", |_| {}).is_err(), "a binding on a removed channel");
    assert!(!socket.ping(|_| {}), "no ping while disconnected");
}

#[wasm_bindgen_test]
async fn huge_payloads_round_trip() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:huge").await;
    let list: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let big = format!(r#"{{"blob":"{}","list":[{}],"text":"{}"}}"#, "x".repeat(4 * 1024 * 1024), list.join(","), "héllo 🎉 ✓ ".repeat(2000));
    let reply = within(20_000, "the 4 MB echo", ch.push("echo", payload(&big)).unwrap().outcome()).await.unwrap();
    assert!(json(&reply) == norm(&big), "the 4 MB echo came back changed");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn pagehide_disconnects_and_pageshow_reconnects() {
    let socket = connected("valid").await;
    let (ch, status, _) = join(&socket, "room:lifecycle").await;
    assert_eq!(status, "ok");
    let closed = next(|cb| {
        socket.on_close(move |c: &Closed| cb(c.clone()));
    });
    dispatch("pagehide");
    within(5_000, "pagehide to close the socket", closed).await;
    assert!(!socket.is_connected());
    let opened = next(|cb| {
        socket.on_open(move || cb(()));
    });
    dispatch("pageshow");
    within(5_000, "pageshow to reconnect", opened).await;
    until(5_000, "the channel rejoined", || ch.state() == ChannelState::Joined).await;
    // a pageshow without a pagehide before it changes nothing
    let log = Log::default();
    let l = log.clone();
    socket.on_status(move |s| l.push(s.clone()));
    dispatch("pageshow");
    assert_eq!(log.len(), 0, "no status change: {:?}", log.get());
    assert!(socket.is_connected());
    socket.disconnect();
}

/// The browser's `online` event (a network switch): an open socket checks itself with a
/// heartbeat at once; a socket waiting out a long reconnect delay reconnects at once.
#[wasm_bindgen_test]
async fn online_sends_a_heartbeat_at_once_and_cuts_a_reconnect_delay_short() {
    let mut config = Config::from_options(server_url(), r#"{"params":{"token":"user:online"},"heartbeatIntervalMs":60000}"#).unwrap();
    config.reconnect_after = phoenix_wasm::core::Schedule::Steps(vec![60_000]);
    let socket = Socket::new(config);
    let opened = next(|cb| {
        socket.on_open(move || cb(()));
    });
    socket.connect();
    within(5_000, "connected", opened).await;
    let beat = next(|cb| {
        socket.on_heartbeat(cb);
    });
    dispatch("online");
    let rtt = within(5_000, "a heartbeat answered within 5 s, not at the 60 s interval", beat).await;
    assert!(rtt < Duration::from_secs(5));

    let closes = Log::default();
    let c = closes.clone();
    socket.on_close(move |e: &Closed| c.push(e.clone()));
    admin("/admin/drop?user=online").await;
    until(5_000, "the drop", || closes.len() == 1).await;
    assert!(!socket.is_connected());
    let reopened = next(|cb| {
        socket.on_open(move || cb(()));
    });
    dispatch("online");
    within(5_000, "reconnected at once, not after the 60 s delay", reopened).await;
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn reconnects_with_backoff_and_rejoins_after_the_server_drops_every_socket() {
    let socket = socket_with(r#"{"params":{"token":"user:dropme"}}"#);
    let (opens, closes, statuses) = (Log::default(), Log::default(), Log::default());
    let o = opens.clone();
    socket.on_open(move || o.push(()));
    let c = closes.clone();
    socket.on_close(move |e: &Closed| c.push(e.clone()));
    let s = statuses.clone();
    socket.on_status(move |st: &Status| s.push(st.clone()));
    socket.connect();
    let ch = socket.channel("room:drop");
    let joins = Log::default();
    let j = joins.clone();
    ch.join().unwrap().receive("ok", move |_| j.push(()));
    until(5_000, "first join", || joins.len() == 1).await;
    admin("/admin/drop?user=dropme").await;
    until(5_000, "close", || closes.len() == 1).await;
    assert!(!closes.get()[0].clean);
    until(5_000, "reopen and rejoin", || opens.len() == 2 && joins.len() == 2).await;
    assert_eq!(ch.state(), ChannelState::Joined);
    assert_eq!(
        statuses.get(),
        [Status::Connecting, Status::Open, Status::Reconnecting { attempt: 1, delay: Duration::from_millis(10) }, Status::Connecting, Status::Open]
    );
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn pushes_made_while_disconnected_are_all_delivered_after_reconnect_in_order() {
    let socket = socket_with(r#"{"params":{"token":"user:buffered"}}"#);
    let closes = Log::default();
    let c = closes.clone();
    socket.on_close(move |e: &Closed| c.push(e.clone()));
    socket.connect();
    let (ch, _, _) = join(&socket, "room:buffered").await;
    admin("/admin/drop?user=buffered").await;
    until(5_000, "close", || closes.len() == 1).await;
    assert!(!socket.is_connected());
    let echoes = Log::default();
    for i in 0..50 {
        let e = echoes.clone();
        ch.push("echo", payload(&format!(r#"{{"i":{i}}}"#))).unwrap().receive("ok", move |p| e.push(json(p)));
    }
    until(10_000, "50 echoes", || echoes.len() == 50).await;
    let want: Vec<String> = (0..50).map(|i| format!(r#"{{"i":{i}}}"#)).collect();
    assert_eq!(echoes.get(), want);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn heartbeat_timeout_is_detected_when_the_server_stops_answering() {
    let socket = socket_with(r#"{"params":{"token":"user:muted"},"heartbeatIntervalMs":100,"heartbeatTimeoutMs":150}"#);
    let closes = Log::default();
    let c = closes.clone();
    socket.on_close(move |e: &Closed| c.push(e.clone()));
    socket.connect();
    let (ch, _, _) = join(&socket, "room:muted").await;
    let errors = Log::default();
    let e = errors.clone();
    ch.on_error(move |p| e.push(json(p))).unwrap();
    admin("/admin/mute?user=muted&ms=400").await;
    until(5_000, "heartbeat timeout close", || closes.len() >= 1).await;
    assert_eq!(closes.get()[0].reason, "heartbeat timeout");
    assert_eq!(errors.get()[0], r#"{"source":"transport","reason":"heartbeat_timeout"}"#);
    until(5_000, "rejoined after the mute ends", || ch.state() == ChannelState::Joined && socket.is_connected()).await;
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn rejoins_after_the_channel_crashes() {
    let socket = socket_with(r#"{"params":{"token":"valid"}}"#);
    socket.connect();
    let ch = socket.channel("room:crashy");
    let joins = Log::default();
    let j = joins.clone();
    ch.join().unwrap().receive("ok", move |_| j.push(()));
    until(5_000, "join", || joins.len() == 1).await;
    let errors = Log::default();
    let e = errors.clone();
    ch.on_error(move |p| e.push(json(p))).unwrap();
    ch.push("crash", Payload::empty()).unwrap();
    until(5_000, "phx_error", || errors.len() == 1).await;
    assert_eq!(errors.get()[0], "{}"); // Phoenix 1.7's phx_error payload
    assert_eq!(ch.state(), ChannelState::Errored);
    until(5_000, "rejoin after 1 s", || joins.len() == 2).await;
    assert_eq!(ch.state(), ChannelState::Joined);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn join_timeout_when_the_server_never_answers() {
    let socket = connected("valid").await;
    let ch = socket.channel("room:silent");
    let push = ch.join_with_timeout(Some(Duration::from_millis(200))).unwrap();
    let got = next(|cb| {
        push.receive("timeout", move |p| cb(json(p)));
    });
    assert_eq!(within(5_000, "the join's timeout", got).await, "{}");
    assert_eq!(ch.state(), ChannelState::Errored);
    ch.leave().unwrap();
    socket.disconnect();
}

/// The token subprotocol is Phoenix 1.8's (`auth_token: true`, what the mock answers like);
/// a Phoenix 1.7 endpoint echoes no subprotocol, so there the browser fails the handshake.
#[wasm_bindgen_test]
async fn auth_token_is_accepted_by_the_server() {
    let socket = socket_with(r#"{"authToken":"user:tokenuser"}"#);
    if on_phoenix() {
        let failed = next(|cb| {
            socket.on_error(move |e| cb(e.to_owned()));
        });
        socket.connect();
        within(5_000, "the handshake to fail on Phoenix 1.7", failed).await;
        assert!(!socket.is_connected());
        socket.disconnect();
        return;
    }
    socket.connect();
    let ch = socket.channel("room:auth");
    let hello = next(|cb| {
        ch.on("after_join", move |p| cb(json(p))).unwrap();
    });
    ch.join().unwrap();
    assert_eq!(within(5_000, "after_join", hello).await, r#"{"hello":"tokenuser"}"#);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn params_function_is_re_evaluated_on_reconnect() {
    let n = Rc::new(Cell::new(0));
    let hooks = Hooks {
        params: Some(Box::new(move || {
            n.set(n.get() + 1);
            Ok(format!(r#"{{"token":"user:refresh{}"}}"#, n.get()))
        })),
        ..Hooks::default()
    };
    let socket = Socket::with_hooks(Config::new(server_url()), hooks);
    socket.connect();
    let ch = socket.channel("room:refresh");
    let hellos = Log::default();
    let h = hellos.clone();
    ch.on("after_join", move |p| h.push(json(p))).unwrap();
    ch.join().unwrap();
    until(5_000, "first hello", || hellos.len() == 1).await;
    admin("/admin/disconnect?user=refresh1").await;
    until(5_000, "second hello", || hellos.len() == 2).await;
    assert_eq!(hellos.get(), [r#"{"hello":"refresh1"}"#, r#"{"hello":"refresh2"}"#]);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn pushes_are_awaitable_and_fail_with_a_push_error() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:await").await;
    let ok = ch.push("echo", payload(r#"{"a":1}"#)).unwrap().outcome().await.unwrap();
    assert_eq!(json(&ok), r#"{"a":1}"#);
    let err = ch.push("fail", Payload::empty()).unwrap().outcome().await.unwrap_err();
    assert_eq!((err.event.as_str(), err.status.as_str()), ("fail", "error"));
    assert_eq!(json(&err.response), r#"{"reason":"failed"}"#);
    assert!(err.to_string().contains("fail"), "{err}");
    let timeout = ch.push_with_timeout("noreply", Payload::empty(), Some(Duration::from_millis(100))).unwrap().outcome().await.unwrap_err();
    assert_eq!(timeout.status, "timeout");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn ping_reports_a_round_trip_time() {
    let socket = connected("valid").await;
    let rtt = next(|cb| {
        assert!(socket.ping(cb));
    });
    assert!(within(5_000, "the pong", rtt).await < Duration::from_secs(5));
    socket.disconnect();
    assert!(!socket.ping(|_| {}), "false when disconnected");
}

/// Every callback may call any method of the socket, channel or push: nothing the
/// driver holds is borrowed while a callback runs.
#[wasm_bindgen_test]
async fn callbacks_may_call_back_into_the_socket_channel_and_push() {
    let cell: Rc<RefCell<Option<Socket>>> = Rc::default();
    let seen = Log::default();
    let (c1, c2, s1, s2) = (cell.clone(), cell.clone(), seen.clone(), seen.clone());
    let hooks = Hooks {
        params: Some(Box::new(move || {
            // the socket is asked for its params while connecting
            let connected = c1.borrow().as_ref().map(|s| s.is_connected());
            s1.push(format!("params while connected: {connected:?}"));
            Ok(r#"{"token":"user:reenter"}"#.to_owned())
        })),
        reconnect_after: Some(Box::new(move |tries| {
            s2.push(format!("reconnect {tries} while {}", c2.borrow().as_ref().map_or("?", |s| s.connection_state())));
            Some(Duration::from_millis(10))
        })),
        ..Hooks::default()
    };
    let socket = Socket::with_hooks(Config::new(server_url()), hooks);
    *cell.borrow_mut() = Some(socket.clone());
    let (s, l) = (socket.clone(), seen.clone());
    socket.on_open(move || l.push(format!("open: {} {}", s.is_connected(), s.connection_state())));
    let (s, l) = (socket.clone(), seen.clone());
    socket.on_status(move |st| l.push(format!("status {:?}: {:?}", st, s.status())));
    socket.connect();
    let ch = socket.channel("room:reenter");
    // a binding that pushes, unbinds itself and reads the channel's state
    let (c, l) = (ch.clone(), seen.clone());
    let me = Rc::new(Cell::new(0));
    let me2 = me.clone();
    me.set(
        ch.on("shout", move |p| {
            l.push(format!("shout {} in {:?}", json(p), c.state()));
            c.off("shout", Some(me2.get())).unwrap();
            let l2 = l.clone();
            c.push("echo", payload(r#"{"from":"binding"}"#)).unwrap().receive("ok", move |r| l2.push(format!("echo {}", json(r))));
        })
        .unwrap(),
    );
    let (c, l) = (ch.clone(), seen.clone());
    ch.join().unwrap().receive("ok", move |_| {
        // a join's receive callback that pushes and reads the join ref
        l.push(format!("joined with a ref: {}", c.join_ref().is_some()));
        c.push("shout", payload(r#"{"n":1}"#)).unwrap();
    });
    until(5_000, "the binding's echo", || seen.get().iter().any(|s| s.starts_with("echo "))).await;
    // a second shout finds no binding: it removed itself
    ch.push("shout", payload(r#"{"n":2}"#)).unwrap().outcome().await.unwrap();
    assert_eq!(seen.get().iter().filter(|s| s.starts_with("shout")).count(), 1, "{:?}", seen.get());
    // a receive callback that disconnects and connects again
    let (s, l) = (socket.clone(), seen.clone());
    ch.push("echo", payload("{}")).unwrap().receive("ok", move |_| {
        s.disconnect();
        l.push(format!("after disconnect: {}", s.connection_state()));
        s.connect();
    });
    until(5_000, "reconnected and rejoined", || seen.get().iter().filter(|s| s.starts_with("open:")).count() == 2 && ch.state() == ChannelState::Joined).await;
    // a close callback that pushes: buffered, then sent after the reconnect
    let (c, l) = (ch.clone(), seen.clone());
    socket.on_close(move |_| {
        let l2 = l.clone();
        c.push("echo", payload(r#"{"from":"close"}"#)).unwrap().receive("ok", move |r| l2.push(format!("echo {}", json(r))));
    });
    admin("/admin/drop?user=reenter").await;
    until(5_000, "the push from onClose answered", || seen.get().iter().any(|s| s == r#"echo {"from":"close"}"#)).await;
    let seen = seen.get();
    assert!(seen.contains(&"params while connected: Some(false)".to_owned()), "{seen:?}");
    assert!(seen.contains(&"open: true open".to_owned()), "{seen:?}");
    assert!(seen.contains(&"joined with a ref: true".to_owned()), "{seen:?}");
    assert!(seen.contains(&r#"shout {"n":1} in Joined"#.to_owned()), "{seen:?}");
    assert!(seen.contains(&r#"echo {"from":"binding"}"#.to_owned()), "{seen:?}");
    assert!(seen.contains(&"after disconnect: closed".to_owned()), "{seen:?}");
    assert!(seen.iter().any(|s| s.starts_with("reconnect 1 while")), "{seen:?}");
    assert!(seen.iter().any(|s| s.starts_with("status Open: Open")), "{seen:?}");
    socket.disconnect();
    *cell.borrow_mut() = None;
}

#[wasm_bindgen_test]
async fn receive_after_the_reply_arrived_fires_at_once_for_that_status_only() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:late").await;
    let push = ch.push("fail", Payload::empty()).unwrap();
    let _ = push.outcome().await; // the reply has arrived
    let (errors, oks) = (Log::default(), Log::default());
    let (e, o) = (errors.clone(), oks.clone());
    push.receive("ok", move |p| o.push(json(p))).receive("error", move |p| e.push(json(p)));
    assert_eq!(errors.get(), [r#"{"reason":"failed"}"#], "fires synchronously");
    assert_eq!(oks.len(), 0);
    assert_eq!(push.outcome_now().map(|(s, _)| s).as_deref(), Some("error"));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn reliable_channel_loses_nothing_across_a_drop() {
    let publisher = connected("user:publisher").await;
    let (pubch, _, _) = join(&publisher, "reliable:feed").await;
    let sub = socket_with(r#"{"params":{"token":"user:reliable-sub"}}"#);
    let closes = Log::default();
    let c = closes.clone();
    sub.on_close(move |e: &Closed| c.push(e.clone()));
    sub.connect();
    let ch = sub.channel_with("reliable:feed", JoinParams::Json("{}".into()), ChannelOptions { reliable: true, ..ChannelOptions::default() });
    let (events, missed, joins) = (Log::default(), Log::default(), Log::default());
    let e = events.clone();
    ch.on("event", move |p| e.push(json(p))).unwrap();
    let m = missed.clone();
    ch.on("missed", move |p| m.push(json(p))).unwrap();
    let j = joins.clone();
    ch.join().unwrap().receive("ok", move |_| j.push(()));
    until(5_000, "subscribed", || joins.len() == 1).await;
    let publish = |i: u32| pubch.push("publish", payload(&format!(r#"{{"data":{{"i":{i}}}}}"#))).unwrap();
    for i in 0..20 {
        publish(i).outcome().await.unwrap();
    }
    until(5_000, "first 20", || events.len() == 20).await;
    admin("/admin/drop?user=reliable-sub").await;
    until(5_000, "drop noticed", || closes.len() == 1).await;
    for i in 20..40 {
        publish(i).outcome().await.unwrap(); // published while the subscriber is away
    }
    until(10_000, "all 40 after the rejoin", || events.len() >= 40).await;
    // each event's `data.i` (the events carry their sequence numbers besides)
    let i_of = |e: &String| {
        let data = js_sys::Reflect::get(&JSON::parse(e).unwrap(), &"data".into()).unwrap();
        js_sys::Reflect::get(&data, &"i".into()).unwrap().as_f64().unwrap() as u32
    };
    let got: Vec<u32> = events.get().iter().map(i_of).collect();
    assert_eq!(got, (0..40).collect::<Vec<u32>>(), "in order, once each");
    assert_eq!(missed.len(), 0);
    sub.disconnect();
    publisher.disconnect();
}

#[wasm_bindgen_test]
async fn health_status_heartbeats_channel_states_and_correlation_id() {
    let socket = socket_with(r#"{"params":{"token":"user:healthy"},"heartbeatIntervalMs":50,"correlationId":"cid-7"}"#);
    assert!(socket.endpoint_url().unwrap().contains("correlation_id=cid-7"), "{:?}", socket.endpoint_url());
    let mut statuses = socket.statuses();
    let rtts = Log::default();
    let r = rtts.clone();
    socket.on_heartbeat(move |rtt| r.push(rtt));
    socket.connect();
    assert_eq!(within(5_000, "connecting", statuses.next()).await, Some(Status::Connecting));
    assert_eq!(within(5_000, "open", statuses.next()).await, Some(Status::Open));
    assert_eq!(socket.status(), Status::Open);
    let ch = socket.channel("room:health");
    let states = Log::default();
    let s = states.clone();
    ch.on_state(move |st| s.push(st));
    ch.join().unwrap().outcome().await.unwrap();
    until(5_000, "two heartbeats", || rtts.len() >= 2).await;
    let h = socket.health();
    assert!(h.last_rtt.is_some());
    assert_eq!(h.channels, [("room:health".to_owned(), ChannelState::Joined)]);
    assert_eq!(h.reconnects, 0);
    admin("/admin/drop?user=healthy").await;
    assert!(matches!(within(5_000, "reconnecting", statuses.next()).await, Some(Status::Reconnecting { attempt: 1, .. })));
    assert_eq!(within(5_000, "connecting again", statuses.next()).await, Some(Status::Connecting));
    assert_eq!(within(5_000, "open again", statuses.next()).await, Some(Status::Open));
    until(5_000, "rejoined", || ch.state() == ChannelState::Joined).await;
    assert_eq!(socket.health().reconnects, 1);
    use ChannelState::*;
    assert_eq!(states.get(), [Joining, Joined, Errored, Joining, Joined]);
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn presence_list_follows_a_large_state_and_its_diffs_in_join_order() {
    let socket = connected("valid").await;
    let (ch, _, _) = join(&socket, "room:presence-list").await;
    let presence = Presence::with_events(&ch, Some("bench_state"), Some("bench_diff")).unwrap();
    assert!(presence.keys().is_empty());
    let syncs = Rc::new(Cell::new(0));
    let s = syncs.clone();
    presence.on_sync(move || s.set(s.get() + 1));
    let (joins, leaves) = (Log::default(), Log::default());
    let j = joins.clone();
    presence.on_join(move |key, _, _| j.push(key.to_owned()));
    let l = leaves.clone();
    presence.on_leave(move |key, current, _| l.push((key.to_owned(), current.metas.len())));
    let states = Log::default();
    let st = states.clone();
    ch.on("bench_state", move |p| st.push(p.as_json().unwrap().to_owned())).unwrap();
    // 200 members (user0..user199), then 50 diffs: diff d joins user{200+d} and removes user{d}
    let push = ch.push("presence_load", payload(r#"{"members":200,"diffs":50}"#)).unwrap();
    within(10_000, "presence_load answered after its frames", push.outcome()).await.unwrap();
    assert_eq!(syncs.get(), 51);
    assert_eq!(joins.len(), 250);
    assert_eq!(leaves.get()[0], ("user0".to_owned(), 0), "a key that left has no metas");
    // the state's keys in the order the server's state object has them (the mock sorts them
    // as strings, Phoenix's maps hash them), less the 50 that left; the joins come after
    let gone: Vec<String> = (0..50).map(|u| format!("user{u}")).collect();
    let state = JSON::parse(&states.get()[0]).unwrap();
    let mut expected: Vec<String> =
        js_sys::Object::keys(state.unchecked_ref::<js_sys::Object>()).iter().map(|k| k.as_string().unwrap()).filter(|k| !gone.contains(k)).collect();
    assert_eq!(expected.len(), 150);
    expected.extend((200..250).map(|u| format!("user{u}")));
    assert_eq!(presence.keys(), expected);
    let refs = presence.list(|_, p| p.metas[0].phx_ref().unwrap_or("").to_owned());
    assert_eq!(refs[0], format!("R{}-0", &expected[0]["user".len()..]));
    assert_eq!(refs[199], "R249-0");
    // the state as JSON has the same keys in the same order
    let fresh = JSON::parse(&presence.state_json()).unwrap();
    let fresh: Vec<String> = js_sys::Object::keys(fresh.unchecked_ref::<js_sys::Object>()).iter().map(|k| k.as_string().unwrap()).collect();
    assert_eq!(fresh, expected);
    assert!(!presence.in_pending_sync_state());
    socket.disconnect();
}

/// A socket with no handle left (its channels' included) closes: nothing keeps a
/// connection the application can no longer reach. Its last handle may even go inside
/// one of its own callbacks. Another socket's presence sees it leave.
#[wasm_bindgen_test]
async fn dropping_the_last_handle_closes_the_socket() {
    let watcher = connected("user:watcher-of-drop").await;
    let (room, _, _) = join(&watcher, "presence:room:dropped-handle").await;
    let presence = Presence::new(&room).unwrap();
    let socket = connected("user:dropped-handle").await;
    let (ch, _, _) = join(&socket, "presence:room:dropped-handle").await;
    until(5_000, "the watcher to see it join", || presence.keys().contains(&"dropped-handle".to_owned())).await;
    let holder: Rc<RefCell<Option<Socket>>> = Rc::new(RefCell::new(Some(socket.clone())));
    let h = holder.clone();
    // the last handle goes while the socket runs this callback
    assert!(socket.ping(move |_| drop(h.borrow_mut().take())));
    drop((socket, ch));
    until(5_000, "the pong", || holder.borrow().is_none()).await;
    until(5_000, "the watcher to see it leave", || !presence.keys().contains(&"dropped-handle".to_owned())).await;
    watcher.disconnect();
}

/// Token refresh (docs/token-refresh.md): every joined channel gets the new token, a
/// refused one fails the future with the channel's topic, and a token whose lifetime
/// passes closes the channel as the server says.
#[wasm_bindgen_test]
async fn refresh_token_reaches_every_joined_channel() {
    let socket = connected("user:ann").await;
    let (a, _, _) = join(&socket, "room:token-a").await;
    let (b, _, _) = join(&socket, "room:token-b").await;
    let token_of = |ch: &phoenix_wasm::web::Channel| {
        let push = ch.push("token", payload("{}")).unwrap();
        async move { json(&push.outcome().await.unwrap()) }
    };
    assert_eq!(token_of(&a).await, r#"{"access_token":null}"#);
    within(5_000, "the refresh", socket.refresh_token("user:ann")).await.unwrap();
    assert_eq!(token_of(&a).await, r#"{"access_token":"user:ann"}"#);
    assert_eq!(token_of(&b).await, r#"{"access_token":"user:ann"}"#);

    let refused = within(5_000, "the refused refresh", socket.refresh_token("user:bob")).await.unwrap_err();
    assert_eq!(refused.topic, "room:token-a");
    assert_eq!((refused.error.status.as_str(), json(&refused.error.response).as_str()), ("error", r#"{"reason":"invalid_token"}"#));
    assert_eq!(token_of(&b).await, r#"{"access_token":"user:ann"}"#, "a refused token leaves the old one");

    let (_, mut expired) = b.events("token_expired").unwrap();
    let closed = next(|cb| {
        b.on_close(move |_| cb(())).unwrap();
    });
    within(5_000, "the short-lived refresh", socket.refresh_token("user:ann@200")).await.unwrap();
    within(5_000, "token_expired", expired.next()).await.expect("token_expired");
    within(5_000, "the channel to close", closed).await;
    assert_eq!(b.state(), ChannelState::Closed);
    socket.disconnect();
}

/// A reliable channel that resumes across page loads starts after the cursor its store
/// holds (what an earlier page delivered): the server replays what came after it, and
/// each delivery moves the stored cursor, after the event's callbacks.
#[wasm_bindgen_test]
async fn a_resuming_channel_starts_after_the_stored_cursor_and_stores_each_delivery() {
    let topic = format!("reliable:resume-rust-{}", js_sys::Date::now() as u64);
    let key = format!("cursor:{topic}");
    let publisher = connected("user:resume-publisher").await;
    let (feed, _, _) = join(&publisher, &topic).await;
    for i in 0..5 {
        within(5_000, "a publish", feed.push("publish", payload(&format!(r#"{{"data":{{"i":{i}}}}}"#))).unwrap().outcome()).await.unwrap();
    }
    // an earlier page delivered up to seq 2
    WebStorage::session(&key).unwrap().save(Some(2));
    let socket = connected("user:resumed").await;
    let channel = socket.resuming_channel(&topic, JoinParams::default(), WebStorage::session(&key).unwrap());
    let cursors = Log::default();
    let (c, store) = (cursors.clone(), WebStorage::session(&key).unwrap());
    channel.on("event", move |_| c.push(store.load())).unwrap();
    let (_, mut events) = channel.events("event").unwrap();
    within(5_000, "the join", channel.join().unwrap().outcome()).await.unwrap();
    let mut seqs = Vec::new();
    while seqs.len() < 3 {
        let event = within(5_000, "a replayed event", events.next()).await.unwrap();
        seqs.push(JSON::parse(event.as_json().unwrap()).ok().and_then(|v| js_sys::Reflect::get(&v, &"seq".into()).ok()).and_then(|s| s.as_f64()).unwrap() as u64);
    }
    assert_eq!(seqs, [3, 4, 5], "the events after the stored cursor, once each");
    assert_eq!(cursors.get(), [Some(2), Some(3), Some(4)], "each callback ran before its event's cursor was stored");
    until(5_000, "the last cursor stored", || WebStorage::session(&key).unwrap().load() == Some(5)).await;
    socket.disconnect();
    publisher.disconnect();
}
