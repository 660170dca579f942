#!/usr/bin/env bash
# Checks the web UI (ui/js: plain ES modules, no build step). Quiet when all is well.
#   1. every module parses as an ES module (node --check);
#   2. ESLint: the recommended rules, browser globals and a few rules that catch bugs
#      (scripts/ui-check/eslint.config.js);
#   3. the English and Spanish dictionaries have the same keys and placeholders
#      (scripts/ui-check/check-i18n.js);
#   4. TypeScript checks every module (JSDoc) against the payload types generated from Rust
#      (ui/js/types.d.ts) and the Tauri globals (ui/js/tauri.d.ts); options in ui/jsconfig.json.
# ESLint and TypeScript come from the npm registry: npm ci in scripts/ui-check on the first run
# and whenever its package.json or package-lock.json changed. Needs node and npm
# (install-deps.sh --test).
#   bash scripts/check-ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=scripts/ui-check
failed=()

die() { echo "check-ui: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found: install Node.js (bash scripts/install-deps.sh --test)"
command -v npm >/dev/null 2>&1 || die "npm not found: install it (bash scripts/install-deps.sh --test)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a * 100 + b >= 1818 ? 0 : 1)' ||
  die "node $(node --version) is too old: ESLint 9 needs Node.js 18.18 or newer"

# --- 1. syntax ---------------------------------------------------------------------------------
# Through stdin with --input-type=module: given a path, node decides itself whether a .js file
# outside a "type": "module" package is CommonJS or an ES module, and lets some syntax errors of
# ES modules pass. node names the file [stdin]; its stack trace says nothing about the module.
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
# shellcheck disable=SC2016
if ! find ui/js -name '*.js' -print0 | xargs -0 -n 1 -P "$jobs" bash -c '
  out=$(node --check --input-type=module <"$1" 2>&1) && exit 0
  msg=$(printf "%s\n" "$out" |
    sed -e "s|^\[stdin\]|$1|" -e "/^    at /d" -e "/^Node\.js v/d" -e "/^\$/d" -e "s/^/  /")
  printf "check-ui: %s does not parse:\n%s\n" "$1" "$msg" >&2
  exit 1' _; then
  failed+=("syntax")
fi

# --- 2. ESLint ---------------------------------------------------------------------------------
# node_modules/.installed holds the package.json and package-lock.json it was installed from.
stamp="$TOOLS/node_modules/.installed"
if ! cat "$TOOLS/package.json" "$TOOLS/package-lock.json" | cmp -s - "$stamp" 2>/dev/null; then
  echo "check-ui: installing ESLint and TypeScript (npm ci in $TOOLS)"
  if ! (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    die "npm ci failed in $TOOLS (is the npm registry reachable?)"
  fi
  cat "$TOOLS/package.json" "$TOOLS/package-lock.json" >"$stamp"
fi
# The cache (by content; ESLint drops it when its version or the config changes) makes a run
# without changes take well under a second.
if ! "$TOOLS/node_modules/.bin/eslint" --config "$TOOLS/eslint.config.js" --max-warnings 0 \
  --cache --cache-strategy content --cache-location "$TOOLS/node_modules/.cache/eslint/" ui/js >&2; then
  failed+=("eslint")
fi

# --- 3. dictionaries ---------------------------------------------------------------------------
node "$TOOLS/check-i18n.js" ui/js/i18n || failed+=("dictionaries")

# --- 4. types ----------------------------------------------------------------------------------
# tsc names each error as file(line,col) with the mismatch, e.g. a field the payload type lacks.
if ! "$TOOLS/node_modules/.bin/tsc" -p ui/jsconfig.json >&2; then
  failed+=("types")
fi

if [ "${#failed[@]}" -gt 0 ]; then
  die "FAILED: ${failed[*]} (see above)"
fi
