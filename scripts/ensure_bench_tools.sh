#!/usr/bin/env bash
# Benchmarks drive the served app with wrk (pages) and hey (POSTed lookups), both Debian packages
# (bookworm: wrk 4.1, hey 0.1.4). Install what is missing when root; otherwise say how.
set -euo pipefail
missing=()
for tool in wrk hey; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[bench] installing Debian's ${missing[*]}…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi
echo "[bench] ${missing[*]} not installed and not root: sudo apt-get install ${missing[*]}" >&2
exit 1
