#!/usr/bin/env bash
# Builds the package and serves the demo overlays from the mock server.
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
step "mock server (release)"
cargo build --quiet --release -p phoenix-mock
port=${PORT:-4000}
echo
echo "Demo overlays (transparent, 1920x1080; add as OBS browser sources):"
echo "    http://127.0.0.1:$port/                 lobby overlay: joins room:lobby, shows live shouts (?controls for a shout box)"
echo "    http://127.0.0.1:$port/presence.html    presence board (typed TypeScript): who is in presence:room:lobby"
echo "Mock server: ws://127.0.0.1:$port/socket   health: http://127.0.0.1:$port/health"
echo
exec "$ROOT/target/release/phoenix-mock" --port "$port" --root "$ROOT"
