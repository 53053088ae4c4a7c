// A socket's connection: a WebSocket, or another class with its interface (LongPoll,
// js/longpoll.js). It reports its events to a sink made for this connection (`opened()`,
// `text(string)`, `binary(ArrayBuffer)`, `failed()`, `closed(code, reason, wasClean)`) until
// `detach()`; the socket hands them to the engine.

export class Transport {
  /**
   * Opens `url` offering `protocols` with `Kind` (default: the global `WebSocket`;
   * throws what its constructor throws); `timeout` is LongPoll's request timeout.
   */
  constructor(url, protocols, sink, Kind = WebSocket, timeout = undefined) {
    const ws = new Kind(url, protocols);
    ws.binaryType = "arraybuffer";
    if (timeout !== undefined) ws.timeout = timeout;
    ws.onopen = () => sink.opened();
    ws.onmessage = (e) => {
      const data = e.data;
      if (typeof data === "string") sink.text(data);
      else if (data instanceof ArrayBuffer) sink.binary(data);
      else sink.failed(); // a frame of another type: binaryType was changed under us
    };
    ws.onerror = () => sink.failed();
    ws.onclose = (e) => sink.closed(e.code, e.reason, e.wasClean);
    this.ws = ws;
  }

  /** Sends a frame: a string, or bytes (`ArrayBuffer` or a view), copied by the browser at once. */
  send(data) {
    this.ws.send(data);
  }

  /** Closes with `code` and `reason`; a plain close where the browser refuses them. */
  close(code, reason) {
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.close();
    }
  }

  /** Stops reporting events, and closes the WebSocket if it is connecting or open. */
  detach() {
    const ws = this.ws;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // a no-op, not null: node's `ws` throws an error event nobody listens to (the one a
    // close before the handshake raises)
    ws.onerror = () => {};
    if (ws.readyState === 0 || ws.readyState === 1) ws.close();
  }
}
