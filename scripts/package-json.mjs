// Writes pkg/package.json for publishing, with the version from Cargo.toml.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (k) => cargo.match(new RegExp(`^${k} = "([^"]*)"`, "m"))[1];
const pkg = {
  name: "phoenix-wasm",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: field("repository") },
  keywords: ["phoenix", "phoenix-channels", "websocket", "wasm", "obs", "overlay", "presence"],
  type: "module",
  main: "./index.js",
  module: "./index.js",
  types: "./index.d.ts",
  exports: {
    ".": {
      types: "./index.d.ts",
      webpack: "./bundler/index.js",
      default: "./index.js",
    },
    "./single": "./phoenix-wasm.single.js",
    "./package.json": "./package.json",
  },
  files: ["index.js", "api.js", "index.d.ts", "phoenix_wasm.js", "phoenix_wasm_bg.wasm", "phoenix_wasm_bg.wasm.d.ts", "phoenix_wasm.d.ts", "bundler/", "phoenix-wasm.single.js", "README.md"],
  sideEffects: false,
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
