#!/usr/bin/env bash
# Create the virtualenv, installing Debian's python3-venv first when it is missing and we may.
set -euo pipefail
py="$1"; venv="$2"
if [ -x "$venv/bin/python" ]; then exit 0; fi
if ! command -v "$py" >/dev/null; then
  echo "Python 3.11+ tidak ditemukan / not found: install python3 (apt-get install python3 python3-venv)" >&2
  exit 2
fi
"$py" - <<'PY' || { echo "PetaLapak needs Python 3.11 or newer" >&2; exit 2; }
import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
if ! "$py" -m venv "$venv" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${ver}-venv" || \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    rm -rf "$venv"; "$py" -m venv "$venv"
  else
    echo "python3-venv is missing: sudo apt-get install python3-venv" >&2; exit 2
  fi
fi
