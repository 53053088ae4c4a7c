//! Presence through the socket: phoenix.js presence_test.js "instance" cases and
//! the rejoin race of phoenix#2255, on a virtual clock.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use phoenix_wasm::core::{Change, ChannelId, Event, Message, PresenceId};
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
    assert_eq!(sim.socket.presence_state(p).unwrap().get("me").unwrap().metas[0].phx_ref.as_deref(), Some("m2"));
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
