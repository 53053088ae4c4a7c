// Lists the biggest functions of a .wasm with a name section, grouped by crate.
//   node scripts/wasm-sizes.mjs target/wasm32-unknown-unknown/release/phoenix_wasm.wasm [top]
import { readFileSync } from "node:fs";

const buf = readFileSync(process.argv[2]);
const top = Number(process.argv[3] || 40);
let pos = 8;
const leb = () => { let r = 0, s = 0, b; do { b = buf[pos++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
let imports = 0, bodies = [], names = new Map(), sections = [];
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
    const count = leb();
    for (let i = 0; i < count; i++) { let l = leb(); pos += l; l = leb(); pos += l; const kind = buf[pos++];
      if (kind === 0) { leb(); imports++; } else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { pos += 2; } }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) { const s = leb(); bodies.push([imports + i, s]); pos += s; }
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
