# Sourced by run.sh and setup.sh: PY names a Python 3.11+ to run run.py with ($PYTHON if set, else
# the first of python3, python3.13, python3.12, python3.11 that is recent enough: Debian 11 and
# Ubuntu 22.04 have an older python3 beside a newer one). None: python3, and run.py says why.
PY=""
for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY=$candidate
    break
  fi
done
PY=${PY:-${PYTHON:-python3}}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Không tìm thấy Python: cài Python 3.11 trở lên (Debian/Ubuntu: apt-get install python3 python3-venv)." >&2
  exit 1
fi
