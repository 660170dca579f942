#!/usr/bin/env bash
# Builds and starts Duplidesk (debug). Arguments are passed to the binary, so
#   bash scripts/run.sh               opens the window
#   bash scripts/run.sh collect ...   runs the command line
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

exec cargo run --bin duplidesk -- "$@"
