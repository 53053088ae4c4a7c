//! The core behind one boundary for a JS host: inputs and mutators in, outputs out as
//! records in one buffer ([`wire`]), so the host drains them in one loop and the engine
//! never calls the host.

pub mod wire;
