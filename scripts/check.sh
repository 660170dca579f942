#!/usr/bin/env bash
# The style gates, run by scripts/test.sh before the tests (or on their own):
#   1. cargo fmt --check (rustfmt.toml);
#   2. clippy on every crate and target, every warning an error ([workspace.lints]);
#   3. the UI checks (scripts/check-ui.sh: syntax, ESLint, dictionaries, types).
#   bash scripts/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# Outside the clone, so a fresh clone (as in CI) reuses earlier builds; the same as test-inner.sh.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"

echo "check: cargo fmt"
cargo fmt --all --check
echo "check: cargo clippy"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
echo "check: UI"
bash scripts/check-ui.sh
