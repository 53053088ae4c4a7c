//! # phoenix-wasm
//!
//! A Phoenix Channels client (Socket, Channel, Push) for the browser, written in
//! Rust and compiled to WebAssembly, with the JavaScript API of phoenix.js.
//!
//! Two layers:
//! - [`core`]: the sans-IO protocol state machines (serializer, socket, channels,
//!   pushes, heartbeat, backoff). Native Rust, deterministic, tested with a virtual clock.
//! - `web` (wasm32 only): the thin shell that moves frames and timers between the
//!   browser's `WebSocket`/`setTimeout` and the core, and exposes the JS classes.
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
