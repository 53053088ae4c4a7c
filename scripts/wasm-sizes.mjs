// Lists the biggest functions of a .wasm with a name section, grouped by crate, and what
// each part of the crate weighs raw and gzipped on its own (the core, the web shell, the
// export shims, std ...): the floor the core alone sets on the package's size.
//   node scripts/wasm-sizes.mjs target/named/opt.wasm [top]   (scripts/named-wasm.sh makes it)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const buf = readFileSync(process.argv[2]);
const top = Number(process.argv[3] || 40);
let pos = 8;
const leb = () => { let r = 0, s = 0, b; do { b = buf[pos++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
let imports = 0, bodies = [], names = new Map(), sections = [], other = [];
while (pos < buf.length) {
  const id = buf[pos++]; const size = leb(); const start = pos;
  let label = String(id);
  if (id === 0) {
    const n = leb(); const name = buf.subarray(pos, pos + n).toString(); pos += n; label = `custom:${name}`;
    if (name === "name") {
      while (pos < start + size) {
        const sub = buf[pos++]; const len = leb(); const end = pos + len;
        if (sub === 1) { const count = leb(); for (let i = 0; i < count; i++) { const idx = leb(); const l = leb(); names.set(idx, buf.subarray(pos, pos + l).toString()); pos += l; } }
        pos = end;
      }
    }
  } else if (id === 2) {
    other.push(buf.subarray(start, start + size));
    const count = leb();
    for (let i = 0; i < count; i++) { let l = leb(); pos += l; l = leb(); pos += l; const kind = buf[pos++];
      if (kind === 0) { leb(); imports++; } else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { pos += 2; } }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) { const s = leb(); bodies.push([imports + i, s, buf.subarray(pos, pos + s)]); pos += s; }
  } else if (id !== 0) {
    other.push(buf.subarray(start, start + size));
  }
  sections.push([label, size]);
  pos = start + size;
}
console.log("sections:", sections.map(([l, s]) => `${l}=${s}`).join(" "));
const demangle = (n) => n.replace(/^_ZN/, "").replace(/17h[0-9a-f]{16}E$/, "").replace(/\d+/g, ":").replace(/^:|:$/g, "");
const rows = bodies.map(([i, s]) => [s, names.get(i) || `func${i}`]).sort((a, b) => b[0] - a[0]);
const byCrate = new Map();
for (const [s, n] of rows) { const c = (n.match(/(?:_ZN\d+|<)?([a-z_][a-z0-9_]*)/) || [, "?"])[1]; byCrate.set(c, (byCrate.get(c) || 0) + s); }
console.log("\nby crate:", [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([c, s]) => `${c}=${s}`).join(" "));
console.log(`\ntop ${top} functions (of ${rows.length}, code ${rows.reduce((a, [s]) => a + s, 0)} B):`);
for (const [s, n] of rows.slice(0, top)) console.log(String(s).padStart(7), n.slice(0, 150));

// Parts, each gzipped alone (so their sum exceeds the whole's gzip by what they share).
const part = (n) =>
  /phoenix_wasm::core::(presence|keyindex)/.test(n) ? "core: presence"
  : /phoenix_wasm::core::socket/.test(n) ? "core: socket state machine"
  : /phoenix_wasm::core::json/.test(n) ? "core: JSON scanner"
  : /phoenix_wasm::core::serializer/.test(n) ? "core: serializer"
  : /phoenix_wasm::core/.test(n) ? "core: channel, push, timers, backoff, endpoint, reliable, text"
  : /phoenix_wasm::web/.test(n) ? "web shell"
  : /phoenix_wasm::heap/.test(n) ? "heap"
  : /shim|^[a-zA-Z_]+$/.test(n) ? "exports (wasm-bindgen shims with what they inline)"
  : /wasm_bindgen|js_sys/.test(n) ? "wasm-bindgen / js-sys runtime"
  : /core::fmt|Display/.test(n) ? "formatting (core::fmt)"
  : "std generics";
const parts = new Map([["data, imports, exports, tables", other]]);
for (const [i, , body] of bodies) {
  const p = part(names.get(i) || "");
  if (!parts.has(p)) parts.set(p, []);
  parts.get(p).push(body);
}
const gz = (chunks) => gzipSync(Buffer.concat(chunks), { level: 9 }).length;
const raw = (chunks) => chunks.reduce((a, c) => a + c.length, 0);
console.log("\nparts (raw B, gzip -9 B alone):");
for (const [p, chunks] of [...parts].sort((a, b) => raw(b[1]) - raw(a[1]))) console.log(String(raw(chunks)).padStart(7), String(gz(chunks)).padStart(6), p);
const core = [...parts].filter(([p]) => p.startsWith("core:")).flatMap(([, c]) => c);
console.log(String(raw(core)).padStart(7), String(gz(core)).padStart(6), "the core alone");
