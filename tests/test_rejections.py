"""Rejected files keep their problems (etl.warehouse.rejections, schema version 7): stored with the
file's audit row in one transaction, shown on the audit page for that row, printed by
`python -m etl problems --sha256 HASH`, and, like the file's bytes (`original --sha256`), given
only to who may view the file's commune."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import duckdb
import pytest

from builders import S2, clone, codes, monthly_book, write_book
from conftest import ROOT
from etl.access import accounts
from etl.access.accounts import Account
from etl.ingest.load import load_paths
from etl.warehouse import db, rejections
from test_page_tables import workbooks  # noqa: F401  (a fixture: every download a run offers)

REPORT_VIEWS = ("units_commune", "units_branch", "branch_meetings", "report_submissions")


def etl(*args):
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def bad_book() -> dict:
    """Lộc Ngãi's March 2024 report with two errors: attended over members on row 5 (H5), a quality
    outside the list on row 6 (L6); the loader lists the second first."""
    book = clone(monthly_book())
    book[S2][4][7] = 999
    book[S2][5][11] = "Xuất sắc"
    return book


def load(warehouse, path, **kwargs):
    con = db.connect(warehouse)
    try:
        [result] = load_paths(con, [path], **kwargs)
    finally:
        con.close()
    return result


def rejection_rows(con) -> tuple[list, list, list]:
    return (con.execute("SELECT * FROM audit_log WHERE action = 'reject'").fetchall(),
            con.execute("SELECT * FROM rejections").fetchall(),
            con.execute("SELECT * FROM rejection_problems").fetchall())


@pytest.fixture
def rejected(tmp_path, warehouse_file):
    """The builders' warehouse with one rejected report of X01, and that file."""
    path = write_book(tmp_path / "in" / "thang-3-sai.xlsx", bad_book())
    result = load(warehouse_file, path)
    assert result.status == "rejected" and codes(result) == [("bad_value", "L6"), ("over_total", "H5")]
    return warehouse_file, path, result


def test_a_rejected_files_problems_are_stored_with_its_audit_row(rejected):
    warehouse, path, result = rejected
    con = db.connect(warehouse, read_only=True)
    try:
        found = rejections.find(con, hashlib.sha256(path.read_bytes()).hexdigest())
        [(at, account, action, file_name, sha256, detail)] = rejection_rows(con)[0]
        assert rejections.at_row(con, at, file_name, sha256) == found
    finally:
        con.close()
    assert (file_name, sha256, detail) == ("thang-3-sai.xlsx", result.sha256, "bad_value, over_total")
    assert (found.file, found.status, found.kind, found.commune, found.period) == (
        "thang-3-sai.xlsx", "rejected", "monthly", "X01", "2024-03")
    assert [(p.severity, p.code, p.sheet, p.cell, p.row, p.column, p.message) for p in found.problems] == [
        (p.severity, p.code, p.sheet, p.cell, p.row, p.column, p.message) for p in result.problems]
    assert "Xuất sắc" in found.problems[0].message and "999" in found.problems[1].message


def test_a_rejection_that_fails_to_write_leaves_nothing(rejected, monkeypatch, tmp_path):
    warehouse, path, _ = rejected
    con = db.connect(warehouse)
    before = rejection_rows(con) + tuple(con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall()
                                         for v in REPORT_VIEWS)
    arrow = db._arrow

    def failing(table, *args, **kwargs):
        if table == "rejection_problems":
            raise duckdb.IOException("disk full")
        return arrow(table, *args, **kwargs)
    monkeypatch.setattr(db, "_arrow", failing)
    good = write_book(tmp_path / "in2" / "thang-4.xlsx", monthly_book(month=4))
    bad = write_book(tmp_path / "in2" / "thang-3-sai-lan-2.xlsx", bad_book())
    try:
        with pytest.raises(duckdb.IOException, match="disk full"):
            load_paths(con, [bad])
        after = rejection_rows(con) + tuple(con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall()
                                            for v in REPORT_VIEWS)
        assert after == before  # neither the audit row nor the rejection without the other
        # a run's accepted files before the rejection are committed; the rejection is not
        with pytest.raises(duckdb.IOException):
            load_paths(con, [good, bad])
        assert con.execute("SELECT count(*) FROM loads WHERE period = '2024-04'").fetchone() == (1,)
        assert rejection_rows(con) == before[:3]
    finally:
        con.close()


def test_a_version_6_warehouse_migrates_to_7_keeping_its_data(tmp_path, warehouse_file):
    old = write_book(tmp_path / "in" / "cu.xlsx", bad_book())
    assert load(warehouse_file, old).status == "rejected"
    con = db.connect(warehouse_file)
    # Make it what version 6 wrote: no rejection tables or sequence, another code's fingerprint.
    con.execute("DROP TABLE rejection_problems; DROP TABLE rejections; DROP SEQUENCE rejection_ids;"
                "UPDATE meta SET value = '6' WHERE key = 'schema_version';"
                "UPDATE meta SET value = 'version 6' WHERE key = 'definitions'")
    before = con.execute("SELECT * FROM audit_log ORDER BY ALL").fetchall()
    con.close()

    con = db.connect(warehouse_file, read_only=True)  # a read-only command migrates it once
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("7",)
        assert con.execute("SELECT * FROM audit_log ORDER BY ALL").fetchall() == before
        [(at, file_name, sha256)] = con.execute(
            "SELECT \"at\", file_name, sha256 FROM audit_log WHERE action = 'reject'").fetchall()
        assert rejections.at_row(con, at, file_name, sha256) is None  # rejected before: its codes only
    finally:
        con.close()
    assert load(warehouse_file, old).status == "rejected"  # the same file again: now with its problems
    con = db.connect(warehouse_file, read_only=True)
    try:
        assert [p.cell for p in rejections.find(con, hashlib.sha256(old.read_bytes()).hexdigest()).problems] == [
            "L6", "H5"]
    finally:
        con.close()


def test_problems_command_prints_the_stored_problems(rejected):
    warehouse, path, result = rejected
    p = etl("problems", "--db", warehouse, "--sha256", result.sha256.upper())
    assert p.returncode == 0, p.stderr
    assert "BỊ TỪ CHỐI     thang-3-sai.xlsx  (X01 2024-03)" in p.stdout
    assert "Lỗi over_total: 2. Sinh hoạt chi bộ!H5 [Số đảng viên dự]: Số đảng viên dự (999)" in p.stdout
    assert "Lỗi bad_value: 2. Sinh hoạt chi bộ!L6" in p.stdout
    p = etl("problems", "--db", warehouse, "--sha256", result.sha256, "--json")
    assert p.returncode == 0, p.stderr
    [file] = json.loads(p.stdout)["files"]
    assert file["status"] == "rejected" and [(x["code"], x["cell"]) for x in file["problems"]] == [
        ("bad_value", "L6"), ("over_total", "H5")]


def test_problems_command_says_when_nothing_is_stored(rejected):
    p = etl("problems", "--db", rejected[0], "--sha256", "ab" * 32)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "không lưu lần từ chối nào của tệp có mã băm abababababab…" in p.stderr
    p = etl("problems", "--db", rejected[0], "--sha256", "abc")
    assert p.returncode == 2 and "mã băm SHA-256 không hợp lệ 'abc'" in p.stderr


def test_original_command_writes_a_rejected_file_by_its_sha256(rejected, tmp_path):
    warehouse, path, result = rejected
    out = tmp_path / "ra.xlsx"
    p = etl("original", "--db", warehouse, "--sha256", result.sha256, "-o", out)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == path.read_bytes()
    assert "tệp gửi lên 'thang-3-sai.xlsx' (lần gần nhất: từ chối tệp)" in p.stdout
    p = etl("original", "--db", warehouse, "--sha256", "ab" * 32, "-o", tmp_path / "khac.xlsx")
    assert p.returncode == 1 and "không có tệp nào có mã băm abababababab…" in p.stderr
    for args in (("--commune", "X01"), ()):  # --sha256 with --commune, or neither: a usage error
        p = etl("original", "--db", warehouse, *args, "-o", out)
        assert p.returncode == 2 and "Traceback" not in p.stderr


def test_a_commune_account_gets_only_its_own_communes_rejected_files(rejected, tmp_path):
    warehouse, path, result = rejected
    con = db.connect(warehouse)
    accounts.add_user(con, "xa_x01", "xa", "X01")
    accounts.add_user(con, "xa_x02", "xa", "X02")
    accounts.add_user(con, "thuongtruc", "xem")
    con.close()
    out = tmp_path / "ra.xlsx"
    for name in ("xa_x01", "thuongtruc"):
        assert etl("problems", "--db", warehouse, "--sha256", result.sha256, "--account", name).returncode == 0
        assert etl("original", "--db", warehouse, "--sha256", result.sha256, "-o", out, "--account", name
                   ).returncode == 0
    for args in (("problems",), ("original", "-o", out)):
        p = etl(*args, "--db", warehouse, "--sha256", result.sha256, "--account", "xa_x02")
        assert p.returncode == 1 and "Tài khoản xa_x02 (Đảng bộ xã) không được xem tệp của đảng bộ X01." in p.stderr
    # a commune account's upload of another commune's report is neither's: the board's only
    other = load(warehouse, write_book(tmp_path / "in2" / "cua-x01.xlsx", monthly_book(month=4)),
                 account="xa_x02", commune="X02")
    assert codes(other)[0] == ("not_permitted", None)
    for name in ("xa_x01", "xa_x02"):
        p = etl("problems", "--db", warehouse, "--sha256", other.sha256, "--account", name)
        assert p.returncode == 1 and "không được xem tệp không thuộc đảng bộ nào" in p.stderr
    assert etl("problems", "--db", warehouse, "--sha256", other.sha256, "--account", "thuongtruc").returncode == 0


def _reject_option(at) -> int:
    at.selectbox(key="nk-thoi-gian").set_value("Tất cả").run()
    picker = at.selectbox(key="nk-tep-goc")
    return next(i for i, o in enumerate(picker.options) if " · Từ chối tệp · " in o)


def test_the_audit_page_shows_a_rejected_files_problems(app, rejected):
    warehouse, path, result = rejected
    at = app(warehouse, page="nhat_ky")
    at.selectbox(key="nk-tep-goc").set_value(_reject_option(at)).run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Ô" in d.value.columns)
    assert list(zip(shown["Trang tính"], shown["Ô"], shown["Cột"], shown["Mức độ"])) == [
        ("2. Sinh hoạt chi bộ", "L6", "Tự đánh giá chất lượng", "Lỗi"),
        ("2. Sinh hoạt chi bộ", "H5", "Số đảng viên dự", "Lỗi")]
    assert list(shown["Nội dung"]) == [p.message for p in result.problems]
    assert any("Các lỗi của tệp thang\\-3\\-sai\\.xlsx" in m.value for m in at.markdown)


def test_the_audit_page_shows_no_other_communes_problems(app, rejected, monkeypatch, workbooks):
    """Were the audit page open to commune accounts, the file's own right would still hold: the
    page asks may_view_file for the row's file, on the server."""
    warehouse, path, result = rejected
    monkeypatch.setitem(accounts.ROLE_ACTIONS, "xa", accounts.ROLE_ACTIONS["xa"] | {"view_audit"})
    at = app(warehouse, page="nhat_ky", account=Account("xa_x02", "xa", "X02"))
    at.selectbox(key="nk-tep-goc").set_value(_reject_option(at)).run()
    assert not at.exception
    assert not [d for d in at.dataframe if "Ô" in d.value.columns]
    assert "thang-3-sai.xlsx" not in workbooks  # nor its download
    at = app(warehouse, page="nhat_ky", account=Account("xa_x01", "xa", "X01"))
    at.selectbox(key="nk-tep-goc").set_value(_reject_option(at)).run()
    assert [d for d in at.dataframe if "Ô" in d.value.columns] and "thang-3-sai.xlsx" in workbooks
