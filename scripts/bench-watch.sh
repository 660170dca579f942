#!/usr/bin/env bash
# What watching costs (release build): 100 test servers monitored every minute, first by the
# desktop app with its window open, then by `duplidesk watch` alone; prints the average CPU
# (share of one core) and RSS of each over MINUTES (default 10). Runs in the same throw-away
# session as the tests (D-Bus, unlocked keyring, Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-10}"
bash scripts/install-deps.sh --test
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"
cargo build --release --bin duplidesk -p duplidesk --features tauri/custom-protocol
cargo build --release -p duplidesk-bench
exec dbus-run-session -- bash scripts/test-inner.sh --run "$CARGO_TARGET_DIR/release/duplidesk-bench" watch-load "$CARGO_TARGET_DIR/release/duplidesk" "$MINUTES"
