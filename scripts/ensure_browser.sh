#!/usr/bin/env bash
# End-to-end tests drive Debian's Chromium (never a downloaded browser). Install it when root.
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[e2e] installing Debian's chromium…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
  exit 0
fi
echo "[e2e] chromium not installed and not root: sudo apt-get install chromium" >&2
exit 1
