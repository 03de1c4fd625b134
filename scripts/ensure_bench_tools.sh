#!/usr/bin/env bash
# make bench drives the server with wrk and hey (serve-lookup); Debian packages them. Install the
# missing ones when root, as make test installs Chromium; otherwise say how and go on (the
# workloads that need them report themselves skipped).
set -euo pipefail
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v hey >/dev/null || need+=(hey)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[bench] installing ${need[*]}…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  exit 0
fi
echo "[bench] ${need[*]} not installed and not root: sudo apt-get install ${need[*]}" >&2
exit 1
