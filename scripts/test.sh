#!/usr/bin/env bash
# Every test: native (cargo), node (official phoenix client vs phoenix-mock and the real
# Phoenix app), and browser (wasm-bindgen-test in headless Chromium against both servers).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh

step "native tests (cargo test --workspace)"
cargo test --workspace 2>&1 | grep -Ev '^\s*(Compiling|Finished|Running|Doc-tests)|^test .* ok$|^$'

step "fuzz smoke run (the long runs: docs/reliability.md)"
cargo run --quiet --example fuzz -- all 20000

bash scripts/build.sh

step "the real Phoenix app (interop/phoenix: Phoenix 1.7.24 on Bandit)"
bash scripts/phoenix.sh build
echo "    built"

step "type tests (tsc --strict over tests/types and the typed demo)"
npx --no-install tsc -p tests/types && echo "    types OK"

step "node tests (official phoenix client vs phoenix-mock and Phoenix; demo overlays in Chromium)"
cargo build --quiet -p phoenix-mock
PHX_MOCK_BIN="$ROOT/target/debug/phoenix-mock" node --test --test-reporter=spec tests/node/

step "docs (cargo doc for wasm32, as docs.rs builds them: no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --lib --target wasm32-unknown-unknown && echo "    documented"

step "the Rust API's doc examples and the README's Rust snippets compile for wasm32"
cargo test --quiet --doc --target wasm32-unknown-unknown -- web typed Readme 2>&1 | grep -E "^test result|FAILED|error"

step "the Rust API in an app with its own allocator (default-features = false, features = [\"web\"])"
# examples/own_allocator.rs links only this way (with the defaults: two global allocators)
cargo build --quiet --example own_allocator --target wasm32-unknown-unknown --no-default-features --features web && echo "    links"

logs=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$logs"' EXIT
# serve KIND: starts that server on a free port; sets $http to its URL
serve() {
    local log=$logs/$1.log
    case $1 in
        mock) "$ROOT/target/debug/phoenix-mock" --port 0 --root "$ROOT" >"$log" 2>&1 & ;;
        phoenix) PORT=0 bash scripts/phoenix.sh run >"$log" 2>&1 & ;;
    esac
    pids+=($!)
    for _ in $(seq 1 200); do grep -q 'listening on' "$log" && break; sleep 0.05; done
    http=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log")
    [[ -n $http ]] || { cat "$log" >&2; echo "the $1 server did not start" >&2; exit 1; }
}
for kind in mock phoenix; do
    step "browser tests against $kind (headless Chromium)"
    serve "$kind"
    echo "    $kind server: $http"
    PHX_SERVER=$kind PHX_SERVER_URL="${http/http/ws}/socket" \
        wasm-pack test --mode no-install --headless --chrome -- --test browser --test browser_typed --test browser_teardown -- --nocapture 2>&1 \
        | grep -Ev '^\s*(Compiling|Finished|Running|\[INFO\])'
    step "a user's crate (examples/rust-quickstart, from the README alone) against $kind"
    (cd examples/rust-quickstart && CARGO_TARGET_DIR="$ROOT/target/quickstart" PHX_SERVER_URL="${http/http/ws}/socket" \
        wasm-pack test --mode no-install --headless --chrome 2>&1 | grep -E '^test |^test result|error|panicked')
done

step "benchmark smoke run (proves the harness works; asserts no speed)"
cargo build --quiet --release -p phoenix-mock
node bench/run.mjs --smoke | tail -n 4

echo
echo "all tests passed"
