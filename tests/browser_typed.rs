//! Typed topics from Rust, in headless Chromium against the server of `PHX_SERVER_URL`
//! (phoenix-mock, then the real Phoenix app).
#![cfg(target_arch = "wasm32")]

use futures_util::StreamExt;
use phoenix_wasm::typed::{PushFailure, Topic, TypedChannel};
use phoenix_wasm::web::Socket;
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "event", content = "payload", rename_all = "snake_case")]
enum RoomEvent {
    AfterJoin { hello: String },
    Shout { body: String },
}

struct Room(&'static str);

impl Topic for Room {
    type Event = RoomEvent;
    const EVENTS: &'static [&'static str] = &["after_join", "shout"];
    fn topic(&self) -> String {
        format!("room:{}", self.0)
    }
}

#[derive(Serialize)]
struct Shout<'a> {
    body: &'a str,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Echo {
    n: u32,
    tags: Vec<String>,
}

#[derive(Deserialize, Debug)]
struct Joined {
    joined: String,
}

#[derive(Deserialize, Debug)]
struct Pong {
    pong: bool,
}

fn socket(token: &str) -> Socket {
    let opts = format!(r#"{{"params":{{"token":"{token}"}}}}"#);
    let s = Socket::with_options(env!("PHX_SERVER_URL", "PHX_SERVER_URL is not set: run the browser tests through `npm test` (it starts the servers)"), &opts).unwrap();
    s.connect();
    s
}

#[wasm_bindgen_test]
async fn typed_events_arrive_decoded_and_bad_payloads_are_errors_not_panics() {
    let s = socket("user:typed");
    let mut room = TypedChannel::new(&s, Room("typed")).unwrap();
    let joined: Joined = room.joined().await.unwrap();
    assert_eq!(joined.joined, "room:typed");
    assert_eq!(room.next().await.unwrap().unwrap(), RoomEvent::AfterJoin { hello: "typed".into() });

    let _: payloads::Empty = room.push("shout", &Shout { body: "hi" }).await.unwrap();
    assert_eq!(room.next().await.unwrap().unwrap(), RoomEvent::Shout { body: "hi".into() });

    // a shout whose payload does not match the enum: an Err item, and the stream goes on
    let _: payloads::Empty = room.push("shout", &payloads::Wrong { volume: 11 }).await.unwrap();
    let err = room.next().await.unwrap().unwrap_err();
    assert_eq!(err.event, "shout");
    assert!(err.message.contains("body"), "{}", err.message);
    let _: payloads::Empty = room.push("shout", &Shout { body: "still here" }).await.unwrap();
    assert_eq!(room.next().await.unwrap().unwrap(), RoomEvent::Shout { body: "still here".into() });

    let echo: Echo = room.push("echo", &Echo { n: 7, tags: vec!["a".into()] }).await.unwrap();
    assert_eq!(echo, Echo { n: 7, tags: vec!["a".into()] });
    let pong: Pong = room.push("ping", &()).await.unwrap();
    assert!(pong.pong);
    match room.push::<_, Pong>("fail", &()).await {
        Err(PushFailure::Status { status, .. }) => assert_eq!(status, "error"),
        other => panic!("expected an error status, got {other:?}"),
    }
    match room.push::<_, Pong>("echo", &Echo { n: 1, tags: vec![] }).await {
        Err(PushFailure::Decode(_)) => {}
        other => panic!("expected a decode failure, got {other:?}"),
    }
    // leaving ends the stream, after what arrived before
    let _: payloads::Empty = room.push("shout", &Shout { body: "last" }).await.unwrap();
    room.leave().await.unwrap();
    assert_eq!(room.next().await.unwrap().unwrap(), RoomEvent::Shout { body: "last".into() });
    assert!(room.next().await.is_none(), "the stream ends after leave");
    // a refused join is a status failure
    let forbidden = TypedChannel::new(&s, Room("forbidden")).unwrap();
    match forbidden.joined::<Joined>().await {
        Err(PushFailure::Status { status, .. }) => assert_eq!(status, "error"),
        other => panic!("expected a refused join, got {other:?}"),
    }
    s.disconnect();
}

/// Small payload types used above.
mod payloads {
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Debug)]
    pub struct Empty {}

    #[derive(Serialize)]
    pub struct Wrong {
        pub volume: u32,
    }
}
