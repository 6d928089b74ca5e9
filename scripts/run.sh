#!/usr/bin/env bash
# Sets everything up, builds the demo warehouse from generated sample reports when none exists,
# and runs the dashboard on it (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WAREHOUSE_DB=${WAREHOUSE_DB:-data/demo.duckdb}
if [ ! -f "$WAREHOUSE_DB" ]; then
  echo "Đang tạo kho dữ liệu minh họa $WAREHOUSE_DB từ báo cáo mẫu (khoảng 15 giây)..."
  rm -f "$WAREHOUSE_DB.building"
  .venv/bin/python -m etl.sample data/sample --db "$WAREHOUSE_DB.building"
  mv "$WAREHOUSE_DB.building" "$WAREHOUSE_DB"  # only a complete demo warehouse takes the name
fi
if [ "$WAREHOUSE_DB" = data/demo.duckdb ]; then
  .venv/bin/python -m etl.sample.demo "$WAREHOUSE_DB"  # demo accounts, new passwords each start
fi
exec .venv/bin/python -m ui.serve --server.headless true "$@"
