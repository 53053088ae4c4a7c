// phoenix.js's `Serializer`: the V2 wire format (JSON text frames; binary frames for
// `ArrayBuffer` payloads), for applications that wrap it in their own `encode` /
// `decode`. It is the engine's serializer (src/core/serializer.rs), called through wasm.
import { wasm } from "./engine.js";
import { fail } from "./values.js";

export const Serializer = {
  HEADER_LENGTH: 1,
  META_LENGTH: 4,
  KINDS: { push: 0, reply: 1, broadcast: 2 },

  /** `callback(frame)`: the message as a JSON string, or an `ArrayBuffer` for bytes. */
  encode(msg, callback) {
    const binary = msg.payload instanceof ArrayBuffer;
    let frame;
    try {
      const text = binary ? undefined : JSON.stringify(msg.payload ?? {});
      frame = wasm.encodeFrame(msg.join_ref ?? undefined, msg.ref ?? undefined, String(msg.topic), String(msg.event), text, binary ? new Uint8Array(msg.payload) : undefined);
    } catch (e) {
      throw fail(e);
    }
    return callback(frame);
  },

  /** `callback({join_ref, ref, topic, event, payload})` for a frame from the server. */
  decode(rawPayload, callback) {
    let fields;
    try {
      fields = typeof rawPayload === "string" ? wasm.decodeFrame(rawPayload, undefined) : wasm.decodeFrame(undefined, new Uint8Array(rawPayload));
    } catch (e) {
      throw fail(e);
    }
    const [join_ref, ref, topic, event, body] = fields;
    const payload = typeof body === "string" ? JSON.parse(body) : Array.isArray(body) ? { status: body[0], response: body[1] } : body;
    return callback({ join_ref, ref, topic, event, payload });
  },
};
