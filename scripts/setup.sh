#!/usr/bin/env bash
# Makes everything the project needs available: the wasm32 target, wasm-bindgen (the
# Cargo.lock version), wasm-pack, wasm-opt, Chromium + chromedriver (scripts/
# setup-wasm-toolchain.sh), Elixir/Erlang for the real Phoenix app, and the npm dev
# dependencies. Idempotent: a warm run only checks (about a second).
#
#   scripts/setup.sh          install what is missing
#   scripts/setup.sh --plan   print what would be installed, change nothing
#
# SETUP_STAMP (default target/.setup-ok) records the last successful toolchain check.
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

plan=0
case ${1:-} in
    --plan) plan=1 ;;
    "") ;;
    *) echo "usage: scripts/setup.sh [--plan]" >&2; exit 2 ;;
esac
stamp=${SETUP_STAMP:-target/.setup-ok}
ELIXIR_PKGS=(elixir erlang-nox erlang-dev rebar3)

has() { command -v "$1" >/dev/null 2>&1; }
wasm32_std() {
    local dir
    has rustc && dir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) \
        && compgen -G "$dir/libstd-*.rlib" >/dev/null
}
# what the toolchain check depends on: its inputs and where the tools resolve
fingerprint() {
    echo "$(cat Cargo.lock scripts/setup-wasm-toolchain.sh | sha1sum | cut -c1-40)" \
        "$(for t in wasm-pack wasm-bindgen chromedriver; do command -v "$t" || echo "no-$t"; done | tr '\n' ' ')"
}

step "setup: what is missing"
missing=()
wasm32_std || missing+=("wasm32-std")
for t in wasm-bindgen wasm-bindgen-test-runner wasm-pack wasm-opt chromedriver; do has "$t" || missing+=("$t"); done
has chromium || has google-chrome || missing+=("chromium")
if ((${#missing[@]})); then
    toolchain="install (missing: ${missing[*]})"
elif [[ ! -f $stamp || "$(cat "$stamp")" != "$(fingerprint)" ]]; then
    toolchain="check (first run here, or Cargo.lock or the toolchain script changed)"
else
    toolchain="ok"
fi
if has mix && has erl && has rebar3; then elixir=ok; else elixir="install (${ELIXIR_PKGS[*]})"; fi
if [[ -d node_modules/phoenix && ! package-lock.json -nt node_modules/.package-lock.json ]]; then npm_deps=ok; else npm_deps="install (npm ci)"; fi
printf '    %-22s %s\n' "wasm toolchain:" "$toolchain" "Elixir/Erlang:" "$elixir" "npm dev dependencies:" "$npm_deps"
((plan)) && exit 0

if [[ $toolchain != ok ]]; then
    step "setup: wasm toolchain (scripts/setup-wasm-toolchain.sh; about 8 minutes on a new 2-core machine)"
    bash scripts/setup-wasm-toolchain.sh "$ROOT"
    hash -r
    wasm32_std || { echo "ERROR: the wasm32 std is still missing after scripts/setup-wasm-toolchain.sh" >&2; exit 1; }
    mkdir -p "$(dirname "$stamp")"
    fingerprint >"$stamp"
fi

if [[ $elixir != ok ]]; then
    step "setup: Elixir/Erlang for the Phoenix app (apt: ${ELIXIR_PKGS[*]})"
    # the toolchain script's apt helper: installs only what is missing, says why it can't
    (source scripts/setup-wasm-toolchain.sh "$ROOT" && apt_ensure "${ELIXIR_PKGS[@]}")
    hash -r
fi

if [[ $npm_deps != ok ]]; then
    step "setup: npm dev dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
