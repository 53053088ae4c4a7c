#!/usr/bin/env bash
# Builds the package and serves the demo overlays from the mock server, or from the real
# Phoenix app with PHX_SERVER=phoenix (interop/phoenix: same overlays, same live data).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
server=${PHX_SERVER:-mock}
case $server in
    mock) step "mock server (release)"; cargo build --quiet --release -p phoenix-mock ;;
    phoenix) step "the Phoenix app (interop/phoenix)"; bash scripts/phoenix.sh build ;;
    *) echo "PHX_SERVER must be mock or phoenix (got $server)" >&2; exit 2 ;;
esac
port=${PORT:-4000}
echo
echo "Demo overlays (transparent, 1920x1080; add them as OBS browser sources):"
for page in \
    "/                      lobby: joins room:lobby, live shouts (?controls: a shout box)" \
    "/obs.html              OBS status: scene, LIVE/REC (overlay:obs)" \
    "/chat.html?room=1      chat with typing indicators (?controls: an input)" \
    "/omnibar.html          stream omnibar: rotation and force_content takeovers (?controls)" \
    "/presence.html         presence board, typed TypeScript (presence:room:lobby)"; do
    echo "    http://127.0.0.1:$port$page"
done
echo "Single-file build (classic script, wasm inlined): pkg/phoenix-wasm.single.js"
echo "Server ($server): ws://127.0.0.1:$port/socket   health: http://127.0.0.1:$port/health"
echo
if [[ $server == phoenix ]]; then
    PORT=$port exec bash scripts/phoenix.sh run
fi
exec "$ROOT/target/release/phoenix-mock" --port "$port" --root "$ROOT"
