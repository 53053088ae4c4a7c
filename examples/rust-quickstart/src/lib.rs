//! A user's crate over phoenix-wasm, as the README's "From Rust" section writes it: a
//! typed room, joined, a shout pushed and heard back. `wasm-pack test --headless
//! --chrome` runs `tests/web.rs` against the server of `PHX_SERVER_URL`.

use std::time::Duration;

use futures_util::StreamExt;
use phoenix_wasm::typed::Topic;
use phoenix_wasm::web::Socket;
use serde::{Deserialize, Serialize};

/// `room:<name>`, whose `shout`s arrive decoded.
pub struct Room(pub String);

/// What a room sends: the event names listened to are the variants' (`shout`).
#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "event", content = "payload", rename_all = "snake_case")]
pub enum RoomEvent {
    /// Someone shouted.
    Shout { body: String },
}

impl Topic for Room {
    type Event = RoomEvent;
    fn topic(&self) -> String {
        format!("room:{}", self.0)
    }
}

#[derive(Serialize)]
struct Params<'a> {
    token: &'a str,
}

#[derive(Serialize)]
struct Shout<'a> {
    body: &'a str,
}

/// A socket for `url` that sends `token` on every connect.
pub fn connect(url: &str, token: &str) -> Result<Socket, phoenix_wasm::web::Error> {
    let socket = Socket::builder(url).params(&Params { token }).timeout(Duration::from_secs(5)).build()?;
    socket.connect();
    Ok(socket)
}

/// Joins `room:<room>`, shouts `body` there and returns the first shout heard.
pub async fn shout_and_hear(socket: &Socket, room: &str, body: &str) -> Result<RoomEvent, Box<dyn std::error::Error>> {
    let mut room = socket.typed_channel(Room(room.to_owned()))?;
    let _: serde::de::IgnoredAny = room.joined().await?; // a refused join: Err(PushFailure::Status), with the reply
    let _: serde::de::IgnoredAny = room.push("shout", &Shout { body }).await?;
    let heard = room.next().await.ok_or("the room closed")??;
    Ok(heard)
}
