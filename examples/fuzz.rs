//! A self-contained fuzzer (no nightly, no libFuzzer): a deterministic generator
//! of structured and mutated inputs for the frame decoder, the presence sync and
//! the socket state machine, with invariants checked on every input.
//!
//! ```text
//! cargo run --release --example fuzz -- decoder 10000000     # 10 M frames
//! cargo run --release --example fuzz -- presence 200000
//! cargo run --release --example fuzz -- socket 20000         # 20 k random event sequences
//! cargo run --release --example fuzz -- all 100000 [seed]
//! ```
//! A panic is a finding: it prints the seed and the iteration, which reproduce it.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use phoenix_wasm::core::presence::PresenceTracker;
use phoenix_wasm::core::json;
use phoenix_wasm::core::serializer::{decode, decode_deferred, decode_from_client, encode, encode_to_client};
use phoenix_wasm::core::{ChannelId, Config, ConnId, Event, Frame, Message, Output, Payload, PushId, Socket};

/// xorshift64*
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const TOPICS: &[&str] = &["room:1", "room:2", "phoenix", "", "é", "room:\"q\"", "x:\\u0000"];
const EVENTS: &[&str] = &["phx_reply", "phx_join", "phx_error", "phx_close", "shout", "presence_state", "presence_diff", "heartbeat"];
const JSONS: &[&str] = &[
    "{}", "[]", "null", "1", "-0.5e3", "\"s\"", r#"{"status":"ok","response":{}}"#, r#"{"status":"error","response":{"reason":"x"}}"#,
    r#"{"status":5}"#, r#"{"a":[1,2,{"b":null}]}"#, r#"{"\u00e9":"\ud83d\ude00"}"#, "{\"", "[1,", "tru", "\"\\x\"", "{}}",
];

fn json_value(r: &mut Rng, depth: u32) -> String {
    match r.below(if depth > 3 { 4 } else { 7 }) {
        0 => r.pick(JSONS).to_owned(),
        1 => r.below(1 << 40).to_string(),
        2 => format!("\"{}\"", r.pick(TOPICS)),
        3 => ["true", "false", "null"][r.below(3) as usize].to_owned(),
        4 => {
            let n = r.below(4);
            let items: Vec<String> = (0..n).map(|_| json_value(r, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        _ => {
            let n = r.below(4);
            let items: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{}", json_value(r, depth + 1))).collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

fn opt_str(r: &mut Rng) -> String {
    if r.chance(30) {
        "null".into()
    } else {
        format!("\"{}\"", r.below(1000))
    }
}

fn text_frame(r: &mut Rng) -> String {
    let mut s = format!(
        "[{},{},\"{}\",\"{}\",{}]",
        opt_str(r),
        opt_str(r),
        r.pick(TOPICS),
        r.pick(EVENTS),
        json_value(r, 0)
    );
    mutate(r, &mut s);
    s
}

fn mutate(r: &mut Rng, s: &mut String) {
    for _ in 0..r.below(3) {
        if s.is_empty() {
            return;
        }
        let at = r.below(s.len() as u64) as usize;
        if !s.is_char_boundary(at) {
            continue;
        }
        match r.below(4) {
            0 => s.insert(at, r.pick(&["[", "]", "{", "}", ",", "\"", ":", "\\", "0", "-", "e"]).chars().next().unwrap_or('x')),
            1 => {
                let end = (at + 1 + r.below(8) as usize).min(s.len());
                if s.is_char_boundary(end) {
                    s.replace_range(at..end, "");
                }
            }
            2 => s.truncate(at),
            _ => {}
        }
    }
}

fn binary_frame(r: &mut Rng) -> Vec<u8> {
    let mut b = vec![r.below(4) as u8];
    let fields = 2 + r.below(3);
    let lens: Vec<u8> = (0..fields).map(|_| r.below(6) as u8).collect();
    b.extend(&lens);
    for l in &lens {
        for _ in 0..*l {
            b.push(if r.chance(90) { b'a' + r.below(26) as u8 } else { r.below(256) as u8 });
        }
    }
    for _ in 0..r.below(8) {
        b.push(r.below(256) as u8);
    }
    if r.chance(20) && !b.is_empty() {
        let cut = r.below(b.len() as u64) as usize;
        b.truncate(cut);
    }
    b
}

/// Invariant: decoding with the payload left to check agrees with decoding whole.
/// Where `decode` fails, so does `decode_deferred`, or the payload it located is
/// not JSON; where `decode` succeeds, the same message comes out.
fn check_deferred(frame: &Frame) {
    match (decode(frame), decode_deferred(frame)) {
        (Ok(m), Ok((d, _))) => assert_eq!(m, d, "{frame:?}"),
        (Ok(_), Err(e)) => panic!("deferred decode failed ({e}) where decode succeeded: {frame:?}"),
        (Err(e), Ok((d, unchecked))) => {
            let payload = d.payload.as_json().unwrap_or_default();
            assert!(unchecked && json::validate(payload).is_err(), "decode failed ({e}) but the deferred payload checks out: {frame:?}");
        }
        (Err(e), Err(d)) => assert_eq!(e, d, "{frame:?}"),
    }
}

fn fuzz_decoder(r: &mut Rng, n: u64) -> String {
    let (mut ok, mut err) = (0u64, 0u64);
    for _ in 0..n {
        let frame = if r.chance(60) { Frame::Text(text_frame(r)) } else { Frame::Binary(binary_frame(r)) };
        check_deferred(&frame);
        for result in [decode(&frame), decode_from_client(&frame)] {
            match result {
                Ok(m) => {
                    ok += 1;
                    // invariant: what decodes re-encodes, and decodes back to the same message
                    let again = match encode(&m).or_else(|_| encode_to_client(&m)) {
                        Ok(f) => f,
                        Err(_) => continue, // e.g. a field > 255 bytes cannot be binary
                    };
                    let back = decode_from_client(&again).or_else(|_| decode(&again));
                    if let (Ok(back), Payload::Json(_)) = (&back, &m.payload) {
                        assert_eq!(back.topic, m.topic);
                        assert_eq!(back.event, m.event);
                    }
                    let _ = m.reply();
                }
                Err(e) => {
                    err += 1;
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
    format!("decoder: {n} frames ({ok} decodes, {err} clean errors), no panic")
}

fn presence_payload(r: &mut Rng, keys: u64) -> String {
    let n = r.below(4);
    let entries: Vec<String> = (0..n)
        .map(|_| {
            let k = r.below(keys);
            let metas: Vec<String> = (0..r.below(3)).map(|_| format!("{{\"phx_ref\":\"{}\",\"x\":{}}}", r.below(6), r.below(9))).collect();
            format!("\"{}\":{{\"metas\":[{}]}}", ["__proto__", "constructor", "toString", "a", "b", "c"][k as usize % 6], metas.join(","))
        })
        .collect();
    format!("{{{}}}", entries.join(","))
}

fn fuzz_presence(r: &mut Rng, n: u64) -> String {
    let mut applied = 0u64;
    for _ in 0..n {
        let mut t = PresenceTracker::default();
        let join_ref = Some("1");
        for _ in 0..r.below(12) {
            let res = if r.chance(30) {
                let mut s = presence_payload(r, 6);
                mutate(r, &mut s);
                t.handle_state(&s, join_ref).map(Some)
            } else {
                let mut d = format!("{{\"joins\":{},\"leaves\":{}}}", presence_payload(r, 6), presence_payload(r, 6));
                if r.chance(10) {
                    mutate(r, &mut d);
                }
                t.handle_diff(&d, if r.chance(80) { join_ref } else { Some("2") })
            };
            if let Ok(Some(_)) = res {
                applied += 1;
            }
            // invariants: no key without metas; the JSON of the state parses back
            for (_, e) in t.state.iter() {
                assert!(!e.metas.is_empty(), "a key without metas was kept");
            }
            let json = t.state.to_json();
            assert_eq!(phoenix_wasm::core::PresenceState::from_json(&json).unwrap().len(), t.state.len());
        }
    }
    format!("presence: {n} sequences ({applied} applied syncs), invariants held")
}

fn fuzz_socket(r: &mut Rng, n: u64) -> String {
    let mut events_total = 0u64;
    for _ in 0..n {
        let mut c = Config::new("ws://h/socket");
        c.max_send_buffer = 1 + r.below(5) as usize;
        c.timeout = 100 + r.below(2000);
        c.heartbeat_interval = 100 + r.below(3000);
        c.heartbeat_timeout = Some(50 + r.below(3000));
        c.jitter = r.chance(50);
        c.seed = Some(r.next());
        // configuration asked of the host, answered late, out of order or stale
        use phoenix_wasm::core::{Schedule, Source};
        if r.chance(30) {
            c.params = Source::Ask;
        }
        if r.chance(30) {
            c.auth_token = Source::Ask;
        }
        if r.chance(30) {
            c.reconnect_after = Schedule::Ask;
        }
        if r.chance(30) {
            c.rejoin_after = Schedule::Ask;
        }
        let ask_join = r.chance(30);
        let mut asks: Vec<Output> = Vec::new();
        let mut s = Socket::new(c);
        let mut now = 0u64;
        let mut conn: Option<ConnId> = None;
        let mut channels: Vec<ChannelId> = Vec::new();
        let mut pushes: HashSet<PushId> = HashSet::new();
        let mut outcomes: HashMap<PushId, u32> = HashMap::new();
        let mut sent: Vec<Message> = Vec::new();
        for _ in 0..r.below(60) {
            match r.below(12) {
                0 => s.connect(now),
                1 => s.disconnect(None, None, now),
                2 => {
                    if let Some(c) = conn {
                        s.handle_open(c, now)
                    }
                }
                3 => {
                    if let Some(c) = conn {
                        s.handle_close(c, 1000 + r.below(20) as u16, "", now)
                    }
                }
                4 => {
                    let params = if ask_join { Source::Ask } else { Source::json("{}") };
                    let ch = s.channel(r.pick(&["room:1", "room:2", "room:1"]), params);
                    channels.push(ch);
                    let _ = s.join(ch, None, now);
                }
                5 | 6 => {
                    if let Some(&ch) = channels.get(r.below(channels.len() as u64 + 1) as usize) {
                        if let Ok(p) = s.push(ch, "e", Payload::empty(), Some(50 + r.below(3000)), now) {
                            pushes.insert(p);
                        }
                    }
                }
                7 => {
                    // the server answers something it was sent (or garbage)
                    if let (Some(c), Some(m)) = (conn, sent.get(r.below(sent.len() as u64 + 1) as usize).cloned()) {
                        let status = r.pick(&["ok", "error", "custom"]);
                        let reply = Message {
                            join_ref: m.join_ref.clone(),
                            msg_ref: m.msg_ref.clone(),
                            topic: m.topic.clone(),
                            event: "phx_reply".into(),
                            payload: Payload::Json(format!(r#"{{"status":"{status}","response":{{}}}}"#)),
                        };
                        s.handle_frame(c, &encode_to_client(&reply).unwrap(), now);
                    }
                }
                8 => {
                    if let Some(c) = conn {
                        s.handle_frame(c, &Frame::Text(text_frame(r)), now)
                    }
                }
                9 => {
                    if let Some(&ch) = channels.get(r.below(channels.len() as u64 + 1) as usize) {
                        if r.chance(50) {
                            let _ = s.leave(ch, None, now);
                        } else {
                            s.remove(ch);
                        }
                    }
                }
                10 if !asks.is_empty() && r.chance(50) => {
                    let i = r.below(asks.len() as u64) as usize;
                    answer(&mut s, asks.swap_remove(i), r.chance(10), now);
                }
                10 => s.handle_visibility(r.chance(50), now),
                _ => {
                    now += r.below(5000);
                    s.handle_timeout(now);
                }
            }
            while let Some(out) = s.poll_output() {
                events_total += 1;
                match out {
                    Output::Connect { conn: c, .. } => conn = Some(c),
                    Output::Send(f) => sent.push(decode_from_client(&f).expect("the client sends decodable frames")),
                    Output::Event(Event::PushReply { push, last: true, .. }) => *outcomes.entry(push).or_default() += 1,
                    ask @ (Output::ConnectParams { .. } | Output::JoinParams { .. } | Output::RetryDelay { .. }) => asks.push(ask),
                    _ => {}
                }
            }
            // invariants: the timer table is never in the past after handle_timeout
            if let Some(t) = s.poll_timeout() {
                assert!(t + 10_000_000 > now);
            }
            // refs are unique among messages in flight
            let refs: Vec<&String> = sent.iter().filter_map(|m| m.msg_ref.as_ref()).collect();
            let unique: HashSet<&&String> = refs.iter().collect();
            assert_eq!(unique.len(), refs.len(), "a ref was reused");
        }
        // drain every timer (the host answering what is asked): every push must end
        // with exactly one outcome
        for _ in 0..10_000 {
            for ask in std::mem::take(&mut asks) {
                answer(&mut s, ask, false, now);
            }
            while let Some(out) = s.poll_output() {
                match out {
                    Output::Event(Event::PushReply { push, last: true, .. }) => *outcomes.entry(push).or_default() += 1,
                    ask @ (Output::ConnectParams { .. } | Output::JoinParams { .. } | Output::RetryDelay { .. }) => asks.push(ask),
                    _ => {}
                }
            }
            if !asks.is_empty() {
                continue;
            }
            let Some(t) = s.poll_timeout() else { break };
            now = now.max(t);
            s.handle_timeout(now);
            if s.poll_timeout().is_some_and(|t| t > now + 60_000) {
                break; // only the heartbeat / reconnect cycle is left
            }
        }
        for p in &pushes {
            assert_eq!(outcomes.get(p).copied().unwrap_or(0), 1, "push {p:?} ended with {:?} outcomes", outcomes.get(p));
        }
    }
    format!("socket: {n} random event sequences ({events_total} outputs); every push resolved exactly once, refs unique")
}

/// The host's answer to an ask of the socket (`fail`: the application's function threw).
fn answer(s: &mut Socket, ask: Output, fail: bool, now: u64) {
    match ask {
        Output::ConnectParams { conn } => {
            s.connect_params(conn, if fail { Err("params threw".into()) } else { Ok((Some("{}".into()), Some("t".into()))) }, now)
        }
        Output::JoinParams { channel } => s.join_params(channel, if fail { Err("params threw".into()) } else { Ok("{}".into()) }, now),
        Output::RetryDelay { retry, tries } => s.retry_delay(retry, (!fail).then_some(u64::from(tries) * 100), now),
        _ => {}
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let target = args.get(1).map(String::as_str).unwrap_or("all");
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0x5EED_F00D);
    let mut r = Rng(seed | 1);
    let t0 = Instant::now();
    let report = match target {
        "decoder" => vec![fuzz_decoder(&mut r, n)],
        "presence" => vec![fuzz_presence(&mut r, n)],
        "socket" => vec![fuzz_socket(&mut r, n)],
        _ => vec![fuzz_decoder(&mut r, n), fuzz_presence(&mut r, n / 10), fuzz_socket(&mut r, n / 100)],
    };
    for line in report {
        println!("{line}");
    }
    println!("seed {seed}, {:.1} s", t0.elapsed().as_secs_f64());
}
