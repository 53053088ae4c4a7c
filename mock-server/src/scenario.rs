//! Scenario data and rates for the overlay channels. Built-in defaults; a JSON file
//! given with `--scenario FILE` overrides any subset (see mock-server/README.md).

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Scenario {
    pub obs: Obs,
    pub twitch: Twitch,
    pub system: System,
    pub stream: Stream,
    pub dashboard: Dashboard,
    pub chat: Chat,
    pub lobby: Lobby,
    pub comments: Comments,
    pub events: Events,
    pub reliable: ReliableCfg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ReliableCfg {
    /// Events each `reliable:*` topic keeps for replay.
    pub buffer: usize,
}

impl Default for ReliableCfg {
    fn default() -> Self {
        ReliableCfg { buffer: 1000 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Obs {
    pub scenes: Vec<String>,
    /// Every this many ms the current scene changes (an `obs_event`).
    pub scene_interval_ms: u64,
    pub streaming: bool,
    pub recording: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Twitch {
    pub users: Vec<String>,
    pub event_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct System {
    pub health_percentage: f64,
    pub services: Vec<Value>,
    pub interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Stream {
    /// Items the omnibar rotates through.
    pub queue: Vec<String>,
    pub rotate_ms: u64,
    /// Longest `force_content` duration accepted, in seconds.
    pub max_force_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Dashboard {
    pub interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Chat {
    /// `user_typing` stops by itself after this long without `typing_stop`.
    pub typing_timeout_ms: u64,
    pub max_message_length: usize,
    /// A viewer ("chatbot") types for 1.5 s, then says one of `lines`, in every chat room
    /// with members, this often (0: never).
    pub bot_interval_ms: u64,
    pub lines: Vec<String>,
}

/// Shouts in `room:lobby` by themselves, so the lobby overlay is never empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Lobby {
    pub shout_interval_ms: u64,
    pub users: Vec<String>,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Comments {
    /// Comments allowed per user per second; beyond: `error {reason: "rate_limit"}`.
    pub per_user_per_second: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Events {
    /// Events generated per second on each `events:*` channel.
    pub rate_per_second: u32,
    /// A `batch_updates` push carries at most this many events…
    pub batch_max: usize,
    /// …or whatever accumulated in this many ms.
    pub batch_ms: u64,
}

impl Default for Obs {
    fn default() -> Self {
        Obs {
            scenes: ["Starting Soon", "Just Chatting", "Gameplay", "Be Right Back", "Ending"].map(String::from).to_vec(),
            scene_interval_ms: 6_000,
            streaming: true,
            recording: false,
        }
    }
}

impl Default for Twitch {
    fn default() -> Self {
        Twitch { users: ["ada", "grace", "linus", "margaret", "ken"].map(String::from).to_vec(), event_interval_ms: 4_000 }
    }
}

impl Default for System {
    fn default() -> Self {
        System {
            health_percentage: 98.5,
            services: vec![
                serde_json::json!({"name": "obs", "status": "healthy"}),
                serde_json::json!({"name": "twitch", "status": "healthy"}),
                serde_json::json!({"name": "database", "status": "healthy"}),
            ],
            interval_ms: 5_000,
        }
    }
}

impl Default for Stream {
    fn default() -> Self {
        Stream {
            queue: ["Follow for more streams!", "Next stream: Friday 19:00", "Thanks to our sponsors"].map(String::from).to_vec(),
            rotate_ms: 8_000,
            max_force_seconds: 600,
        }
    }
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard { interval_ms: 2_000 }
    }
}

impl Default for Chat {
    fn default() -> Self {
        Chat {
            typing_timeout_ms: 3_000,
            max_message_length: 500,
            bot_interval_ms: 6_000,
            lines: ["gg!", "that was close", "hi from the chat", "what game is next?", "PogChamp"].map(String::from).to_vec(),
        }
    }
}

impl Default for Lobby {
    fn default() -> Self {
        Lobby {
            shout_interval_ms: 4_000,
            users: ["ada", "grace", "linus"].map(String::from).to_vec(),
            lines: ["hello, lobby!", "stream starts in 5", "who else is here?", "nice overlay"].map(String::from).to_vec(),
        }
    }
}

impl Default for Comments {
    fn default() -> Self {
        Comments { per_user_per_second: 1 }
    }
}

impl Default for Events {
    fn default() -> Self {
        Events { rate_per_second: 20, batch_max: 50, batch_ms: 100 }
    }
}

impl Scenario {
    /// Reads a scenario file; a missing field keeps its default.
    pub fn load(path: &str) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read scenario {path}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("invalid scenario {path}: {e}"))
    }
}
