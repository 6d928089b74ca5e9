"""Large runs are checked in worker processes ahead of the writer: the results, the warehouse and
the audit trail are exactly those of a run checked in one process, also when a registry file
loads mid-run (the files checked ahead against the old registry are checked again)."""
from __future__ import annotations

import shutil

import pytest

from builders import S2, clone, monthly_book, registry_book, targets_book, write_book
from etl.access import audit
from etl.ingest import load
from etl.ingest.load import load_paths
from etl.warehouse import db


def _files(folder):
    bad = clone(monthly_book(month=5))
    bad[S2][4][7] = 999  # more attended than members
    books = {
        # reports before the registry: rejected for unknown units at first, loaded after it
        **{f"a-{m:02d}.xlsx": monthly_book(month=m) for m in (1, 2, 3, 4)},
        "b-bad.xlsx": bad,
        "c-targets.xlsx": targets_book(),
        "d-registry.xlsx": registry_book(),
        **{f"e-{m:02d}.xlsx": monthly_book(month=m) for m in (6, 7, 8)},
    }
    for name, book in books.items():
        write_book(folder / name, book)
    shutil.copyfile(folder / "a-01.xlsx", folder / "f-again.xlsx")  # a-01's bytes: unchanged
    (folder / "c-junk.xlsx").write_bytes(b"not a workbook")
    return folder


def _run(tmp_path, name):
    con = db.connect(tmp_path / f"{name}.duckdb")
    results = load_paths(con, [tmp_path / "in"], account="ba1")
    out = ([(r.file, r.status, r.commune, r.period, sorted((p.code, p.cell) for p in r.problems)) for r in results],
           con.execute("SELECT load_id, kind, source_file, commune_code, period FROM loads ORDER BY 1").fetchall(),
           [(a["action"], a["file_name"], a["detail"]) for a in reversed(audit.audit(con))],
           con.execute("SELECT * FROM branch_meetings ORDER BY ALL").fetchall())
    con.close()
    return out


@pytest.mark.parametrize("chunk", [1, 3])
def test_workers_give_the_results_of_one_process(tmp_path, monkeypatch, chunk):
    _files(tmp_path / "in")
    monkeypatch.setattr(load, "PARALLEL_FROM", 10**6)
    alone = _run(tmp_path, "alone")
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load, "WORKERS", 2)
    monkeypatch.setattr(load, "CHUNK", chunk)
    monkeypatch.setattr(load, "AHEAD", 2)
    assert _run(tmp_path, "workers") == alone
    statuses = [s for _, s, *_ in alone[0]]
    assert statuses.count("loaded") == 9 and statuses.count("unchanged") == 1


def test_without_fork_the_files_are_checked_in_this_process(tmp_path, monkeypatch):
    """Windows has no fork (multiprocessing refuses the context): a large run still loads."""
    _files(tmp_path / "in")
    monkeypatch.setattr(load, "PARALLEL_FROM", 10**6)
    alone = _run(tmp_path, "alone")

    def no_fork(method):
        raise ValueError(f"cannot find context for {method!r}")
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load, "WORKERS", 2)
    monkeypatch.setattr(load, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(load, "get_context", no_fork)
    assert _run(tmp_path, "windows") == alone


def test_a_file_failing_in_a_group_writes_nothing_and_the_files_before_it_load(warehouse, tmp_path, monkeypatch):
    """Files are written several per transaction; when one fails, the group is written again a
    file per transaction: the files before it are loaded, it writes nothing and its error is
    raised (as when every file had its own transaction)."""
    for m in (1, 2, 3):
        write_book(tmp_path / "in" / f"m{m}.xlsx", monthly_book(month=m))
    real = db.write_loads

    def failing(con, files, after=None):
        def audit_then_fail(c, load_ids):
            after(c, load_ids)
            if any(f["source_file"] == "m2.xlsx" for f in files):
                raise RuntimeError("disk full")
        return real(con, files, audit_then_fail)
    monkeypatch.setattr(db, "write_loads", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        load_paths(warehouse, [tmp_path / "in"])
    assert warehouse.execute("SELECT source_file FROM loads WHERE kind = 'monthly'").fetchall() == [("m1.xlsx",)]
    assert [(a["action"], a["file_name"]) for a in audit.audit(warehouse)] == [
        ("load", "m1.xlsx"), ("load", "registry.xlsx")]
    assert warehouse.execute("SELECT DISTINCT period FROM branch_meetings").fetchall() == [("2024-01",)]
