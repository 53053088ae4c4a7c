//! Presence through the socket: phoenix.js presence_test.js "instance" cases and
//! the rejoin race of phoenix#2255, on a virtual clock.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use phoenix_wasm::core::serializer::decode;
use phoenix_wasm::core::{Change, ChannelId, Event, Frame, Message, Payload, PresenceId};
use sim::{config, json, params, Sim};

fn joined(sim: &mut Sim, topic: &str) -> ChannelId {
    let ch = sim.socket.channel(topic, params("{}"));
    sim.socket.join(ch, None, sim.now).unwrap();
    sim.drain();
    let m = sim.last_sent("phx_join");
    sim.reply(&m, "ok", "{}");
    sim.take_events();
    ch
}

fn push(sim: &mut Sim, ch: ChannelId, event: &str, payload: &str) {
    let jr = sim.socket.join_ref_of(ch);
    let topic = sim.socket.topic(ch).unwrap().to_owned();
    sim.recv(Message { join_ref: jr, msg_ref: None, topic, event: event.into(), payload: json(payload) });
}

fn syncs(events: &[Event], p: PresenceId) -> Vec<Vec<String>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Presence { presence, changes } if *presence == p => Some(
                changes
                    .iter()
                    .map(|c| match c {
                        Change::Join { key, .. } => format!("+{key}"),
                        Change::Leave { key, .. } => format!("-{key}"),
                    })
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

fn listed(sim: &Sim, p: PresenceId) -> Vec<String> {
    sim.socket.presence_state(p).unwrap().iter().map(|(k, e)| format!("{k}:{}", e.metas.len())).collect()
}

#[test]
fn instance_syncs_state_and_diffs() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    push(&mut sim, ch, "presence_state", r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}"#);
    assert_eq!(listed(&sim, p), ["u1:1"]);
    push(&mut sim, ch, "presence_diff", r#"{"joins":{},"leaves":{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}}"#);
    assert!(listed(&sim, p).is_empty());
    assert_eq!(syncs(&sim.events, p), vec![vec!["+u1"], vec!["-u1"]], "one sync per state and per diff");
}

#[test]
fn instance_applies_pending_diff_if_state_is_not_yet_synced() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    push(&mut sim, ch, "presence_diff", r#"{"joins":{"u2":{"metas":[{"phx_ref":"2"}]}},"leaves":{"u1":{"metas":[{"phx_ref":"1"}]}}}"#);
    assert_eq!(sim.socket.presence_pending(p), Some(true));
    assert!(syncs(&sim.events, p).is_empty(), "no onSync while pending");
    push(&mut sim, ch, "presence_state", r#"{"u1":{"metas":[{"phx_ref":"1"}]},"u3":{"metas":[{"phx_ref":"3"}]}}"#);
    assert_eq!(listed(&sim, p), ["u3:1", "u2:1"]);
    assert_eq!(syncs(&sim.events, p), vec![vec!["+u1", "+u3", "+u2", "-u1"]], "state and held diff in one sync");
    assert_eq!(sim.socket.presence_pending(p), Some(false));
}

#[test]
fn instance_allows_custom_channel_events() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, Some("the_state"), Some("the_diff")).unwrap();
    push(&mut sim, ch, "presence_state", r#"{"ignored":{"metas":[{"phx_ref":"x"}]}}"#);
    push(&mut sim, ch, "the_state", r#"{"u1":{"metas":[{"phx_ref":"1"}]}}"#);
    push(&mut sim, ch, "the_diff", r#"{"joins":{"u2":{"metas":[{"phx_ref":"2"}]}},"leaves":{}}"#);
    assert_eq!(listed(&sim, p), ["u1:1", "u2:1"]);
}

#[test]
fn instance_updates_existing_meta_for_a_presence_update() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    push(&mut sim, ch, "presence_state", r#"{"u1":{"metas":[{"status":"away","phx_ref":"1"}]}}"#);
    push(
        &mut sim,
        ch,
        "presence_diff",
        r#"{"joins":{"u1":{"metas":[{"status":"online","phx_ref":"2"}]}},"leaves":{"u1":{"metas":[{"status":"away","phx_ref":"1"}]}}}"#,
    );
    let e = sim.socket.presence_state(p).unwrap().get("u1").unwrap().clone();
    assert_eq!(e.to_json(), r#"{"metas":[{"status":"online","phx_ref":"2"}]}"#);
}

// phoenix#2255: after a rejoin, a diff that arrives before the new join's
// presence_state must wait for it; the old join's messages are dropped.
#[test]
fn rejoin_race_holds_diffs_until_the_new_state() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    push(&mut sim, ch, "presence_state", r#"{"me":{"metas":[{"phx_ref":"m1"}]},"old":{"metas":[{"phx_ref":"o"}]}}"#);
    let old_join_ref = sim.socket.join_ref_of(ch);
    sim.transport_closes(1006);
    sim.advance(10);
    sim.transport_opens();
    let rejoin = sim.last_sent("phx_join");
    sim.reply(&rejoin, "ok", "{}");
    sim.take_events();
    // a late diff of the old join is dropped
    sim.recv(Message {
        join_ref: old_join_ref,
        msg_ref: None,
        topic: "room:1".into(),
        event: "presence_diff".into(),
        payload: json(r#"{"joins":{"ghost":{"metas":[{"phx_ref":"g"}]}},"leaves":{}}"#),
    });
    // the new join's diff arrives before its state
    push(&mut sim, ch, "presence_diff", r#"{"joins":{"new":{"metas":[{"phx_ref":"n"}]}},"leaves":{}}"#);
    assert_eq!(sim.socket.presence_pending(p), Some(true));
    assert_eq!(listed(&sim, p), ["me:1", "old:1"], "nothing applied yet");
    push(&mut sim, ch, "presence_state", r#"{"me":{"metas":[{"phx_ref":"m2"}]}}"#);
    assert_eq!(listed(&sim, p), ["me:1", "new:1"]);
    assert_eq!(sim.socket.presence_state(p).unwrap().get("me").unwrap().metas[0].phx_ref(), Some("m2"));
    assert_eq!(syncs(&sim.events, p).len(), 1, "one onSync");
}

#[test]
fn malformed_presence_is_an_error_event_and_the_state_survives() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    push(&mut sim, ch, "presence_state", r#"{"u1":{"metas":[{"phx_ref":"1"}]}}"#);
    push(&mut sim, ch, "presence_diff", r#"{"joins":{"u2":{"metas":"oops"}}}"#);
    assert!(sim.events.iter().any(|e| matches!(e, Event::Error { reason } if reason.contains("malformed presence_diff"))));
    assert_eq!(listed(&sim, p), ["u1:1"]);
}

#[test]
fn presence_is_dropped_with_its_channel() {
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    sim.socket.remove(ch);
    assert!(sim.socket.presence_state(p).is_none());
}

/// A raw text frame for `topic` with `payload` spliced in as it is (malformed or not).
fn raw_frame(sim: &Sim, ch: ChannelId, event: &str, payload: &str) -> Frame {
    let jr = sim.socket.join_ref_of(ch).unwrap();
    let topic = sim.socket.topic(ch).unwrap();
    Frame::Text(format!(r#"["{jr}",null,"{topic}","{event}",{payload}]"#))
}

#[test]
fn a_presence_frame_that_is_not_json_is_rejected_whole_with_the_decoders_error() {
    // A presence state or diff is checked as it is read (one pass); a frame that turns
    // out malformed must end as if it had been checked whole on arrival: the decoder's
    // error and nothing delivered, observed or applied.
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let p = sim.socket.presence(ch, None, None).unwrap();
    sim.socket.on(ch, "presence_state").unwrap();
    sim.socket.on(ch, "presence_diff").unwrap();
    sim.socket.set_observe_messages(true);
    push(&mut sim, ch, "presence_state", r#"{"u1":{"metas":[{"phx_ref":"1"}]}}"#);
    sim.take_events();
    let bad = [
        ("presence_state", r#"{"u2":{"metas":[{"phx_ref":"2","on":tru}]}}"#),
        ("presence_state", r#"{"u2":{"metas":[{"phx_ref":"2"}]}} , 5"#),
        ("presence_state", r#"{"u2":{"metas":[{"phx_ref":"2"}]}}}"#),
        ("presence_state", r#"{"u2":{"metas":[{"phx_ref":"2\u00"}]}}"#),
        ("presence_diff", r#"{"joins":{"u2":{"metas":[{"phx_ref":"2"}]}},"leaves":{},}"#),
        ("presence_diff", r#"{"joins":{"u2":{"metas":[{"phx_ref":"2"}]}},"leaves":{"#),
    ];
    for (event, payload) in bad {
        let frame = raw_frame(&sim, ch, event, payload);
        let expected = decode(&frame).expect_err("the frame is malformed").to_string();
        sim.recv_frame(frame);
        let events = sim.take_events();
        assert!(
            matches!(&events[..], [Event::Error { reason }] if *reason == expected),
            "{payload}: expected only the decoder's error {expected:?}, got {events:?}"
        );
        assert_eq!(listed(&sim, p), ["u1:1"], "{payload}: the state is unchanged");
    }
    // well-formed JSON of the wrong shape is the presence reader's error; the event is
    // still delivered, as before
    let frame = raw_frame(&sim, ch, "presence_diff", r#"{"joins":{"u2":{"metas":"oops"}}}"#);
    sim.recv_frame(frame);
    let events = sim.take_events();
    assert!(events.iter().any(|e| matches!(e, Event::Error { reason } if reason.starts_with("malformed presence_diff on room:1"))), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, Event::Channel { .. })), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, Event::Message(_))), "{events:?}");
}

#[test]
fn a_presence_frame_read_in_one_pass_delivers_the_payload_as_sent() {
    // whitespace inside and around the payload: delivered and observed exactly as the
    // decoder that checks the frame whole would have it
    let mut sim = Sim::new(config());
    sim.open();
    let ch = joined(&mut sim, "room:1");
    let other = joined(&mut sim, "room:2");
    let p = sim.socket.presence(ch, None, None).unwrap();
    sim.socket.on(ch, "presence_state").unwrap();
    sim.socket.on(other, "presence_state").unwrap();
    sim.socket.set_observe_messages(true);
    let payload = " {\"u1\" : {\"metas\": [ {\"phx_ref\": \"1\", \"name\": \"a\\\"b\"} ]}} \n";
    for c in [ch, other] {
        let frame = raw_frame(&sim, c, "presence_state", payload);
        let expected = decode(&frame).unwrap().payload;
        sim.recv_frame(frame);
        let events = sim.take_events();
        let delivered: Vec<&Payload> = events
            .iter()
            .filter_map(|e| match e {
                Event::Channel { payload, .. } => Some(payload),
                Event::Message(m) => Some(&m.payload),
                _ => None,
            })
            .collect();
        assert_eq!(delivered, [&expected, &expected], "{events:?}");
    }
    assert_eq!(listed(&sim, p), ["u1:1"]);
    // a channel without presence on the topic checks the frame on arrival: the same error
    let frame = raw_frame(&sim, other, "presence_state", r#"{"u1":nul}"#);
    let expected = decode(&frame).unwrap_err().to_string();
    sim.recv_frame(frame);
    assert!(matches!(&sim.take_events()[..], [Event::Error { reason }] if *reason == expected));
}
