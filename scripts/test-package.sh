#!/usr/bin/env bash
# Installs the .deb that scripts/package.sh built and checks it as a user meets it:
#   1. the package: control fields (name, version, dependencies) and files (the binary on PATH,
#      the desktop entry, every icon size, the AppStream metadata); desktop-file-validate and
#      appstreamcli validate; the .rpm's metadata too when there is one;
#   2. installs it (dpkg -i, then apt-get -f install for its dependencies); every library the
#      binary needs is found;
#   3. in a throw-away session (home, D-Bus, unlocked keyring, Xvfb; scripts/test-inner.sh):
#      the installed command line (--version, a collection from the project's test server with
#      its password, logs, diagnostics, the log file), then the installed app: through
#      tauri-driver, the first-run offer to start at login is accepted and Settings → About shows
#      its versions; the login entry it writes (`duplidesk --background`) is started as the
#      desktop would: the app waits in the tray with no window; the tray's "Open Duplidesk" shows the window (its WM_CLASS is the desktop entry's
#      StartupWMClass), which is saved as docs/screenshots/installed-app.png; "Quit" ends it;
#   4. removes the package (dpkg -r; not when it was installed before) and checks that the
#      user's store, log files and keychain entries are still there.
# Needs root or sudo: it changes the system's packages, so scripts/test.sh never runs it.
#   bash scripts/package.sh && bash scripts/test-package.sh [path/to/duplidesk_*.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
step() { echo "test-package: $*"; }

# Expects `$2` (a file or text) to hold the fixed string `$1`.
has() { grep -qF -- "$1" <<<"$2" || fail "${3:-expected} \"$1\" in: $2"; }

# ------------------------------------------------------------------------------------------------
# The session part: run by the outer part inside scripts/test-inner.sh (HOME, XDG_* and the
# keyring are throw-away ones; DISPLAY is an Xvfb).
# ------------------------------------------------------------------------------------------------
if [ "${1:-}" = "--session" ]; then
  : "${TESTSERVER:?}" "${VERSION:?}"
  export PATH="/usr/bin:$PATH"
  # A release build lets WebKitWebDriver drive its web view only when asked to.
  export TAURI_WEBVIEW_AUTOMATION=true
  BIN="$(command -v duplidesk)"
  [ "$BIN" = /usr/bin/duplidesk ] || fail "duplidesk on PATH is $BIN, not the installed /usr/bin/duplidesk"
  pids=()
  cleanup_session() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  }
  trap cleanup_session EXIT

  # wait_for SECONDS DESCRIPTION COMMAND...: runs COMMAND until it succeeds.
  wait_for() {
    local secs=$1 what=$2
    shift 2
    for _ in $(seq $((secs * 4))); do
      if "$@" >/dev/null 2>&1; then return 0; fi
      sleep 0.25
    done
    fail "timed out after ${secs}s waiting for $what"
  }

  # --- the command line ----------------------------------------------------------------------
  step "installed command line: $BIN"
  out="$(duplidesk --version)"
  [ "$out" = "duplidesk $VERSION" ] || fail "duplidesk --version printed \"$out\", expected \"duplidesk $VERSION\""
  "$TESTSERVER" --port 0 --password packaged-pw --tls self-signed --data generated --jobs 4 --rows 40 \
    --machine-name fileserver01 >"$HOME/testserver.out" 2>&1 &
  pids+=($!)
  wait_for 20 "the test server" grep -q '^https://' "$HOME/testserver.out"
  port="$(sed -n 's|^https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$HOME/testserver.out" | head -1)"
  collected="$(echo packaged-pw | duplidesk collect 127.0.0.1 --port "$port" --password-stdin --json)" ||
    fail "duplidesk collect: $collected"
  grep -Eq '"ok": ?true' <<<"$collected" || fail "the collection failed: $collected"
  logs="$(duplidesk logs --limit 3)"
  has "fileserver01" "$logs"
  diagnostics="$(duplidesk diagnostics)"
  has "Versions: Duplidesk $VERSION" "$diagnostics"
  has "Log folder: $XDG_STATE_HOME/app.duplidesk/logs" "$diagnostics"
  has "1 servers, 4 jobs" "$diagnostics"
  log_files="$(cat "$XDG_STATE_HOME"/app.duplidesk/logs/duplidesk-cli.*.log)"
  has "collected" "$log_files"
  if grep -qF packaged-pw <<<"$log_files"; then fail "the password is in the log file"; fi

  # --- the app, through tauri-driver: About and "Start at login" -----------------------------
  step "installed app: start at login, Settings → About (tauri-driver)"
  wd_port=$((20000 + RANDOM % 20000))
  tauri-driver --port "$wd_port" --native-port $((wd_port + 1)) >"$HOME/tauri-driver.log" 2>&1 &
  pids+=($!)
  WD="http://127.0.0.1:$wd_port"
  wait_for 20 "tauri-driver" curl -sf "$WD/status"
  session="$(curl -sf -X POST "$WD/session" -H 'Content-Type: application/json' \
    -d "{\"capabilities\":{\"alwaysMatch\":{\"tauri:options\":{\"application\":\"$BIN\"}}}}")" ||
    fail "no WebDriver session: $(tail -5 "$HOME/tauri-driver.log")"
  sid="$(sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p' <<<"$session")"
  [ -n "$sid" ] || fail "no session id in: $session"
  # element CSS: the id of the first element matching CSS (empty when none).
  element() {
    local css="${1//\"/\\\"}" # in a JSON string: " as \"
    curl -sf -X POST "$WD/session/$sid/element" -H 'Content-Type: application/json' \
      -d "{\"using\":\"css selector\",\"value\":\"$css\"}" 2>/dev/null |
      sed -n 's/.*"element-6066-11e4-a52e-4f735466cecf":"\([^"]*\)".*/\1/p'
  }
  found() { [ -n "$(element "$1")" ]; }
  text_of() { curl -sf "$WD/session/$sid/element/$(element "$1")/text" | sed -n 's/.*"value":"\(.*\)"}.*/\1/p'; }
  text_has() { grep -qF -- "$2" <<<"$(text_of "$1")"; }
  click() { curl -sf -X POST "$WD/session/$sid/element/$(element "$1")/click" -H 'Content-Type: application/json' -d '{}' >/dev/null; }
  wait_for 30 "the app's window" found '[data-testid="nav-settings"]'
  # The first-run offer to start at login (there is a server to watch): yes.
  # The autostart plugin writes under $HOME/.config, whatever XDG_CONFIG_HOME says.
  entry="$HOME/.config/autostart/Duplidesk.desktop"
  [ ! -e "$entry" ] || fail "$entry exists before starting at login was accepted"
  wait_for 20 "the offer to start at login" found '[data-testid="autostart-yes"]'
  click '[data-testid="autostart-yes"]'
  wait_for 10 "the login entry $entry" test -f "$entry"
  exec_line="$(sed -n 's/^Exec=//p' "$entry")"
  [ "$exec_line" = "$BIN --background" ] || fail "the login entry starts \"$exec_line\", expected \"$BIN --background\""
  click '[data-testid="nav-settings"]'
  wait_for 20 "Settings → About" found '[data-testid="app-version"]'
  has "$VERSION" "$(text_of '[data-testid="app-version"]')" "the version"
  wait_for 20 "the components in About" text_has '[data-testid="app-components"]' WebKitGTK
  components="$(text_of '[data-testid="app-components"]')"
  has "Tauri 2." "$components"
  has "WebKitGTK" "$components"
  curl -sf -X DELETE "$WD/session/$sid" >/dev/null || true
  kill "${pids[-1]}" 2>/dev/null || true
  # Gone from this display (a second instance would only show the first one's window).
  wait_for 15 "the WebDriver app to end" bash -c "! xdotool search --name '^Duplidesk\$'"

  # --- the app as the login entry starts it: tray, no window; then the window from the tray --
  step "installed app started by its login entry: $exec_line"
  # shellcheck disable=SC2086 # the Exec line is split into words, as the desktop does
  setsid $exec_line >"$HOME/app.out" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  tray_menu() {
    local name path
    for name in $(gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.ListNames |
      grep -o "':[0-9.]*'" | tr -d "'"); do
      path="$(gdbus introspect --session -d "$name" -o /org/ayatana/NotificationItem -r 2>/dev/null |
        grep -o '/org/ayatana/NotificationItem/[^ ]*/Menu' | head -1)" || true
      if [ -n "$path" ]; then
        echo "$name $path"
        return 0
      fi
    done
    return 1
  }
  wait_for 30 "the tray menu on the session bus" tray_menu
  read -r tray_name tray_path < <(tray_menu)
  layout="$(gdbus call --session -d "$tray_name" -o "$tray_path" -m com.canonical.dbusmenu.GetLayout -- 0 -1 '[]')"
  has "'label': <'Open Duplidesk'>" "$layout" "the tray menu item"
  has "'label': <'Quick collect'>" "$layout" "the tray menu item"
  visible() { xdotool search --onlyvisible --name '^Duplidesk$' | head -1 | grep -q .; }
  sleep 3
  if visible; then fail "started at login, the window is shown (it should wait in the tray)"; fi
  # click LABEL: the tray menu item LABEL, as a desktop's tray sends it.
  click_tray() {
    local id
    id="$(grep -o "([0-9]*, {[^}]*'label': <'$1'>" <<<"$layout" | sed 's/^(\([0-9]*\),.*/\1/' | head -1)"
    [ -n "$id" ] || fail "no tray item $1 in: $layout"
    gdbus call --session -d "$tray_name" -o "$tray_path" -m com.canonical.dbusmenu.Event -- "$id" clicked '<int32 0>' 0 >/dev/null
  }
  click_tray "Open Duplidesk"
  wait_for 20 "the window after Open Duplidesk" visible
  wid="$(xdotool search --onlyvisible --name '^Duplidesk$' | head -1)"
  wm_class="$(xprop -id "$wid" WM_CLASS)"
  wanted="$(sed -n 's/^StartupWMClass=//p' /usr/share/applications/Duplidesk.desktop)"
  has "\"$wanted\"" "$wm_class" "the desktop entry's StartupWMClass"
  sleep 4 # the dashboard's first paint
  mkdir -p "$REPO/docs/screenshots"
  import -window "$wid" "$REPO/docs/screenshots/installed-app.png"
  step "screenshot: docs/screenshots/installed-app.png ($(identify -format '%wx%h' "$REPO/docs/screenshots/installed-app.png"))"
  click_tray "Quit"
  wait_for 15 "the app to quit from the tray" bash -c "! kill -0 $app_pid"

  # --- uninstall: the user's data stays -------------------------------------------------------
  if [ "${REMOVE:-0}" = 1 ]; then
    step "dpkg -r duplidesk"
    if [ "$(id -u)" -eq 0 ]; then dpkg -r duplidesk >/dev/null; else sudo dpkg -r duplidesk >/dev/null; fi
    [ ! -e /usr/bin/duplidesk ] || fail "/usr/bin/duplidesk is still there after dpkg -r"
    [ -s "$XDG_DATA_HOME/app.duplidesk/duplidesk.sqlite" ] || fail "the store went with the package"
    ls "$XDG_STATE_HOME"/app.duplidesk/logs/duplidesk-app.*.log >/dev/null || fail "the app's log file went with the package"
    # Read whole first: grep -q would end the pipe early, and pipefail count that as a failure.
    entries="$(secret-tool search --all service app.duplidesk 2>&1)"
    grep -qF 'attribute.service = app.duplidesk' <<<"$entries" || fail "the keychain entries went with the package"
    [ -f "$entry" ] || fail "the login entry went with the package"
    step "after dpkg -r: the store, log files, keychain entries and login entry are kept"
  fi
  exit 0
fi

# ------------------------------------------------------------------------------------------------
# The outer part: the package, installed as root.
# ------------------------------------------------------------------------------------------------
bash scripts/install-deps.sh --check-package
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else fail "needs root or sudo"; fi

deb="${1:-$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb 2>/dev/null | head -1)}"
[ -f "$deb" ] || fail "no .deb: run bash scripts/package.sh first (or give its path)"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
step "checking $deb ($(stat -c %s "$deb") bytes)"

# --- 1. the package's metadata and files ----------------------------------------------------------
info="$(dpkg-deb -I "$deb")"
has "Package: duplidesk" "$info"
has "Version: $VERSION" "$info"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  grep -E '^ Depends:' <<<"$info" | grep -qF "$dep" || fail "Depends lacks $dep: $info"
done
grep -E '^ Recommends:' <<<"$info" | grep -qF gnome-keyring || fail "Recommends lacks a Secret Service (gnome-keyring): $info"
# The paths alone, as /usr/…, whichever form (./usr/… or usr/…) the archive lists them in.
files="$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|; s|^\([^/]\)|/\1|')"
# has_file PATH LIST WHAT: LIST (one path a line) holds exactly PATH.
has_file() { grep -qxF -- "$1" <<<"$2" || fail "$3 $1 is not in the package: $2"; }
for f in /usr/bin/duplidesk /usr/share/applications/Duplidesk.desktop \
  /usr/share/metainfo/app.duplidesk.Duplidesk.metainfo.xml; do
  has_file "$f" "$files" "the file"
done
for size in 16 24 32 48 64 128 256 512; do
  has_file "/usr/share/icons/hicolor/${size}x${size}/apps/duplidesk.png" "$files" "the icon"
done
scratch="$(mktemp -d)"
installed_before=0
cleanup() {
  rm -rf "$scratch"
  if [ "$installed_before" -eq 0 ] && dpkg-query -W -f='${Status}' duplidesk 2>/dev/null | grep -q "install ok installed"; then
    "${SUDO[@]}" dpkg -r duplidesk >/dev/null || true
  fi
}
trap cleanup EXIT
dpkg-deb -x "$deb" "$scratch"
desktop-file-validate "$scratch/usr/share/applications/Duplidesk.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$scratch/usr/share/metainfo/app.duplidesk.Duplidesk.metainfo.xml" || fail "appstreamcli validate"
rpm_file="$(ls -t "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm 2>/dev/null | head -1)"
if [ -n "$rpm_file" ]; then
  step "checking $rpm_file ($(stat -c %s "$rpm_file") bytes)"
  rpm_files="$(rpm -qpl "$rpm_file" 2>/dev/null)"
  for f in /usr/bin/duplidesk /usr/share/applications/Duplidesk.desktop /usr/share/metainfo/app.duplidesk.Duplidesk.metainfo.xml \
    /usr/share/icons/hicolor/512x512/apps/duplidesk.png; do
    has_file "$f" "$rpm_files" "the .rpm file"
  done
  rpm_requires="$(rpm -qp --requires "$rpm_file" 2>/dev/null)"
  has "libwebkit2gtk-4.1.so.0()(64bit)" "$rpm_requires"
  has "libayatana-appindicator3.so.1()(64bit)" "$rpm_requires"
  has "gnome-keyring" "$(rpm -qp --recommends "$rpm_file" 2>/dev/null)"
fi

# --- 2. install ----------------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' duplidesk 2>/dev/null | grep -q "install ok installed"; then
  installed_before=1
  step "duplidesk was installed before: it is upgraded to this .deb and left installed"
fi
step "dpkg -i $deb"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" dpkg -i "$deb"; then
  step "apt-get -f install (the package's dependencies)"
  "${SUDO[@]}" apt-get -f install -y
fi
dpkg-query -W -f='${Status}' duplidesk | grep -q "install ok installed" || fail "duplidesk is not installed"
missing="$(ldd /usr/bin/duplidesk | grep 'not found' || true)"
[ -z "$missing" ] || fail "libraries not found: $missing"

# --- 3. the installed command line and app, in a throw-away session ------------------------------
step "building the test server (cargo build -p duplicati-testserver)"
cargo build --quiet -p duplicati-testserver
remove=$((1 - installed_before))
TESTSERVER="$CARGO_TARGET_DIR/debug/duplicati-testserver" VERSION="$VERSION" REMOVE="$remove" \
  dbus-run-session -- bash scripts/test-inner.sh --run bash "$REPO/scripts/test-package.sh" --session

step "all checks passed"
