"""Loader benchmark: a province-year — 130 communes × 12 monthly reports of ~30
branches (≈1,560 files) — loaded into a fresh warehouse, then loaded again unchanged.

Targets on a 2-core machine: load < 20 s, peak memory < 400 MB, unchanged reload < 3 s.
Also prints ms per file for reading, validating and writing separately (reading and validating
measured one file at a time on a sample of the files, writing in the loader's groups of files per
transaction) and their ratio to python-calamine's bare read.

    .venv/bin/python bench/bench_load.py            # files cached in bench/out/province
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import python_calamine  # noqa: E402

from etl.access import audit  # noqa: E402
from etl.ingest.check import check_file  # noqa: E402
from etl.ingest.load import GROUP, load_paths  # noqa: E402
from etl.ingest.read import read_workbook  # noqa: E402
from etl.ingest.units import Registry  # noqa: E402
from etl.sample import generate  # noqa: E402
from etl.warehouse import db  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
FILES = OUT / "province"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def per_file(fn, files) -> float:
    started = time.perf_counter()
    for f in files:
        fn(f)
    return (time.perf_counter() - started) / len(files)


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process: its private pages plus its share of the pages it
    shares (forked workers share most of the parent's), so a sum over processes counts each
    page once."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _tree(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += _tree(int(child))
    return out


class PeakMemory(threading.Thread):
    """The peak, over the run, of the summed PSS of this process and its workers."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.done = 0.0, threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            try:
                self.peak = max(self.peak, sum(_pss_mb(p) for p in _tree(os.getpid())))
            except OSError:  # a worker ended between listing and reading
                continue

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.join()


def main() -> None:
    if not (FILES / "manifest.csv").exists():
        print("generating 130 communes × 12 months of reports (~20 s, once)...", flush=True)
        generate(FILES, communes=130, branches=(28, 32), first="2025-01", last="2025-12")
    files = sorted(FILES.rglob("*.xls*"))
    reports = [f for f in files if "bao-cao-thang" in f.parts]
    target = OUT / "bench-load.duckdb"
    for p in (target, Path(str(target) + ".wal")):
        p.unlink(missing_ok=True)

    con = db.connect(target)
    started = time.perf_counter()
    with PeakMemory() as memory:
        results = load_paths(con, [FILES])
    load_s = time.perf_counter() - started
    statuses = {s: sum(r.status == s for r in results) for s in ("loaded", "unchanged", "rejected")}
    started = time.perf_counter()
    again = load_paths(con, [FILES])
    reload_s = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM branch_meetings").fetchone()[0]
    rss_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # Stages, one file at a time on a sample (warm caches, as in a long run).
    sample = reports[:: max(1, len(reports) // 200)]
    registry = Registry.from_db(con)

    def bare(path):
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()

    per_file(bare, sample[:20])
    per_file(lambda f: check_file(f, registry), sample[:20])
    t_bare = per_file(bare, sample)
    t_read = per_file(read_workbook, sample)
    checked = [check_file(f, registry) for f in sample]
    t_check = per_file(lambda f: check_file(f, registry), sample)
    scratch = OUT / "bench-write.duckdb"
    for p in (scratch, Path(str(scratch) + ".wal")):
        p.unlink(missing_ok=True)
    shutil.copyfile(target, scratch)
    wcon = db.connect(scratch)
    times = []
    for i in range(0, len(checked), GROUP):  # as the loader writes: GROUP files per transaction
        group = [dict(kind=c.result.kind, source_file=c.result.file, sha256=c.result.sha256 + "x",
                      received_at=None, meta=c.meta, rows=c.rows) for c in checked[i:i + GROUP]]
        t = time.perf_counter()
        db.write_loads(wcon, group, after=lambda con, ids: audit.record_many(
            con, "load", [{"file_name": f["source_file"], "detail": str(i)} for i, f in zip(ids, group)]))
        times.append((time.perf_counter() - t) / len(group))
    wcon.close()
    t_write = statistics.mean(times)
    t_validate = t_check - t_read

    print(f"files: {len(files)} ({len(reports)} monthly reports), branch-months loaded: {rows:,}")
    print(f"load:   {load_s:.2f} s  ({load_s / len(files) * 1000:.2f} ms/file wall, "
          f"2 checking workers + 1 writer)  statuses: {statuses}")
    print(f"reload unchanged: {reload_s:.2f} s  statuses: "
          f"{ {s: sum(r.status == s for r in again) for s in ('loaded', 'unchanged', 'rejected')} }")
    print(f"peak memory of the load, its processes together (PSS, shared pages once): {memory.peak:.0f} MB; "
          f"peak RSS: main {rss_main:.0f} MB, largest worker {rss_child:.0f} MB (RSS counts the pages "
          "a forked worker shares with the main process in both)")
    print("per file, one at a time:")
    for label, t in (("calamine bare read", t_bare), ("read (guards + calamine)", t_read),
                     ("validate (recognise, parse, check)", t_validate),
                     (f"write ({GROUP} files per transaction)", t_write)):
        print(f"  {label:<36} {ms(t):>10}   ×{t / t_bare:5.1f} of bare read")
    print(f"  {'sequential total':<36} {ms(t_read + t_validate + t_write):>10}")


if __name__ == "__main__":
    main()
