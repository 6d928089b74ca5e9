#!/usr/bin/env bash
# Sets everything up (venv, pinned packages, Debian's Chromium) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
exec .venv/bin/python -m pytest -q "$@"
