//! The core behind one boundary for a JS host: inputs and mutators in, outputs out as
//! records in one buffer (`wire`), so the host drains them in one loop and the engine
//! never calls the host (a user's callback that uses the socket runs after the call that
//! caused it has returned: nothing is re-entered).
//!
//! The host drains the outputs after each call (`Engine::drain`) and reads the records
//! in place, in the module's memory, where `Engine::view` says they are. Times are the
//! host's clock in ms (`now`).

pub mod wire;

#[cfg(all(target_arch = "wasm32", feature = "engine"))]
pub use export::Engine;

#[cfg(all(target_arch = "wasm32", feature = "engine"))]
mod export {
    use wasm_bindgen::prelude::*;

    use super::wire::{Wire, NONE};
    use crate::core::message::Payload;
    use crate::core::{
        BindingRef, ChannelId, ChannelOptions, Config, ConnId, Event, Frame, Message, Output,
        PresenceId, Retry, Socket, Source,
    };

    /// `Presence.syncState` (`diff` false) or `syncDiff` (`diff` true) over JSON text:
    /// `[newState, changes]` as JSON, `changes` the joins and leaves when `report`
    /// (`[[kind, key, current, presences], …]`), else `[]`.
    #[wasm_bindgen(js_name = presenceSync)]
    pub fn presence_sync(state: &str, update: &str, diff: bool, report: bool) -> Result<String, String> {
        use crate::core::presence::{changes_json, PresenceState};
        let invalid = |what: &str, e: crate::core::json::JsonError| crate::core::text::cat(&["invalid presence ", what, ": ", &e.message()]);
        let mut s = PresenceState::from_json(state).map_err(|e| invalid("state", e))?;
        s.set_reporting(report);
        let mut changes = Vec::new();
        match diff {
            true => s.sync_diff(update, &mut changes).map_err(|e| invalid("diff", e))?,
            false => s.sync_state(update, &mut changes).map_err(|e| invalid("state", e))?,
        }
        let changes = if changes.is_empty() { "[]".to_owned() } else { changes_json(&changes) };
        Ok(crate::core::text::cat(&["[", &s.to_json(), ",", &changes, "]"]))
    }

    /// phoenix.js `Serializer.encode` (`js/serializer.js`): a message as a V2 frame, JSON
    /// text (`payload`: JSON text) or an `ArrayBuffer` (`bytes`: a binary push frame).
    #[wasm_bindgen(js_name = encodeFrame)]
    pub fn encode_frame(
        join_ref: Option<String>,
        msg_ref: Option<String>,
        topic: &str,
        event: &str,
        payload: Option<String>,
        bytes: Option<Vec<u8>>,
    ) -> Result<JsValue, String> {
        use crate::core::serializer::encode_fields;
        let payload = payload_of(payload, bytes);
        match encode_fields(join_ref.as_deref(), msg_ref.as_deref(), topic, event, &payload).map_err(|e| e.message())? {
            Frame::Text(t) => Ok(t.into()),
            Frame::Binary(b) => Ok(js_sys::Uint8Array::from(&b[..]).buffer().into()),
        }
    }

    /// phoenix.js `Serializer.decode`: a V2 frame from the server (`text`, or `bytes`) as
    /// `[joinRef, ref, topic, event, payload]`, the payload JSON text, an `ArrayBuffer`, or
    /// for a binary reply `[status, ArrayBuffer]`; a malformed frame throws why.
    #[wasm_bindgen(js_name = decodeFrame)]
    pub fn decode_frame(text: Option<String>, bytes: Option<Vec<u8>>) -> Result<js_sys::Array, String> {
        use crate::core::serializer::decode;
        let frame = match (text, bytes) {
            (_, Some(b)) => Frame::Binary(b),
            (t, None) => Frame::Text(t.unwrap_or_default()),
        };
        let m = decode(&frame).map_err(|e| e.message())?;
        let buffer = |b: &[u8]| JsValue::from(js_sys::Uint8Array::from(b).buffer());
        let payload = match &m.payload {
            Payload::Json(t) => JsValue::from_str(t),
            Payload::Binary(b) => buffer(b),
            Payload::Reply { status, response } => js_sys::Array::of2(&JsValue::from_str(status), &buffer(response)).into(),
        };
        let opt = |s: &Option<String>| s.as_deref().map_or(JsValue::NULL, JsValue::from_str);
        let fields = [opt(&m.join_ref), opt(&m.msg_ref), JsValue::from_str(&m.topic), JsValue::from_str(&m.event), payload];
        Ok(fields.iter().collect())
    }

    /// The module's `WebAssembly.Memory`, where the host reads an engine's records.
    #[wasm_bindgen(js_name = wasmMemory)]
    pub fn wasm_memory() -> JsValue {
        wasm_bindgen::memory()
    }

    /// Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks).
    #[wasm_bindgen(js_name = wasmMemoryBytes)]
    pub fn wasm_memory_bytes() -> f64 {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }

    /// The sans-IO socket for the JS driver (`js/socket.js`).
    #[wasm_bindgen]
    pub struct Engine {
        core: Socket,
        /// The records of the last drain, read by the host in place until the next one.
        wire: Wire,
        /// Where they are, for the host: see [`Engine::view`].
        view: [f64; 4],
        /// Whether the next drain starts with a `status` record ([`Engine::status`]).
        status_asked: bool,
    }

    fn ms(now: f64) -> u64 {
        now as u64
    }

    /// A timeout argument: negative for the socket's default.
    fn timeout(t: f64) -> Option<u64> {
        (t >= 0.0).then_some(t as u64)
    }

    /// A payload from the host: `bytes` when given, else JSON text (`{}` when none).
    fn payload_of(text: Option<String>, bytes: Option<Vec<u8>>) -> Payload {
        match (text, bytes) {
            (_, Some(b)) => Payload::Binary(b),
            (t, None) => Payload::Json(t.unwrap_or_else(|| "{}".to_owned())),
        }
    }

    #[wasm_bindgen]
    impl Engine {
        /// A socket for `endpoint` with the named options `options` (JSON,
        /// `core::options`); throws a message naming a wrong option.
        #[wasm_bindgen(constructor)]
        pub fn new(endpoint: &str, options: &str) -> Result<Engine, String> {
            Ok(Engine {
                core: Socket::new(Config::from_options(endpoint, options)?),
                wire: Wire::default(),
                view: [0.0, 0.0, 0.0, -1.0],
                status_asked: false,
            })
        }

        /// Every output pending since the last drain, as records in place of the last
        /// drain's (which the host is done with): the number of their words (0: none).
        /// Outputs that calls made while the host read them produced wait for the next
        /// drain. [`Engine::view`] then says where the records are and the next deadline.
        pub fn drain(&mut self) -> u32 {
            self.wire.words.clear();
            self.wire.bytes.clear();
            if std::mem::take(&mut self.status_asked) {
                self.wire.output(Output::Event(Event::Status(self.core.status().clone())));
            }
            while let Some(out) = self.core.poll_output() {
                self.wire.output(out);
            }
            let deadline = self.core.poll_timeout().map_or(-1.0, |t| t as f64);
            // the records are written: the frame they may point into is the host's now
            self.wire.frame = String::new();
            let (words, bytes) = (&self.wire.words, &self.wire.bytes);
            self.view = [words.as_ptr() as usize as f64, words.len() as f64, bytes.as_ptr() as usize as f64, deadline];
            words.len() as u32
        }

        /// The address, in the module's memory (`wasmMemory()`), of four `f64`s the last
        /// [`Engine::drain`] wrote: its records' words (address, count; `u32`s), the
        /// address of their text and bytes, and the next deadline (-1 for none). The
        /// address does not change for the engine's lifetime.
        pub fn view(&self) -> u32 {
            self.view.as_ptr() as usize as u32
        }

        // ---------------------------------------------------------------- inputs

        /// The deadline passed.
        pub fn timeout(&mut self, now: f64) {
            self.core.handle_timeout(ms(now));
        }

        /// Transport `conn` opened.
        pub fn opened(&mut self, conn: u32, now: f64) {
            self.core.handle_open(ConnId(conn), ms(now));
        }

        /// A text frame on `conn`. It is kept until the next drain, whose records may
        /// point into it (a payload that is a span of it: see `wire`).
        pub fn text(&mut self, conn: u32, frame: String, now: f64) {
            let frame = Frame::Text(frame);
            self.core.handle_frame(ConnId(conn), &frame, ms(now));
            if let Frame::Text(text) = frame {
                self.wire.frame = text;
            }
        }

        /// A binary frame on `conn`.
        pub fn binary(&mut self, conn: u32, frame: Vec<u8>, now: f64) {
            self.core
                .handle_frame(ConnId(conn), &Frame::Binary(frame), ms(now));
        }

        /// A message the application's `decode` made (`payload` JSON text, or `bytes`).
        #[allow(clippy::too_many_arguments)]
        pub fn decoded(
            &mut self,
            conn: u32,
            join_ref: Option<String>,
            msg_ref: Option<String>,
            topic: String,
            event: String,
            payload: Option<String>,
            bytes: Option<Vec<u8>>,
            now: f64,
        ) {
            let payload = payload_of(payload, bytes);
            let msg = Message { join_ref, msg_ref, topic, event, payload };
            self.core.handle_decoded(ConnId(conn), msg, ms(now));
        }

        /// A transport error on `conn`.
        pub fn error(&mut self, conn: u32, reason: &str, now: f64) {
            self.core.handle_error(ConnId(conn), reason, ms(now));
        }

        /// Transport `conn` closed.
        pub fn closed(&mut self, conn: u32, code: u16, reason: &str, now: f64) {
            self.core.handle_close(ConnId(conn), code, reason, ms(now));
        }

        /// The page's lifecycle: 0 `pagehide`, 1 `pageshow`, 2 a visibility change, 3 `online`.
        pub fn page(&mut self, kind: u32, visible: bool, now: f64) {
            let now = ms(now);
            match kind {
                0 => self.core.handle_page_hide(now),
                1 => self.core.handle_page_show(now),
                3 => self.core.handle_online(now),
                _ => self.core.handle_visibility(visible, now),
            }
        }

        // --------------------------------------------------------------- answers

        /// The answer to `connectParams`: the params' JSON and the token, or why not.
        #[wasm_bindgen(js_name = connectParams)]
        pub fn connect_params(
            &mut self,
            conn: u32,
            params: Option<String>,
            token: Option<String>,
            error: Option<String>,
            now: f64,
        ) {
            let answer = match error {
                Some(e) => Err(e),
                None => Ok((params, token)),
            };
            self.core.connect_params(ConnId(conn), answer, ms(now));
        }

        /// The answer to `joinParams`: the params' JSON, or why not.
        #[wasm_bindgen(js_name = joinParams)]
        pub fn join_params(
            &mut self,
            channel: u32,
            params: Option<String>,
            error: Option<String>,
            now: f64,
        ) {
            let answer = match error {
                Some(e) => Err(e),
                None => Ok(params.unwrap_or_else(|| "{}".to_owned())),
            };
            self.core.join_params(ChannelId(channel), answer, ms(now));
        }

        /// The answer to `retryDelay`: the delay, or negative for the default schedule's.
        #[wasm_bindgen(js_name = retryDelay)]
        pub fn retry_delay(&mut self, channel: u32, delay: f64, now: f64) {
            let retry = if channel == NONE {
                Retry::Reconnect
            } else {
                Retry::Rejoin(ChannelId(channel))
            };
            self.core
                .retry_delay(retry, (delay >= 0.0).then_some(delay as u64), ms(now));
        }

        /// `beforeReconnect` has settled: the reconnect goes ahead.
        #[wasm_bindgen(js_name = reconnectReady)]
        pub fn reconnect_ready(&mut self, now: f64) {
            self.core.reconnect_ready(ms(now));
        }

        // -------------------------------------------------------------- mutators

        /// Connects, unless connected or connecting.
        pub fn connect(&mut self, now: f64) {
            self.core.connect(ms(now));
        }

        /// Replaces the connect params: JSON text, or none to ask for them each connect.
        #[wasm_bindgen(js_name = setParams)]
        pub fn set_params(&mut self, params: Option<String>) {
            self.core
                .set_params(params.map_or(Source::Ask, Source::Fixed));
        }

        /// Disconnects on purpose (no reconnect).
        pub fn disconnect(&mut self, code: Option<u16>, reason: Option<String>, now: f64) {
            self.core.disconnect(code, reason.as_deref(), ms(now));
        }

        /// Reports every message received (`message` records) while on.
        pub fn observe(&mut self, on: bool) {
            self.core.set_observe_messages(on);
        }

        /// Sends a ping; its id, or none when not connected.
        pub fn ping(&mut self, now: f64) -> Option<u32> {
            self.core.ping(ms(now))
        }

        /// Sends a raw message (`payload` JSON text, or `bytes`); throws when the send
        /// buffer is full.
        #[allow(clippy::too_many_arguments)]
        #[wasm_bindgen(js_name = pushMessage)]
        pub fn push_message(
            &mut self,
            topic: String,
            event: String,
            payload: Option<String>,
            bytes: Option<Vec<u8>>,
            msg_ref: Option<String>,
            join_ref: Option<String>,
            now: f64,
        ) -> Result<(), String> {
            let payload = payload_of(payload, bytes);
            self.core.push_message(Message { join_ref, msg_ref, topic, event, payload }, ms(now))
        }

        /// A new channel on `topic`: `params` JSON text, or none to ask for them on each
        /// join; its id.
        pub fn channel(
            &mut self,
            topic: &str,
            params: Option<String>,
            reliable: bool,
            unbatch: Option<String>,
            resume: bool,
            cursor: Option<String>,
        ) -> u32 {
            let params = params.map_or(Source::Ask, Source::Fixed);
            // a stored cursor that is not a sequence number is none
            let resume = resume.then(|| cursor.and_then(|c| c.parse().ok()));
            self.core
                .channel_with(topic, params, ChannelOptions { reliable, unbatch, resume })
                .0
        }

        /// Joins `channel`; the join push's id.
        pub fn join(&mut self, channel: u32, timeout_ms: f64, now: f64) -> Result<u32, String> {
            let r = self
                .core
                .join(ChannelId(channel), timeout(timeout_ms), ms(now));
            r.map(|p| p.0).map_err(|e| e.message())
        }

        /// Pushes `event` on `channel` (`payload` JSON text, or `bytes`); the push's id.
        pub fn push(
            &mut self,
            channel: u32,
            event: &str,
            payload: Option<String>,
            bytes: Option<Vec<u8>>,
            timeout_ms: f64,
            now: f64,
        ) -> Result<u32, String> {
            let payload = payload_of(payload, bytes);
            let r = self.core.push(
                ChannelId(channel),
                event,
                payload,
                timeout(timeout_ms),
                ms(now),
            );
            r.map(|p| p.0).map_err(|e| e.message())
        }

        /// Leaves `channel`; the leave push's id.
        pub fn leave(&mut self, channel: u32, timeout_ms: f64, now: f64) -> Result<u32, String> {
            let r = self
                .core
                .leave(ChannelId(channel), timeout(timeout_ms), ms(now));
            r.map(|p| p.0).map_err(|e| e.message())
        }

        /// Hands a refreshed token to every joined channel (`access_token` pushes);
        /// `[channel, push, channel, push, ...]`.
        #[wasm_bindgen(js_name = refreshToken)]
        pub fn refresh_token(&mut self, token: &str, timeout_ms: f64, now: f64) -> Vec<u32> {
            let pushes = self.core.refresh_token(token, timeout(timeout_ms), ms(now));
            pushes.into_iter().flat_map(|(c, p)| [c.0, p.0]).collect()
        }

        /// Removes `channel` from the socket.
        pub fn remove(&mut self, channel: u32) {
            self.core.remove(ChannelId(channel));
        }

        /// A binding of `event` on `channel`; its ref.
        pub fn on(&mut self, channel: u32, event: &str) -> Result<u32, String> {
            self.core
                .on(ChannelId(channel), event)
                .map(|r| r.0)
                .map_err(|e| e.message())
        }

        /// Removes the binding `binding` of `event` (every binding of `event` when none);
        /// the refs removed.
        pub fn off(
            &mut self,
            channel: u32,
            event: &str,
            binding: Option<u32>,
        ) -> Result<Vec<u32>, String> {
            let removed = self
                .core
                .off(ChannelId(channel), event, binding.map(BindingRef))
                .map_err(|e| e.message())?;
            Ok(removed.into_iter().map(|r| r.0).collect())
        }

        /// A presence over `channel`'s `state_event` and `diff_event`; its id. Joins and
        /// leaves are described once `report(id, true)`.
        pub fn presence(
            &mut self,
            channel: u32,
            state_event: Option<String>,
            diff_event: Option<String>,
        ) -> Result<u32, String> {
            let id = self
                .core
                .presence(
                    ChannelId(channel),
                    state_event.as_deref(),
                    diff_event.as_deref(),
                )
                .map_err(|e| e.message())?;
            self.core.set_presence_reporting(id, false);
            Ok(id.0)
        }

        /// Whether `presence` describes its joins and leaves.
        pub fn report(&mut self, presence: u32, on: bool) {
            self.core.set_presence_reporting(PresenceId(presence), on);
        }

        // --------------------------------------------------------------- queries

        /// `presence`'s state as JSON pairs `[[key, {metas}], …]` in join order.
        #[wasm_bindgen(js_name = presenceList)]
        pub fn presence_list(&self, presence: u32) -> String {
            self.core
                .presence_state(PresenceId(presence))
                .map_or_else(|| "[]".to_owned(), |s| s.to_pairs_json())
        }

        /// `presence`'s state as a JSON object.
        #[wasm_bindgen(js_name = presenceState)]
        pub fn presence_state(&self, presence: u32) -> String {
            self.core
                .presence_state(PresenceId(presence))
                .map_or_else(|| "{}".to_owned(), |s| s.to_json())
        }

        /// Whether `presence` awaits its first state.
        #[wasm_bindgen(js_name = presencePending)]
        pub fn presence_pending(&self, presence: u32) -> bool {
            self.core
                .presence_pending(PresenceId(presence))
                .unwrap_or(true)
        }

        /// Whether the socket is open.
        #[wasm_bindgen(js_name = isConnected)]
        pub fn is_connected(&self) -> bool {
            self.core.is_connected()
        }

        /// `"connecting"`, `"open"` or `"closed"`.
        #[wasm_bindgen(js_name = connectionState)]
        pub fn connection_state(&self) -> String {
            self.core.connection_state().as_str().to_owned()
        }

        /// The next message ref.
        #[wasm_bindgen(js_name = makeRef)]
        pub fn make_ref(&mut self) -> String {
            self.core.make_ref()
        }

        /// `channel`'s state (`"closed"` once removed).
        #[wasm_bindgen(js_name = channelState)]
        pub fn channel_state(&self, channel: u32) -> String {
            self.core
                .channel_state(ChannelId(channel))
                .map_or("closed", |s| s.as_str())
                .to_owned()
        }

        /// The ref of `channel`'s current join.
        #[wasm_bindgen(js_name = joinRef)]
        pub fn join_ref(&self, channel: u32) -> Option<String> {
            self.core.join_ref_of(ChannelId(channel))
        }

        /// Asks for the status as one `status` record, first in the next drain.
        pub fn status(&mut self) {
            self.status_asked = true;
        }

        /// `{lastRttMs, reconnects, sendBuffer, pushesInFlight, channels: [[topic, state], …]}`
        /// as JSON (the status comes from [`Engine::status`]).
        pub fn health(&self) -> String {
            use crate::core::json::write_string;
            use crate::core::text::uint;
            let h = self.core.health();
            let mut out = String::from("{\"lastRttMs\":");
            out.push_str(&h.last_rtt.map_or_else(|| "null".to_owned(), |d| uint(crate::core::timers::whole_ms(d))));
            for (key, n) in [
                ("reconnects", h.reconnects as u64),
                ("sendBuffer", h.send_buffer as u64),
                ("pushesInFlight", h.pushes_in_flight as u64),
            ] {
                out.push_str(",\"");
                out.push_str(key);
                out.push_str("\":");
                out.push_str(&uint(n));
            }
            out.push_str(",\"channels\":[");
            for (i, (topic, state)) in h.channels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"topic\":");
                write_string(&mut out, topic);
                out.push_str(",\"state\":\"");
                out.push_str(state.as_str());
                out.push_str("\"}");
            }
            out.push_str("]}");
            out
        }

        /// The URL a connect opens with `params` (JSON text; none: the configured ones).
        #[wasm_bindgen(js_name = endPointURL)]
        pub fn end_point_url(&self, params: Option<String>) -> Result<String, String> {
            self.core.endpoint_url(params).map_err(|e| e.message())
        }

        /// The correlation id sent with every connect.
        #[wasm_bindgen(js_name = correlationId)]
        pub fn correlation_id(&self) -> Option<String> {
            self.core.config().correlation_id.clone()
        }
    }
}
