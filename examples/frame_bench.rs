//! The core's per-frame cost on typical frames (native release build, for scale;
//! the browser runs the same code as wasm):
//! - decoding a 150-byte `phx_reply` into header fields + the raw response text,
//!   and encoding a push (the serializer alone);
//! - a whole push round trip through the socket state machine: `push`, the frame
//!   out, the reply frame in, the reply event out;
//! - an inbound broadcast delivered to one binding.
//!
//! `cargo run --release --example frame_bench`
//!
//! The core never builds a JSON tree: it scans for the header fields and hands the
//! payload on as text, which the shell turns into a JS value with the browser's
//! `JSON.parse` only when a callback receives it.

use std::hint::black_box;
use std::time::Instant;

use phoenix_wasm::core::serializer::{decode, encode};
use phoenix_wasm::core::{ChannelId, Config, ConnId, Event, Frame, Message, Output, Payload, Socket};

const TEXT: &str = "hello world hello world hello world hello world hello world";

fn per_op(n: u32, mut f: impl FnMut(u32)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

/// A connected socket with `room:echo` joined (join ref "1"), and its connection.
fn joined_socket() -> (Socket, ChannelId, ConnId) {
    let mut socket = Socket::new(Config::new("ws://127.0.0.1:4000/socket"));
    let channel = socket.channel("room:echo", phoenix_wasm::core::Source::json("{}"));
    socket.connect(0);
    let conn = match socket.poll_output() {
        Some(Output::Connect { conn, .. }) => conn,
        _ => unreachable!("connect first"),
    };
    socket.handle_open(conn, 1);
    socket.join(channel, None, 1).unwrap();
    let join_ref = sent_ref(&mut socket);
    let reply = format!(r#"["{join_ref}","{join_ref}","room:echo","phx_reply",{{"status":"ok","response":{{}}}}]"#);
    socket.handle_frame(conn, &Frame::Text(reply), 2);
    while socket.poll_output().is_some() {}
    (socket, channel, conn)
}

/// The ref of the last frame sent (draining the outputs).
fn sent_ref(socket: &mut Socket) -> String {
    let mut r = String::new();
    while let Some(out) = socket.poll_output() {
        if let Output::Send(Frame::Text(t)) = out {
            let m = decode(&Frame::Text(t)).unwrap();
            r = m.msg_ref.unwrap_or_default();
        }
    }
    r
}

/// A push of `payload` on `channel`, its frame out, `reply` in, the reply event out.
fn round_trip(socket: &mut Socket, channel: ChannelId, conn: ConnId, payload: &str, reply: &Frame, now: u64) {
    socket.push(channel, "echo", Payload::Json(payload.to_owned()), None, now).unwrap();
    while let Some(out) = socket.poll_output() {
        black_box(out);
    }
    socket.handle_frame(conn, reply, now);
    let mut replied = false;
    while let Some(out) = socket.poll_output() {
        replied |= matches!(out, Output::Event(Event::PushReply { .. }));
    }
    assert!(replied, "the reply resolves the push");
}

fn main() {
    // `frame_bench rounds N` / `broadcasts N`: only N push round trips / N broadcasts
    // delivered, for counting instructions where wall time is too noisy
    // (`valgrind --tool=cachegrind --cache-sim=no`)
    let only = |mode: &str| -> Option<u32> { std::env::args().skip_while(|a| a != mode).nth(1).and_then(|n| n.parse().ok()) };
    let (only_rounds, only_broadcasts) = (only("rounds"), only("broadcasts"));
    let n_total = only_rounds.unwrap_or(1_000_000);
    let reply = Frame::Text(format!(r#"["3","17","room:echo","phx_reply",{{"status":"ok","response":{{"i":12345,"text":"{TEXT}"}}}}]"#));
    let push = Message {
        join_ref: Some("3".into()),
        msg_ref: Some("18".into()),
        topic: "room:echo".into(),
        event: "echo".into(),
        payload: Payload::Json(format!(r#"{{"i":12345,"text":"{TEXT}"}}"#)),
    };
    let (mut socket, channel, conn) = joined_socket();
    socket.on(channel, "shout").unwrap();
    let payload = format!(r#"{{"i":12345,"text":"{TEXT}"}}"#);
    let broadcast = Frame::Text(format!(r#"[null,null,"room:echo","shout",{payload}]"#));
    // the reply frames of the round trips: refs follow on from the join's
    let first_ref: u64 = {
        socket.push(channel, "echo", Payload::Json(payload.clone()), None, 3).unwrap();
        sent_ref(&mut socket).parse().unwrap()
    };
    let replies: Vec<Frame> = (1..=u64::from(n_total))
        .map(|i| Frame::Text(format!(r#"["1","{}","room:echo","phx_reply",{{"status":"ok","response":{payload}}}]"#, first_ref + i)))
        .collect();
    let mut round = 0usize;
    let inbound = |socket: &mut Socket, at: u64| {
        socket.handle_frame(conn, black_box(&broadcast), at);
        let mut delivered = false;
        while let Some(out) = socket.poll_output() {
            delivered |= matches!(out, Output::Event(Event::Channel { .. }));
        }
        assert!(delivered, "the broadcast reaches the binding");
    };
    if let Some(n) = only_broadcasts {
        for i in 0..n {
            inbound(&mut socket, 10 + u64::from(i));
        }
        return;
    }
    if let Some(n) = only_rounds {
        for reply in &replies[..n as usize] {
            round_trip(&mut socket, channel, conn, &payload, reply, 10);
        }
        return;
    }
    const N: u32 = 1_000_000;
    for _ in 0..3 {
        let decode_ns = per_op(N, |_| {
            let m = decode(black_box(&reply)).unwrap();
            black_box(m.reply().unwrap());
        });
        let encode_ns = per_op(N, |_| {
            black_box(encode(black_box(&push)).unwrap());
        });
        let rounds = N / 3;
        let round_ns = per_op(rounds, |_| {
            round_trip(&mut socket, channel, conn, &payload, &replies[round], 10 + round as u64);
            round += 1;
        });
        let inbound_ns = per_op(N, |i| inbound(&mut socket, 10 + u64::from(i)));
        println!(
            "decode + reply split of a 150 B phx_reply: {decode_ns:5.0} ns   encode of a push: {encode_ns:4.0} ns   \
             push round trip in the socket: {round_ns:5.0} ns   broadcast delivered: {inbound_ns:5.0} ns"
        );
    }
}
