#!/usr/bin/env bash
# The package's wasm with a name section, for scripts/wasm-sizes.mjs and profilers:
# the size build that scripts/build.sh makes (target/size/), through wasm-bindgen and
# wasm-opt -Oz as the package's is, keeping the names: target/named/opt.wasm (and its
# glue, target/named/phoenix_wasm.js; `PKG=target/named node bench/cpu.mjs` runs it).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
input=target/size/wasm32-unknown-unknown/release/phoenix_wasm.wasm
[[ -s $input ]] || { echo "no $input: run scripts/build.sh first" >&2; exit 1; }
rm -rf target/named
wasm-bindgen --target web --out-dir target/named --keep-debug "$input"
features=$(node -e 'import("./scripts/minify-names.mjs").then((m) => console.log(m.FEATURES.join(" ")))')
# shellcheck disable=SC2086
wasm-opt -Oz -g $features target/named/phoenix_wasm_bg.wasm -o target/named/opt.wasm
# the classes over it, bundled but not minified (readable in a profile)
node_modules/.bin/esbuild js/api.js --bundle --format=esm --target=chrome103 --log-level=warning --outfile=target/named/api.js
echo "target/named/opt.wasm: $(stat -c%s target/named/opt.wasm) B with names"
