//! The sans-IO protocol core: state machines that never touch the network,
//! timers or JavaScript. Time is a value passed in (`now`, in milliseconds).
//!
//! ```
//! use phoenix_wasm::core::{Config, Socket, Output, Payload, Source};
//!
//! let mut socket = Socket::new(Config::new("ws://127.0.0.1:4000/socket"));
//! let lobby = socket.channel("room:lobby", Source::json("{}"));
//! socket.connect(0);
//! let Some(Output::Connect { conn, url, .. }) = socket.poll_output() else { unreachable!() };
//! assert_eq!(url, "ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0");
//! socket.handle_open(conn, 5);
//! socket.join(lobby, None, 5).unwrap();
//! let sent: Vec<Output> = std::iter::from_fn(|| socket.poll_output()).collect();
//! assert!(sent.iter().any(|o| matches!(o, Output::Send(_))));
//! assert_eq!(socket.poll_timeout(), Some(10_005)); // the join's timeout
//! # let _ = Payload::empty();
//! ```

pub mod backoff;
pub mod channel;
pub mod endpoint;
pub mod idmap;
pub mod ids;
pub mod json;
pub mod keyindex;
pub mod message;
pub mod options;
pub mod presence;
pub mod push;
pub mod reliable;
pub mod serializer;
pub mod socket;
pub mod source;
pub mod text;
pub mod timers;

pub use backoff::Schedule;
pub use channel::{ChannelError, ChannelState, Params};
pub use source::Source;
pub use ids::{BindingRef, ChannelId, ConnId, PresenceId, PushId};
pub use presence::{Change, Entry, PresenceState, Touched};
pub use reliable::ChannelOptions;
pub use message::{Message, Payload, Reply};
pub use serializer::Frame;
pub use socket::{Config, ConnectionState, Event, Health, Output, Retry, Socket, Status};
