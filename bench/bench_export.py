"""Benchmark: the export (workbook + Word report with chart images) of a province: the December
summary of the year, and with --period any period of it (a month, a quarter, a half-year).

    .venv/bin/python bench/bench_export.py [--communes 130] [--branches 20 40] [--runs 2]
                                           [--period 2025 --period 2025-10 --period 2025-H1]

Builds once, then reuses, a warehouse under bench/out/ (git-ignored): etl.sample.generate with
130 communes of 20–40 branches (about 30) for 2025, loaded with etl.ingest.load.load_paths, each
monthly report with the day it was received. Then times collect (every indicator query),
the .xlsx, the chart figures and their images, the .docx, and the two whole paths: build_files
(the dashboard page: both files' bytes) and export_year (the command line: the same, written),
and prints the figures. The first run includes starting Chromium for the images; later runs
reuse it (as the dashboard does). Target: both files under 15 s for the year, under 10 s for a
month and for a half-year.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.ingest.load import load_paths  # noqa: E402
from etl.outputs import export  # noqa: E402
from etl.outputs.export import charts, data as export_data, report  # noqa: E402
from etl.period import Period  # noqa: E402
from etl.sample import generate  # noqa: E402
from etl.warehouse import db  # noqa: E402

OUT = ROOT / "bench" / "out"
YEAR = 2025


def build_warehouse(communes: int, branches: tuple[int, int]) -> Path:
    path = OUT / f"province-{communes}x{branches[0]}-{branches[1]}-{YEAR}.duckdb"
    if path.exists():
        print(f"kho dữ liệu có sẵn: {path.relative_to(ROOT)}")
        return path
    started = time.perf_counter()
    files = generate(OUT / f"sample-{communes}", communes=communes, first=f"{YEAR}-01",
                     last=f"{YEAR}-12", branches=branches)
    print(f"sinh {len(files)} tệp mẫu: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    con = db.connect(partial)
    load_paths(con, [f.path for f in files if f.kind != "monthly"])
    by_day = defaultdict(list)
    for f in files:
        if f.kind == "monthly":
            by_day[f.received_on].append(f.path)
    rejected = 0
    for day, paths in sorted(by_day.items()):
        results = load_paths(con, paths, received_at=datetime(day.year, day.month, day.day, 9))
        rejected += sum(r.status == "rejected" for r in results)
    con.close()
    partial.rename(path)  # only a complete warehouse is reused
    print(f"nạp vào kho: {time.perf_counter() - started:.1f} s ({rejected} tệp bị từ chối)")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo thời gian xuất báo cáo tổng hợp (tỉnh).")
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--branches", type=int, nargs=2, default=(20, 40))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--period", action="append", type=Period.parse, metavar="P",
                        help=f"kỳ xuất (lặp lại được; mặc định {YEAR})")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    con = db.connect(build_warehouse(args.communes, tuple(args.branches)), read_only=True)
    size = con.execute("SELECT count(*) FROM branch_meetings WHERE period LIKE ?", [f"{YEAR}-%"]).fetchone()[0]
    print(f"{size} chi bộ - tháng trong năm {YEAR}")
    for period, run in ((p, r) for p in args.period or [Period.year(YEAR)] for r in range(1, args.runs + 1)):
        t0 = time.perf_counter()
        data = export_data.collect(con, period)
        t1 = time.perf_counter()
        xlsx = export.workbook_bytes(data)
        t2 = time.perf_counter()
        captioned = charts.figures(data)
        t3 = time.perf_counter()
        pngs, warnings = charts.to_png([fig for _, fig in captioned])
        t4 = time.perf_counter()
        docx = report.build(data, pngs, [caption for caption, _ in captioned])
        t5 = time.perf_counter()
        files = export.build_files(con, period)        # the page's path: both files' bytes
        t6 = time.perf_counter()
        result = export.export_year(con, period, out_dir=OUT / "export")   # the command line's
        t7 = time.perf_counter()
        print(f"{period.name}, lần {run}: truy vấn chỉ số {t1 - t0:.2f} s · xlsx {t2 - t1:.2f} s ({len(xlsx) / 1e6:.1f} MB) · "
              f"biểu đồ dựng {t3 - t2:.2f} s, vẽ ảnh {t4 - t3:.2f} s · docx {t5 - t4:.2f} s "
              f"({len(docx) / 1e6:.1f} MB) · build_files cả hai tệp {t6 - t5:.2f} s · export_year cả hai "
              f"tệp {t7 - t6:.2f} s"
              + (f" · cảnh báo: {warnings + files.warnings + result.warnings}"
                 if warnings or files.warnings or result.warnings else ""))
    con.close()
    charts.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
