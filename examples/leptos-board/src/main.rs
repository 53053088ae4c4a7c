//! A stream overlay in Leptos over phoenix-wasm's Rust API: who is in a presence room
//! (with their tabs and away status) and the lobby's latest shouts, with the connection's
//! state. `?room=<id>&token=user:<name>`; served as `/leptos/` by phoenix-mock and the
//! Phoenix app (`npm run build` builds it into `www/leptos/`).

use std::time::Duration;

use futures_util::StreamExt;
use leptos::prelude::*;
use leptos::task::spawn_local;
use phoenix_wasm::typed::{Member, NoEvents, Topic, TypedPresence};
use phoenix_wasm::web::{Socket, Status};
use serde::{Deserialize, Serialize};

/// `presence:room:<id>`: presence only (the metas are [`Meta`]), so its events are
/// [`NoEvents`].
struct Room(String);

impl Topic for Room {
    type Event = NoEvents;
    fn topic(&self) -> String {
        format!("presence:room:{}", self.0)
    }
}

/// One tab's presence meta.
#[derive(Deserialize, Clone)]
struct Meta {
    #[serde(default)]
    status: Option<String>,
}

/// `room:lobby`: shouts (the server's bots shout too).
struct Lobby;

#[derive(Deserialize)]
#[serde(tag = "event", content = "payload", rename_all = "snake_case")]
enum LobbyEvent {
    Shout { from: Option<String>, body: String },
}

impl Topic for Lobby {
    type Event = LobbyEvent; // listens to its variants' events: `shout`
    fn topic(&self) -> String {
        "room:lobby".into()
    }
}

#[derive(Serialize)]
struct Params {
    token: String,
}

/// A row of the board: the key, how many tabs, whether every tab is away (all three are
/// the row's key in the view: a row whose tabs or status change is drawn anew).
#[derive(Clone, PartialEq)]
struct Row {
    key: String,
    tabs: usize,
    away: bool,
}

fn rows(members: Vec<Member<Meta>>) -> Vec<Row> {
    let away = |m: &Member<Meta>| m.metas.iter().all(|meta| meta.status.as_deref() == Some("away"));
    members.into_iter().map(|m| Row { away: away(&m), tabs: m.metas.len(), key: m.key }).collect()
}

/// The status pill's class and text.
fn pill(status: &Status) -> (&'static str, String) {
    match status {
        Status::Open => ("connected", "connected".to_owned()),
        Status::Reconnecting { delay, .. } => ("reconnecting", format!("reconnecting in {}s", delay.as_millis().div_ceil(1000))),
        Status::Connecting => ("connecting", "connecting…".to_owned()),
        Status::Closed { .. } => ("closed", "offline".to_owned()),
    }
}

/// A query parameter of the page's URL.
fn query(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.replace("%3A", ":").replace("%3a", ":"))
    })
}

#[component]
fn Board(room: String, token: String) -> impl IntoView {
    let (status, set_status) = signal(pill(&Status::Connecting));
    let (members, set_members) = signal(Vec::<Row>::new());
    let (shouts, set_shouts) = signal(Vec::<(usize, String, String)>::new());
    let (error, set_error) = signal(None::<String>);

    let location = window().location();
    let scheme = if location.protocol().as_deref() == Ok("https:") { "wss" } else { "ws" };
    let host = location.host().unwrap_or_default();
    let socket = Socket::builder(&format!("{scheme}://{host}/socket"))
        .params_with(move || Params { token: token.clone() })
        .reconnect_after(|tries| Duration::from_millis([250, 500, 1_000, 2_000][(tries as usize).clamp(1, 4) - 1]))
        .build()
        .expect("the options are valid");
    let mut statuses = socket.statuses();
    socket.connect();
    spawn_local(async move {
        while let Some(s) = statuses.next().await {
            set_status.set(pill(&s));
        }
    });

    let board = socket.typed_channel(Room(room)).expect("a new channel");
    let mut presence: TypedPresence<Meta> = TypedPresence::new(board.channel()).expect("a new channel");
    spawn_local(async move {
        // the channel rejoins by itself after drops and restarts; this waits for the first join
        if let Err(e) = board.joined::<serde::de::IgnoredAny>().await {
            set_error.set(Some(e.to_string()));
        }
        while let Some(list) = presence.next().await {
            match list {
                Ok(list) => set_members.set(rows(list)),
                Err(e) => set_error.set(Some(e.to_string())),
            }
        }
        drop(board); // held until here: the board's channel lives as long as the page
    });

    let mut lobby = socket.typed_channel(Lobby).expect("a new channel");
    spawn_local(async move {
        let _ = lobby.join();
        let mut n = 0;
        while let Some(event) = lobby.next().await {
            if let Ok(LobbyEvent::Shout { from, body }) = event {
                n += 1;
                set_shouts.update(|s| {
                    s.push((n, from.unwrap_or_else(|| "?".into()), body));
                    let extra = s.len().saturating_sub(5);
                    s.drain(..extra);
                });
            }
        }
    });

    view! {
        <div id="status" class=move || status.get().0>{move || status.get().1}</div>
        <section id="board">
            <h2>"In the room"</h2>
            <ul id="members">
                <For each=move || members.get() key=|r| (r.key.clone(), r.tabs, r.away) children=move |r: Row| {
                    view! {
                        <li class=if r.away { "away" } else { "online" }>
                            <b>{r.key.clone()}</b>
                            {(r.tabs > 1).then(|| view! { <i>{format!(" ×{}", r.tabs)}</i> })}
                        </li>
                    }
                } />
            </ul>
            <p id="error">{move || error.get()}</p>
        </section>
        <section id="lobby">
            <h2>"Lobby"</h2>
            <ul id="shouts">
                <For each=move || shouts.get() key=|s| s.0 children=move |(_, from, body)| {
                    view! { <li class="shout"><b>{from}</b>" "{body}</li> }
                } />
            </ul>
        </section>
    }
}

fn main() {
    let room = query("room").unwrap_or_else(|| "lobby".into());
    let token = query("token").unwrap_or_else(|| "user:viewer".into());
    mount_to_body(move || view! { <Board room=room token=token /> });
}
