# Sourced by run.sh and setup.sh: PY names the Python to run run.py with: $PYTHON when set, else
# the first of python3, python3.13, python3.12, python3.11 that is 3.11 or newer (Debian 11 and
# Ubuntu 22.04 have an older python3 beside a newer one), else python3, and run.py says why.
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  PY=python3
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY=$candidate
      break
    fi
  done
fi
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Không tìm thấy Python ($PY): cài Python 3.11 trở lên (Debian/Ubuntu: apt-get install python3 python3-venv)." >&2
  exit 1
fi
