// Builds pkg/phoenix-wasm.single.js: one classic script with the wasm inlined (gzipped,
// base64), for pages that cannot fetch a sibling .wasm (OBS "Local file" sources, file://
// pages).
// It defines the global `PhoenixWasm`: `PhoenixWasm.ready` resolves once the module
// is compiled (asynchronously: Chromium limits synchronous compiles on the main thread),
// then `PhoenixWasm.Socket`, `Channel`, `Push`, `Presence` and `subscribe` are set.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { FEATURES, minifyNames } from "./minify-names.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
// the wasm cargo built for the ESM package (scripts/build.sh passes it)
const input = process.argv[2] || path.join(root, "target/wasm32-unknown-unknown/release/phoenix_wasm.wasm");
const tmp = mkdtempSync(path.join(tmpdir(), "phoenix-wasm-single-"));
try {
  execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", tmp, "--out-name", "phoenix_wasm", "--no-typescript", input], { stdio: "inherit" });
  const wasm = path.join(tmp, "phoenix_wasm_bg.wasm");
  execFileSync("wasm-opt", ["-Oz", "--strip-producers", "--strip-target-features", ...FEATURES, wasm, "-o", wasm], { stdio: "inherit" });
  minifyNames(tmp); // short import and export names, as in the ESM package
  execFileSync("wasm-opt", ["-Oz", ...FEATURES, wasm, "-o", wasm], { stdio: "inherit" }); // once more with them (as scripts/build.sh)
  // the wasm travels deflated (gzip: about 80 KB of base64 instead of 245 KB) and is
  // inflated by the browser's DecompressionStream (Chromium 80+, so every OBS since 27)
  const bytes = gzipSync(readFileSync(wasm), { level: 9 }).toString("base64");
  const entry = path.join(tmp, "single-entry.js");
  writeFileSync(entry, `import init, * as glue from "./phoenix_wasm.js";
import { api as classes } from ${JSON.stringify(path.join(root, "js/api.js"))};
var api = {};
var b64 = "${bytes}";
function bytesOf(s) {
  var bin = atob(s), out = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function inflate(gz) {
  if (typeof DecompressionStream !== "function") {
    return Promise.reject(new Error("phoenix-wasm single file: this browser has no DecompressionStream (Chromium 80+, Firefox 113+, Safari 16.4+)"));
  }
  return new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
}
api.ready = inflate(bytesOf(b64)).then(function (wasm) {
  return init({ module_or_path: wasm });
}).then(function () {
  Object.assign(api, classes(glue));
  return api;
});
globalThis.PhoenixWasm = api;
`);
  // one classic script: the glue and the classes (js/api.js and its modules) bundled
  // (import.meta, which the glue reads only when given no module, is empty in a script)
  execFileSync(path.join(root, "node_modules/.bin/esbuild"), [entry, "--bundle", "--format=iife", "--target=chrome103", "--log-level=warning", "--log-override:empty-import-meta=silent",
    "--banner:js=/*! phoenix-wasm single-file build: classic script, wasm inlined. Global: PhoenixWasm (await PhoenixWasm.ready). */",
    `--outfile=${path.join(root, "pkg/phoenix-wasm.single.js")}`], { stdio: "inherit" });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
