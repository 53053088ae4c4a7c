//! The socket, channel and push state machines, driven natively with a virtual clock.
//! Test names follow phoenix.js's socket_test.js / channel_test.js where they port one.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use std::time::Duration;

use phoenix_wasm::core::{ChannelState, Config, ConnectionState, Event, Message, Output, Payload, Retry, Source, Status};
use sim::{broadcast, config, json, params, replies, Sim};

fn joined(sim: &mut Sim, topic: &str) -> phoenix_wasm::core::ChannelId {
    let ch = sim.socket.channel(topic, params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "ok", "{}");
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Joined);
    sim.take_sent();
    sim.take_events();
    ch
}

// ---------------------------------------------------------------- connect

#[test]
fn connect_establishes_connection_with_endpoint_params_and_vsn() {
    let mut c = config();
    c.params = Source::json(r#"{"token":"valid"}"#);
    let mut sim = Sim::new(c);
    assert_eq!(sim.socket.connection_state(), ConnectionState::Closed);
    sim.socket.connect(sim.now);
    sim.drain();
    assert_eq!(sim.connects[0].1, "ws://example.test/socket/websocket?token=valid&vsn=2.0.0");
    // as phoenix.js 1.8.16: no subprotocol without an authToken (a default Phoenix
    // endpoint echoes none, and the browser then fails the handshake)
    assert!(sim.connects[0].2.is_empty(), "offered {:?}", sim.connects[0].2);
    assert_eq!(sim.socket.connection_state(), ConnectionState::Connecting);
    sim.transport_opens();
    assert_eq!(sim.socket.connection_state(), ConnectionState::Open);
    assert!(sim.socket.is_connected());
    assert_eq!(sim.take_events(), vec![Event::Status(Status::Connecting), Event::Status(Status::Open), Event::Open]);
}

#[test]
fn status_stream_reports_reconnecting_with_attempt_and_delay_and_closed_after_disconnect() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.take_events();
    sim.transport_closes(1006);
    assert!(sim.events.contains(&Event::Status(Status::Reconnecting { attempt: 1, delay: Duration::from_millis(10) })));
    sim.advance(10);
    sim.transport_closes(1006);
    assert!(sim.events.contains(&Event::Status(Status::Reconnecting { attempt: 2, delay: Duration::from_millis(50) })));
    sim.advance(50);
    sim.transport_opens();
    sim.take_events();
    sim.socket.disconnect(Some(1000), Some("bye"), sim.now);
    sim.drain();
    assert!(sim.events.contains(&Event::Status(Status::Closed { code: 1000, reason: "bye".into(), clean: true })));
}

#[test]
fn connect_is_idempotent() {
    let mut sim = Sim::new(config());
    sim.socket.connect(sim.now);
    sim.socket.connect(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 1);
    sim.transport_opens();
    sim.socket.connect(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 1);
}

#[test]
fn params_and_auth_token_functions_are_re_evaluated_on_every_connect() {
    let mut c = config();
    (c.params, c.auth_token) = (Source::Ask, Source::Ask);
    let mut sim = Sim::new(c);
    let mut n = 0;
    sim.answers.params = Some(Box::new(move || {
        n += 1;
        Ok(format!(r#"{{"token":"t{n}"}}"#))
    }));
    let mut m = 0;
    sim.answers.token = Some(Box::new(move || {
        m += 1;
        Ok(Some(format!("tok{m}")))
    }));
    sim.open();
    sim.transport_closes(1006);
    sim.advance(10);
    assert_eq!(sim.connects.len(), 2);
    assert!(sim.connects[0].1.contains("token=t1"));
    assert!(sim.connects[1].1.contains("token=t2"));
    assert_eq!(sim.connects[0].2, vec!["phoenix", "base64url.bearer.phx.dG9rMQ"]); // "tok1"
    assert_eq!(sim.connects[1].2, vec!["phoenix", "base64url.bearer.phx.dG9rMg"]); // "tok2"
}

#[test]
fn an_unsendable_token_is_an_error_event_at_connect_not_a_panic() {
    let mut c = config();
    c.auth_token = Source::Fixed(Some("snow ☃".into()));
    let mut sim = Sim::new(c);
    sim.socket.connect(sim.now);
    sim.drain();
    assert!(sim.connects.is_empty());
    assert!(matches!(&sim.events[..], [Event::Error { reason }] if reason.contains("Latin-1")));
    assert_eq!(sim.socket.connection_state(), ConnectionState::Closed);
}

// --------------------------------------------------------------- heartbeat

#[test]
fn pushes_heartbeat_data_when_connected() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance(29_999);
    assert!(sim.sent.is_empty());
    sim.advance(1);
    let hb = sim.last_sent("heartbeat");
    assert_eq!((hb.topic.as_str(), hb.join_ref.as_deref(), &hb.payload), ("phoenix", None, &Payload::empty()));
}

#[test]
fn next_heartbeat_is_scheduled_from_the_reply() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance(30_000);
    let hb = sim.last_sent("heartbeat");
    sim.advance(5_000);
    sim.reply(&hb, "ok", "{}");
    sim.take_sent();
    sim.advance(29_999);
    assert!(sim.sent.is_empty());
    sim.advance(1);
    assert_eq!(sim.sent_events(), ["phoenix:heartbeat"]);
    assert!(sim.closes.is_empty());
}

#[test]
fn closes_socket_when_heartbeat_is_not_acked_and_errors_channels() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.advance(30_000); // heartbeat sent
    sim.advance(30_000); // no reply
    assert_eq!(sim.closes, vec![(1000, "heartbeat timeout".to_owned())]);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Errored);
    assert!(sim.events.contains(&Event::Close { code: 1000, reason: "heartbeat timeout".into(), clean: false }));
    // reconnects after the first backoff step, and the channel rejoins on open
    sim.advance(10);
    assert_eq!(sim.connects.len(), 2);
    sim.take_sent();
    sim.transport_opens();
    assert_eq!(sim.sent_events(), ["room:1:phx_join"]);
}

#[test]
fn heartbeat_timeout_option_shortens_dead_link_detection() {
    let mut c = config();
    c.heartbeat_timeout = Some(5_000);
    let mut sim = Sim::new(c);
    sim.open();
    sim.advance(35_000);
    assert_eq!(sim.closes.len(), 1);
}

// ---------------------------------------------------------------- reconnect

#[test]
fn reconnects_with_phoenix_js_backoff_after_any_close_it_did_not_start() {
    let mut sim = Sim::new(config());
    sim.open();
    let mut starts = vec![];
    for _ in 0..11 {
        sim.transport_closes(1000); // even a normal close from the server
        let before = sim.connects.len();
        let t0 = sim.now;
        while sim.connects.len() == before {
            sim.advance(1);
        }
        starts.push(sim.now - t0);
    }
    // never opened in between: tries keep counting
    assert_eq!(starts[0], 10);
    let mut sim2 = Sim::new(config());
    sim2.socket.connect(sim2.now);
    sim2.drain();
    let mut delays = vec![];
    for _ in 0..10 {
        sim2.transport_closes(1006);
        let t0 = sim2.now;
        let before = sim2.connects.len();
        while sim2.connects.len() == before {
            sim2.advance(1);
        }
        delays.push(sim2.now - t0);
    }
    assert_eq!(delays, [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000]);
}

#[test]
fn does_not_reconnect_after_explicit_disconnect() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.disconnect(Some(1000), Some("bye"), sim.now);
    sim.drain();
    assert_eq!(sim.closes, vec![(1000, "bye".to_owned())]);
    assert!(sim.events.contains(&Event::Close { code: 1000, reason: "bye".into(), clean: true }));
    // the transport's own close event arrives later and is ignored
    sim.transport_closes(1000);
    sim.advance(60_000);
    assert_eq!(sim.connects.len(), 1);
    assert!(!sim.sent.iter().any(|m| m.event == "heartbeat"), "no heartbeat after explicit disconnect");
}

#[test]
fn events_of_a_replaced_connection_are_ignored() {
    let mut sim = Sim::new(config());
    sim.open();
    let old = sim.conn.unwrap();
    sim.transport_closes(1006);
    sim.advance(10);
    sim.transport_opens();
    sim.take_events();
    sim.socket.handle_close(old, 1006, "late", sim.now);
    sim.drain();
    assert!(sim.socket.is_connected());
    assert!(sim.events.is_empty());
}

// ------------------------------------------------------------ join and push

#[test]
fn join_sends_phx_join_with_params_and_join_ref_equal_to_ref() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:lobby", params(r#"{"name":"x"}"#));
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Closed);
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    assert_eq!(join.topic, "room:lobby");
    assert_eq!(join.payload, json(r#"{"name":"x"}"#));
    assert_eq!(join.join_ref, join.msg_ref);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Joining);
    sim.reply(&join, "ok", r#"{"joined":"room:lobby"}"#);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Joined);
    let jp = sim.socket.join_push(ch).unwrap();
    assert!(sim.events.contains(&Event::PushReply { push: jp, status: "ok".into(), response: json(r#"{"joined":"room:lobby"}"#), last: false }));
}

#[test]
fn throws_if_attempting_to_join_multiple_times() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, 0).unwrap();
    let err = sim.socket.join(ch, None, 0).unwrap_err();
    assert!(err.to_string().contains("tried to join multiple times to 'room:1'"));
}

#[test]
fn push_before_join_is_an_error() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    let err = sim.socket.push(ch, "echo", Payload::empty(), None, 0).unwrap_err();
    assert!(err.to_string().contains("before joining"));
}

#[test]
fn push_is_sent_when_joined_and_the_reply_resolves_it_once() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.push(ch, "echo", json(r#"{"a":1}"#), None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("echo");
    assert_eq!(m.join_ref, sim.socket.join_ref_of(ch));
    sim.reply(&m, "ok", r#"{"a":1}"#);
    sim.reply(&m, "ok", r#"{"a":2}"#); // a duplicate reply is ignored
    sim.advance(20_000); // and no timeout afterwards
    assert_eq!(replies(&sim.events), vec![(p, "ok".to_owned())]);
}

#[test]
fn push_times_out_without_a_reply() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.push(ch, "noreply", Payload::empty(), Some(500), sim.now).unwrap();
    sim.drain();
    sim.advance(499);
    assert!(replies(&sim.events).is_empty());
    sim.advance(1);
    assert_eq!(replies(&sim.events), vec![(p, "timeout".to_owned())]);
}

#[test]
fn enqueues_push_until_join_succeeds_then_sends_in_order() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    for i in 0..3 {
        sim.socket.push(ch, &format!("e{i}"), Payload::empty(), None, sim.now).unwrap();
    }
    sim.drain();
    assert_eq!(sim.sent_events(), ["room:1:phx_join"]);
    sim.reply(&join, "ok", "{}");
    assert_eq!(sim.sent_events(), ["room:1:phx_join", "room:1:e0", "room:1:e1", "room:1:e2"]);
}

#[test]
fn buffered_push_that_times_out_is_never_sent() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, Some(20_000), sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    let p = sim.socket.push(ch, "late", Payload::empty(), Some(1_000), sim.now).unwrap();
    sim.advance(1_000);
    assert_eq!(replies(&sim.events), vec![(p, "timeout".to_owned())]);
    sim.reply(&join, "ok", "{}");
    assert!(!sim.sent.iter().any(|m| m.event == "late"));
}

#[test]
fn pushes_while_disconnected_are_delivered_after_reconnect_in_order() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.transport_closes(1006);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Errored);
    for i in 0..5 {
        sim.socket.push(ch, "echo", json(&format!(r#"{{"i":{i}}}"#)), None, sim.now).unwrap();
    }
    sim.advance(10);
    sim.transport_opens();
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "ok", "{}");
    let echoed: Vec<Payload> = sim.sent.iter().filter(|m| m.event == "echo").map(|m| m.payload.clone()).collect();
    assert_eq!(echoed, (0..5).map(|i| json(&format!(r#"{{"i":{i}}}"#))).collect::<Vec<_>>());
}

#[test]
fn buffer_overflow_rejects_the_push_with_buffer_full() {
    let mut c = config();
    c.max_send_buffer = 2;
    let mut sim = Sim::new(c);
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    let ps: Vec<_> = (0..3).map(|_| sim.socket.push(ch, "x", Payload::empty(), None, sim.now).unwrap()).collect();
    sim.drain();
    assert!(sim.events.contains(&Event::PushReply { push: ps[2], status: "error".into(), response: json(r#"{"reason":"buffer_full"}"#), last: true }));
    assert_eq!(replies(&sim.events).len(), 1);
}

// ------------------------------------------------------------ rejoin, errors

#[test]
fn join_error_sets_errored_and_rejoins_with_backoff_while_connected() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:forbidden", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "error", r#"{"reason":"unauthorized"}"#);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Errored);
    sim.take_sent();
    sim.advance(999);
    assert!(sim.sent.is_empty());
    sim.advance(1);
    assert_eq!(sim.sent_events(), ["room:forbidden:phx_join"]);
    let join2 = sim.last_sent("phx_join");
    assert_ne!(join2.msg_ref, join.msg_ref);
    sim.reply(&join2, "error", "{}");
    sim.take_sent();
    sim.advance(2_000);
    assert_eq!(sim.sent_events(), ["room:forbidden:phx_join"], "second rejoin after 2 s");
}

#[test]
fn join_timeout_sends_leave_errors_and_retries() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:slow", params("{}"));
    sim.socket.join(ch, Some(1_000), sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    sim.take_sent();
    sim.advance(1_000);
    let leave = sim.last_sent("phx_leave");
    assert_eq!(leave.join_ref, join.join_ref);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Errored);
    sim.advance(1_000);
    assert_eq!(sim.last_sent("phx_join").topic, "room:slow");
}

#[test]
fn server_phx_error_errors_the_channel_and_it_rejoins() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let errs = sim.socket.on(ch, "phx_error").unwrap();
    let jr = sim.socket.join_ref_of(ch);
    sim.recv(Message { join_ref: jr.clone(), msg_ref: jr, topic: "room:1".into(), event: "phx_error".into(), payload: json("{}") });
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Errored);
    assert!(sim.events.iter().any(|e| matches!(e, Event::Channel { bindings, event, .. } if event == "phx_error" && bindings == &[errs])));
    sim.advance(1_000);
    assert_eq!(sim.last_sent("phx_join").topic, "room:1");
}

#[test]
fn messages_of_an_outdated_join_ref_are_dropped_and_broadcasts_accepted() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let b = sim.socket.on(ch, "shout").unwrap();
    sim.recv(Message { join_ref: Some("999".into()), msg_ref: None, topic: "room:1".into(), event: "shout".into(), payload: json("{}") });
    assert!(sim.events.is_empty());
    sim.recv(broadcast("room:1", "shout", r#"{"m":1}"#));
    assert_eq!(
        sim.take_events(),
        vec![Event::Channel { channel: ch, bindings: vec![b], event: "shout".into(), payload: json(r#"{"m":1}"#), msg_ref: None, join_ref: None }]
    );
    sim.recv(broadcast("room:2", "shout", "{}"));
    assert!(sim.events.is_empty(), "other topics are ignored");
}

#[test]
fn a_message_for_several_channels_reaches_each_whole_and_observers_see_it_whole() {
    // the last channel a message is for takes its parts instead of copying them:
    // the channels before it, and an observer of every message after it, still see it all
    let mut sim = Sim::new(config());
    sim.open();
    let a = joined(&mut sim, "room:1");
    let b = sim.socket.channel("room:1", params("{}")); // same topic, not joined: broadcasts reach it too
    let (ra, rb) = (sim.socket.on(a, "shout").unwrap(), sim.socket.on(b, "shout").unwrap());
    let delivered = |channel, binding, join_ref: Option<&str>| Event::Channel {
        channel,
        bindings: vec![binding],
        event: "shout".into(),
        payload: json(r#"{"m":1}"#),
        msg_ref: Some("7".into()),
        join_ref: join_ref.map(Into::into),
    };
    let shout = Message { msg_ref: Some("7".into()), ..broadcast("room:1", "shout", r#"{"m":1}"#) };
    sim.recv(shout.clone());
    assert_eq!(sim.take_events(), vec![delivered(a, ra, None), delivered(b, rb, None)]);
    sim.socket.set_observe_messages(true);
    sim.recv(shout.clone());
    assert_eq!(sim.take_events(), vec![delivered(a, ra, None), delivered(b, rb, None), Event::Message(shout)]);
    // a join ref picks one channel; the message is still whole for the observer
    let jr = sim.socket.join_ref_of(a).unwrap();
    let own = Message { join_ref: Some(jr.clone()), msg_ref: Some("7".into()), ..broadcast("room:1", "shout", r#"{"m":1}"#) };
    sim.recv(own.clone());
    assert_eq!(sim.take_events(), vec![delivered(a, ra, Some(&jr)), Event::Message(own)]);
    // a close for the topic removes the joined channel mid-route; the one after it
    // (never joined, so kept) still gets the message
    sim.socket.set_observe_messages(false);
    let closes = sim.socket.on(b, "phx_close").unwrap();
    sim.recv(broadcast("room:1", "phx_close", "{}"));
    assert!(sim.socket.channel_state(a).is_err(), "the joined channel is closed and removed");
    let to_b: Vec<_> = sim.take_events().into_iter().filter(|e| matches!(e, Event::Channel { channel, .. } if *channel == b)).collect();
    assert_eq!(to_b, vec![Event::Channel { channel: b, bindings: vec![closes], event: "phx_close".into(), payload: json("{}"), msg_ref: None, join_ref: None }]);
}

#[test]
fn on_returns_unique_refs_and_off_removes_by_ref_or_all() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let a = sim.socket.on(ch, "e").unwrap();
    let b = sim.socket.on(ch, "e").unwrap();
    assert_ne!(a, b);
    sim.socket.off(ch, "e", Some(a)).unwrap();
    sim.recv(broadcast("room:1", "e", "{}"));
    assert!(matches!(&sim.take_events()[..], [Event::Channel { bindings, .. }] if bindings == &[b]));
    sim.socket.off(ch, "e", None).unwrap();
    sim.recv(broadcast("room:1", "e", "{}"));
    assert!(sim.events.is_empty());
}

#[test]
fn leave_closes_on_ok_and_removes_the_channel() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let presence = sim.socket.presence(ch, None, None).unwrap();
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Leaving);
    let leave = sim.last_sent("phx_leave");
    sim.reply(&leave, "ok", "{}");
    assert!(sim.socket.channel_state(ch).is_err(), "removed from the socket");
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::ChannelRemoved { channel, presences, .. } if *channel == ch && presences == &[presence])));
    assert!(sim.socket.presence_state(presence).is_none(), "its presence went with it");
    sim.transport_closes(1006);
    sim.advance(10);
    sim.take_sent();
    sim.transport_opens();
    assert!(sim.sent.is_empty(), "a left channel does not rejoin");
}

#[test]
fn leaves_existing_duplicate_topic_on_new_join() {
    let mut sim = Sim::new(config());
    sim.open();
    let first = joined(&mut sim, "room:1");
    let second = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(second, None, sim.now).unwrap();
    sim.drain();
    assert_eq!(sim.sent_events(), ["room:1:phx_leave", "room:1:phx_join"]);
    assert_eq!(sim.socket.channel_state(first).unwrap(), ChannelState::Leaving);
}

#[test]
fn malformed_frames_become_error_events() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.recv_frame(phoenix_wasm::core::Frame::Text("[1,2".into()));
    sim.recv_frame(phoenix_wasm::core::Frame::Binary(vec![7, 0]));
    let errors = sim.events.iter().filter(|e| matches!(e, Event::Error { .. })).count();
    assert_eq!(errors, 2);
    assert!(sim.socket.is_connected());
}

#[test]
fn make_ref_returns_next_ref_as_string() {
    let mut sim = Sim::new(Config::new("/socket"));
    assert_eq!(sim.socket.make_ref(), "1");
    assert_eq!(sim.socket.make_ref(), "2");
}

#[test]
fn health_reports_rtt_reconnects_buffer_and_channels() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.advance(30_000);
    let hb = sim.last_sent("heartbeat");
    sim.advance(25);
    sim.reply(&hb, "ok", "{}");
    assert!(sim.events.contains(&Event::Heartbeat { rtt: 25 }));
    sim.transport_closes(1006);
    sim.socket.push(ch, "while_down", Payload::empty(), None, sim.now).unwrap();
    let h = sim.socket.health();
    assert_eq!(h.last_rtt, Some(Duration::from_millis(25)));
    assert_eq!(h.reconnects, 0);
    assert_eq!(h.pushes_in_flight, 1);
    assert_eq!(h.channels, vec![("room:1".to_owned(), ChannelState::Errored)]);
    assert!(matches!(h.status, Status::Reconnecting { attempt: 1, .. }));
    sim.advance(10);
    sim.transport_opens();
    assert_eq!(sim.socket.health().reconnects, 1);
    assert_eq!(sim.socket.status(), &Status::Open);
}

#[test]
fn an_oversized_frame_closes_the_connection_with_1009_and_reconnects() {
    let mut c = config();
    c.max_frame_bytes = 64;
    let mut sim = Sim::new(c);
    sim.open();
    sim.take_events();
    let big = format!(r#"[null,null,"room:1","shout",{{"b":"{}"}}]"#, "x".repeat(100));
    sim.recv_frame(phoenix_wasm::core::Frame::Text(big));
    assert_eq!(sim.closes, vec![(1009, "message too big".to_owned())]);
    assert!(sim.events.iter().any(|e| matches!(e, Event::Error { reason } if reason.contains("exceeds maxFrameBytes"))));
    sim.advance(10);
    assert_eq!(sim.connects.len(), 2);
}

#[test]
fn correlation_id_is_a_connect_param_and_prefixes_log_lines() {
    let mut c = config();
    c.correlation_id = Some("cid-42".into());
    c.log = true;
    c.params = Source::json(r#"{"token":"t"}"#);
    let mut sim = Sim::new(c);
    sim.open();
    assert!(sim.connects[0].1.contains("token=t&correlation_id=cid-42"));
    let logs: Vec<&String> = sim.events.iter().filter_map(|e| match e { Event::Log { msg, .. } => Some(msg), _ => None }).collect();
    assert!(logs.len() >= 2, "connecting and connected are logged: {logs:?}");
    assert!(logs.iter().all(|m| m.starts_with("[cid-42] ")), "{logs:?}");
}

#[test]
fn thousands_of_pushes_in_flight_each_get_their_own_reply_in_any_order() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:many");
    let ids: Vec<_> = (0..3000).map(|i| sim.socket.push(ch, "echo", json(&format!(r#"{{"i":{i}}}"#)), None, sim.now).unwrap()).collect();
    sim.drain();
    let sent = sim.take_sent();
    assert_eq!(sent.len(), 3000);
    // replies arrive newest first for the first half, then oldest first
    let (first, second) = sent.split_at(1500);
    for m in first.iter().rev().chain(second.iter()) {
        let i = m.payload.as_json().unwrap().to_owned();
        sim.reply(m, "ok", &i);
    }
    let got = replies(&sim.take_events());
    assert_eq!(got.len(), 3000);
    let mut by_push: Vec<_> = got.iter().map(|(p, status)| (*p, status.clone())).collect();
    by_push.sort_by_key(|(p, _)| p.0);
    assert!(by_push.iter().map(|(p, _)| *p).eq(ids.iter().copied()), "one reply per push");
    assert!(by_push.iter().all(|(_, s)| s == "ok"));
    sim.advance(60_000);
    assert!(replies(&sim.take_events()).is_empty(), "no timeouts after every reply arrived");
}

#[test]
fn a_reply_is_routed_by_the_exact_ref_only() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:refs");
    sim.socket.push(ch, "echo", json("{}"), None, sim.now).unwrap();
    sim.drain();
    let sent = sim.last_sent("echo");
    let r = sent.msg_ref.clone().unwrap();
    for fake in [format!("0{r}"), format!("+{r}"), format!("{r} "), format!("{r}0")] {
        let mut m = sent.clone();
        m.msg_ref = Some(fake.clone());
        sim.reply(&m, "ok", "{}");
        assert!(replies(&sim.take_events()).is_empty(), "ref {fake:?} must not answer push {r}");
    }
    sim.reply(&sent, "ok", "{}");
    assert_eq!(replies(&sim.take_events()).len(), 1);
}

// ------------------------------------------------- configuration asked of the host

/// A socket whose reconnect delays are asked for, just disconnected by the network: the
/// asks it made, unanswered (the harness's drain would answer them).
fn dropped_with_asked_reconnect_delays() -> (Sim, Vec<Output>) {
    let mut c = config();
    c.reconnect_after = phoenix_wasm::core::Schedule::Ask;
    let mut sim = Sim::new(c);
    sim.open();
    let conn = sim.conn.unwrap();
    sim.socket.handle_close(conn, 1006, "", sim.now);
    let asks = std::iter::from_fn(|| sim.socket.poll_output()).filter(|o| matches!(o, Output::RetryDelay { .. })).collect();
    (sim, asks)
}

#[test]
fn reconnect_delays_are_asked_of_the_host_when_the_schedule_is_its_own() {
    let (mut sim, asks) = dropped_with_asked_reconnect_delays();
    assert_eq!(asks, [Output::RetryDelay { retry: Retry::Reconnect, tries: 1 }]);
    assert_eq!(sim.socket.poll_timeout(), None, "no reconnect timer until the delay is known");
    sim.socket.retry_delay(Retry::Reconnect, Some(250), sim.now);
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 250));
    sim.drain();
    assert!(sim.events.iter().any(|e| *e == Event::Status(Status::Reconnecting { attempt: 1, delay: Duration::from_millis(250) })));
    sim.advance(250);
    assert_eq!(sim.connects.len(), 2);

    // an answer that comes after the application connected by itself is ignored
    sim.transport_opens();
    let conn = sim.conn.unwrap();
    sim.socket.handle_close(conn, 1006, "", sim.now);
    while sim.socket.poll_output().is_some() {}
    sim.socket.connect(sim.now);
    sim.drain();
    sim.socket.retry_delay(Retry::Reconnect, Some(10), sim.now);
    sim.advance(1_000);
    assert_eq!(sim.connects.len(), 3, "one connect, not a second from the stale delay");
}

#[test]
fn rejoin_delays_are_asked_per_channel() {
    let mut c = config();
    c.rejoin_after = phoenix_wasm::core::Schedule::Ask;
    let mut sim = Sim::new(c);
    sim.answers.rejoin_after = Some(Box::new(|tries| u64::from(tries) * 300));
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "error", "{}");
    assert!(sim.asks.iter().any(|a| matches!(a, Output::RetryDelay { retry: Retry::Rejoin(c), tries: 1 } if *c == ch)));
    sim.take_sent();
    sim.advance(299);
    assert!(sim.sent.is_empty());
    sim.advance(1);
    assert_eq!(sim.sent_events(), ["room:1:phx_join"]);
}

#[test]
fn asked_join_params_that_come_after_a_leave_send_nothing() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", phoenix_wasm::core::Source::Ask);
    sim.socket.join(ch, None, sim.now).unwrap();
    let asks: Vec<Output> = std::iter::from_fn(|| sim.socket.poll_output()).collect();
    assert!(asks.contains(&Output::JoinParams { channel: ch }), "{asks:?}");
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 30_000), "only the heartbeat: the join's timeout starts when it is sent");
    let _ = sim.socket.leave(ch, None, sim.now);
    sim.drain();
    sim.socket.join_params(ch, Ok(r#"{"late":true}"#.into()), sim.now);
    sim.drain();
    assert!(!sim.sent_events().contains(&"room:1:phx_join".to_owned()), "{:?}", sim.sent_events());
}

#[test]
fn a_failed_connect_params_answer_is_an_error_event_and_no_connection() {
    let mut c = config();
    c.params = phoenix_wasm::core::Source::Ask;
    let mut sim = Sim::new(c);
    sim.answers.params = Some(Box::new(|| Err("no session".into())));
    sim.socket.connect(sim.now);
    sim.drain();
    assert!(sim.connects.is_empty());
    assert!(sim.events.iter().any(|e| matches!(e, Event::Error { reason } if reason.contains("no session"))), "{:?}", sim.events);
    assert_eq!(sim.socket.connection_state(), ConnectionState::Closed);
    // a stale answer for that connection changes nothing
    sim.socket.connect_params(phoenix_wasm::core::ConnId(1), Ok((None, None)), sim.now);
    sim.drain();
    assert!(sim.connects.is_empty());
}

#[test]
fn before_reconnect_runs_for_reconnects_on_visibility_and_pageshow_too() {
    let mut c = config();
    c.before_reconnect = true;
    c.reconnect_after = phoenix_wasm::core::Schedule::Steps(vec![60_000]);
    let mut sim = Sim::new(c);
    sim.open();
    sim.socket.handle_visibility(false, sim.now);
    sim.transport_closes(1006);
    sim.socket.handle_visibility(true, sim.now);
    sim.drain();
    assert_eq!(sim.hooks, [1], "the hook runs before the visibility reconnect");
    assert_eq!(sim.connects.len(), 1, "and the connect waits for it");
    sim.socket.reconnect_ready(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
    sim.transport_opens();

    sim.socket.handle_page_hide(sim.now);
    sim.drain();
    sim.socket.handle_page_show(sim.now);
    sim.drain();
    assert_eq!(sim.hooks, [1, 1]);
    sim.socket.reconnect_ready(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 3);
}

// ------------------------------------------------------------ network online

#[test]
fn online_checks_an_open_connection_with_a_heartbeat_at_once() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance(5_000);
    sim.socket.handle_online(sim.now);
    sim.drain();
    let hb = sim.last_sent("heartbeat");
    assert_eq!(sim.sent_events(), ["phoenix:heartbeat"], "sent at 5 s, not at 30 s");
    // a dead connection is found within the heartbeat timeout from now
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 30_000));
    sim.reply(&hb, "ok", "{}");
    assert!(sim.events.iter().any(|e| matches!(e, Event::Heartbeat { .. })));
    // and the usual interval follows from the reply
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 30_000));
    // a second online while one is in flight sends nothing more
    sim.take_sent();
    sim.socket.handle_online(sim.now);
    sim.socket.handle_online(sim.now);
    sim.drain();
    assert_eq!(sim.sent_events(), ["phoenix:heartbeat"]);
}

#[test]
fn online_cuts_a_pending_reconnect_delay_short() {
    let mut c = config();
    c.reconnect_after = phoenix_wasm::core::Schedule::Steps(vec![60_000]);
    let mut sim = Sim::new(c);
    sim.open();
    sim.transport_closes(1006);
    assert_eq!(sim.connects.len(), 1);
    sim.advance(1_000);
    sim.socket.handle_online(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2, "reconnects at once instead of after 60 s");
    // after a disconnect() the socket stays down
    sim.transport_opens();
    sim.socket.disconnect(None, None, sim.now);
    sim.drain();
    sim.socket.handle_online(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
}

#[test]
fn a_retry_delay_the_host_has_none_for_is_the_default_schedules() {
    let (mut sim, _) = dropped_with_asked_reconnect_delays();
    sim.socket.retry_delay(Retry::Reconnect, None, sim.now);
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 10), "phoenix.js's first reconnect delay");
}

// ---------------------------------------------------------------- token refresh

#[test]
fn refresh_token_pushes_access_token_on_joined_channels_and_buffers_it_for_rejoins() {
    let mut c = config();
    c.auth_token = Source::Fixed(Some("old".into()));
    let mut sim = Sim::new(c);
    sim.open();
    let joined_ch = joined(&mut sim, "room:joined");
    let joining = sim.socket.channel("room:joining", params("{}"));
    sim.socket.join(joining, None, sim.now).unwrap();
    sim.drain();
    let joining_join = sim.last_sent("phx_join");
    let never_joined = sim.socket.channel("room:idle", params("{}"));
    let leaving = joined(&mut sim, "room:leaving");
    sim.socket.leave(leaving, None, sim.now).unwrap();
    sim.drain();
    sim.take_sent();

    let pushes = sim.socket.refresh_token("new \"one\"", None, sim.now);
    sim.drain();
    // one push per channel that has joined and is not leaving; the joining one waits
    assert_eq!(pushes.iter().map(|(c, _)| *c).collect::<Vec<_>>(), vec![joined_ch, joining]);
    assert_eq!(sim.sent_events(), vec!["room:joined:access_token"]);
    let sent = sim.last_sent("access_token");
    assert_eq!(sent.payload, json(r#"{"access_token":"new \"one\""}"#));
    assert_eq!(sent.join_ref, sim.socket.join_ref_of(joined_ch));
    sim.reply(&sent, "error", r#"{"reason":"invalid_token"}"#);
    assert_eq!(replies(&sim.take_events()), vec![(pushes[0].1, "error".to_owned())]);

    // the joining channel sends it right after its join succeeds
    sim.take_sent();
    sim.reply(&joining_join, "ok", "{}");
    assert_eq!(sim.sent_events(), vec!["room:joining:access_token"]);
    assert_eq!(sim.socket.channel_state(never_joined).unwrap(), ChannelState::Closed);

    // later connects offer the new token
    sim.transport_closes(1006);
    sim.advance(10_000);
    let (_, _, protocols) = sim.connects.last().unwrap().clone();
    assert!(protocols.iter().any(|p| p.starts_with("base64url.bearer.phx.")), "{protocols:?}");
    let expected = phoenix_wasm::core::endpoint::protocols(Some("new \"one\"")).unwrap();
    assert_eq!(protocols, expected);
}

#[test]
fn refresh_token_leaves_an_asked_auth_token_to_the_host_and_times_out_like_a_push() {
    let mut c = config();
    c.auth_token = Source::Ask;
    let mut sim = Sim::new(c);
    sim.answers.token = Some(Box::new(|| Ok(Some("from-host".to_owned()))));
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let pushes = sim.socket.refresh_token("t2", Some(500), sim.now);
    sim.drain();
    assert_eq!(pushes.len(), 1);
    sim.advance(500);
    assert_eq!(replies(&sim.take_events()), vec![(pushes[0].1, "timeout".to_owned())]);
    assert_eq!(sim.socket.channel_state(ch).unwrap(), ChannelState::Joined);
    assert!(sim.socket.config().auth_token.is_ask());
}
