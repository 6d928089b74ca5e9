"""Benchmark: every data-quality flag (etl/warehouse/sql/quality) on a province warehouse.

    .venv/bin/python bench/bench_quality.py [--communes 130] [--branches 30] [--years 10] [--runs 5]

Reuses bench_pages.py's warehouse (bench/out/pages-<communes>x<branches>x<years>y.duckdb, built
once with bulk SQL). Its rows are made for page timings, not to be honest data (members_total is
constant while sheet 3 admits members), so it raises many flags: the figures are the cost of the
rules, not their rate (tests/test_quality_sample.py measures that on the sample generator's data).
Prints the median and range of --runs runs after one cold run (and their median CPU time), for the SPEC view over every month
and commune, one year's data_quality_counts (the page's counts), one commune's year (what
`load` reads after a file), one month's counts and Tổng quan's attention list of a year (whose
data-quality reason counts that year's flags); target < 1 s for the whole view.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import LAST_YEAR, build_warehouse  # noqa: E402
from etl import indicators as ind  # noqa: E402
from etl.warehouse import db  # noqa: E402

TARGET_S = 1.0


def timed(fn, runs: int) -> tuple[float, list[float], float, object]:
    """Median wall time, every wall time, median CPU time (all of DuckDB's threads: on a shared
    machine the wall time grows with the others' load, the CPU time much less), the result."""
    result = fn()  # cold
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), times, statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--branches", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = build_warehouse(args.communes, args.branches, args.years)
    con = db.connect(path)  # migrates the bench warehouse to this schema once
    con.close()
    con = db.connect(path, read_only=True)
    year = ind.Scope.for_year(LAST_YEAR)
    december = ind.Scope(f"{LAST_YEAR}-12", f"{LAST_YEAR}-12")
    one = ind.Scope.for_year(LAST_YEAR, communes=(con.execute("SELECT min(commune_code) FROM current_reports")
                                                   .fetchone()[0],))
    cases = {
        "data_quality_flags (mọi tháng, mọi đảng bộ)":
            lambda: con.execute("SELECT rule, count(*) FROM data_quality_flags GROUP BY ALL").fetchall(),
        f"data_quality_counts, năm {LAST_YEAR}": lambda: ind.data_quality_counts(con, year),
        f"data_quality, một đảng bộ, năm {LAST_YEAR}": lambda: ind.data_quality(con, one),
        # Tổng quan's "Cần quan tâm": its data-quality reason counts the year's unverified flags
        f"data_quality_counts, tháng {LAST_YEAR}-12": lambda: ind.data_quality_counts(con, december),
        f"attention (Tổng quan), năm {LAST_YEAR}": lambda: ind.attention(con, year),
    }
    months = con.execute("SELECT count(*) FROM branch_meetings").fetchone()[0]
    print(f"{args.communes} đảng bộ × {args.branches} chi bộ × {args.years} năm: {months:,} tháng-chi bộ"
          .replace(",", "."))
    for name, fn in cases.items():
        median, times, cpu, result = timed(fn, args.runs)
        print(f"{name:<50} trung vị {median * 1000:7.0f} ms  ({min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms)"
              f"  CPU {cpu * 1000:.0f} ms")
        if isinstance(result, list):
            print("    " + ", ".join(f"{rule}: {n:,}".replace(",", ".") for rule, n in sorted(result)))
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
