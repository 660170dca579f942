#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, runs the style gates (check.sh), then
# runs the tests inside a throw-away D-Bus session with a virtual display and an unlocked
# throw-away keyring (see test-inner.sh).
# Without arguments: the gates, then `cargo test --workspace`; with arguments: only
# `cargo test <arguments>` (e.g. `bash scripts/test.sh -p duplidesk-core`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

if [ "$#" -eq 0 ]; then
  bash scripts/check.sh
fi
exec dbus-run-session -- bash scripts/test-inner.sh "$@"
