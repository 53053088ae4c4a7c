#!/usr/bin/env bash
# Builds the npm package into pkg/:
#   index.js (+ api.js, phoenix_wasm.js, phoenix_wasm_bg.wasm)  ESM for browsers and Vite/Rollup; initialises itself
#   api.js                                              the JS classes over the engine (js/api.js and its modules, bundled)
#   bundler/                                            wasm-pack --target bundler (webpack 5 asyncWebAssembly)
#   phoenix-wasm.single.js                              classic script, wasm inlined, global PhoenixWasm
#   index.d.ts, package.json, README.md
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
quiet() { grep -Ev '^\[INFO\]|^\s*(Compiling|Finished)' || true; }

# Where this rustc has its std sources (Debian's rust-src; rustup's rust-src component),
# std is rebuilt for the package with panics as plain traps (-Cpanic=immediate-abort: no
# panic messages or formatting code in the wasm; wasm32 has nowhere to print them
# anyway). About 18 KB smaller; std's own optimize_for_size feature (its smaller variants
# of sorting, searching and formatting) another 1.8 KB (0.9 KB gzip), no change in CPU per
# message measurable in bench/cpu.mjs. Without the sources, or if that build fails, the
# prebuilt std is used. PHOENIX_WASM_PREBUILT_STD=1 skips the attempt.
# Our code is built for size (opt-level "z", Cargo.toml) but with LLVM's inliner allowed
# the small helpers a "z" build keeps as calls (Vec and str accessors, comparisons): V8
# does not inline wasm calls, so each one is paid per message. Threshold 25 alone: 8-9 %
# less CPU per message (bench/cpu.mjs), the wasm 0.5 KB smaller gzip; with the
# dependencies at opt-level 3 (Cargo.toml) 17-19 %. Higher thresholds cost size: 50 is
# another 4-6 % for +3 KB gzip, 100 another 11-12 % for +7 KB (docs/performance.md).
inline="-Cllvm-args=-inline-threshold=25"
# The package is the engine (src/engine: the sans-IO core behind one export) and the JS
# classes that drive it (js/); the Rust API (the `web` feature) is not in it.
features=(--no-default-features --features heap,engine)
pack() { # TARGET OUT_DIR [cargo args...]
    local target=$1 out=$2
    shift 2
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-$inline}" \
    wasm-pack build --mode no-install --release --target "$target" --out-dir "$out" --out-name phoenix_wasm --no-pack "$ROOT" -- "${features[@]}" "$@" 2>&1 | quiet
    test -s "$out/phoenix_wasm_bg.wasm"
}
size_build() { # TARGET OUT_DIR
    RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$ROOT/target/size" \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Csymbol-mangling-version=legacy $inline" \
        pack "$1" "$2" -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
}
std_src="$(rustc --print sysroot)/lib/rustlib/src/rust/library"
wasm_input="$ROOT/target/wasm32-unknown-unknown/release/phoenix_wasm.wasm" # for the single file
build() { # TARGET OUT_DIR
    if [[ -d $std_src && -z ${PHOENIX_WASM_PREBUILT_STD:-} ]]; then
        size_build "$1" "$2" && wasm_input="$ROOT/target/size/wasm32-unknown-unknown/release/phoenix_wasm.wasm" && return
        echo "    (the size build with a rebuilt std failed; using the prebuilt std)"
    fi
    pack "$1" "$2" || { echo "wasm-pack build --target $1 failed" >&2; exit 1; }
}

step "wasm-pack build --target web -> pkg/"
rm -rf pkg
build web pkg
# imports and exports renamed to one or two letters, in the wasm and the glue alike
# (the names wasm-bindgen gives carry a hash each, which does not compress): the wasm
# 6.1 KB smaller (2.5 KB gzip), the glue 5.2 KB (1.7 KB gzip)
node scripts/minify-names.mjs pkg

step "wasm-pack build --target bundler -> pkg/bundler/"
build bundler pkg/bundler
rm -f pkg/bundler/.gitignore pkg/.gitignore

step "single-file build -> pkg/phoenix-wasm.single.js"
node scripts/single-file.mjs "$wasm_input"

if [[ $wasm_input == "$ROOT/target/size/"* ]]; then
    step "no core::fmt in the wasm"
    # The size build (std with panics as traps) reaches no formatting code: messages and
    # numbers are concatenated (src/core/text.rs), 1.1 KB gzip less. A format!, to_string
    # or Display impl on a wasm path brings the machinery back; its name section shows it.
    # (cargo's output, before wasm-bindgen: its name section holds mangled names, _ZN4core3fmt...)
    fmt=$(node scripts/wasm-sizes.mjs "$wasm_input" 100000 | grep -E '(4core|5alloc)3fmt|(core|alloc)::fmt::' | head -5 || true)
    if [[ -n $fmt ]]; then
        echo "the wasm reaches core::fmt (use core::text's cat/uint instead of format!/to_string):" >&2
        echo "$fmt" >&2
        exit 1
    fi
    echo "    none"
fi

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
# then the custom sections browsers ignore (producers; the target features read above),
# and -Oz once more: with the short names and without the target-features section it
# finds about 0.4 KB gzip more than the run inside wasm-pack
strip=(-Oz --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)
wasm-opt "${strip[@]}" pkg/phoenix_wasm_bg.wasm -o pkg/phoenix_wasm_bg.wasm

cp js/index.js pkg/
cp js/bundler.js pkg/bundler/index.js
cp types/index.d.ts pkg/index.d.ts
cp js/README.md pkg/README.md
node scripts/package-json.mjs

step "minify the JS a page loads (esbuild; the bundler/ build is left to the application's bundler)"
# what wasm-bindgen generates is readable but large: 57 KB -> 21 KB (10.6 -> 6.0 KB gzip)
node_modules/.bin/esbuild pkg/phoenix_wasm.js --minify --format=esm --target=chrome103 --log-level=warning --outfile=pkg/phoenix_wasm.js --allow-overwrite
node_modules/.bin/esbuild pkg/index.js --minify --format=esm --target=chrome103 --log-level=warning --outfile=pkg/index.js --allow-overwrite
# the classes (js/api.js and the modules it imports) as one module, shared by both entries
node_modules/.bin/esbuild js/api.js --bundle --minify --format=esm --target=chrome103 --log-level=warning --outfile=pkg/api.js
node_modules/.bin/esbuild pkg/phoenix-wasm.single.js --minify --target=chrome103 --log-level=warning --outfile=pkg/phoenix-wasm.single.js --allow-overwrite

step "typed demo (www/typed/*.ts -> .js)"
npx --no-install tsc -p www/typed

step "Rust example app (examples/leptos-board, Leptos over the Rust API) -> www/leptos/"
# its own workspace and lock file; a target dir of its own so its release profile does
# not rebuild the library's artifacts
CARGO_TARGET_DIR="$ROOT/target/examples" cargo build --quiet --release --target wasm32-unknown-unknown \
    --manifest-path examples/leptos-board/Cargo.toml
rm -rf www/leptos
wasm-bindgen --target web --no-typescript --out-name leptos_board --out-dir www/leptos \
    "$ROOT/target/examples/wasm32-unknown-unknown/release/leptos-board.wasm"
cp examples/leptos-board/index.html www/leptos/index.html
printf '    %8d B  %8d B gzip  www/leptos/leptos_board_bg.wasm\n' "$(wc -c <www/leptos/leptos_board_bg.wasm)" "$(gzip -9 -c www/leptos/leptos_board_bg.wasm | wc -c)"

step "sizes (gzip -9)"
for f in pkg/phoenix_wasm_bg.wasm pkg/phoenix_wasm.js pkg/index.js pkg/api.js pkg/phoenix-wasm.single.js; do
    printf '    %8d B  %8d B gzip  %s\n' "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)" "$f"
done
# what a page loads from the ESM entry, each file gzipped on its own, against phoenix.js
loaded=0
for f in pkg/index.js pkg/api.js pkg/phoenix_wasm.js pkg/phoenix_wasm_bg.wasm; do
    loaded=$((loaded + $(gzip -9 -c "$f" | wc -c)))
done
ref=node_modules/phoenix/priv/static/phoenix.min.js
if [[ -f $ref ]]; then
    ref_gzip=$(gzip -9 -c "$ref" | wc -c)
    printf '    %8d B gzip loaded by a page (ESM entry, JS, glue, wasm): %s x phoenix.min.js (%d B gzip)\n' \
        "$loaded" "$(awk "BEGIN { printf \"%.2f\", $loaded / $ref_gzip }")" "$ref_gzip"
fi
