//! The browser `WebSocket`, held by a small JS class (`Transport` in `js/events.js`) that
//! hands its events to the shell through one callback per socket, and detached on drop.

use js_sys::{Array, JsString, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{ConnId, Frame};

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// A `WebSocket` with its handlers (`js/events.js`).
    #[wasm_bindgen(js_name = Transport)]
    type WebSocketTransport;
    /// Opens the WebSocket; its events go to `handler(conn, kind, a, b)` (see
    /// [`TransportEvent::from_js`]). Throws what `new WebSocket` throws.
    #[wasm_bindgen(constructor, catch, js_class = Transport)]
    fn new(url: &str, protocols: &Array, conn: u32, handler: &JsValue) -> Result<WebSocketTransport, JsValue>;
    #[wasm_bindgen(method, catch, js_class = Transport, js_name = send)]
    fn send_text(this: &WebSocketTransport, text: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_class = Transport, js_name = send)]
    fn send_bytes(this: &WebSocketTransport, bytes: &[u8]) -> Result<(), JsValue>;
    /// Sends what a custom encoder produced; throws unless it is a string, an
    /// `ArrayBuffer` or a typed array.
    #[wasm_bindgen(method, catch, js_class = Transport, js_name = sendEncoded)]
    fn send_encoded(this: &WebSocketTransport, data: &JsValue) -> Result<(), JsValue>;
    /// Closes with `code`/`reason` (a plain close where the browser refuses the code).
    #[wasm_bindgen(method, js_class = Transport)]
    fn close(this: &WebSocketTransport, code: u16, reason: &str);
    /// Drops the handlers and closes the WebSocket if it is connecting or open.
    #[wasm_bindgen(method, js_class = Transport)]
    fn detach(this: &WebSocketTransport);
}

/// What the transport reports to the shell.
pub(crate) enum TransportEvent {
    Open,
    Frame(Frame),
    Error,
    Close { code: u16, reason: String },
}

impl TransportEvent {
    /// An event as `js/events.js` reports it: `kind` 0 open, 1 a text frame (`a`, a
    /// string), 2 a binary frame (`a`, an `ArrayBuffer`), 3 an error (or a frame of
    /// another type), 4 close (`a` the code, `b` the reason).
    pub fn from_js(kind: u8, a: JsValue, b: JsValue) -> TransportEvent {
        match kind {
            0 => TransportEvent::Open,
            1 => TransportEvent::Frame(Frame::Text(super::values::string_from_js(a.unchecked_ref::<JsString>()))),
            2 => TransportEvent::Frame(Frame::Binary(Uint8Array::new(&a).to_vec())),
            4 => TransportEvent::Close { code: a.as_f64().map_or(1006, |c| c as u16), reason: b.as_string().unwrap_or_default() },
            _ => TransportEvent::Error,
        }
    }
}

/// One open (or opening) WebSocket.
pub(crate) struct Transport {
    pub conn: ConnId,
    ws: WebSocketTransport,
}

impl Transport {
    /// Opens a WebSocket; `handler` (the shell's, made once) receives its events with `conn`.
    pub fn open(conn: ConnId, url: &str, protocols: &[String], handler: &JsValue) -> Result<Self, JsValue> {
        let list = Array::new();
        for p in protocols {
            list.push(&JsValue::from_str(p));
        }
        Ok(Transport { conn, ws: WebSocketTransport::new(url, &list, conn.0, handler)? })
    }

    /// Sends a frame; an error (socket closing) is returned, not thrown.
    pub fn send(&self, frame: &Frame) -> Result<(), JsValue> {
        match frame {
            Frame::Text(t) => self.ws.send_text(t),
            Frame::Binary(b) => self.ws.send_bytes(b),
        }
    }

    /// Sends what a custom encoder produced: a string, an `ArrayBuffer` or a typed array.
    pub fn send_js(&self, data: &JsValue) -> Result<(), JsValue> {
        self.ws.send_encoded(data)
    }

    /// Closes with `code`/`reason`; codes a browser refuses (not 1000 or 3000–4999)
    /// fall back to a plain close.
    pub fn close(&self, code: u16, reason: &str) {
        self.ws.close(code, reason);
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.ws.detach();
    }
}
