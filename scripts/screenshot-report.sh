#!/usr/bin/env bash
# Renders the support example's `hearth profile` HTML report in headless Chromium and saves a
# screenshot, to check the report renders. Needs Debian's chromium (apt-get install chromium).
# Usage: bash scripts/screenshot-report.sh [out.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/profile-report.png}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node_modules/.bin/node --conditions=@hearth/source src/cli/main.ts profile examples/support/app.ts --runs 5 --no-tools \
  --message "Where is order A123?" --mock examples/support/support-model.ts#supportModel --html "$work/report.html" >/dev/null
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size=1000,1250 --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "$out"
