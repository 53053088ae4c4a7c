//! The browser `WebSocket`, with its event closures owned here and detached on drop.

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use crate::core::{ConnId, Frame};

/// A text frame's content as a Rust string.
fn frame_text(data: &JsValue) -> Option<String> {
    data.dyn_ref::<js_sys::JsString>().map(super::values::string_from_js)
}

/// What the transport reports to the shell.
pub(crate) enum TransportEvent {
    Open,
    Frame(Frame),
    Error,
    Close { code: u16, reason: String },
}

/// One open (or opening) WebSocket.
pub(crate) struct Transport {
    pub conn: ConnId,
    ws: WebSocket,
    _onopen: Closure<dyn FnMut(Event)>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(Event)>,
    _onclose: Closure<dyn FnMut(CloseEvent)>,
}

impl Transport {
    /// Opens a WebSocket; `on_event` receives its events with `conn`.
    pub fn open(conn: ConnId, url: &str, protocols: &[String], on_event: impl Fn(ConnId, TransportEvent) + Clone + 'static) -> Result<Self, JsValue> {
        let list = Array::new();
        for p in protocols {
            list.push(&JsValue::from_str(p));
        }
        let ws = WebSocket::new_with_str_sequence(url, &list)?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let f = on_event.clone();
        let onopen = Closure::<dyn FnMut(Event)>::new(move |_| f(conn, TransportEvent::Open));
        let f = on_event.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let frame = if let Some(text) = frame_text(&data) {
                Frame::Text(text)
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                Frame::Binary(Uint8Array::new(buf).to_vec())
            } else {
                return f(conn, TransportEvent::Error);
            };
            f(conn, TransportEvent::Frame(frame));
        });
        let f = on_event.clone();
        let onerror = Closure::<dyn FnMut(Event)>::new(move |_| f(conn, TransportEvent::Error));
        let f = on_event;
        let onclose = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| f(conn, TransportEvent::Close { code: e.code(), reason: e.reason() }));
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        ws.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        Ok(Transport { conn, ws, _onopen: onopen, _onmessage: onmessage, _onerror: onerror, _onclose: onclose })
    }

    /// Sends a frame; an error (socket closing) is returned, not thrown.
    pub fn send(&self, frame: &Frame) -> Result<(), JsValue> {
        match frame {
            Frame::Text(t) => self.ws.send_with_str(t),
            Frame::Binary(b) => self.ws.send_with_u8_array(b),
        }
    }

    /// Sends what a custom encoder produced: a string, an `ArrayBuffer` or a typed array.
    pub fn send_js(&self, data: &JsValue) -> Result<(), JsValue> {
        if let Some(t) = data.as_string() {
            self.ws.send_with_str(&t)
        } else if let Some(b) = data.dyn_ref::<ArrayBuffer>() {
            self.ws.send_with_array_buffer(b)
        } else if ArrayBuffer::is_view(data) {
            self.ws.send_with_array_buffer_view(data.unchecked_ref())
        } else {
            Err(js_sys::Error::new("encode must produce a string, ArrayBuffer or typed array").into())
        }
    }

    /// Closes with `code`/`reason`; codes a browser refuses (not 1000 or 3000–4999)
    /// fall back to a plain close.
    pub fn close(&self, code: u16, reason: &str) {
        if self.ws.close_with_code_and_reason(code, reason).is_err() {
            let _ = self.ws.close();
        }
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let state = self.ws.ready_state();
        if state == WebSocket::CONNECTING || state == WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}
