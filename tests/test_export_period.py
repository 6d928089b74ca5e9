"""Summaries for any period (etl.outputs.export with a Period): the files of a month, a quarter, H1
and the year hold the indicator layer's figures over the period's months; the year's files are
those of the December export; file names and the Word draft's wording follow the period, and a
shorter period is compared with the same period a year before and the one just before. The test
world is tests/export_world.py (Lộc Ngãi reports March and April 2024, Lộc Quảng March).
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest
from docx import Document

from etl import indicators as ind
from etl.outputs.export import build_files, collect
from etl.outputs.export import report_text as rt
from etl.outputs.export.report import GAP
from etl.period import Period
from etl.settings import load_settings
from export_world import AS_OF, ROOT, YEAR, con, paragraphs, table, warehouse_copy  # noqa: F401

PERIODS = ("2024-04", "2024-Q2", "2024-H1", "2024")


@pytest.fixture(scope="module")
def files(con):
    """{period text: (Files, workbook, document)} of the whole organisation at AS_OF."""
    out = {}
    for text in PERIODS:
        made = build_files(con, text, as_of=AS_OF, images=False)
        out[text] = (made, openpyxl.load_workbook(io.BytesIO(made.xlsx)), Document(io.BytesIO(made.docx)))
    return out


def members(content: bytes) -> dict[str, bytes]:
    """A .xlsx / .docx zip's parts, but the workbook's creation time (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


def test_the_years_files_are_the_december_exports(con, files):
    december = build_files(con, YEAR, as_of=AS_OF, images=False)
    year, _, _ = files["2024"]
    assert (year.xlsx_name, year.docx_name) == (december.xlsx_name, december.docx_name) == \
        ("tong-hop-sinh-hoat-chi-bo-2024.xlsx", "bao-cao-chat-luong-sinh-hoat-chi-bo-2024.docx")
    assert members(year.xlsx) == members(december.xlsx)
    assert members(year.docx) == members(december.docx)


@pytest.mark.parametrize("text, xlsx, docx", [
    ("2024-04", "tong-hop-sinh-hoat-chi-bo-thang-4-2024.xlsx", "bao-cao-chat-luong-sinh-hoat-chi-bo-thang-4-2024.docx"),
    ("2024-Q2", "tong-hop-sinh-hoat-chi-bo-quy-2-2024.xlsx", "bao-cao-chat-luong-sinh-hoat-chi-bo-quy-2-2024.docx"),
    ("2024-H1", "tong-hop-sinh-hoat-chi-bo-2024-6-thang-dau-nam.xlsx",
     "bao-cao-chat-luong-sinh-hoat-chi-bo-2024-6-thang-dau-nam.docx"),
])
def test_file_names_follow_the_period(files, text, xlsx, docx):
    made, wb, _ = files[text]
    assert (made.xlsx_name, made.docx_name) == (xlsx, docx)
    assert wb["Tổng hợp"]["A1"].value.endswith(Period.parse(text).name.upper())


def _check(df: pd.DataFrame, rows: dict, header: str, column: str) -> int:
    """Each commune row of `df` against the sheet's cell; the number of figures compared."""
    compared = 0
    for r in df.itertuples():
        cell, value = rows[r.commune_name][header], getattr(r, column)
        if pd.isna(value):
            assert cell in ("Chưa báo cáo", "—"), (header, r.commune_name, cell)
        else:
            assert cell == pytest.approx(float(value)), (header, r.commune_name, cell, value)
            compared += 1
    return compared


@pytest.mark.parametrize("text", PERIODS)
def test_every_workbook_figure_is_the_indicator_layers_over_the_period(con, files, text):
    _, wb, _ = files[text]
    period, s = Period.parse(text), load_settings()
    scope = ind.Scope(str(period.first), str(period.last))
    to_date = ind.Scope(f"{period.last.year}-01", str(period.last))   # I11: since January
    summary, committee = table(wb["Tổng hợp"]), table(wb["Hội nghị cấp ủy"])
    recruitment, subs = table(wb["Phát triển đảng viên"]), table(wb["Nộp báo cáo"])
    meetings, quality = ind.branch_meetings(con, scope, s), ind.quality(con, scope)
    compared = sum([
        _check(meetings, summary, "Chi bộ - tháng | Phải báo cáo", "expected_branch_months"),
        _check(meetings, summary, "Sinh hoạt thường kỳ (I5) | Số lượt", "held"),
        _check(meetings, summary, "Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt", "i5_held_share"),
        _check(meetings, summary, "Sinh hoạt thường kỳ (I5) | Tỷ lệ chi bộ", "i5_branch_share"),
        _check(meetings, summary, "Sinh hoạt đúng lịch (I6) | Tỷ lệ", "i6_on_schedule_share"),
        _check(meetings, summary, "Đảng viên dự sinh hoạt (I7) | Tỷ lệ", "i7_attendance_share"),
        _check(meetings, summary, "Cấp ủy cấp trên dự (I9) | Tỷ lệ", "i9_upper_attended_share"),
        _check(quality, summary, "Chất lượng sinh hoạt (I10) | Tốt", "tot"),
        _check(quality, summary, "Chất lượng sinh hoạt (I10) | Đạt khá trở lên", "kha_tro_len_share"),
        _check(ind.committee(con, scope, s), committee, "Ban hành nghị quyết, kết luận (I2) | Tỷ lệ",
               "i2_conclusion_share"),
        _check(ind.recruitment(con, scope), recruitment, "Biến động đảng viên (I13) | Tăng (+) / giảm (−)",
               "net_change"),
        _check(ind.recruitment_progress(con, to_date), recruitment, "Kết nạp so với chỉ tiêu (I11) | Tỷ lệ",
               "i11_target_share"),
        _check(ind.submissions(con, scope, s, "commune", AS_OF), subs,
               next(h for h in subs["Lộc Ngãi"] if h and h.endswith("| Tỷ lệ đúng hạn")), "i15_on_time_share_due"),
    ])
    assert compared >= 20
    total = ind.branch_meetings(con, scope, s, "total").iloc[0]
    assert summary["Toàn Đảng bộ"]["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == pytest.approx(total.i5_held_share)
    # the quarters of the period only; the year-end ratings only in the year's file
    i8 = [h.split(" | ")[1] for h in summary["Lộc Ngãi"] if h and h.startswith("Chi bộ có sinh hoạt chuyên đề")]
    assert i8 == {"2024-04": ["Quý II (T4)"], "2024-Q2": ["Quý II"], "2024-H1": ["Quý I", "Quý II"],
                  "2024": ["Quý I", "Quý II", "Quý III", "Quý IV"]}[text]
    assert any(h and h.startswith("Xếp loại tổ chức đảng") for h in summary["Lộc Ngãi"]) == (text == "2024")


@pytest.mark.parametrize("text", PERIODS)
def test_the_word_appendix_states_the_indicator_layers_figures(con, files, text):
    _, _, doc = files[text]
    period, s = Period.parse(text), load_settings()
    scope = ind.Scope(str(period.first), str(period.last))
    appendix = {r.cells[1].text: [c.text for c in r.cells] for r in doc.tables[-1].rows}
    compared = 0
    for r in ind.branch_meetings(con, scope, s).itertuples():
        if not pd.isna(r.i5_held_share):
            assert appendix[r.commune_name][5] == f"{r.i5_held_share * 100:.1f}%".replace(".", ",")
            assert appendix[r.commune_name][4] == f"{r.held}/{r.reported_branch_months}"
            compared += 1
        else:
            assert appendix[r.commune_name][5] == "Chưa báo cáo"
    assert compared >= 1


def test_a_month_is_reported_in_the_register_of_party_documents(files):
    _, _, doc = files["2024-04"]
    text = paragraphs(doc)
    assert "Tình hình sinh hoạt cấp ủy, chi bộ tháng 4 năm 2024" in text
    assert f"{load_settings().organization_place}, ngày{GAP}tháng 5 năm 2024" in text   # dated after the month
    # April 2023 has no report: said so, never compared with 0
    assert "So với cùng kỳ (tháng 4 năm 2023): chưa có số liệu cùng kỳ (chưa có đảng bộ nào báo cáo)." in text
    # March 2024: 6/6 branch meetings held; April: 3/4 (Trạm Y tế did not meet)
    compared = next(t for t in text if t.startswith("So với tháng 3 năm 2024: "))
    assert "tỷ lệ lượt chi bộ sinh hoạt thường kỳ (I5) giảm 25,0 điểm phần trăm (75,0% so với 100,0%)" in compared
    assert "số đảng viên mới được kết nạp giảm 1 (1 so với 2)" in compared
    assert "Kết quả đánh giá, xếp loại tổ chức đảng và đảng viên cuối năm: không thuộc tháng 4 năm 2024 " \
           "(có trong báo cáo cả năm)." in text
    assert "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG 5 NĂM 2024" in text
    assert "Trên đây là báo cáo tình hình, chất lượng sinh hoạt chi bộ tháng 4 năm 2024." in text


def test_a_half_year_is_a_review_compared_with_the_same_half_a_year_before(files):
    _, _, doc = files["2024-H1"]
    text = paragraphs(doc)
    assert "Sơ kết tình hình, chất lượng sinh hoạt cấp ủy, chi bộ 6 tháng đầu năm 2024" in text
    assert [t for t in text if t.startswith("So với ")] == \
        ["So với cùng kỳ (6 tháng đầu năm 2023): chưa có số liệu cùng kỳ (chưa có đảng bộ nào báo cáo)."]
    assert "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024" in text
    assert any(t.startswith("Trong 6 tháng đầu năm 2024, các đảng bộ đã gửi 3/30 báo cáo tháng") for t in text)


def test_a_comparison_with_a_reported_period_states_both_figures(con):
    # the quarter after Q1 is compared figure by figure with the indicator layer's values
    q2 = collect(con, "2024-Q2", as_of=AS_OF)
    before = ind.branch_meetings(con, ind.Scope("2024-01", "2024-03"), load_settings(), "total").iloc[0]
    [_, just_before] = q2.earlier
    assert just_before.period == Period.parse("2024-Q1")
    assert just_before.meetings["i5_held_share"] == pytest.approx(before.i5_held_share) == 1
    text = [b.text for b in rt.body(q2) if b.kind == "p"]
    assert any(t.startswith("So với quý I năm 2024: tỷ lệ lượt chi bộ sinh hoạt thường kỳ (I5) giảm 25,0 điểm "
                            "phần trăm (75,0% so với 100,0%)") for t in text)
    # May: no commune reported, so only the submissions share (0/5 sent on time, a real figure) is
    # compared; the activity figures are "chưa báo cáo" in May and are not compared as 0
    may = [b.text for b in rt.body(collect(con, "2024-05", as_of=AS_OF)) if b.kind == "p"]
    assert "So với tháng 4 năm 2024: tỷ lệ báo cáo tháng gửi đúng hạn (I15) không thay đổi (0,0% so với 0,0%)." \
        in may


def test_command_line_export_of_a_period(con, tmp_path):
    copy = warehouse_copy(con, tmp_path)
    run = [sys.executable, "-m", "etl", "export", "--period", "2024-H1", "--db", str(copy), "-o",
           str(tmp_path / "out"), "--no-images"]
    p = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out" / "tong-hop-sinh-hoat-chi-bo-2024-6-thang-dau-nam.xlsx").exists()
    assert (tmp_path / "out" / "bao-cao-chat-luong-sinh-hoat-chi-bo-2024-6-thang-dau-nam.docx").exists()
    month = subprocess.run([*run[:5], "2024-04", *run[6:]], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert month.returncode == 0, month.stderr
    assert month.stdout.count("Đã xuất:") == 3 and (tmp_path / "out" / "tom-tat-thang-4-2024.docx").exists()
    bad = subprocess.run([*run[:5], "2024-Q5", *run[6:]], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "không đúng dạng" in bad.stderr
    with duckdb.connect(str(copy), read_only=True) as c:
        details = {r[0] for r in c.execute("SELECT detail FROM audit_log WHERE action = 'export'").fetchall()}
    assert details == {"Tổng hợp 6 tháng đầu năm 2024 (toàn Đảng bộ)", "Tổng hợp tháng 4 năm 2024 (toàn Đảng bộ)"}


# --- the monthly briefing -----------------------------------------------------------------------

def test_a_month_comes_with_a_one_page_briefing_of_the_indicator_layers_figures(con, files):
    made, _, _ = files["2024-04"]
    assert made.briefing_name == "tom-tat-thang-4-2024.docx"
    assert not files["2024-Q2"][0].briefing and not files["2024"][0].briefing
    doc = Document(io.BytesIO(made.briefing))
    grid = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    s, april = load_settings(), ind.Scope("2024-04", "2024-04")
    i5 = ind.branch_meetings(con, april, s, "total").iloc[0]
    i10 = ind.quality(con, april, "total").iloc[0]
    i11 = ind.recruitment_progress(con, ind.Scope("2024-01", "2024-04"), "total").iloc[0]
    # April: Lộc Ngãi only reported (1/5), 3/4 branches met, 2 of 3 rated meetings Khá or Tốt
    assert grid == [["Chỉ số", "Kết quả", "Ghi chú"],
                    ["Báo cáo tháng 4 năm 2024", "1/5 đảng bộ", "4 đảng bộ quá hạn chưa nộp"],
                    ["Chi bộ sinh hoạt thường kỳ (I5)", "75,0%", "3/4 chi bộ đã báo cáo"],
                    ["Sinh hoạt đạt khá trở lên (I10)", "66,7%", "3 buổi được đánh giá"],
                    ["Kết nạp đảng viên năm 2024 (I11)", "3/23", "Đạt 13,0%; chậm tiến độ"],
                    ["Hạn chế sau kiểm tra chưa khắc phục (I14)", "1", "1 quá hạn khắc phục"]]
    assert (i5.i5_held_share, i10.kha_tro_len_share) == (pytest.approx(3 / 4), pytest.approx(2 / 3))
    assert (i11.admitted_ytd, i11.target) == (3, 23)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "TÓM TẮT TÌNH HÌNH THÁNG 4 NĂM 2024" in text
    assert "Quá hạn chưa nộp (4 đảng bộ): Hòa Bắc, Lộc Quang, Lộc Quảng, Lộc Thắng." in text
    # Lộc Quảng first: three reasons; then the communes with one, the most serious reason first
    assert [[c.text for c in r.cells] for r in doc.tables[1].rows] == [
        ["Đảng bộ", "Vấn đề"],
        ["Lộc Quảng", "Chưa nộp báo cáo; Kết nạp chậm tiến độ; Hạn chế quá hạn khắc phục"],
        ["Hòa Bắc", "Chưa nộp báo cáo"], ["Lộc Quang", "Chưa nộp báo cáo"], ["Lộc Thắng", "Chưa nộp báo cáo"],
        ["Lộc Ngãi", "Kết nạp chậm tiến độ"]]
    assert [[c.text for c in r.cells] for r in doc.tables[2].rows][1][:3] == \
        ["Lộc Quảng", "=Không ban hành kết luận", "31/05/2024"]


def test_the_briefing_reads_in_black_and_white_and_keeps_to_its_lists(con, monkeypatch):
    from etl.outputs import briefing
    monkeypatch.setattr(briefing, "AT_MOST", 2)
    content = briefing.build(con, Period.parse("2024-04"), as_of=AS_OF)
    doc = Document(io.BytesIO(content))
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("word/document.xml").decode()
    assert "w:shd" not in xml and "w:highlight" not in xml   # nothing said by a fill or a highlight
    assert set(re.findall(r'w:color w:val="(\w+)"', xml)) <= {"auto", "000000"}
    assert len(doc.tables[1].rows) == 3                       # the header and two rows
    assert "… và 3 đảng bộ khác (xem bảng điều khiển)." in [p.text for p in doc.paragraphs]
    with pytest.raises(ValueError, match="chỉ làm cho một tháng"):
        briefing.build(con, Period.parse("2024-Q2"))


def test_a_period_not_yet_over_counts_only_its_due_months(con):
    # H1 on 20 May 2024: April's reports were due on 5 May, May's and June's are not due yet
    h1 = collect(con, "2024-H1", as_of=date(2024, 5, 20))
    assert (h1.covered.first, h1.covered.last) == ("2024-01", "2024-04")
    text = [b.text for b in rt.body(h1) if b.kind == "p"]
    assert "Số liệu tính đến tháng 4/2024; tháng 5, 6 chưa đến hạn báo cáo." in text
    assert any(t.startswith("Trong 6 tháng đầu năm 2024, các đảng bộ đã gửi 3/20 báo cáo tháng đã đến hạn") for t in text)
    assert any("quý II (số liệu tháng 4): 1/4 chi bộ (25,0%)" in t for t in text)
