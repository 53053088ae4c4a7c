//! In headless Chromium against the server of `PHX_SERVER_URL` (e.g.
//! `ws://127.0.0.1:4000/socket`): `PHX_SERVER_URL=... wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use phoenix_wasm::typed::PushFailure;
use rust_quickstart::{connect, shout_and_hear, Room, RoomEvent};
use serde::Deserialize;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const URL: &str = env!("PHX_SERVER_URL", "set PHX_SERVER_URL to a Phoenix socket URL, e.g. ws://127.0.0.1:4000/socket");

#[wasm_bindgen_test]
async fn a_shout_is_heard_back() {
    let socket = connect(URL, "user:quickstart").unwrap();
    let heard = shout_and_hear(&socket, "quickstart", "hello from a user's crate").await.unwrap();
    assert_eq!(heard, RoomEvent::Shout { body: "hello from a user's crate".to_owned() });
    socket.disconnect();
}

#[derive(Deserialize)]
struct Refusal {
    reason: String,
}

#[wasm_bindgen_test]
async fn a_refused_join_carries_the_servers_reply() {
    let socket = connect(URL, "user:quickstart-refused").unwrap();
    let room = socket.typed_channel(Room("forbidden".to_owned())).unwrap();
    match room.joined::<serde::de::IgnoredAny>().await {
        Err(PushFailure::Status(e)) => {
            assert_eq!(e.status, "error");
            assert_eq!(e.response.decode::<Refusal>().unwrap().reason, "unauthorized");
            assert!(e.to_string().contains("unauthorized"), "{e}");
        }
        other => panic!("expected a refused join, got {:?}", other.map(|_| ())),
    }
    socket.disconnect();
}
