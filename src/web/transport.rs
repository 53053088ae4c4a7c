//! The browser's `WebSocket` as the core's transport: its events go to a [`Sink`];
//! dropping the transport detaches its handlers and closes it.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::core::Frame;

/// Where a transport's events go.
pub trait Sink: 'static {
    /// The socket opened.
    fn opened(&self);
    /// A frame arrived.
    fn frame(&self, frame: Frame);
    /// The socket failed (an `error` event, or a frame of an unknown kind).
    fn failed(&self, reason: &str);
    /// The socket closed.
    fn closed(&self, code: u16, reason: &str);
}

/// An open (or opening) `WebSocket` and its handlers.
pub struct Transport {
    ws: WebSocket,
    _handlers: [Closure<dyn FnMut(JsValue)>; 4],
}

impl Transport {
    /// Opens `url` offering `protocols`; an error names why the browser refused.
    pub fn open(url: &str, protocols: &[String], sink: impl Sink) -> Result<Transport, String> {
        let offered = js_sys::Array::new();
        for p in protocols {
            offered.push(&JsValue::from_str(p));
        }
        let ws = WebSocket::new_with_str_sequence(url, &offered).map_err(|e| describe(&e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let sink = std::rc::Rc::new(sink);
        let on = |f: Box<dyn FnMut(JsValue)>| Closure::wrap(f);
        let (s1, s2, s3, s4) = (sink.clone(), sink.clone(), sink.clone(), sink);
        let handlers = [
            on(Box::new(move |_| s1.opened())),
            on(Box::new(move |e: JsValue| {
                let data = e.unchecked_into::<MessageEvent>().data();
                if let Some(text) = data.as_string() {
                    s2.frame(Frame::Text(text));
                } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    s2.frame(Frame::Binary(js_sys::Uint8Array::new(buf).to_vec()));
                } else {
                    s2.failed("a WebSocket message that is neither text nor an ArrayBuffer");
                }
            })),
            on(Box::new(move |_| s3.failed("WebSocket error"))),
            on(Box::new(move |e: JsValue| {
                let e = e.unchecked_into::<CloseEvent>();
                s4.closed(e.code(), &e.reason());
            })),
        ];
        ws.set_onopen(Some(handlers[0].as_ref().unchecked_ref()));
        ws.set_onmessage(Some(handlers[1].as_ref().unchecked_ref()));
        ws.set_onerror(Some(handlers[2].as_ref().unchecked_ref()));
        ws.set_onclose(Some(handlers[3].as_ref().unchecked_ref()));
        Ok(Transport { ws, _handlers: handlers })
    }

    /// Sends a frame; an error says why it could not be.
    pub fn send(&self, frame: &Frame) -> Result<(), String> {
        match frame {
            Frame::Text(t) => self.ws.send_with_str(t),
            Frame::Binary(b) => self.ws.send_with_u8_array(b),
        }
        .map_err(|e| describe(&e))
    }

    /// Closes with `code` (1005: without a code) and `reason`; its `close` event still
    /// comes.
    pub fn close(&self, code: u16, reason: &str) {
        let closed = if code == crate::core::socket::WS_CLOSE_NO_STATUS { self.ws.close() } else { self.ws.close_with_code_and_reason(code, reason) };
        if closed.is_err() {
            let _ = self.ws.close();
        }
    }

    /// Stops its events and closes it, if it is not closed.
    pub fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }

    /// Detaches it now and frees it later: it may be retired from inside one of its
    /// own handlers, whose closure must outlive that call.
    pub fn retire(self) {
        self.detach();
        wasm_bindgen_futures::spawn_local(async move { drop(self) });
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        self.detach();
    }
}

/// A thrown JS value as text.
pub fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| String::from(js_sys::JSON::stringify(e).unwrap_or_else(|_| "a thrown value".into())))
}
