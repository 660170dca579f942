#!/usr/bin/env bash
# The desktop app's benchmark (release build): cold start to a painted window and idle RSS
# after a collection of 50,000 entries. Runs in the same throw-away session as the tests
# (D-Bus, unlocked keyring, Xvfb).
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
exec dbus-run-session -- bash scripts/test-inner.sh --run "$CARGO_TARGET_DIR/release/duplidesk-bench" app "$CARGO_TARGET_DIR/release/duplidesk"
