#!/usr/bin/env bash
# Makes everything the project needs available: the wasm32 target, wasm-bindgen
# (the Cargo.lock version), wasm-pack, wasm-opt, Chromium + chromedriver, and the
# npm dev dependencies. Idempotent: a warm run only checks (about a second).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

stamp=target/.setup-ok
# the toolchain check is skipped when nothing it depends on changed since the last success
want="$(sha1sum Cargo.lock scripts/setup-wasm-toolchain.sh | sha1sum) $(command -v wasm-pack wasm-bindgen chromedriver 2>/dev/null | tr '\n' ' ')"
if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]] && rustc --print target-libdir --target wasm32-unknown-unknown >/dev/null 2>&1 \
    && [[ -d "$(rustc --print target-libdir --target wasm32-unknown-unknown)" ]]; then
    :
else
    bash scripts/setup-wasm-toolchain.sh "$ROOT"
    mkdir -p target
    want="$(sha1sum Cargo.lock scripts/setup-wasm-toolchain.sh | sha1sum) $(command -v wasm-pack wasm-bindgen chromedriver 2>/dev/null | tr '\n' ' ')"
    echo "$want" >"$stamp"
fi

if [[ ! -d node_modules/phoenix || package-lock.json -nt node_modules/.package-lock.json ]]; then
    step "npm dev dependencies"
    npm ci --no-audit --no-fund --loglevel=error
fi
