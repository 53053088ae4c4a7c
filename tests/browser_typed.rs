//! Typed topics from Rust, in headless Chromium against the server of `PHX_SERVER_URL`
//! (phoenix-mock, then the real Phoenix app).
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use futures_util::StreamExt;
use phoenix_wasm::typed::{PushFailure, Topic, TypedChannel, TypedPresence};
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

const URL: &str = env!("PHX_SERVER_URL", "PHX_SERVER_URL is not set: run the browser tests through `npm test` (it starts the servers)");

fn socket(token: &str) -> Socket {
    let opts = format!(r#"{{"params":{{"token":"{token}"}}}}"#);
    let s = Socket::with_options(URL, &opts).unwrap();
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
        Err(PushFailure::Status(e)) => assert_eq!(e.status, "error"),
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
        Err(PushFailure::Status(e)) => assert_eq!(e.status, "error"),
        other => panic!("expected a refused join, got {other:?}"),
    }
    s.disconnect();
}

/// `room:*`'s presence meta on both servers.
#[derive(Deserialize, Debug)]
struct Online {
    online_at: u64,
    phx_ref: String,
}

#[wasm_bindgen_test]
async fn a_built_socket_with_typed_channel_presence_status_and_heartbeat_streams() {
    #[derive(Serialize)]
    struct Params {
        token: &'static str,
    }
    let asked = Rc::new(Cell::new(0));
    let a = asked.clone();
    let built = Socket::builder(URL)
        .params_with(move || {
            a.set(a.get() + 1);
            Params { token: "user:built" }
        })
        .timeout(Duration::from_secs(5))
        .heartbeat_interval(Duration::from_millis(100))
        .reconnect_after(|_| Duration::from_millis(50))
        .build()
        .unwrap();
    let mut statuses = built.statuses();
    let mut rtts = built.heartbeats();
    built.connect();
    assert_eq!(statuses.next().await.unwrap().name(), "connecting");
    assert_eq!(statuses.next().await.unwrap().name(), "open");
    assert_eq!(asked.get(), 1, "params asked once per connect");

    let room = built.typed_channel(Room("built")).unwrap();
    let mut presence: TypedPresence<Online> = TypedPresence::new(room.channel()).unwrap();
    let joined: Joined = room.joined().await.unwrap();
    assert_eq!(joined.joined, "room:built");
    let members = presence.next().await.unwrap().unwrap();
    assert_eq!(members.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), ["built"]);
    assert!(members[0].metas[0].online_at > 1_600_000_000 && !members[0].metas[0].phx_ref.is_empty());

    // another user joins: a later sync lists both
    let other = socket("user:other");
    let _: Joined = other.typed_channel(Room("built")).unwrap().joined().await.unwrap();
    loop {
        let keys: Vec<String> = presence.next().await.unwrap().unwrap().into_iter().map(|m| m.key).collect();
        if keys.len() == 2 {
            assert_eq!(keys, ["built", "other"]);
            break;
        }
    }
    // heartbeats every 100 ms, each round trip a stream item
    assert!(rtts.next().await.unwrap() < Duration::from_secs(5));
    assert!(rtts.next().await.unwrap() < Duration::from_secs(5));
    other.disconnect();
    built.disconnect();
    assert_eq!(statuses.next().await.unwrap().name(), "closed");

    // options that cannot be taken are errors of build, not panics
    let refused = Socket::builder(URL).params(&42).build().err().expect("params that are not an object");
    assert!(refused.message().contains("JSON object"), "{}", refused.message());
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
