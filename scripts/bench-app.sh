#!/usr/bin/env bash
# The desktop app's benchmarks (release build), in the same throw-away session as the tests
# (D-Bus, unlocked keyring, Xvfb):
#   bash scripts/bench-app.sh          cold start to a painted window, idle RSS after 50,000 entries
#   bash scripts/bench-app.sh window   the Backup Logs page on 1,000,000 entries (first rows, next
#                                      page, filter change, search) and the job charts of 10,000 runs
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"
cargo build --release --bin duplidesk -p duplidesk --features tauri/custom-protocol
cargo build --release -p duplidesk-bench
MODE="${1:-app}"
case "$MODE" in
  app | window) ;;
  *) echo "bench-app.sh: unknown benchmark $MODE (app or window)" >&2; exit 2 ;;
esac
# window: a second argument names a folder to keep the 1,000,000-entry store in (built once).
exec dbus-run-session -- bash scripts/test-inner.sh --run "$CARGO_TARGET_DIR/release/duplidesk-bench" "$MODE" "$CARGO_TARGET_DIR/release/duplidesk" "${@:2}"
