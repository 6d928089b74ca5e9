"""The board's confirmation of a monthly report: schema version 3 migrates a
version-2 warehouse; confirm and reopen with their audit rows; refusals; a confirmed month
rejects a changed upload (`report_confirmed`) and writes nothing, loads again after reopening;
the role rule; the I15 matrix flag; `python -m etl confirm | reopen`."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from builders import COVER, S1, S2, clone, codes, monthly_book, registry_book, write_book
from etl import indicators as ind
from etl.access import audit, confirm
from etl.access.accounts import Account
from etl.access.confirm import ConfirmError
from etl.ingest.load import load_paths
from etl.settings import Settings
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]
BOARD = Account("ba1", "ban_to_chuc")
VIEWS = ["units_commune", "units_branch", "committee_meetings", "branch_meetings", "recruitment",
         "recruitment_targets", "annual_ratings", "inspection_findings", "report_submissions",
         "report_confirmations"]


def changed(book=None) -> dict:
    """The default March report with one branch's attendance changed: a new version."""
    book = clone(book or monthly_book())
    book[S2][4][7] = 18
    return book


def everything(con) -> dict:
    return {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS} | {
        "loads": con.execute("SELECT count(*) FROM loads").fetchall()}


@pytest.fixture
def march(load):
    """The warehouse with Lộc Ngãi's (X01) March 2024 report loaded."""
    r = load(monthly_book(), name="thang-3.xlsx")
    assert r.status == "loaded", r.problems
    return r


def test_version_2_warehouse_migrates_to_3_keeping_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book()), write_book(tmp_path / "m.xlsx", monthly_book())])
    audit.record(con, "login", account="ba1")
    # Make it exactly what version 2 wrote: no confirmation table, sequence or view.
    con.execute("DROP VIEW report_confirmations; DROP TABLE confirmation_events; DROP SEQUENCE confirmation_event_ids;"
                "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    before = everything_but_confirmations(con)
    con.close()

    con = db.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(db.SCHEMA_VERSION),)
    assert everything_but_confirmations(con) == before
    assert confirm.confirmed_reports(con) == {}
    confirm.confirm(con, "X01", "2024-03", by=BOARD)
    con.close()
    con = db.connect(path)  # a second open changes nothing
    assert set(confirm.confirmed_reports(con)) == {("X01", "2024-03")}
    con.close()


def everything_but_confirmations(con) -> dict:
    state = {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS[:-1]}
    return state | {"audit": con.execute('SELECT action, account FROM audit_log ORDER BY "at"').fetchall()}


def test_confirm_and_reopen_each_leave_one_audit_row(warehouse, march):
    done = confirm.confirm(warehouse, "x01", "2024-03", by=BOARD)  # the code in any case
    assert (done.commune_code, done.period, done.by) == ("X01", "2024-03", "ba1")
    assert confirm.is_confirmed(warehouse, "X01", "2024-03")
    assert confirm.confirmation(warehouse, "X01", "2024-03") == done
    assert not confirm.is_confirmed(warehouse, "X01", "2024-04")
    again = confirm.reopen(warehouse, "X01", "2024-03", by=None, reason="  Xã xin sửa số liệu ")
    assert (again.by, again.load_id) == (None, done.load_id)
    assert not confirm.is_confirmed(warehouse, "X01", "2024-03") and confirm.confirmed_reports(warehouse) == {}
    rows = audit.audit(warehouse, actions={"confirm", "reopen"})
    assert [(r["action"], r["account"], r["file_name"], r["sha256"], r["detail"]) for r in reversed(rows)] == [
        ("confirm", "ba1", "thang-3.xlsx", march.sha256, f"Đảng bộ Lộc Ngãi (X01), tháng 03/2024 (lần nạp {done.load_id})"),
        ("reopen", None, "thang-3.xlsx", march.sha256,
         f"Đảng bộ Lộc Ngãi (X01), tháng 03/2024 (lần nạp {done.load_id}); lý do: Xã xin sửa số liệu"),
    ]
    # history: both acts kept, the reason with the reopening
    events = warehouse.execute('SELECT action, account, reason FROM confirmation_events ORDER BY event_id').fetchall()
    assert events == [("confirm", "ba1", None), ("reopen", None, "Xã xin sửa số liệu")]
    confirm.confirm(warehouse, "X01", "2024-03", by=None)  # and confirmed again
    assert confirm.confirmation(warehouse, "X01", "2024-03").by is None


@pytest.mark.parametrize("act, commune, month, by, fragment", [
    ("confirm", "X02", "2024-03", None, "Đảng bộ Lộc Quảng chưa có báo cáo tháng 03/2024"),
    ("confirm", "X01", "2024-04", None, "chưa có báo cáo tháng 04/2024"),
    ("confirm", "X99", "2024-03", None, "Không có đảng bộ mã 'X99'"),
    ("confirm", "X01", "2024-13", None, "không đúng dạng"),
    ("confirm", "X01", "2024-03", "already", "đã được duyệt lúc"),
    ("reopen", "X01", "2024-03", None, "chưa được duyệt, không cần mở lại"),
    ("reopen", "X02", "2024-03", None, "chưa có báo cáo tháng 03/2024 nên chưa có gì để mở lại"),
    ("confirm", "X01", "2024-03", Account("tt", "xem"), "không có quyền duyệt"),
    ("confirm", "X01", "2024-03", Account("xa1", "xa", "X01"), "không có quyền duyệt"),
    ("confirm", "X01", "2024-03", Account("ba2", "ban_to_chuc", disabled=True), "không có quyền duyệt"),
    ("confirm", "X01", "2024-03", Account("qt", "quan_tri"), "không có quyền duyệt"),
])
def test_refusals_say_why_in_vietnamese_and_write_nothing(warehouse, march, act, commune, month, by, fragment):
    if by == "already":
        confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
        by = None
    before = everything(warehouse), audit.audit(warehouse)
    with pytest.raises(ConfirmError, match=fragment):
        getattr(confirm, act)(warehouse, commune, month, by=by)
    assert (everything(warehouse), audit.audit(warehouse)) == before


def test_reopen_is_refused_to_a_role_that_may_not_confirm(warehouse, march):
    confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
    for who in (Account("tt", "xem"), Account("xa1", "xa", "X01")):
        with pytest.raises(ConfirmError, match="chỉ Ban Tổ chức"):
            confirm.reopen(warehouse, "X01", "2024-03", by=who)
    assert confirm.is_confirmed(warehouse, "X01", "2024-03")
    with pytest.raises(TypeError):  # a bare name proves no role
        confirm.reopen(warehouse, "X01", "2024-03", by="ba1")


def test_a_confirmed_month_rejects_a_changed_upload_until_reopened(warehouse, march, load):
    confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
    before = everything(warehouse)
    r = load(changed(), name="thang-3-sua.xlsx")
    assert r.status == "rejected"
    assert codes(r) == [("report_confirmed", "B3")]  # the cover's 'Tháng' value
    p = r.problems[0]
    assert (p.severity, p.file, p.sheet, p.row) == ("error", "thang-3-sua.xlsx", COVER, 3)
    assert "03/2024" in p.message and "Lộc Ngãi" in p.message and "tài khoản ba1" in p.message
    assert "mở lại" in p.message and "Hãy" in p.message
    assert everything(warehouse) == before  # nothing written: every view as it was
    [row] = audit.audit(warehouse, limit=1)
    assert (row["action"], row["file_name"], row["detail"]) == ("reject", "thang-3-sua.xlsx", "report_confirmed")

    assert load(monthly_book(), name="ban-sao.xlsx").status == "unchanged"  # the same bytes: no act
    other = load(monthly_book(month=4), name="thang-4.xlsx")  # another month is not held back
    assert other.status == "loaded", other.problems

    confirm.reopen(warehouse, "X01", "2024-03", by=BOARD, reason="Xã gửi bản sửa")
    r = load(changed(), name="thang-3-sua.xlsx")
    assert r.status == "loaded", r.problems
    assert warehouse.execute("SELECT source_file, version, is_current FROM report_submissions"
                             " WHERE period = '2024-03' ORDER BY version").fetchall() == [
        ("thang-3.xlsx", 1, False), ("thang-3-sua.xlsx", 2, True)]


def test_a_title_only_report_is_refused_at_its_title_month(warehouse, march, load):
    confirm.confirm(warehouse, "X01", "2024-03", by=None)
    book = changed()
    del book[COVER]  # commune and month from the title rows
    r = load(book, name="khong-bia.xlsx")
    assert codes(r) == [("report_confirmed", "A2")] and r.problems[0].sheet == S2
    assert "dòng lệnh" in r.problems[0].message


def test_every_copy_in_one_run_is_refused(warehouse, march, tmp_path):
    confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
    first = write_book(tmp_path / "run" / "a.xlsx", changed())
    second = clone(changed())
    second[S1][3][4] = 13
    write_book(tmp_path / "run" / "b.xlsx", second)
    results = load_paths(warehouse, [tmp_path / "run"], account=BOARD)
    assert [(r.file, r.status, [c for c, _ in codes(r)]) for r in results] == [
        ("a.xlsx", "rejected", ["report_confirmed"]), ("b.xlsx", "rejected", ["report_confirmed"])]
    assert first.exists()


def test_a_file_with_its_own_errors_reports_them_not_the_confirmation(warehouse, march, load):
    confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
    book = changed()
    book[S2][4][7] = 999  # more attended than members
    assert [c for c, _ in codes(load(book))] == ["over_total"]


def test_the_submission_matrix_shows_the_confirmation(warehouse, march, load):
    assert load(monthly_book(commune="Lộc Quảng", branches=["Chi bộ thôn 1", "Chi bộ Công an xã"]),
                name="x02.xlsx").status == "loaded"
    done = confirm.confirm(warehouse, "X01", "2024-03", by=BOARD)
    scope = ind.Scope("2024-03", "2024-03")
    grid = ind.submissions(warehouse, scope, Settings(), as_of=date(2024, 4, 30)).set_index("commune_code")
    assert grid.loc["X01", "confirmed"] and grid.loc["X01", "confirmed_by"] == "ba1"
    assert grid.loc["X01", "confirmed_at"] == done.at
    assert not grid.loc["X02", "confirmed"] and grid.loc[["X02", "X03"], "confirmed_at"].isna().all()
    assert not grid.loc["X03", "confirmed"]  # not reported at all
    for by in ("total", "month", "commune"):
        df = ind.submissions(warehouse, scope, Settings(), by=by, as_of=date(2024, 4, 30))
        assert "confirmed" not in df.columns and df["confirmed_months"].sum() == 1
    versions = ind.submission_versions(warehouse, "X01", "2024-03")
    assert versions[["version", "confirmed", "confirmed_by"]].values.tolist() == [[1, True, "ba1"]]

    confirm.reopen(warehouse, "X01", "2024-03", by=BOARD)
    assert load(changed(), name="thang-3-sua.xlsx").status == "loaded"
    confirm.confirm(warehouse, "X01", "2024-03", by=None)  # the new version, from the command line
    versions = ind.submission_versions(warehouse, "X01", "2024-03")
    assert versions["confirmed"].tolist() == [False, True] and versions["confirmed_by"].isna().all()
    grid = ind.submissions(warehouse, scope, Settings(), as_of=date(2024, 4, 30)).set_index("commune_code")
    assert grid.loc["X01", "confirmed"] and grid.loc["X01", "confirmed_by"] is None


def etl(*args):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_DB"}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_command_line_confirm_and_reopen(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book()), write_book(tmp_path / "m.xlsx", monthly_book())])
    from etl.access import accounts
    accounts.add_user(con, "thuongtruc", "xem", password="mat-khau-dai-1")
    con.close()
    where = ["--db", str(path), "--commune", "X01", "--month", "2024-03"]

    p = etl("confirm", *where, "--account", "thuongtruc")
    assert p.returncode == 1 and "không có quyền duyệt" in p.stderr
    p = etl("confirm", *where)
    assert p.returncode == 0, p.stderr
    assert "Đã duyệt báo cáo tháng 03/2024" in p.stdout
    p = etl("confirm", *where)
    assert p.returncode == 1 and "đã được duyệt" in p.stderr
    p = etl("load", "--db", str(path), "--json", str(write_book(tmp_path / "sua.xlsx", changed())))
    assert p.returncode == 1 and '"report_confirmed"' in p.stdout
    p = etl("reopen", *where, "--reason", "Xã gửi bản sửa")
    assert p.returncode == 0, p.stderr
    assert "Đã mở lại" in p.stdout
    p = etl("reopen", *where)
    assert p.returncode == 1 and "chưa được duyệt" in p.stderr
    assert etl("confirm", "--db", str(path), "--commune", "X01", "--month", "03/2024").returncode == 2
    assert etl("reopen", "--db", str(path), "--month", "2024-03").returncode == 2
    assert etl("load", "--db", str(path), str(tmp_path / "sua.xlsx")).returncode == 0

    con = db.connect(path)
    rows = [(r["action"], r["account"], r["detail"]) for r in audit.audit(con, actions={"confirm", "reopen"})]
    con.close()
    assert [(a, who) for a, who, _ in rows] == [("reopen", None), ("confirm", None)]
    assert rows[0][2].endswith("; lý do: Xã gửi bản sửa")
