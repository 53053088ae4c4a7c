//! Presence sync cost: a 10,000-member `presence_state`, then 1,000 `presence_diff`s
//! (each one join and one leave), through the core's tracker.
//!
//! `cargo run --release --example presence_bench` (`-- states N [watched]`: N state syncs
//! only, each followed by a second one while changes are watched, to count instructions
//! with cachegrind on a noisy machine)
//!
//! For scale it also runs the same diffs the way older phoenix.js releases did (their
//! `syncDiff` began with a deep copy of the whole state; 1.8.16 no longer copies),
//! modelled here as a clone of the state per diff.

use std::time::Instant;

use phoenix_wasm::core::presence::PresenceTracker;
use phoenix_wasm::core::serializer::{decode, decode_deferred};
use phoenix_wasm::core::Frame;

fn meta(user: usize, n: usize) -> String {
    format!(r#"{{"online_at":1700000000,"status":"online","phx_ref":"F{user}-{n}"}}"#)
}

fn main() {
    const MEMBERS: usize = 10_000;
    const DIFFS: usize = 1_000;
    let mut state = String::from("{");
    for u in 0..MEMBERS {
        if u > 0 {
            state.push(',');
        }
        state.push_str(&format!(r#""user{u}":{{"metas":[{}]}}"#, meta(u, 0)));
    }
    state.push('}');
    // `presence_bench states N`: only N quiet state syncs, for counting instructions
    // where wall time is too noisy (`valgrind --tool=cachegrind --cache-sim=no`:
    // compare the counts of two N, divided by their difference)
    if let Some(n) = std::env::args().skip_while(|a| a != "states").nth(1).and_then(|n| n.parse::<usize>().ok()) {
        // `states N watched`: each state then comes again while its changes are watched
        // (as after a rejoin, once the page has called `list()`)
        let watched = std::env::args().any(|a| a == "watched");
        for _ in 0..n {
            let mut q = PresenceTracker::default();
            q.state.set_reporting(false);
            q.handle_state(&state, Some("1")).unwrap();
            if watched {
                q.state.watch_changes(true);
                q.handle_state(&state.replace("-0\"", "-1\""), Some("1")).unwrap();
                assert_eq!(q.state.take_touched(), phoenix_wasm::core::Touched::All);
            }
        }
        return;
    }
    let diffs: Vec<String> = (0..DIFFS)
        .map(|i| {
            format!(
                r#"{{"joins":{{"new{i}":{{"metas":[{}]}}}},"leaves":{{"user{i}":{{"metas":[{}]}}}}}}"#,
                meta(MEMBERS + i, 0),
                meta(i, 0)
            )
        })
        .collect();

    let runs = 7;
    let mut state_ms = vec![];
    let mut diff_ms = vec![];
    let mut list_ms = vec![];
    let mut naive_ms = vec![];
    let mut quiet_ms = vec![];
    let mut frame_ms = vec![];
    let mut deferred_ms = vec![];
    let frame = Frame::Text(format!(r#"["1",null,"room:lobby","presence_state",{state}]"#));
    let frame_bytes = state.len() + r#"["1",null,"room:lobby","presence_state",]"#.len();
    for _ in 0..runs {
        // the frame the state arrives in, decoded (header read, payload checked and
        // copied), and as the socket decodes it for a presence (payload located and
        // copied; the presence reader checks it as it reads it)
        let t = Instant::now();
        let msg = decode(&frame).unwrap();
        frame_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(msg.payload.len(), state.len());
        let t = Instant::now();
        let (msg, unchecked) = decode_deferred(&frame).unwrap();
        deferred_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(unchecked && msg.payload.len() == state.len());

        // as the web shell runs it when nobody listens to joins and leaves
        let mut q = PresenceTracker::default();
        q.state.set_reporting(false);
        let t = Instant::now();
        q.handle_state(&state, Some("1")).unwrap();
        quiet_ms.push(t.elapsed().as_secs_f64() * 1e3);

        let mut t = PresenceTracker::default();
        let t0 = Instant::now();
        let changes = t.handle_state(&state, Some("1")).unwrap();
        state_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        assert_eq!(changes.len(), MEMBERS);

        let t1 = Instant::now();
        for d in &diffs {
            t.handle_diff(d, Some("1")).unwrap().unwrap();
        }
        diff_ms.push(t1.elapsed().as_secs_f64() * 1e3);
        assert_eq!(t.state.len(), MEMBERS);

        let t2 = Instant::now();
        let listed = t.state.to_pairs_json();
        list_ms.push(t2.elapsed().as_secs_f64() * 1e3);
        assert!(listed.len() > MEMBERS * 50);

        let t3 = Instant::now();
        let mut s = t.state.clone();
        for d in &diffs {
            let mut copy = s.clone(); // what a deep copy per diff costs
            copy.sync_diff(d, &mut Vec::new()).unwrap();
            s = copy;
        }
        naive_ms.push(t3.elapsed().as_secs_f64() * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!("presence, {MEMBERS} members, {DIFFS} diffs (median of {runs} runs, native release build)");
    println!("  state frame decoded : {:8.2} ms ({frame_bytes} bytes), {:.2} ms with the payload left to the presence reader", median(&mut frame_ms), median(&mut deferred_ms));
    println!("  presence_state sync : {:8.2} ms", median(&mut state_ms));
    println!("  ... without join/leave reports: {:8.2} ms", median(&mut quiet_ms));
    println!("  {DIFFS} diffs         : {:8.2} ms ({:.2} µs/diff)", median(&mut diff_ms), median(&mut diff_ms.clone()) * 1e3 / DIFFS as f64);
    println!("  list (JSON pairs)   : {:8.2} ms", median(&mut list_ms));
    println!("  diffs with a state copy per diff (older phoenix.js): {:8.2} ms", median(&mut naive_ms));
}
