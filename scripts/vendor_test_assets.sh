#!/usr/bin/env bash
# Refresh the test suite's own copy of axe-core (tests/e2e/assets/) from the npm registry.
#
# For maintainers only (CI never runs this; the copied files are committed): the accessibility
# end-to-end test needs no network. Change the version, run this, run tests/e2e.
set -euo pipefail

AXE_CORE=4.10.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/tests/e2e/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "axe-core@$AXE_CORE" >/dev/null && tar xzf "axe-core-$AXE_CORE.tgz")
mkdir -p "$dest"
cp "$tmp/package/axe.min.js" "$dest/axe.min.js"
cp "$tmp/package/LICENSE" "$dest/axe-core.LICENSE"
echo "axe-core $AXE_CORE copied to $dest"
