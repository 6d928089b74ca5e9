#!/usr/bin/env bash
# Sets everything up, builds the demo warehouse from generated sample reports when none exists,
# and runs the dashboard on it (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WAREHOUSE_DB=${WAREHOUSE_DB:-data/demo.duckdb}
if [ ! -f "$WAREHOUSE_DB" ]; then
  .venv/bin/python -m etl.sample data/sample
  .venv/bin/python -m etl load --db "$WAREHOUSE_DB" data/sample || true  # rejected demo files are shown, not fatal
fi
exec .venv/bin/streamlit run dashboard.py --server.headless true "$@"
