#!/usr/bin/env bash
# Builds the npm package into pkg/ (ESM for browsers, self-initialising).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
step "wasm-pack build (release, --target web) -> pkg/"
wasm-pack build --mode no-install --release --target web --out-dir pkg --out-name phoenix_wasm --no-pack 2>&1 | grep -v '^\[INFO\]' || true
test -s pkg/phoenix_wasm_bg.wasm || { echo "wasm-pack build failed" >&2; exit 1; }
cp js/index.js pkg/index.js
cp types/index.d.ts pkg/index.d.ts
step "typed demo (www/typed/*.ts -> .js)"
npx --no-install tsc -p www/typed
ls -l pkg/phoenix_wasm_bg.wasm pkg/phoenix_wasm.js | awk '{print "    " $5 " B  " $9}'
