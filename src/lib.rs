//! # phoenix-wasm
//!
//! A Phoenix Channels client (Socket, Channel, Push, Presence) for the browser, written
//! in Rust and compiled to WebAssembly: an npm package with the JavaScript API of
//! phoenix.js, and a Rust API.
//!
//! - [`core`]: the sans-IO protocol state machines (serializer, socket, channels,
//!   pushes, presence, heartbeat, backoff). Native Rust, deterministic, tested with a
//!   virtual clock.
//! - `web` (wasm32, feature `web`): the Rust API, a driver over the core with web-sys;
//!   `typed`: typed topics over it.
//! - [`engine`]: the core behind one wasm export, driven by the npm package's JS.
#![warn(missing_docs)]

pub mod core;

/// The JS package's engine: the core behind one wasm export, its outputs drained as
/// records ([`engine::wire`]) by the JS driver.
pub mod engine;

#[cfg_attr(not(all(target_arch = "wasm32", feature = "heap", not(target_feature = "atomics"))), allow(dead_code))]
mod heap;

#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod web;

#[cfg(all(target_arch = "wasm32", feature = "web"))]
pub mod typed;

// the event names' probe is plain serde: tested natively too
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "typed/events.rs"]
mod typed_events;

/// The README's Rust snippets, compiled as doctests for wasm32 (`npm test`).
#[cfg(all(doctest, target_arch = "wasm32", feature = "web"))]
#[doc = include_str!("../README.md")]
pub struct Readme;
