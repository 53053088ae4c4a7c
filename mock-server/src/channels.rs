//! The overlay channels the demo overlays use (the seeds' topics), with live data
//! from the scenario: `overlay:obs`, `overlay:twitch`, `overlay:system`,
//! `stream:overlays`, `stream:queue`, `dashboard:<room>`, `chat:room:<id>`,
//! `comments:stream:<id>`, `events:*`. Every one answers `ping` with
//! `{pong: true, timestamp, ...payload}`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use phoenix_wasm::core::{Message, Payload};
use serde_json::{json, Map, Value};

use crate::conn::Session;
use crate::hub::{msg, now_ms, Hub};

/// What a topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Room,
    PresenceRoom,
    Obs,
    Twitch,
    System,
    StreamOverlays,
    StreamQueue,
    Dashboard,
    Chat,
    Comments,
    Events,
    Reliable,
}

impl Kind {
    /// The kind of `topic`, if the server serves it.
    pub fn of(topic: &str) -> Option<Kind> {
        let after = |prefix: &str| topic.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty());
        Some(match topic {
            "overlay:obs" => Kind::Obs,
            "overlay:twitch" => Kind::Twitch,
            "overlay:system" => Kind::System,
            "stream:overlays" => Kind::StreamOverlays,
            "stream:queue" => Kind::StreamQueue,
            _ if after("room:") => Kind::Room,
            _ if after("presence:room:") => Kind::PresenceRoom,
            _ if after("dashboard:") => Kind::Dashboard,
            _ if after("chat:room:") => Kind::Chat,
            _ if after("comments:stream:") => Kind::Comments,
            _ if after("events:") => Kind::Events,
            _ if after("reliable:") => Kind::Reliable,
            _ => return None,
        })
    }
}

/// A `force_content` takeover.
#[derive(Debug, Clone)]
pub struct Forced {
    pub content: String,
    pub kind: String,
    pub until: Instant,
    pub until_ms: u64,
}

/// State shared by every connection.
#[derive(Debug, Default)]
pub struct Shared {
    pub obs_scene: usize,
    pub rotation: usize,
    pub forced: Option<Forced>,
    pub extra_queue: Vec<String>,
    pub next_id: u64,
    /// (topic, user) -> generation of the last `typing_start`
    pub typing: HashMap<(String, String), u64>,
    /// (topic, user) -> times of recent comments
    pub comments: HashMap<(String, String), Vec<Instant>>,
    pub event_seq: u64,
    /// how many lobby shouts and chatbot lines went out (picks the next line)
    pub bot_lines: usize,
}

fn stream_state(hub: &Hub) -> Value {
    let sc = &hub.scenario.stream;
    let sh = hub.shared();
    let mut queue = sc.queue.clone();
    queue.extend(sh.extra_queue.iter().cloned());
    let rotating = if queue.is_empty() { Value::Null } else { json!(queue[sh.rotation % queue.len()]) };
    let forced = sh.forced.as_ref().filter(|f| f.until > Instant::now());
    let current = match forced {
        Some(f) => json!({"type": f.kind, "content": f.content, "forced": true, "until": f.until_ms}),
        None => json!({"type": "rotation", "content": rotating, "forced": false}),
    };
    json!({"current": current, "queue": queue, "timestamp": now_ms()})
}

fn broadcast_stream_state(hub: &Hub) {
    let state = Payload::Json(stream_state(hub).to_string());
    for topic in ["stream:overlays", "stream:queue"] {
        hub.broadcast(topic, "stream_state", state.clone());
    }
}

fn obs_state(hub: &Hub) -> Value {
    let sc = &hub.scenario.obs;
    let scene = sc.scenes.get(hub.shared().obs_scene % sc.scenes.len().max(1)).cloned().unwrap_or_default();
    json!({"scene": scene, "scenes": sc.scenes, "streaming": sc.streaming, "recording": sc.recording, "timestamp": now_ms()})
}

fn set_scene(hub: &Hub, index: usize) {
    let scenes = &hub.scenario.obs.scenes;
    if scenes.is_empty() {
        return;
    }
    let previous = {
        let mut sh = hub.shared();
        let prev = scenes[sh.obs_scene % scenes.len()].clone();
        sh.obs_scene = index % scenes.len();
        prev
    };
    let scene = &scenes[index % scenes.len()];
    let event = json!({"type": "scene_changed", "data": {"scene": scene, "previous": previous}, "timestamp": now_ms()});
    hub.broadcast("overlay:obs", "obs_event", Payload::Json(event.to_string()));
}

fn system_status(hub: &Hub) -> Value {
    let sc = &hub.scenario.system;
    let wobble = (now_ms() / 1000 % 7) as f64 * 0.1;
    let health = (sc.health_percentage - wobble).clamp(0.0, 100.0);
    let up = sc.services.iter().filter(|s| s["status"] == "healthy").count();
    json!({"summary": {"health_percentage": (health * 10.0).round() / 10.0, "services_up": up, "services_total": sc.services.len()},
           "services": sc.services, "timestamp": now_ms()})
}

fn next_bot_line(hub: &Hub) -> usize {
    let mut sh = hub.shared();
    sh.bot_lines += 1;
    sh.bot_lines
}

fn next_id(hub: &Hub) -> u64 {
    let mut sh = hub.shared();
    sh.next_id += 1;
    sh.next_id
}

fn object(m: &Message) -> Map<String, Value> {
    m.payload.as_json().and_then(|p| serde_json::from_str::<Value>(p).ok()).and_then(|v| v.as_object().cloned()).unwrap_or_default()
}

fn text(payload: &Map<String, Value>, key: &str) -> Option<String> {
    payload.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl Session {
    /// After a successful join of an overlay channel: its initial push, if any.
    pub fn scenario_joined(&mut self, kind: Kind, topic: &str, join_ref: &str) {
        let initial = match kind {
            Kind::Obs => Some(("initial_state", obs_state(&self.hub))),
            Kind::System => Some(("system_status", system_status(&self.hub))),
            Kind::StreamOverlays | Kind::StreamQueue => Some(("stream_state", stream_state(&self.hub))),
            _ => None,
        };
        if let Some((event, payload)) = initial {
            self.push(&msg(Some(join_ref), None, topic, event, payload));
        }
    }

    /// A push on an overlay channel.
    pub fn scenario_event(&mut self, kind: Kind, m: &Message) {
        let payload = object(m);
        if m.event == "ping" {
            let mut reply = payload.clone();
            reply.insert("pong".into(), json!(true));
            reply.insert("timestamp".into(), json!(now_ms()));
            return self.reply(m, "ok", Value::Object(reply));
        }
        let hub = self.hub.clone();
        match (kind, m.event.as_str()) {
            (Kind::Obs, "obs:status") => {
                let s = obs_state(&hub);
                self.reply(m, "ok", json!({"scene": s["scene"], "streaming": s["streaming"], "recording": s["recording"]}))
            }
            (Kind::Obs, "obs:scenes") => {
                let s = obs_state(&hub);
                self.reply(m, "ok", json!({"scenes": s["scenes"], "current": s["scene"]}))
            }
            (Kind::Obs, "obs:set_scene") => match text(&payload, "scene").and_then(|s| hub.scenario.obs.scenes.iter().position(|x| *x == s)) {
                Some(i) => {
                    set_scene(&hub, i);
                    self.reply(m, "ok", json!({"scene": hub.scenario.obs.scenes[i]}))
                }
                None => self.reply(m, "error", json!({"message": "unknown scene"})),
            },
            (Kind::System, "system:status") => self.reply(m, "ok", system_status(&hub)),
            (Kind::StreamOverlays | Kind::StreamQueue, "request_state") => self.reply(m, "ok", stream_state(&hub)),
            (Kind::StreamOverlays | Kind::StreamQueue, "force_content") => {
                let Some(content) = text(&payload, "content") else {
                    return self.reply(m, "error", json!({"message": "content is required"}));
                };
                let max = hub.scenario.stream.max_force_seconds;
                let duration = payload.get("duration").and_then(Value::as_u64).unwrap_or(10);
                if duration == 0 || duration > max {
                    return self.reply(m, "error", json!({"message": format!("duration must be 1..{max} seconds")}));
                }
                let kind = text(&payload, "type").unwrap_or_else(|| "announcement".into());
                let until_ms = now_ms() + duration * 1000;
                hub.shared().forced = Some(Forced { content: content.clone(), kind, until: Instant::now() + Duration::from_secs(duration), until_ms });
                broadcast_stream_state(&hub);
                let revert = hub.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(duration)).await;
                    let expired = {
                        let mut sh = revert.shared();
                        let done = sh.forced.as_ref().is_some_and(|f| f.until <= Instant::now());
                        if done {
                            sh.forced = None;
                        }
                        done
                    };
                    if expired {
                        broadcast_stream_state(&revert);
                    }
                });
                self.reply(m, "ok", json!({"forced": content, "duration": duration, "until": until_ms}))
            }
            (Kind::StreamQueue, "enqueue") => match text(&payload, "content") {
                Some(content) => {
                    hub.shared().extra_queue.push(content);
                    broadcast_stream_state(&hub);
                    self.reply(m, "ok", json!({"queued": true}))
                }
                None => self.reply(m, "error", json!({"message": "content is required"})),
            },
            (Kind::Reliable, "publish") => {
                let data = payload.get("data").cloned().unwrap_or(Value::Null);
                let seq = hub.publish_reliable(&m.topic, "event", data, hub.scenario.reliable.buffer);
                self.reply(m, "ok", json!({"seq": seq}))
            }
            (Kind::Reliable, "ack") => match payload.get("sequence_number").and_then(Value::as_u64) {
                Some(seq) => {
                    hub.ack_reliable(&m.topic, &self.user, seq);
                    self.reply(m, "ok", json!({}))
                }
                None => self.reply(m, "error", json!({"message": "sequence_number is required"})),
            },
            (Kind::Dashboard, "dashboard:stats") => self.reply(m, "ok", dashboard_stats(&m.topic)),
            (Kind::Chat, "new_message") => {
                let max = hub.scenario.chat.max_message_length;
                match text(&payload, "body") {
                    Some(body) if body.chars().count() <= max => {
                        let id = next_id(&hub);
                        let message = json!({"id": id.to_string(), "user": self.user, "body": body, "timestamp": now_ms()});
                        hub.broadcast(&m.topic, "new_message", Payload::Json(message.to_string()));
                        self.stop_typing(&m.topic);
                        self.reply(m, "ok", json!({"id": id.to_string()}))
                    }
                    Some(_) => self.reply(m, "error", json!({"message": format!("message longer than {max} characters")})),
                    None => self.reply(m, "error", json!({"message": "body is required"})),
                }
            }
            (Kind::Chat, "typing_start") => {
                let generation = next_id(&hub);
                hub.shared().typing.insert((m.topic.clone(), self.user.clone()), generation);
                hub.broadcast(&m.topic, "user_typing", Payload::Json(json!({"user": self.user, "typing": true}).to_string()));
                let (topic, user, after) = (m.topic.clone(), self.user.clone(), hub.scenario.chat.typing_timeout_ms);
                let hub2 = hub.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(after)).await;
                    let key = (topic.clone(), user.clone());
                    let current = hub2.shared().typing.get(&key) == Some(&generation);
                    if current {
                        hub2.shared().typing.remove(&key);
                        hub2.broadcast(&topic, "user_typing", Payload::Json(json!({"user": user, "typing": false}).to_string()));
                    }
                });
                self.reply(m, "ok", json!({}))
            }
            (Kind::Chat, "typing_stop") => {
                self.stop_typing(&m.topic);
                self.reply(m, "ok", json!({}))
            }
            (Kind::Comments, "new_comment") => {
                let Some(body) = text(&payload, "body") else {
                    return self.reply(m, "error", json!({"message": "body is required"}));
                };
                let limit = hub.scenario.comments.per_user_per_second as usize;
                let allowed = {
                    let mut sh = hub.shared();
                    let times = sh.comments.entry((m.topic.clone(), self.user.clone())).or_default();
                    times.retain(|t| t.elapsed() < Duration::from_secs(1));
                    let ok = times.len() < limit;
                    if ok {
                        times.push(Instant::now());
                    }
                    ok
                };
                if !allowed {
                    return self.reply(m, "error", json!({"reason": "rate_limit"}));
                }
                let id = next_id(&hub);
                let comment = json!({"id": id.to_string(), "user": self.user, "body": body, "timestamp": now_ms()});
                hub.broadcast(&m.topic, "new_comment", Payload::Json(comment.to_string()));
                self.reply(m, "ok", json!({"id": id.to_string()}))
            }
            _ => self.reply(m, "error", json!({"reason": "unknown event"})),
        }
    }

    fn stop_typing(&self, topic: &str) {
        let was = self.hub.shared().typing.remove(&(topic.to_owned(), self.user.clone())).is_some();
        if was {
            self.hub.broadcast(topic, "user_typing", Payload::Json(json!({"user": self.user, "typing": false}).to_string()));
        }
    }
}

fn dashboard_stats(topic: &str) -> Value {
    let t = now_ms();
    let room = topic.trim_start_matches("dashboard:");
    json!({"room": room, "viewers": 1200 + t / 1000 % 97, "followers": 52_000 + t / 60_000 % 1000, "uptime_s": t / 1000 % 86_400, "timestamp": t})
}

/// Starts the periodic sources: OBS scene changes, omnibar rotation, Twitch events,
/// system status, dashboard stats and `events:*` batches.
pub fn start_tickers(hub: &Hub) {
    let every = |ms: u64, hub: Hub, f: fn(&Hub)| {
        if ms == 0 {
            return;
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(ms));
            tick.tick().await;
            loop {
                tick.tick().await;
                f(&hub);
            }
        });
    };
    let sc = hub.scenario.clone();
    every(sc.obs.scene_interval_ms, hub.clone(), |hub| {
        let next = hub.shared().obs_scene + 1;
        set_scene(hub, next);
    });
    every(sc.stream.rotate_ms, hub.clone(), |hub| {
        hub.shared().rotation += 1;
        broadcast_stream_state(hub);
    });
    every(sc.lobby.shout_interval_ms, hub.clone(), |hub| {
        let (lobby, n) = (&hub.scenario.lobby, next_bot_line(hub));
        let (Some(from), Some(body)) = (lobby.users.get(n % lobby.users.len().max(1)), lobby.lines.get(n % lobby.lines.len().max(1))) else {
            return;
        };
        hub.broadcast("room:lobby", "shout", Payload::Json(json!({"from": from, "body": body}).to_string()));
    });
    every(sc.chat.bot_interval_ms, hub.clone(), |hub| {
        let n = next_bot_line(hub);
        let Some(line) = hub.scenario.chat.lines.get(n % hub.scenario.chat.lines.len().max(1)).cloned() else {
            return;
        };
        for topic in hub.topics_with_prefix("chat:room:") {
            hub.broadcast(&topic, "user_typing", Payload::Json(json!({"user": "chatbot", "typing": true}).to_string()));
            let (hub, line) = (hub.clone(), line.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1_500)).await;
                let id = next_id(&hub);
                let message = json!({"id": id.to_string(), "user": "chatbot", "body": line, "timestamp": now_ms()});
                hub.broadcast(&topic, "new_message", Payload::Json(message.to_string()));
                hub.broadcast(&topic, "user_typing", Payload::Json(json!({"user": "chatbot", "typing": false}).to_string()));
            });
        }
    });
    every(sc.twitch.event_interval_ms, hub.clone(), |hub| {
        let users = &hub.scenario.twitch.users;
        let n = next_id(hub) as usize;
        let user = users.get(n % users.len().max(1)).cloned().unwrap_or_else(|| "viewer".into());
        let (kind, data) = match n % 3 {
            0 => ("follow", json!({"user": user})),
            1 => ("subscription", json!({"user": user, "tier": 1 + n % 3, "months": n % 24})),
            _ => ("cheer", json!({"user": user, "bits": 100 * (1 + n % 10)})),
        };
        let event = json!({"type": kind, "data": data, "timestamp": now_ms()});
        hub.broadcast("overlay:twitch", "twitch_event", Payload::Json(event.to_string()));
    });
    every(sc.system.interval_ms, hub.clone(), |hub| {
        hub.broadcast("overlay:system", "system_status", Payload::Json(system_status(hub).to_string()));
    });
    every(sc.dashboard.interval_ms, hub.clone(), |hub| {
        for topic in hub.topics_with_prefix("dashboard:") {
            hub.broadcast(&topic, "dashboard_update", Payload::Json(dashboard_stats(&topic).to_string()));
        }
    });
    every(sc.events.batch_ms, hub.clone(), |hub| {
        let ev = &hub.scenario.events;
        let per_tick = ((ev.rate_per_second as u64 * ev.batch_ms).div_ceil(1000)).max(1) as usize;
        for topic in hub.topics_with_prefix("events:") {
            let events: Vec<Value> = (0..per_tick)
                .map(|i| {
                    let seq = {
                        let mut sh = hub.shared();
                        sh.event_seq += 1;
                        sh.event_seq
                    };
                    json!({"id": seq, "type": "tick", "value": (seq * 37 + i as u64) % 100, "timestamp": now_ms()})
                })
                .collect();
            for chunk in events.chunks(ev.batch_max.max(1)) {
                hub.broadcast(&topic, "batch_updates", Payload::Json(json!({"events": chunk}).to_string()));
            }
        }
    });
}
