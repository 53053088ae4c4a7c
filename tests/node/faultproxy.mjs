// A TCP proxy between a client and a server that makes the network between them bad on
// command, the faults Toxiproxy's "toxics" name: latency with jitter, a silent link (bytes
// held in both directions, no FIN or RST: a NAT or Wi-Fi roam), resets, refused and
// blackholed connects, throttled bandwidth. Written here (about 150 lines of node's `net`)
// rather than taken as a dependency: Toxiproxy is a Go server outside the npm registry,
// and the tests need to await the proxy's own events (a connection's end), which a
// separate process would only report by polling.
import net from "node:net";

/**
 * Starts a proxy to `target` (`ws://host:port/...` or `{host, port}`) on a free port of
 * 127.0.0.1. Connections made from now on follow the faults set on the proxy; `silence`
 * and `reset` act on the connections open at the time.
 */
export async function faultProxy(target) {
  const to = typeof target === "string" ? new URL(target.replace(/^ws/, "http")) : target;
  const upstream = { host: to.hostname ?? to.host, port: Number(to.port) };
  let nextId = 0;
  const conns = new Map();
  const faults = { latency: 0, jitter: 0, bytesPerSecond: 0, refuse: false, blackhole: false };
  const ended = new Map();

  const server = net.createServer((client) => {
    const id = ++nextId;
    const done = new Promise((resolve) => ended.set(id, resolve));
    if (faults.refuse) return client.resetAndDestroy();
    if (faults.blackhole) {
      // accepted, never answered, never forwarded: a connect that hangs
      conns.set(id, { id, client, server: null, silent: true, held: [[], []], done });
      client.on("error", () => {});
      client.on("close", () => finish(id));
      return;
    }
    const server = net.connect(upstream);
    const conn = { id, client, server, silent: false, held: [[], []], done, closed: 0 };
    conns.set(id, conn);
    pipe(conn, client, server, 0);
    pipe(conn, server, client, 1);
  });

  /** Forwards `from` to `to` through the faults; `side` 0 is client → server. */
  function pipe(conn, from, to, side) {
    // A chunk is delayed by the latency (each on its own, as on a wire) but never overtakes
    // the one before (one queue and one timer per direction: a byte stream stays in order),
    // and with a bandwidth it occupies the link for its length's time after the one before.
    let last = 0;
    const queue = []; // [due, chunk or null for the end]
    let timer = null;
    const flush = () => {
      timer = null;
      while (queue.length && queue[0][0] <= Date.now()) {
        const [, chunk] = queue.shift();
        if (to.destroyed) continue;
        chunk === null ? to.end() : to.write(chunk);
      }
      if (queue.length) timer = setTimeout(flush, Math.max(1, queue[0][0] - Date.now()));
    };
    const send = (chunk) => {
      const now = Date.now();
      const delay = faults.latency + (faults.jitter ? Math.random() * faults.jitter : 0);
      const pace = faults.bytesPerSecond && chunk ? (chunk.length / faults.bytesPerSecond) * 1000 : 0;
      last = Math.max(now + delay, last) + pace;
      if (last <= now && queue.length === 0) return chunk === null ? to.end() : to.write(chunk);
      queue.push([last, chunk]);
      timer ??= setTimeout(flush, Math.max(1, queue[0][0] - now));
    };
    from.on("data", (chunk) => (conn.silent ? conn.held[side].push(chunk) : send(chunk)));
    from.on("end", () => (conn.silent ? conn.held[side].push(null) : send(null)));
    from.on("error", () => to.destroy());
    from.on("close", () => {
      if (++conn.closed === 2) finish(conn.id);
    });
  }

  function finish(id) {
    conns.delete(id);
    ended.get(id)?.();
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  return {
    port,
    /** `url` (a URL of the server) with the proxy's host and port. */
    url(url) {
      const u = new URL(url);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    /** The ids of the connections open now. */
    open: () => [...conns.keys()],
    /** Each chunk held `ms` plus up to `jitter` ms more, in order, from now on. */
    latency(ms, jitter = 0) {
      Object.assign(faults, { latency: ms, jitter });
    },
    /** At most `bytesPerSecond` per connection and direction (0: no limit). */
    throttle(bytesPerSecond) {
      faults.bytesPerSecond = bytesPerSecond;
    },
    /** New connects are reset at once (`true`) or accepted again. */
    refuse(on = true) {
      faults.refuse = on;
    },
    /** New connects are accepted and never answered (`true`), or proxied again. */
    blackhole(on = true) {
      faults.blackhole = on;
    },
    /** The open connections (or those of `ids`) go silent: bytes held both ways, no FIN, no RST. */
    silence(ids = [...conns.keys()]) {
      for (const id of ids) if (conns.has(id)) conns.get(id).silent = true;
    },
    /** Silent connections speak again: what they held is delivered, in order. */
    heal(ids = [...conns.keys()]) {
      for (const id of ids) {
        const conn = conns.get(id);
        if (!conn?.silent || !conn.server) continue;
        conn.silent = false;
        for (const [side, to] of [[0, conn.server], [1, conn.client]]) {
          for (const chunk of conn.held[side].splice(0)) chunk === null ? to.end() : to.write(chunk);
        }
      }
    },
    /** The open connections (or those of `ids`) are reset (RST) on both sides. */
    reset(ids = [...conns.keys()]) {
      for (const id of ids) {
        const conn = conns.get(id);
        conn?.client.resetAndDestroy();
        conn?.server?.resetAndDestroy();
      }
    },
    /** Resolves once connection `id` has closed on both sides. */
    ended: (id) => conns.get(id)?.done ?? Promise.resolve(),
    /** Stops: every connection is destroyed. */
    async close() {
      for (const conn of conns.values()) {
        conn.client.destroy();
        conn.server?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
