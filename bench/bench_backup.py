"""Originals and backup benchmark: a 10-year province warehouse (130 communes × 120 monthly reports
of ~30 branches, ≈15,600 files) loaded, then backed up and restored.

Prints the disk the originals take (and per province-year), the backup's time and size, the
restore's time (its checksums included), and the warehouse's size.

    .venv/bin/python bench/bench_backup.py          # files and warehouse cached in bench/out/decade
"""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.ingest.load import load_paths  # noqa: E402
from etl.sample import generate  # noqa: E402
from etl.warehouse import backup, db, originals  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "decade"
FILES, WAREHOUSE = OUT / "files", OUT / "decade.duckdb"
YEARS = 10


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def main() -> None:
    if not (FILES / "manifest.csv").exists():
        print("generating 10 years of reports…", flush=True)
        generate(FILES, communes=130, branches=(28, 32), first=f"{2026 - YEARS}-01", last="2025-12")
    if not WAREHOUSE.exists():
        t = time.perf_counter()
        con = db.connect(WAREHOUSE)
        results = load_paths(con, [FILES])
        con.close()
        print(f"loaded {len(results)} files in {time.perf_counter() - t:.0f} s", flush=True)
    store = originals.store_for(WAREHOUSE)
    kept = list(store.glob("??/*"))
    print(f"originals: {len(kept)} files, {mb(size(store))} ({mb(size(store) // YEARS)} per province-year); "
          f"warehouse {mb(size(WAREHOUSE))}")
    folder = OUT / "backup"
    shutil.rmtree(folder, ignore_errors=True)
    t = time.perf_counter()
    made = backup.make(WAREHOUSE, folder)
    print(f"backup: {time.perf_counter() - t:.1f} s, {mb(made.size)}", flush=True)
    target = OUT / "restored" / "decade.duckdb"
    shutil.rmtree(target.parent, ignore_errors=True)
    t = time.perf_counter()
    backup.restore(made.path, target)
    print(f"restore: {time.perf_counter() - t:.1f} s", flush=True)
    shutil.rmtree(target.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
