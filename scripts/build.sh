#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   index.js (+ phoenix_wasm.js, phoenix_wasm_bg.wasm)  ESM for browsers and Vite/Rollup; initialises itself
#   bundler/                                            wasm-pack --target bundler (webpack 5 asyncWebAssembly)
#   phoenix-wasm.single.js                              classic script, wasm inlined, global PhoenixWasm
#   index.d.ts, package.json, README.md
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
quiet() { grep -Ev '^\[INFO\]|^\s*(Compiling|Finished)' || true; }

step "wasm-pack build --target web -> pkg/"
rm -rf pkg
wasm-pack build --mode no-install --release --target web --out-dir pkg --out-name phoenix_wasm --no-pack 2>&1 | quiet
test -s pkg/phoenix_wasm_bg.wasm || { echo "wasm-pack build failed" >&2; exit 1; }

step "wasm-pack build --target bundler -> pkg/bundler/"
wasm-pack build --mode no-install --release --target bundler --out-dir pkg/bundler --out-name phoenix_wasm --no-pack 2>&1 | quiet
rm -f pkg/bundler/.gitignore pkg/.gitignore

step "single-file build -> pkg/phoenix-wasm.single.js"
node scripts/single-file.mjs

step "Chromium 103 (OBS 30) wasm features"
# the features the module declares, against what Chromium 103 supports
# (bulk-memory-opt and call-indirect-overlong are parts of bulk memory and reference types)
allowed=" mutable-globals nontrapping-float-to-int bulk-memory bulk-memory-opt sign-ext reference-types multivalue call-indirect-overlong "
for f in pkg/phoenix_wasm_bg.wasm pkg/bundler/phoenix_wasm_bg.wasm; do
    used=$(wasm-opt --print-features "$f" 2>/dev/null | sed -n 's/^--enable-//p' | tr '\n' ' ')
    for feature in $used; do
        [[ $allowed == *" $feature "* ]] || { echo "$f uses $feature, which Chromium 103 (OBS 30) lacks" >&2; exit 1; }
    done
    echo "    $f: $used"
done

cp js/index.js pkg/index.js
cp js/bundler.js pkg/bundler/index.js
cp types/index.d.ts pkg/index.d.ts
cp js/README.md pkg/README.md
node scripts/package-json.mjs

step "typed demo (www/typed/*.ts -> .js)"
npx --no-install tsc -p www/typed

step "sizes (gzip -9)"
for f in pkg/phoenix_wasm_bg.wasm pkg/phoenix_wasm.js pkg/index.js pkg/phoenix-wasm.single.js; do
    printf '    %8d B  %8d B gzip  %s\n' "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)" "$f"
done
