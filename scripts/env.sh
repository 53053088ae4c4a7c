# Sourced by the scripts: tool paths and settings shared by build, test and start, and the
# error report: a failing command names the step it was part of and what to do.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/scripts/webdriver.json"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
STEP="start of $(basename "$0")"
step() { STEP=$*; printf '\n==> %s\n' "$*"; }
trap 'printf "\nERROR: step \"%s\" failed (%s, line %s: %s)\n" "$STEP" "$(basename "$0")" "$LINENO" "$BASH_COMMAND" >&2' ERR
