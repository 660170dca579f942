#!/usr/bin/env bash
# Builds Duplidesk's installable packages with Tauri's bundler (tauri-cli, the version pinned in
# install-deps.sh): a release build, then the packages, into $CARGO_TARGET_DIR/release/bundle/.
#   bash scripts/package.sh              # Linux: the .deb and the .rpm
#   bash scripts/package.sh deb          # only these formats (comma-separated)
# Formats that need tools downloaded from elsewhere (AppImage: linuxdeploy from GitHub) are not
# built unless named. On macOS and Windows run the bundler directly (README, "Packages").
# Slow (a release build, several minutes) and not part of scripts/test.sh; check the .deb with
# scripts/test-package.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --package
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
# Outside the clone, as the other scripts (a fresh clone reuses earlier builds).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duplidesk/target}"

case "$(uname -s)" in
  Linux) default=deb,rpm ;;
  Darwin) default=app,dmg ;;
  *) default=msi,nsis ;;
esac
bundles="${1:-$default}"

echo "package: cargo tauri build --bundles $bundles (target: $CARGO_TARGET_DIR)"
start=$(date +%s)
stamp="$(mktemp)"
trap 'rm -f "$stamp"' EXIT
# --ci: no prompts. The bundler builds `duplidesk` in release with tauri/custom-protocol (the UI
# embedded) and packages it with the icons, the desktop entry and the AppStream metadata
# (tauri.conf.json, bundle).
# Stripped, as distributions ship binaries; only here, so the release
# builds of the benchmarks keep their symbols for profilers.
CARGO_PROFILE_RELEASE_STRIP=symbols cargo tauri build --ci --bundles "$bundles"
elapsed=$(($(date +%s) - start))

echo "package: built in $((elapsed / 60)) min $((elapsed % 60)) s:"
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 -type f \
  \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' -o -name '*.dmg' -o -name '*.msi' -o -name '*.exe' \) \
  -newer "$stamp" -printf '  %p  %s bytes\n' 2>/dev/null || true
