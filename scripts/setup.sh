#!/usr/bin/env bash
# Creates .venv and installs the pinned requirements, again only when requirements.txt changed
# (run.py --setup-only).
# With --browser it also installs Debian's Chromium (for the browser tests and chart images).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh
"$PY" run.py --setup-only
if [ "${1:-}" = "--browser" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/soffice ] || [ ! -x /usr/bin/pdftoppm ]; }; then
  # Chromium for the browser tests and chart images; LibreOffice (with fonts that have the
  # Vietnamese letters) and poppler to open the December export and render its pages
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2 poppler-utils >/dev/null
fi
