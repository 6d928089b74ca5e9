"""The export's sheet "Số liệu bất thường" (etl/outputs/export/flags.py) and the Word report's
sentence: the period's data-quality flags the board has not verified, as the indicator layer
gives them (indicators.data_quality), by commune then month; a verified flag is not listed; a
period without any says so."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from docx import Document

from etl import indicators as ind
from etl import labels, quality
from etl import vnformat as vn
from etl.outputs.export import build_report, build_workbook, flags
from export_world import paragraphs
from tests.quality_world import flagged_communes

AS_OF = date(2025, 1, 15)
FIRST_ROW = flags.TOP + 2  # Excel's row number of the first flag: title, subtitle, blank, header


@pytest.fixture
def con(tmp_path):
    """flagged_communes, R's March flag verified, and Q's March a copy of its February: Q has
    two unverified flags (February, March), R none left."""
    q, r = flagged_communes(tmp_path / "w.duckdb")
    q.report("2024-03", {"Q3": 15}, attended={c: (15 if c == "Q3" else 20) - 1 for c in q.codes})
    quality.verify(q.con, quality.Flag("R", "2024-03", "copied_report", "branch_meetings"),
                   "Đã gọi điện, đảng ủy xã xác nhận", by=None)
    r.con.close()
    yield q.con
    q.con.close()


def sheet_rows(con, period: str) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(con, period, as_of=AS_OF)))
    ws = wb[flags.SHEET]
    assert [c.value for c in ws[FIRST_ROW - 1]] == [h.label for h in flags.HEADERS]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=FIRST_ROW)]


def test_the_sheet_lists_the_indicators_unverified_flags_by_commune_then_month(con):
    rows = sheet_rows(con, "2024-Q1")
    every = ind.data_quality(con, ind.Scope("2024-01", "2024-03"))
    wanted = ind.data_quality(con, ind.Scope("2024-01", "2024-03"), unverified=True)
    assert len(every) == 3 and len(wanted) == 2 and set(wanted["commune_code"]) == {"Q"}
    wanted = wanted.sort_values(["commune_name", "period"])
    assert rows == [
        (n, f.commune_name, f.branch_name if isinstance(f.branch_name, str) else labels.WHOLE_COMMUNE,
         vn.month_numeric(f.period), labels.QUALITY_RULES[f.rule], f.source_file,
         f.sheet if isinstance(f.sheet, str) else vn.DASH, f.cell if isinstance(f.cell, str) else vn.DASH,
         f.value, f.previous_value, vn.DASH if f.expected != f.expected else f.expected, f.message)
        for n, f in enumerate(wanted.itertuples(), start=1)]
    # by hand: Q3's 20 members became 15 in February; March repeats February in all 6 branches
    assert [r[2:5] for r in rows] == [("Chi bộ thôn 3", "02/2024", labels.QUALITY_RULES["members_unexplained_change"]),
                                      (labels.WHOLE_COMMUNE, "03/2024", labels.QUALITY_RULES["copied_report"])]
    assert rows[0][6:11] == ("2. Sinh hoạt chi bộ", "D7", 15, 20, 20)
    verified = every[every["verified"]].iloc[0]
    assert verified.commune_name == "Xã Rạng" and verified.commune_name not in {r[1] for r in rows}


def test_a_period_without_flags_says_so(con):
    assert sheet_rows(con, "2024-01") == [(None, flags.NONE, *[None] * 10)]


def test_the_word_report_counts_them_and_points_to_the_sheet(con):
    text = paragraphs(Document(io.BytesIO(build_report(con, "2024-Q1", as_of=AS_OF, images=False)[0])))
    assert ("Qua đối chiếu số liệu giữa các tháng, còn 2 số liệu bất thường ở 1 đảng bộ chưa được xác minh "
            f"(danh sách tại trang \"{flags.SHEET}\" của tệp Excel tổng hợp).") in text
    text = paragraphs(Document(io.BytesIO(build_report(con, "2024-01", as_of=AS_OF, images=False)[0])))
    assert "Qua đối chiếu số liệu giữa các tháng, không có số liệu bất thường nào chưa được xác minh." in text
