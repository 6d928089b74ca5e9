"""Nộp báo cáo page (pages/nop_bao_cao.py): AppTest on the conftest demo warehouse, a copy of it
with a report sent twice, and an empty one. The commune × month matrix, the cards and the
per-month shares are compared with indicators.submissions for the same Scope; the drill-down
with indicators.submission_versions.
"""
from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import openpyxl
import pytest

from etl import indicators, labels
from etl import vnformat as vn
from etl.access import audit
from etl.access.accounts import Account
from etl.ingest.load import load_paths
from etl.warehouse import db

PAGE = "nop_bao_cao"
LABELS = labels.SUBMISSION


def scope(*communes: str) -> indicators.Scope:
    return indicators.Scope("2026-01", "2026-10", communes)


def call(db_path, name: str, *args, **kwargs):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return getattr(indicators, name)(con, *args, **kwargs)


def frame(at, *columns: str):
    """The one table with these columns (display tables carry no key in AppTest)."""
    [found] = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return found


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(total) -> dict[str, str]:
    return {"Tỷ lệ đã nộp": vn.percent(total["i15_reported_share"]),
            "Tỷ lệ nộp đúng hạn": vn.percent(total["i15_on_time_share"]),
            "Nộp muộn": vn.number(total["late_months"]), "Chưa báo cáo (quá hạn)": vn.number(total["missing_months"]),
            "Chưa đến hạn": vn.number(total["pending_months"])}


def expected_cell(row) -> str:
    if row["status"] == "late":
        text = f"Muộn {row['days_late']} ngày"
    else:
        text = LABELS[row["status"]]
    if row["status"] in ("on_time", "late") and row["versions"] > 1:
        text += f" ×{row['versions']}"
    if row["confirmed"] is True:
        text += " ✓"
    return text


def check_matrix(at, db_path, s: indicators.Scope) -> None:
    grid = call(db_path, "submissions", s, by="commune_month")
    matrix = frame(at, "Đảng bộ", "T1/2026")
    assert list(matrix.columns) == ["Đảng bộ", *[vn.month_short(p) for p in s.months]]
    assert list(matrix["Đảng bộ"]) == list(dict.fromkeys(grid["commune_name"]))
    for _, row in grid.iterrows():
        cell = matrix.loc[matrix["Đảng bộ"] == row["commune_name"], vn.month_short(row["period"])].iloc[0]
        assert cell == expected_cell(row), (row["commune_code"], row["period"])


def test_matrix_cards_and_shares_equal_the_indicator(app, demo_db):
    at = app(demo_db, page=PAGE)
    s = scope()
    assert cards(at) == expected_cards(call(demo_db, "submissions", s, by="total").iloc[0])
    check_matrix(at, demo_db, s)
    grid = call(demo_db, "submissions", s, by="commune_month")
    assert {"on_time", "late", "missing"} <= set(grid["status"])  # the demo has each of them

    by_month = call(demo_db, "submissions", s, by="month")
    shares = frame(at, "Tháng", "Tỷ lệ đã nộp")  # a month a row
    assert list(shares["Tháng"]) == [vn.month(p) for p in by_month["period"]]
    assert list(shares["Tỷ lệ đã nộp"]) == [vn.percent(v) for v in by_month["i15_reported_share"]]
    assert list(shares["Tỷ lệ nộp đúng hạn"]) == [vn.percent(v) for v in by_month["i15_on_time_share"]]
    assert list(shares["Đã nộp"]) == [vn.number(v) for v in by_month["reported_months"]]


def test_commune_filter_changes_the_matrix_and_cards(app, demo_db):
    at = app(demo_db, page=PAGE)
    before = cards(at)
    at.multiselect(key="dang_bo").set_value(["BL03"]).run()
    assert not at.exception and not at.error
    s = scope("BL03")
    assert cards(at) == expected_cards(call(demo_db, "submissions", s, by="total").iloc[0])
    assert cards(at) != before
    check_matrix(at, demo_db, s)
    assert list(frame(at, "Đảng bộ", "T1/2026")["Đảng bộ"]) == ["Xã Lộc Đức"]


@pytest.fixture
def resent(demo_db, tmp_path):
    """A copy of the demo warehouse where one 2026 report was sent again, corrected, on
    20 May 2026: (warehouse path, commune code, period, first file name, second file name)."""
    path = tmp_path / "resent.duckdb"
    shutil.copyfile(demo_db, path)
    with duckdb.connect(str(path), read_only=True) as con:
        commune, period, first = con.execute(
            "SELECT commune_code, period, source_file FROM report_submissions WHERE period = '2026-04' "
            "AND source_file ILIKE '%.xlsx' ORDER BY commune_code LIMIT 1").fetchone()
    [original] = (demo_db.parent / "sample").rglob(first)
    book = openpyxl.load_workbook(original)
    sheet = book.worksheets[0]
    sheet.cell(sheet.max_row + 3, 1, "Bản sửa lại")  # new bytes, same content: a second version
    second = tmp_path / "ban-sua-lai.xlsx"
    book.save(second)
    con = db.connect(path)
    [result] = load_paths(con, [second], received_at=datetime(2026, 5, 20, 9, 30))
    con.close()
    assert result.status == "loaded", result.problems
    return path, commune, period, first, second.name


def test_versions_of_a_report_resent(app, resent):
    path, commune, period, first, second = resent
    at = app(path, page=PAGE)
    s = scope()
    row = call(path, "submissions", s, by="commune_month").query("commune_code == @commune and period == @period")
    assert row["versions"].iloc[0] == 2
    check_matrix(at, path, s)  # the cell says "×2"

    at.selectbox(key="nbc-dang-bo").set_value(commune)
    at.selectbox(key="nbc-thang").set_value(period).run()
    assert not at.exception and not at.error
    versions = frame(at, "Lần nộp")
    expected = call(path, "submission_versions", commune, period)
    assert list(versions["Lần nộp"]) == [1, 2] == list(expected["version"])
    assert list(versions["Tên tệp"]) == [first, second]
    assert list(versions["Hiện hành"]) == ["Đã được thay thế", "Đang dùng"]
    assert list(versions["Thời điểm nhận"]) == [vn.moment(t) for t in expected["received_at"]]
    assert versions["Thời điểm nhận"].iloc[1] == "20/05/2026 09:30"


def test_the_board_confirms_and_reopens_a_report(app, resent):
    path, commune, period, _, _ = resent
    at = app(path, page=PAGE)
    at.selectbox(key="nbc-dang-bo").set_value(commune)
    at.selectbox(key="nbc-thang").set_value(period).run()
    at.button(key=f"nbc-{commune}-{period}-confirm").click().run()
    assert not at.exception and not at.error
    row = call(path, "submissions", scope(), by="commune_month").query("commune_code == @commune and period == @period")
    assert row["confirmed"].iloc[0] and row["confirmed_by"].iloc[0] == "bantochuc"
    check_matrix(at, path, scope())  # the cell carries "✓"
    assert any("đã duyệt báo cáo này" in s.value for s in at.success)

    at.text_input(key=f"nbc-{commune}-{period}-reason").input("Đảng bộ gửi bản sửa")
    at.button(key=f"nbc-{commune}-{period}-reopen").click().run()
    assert not at.exception and not at.error
    row = call(path, "submissions", scope(), by="commune_month").query("commune_code == @commune and period == @period")
    assert not row["confirmed"].iloc[0]
    with duckdb.connect(str(path), read_only=True) as con:
        acts = [(r["action"], r["account"]) for r in audit.audit(con, actions={"confirm", "reopen"})]
        assert acts == [("reopen", "bantochuc"), ("confirm", "bantochuc")]
        assert "Đảng bộ gửi bản sửa" in audit.audit(con, actions={"reopen"})[0]["detail"]


def test_a_viewer_sees_the_state_but_no_confirm_button(app, resent):
    path, commune, period, _, _ = resent
    at = app(path, page=PAGE, account=Account("thuongtruc", "xem"))
    at.selectbox(key="nbc-dang-bo").set_value(commune)
    at.selectbox(key="nbc-thang").set_value(period).run()
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith(f"nbc-{commune}")]


def test_a_cell_without_any_version(app, demo_db):
    s = scope()
    grid = call(demo_db, "submissions", s, by="commune_month")
    missing = grid[grid["status"] == "missing"].iloc[0]
    at = app(demo_db, page=PAGE)
    at.selectbox(key="nbc-dang-bo").set_value(missing["commune_code"])
    at.selectbox(key="nbc-thang").set_value(missing["period"]).run()
    assert not at.exception and not at.error
    assert any("Chưa có lần nộp nào" in i.value for i in at.info)
    assert any(f"hạn nộp {vn.day(missing['deadline'])}" in m.value for m in at.markdown)


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.error
    assert any("chưa có báo cáo" in i.value.lower() for i in at.info)
