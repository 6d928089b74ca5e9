"""The original files (etl.warehouse.originals): every file given to the loader, loaded, unchanged or
rejected, is kept byte for byte beside the warehouse under its sha256, and `python -m etl original`
gives back a report's current version or version N."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import duckdb
import pytest

from builders import S2, clone, monthly_book, registry_book, write_book
from etl.ingest.load import load_paths
from etl.warehouse import db, originals
from conftest import ROOT


def etl(*args):
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def two_versions(tmp_path, warehouse_file):
    """March 2024 of X01 loaded twice (a correction), and a rejected file."""
    second = clone(monthly_book())
    second[S2][4][7] = 1  # fewer members attended: a new version
    bad = clone(monthly_book())
    bad[S2][4][7] = 999  # attended > members: rejected
    files = [write_book(tmp_path / "in" / "thang-3.xlsx", monthly_book()),
             write_book(tmp_path / "in2" / "thang-3-sua.xls.xlsx", second),
             write_book(tmp_path / "in3" / "thang-3-sai.xlsx", bad)]
    con = db.connect(warehouse_file)
    try:
        statuses = [r.status for f in files for r in load_paths(con, [f])]
    finally:
        con.close()
    assert statuses == ["loaded", "loaded", "rejected"]
    return warehouse_file, files


def test_every_file_is_kept_byte_identical_under_its_sha256(tmp_path, two_versions):
    warehouse, files = two_versions
    store = originals.store_for(warehouse)
    assert store == warehouse.with_name("warehouse.files")
    for f in files:  # the rejected one too
        assert originals.path_of(store, _sha(f)).read_bytes() == f.read_bytes()
    # an unchanged file is kept too (here: a warehouse that lost its store, loading it again)
    kept = originals.path_of(store, _sha(files[1]))
    kept.unlink()
    con = db.connect(warehouse)
    try:
        [r] = load_paths(con, [files[1]])
    finally:
        con.close()
    assert r.status == "unchanged"
    assert kept.read_bytes() == files[1].read_bytes()
    assert not list(store.rglob("*.tmp"))


def test_a_warehouse_in_memory_keeps_no_store(tmp_path):
    con = duckdb.connect()
    db.migrate(con)
    [r] = load_paths(con, [write_book(tmp_path / "registry.xlsx", registry_book())])
    assert r.status == "loaded" and originals.store_of(con) is None


def test_original_command_writes_the_current_version_or_version_n(tmp_path, two_versions):
    warehouse, files = two_versions
    out = tmp_path / "ra.xlsx"
    p = etl("original", "--db", warehouse, "--commune", "x01", "--month", "2024-03", "-o", out)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == files[1].read_bytes()
    assert "lần nạp 2 (phiên bản hiện hành)" in p.stdout and _sha(files[1]) in p.stdout
    p = etl("original", "--db", warehouse, "--commune", "X01", "--month", "2024-03", "--version", "1", "-o", out)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == files[0].read_bytes()
    assert "lần nạp 1," in p.stdout


@pytest.mark.parametrize("args, message", [
    (("--month", "2024-03", "--version", "3"), "không có lần nạp thứ 3; có 2 lần (1–2)"),
    (("--month", "2024-04"), "chưa có báo cáo tháng 04/2024"),
])
def test_original_command_refuses_what_does_not_exist(tmp_path, two_versions, args, message):
    warehouse, _ = two_versions
    out = tmp_path / "ra.xlsx"
    p = etl("original", "--db", warehouse, "--commune", "X01", *args, "-o", out)
    assert p.returncode == 1 and message in p.stderr and "Traceback" not in p.stderr
    assert not out.exists()


def test_an_altered_or_missing_original_is_said_so(tmp_path, two_versions):
    warehouse, files = two_versions
    kept = originals.path_of(originals.store_for(warehouse), _sha(files[1]))
    kept.write_bytes(b"something else")
    p = etl("original", "--db", warehouse, "--commune", "X01", "--month", "2024-03", "-o", tmp_path / "ra.xlsx")
    assert p.returncode == 1 and "không khớp mã băm" in p.stderr
    kept.unlink()
    p = etl("original", "--db", warehouse, "--commune", "X01", "--month", "2024-03", "-o", tmp_path / "ra.xlsx")
    assert p.returncode == 1 and "Không còn lưu tệp gốc" in p.stderr


def test_a_file_that_cannot_be_kept_stops_the_run_before_any_row_names_it(tmp_path, warehouse_file):
    """A file the store cannot take stops the run with the OSError, and no load or audit row names
    a file that was not kept."""
    files = [write_book(tmp_path / "in" / f"thang-{m}.xlsx", monthly_book(month=m))
             for m in (3, 4)]
    con = db.connect(warehouse_file)
    try:
        store = originals.store_of(con)
        store.mkdir(parents=True, exist_ok=True)
        # the second file's fan-out folder is a file: it cannot be kept there
        (store / _sha(files[1])[:2]).write_bytes(b"")
        with pytest.raises(OSError):
            load_paths(con, files)
        named = {h for (h,) in con.execute("SELECT sha256 FROM loads UNION ALL SELECT sha256 FROM audit_log "
                                           "WHERE sha256 IS NOT NULL").fetchall()}
    finally:
        con.close()
    assert _sha(files[1]) not in named
    assert all(originals.path_of(store, h).exists() for h in named)
