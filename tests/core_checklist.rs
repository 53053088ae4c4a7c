//! phoenix.js 1.8's socket_test.js and channel_test.js, ported to the sans-IO core
//! on a virtual clock. Each test is named after the case it ports
//! (`describe` + `it`). Cases that concern LongPoll, jsdom internals or JS-only
//! hooks are listed in docs/conformance.md with the reason they do not apply;
//! cases already covered in core_socket.rs say so there.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use phoenix_wasm::core::{ChannelId, ChannelState, Config, ConnectionState, Event, Message, Payload, Schedule, Source};
use sim::{broadcast, config, json, params, replies, Sim};

fn join(sim: &mut Sim, topic: &str) -> (ChannelId, Message) {
    let ch = sim.socket.channel(topic, params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_join");
    (ch, m)
}

/// Joins without expecting the join on the wire (the socket may not be open).
fn join_buffered(sim: &mut Sim, topic: &str) -> ChannelId {
    let ch = sim.socket.channel(topic, params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    ch
}

fn joined(sim: &mut Sim, topic: &str) -> ChannelId {
    let (ch, m) = join(sim, topic);
    sim.reply(&m, "ok", "{}");
    sim.take_sent();
    sim.take_events();
    ch
}

fn state(sim: &Sim, ch: ChannelId) -> ChannelState {
    sim.socket.channel_state(ch).unwrap()
}

fn channel_errors(events: &[Event], ch: ChannelId) -> Vec<Payload> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ChannelState { channel, state: ChannelState::Errored } if *channel == ch => Some(Payload::empty()),
            _ => None,
        })
        .collect()
}

// =================================================================== socket

#[test]
fn socket_constructor_sets_defaults() {
    let c = Config::new("/socket");
    assert_eq!((c.timeout, c.heartbeat_interval, c.heartbeat_timeout_ms(), c.vsn.as_str()), (10_000, 30_000, 30_000, "2.0.0"));
    assert_eq!((c.reconnect_after.delay(1), c.reconnect_after.delay(10)), (Some(10), Some(5000)));
    assert_eq!((c.rejoin_after.delay(1), c.rejoin_after.delay(4)), (Some(1000), Some(10_000)));
    let mut c = Config::new("/socket");
    c.heartbeat_interval = 5_000;
    assert_eq!(c.heartbeat_timeout_ms(), 5_000, "the heartbeat timeout defaults to the interval");
    assert_eq!(c.max_send_buffer, 1000);
    assert!(c.reconnect_while_hidden && !c.jitter);
}

// Params given as data are used as they are; params from a function are asked for on
// every connect (`Output::ConnectParams`), answered by the host.
#[test]
fn socket_constructor_supports_closure_or_literal_params() {
    let mut c = config();
    c.params = Source::json(r#"{"one":"two"}"#);
    let mut sim = Sim::new(c);
    sim.socket.connect(sim.now);
    sim.drain();
    assert!(sim.connects[0].1.contains("one=two"));
    assert!(sim.asks.is_empty(), "fixed params are not asked for");

    let mut c = config();
    c.params = Source::Ask;
    let mut sim = Sim::new(c);
    let mut n = 0;
    sim.answers.params = Some(Box::new(move || {
        n += 1;
        Ok(format!(r#"{{"n":{n}}}"#))
    }));
    sim.open();
    sim.transport_closes(1006);
    sim.advance(10);
    assert_eq!(sim.asks.len(), 2);
    assert!(sim.connects[0].1.contains("n=1") && sim.connects[1].1.contains("n=2"), "{:?}", sim.connects);
}

#[test]
fn socket_constructor_overrides_some_defaults_with_options() {
    let mut c = config();
    c.timeout = 40_000;
    c.heartbeat_interval = 60_000;
    c.reconnect_after = Schedule::Steps(vec![7]);
    let mut sim = Sim::new(c);
    sim.open();
    sim.advance(59_999);
    assert!(sim.sent.is_empty());
    sim.advance(1);
    assert_eq!(sim.sent_events(), ["phoenix:heartbeat"]);
    sim.transport_closes(1006);
    sim.advance(7);
    assert_eq!(sim.connects.len(), 2);
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 40_000));
}

#[test]
fn visibilitychange_does_not_connect_a_socket_that_was_never_connected() {
    let mut sim = Sim::new(config());
    sim.socket.handle_visibility(false, sim.now);
    sim.socket.handle_visibility(true, sim.now);
    sim.drain();
    assert!(sim.connects.is_empty());
}

#[test]
fn visibilitychange_reconnects_on_visibility_change_after_unclean_close() {
    let mut c = config();
    c.reconnect_after = Schedule::Steps(vec![60_000]);
    let mut sim = Sim::new(c);
    sim.open();
    sim.socket.handle_visibility(false, sim.now);
    sim.transport_closes(1006);
    sim.socket.handle_visibility(true, sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2, "reconnects at once instead of waiting 60 s");
}

#[test]
fn visibilitychange_does_not_reconnect_on_visibility_change_after_clean_close() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.handle_visibility(false, sim.now);
    sim.socket.handle_visibility(true, sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 1);
}

#[test]
fn hidden_page_still_reconnects_by_default_and_waits_when_configured_like_phoenix_js() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.handle_visibility(false, sim.now);
    sim.transport_closes(1006);
    sim.advance(10);
    assert_eq!(sim.connects.len(), 2, "reconnectWhileHidden defaults to true (OBS hidden sources)");

    let mut c = config();
    c.reconnect_while_hidden = false;
    let mut sim = Sim::new(c);
    sim.open();
    sim.socket.handle_visibility(false, sim.now);
    sim.transport_closes(1006);
    sim.advance(60_000);
    assert_eq!(sim.connects.len(), 1, "not reconnecting as page is hidden");
    sim.socket.handle_visibility(true, sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2, "reconnects when shown");
}

#[test]
fn pagehide_disconnects_and_pageshow_reconnects() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.handle_page_hide(sim.now);
    sim.drain();
    assert_eq!(sim.closes.len(), 1);
    sim.advance(60_000);
    assert_eq!(sim.connects.len(), 1);
    sim.socket.handle_page_show(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
    // a pageshow without a preceding pagehide disconnect does nothing
    sim.socket.handle_page_show(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
}

#[test]
fn disconnect_does_not_throw_when_no_connection() {
    let mut sim = Sim::new(config());
    sim.socket.disconnect(None, None, sim.now);
    sim.drain();
    assert!(sim.closes.is_empty() && sim.events.is_empty());
}

#[test]
fn disconnect_properly_tears_down_old_connection_when_immediately_reconnecting() {
    let mut sim = Sim::new(config());
    sim.open();
    let old = sim.conn.unwrap();
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.connect(sim.now);
    sim.drain();
    assert_eq!(sim.closes.len(), 1);
    assert_eq!(sim.connects.len(), 2);
    sim.socket.handle_close(old, 1000, "", sim.now); // the old transport's late close
    sim.drain();
    assert_eq!(sim.socket.connection_state(), ConnectionState::Connecting);
    sim.transport_opens();
    assert!(sim.socket.is_connected());
}

#[test]
fn disconnect_properly_tears_down_old_connection_when_disconnecting_twice() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.disconnect(None, None, sim.now);
    sim.drain();
    assert_eq!(sim.closes.len(), 1);
}

#[test]
fn channel_returns_channel_with_given_topic_and_adds_it_to_the_socket() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("topic", params(r#"{"one":"two"}"#));
    assert_eq!(sim.socket.topic(ch).unwrap(), "topic");
    let b = sim.socket.on(ch, "e").unwrap();
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    sim.recv(broadcast("topic", "e", "{}"));
    assert!(sim.events.iter().any(|e| matches!(e, Event::Channel { bindings, .. } if bindings == &[b])));
}

#[test]
fn remove_removes_given_channel_from_channels() {
    let mut sim = Sim::new(config());
    sim.open();
    let a = joined(&mut sim, "a");
    let b = joined(&mut sim, "b");
    sim.socket.remove(a);
    assert!(sim.socket.channel_state(a).is_err());
    assert_eq!(state(&sim, b), ChannelState::Joined);
    sim.drain();
    assert!(sim.events.iter().any(|e| matches!(e, Event::ChannelRemoved { channel, .. } if *channel == a)));
}

#[test]
fn push_sends_data_to_connection_when_connected() {
    let mut sim = Sim::new(config());
    sim.open();
    let m = broadcast("topic", "event", r#"{"a":1}"#);
    sim.socket.push_message(m.clone(), sim.now).unwrap();
    sim.drain();
    assert_eq!(sim.sent, vec![m]);
}

#[test]
fn push_buffers_data_when_not_connected_and_flush_send_buffer_empties_it_in_order() {
    let mut sim = Sim::new(config());
    sim.socket.connect(sim.now);
    for i in 0..3 {
        sim.socket.push_message(broadcast("t", &format!("e{i}"), "{}"), sim.now).unwrap();
    }
    sim.drain();
    assert!(sim.sent.is_empty());
    assert_eq!(sim.socket.send_buffer_len(), 3);
    sim.transport_opens();
    assert_eq!(sim.sent_events(), ["t:e0", "t:e1", "t:e2"]);
    assert_eq!(sim.socket.send_buffer_len(), 0);
}

#[test]
fn make_ref_restarts_for_overflow() {
    let mut sim = Sim::new(config());
    sim.socket.set_ref_counter(u64::MAX);
    assert_eq!(sim.socket.make_ref(), "0");
    assert_eq!(sim.socket.make_ref(), "1");
}

#[test]
fn send_heartbeat_no_ops_when_not_connected() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.disconnect(None, None, sim.now);
    sim.drain();
    sim.advance(120_000);
    assert!(sim.sent.is_empty());
}

#[test]
fn on_conn_open_resets_reconnect_timer() {
    let mut sim = Sim::new(config());
    sim.socket.connect(sim.now);
    sim.drain();
    for _ in 0..5 {
        sim.transport_closes(1006);
        sim.advance(5_000);
    }
    sim.transport_opens();
    sim.transport_closes(1006);
    let before = sim.connects.len();
    sim.advance(10);
    assert_eq!(sim.connects.len(), before + 1, "first step of the schedule again");
}

#[test]
fn heartbeat_timeout_triggers_channel_error_with_the_heartbeat_timeout_reason() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let b = sim.socket.on(ch, "phx_error").unwrap();
    sim.advance(60_000);
    let payload = sim.events.iter().find_map(|e| match e {
        Event::Channel { bindings, event, payload, .. } if event == "phx_error" && bindings == &[b] => Some(payload.clone()),
        _ => None,
    });
    assert_eq!(payload, Some(json(r#"{"source":"transport","reason":"heartbeat_timeout"}"#)));
}

#[test]
fn on_conn_close_schedules_reconnect_timer_if_connection_cannot_be_made_after_a_previous_clean_disconnect() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.connect(sim.now);
    sim.drain();
    sim.transport_closes(1006);
    sim.advance(10);
    assert_eq!(sim.connects.len(), 3);
}

#[test]
fn on_conn_close_triggers_channel_error_if_joining() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, _) = join(&mut sim, "room:1");
    sim.take_events();
    sim.transport_closes(1006);
    assert_eq!(state(&sim, ch), ChannelState::Errored);
    assert_eq!(channel_errors(&sim.events, ch).len(), 1);
}

#[test]
fn on_conn_close_does_not_trigger_channel_error_after_leave() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    sim.take_events();
    sim.transport_closes(1006);
    assert!(channel_errors(&sim.events, ch).is_empty());
}

#[test]
fn on_conn_close_does_not_timeout_the_heartbeat_after_explicit_disconnect() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance(30_000); // heartbeat in flight
    sim.socket.disconnect(Some(1000), Some("bye"), sim.now);
    sim.drain();
    sim.advance(60_000);
    assert_eq!(sim.closes, vec![(1000, "bye".to_owned())], "no heartbeat-timeout close");
}

#[test]
fn on_conn_error_triggers_on_error_and_channel_error_if_joining_or_joined() {
    let mut sim = Sim::new(config());
    sim.open();
    let a = joined(&mut sim, "a");
    let (b, _) = join(&mut sim, "b");
    sim.take_events();
    let conn = sim.conn.unwrap();
    sim.socket.handle_error(conn, "boom", sim.now);
    sim.drain();
    assert!(sim.events.contains(&Event::Error { reason: "boom".into() }));
    assert_eq!((state(&sim, a), state(&sim, b)), (ChannelState::Errored, ChannelState::Errored));
}

#[test]
fn on_conn_error_triggers_channel_error_if_joining_with_no_connection() {
    let mut sim = Sim::new(config());
    let ch = join_buffered(&mut sim, "room:1");
    sim.socket.connect(sim.now);
    sim.drain();
    let conn = sim.conn.unwrap();
    sim.socket.handle_error(conn, "refused", sim.now);
    sim.drain();
    assert_eq!(state(&sim, ch), ChannelState::Errored);
}

#[test]
fn on_conn_error_does_not_trigger_channel_error_after_leave() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    sim.take_events();
    let conn = sim.conn.unwrap();
    sim.socket.handle_error(conn, "boom", sim.now);
    sim.drain();
    assert!(channel_errors(&sim.events, ch).is_empty());
}

#[test]
fn on_conn_error_does_not_trigger_channel_error_if_transport_replaced_with_no_previous_connection() {
    let mut sim = Sim::new(config());
    sim.socket.connect(sim.now);
    sim.drain();
    let first = sim.conn.unwrap();
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.connect(sim.now);
    sim.drain();
    let ch = join_buffered(&mut sim, "room:1");
    sim.take_events();
    sim.socket.handle_error(first, "stale", sim.now);
    sim.drain();
    assert!(sim.events.is_empty());
    assert_eq!(state(&sim, ch), ChannelState::Joining);
}

#[test]
fn on_conn_message_triggers_on_message_callback() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.socket.set_observe_messages(true);
    sim.take_events();
    let m = broadcast("topic", "event", r#"{"x":1}"#);
    sim.recv(m.clone());
    assert_eq!(sim.events, vec![Event::Message(m)]);
}

#[test]
fn ping_pushes_when_connected_and_reports_the_round_trip() {
    let mut sim = Sim::new(config());
    sim.open();
    let id = sim.socket.ping(sim.now).unwrap();
    sim.drain();
    let hb = sim.last_sent("heartbeat");
    sim.advance(42);
    sim.reply(&hb, "ok", "{}");
    assert!(sim.events.contains(&Event::Pong { ping: id, rtt: 42 }));
}

#[test]
fn ping_returns_false_when_disconnected() {
    let mut sim = Sim::new(config());
    assert_eq!(sim.socket.ping(sim.now), None);
}

#[test]
fn custom_encoder_gets_messages_instead_of_frames() {
    let mut c = config();
    c.custom_codec = true;
    let mut sim = Sim::new(c);
    sim.socket.connect(sim.now);
    while let Some(o) = sim.socket.poll_output() {
        if let phoenix_wasm::core::Output::Connect { conn, .. } = o {
            sim.conn = Some(conn);
        }
    }
    sim.socket.handle_open(sim.conn.unwrap(), sim.now);
    sim.socket.push_message(broadcast("t", "e", "{}"), sim.now).unwrap();
    let outs: Vec<_> = std::iter::from_fn(|| sim.socket.poll_output()).collect();
    assert!(outs.iter().any(|o| matches!(o, phoenix_wasm::core::Output::SendMessage(m) if m.event == "e")));
    assert!(!outs.iter().any(|o| matches!(o, phoenix_wasm::core::Output::Send(_))));
    // and a custom decoder's messages go in as they are
    let conn = sim.conn.unwrap();
    sim.socket.set_observe_messages(true);
    sim.socket.handle_decoded(conn, broadcast("t", "decoded", "{}"), sim.now);
    sim.drain();
    assert!(matches!(&sim.events[..], [Event::Message(m)] if m.event == "decoded"));
}

#[test]
fn jitter_spreads_reconnect_delays_within_the_schedule() {
    let mut c = config();
    c.jitter = true;
    c.reconnect_after = Schedule::Steps(vec![1000]);
    let mut sim = Sim::new(c);
    sim.socket.connect(sim.now);
    sim.drain();
    let mut delays = vec![];
    for _ in 0..20 {
        sim.transport_closes(1006);
        let t0 = sim.now;
        let at = sim.socket.poll_timeout().unwrap();
        delays.push(at - t0);
        sim.advance(at - t0);
    }
    assert!(delays.iter().all(|d| *d <= 1000));
    assert!(delays.windows(2).any(|w| w[0] != w[1]), "{delays:?}");
}

#[test]
fn before_reconnect_is_awaited_before_each_reconnect() {
    let mut c = config();
    c.before_reconnect = true;
    let mut sim = Sim::new(c);
    sim.open();
    sim.transport_closes(1006);
    sim.advance(10);
    assert_eq!(sim.hooks, vec![1]);
    assert_eq!(sim.connects.len(), 1, "waits for the hook");
    sim.socket.reconnect_ready(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
    sim.socket.reconnect_ready(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2, "a stray ready does nothing");
    // a disconnect while the hook runs wins
    sim.transport_closes(1006);
    sim.advance(50);
    assert_eq!(sim.hooks, vec![1, 2]);
    sim.socket.disconnect(None, None, sim.now);
    sim.socket.reconnect_ready(sim.now);
    sim.drain();
    assert_eq!(sim.connects.len(), 2);
}

#[test]
fn logger_lines_redact_the_token_param() {
    let mut c = config();
    c.log = true;
    c.params = Source::json(r#"{"token":"s3cret","room":"1"}"#);
    let mut sim = Sim::new(c);
    sim.open();
    let logs: Vec<String> = sim.events.iter().filter_map(|e| match e { Event::Log { msg, .. } => Some(msg.clone()), _ => None }).collect();
    assert!(logs.iter().any(|l| l.contains("token=[REDACTED]") && l.contains("room=1")), "{logs:?}");
    assert!(!logs.iter().any(|l| l.contains("s3cret")));
    assert!(sim.connects[0].1.contains("token=s3cret"), "the URL itself keeps it");
}

// ================================================================== channel

#[test]
fn channel_constructor_sets_defaults() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("topic", params(r#"{"one":"two"}"#));
    assert_eq!(state(&sim, ch), ChannelState::Closed);
    assert_eq!(sim.socket.topic(ch).unwrap(), "topic");
    assert_eq!(sim.socket.join_ref_of(ch), None);
    assert!(!sim.socket.can_push(ch));
}

#[test]
fn channel_join_params_closure_is_re_evaluated_on_rejoin() {
    let mut sim = Sim::new(config());
    sim.open();
    let mut n = 0;
    let ch = sim.socket.channel("room:1", Source::Ask);
    sim.answers.join_params.insert(
        ch,
        Box::new(move || {
            n += 1;
            Ok(format!(r#"{{"n":{n}}}"#))
        }),
    );
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let first = sim.last_sent("phx_join");
    assert_eq!(first.payload, json(r#"{"n":1}"#));
    sim.reply(&first, "error", "{}");
    sim.advance(1_000);
    assert_eq!(sim.last_sent("phx_join").payload, json(r#"{"n":2}"#));
}

#[test]
fn join_params_failure_fails_the_join_with_a_clear_error() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", Source::Ask);
    sim.answers.join_params.insert(ch, Box::new(|| Err("token expired".into())));
    let jp = sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    assert!(sim.sent.is_empty());
    assert!(sim.events.iter().any(|e| matches!(e, Event::PushReply { push, status, response, .. }
        if *push == jp && status == "error" && response.as_json().unwrap().contains("token expired"))));
    assert_eq!(state(&sim, ch), ChannelState::Errored);
}

#[test]
fn join_timeout_succeeds_before_timeout() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, Some(1_000), sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_join");
    sim.advance(999);
    sim.reply(&m, "ok", "{}");
    sim.advance(10_000);
    assert_eq!(state(&sim, ch), ChannelState::Joined);
    assert!(!replies(&sim.events).iter().any(|(_, s)| s == "timeout"));
}

#[test]
fn join_timeout_retries_with_backoff_after_timeout() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, Some(100), sim.now).unwrap();
    sim.drain();
    let mut join_times = vec![sim.now];
    let t0 = sim.now;
    while join_times.len() < 5 {
        let before = sim.sent.iter().filter(|m| m.event == "phx_join").count();
        sim.advance(1);
        if sim.sent.iter().filter(|m| m.event == "phx_join").count() > before {
            join_times.push(sim.now);
        }
    }
    let gaps: Vec<u64> = join_times.windows(2).map(|w| w[1] - w[0]).collect();
    // each join times out after 100 ms, then waits 1 s, 2 s, 5 s, 10 s
    assert_eq!(gaps, [1_100, 2_100, 5_100, 10_100], "from {t0}");
    assert_eq!(state(&sim, ch), ChannelState::Joining);
}

#[test]
fn join_timeout_with_socket_and_join_delay() {
    // the socket opens late, and the first join then times out: it retries after open
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, Some(1_000), sim.now).unwrap();
    sim.socket.connect(sim.now);
    sim.drain();
    sim.advance(1_000); // join timed out while connecting: errored, no rejoin timer (not connected)
    assert_eq!(state(&sim, ch), ChannelState::Errored);
    sim.advance(5_000);
    assert!(sim.sent.is_empty());
    sim.transport_opens(); // rejoins right away on open
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "ok", "{}");
    assert_eq!(state(&sim, ch), ChannelState::Joined);
}

#[test]
fn join_timeout_with_socket_delay_only() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.socket.connect(sim.now);
    sim.drain();
    sim.advance(500);
    sim.transport_opens(); // the buffered join goes out on open
    let join = sim.last_sent("phx_join");
    sim.reply(&join, "ok", "{}");
    assert_eq!(state(&sim, ch), ChannelState::Joined);
    assert_eq!(sim.sent.iter().filter(|m| m.event == "phx_join").count(), 1);
}

#[test]
fn join_push_ok_clears_timeout_resets_rejoin_timer_and_answers_once() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, m) = join(&mut sim, "room:1");
    let jp = sim.socket.join_push(ch).unwrap();
    sim.reply(&m, "ok", r#"{"a":1}"#);
    sim.advance(60_000);
    let jr: Vec<_> = replies(&sim.events).into_iter().filter(|(p, _)| *p == jp).collect();
    assert_eq!(jr, vec![(jp, "ok".to_owned())], "one ok; no timeout; no other status");
    assert_eq!(sim.socket.reply_bindings(), 0);
}

#[test]
fn join_push_ok_answers_again_on_every_rejoin() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, m) = join(&mut sim, "room:1");
    let jp = sim.socket.join_push(ch).unwrap();
    sim.reply(&m, "ok", "{}");
    sim.transport_closes(1006);
    sim.advance(10);
    sim.transport_opens();
    let m2 = sim.last_sent("phx_join");
    sim.reply(&m2, "ok", "{}");
    let oks = replies(&sim.events).into_iter().filter(|(p, s)| *p == jp && s == "ok").count();
    assert_eq!(oks, 2);
}

#[test]
fn join_push_timeout_triggers_receive_timeout_only_and_schedules_rejoin() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    let jp = sim.socket.join(ch, Some(500), sim.now).unwrap();
    sim.drain();
    sim.advance(500);
    assert_eq!(replies(&sim.events), vec![(jp, "timeout".to_owned())]);
    assert_eq!(state(&sim, ch), ChannelState::Errored);
    assert_eq!(sim.socket.poll_timeout(), Some(sim.now + 1_000), "rejoin timer");
}

#[test]
fn join_push_error_clears_timeout_and_does_not_send_buffered_pushes() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, m) = join(&mut sim, "room:1");
    let p = sim.socket.push(ch, "buffered", Payload::empty(), None, sim.now).unwrap();
    sim.reply(&m, "error", r#"{"reason":"no"}"#);
    assert_ne!(state(&sim, ch), ChannelState::Joined);
    assert!(!sim.sent.iter().any(|m| m.event == "buffered"));
    // the buffered push is still waiting for a later successful join, or its timeout
    assert!(!replies(&sim.events).iter().any(|(id, _)| *id == p));
    sim.advance(1_000);
    let rejoin = sim.last_sent("phx_join");
    sim.reply(&rejoin, "ok", "{}");
    assert!(sim.sent.iter().any(|m| m.event == "buffered"));
}

#[test]
fn on_error_does_not_trigger_redundant_errors_during_backoff() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let jr = sim.socket.join_ref_of(ch);
    let err = Message { join_ref: jr.clone(), msg_ref: jr, topic: "room:1".into(), event: "phx_error".into(), payload: json("{}") };
    sim.recv(err.clone());
    sim.recv(Message { join_ref: None, ..err });
    assert_eq!(channel_errors(&sim.events, ch).len(), 1);
    sim.take_sent();
    sim.advance(1_000);
    assert_eq!(sim.sent_events(), ["room:1:phx_join"], "one rejoin");
}

#[test]
fn on_error_does_not_rejoin_if_channel_leaving_or_closed() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    sim.take_sent();
    sim.transport_closes(1006);
    sim.advance(10);
    sim.transport_opens();
    sim.advance(30_000);
    assert!(!sim.sent.iter().any(|m| m.event == "phx_join"));
}

#[test]
fn on_close_sets_state_closed_triggers_callbacks_removes_channel_and_does_not_rejoin() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let b = sim.socket.on(ch, "phx_close").unwrap();
    let jr = sim.socket.join_ref_of(ch);
    sim.recv(Message { join_ref: jr.clone(), msg_ref: jr, topic: "room:1".into(), event: "phx_close".into(), payload: json("{}") });
    assert!(sim.events.iter().any(|e| matches!(e, Event::ChannelState { state: ChannelState::Closed, .. })));
    assert!(sim.events.iter().any(|e| matches!(e, Event::Channel { bindings, .. } if bindings == &[b])));
    assert!(sim.socket.channel_state(ch).is_err(), "removed");
    sim.take_sent();
    sim.transport_closes(1006);
    sim.advance(10);
    sim.transport_opens();
    sim.advance(20_000);
    assert!(!sim.sent.iter().any(|m| m.event == "phx_join"));
}

#[test]
fn can_push_returns_true_when_socket_connected_and_channel_joined_otherwise_false() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    assert!(!sim.socket.can_push(ch));
    sim.open();
    assert!(!sim.socket.can_push(ch));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_join");
    assert!(!sim.socket.can_push(ch));
    sim.reply(&m, "ok", "{}");
    assert!(sim.socket.can_push(ch));
    sim.transport_closes(1006);
    assert!(!sim.socket.can_push(ch));
}

#[test]
fn on_calls_all_callbacks_for_event_with_a_snapshot_taken_at_delivery() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let a = sim.socket.on(ch, "e").unwrap();
    let b = sim.socket.on(ch, "e").unwrap();
    sim.socket.on(ch, "other").unwrap();
    sim.recv(broadcast("room:1", "e", "{}"));
    // bindings changed after delivery do not change what was delivered
    sim.socket.off(ch, "e", Some(a)).unwrap();
    assert!(matches!(&sim.events[..], [Event::Channel { bindings, .. }] if bindings == &[a, b]));
}

#[test]
fn push_does_not_push_if_channel_join_times_out() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, Some(1_000), sim.now).unwrap();
    let p = sim.socket.push(ch, "e", Payload::empty(), Some(1_000), sim.now).unwrap();
    sim.advance(1_000);
    assert!(!sim.sent.iter().any(|m| m.event == "e"));
    assert!(replies(&sim.events).contains(&(p, "timeout".to_owned())));
}

#[test]
fn push_uses_channel_timeout_by_default_and_accepts_timeout_arg() {
    let mut c = config();
    c.timeout = 3_000;
    let mut sim = Sim::new(c);
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let a = sim.socket.push(ch, "a", Payload::empty(), None, sim.now).unwrap();
    let b = sim.socket.push(ch, "b", Payload::empty(), Some(1_000), sim.now).unwrap();
    sim.drain();
    sim.advance(1_000);
    assert_eq!(replies(&sim.events), vec![(b, "timeout".to_owned())]);
    sim.advance(2_000);
    assert_eq!(replies(&sim.events), vec![(b, "timeout".to_owned()), (a, "timeout".to_owned())]);
}

#[test]
fn push_does_not_leak_the_reply_binding_of_a_buffered_push() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, m) = join(&mut sim, "room:1");
    sim.socket.push(ch, "e", Payload::empty(), None, sim.now).unwrap();
    assert_eq!(sim.socket.reply_bindings(), 2); // join + buffered push
    sim.reply(&m, "ok", "{}"); // flush re-starts the push's timeout with a new ref
    assert_eq!(sim.socket.reply_bindings(), 1);
    let e = sim.last_sent("e");
    sim.reply(&e, "ok", "{}");
    assert_eq!(sim.socket.reply_bindings(), 0);
}

#[test]
fn leave_unsubscribes_from_server_events() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.socket.on(ch, "e").unwrap();
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_leave");
    sim.reply(&m, "ok", "{}");
    sim.take_events();
    sim.recv(broadcast("room:1", "e", "{}"));
    assert!(sim.events.is_empty());
}

#[test]
fn leave_closes_the_channel_on_timeout_too() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let leave = sim.socket.leave(ch, Some(500), sim.now).unwrap();
    sim.drain();
    sim.advance(500);
    assert!(replies(&sim.events).contains(&(leave, "timeout".to_owned())));
    assert!(sim.socket.channel_state(ch).is_err());
}

#[test]
fn leave_when_not_connected_closes_at_once() {
    let mut sim = Sim::new(config());
    let ch = sim.socket.channel("room:1", params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    let leave = sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    assert!(replies(&sim.events).contains(&(leave, "ok".to_owned())));
    assert!(sim.socket.channel_state(ch).is_err());
}

// phoenix.js sends phx_leave whenever the socket is connected: a join whose reply has
// not arrived may already have joined on the server (and tracked a presence there)
#[test]
fn leave_while_joining_tells_the_server_and_closes_at_once() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, join) = join(&mut sim, "room:1");
    let leave = sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_leave");
    assert_eq!(m.topic, "room:1");
    assert_eq!(m.join_ref, join.msg_ref, "the leave names the join it ends");
    assert!(replies(&sim.events).contains(&(leave, "ok".to_owned())), "closed without waiting");
    assert!(sim.socket.channel_state(ch).is_err());
    // the server's answers to the join and the leave, arriving late, change nothing
    sim.take_events();
    sim.reply(&join, "ok", "{}");
    sim.reply(&m, "ok", "{}");
    assert!(sim.take_events().is_empty());
    assert_eq!(sim.socket.timer_count(), 1, "only the heartbeat timer is left");
}

#[test]
fn every_push_gets_exactly_one_outcome_when_its_channel_closes() {
    let mut sim = Sim::new(config());
    sim.open();
    let (ch, _) = join(&mut sim, "room:1");
    let buffered: Vec<_> = (0..3).map(|_| sim.socket.push(ch, "e", Payload::empty(), None, sim.now).unwrap()).collect();
    sim.socket.remove(ch);
    sim.drain();
    sim.advance(60_000);
    for p in buffered {
        let outcomes: Vec<_> = replies(&sim.events).into_iter().filter(|(id, _)| *id == p).collect();
        assert_eq!(outcomes, vec![(p, "error".to_owned())]);
    }
    assert_eq!(sim.socket.timer_count(), 1, "only the heartbeat timer is left");
}

#[test]
fn push_to_a_closed_channel_is_an_error_not_a_silent_drop() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    sim.socket.leave(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_leave");
    sim.reply(&m, "ok", "{}");
    assert!(sim.socket.push(ch, "e", Payload::empty(), None, sim.now).is_err(), "the channel is gone");
}

#[test]
fn logged_payloads_redact_secret_looking_keys() {
    let mut c = config();
    c.log = true;
    let mut sim = Sim::new(c);
    sim.open();
    let ch = sim.socket.channel("room:1", params(r#"{"token":"s3cret","name":"ann"}"#));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    assert_eq!(sim.last_sent("phx_join").payload, json(r#"{"token":"s3cret","name":"ann"}"#), "the wire keeps it");
    let logged: Vec<&Payload> = sim.events.iter().filter_map(|e| match e { Event::Log { data: Some(d), .. } => Some(d), _ => None }).collect();
    assert!(logged.contains(&&json(r#"{"token":"[REDACTED]","name":"ann"}"#)), "{logged:?}");
}
