#!/usr/bin/env bash
# Runs inside `dbus-run-session` (started by test.sh and bench-app.sh): a throw-away HOME and
# XDG directories, an unlocked gnome-keyring, a virtual X display, then `cargo test --workspace`.
# Arguments replace the default `--workspace` (e.g. `-p duplidesk-core -- store`);
# `--run CMD…` runs CMD instead of cargo test.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "test-inner.sh: run it through scripts/test.sh (it needs its own D-Bus session)" >&2
  exit 2
fi

# Keep the real toolchain and build cache before HOME changes.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
# Outside the clone, so a fresh clone (as in CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"

# Throw-away home: the tests never touch the user's keychain, settings or data.
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/duplidesk-test.XXXXXX")"
cleanup() {
  if [ -n "${GNOME_KEYRING_PID:-}" ]; then kill "$GNOME_KEYRING_PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
export HOME="$SCRATCH/home"
export XDG_CONFIG_HOME="$SCRATCH/config"
export XDG_DATA_HOME="$SCRATCH/data"
export XDG_CACHE_HOME="$SCRATCH/cache"
export XDG_STATE_HOME="$SCRATCH/state"
export XDG_RUNTIME_DIR="$SCRATCH/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"

# An unlocked Secret Service on this session bus (the keyring tests use the real one).
keyring_env="$(printf pw | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
while IFS= read -r line; do
  case "$line" in
    *=*) export "${line?}" ;;
  esac
done <<<"$keyring_env"

export WEBKIT_DISABLE_DMABUF_RENDERER=1
export NO_AT_BRIDGE=1

echo "test-inner: HOME=$HOME CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
if [ "${1:-}" = "--run" ]; then
  shift
  xvfb-run -a -s "-screen 0 1280x860x24" "$@"
  exit
fi
if [ "$#" -eq 0 ]; then
  set -- --workspace
fi
xvfb-run -a -s "-screen 0 1280x860x24" cargo test "$@"
