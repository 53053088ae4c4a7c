#!/usr/bin/env bash
# The real Phoenix app of the test suite (interop/phoenix/).
#   scripts/phoenix.sh build      fetch (Hex only) and compile it (MIX_ENV=prod; ~15 s cold, ~1 s warm)
#   scripts/phoenix.sh run        run it in the foreground (PORT, default 4002; 0 = any free
#                                 port); it prints "listening on http://127.0.0.1:PORT"
# Without Hex (machines that cannot reach hex.pm) the Phoenix stack is built from sources in
# PHOENIX_VENDOR (default: ../shared/phoenix-1.7/vendor beside the repository).
set -Eeuo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
app="$ROOT/interop/phoenix"
export MIX_ENV=${MIX_ENV:-prod} MIX_REBAR3=${MIX_REBAR3:-$(command -v rebar3 || echo /usr/bin/rebar3)}
if [[ -z ${PHOENIX_VENDOR:-} ]]; then
    for d in "$ROOT/../shared/phoenix-1.7/vendor" /work/shared/phoenix-1.7/vendor; do
        [[ -d $d ]] && { PHOENIX_VENDOR=$(cd "$d" && pwd); break; }
    done
fi
export PHOENIX_VENDOR=${PHOENIX_VENDOR:-}
# mix.exs builds from the vendored sources where Hex is not installed (nothing to fetch);
# otherwise Hex fetches the same versions (deps.get below)
if [[ -n $PHOENIX_VENDOR ]] && ! compgen -G "${MIX_HOME:-$HOME/.mix}/archives/hex-*" >/dev/null; then
    export HEX_OFFLINE=${HEX_OFFLINE:-1}
fi
command -v mix >/dev/null || { echo "scripts/phoenix.sh: mix not found: run scripts/setup.sh (it installs Elixir)" >&2; exit 1; }
cd "$app"
case ${1:-} in
    build) log=$(mktemp)
           if ! { mix deps.get && mix compile; } >"$log" 2>&1; then
               cat "$log" >&2; rm -f "$log"
               echo "scripts/phoenix.sh: the Phoenix app did not build (mix deps.get or compile failed above)" >&2
               exit 1
           fi
           rm -f "$log" ;;
    run)   exec mix run --no-halt --no-compile ;;
    *)     echo "usage: scripts/phoenix.sh build|run" >&2; exit 2 ;;
esac
