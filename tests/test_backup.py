"""Backup and restore (etl.warehouse.backup, python -m etl backup | restore): a restored warehouse
gives every SPEC §5 view row for row, the login file and the originals byte for byte; a backup
taken while a load runs in another process is a committed state; a backup killed (kill -9) at any
moment leaves nothing restore accepts; restore never overwrites without --replace."""
from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.access import logins
from etl.sample import generate
from etl.warehouse import backup, db, originals
from conftest import ROOT
from ui.markup import md

SPEC_VIEWS = ("units_commune", "units_branch", "committee_meetings", "branch_meetings", "recruitment",
              "recruitment_targets", "annual_ratings", "inspection_findings", "report_submissions")
TABLES = ("audit_log", "accounts", "loads", "rejections", "rejection_problems")


def etl(*args):
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def rows(path: Path, relation: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()
    finally:
        con.close()


def kept_files(warehouse: Path) -> dict[str, bytes]:
    store = originals.store_for(warehouse)
    return {p.name: p.read_bytes() for p in store.glob("??/*")}


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    """The demo warehouse, its originals and a login file with attempts in it."""
    path = tmp_path / "kho" / "demo.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    shutil.copytree(originals.store_for(demo_db), originals.store_for(path))
    with logins.opened(path) as con:
        logins.record(con, "login", "ok", account="bantochuc", client="1.2.3.4 firefox", at=datetime(2026, 11, 2, 8))
        logins.record(con, "login_failed", "wrong", account=None, client="5.6.7.8 chrome")
    return path


def test_a_restored_warehouse_gives_every_view_row_for_row_and_the_originals_byte_for_byte(demo_copy, tmp_path):
    damaged = tmp_path / "hong.xlsx"
    damaged.write_bytes(b"not a workbook")  # a rejected file: its problems are in the warehouse too
    assert etl("load", "--db", demo_copy, damaged).returncode == 1
    assert rows(demo_copy, "rejection_problems")
    made = etl("backup", "--db", demo_copy, "-o", tmp_path / "sao-luu")
    assert made.returncode == 0, made.stderr
    [zip_file] = (tmp_path / "sao-luu").glob("*.zip")
    digest = hashlib.sha256(zip_file.read_bytes()).hexdigest()
    assert f"Đã sao lưu: {zip_file}" in made.stdout and digest in made.stdout and "Dung lượng: " in made.stdout
    new = tmp_path / "moi" / "kho.duckdb"
    restored = etl("restore", zip_file, "--db", new)
    assert restored.returncode == 0, restored.stderr
    for relation in SPEC_VIEWS + TABLES:
        assert rows(new, relation) == rows(demo_copy, relation), relation
    assert rows(logins.path_for(new), "login_attempts") == rows(logins.path_for(demo_copy), "login_attempts")
    kept = kept_files(demo_copy)
    assert len(kept) > 50 and kept_files(new) == kept
    # every report's original comes back by the command line from the restored warehouse
    out = tmp_path / "goc.xlsx"
    p = etl("original", "--db", new, "--commune", rows(new, "report_submissions")[0][0],
            "--month", rows(new, "report_submissions")[0][1], "-o", out)
    assert p.returncode == 0, p.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == rows(new, "report_submissions")[0][5]


def test_restore_never_overwrites_unless_asked_and_then_sets_the_old_one_aside(demo_copy, tmp_path):
    made = backup.make(demo_copy, tmp_path / "sao-luu")
    p = etl("restore", made.path, "--db", demo_copy)
    assert p.returncode == 1 and "không ghi đè" in p.stderr and "--replace" in p.stderr
    before = demo_copy.read_bytes()
    p = etl("restore", made.path, "--db", demo_copy, "--replace")
    assert p.returncode == 0, p.stderr
    [aside] = demo_copy.parent.glob("demo.duckdb.truoc-khoi-phuc-*")
    assert aside.read_bytes() == before and f"Đã đổi tên tệp cũ thành: {aside}" in p.stdout
    assert rows(demo_copy, "report_submissions") == rows(aside, "report_submissions")


def test_an_altered_or_unfinished_backup_is_refused(demo_copy, tmp_path):
    made = backup.make(demo_copy, tmp_path / "sao-luu")
    data = bytearray(made.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.path.write_bytes(bytes(data))
    p = etl("restore", made.path, "--db", tmp_path / "a.duckdb")
    assert p.returncode == 1 and "không khớp mã kiểm tra SHA-256" in p.stderr and not (tmp_path / "a.duckdb").exists()
    backup.make(demo_copy, tmp_path / "khac")
    [other] = (tmp_path / "khac").glob("*.zip")
    Path(f"{other}.sha256").unlink()
    p = etl("restore", other, "--db", tmp_path / "b.duckdb")
    assert p.returncode == 1 and "chưa hoàn tất" in p.stderr and not (tmp_path / "b.duckdb").exists()


# Makes a backup slowly (a pause at each member), so that a kill lands in the middle of it.
SLOW_BACKUP = """
import sys, time, zipfile
from etl.warehouse import backup
write = zipfile.ZipFile.write
def slow(self, *args, **kwargs):
    time.sleep(0.002)
    return write(self, *args, **kwargs)
zipfile.ZipFile.write = slow
print("start", flush=True)
backup.make(sys.argv[1], sys.argv[2])
"""


def test_a_backup_killed_at_any_moment_leaves_nothing_restore_accepts(demo_copy, tmp_path):
    folder = tmp_path / "sao-luu"
    killed_midway = 0
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        p = subprocess.Popen([sys.executable, "-c", SLOW_BACKUP, str(demo_copy), str(folder)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "start"
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        for leftover in folder.iterdir():
            try:
                backup.verify(leftover)
            except backup.BackupError:
                killed_midway += 1
                continue
            # accepted: then it is whole (the kill came after its checksum was written)
            new = tmp_path / f"r{delay}" / "kho.duckdb"
            backup.restore(leftover, new)
            assert rows(new, "report_submissions") == rows(demo_copy, "report_submissions")
            leftover.unlink()
            Path(f"{leftover}.sha256").unlink()
        for leftover in folder.iterdir():
            leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
    assert killed_midway, "no kill landed during a backup: make the backup slower"


def test_a_backup_while_a_load_runs_in_another_process_is_a_committed_state(tmp_path):
    files = [f.path for f in generate(tmp_path / "mau", communes=6, first="2025-01", last="2026-06")]
    warehouse = tmp_path / "kho.duckdb"
    load = subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(warehouse), str(tmp_path / "mau")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    made = []
    try:
        while load.poll() is None or not made:
            if warehouse.exists():
                made.append(backup.make(warehouse, tmp_path / "sao-luu", wait=300))
            time.sleep(0.2)
    finally:
        assert load.wait(timeout=300) in (0, 1), load.stderr.read()
    for i, m in enumerate(made):
        new = tmp_path / f"r{i}" / "kho.duckdb"
        backup.restore(m.path, new)
        con = duckdb.connect(str(new), read_only=True)
        try:
            loads = con.execute("SELECT count(*) FROM loads").fetchone()[0]
            audited = con.execute("SELECT count(*) FROM audit_log WHERE action = 'load'").fetchone()[0]
            shas = [s for (s,) in con.execute("SELECT sha256 FROM loads").fetchall()]
        finally:
            con.close()
        assert loads == audited  # a load's rows and its audit row commit together: never one without the other
        assert all(originals.path_of(originals.store_for(new), s).exists() for s in shas)
    assert rows(new, "report_submissions") == rows(warehouse, "report_submissions")  # the last: after the load
    assert len(files) > 50


def test_the_nightly_backup_rotates_and_a_failure_shows_on_the_audit_page(app, demo_copy, tmp_path):
    folder = tmp_path / "sao-luu"
    made = []
    for second in range(3):
        made.append(backup.nightly(demo_copy, folder, keep=2))
        time.sleep(1.05)  # one backup a second: names carry the second
    assert backup.backups(folder, "demo") == [m.path for m in made[1:]]
    assert backup.last_status(demo_copy)["ok"]
    at = app(demo_copy, page="nhat_ky")
    assert not at.error and any(c.value.startswith("Sao lưu tự động gần nhất: ") and md(made[-1].path.name) in c.value
                                for c in at.caption)
    blocked = tmp_path / "khong-ghi-duoc"
    blocked.write_text("not a folder")
    with pytest.raises(backup.BackupError):
        backup.nightly(demo_copy, blocked, keep=2)
    assert not backup.last_status(demo_copy)["ok"]
    at = app(demo_copy, page="nhat_ky")
    [error] = at.error
    assert error.value.startswith("Sao lưu tự động lúc ") and "không thành công" in error.value


def test_the_next_nightly_backup_is_at_the_configured_hour():
    assert backup.seconds_until(2, datetime(2026, 12, 5, 1, 30)) == 1800
    assert backup.seconds_until(2, datetime(2026, 12, 5, 2, 0)) == 24 * 3600
    assert backup.seconds_until(2, datetime(2026, 12, 5, 23, 0)) == 3 * 3600
