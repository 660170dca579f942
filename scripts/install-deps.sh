#!/usr/bin/env bash
# Installs what building (and with --test, testing) Duplidesk needs on Debian/Ubuntu.
# Idempotent: installs only what is missing. Run as root or as a user with sudo.
#   bash scripts/install-deps.sh            # build dependencies
#   bash scripts/install-deps.sh --test     # + Xvfb, D-Bus, gnome-keyring, WebDriver, tauri-driver,
#                                           #   Node.js and npm
#   bash scripts/install-deps.sh --package  # + Tauri's bundler (tauri-cli, pinned): package.sh
#   bash scripts/install-deps.sh --check-package  # + what test-package.sh checks and drives the
#                                           #   installed package with (validators, Xvfb, D-Bus,
#                                           #   gnome-keyring, WebDriver, tauri-driver)
set -euo pipefail

# The tauri-cli release scripts/package.sh builds with (a 2.x: crates.io lists 3.0 alphas as
# "latest").
TAURI_CLI_VERSION=2.12.4

WITH_TEST=0
WITH_PACKAGE=0
WITH_CHECK_PACKAGE=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    --package) WITH_PACKAGE=1 ;;
    --check-package) WITH_CHECK_PACKAGE=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "install-deps: $*"; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

BUILD_PKGS=(
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  libdbus-1-dev libsecret-1-dev build-essential pkg-config file curl
)
TEST_PKGS=(
  xvfb xauth dbus dbus-x11 gnome-keyring webkit2gtk-driver xdotool xclip imagemagick openssl libglib2.0-bin
)
# Checking the packages (scripts/test-package.sh): desktop-file-validate, appstreamcli, rpm
# (reads the .rpm), xprop, secret-tool, and a session to drive the installed app in.
CHECK_PACKAGE_PKGS=(
  desktop-file-utils appstream rpm x11-utils xvfb xauth dbus dbus-x11 gnome-keyring imagemagick
  libglib2.0-bin libsecret-tools webkit2gtk-driver xdotool
)

pkgs=("${BUILD_PKGS[@]}")
if [ "$WITH_CHECK_PACKAGE" -eq 1 ]; then
  for p in "${CHECK_PACKAGE_PKGS[@]}"; do
    case " ${pkgs[*]} " in *" $p "*) ;; *) pkgs+=("$p") ;; esac
  done
fi
if [ "$WITH_TEST" -eq 1 ]; then
  pkgs+=("${TEST_PKGS[@]}")
  # Node.js and npm (scripts/check-ui.sh) from apt only when no node is on PATH: one installed
  # some other way (nvm, NodeSource, a tarball) is used as it is.
  if ! command -v node >/dev/null 2>&1; then
    pkgs+=(nodejs npm)
  fi
fi

# --- system packages --------------------------------------------------------------------------
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
      echo "install-deps: missing packages (${missing[*]}) and no root or sudo to install them" >&2
      exit 1
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y "${missing[@]}"
  else
    log "system packages already installed"
  fi
else
  echo "install-deps: not a Debian/Ubuntu system (no apt-get); install the equivalents of:" >&2
  echo "  ${pkgs[*]}" >&2
fi

# --- Node.js ----------------------------------------------------------------------------------
if [ "$WITH_TEST" -eq 1 ] && command -v node >/dev/null 2>&1; then
  if command -v npm >/dev/null 2>&1; then
    log "node found: $(node --version), npm $(npm --version)"
  else
    echo "install-deps: node $(node --version) is on PATH but npm is not;" \
      "install npm next to it (scripts/check-ui.sh needs it)" >&2
  fi
fi

# --- Rust -------------------------------------------------------------------------------------
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
# The oldest Rust the workspace builds with (Cargo.toml's rust-version): a distribution's
# packaged Rust is often older.
RUST_MIN=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$(dirname "$0")/../Cargo.toml")
rust_is_recent() {
  local have
  have=$(rustc --version 2>/dev/null | awk '{print $2}')
  [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$RUST_MIN" "$have" | sort -V | head -1)" = "$RUST_MIN" ]
}
install_rustup() {
  log "$1: installing Rust (stable, minimal profile) with rustup into ~/.cargo"
  # The check for another Rust on the PATH is skipped: ~/.cargo/bin comes first from now on.
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | RUSTUP_INIT_SKIP_PATH_CHECK=yes sh -s -- -y --profile minimal --default-toolchain stable
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
}
if ! command -v cargo >/dev/null 2>&1; then
  install_rustup "cargo not found"
elif rust_is_recent; then
  log "cargo found: $(cargo --version)"
elif ! command -v rustup >/dev/null 2>&1; then
  install_rustup "$(rustc --version 2>/dev/null || echo 'rustc not found') is older than Rust $RUST_MIN"
elif [ "$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')" = "stable-$(rustc -vV | sed -n 's/^host: //p')" ]; then
  log "$(rustc --version) is older than Rust $RUST_MIN: rustup update stable"
  rustup update stable --no-self-update
else
  echo "install-deps: Duplidesk needs Rust $RUST_MIN or newer; the active toolchain is" \
    "$(rustc --version). Run 'rustup override set stable' in this folder, then try again." >&2
  exit 1
fi
# The style gates (check.sh) need rustfmt and clippy; a minimal rustup profile lacks them.
if [ "$WITH_TEST" -eq 1 ]; then
  for component in rustfmt clippy; do
    probe=(cargo fmt --version)
    [ "$component" = clippy ] && probe=(cargo clippy --version)
    if ! "${probe[@]}" >/dev/null 2>&1; then
      log "installing the $component component (rustup component add $component)"
      rustup component add "$component"
    fi
  done
fi

# --- tauri-cli (the bundler of scripts/package.sh) ---------------------------------------------
if [ "$WITH_PACKAGE" -eq 1 ]; then
  if cargo tauri --version 2>/dev/null | grep -qx "tauri-cli $TAURI_CLI_VERSION"; then
    log "tauri-cli $TAURI_CLI_VERSION found"
  else
    log "installing tauri-cli $TAURI_CLI_VERSION (cargo install tauri-cli --version $TAURI_CLI_VERSION --locked; a few minutes)"
    cargo install tauri-cli --version "$TAURI_CLI_VERSION" --locked
  fi
fi

# --- tauri-driver (WebDriver bridge for the end-to-end tests and scripts/test-package.sh) -------
if [ "$WITH_TEST" -eq 1 ] || [ "$WITH_CHECK_PACKAGE" -eq 1 ]; then
  if ! command -v tauri-driver >/dev/null 2>&1; then
    log "installing tauri-driver (cargo install tauri-driver --locked)"
    cargo install tauri-driver --locked
  else
    log "tauri-driver found"
  fi
fi
