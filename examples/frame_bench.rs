//! The core's per-frame cost on a typical frame (native release build, for scale;
//! the browser runs the same code as wasm): decoding a 150-byte `phx_reply` into
//! header fields + the raw response text, and encoding a push.
//!
//! `cargo run --release --example frame_bench`
//!
//! The core never builds a JSON tree: it scans for the header fields and hands the
//! payload on as text, which the shell turns into a JS value with the browser's
//! `JSON.parse` only when a callback receives it.

use std::hint::black_box;
use std::time::Instant;

use phoenix_wasm::core::serializer::{decode, encode};
use phoenix_wasm::core::{Frame, Message, Payload};

fn main() {
    const N: u32 = 1_000_000;
    let reply = Frame::Text(
        r#"["3","17","room:echo","phx_reply",{"status":"ok","response":{"i":12345,"text":"hello world hello world hello world hello world hello world"}}]"#.into(),
    );
    let push = Message {
        join_ref: Some("3".into()),
        msg_ref: Some("18".into()),
        topic: "room:echo".into(),
        event: "echo".into(),
        payload: Payload::Json(r#"{"i":12345,"text":"hello world hello world hello world hello world hello world"}"#.into()),
    };
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..N {
            let m = decode(black_box(&reply)).unwrap();
            black_box(m.reply().unwrap());
        }
        let decode_ns = t.elapsed().as_nanos() as f64 / f64::from(N);
        let t = Instant::now();
        for _ in 0..N {
            black_box(encode(black_box(&push)).unwrap());
        }
        let encode_ns = t.elapsed().as_nanos() as f64 / f64::from(N);
        println!("decode + reply split of a 150 B phx_reply: {decode_ns:6.0} ns   encode of a push: {encode_ns:6.0} ns");
    }
}
