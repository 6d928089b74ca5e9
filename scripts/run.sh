#!/usr/bin/env bash
# Sets everything up, builds the demo warehouse from generated sample reports when none exists,
# and runs the dashboard on it (http://localhost:8501): run.py does it all, on Linux as on Windows.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh
exec "$PY" run.py "$@"
