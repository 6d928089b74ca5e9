"""The dashboard's read copy: fresh when the warehouse is free, the last copy (marked stale)
while another process writes, and never in the writer's way for long."""
from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from builders import clone, monthly_book, registry_book, write_book, COVER
from etl.ingest.load import load_paths
from etl.warehouse import db, snapshot

ROOT = Path(__file__).resolve().parents[1]


def count(snap) -> int:
    import duckdb
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM report_submissions").fetchone()[0]
    finally:
        con.close()


def test_missing_warehouse_says_what_to_do(tmp_path):
    snap = snapshot.refresh(tmp_path / "none.duckdb")
    assert snap.path is None and "python -m etl load" in snap.error


def test_snapshot_follows_the_warehouse_and_survives_a_writer(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book()), write_book(tmp_path / "m.xlsx", monthly_book())])
    con.close()
    first = snapshot.refresh(path)
    assert not first.stale and count(first) == 1
    assert snapshot.refresh(path).path == first.path  # unchanged warehouse: no new copy

    book = clone(monthly_book())
    book[COVER][5][1] = "Người lập khác"
    second = write_book(tmp_path / "m2.xlsx", book)
    # A real second process loads and keeps the warehouse open for writing for a while.
    script = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
              "from etl.warehouse import db; from etl.ingest.load import load_paths\n"
              f"con = db.connect({str(path)!r}); load_paths(con, [{str(second)!r}])\n"
              "print('loaded', flush=True); time.sleep(4); con.close()\n")
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "loaded"
        started = time.monotonic()
        during = snapshot.refresh(path)
        assert time.monotonic() - started < 3
        assert during.stale and count(during) == 1  # the last copy, marked stale
        # the sessions of a dashboard meanwhile get that copy at once, not each after its own try
        started = time.monotonic()
        with ThreadPoolExecutor(10) as pool:
            meanwhile = list(pool.map(lambda _: snapshot.refresh(path), range(10)))
        assert time.monotonic() - started < 0.4  # ten tries in turn: 5 s
        assert all(s.stale and s.path == during.path for s in meanwhile)
    finally:
        writer.wait(timeout=60)
    after = snapshot.refresh(path)
    assert not after.stale and count(after) == 2
