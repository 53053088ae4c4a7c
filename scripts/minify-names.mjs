// Shortens the names the wasm module and its wasm-bindgen glue share: every import
// (`__wbg_length_186163212ffe79c3` and about a hundred more, each with a hash that does
// not compress), its module (`./phoenix_wasm_bg.js`) and every export (`socket_new`, …)
// become one or two letters. Binaryen's `--minify-imports-and-exports-and-modules`
// renames them in the wasm and prints the mapping; the glue is rewritten from it, and
// every old name must be found exactly where expected (the build fails otherwise).
//   node scripts/minify-names.mjs DIR   (DIR/phoenix_wasm_bg.wasm and DIR/phoenix_wasm.js,
//                                        wasm-bindgen --target web output, before esbuild)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The wasm features the package uses (every wasm-opt run over it must enable them). */
export const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

const escape = (s) => s.replace(/[$.*+?^()[\]{}|\\/]/g, "\\$&");

/** Replaces every match of `re` with `to`; fails unless there is exactly one (or, with `any`, any number). */
function replaceAll(text, re, to, what, any = false) {
  let n = 0;
  const out = text.replace(re, (...m) => {
    n++;
    return typeof to === "function" ? to(...m) : to;
  });
  if (!any && n !== 1) throw new Error(`minify-names: ${what} found ${n} times in the glue`);
  return out;
}

export function minifyNames(dir) {
  const wasmPath = path.join(dir, "phoenix_wasm_bg.wasm");
  const gluePath = path.join(dir, "phoenix_wasm.js");
  const map = JSON.parse(execFileSync("wasm-opt", [...FEATURES, wasmPath, "--minify-imports-and-exports-and-modules", "-o", wasmPath], { encoding: "utf8", maxBuffer: 1 << 24 }));
  const modules = [...new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath))).map((i) => i.module))];
  const oldModules = [...new Set(map.imports.map(([m]) => m))];
  if (modules.length !== 1 || oldModules.length !== 1) throw new Error(`minify-names: expected one import module, got ${oldModules} -> ${modules}`);
  let glue = readFileSync(gluePath, "utf8");
  // the imports object's key for its module, e.g. `"./phoenix_wasm_bg.js": import0`
  glue = replaceAll(glue, new RegExp(`(["'])${escape(oldModules[0])}\\1(?=\\s*:)`, "g"), JSON.stringify(modules[0]), `module ${oldModules[0]}`);
  // each import is one key of that object: `name: function(...)`
  for (const [, from, to] of map.imports) {
    glue = replaceAll(glue, new RegExp(`(?<![\\w$])${escape(from)}(?=\\s*:)`, "g"), to, `import ${from}`);
  }
  // exports are read as `wasm.name` (some, such as the abort handler, not at all)
  for (const [from, to] of map.exports) {
    glue = replaceAll(glue, new RegExp(`(?<![\\w$])wasm\\.${escape(from)}(?![\\w$])`, "g"), `wasm.${to}`, `export ${from}`, true);
  }
  // no property access or string naming an old name is left (a local function of the
  // same name, as wasm-bindgen makes for closures, is the glue's own and stays)
  for (const [from] of [...map.exports, ...map.imports.map(([, f]) => [f])]) {
    if (new RegExp(`[.'"]${escape(from)}(?![\\w$])`).test(glue)) throw new Error(`minify-names: ${from} is still named in the glue`);
  }
  writeFileSync(gluePath, glue);
  return { imports: map.imports.length, exports: map.exports.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { imports, exports } = minifyNames(process.argv[2]);
  console.log(`    ${imports} imports and ${exports} exports renamed`);
}
