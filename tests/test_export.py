"""The December workbook (etl.outputs.export): cells equal the indicator layer's values and hand-counted
ones; report text stays text; a commune filter changes the figures; the command line writes
both files; a realistic sample warehouse exports (and converts to PDF when LibreOffice is
there). The test world (a warehouse loaded from built workbooks) is tests/export_world.py.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document

from etl import indicators as ind
from etl.ingest.load import load_paths
from etl.outputs.export import build_report, build_workbook, charts, export_year
from etl.settings import load_settings
from etl.warehouse import db
from export_world import (ADVICE, AS_OF, FINDING, ROOT, TOPIC, TOPICS, YEAR, con, exported,  # noqa: F401
                          paragraphs, table, warehouse_copy)


# --- workbook --------------------------------------------------------------------------------

def test_summary_sheet_has_hand_counted_figures(exported):
    _, wb, _ = exported
    assert wb.sheetnames[:9] == ["Tổng hợp", "Hội nghị cấp ủy", "Phát triển đảng viên", "Kiểm tra",
                                 "Hạn chế quá hạn", "Hạn chế chưa khắc phục", "Nộp báo cáo", "Số liệu bất thường",
                                 "Biểu đồ"]
    rows = table(wb["Tổng hợp"])
    assert list(rows)[-1] == "Toàn Đảng bộ"
    x01, total = rows["Lộc Ngãi"], rows["Toàn Đảng bộ"]
    assert x01["Số chi bộ"] == 4 and total["Số chi bộ"] == 8              # builders' registry
    assert x01["Chi bộ - tháng | Phải báo cáo"] == 48                     # 4 branches x 12
    assert x01["Chi bộ - tháng | Đã báo cáo"] == 8                         # March + April
    assert x01["Tháng quá hạn chưa báo cáo"] == 10
    assert x01["Sinh hoạt thường kỳ (I5) | Số lượt"] == 7                  # Trạm Y tế not in April
    assert x01["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == pytest.approx(7 / 8)
    assert total["Sinh hoạt thường kỳ (I5) | Số lượt"] == 9                # + Lộc Quảng's 2
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == pytest.approx(9 / 10)
    # by branch: Trạm Y tế missed April, the other five held every month they reported
    assert (x01["Sinh hoạt thường kỳ (I5) | Chi bộ đủ các tháng"], total["Sinh hoạt thường kỳ (I5) | Chi bộ đủ các tháng"]) \
        == (3, 5)
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ chi bộ"] == pytest.approx(5 / 6)
    assert total["Sinh hoạt đúng lịch (I6) | Tỷ lệ"] == 1                  # all on the 3rd–6th
    # attended / (members - exempt): March 74/82, April 54/60, Lộc Quảng 35/39
    assert total["Đảng viên dự sinh hoạt (I7) | Tỷ lệ"] == pytest.approx(163 / 181)
    assert total["Cấp ủy cấp trên dự (I9) | Tỷ lệ"] == pytest.approx(4 / 9)
    assert [total[f"Chất lượng sinh hoạt (I10) | {k}"] for k in ("Tốt", "Khá", "Trung bình", "Kém")] \
        == [3, 3, 2, 1]
    assert total["Chất lượng sinh hoạt (I10) | Đạt khá trở lên"] == pytest.approx(6 / 9)
    assert total["Chi bộ có sinh hoạt chuyên đề (I8) | Quý I"] == pytest.approx(2 / 6)
    assert total["Chi bộ có sinh hoạt chuyên đề (I8) | Quý II"] == pytest.approx(1 / 4)
    assert total["Chi bộ có sinh hoạt chuyên đề (I8) | Quý III"] == "Chưa báo cáo"
    assert [x01[f"Xếp loại tổ chức đảng cuối năm | {k}"] for k in
            ("Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành")] == [1, 2, 1, 0]
    # a commune without any report: "Chưa báo cáo", never 0; what is expected is still counted
    x03 = rows["Lộc Thắng"]
    assert x03["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == "Chưa báo cáo"
    assert x03["Chất lượng sinh hoạt (I10) | Tốt"] == "Chưa báo cáo"
    assert x03["Xếp loại tổ chức đảng cuối năm | Hoàn thành tốt"] == "Chưa báo cáo"
    assert x03["Chi bộ - tháng | Phải báo cáo"] == 12
    assert wb["Tổng hợp"]["E6"].number_format.endswith("#,##0")
    assert wb["Tổng hợp"].freeze_panes == "C6"


def test_every_workbook_number_is_the_indicator_layers(con, exported):
    _, wb, _ = exported
    scope, s = ind.Scope.for_year(YEAR), load_settings()
    checks = {
        ("Tổng hợp", "Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"): (ind.branch_meetings(con, scope, s), "i5_held_share"),
        ("Tổng hợp", "Sinh hoạt đúng lịch (I6) | Số lượt"): (ind.branch_meetings(con, scope, s), "on_schedule"),
        ("Tổng hợp", "Sinh hoạt thường kỳ (I5) | Tỷ lệ chi bộ"): (ind.branch_meetings(con, scope, s),
                                                                 "i5_branch_share"),
        ("Tổng hợp", "Đảng viên dự sinh hoạt (I7) | Tỷ lệ"): (ind.branch_meetings(con, scope, s),
                                                               "i7_attendance_share"),
        ("Tổng hợp", "Chất lượng sinh hoạt (I10) | Khá"): (ind.quality(con, scope), "kha"),
        ("Hội nghị cấp ủy", "Ban hành nghị quyết, kết luận (I2) | Tỷ lệ"): (ind.committee(con, scope, s),
                                                                             "i2_conclusion_share"),
        ("Hội nghị cấp ủy", "Độ trễ ban hành (I3) | Trung vị (ngày)"): (ind.committee(con, scope, s),
                                                                         "i3_median_days"),
        ("Phát triển đảng viên", "Kết nạp so với chỉ tiêu (I11) | Tỷ lệ"): (
            ind.recruitment_progress(con, scope), "i11_target_share"),
        ("Phát triển đảng viên", "Nguồn (I12) | Quần chúng học lớp nhận thức về Đảng"): (
            ind.recruitment_progress(con, scope), "sources_trained_ytd"),
        ("Phát triển đảng viên", "Biến động đảng viên (I13) | Tăng (+) / giảm (−)"): (
            ind.recruitment(con, scope), "net_change"),
        ("Nộp báo cáo", "Cả năm | Tỷ lệ đúng hạn"): (ind.submissions(con, scope, s, "commune", AS_OF),
                                                    "i15_on_time_share_due"),
    }
    compared = 0
    for (sheet, header), (df, column) in checks.items():
        rows = table(wb[sheet])
        for r in df.itertuples():
            cell = rows[r.commune_name][header]
            value = getattr(r, column)
            if pd.isna(value):
                assert cell in ("Chưa báo cáo", "—"), (sheet, header, r.commune_name, cell)
            else:
                assert cell == pytest.approx(float(value)), (sheet, header, r.commune_name)
                compared += 1
    assert compared >= 20
    sheet = wb["Phát triển đảng viên"]
    total = table(sheet)["Toàn Đảng bộ"]
    progress = ind.recruitment_progress(con, scope, "total").iloc[0]
    # Lộc Thắng (target 5) reported nothing: its target is not counted against zero admissions
    assert (progress.target, progress.target_reported, progress.target_not_reported) == (23, 18, 5)
    assert (total["Kết nạp so với chỉ tiêu (I11) | Chỉ tiêu năm"],
            total["Kết nạp so với chỉ tiêu (I11) | Đã kết nạp"]) == (progress.target_reported, progress.admitted_ytd) \
        == (18, 3)
    assert total["Kết nạp so với chỉ tiêu (I11) | Tỷ lệ"] == pytest.approx(progress.i11_reported_share) \
        == pytest.approx(3 / 18)
    assert "Dòng Toàn Đảng bộ: chỉ tiêu của các đảng bộ đã báo cáo; chưa tính Lộc Thắng chưa báo cáo " \
           "(chỉ tiêu 5)." in [c.value for c in sheet["A"]]
    subs = table(wb["Nộp báo cáo"])
    # months: Lộc Ngãi on time in March, late in April, missing the rest
    assert [subs["Lộc Ngãi"][f"Tình trạng nộp báo cáo theo tháng | T{m}"] for m in (2, 3, 4)] == \
        ["Chưa", "Đúng", "Muộn"]
    assert subs["Lộc Quang"]["Tình trạng nộp báo cáo theo tháng | T7"] == "—"   # closed in June
    per_month = ind.submissions(con, scope, s, "month", AS_OF).set_index("period")
    assert subs["Toàn Đảng bộ: tỷ lệ đã nộp"]["Tình trạng nộp báo cáo theo tháng | T3"] == \
        pytest.approx(per_month.loc["2024-03", "i15_reported_share_due"]) == pytest.approx(2 / 5)


def col_width(ws, column: int) -> float:
    """A column's width (xlsxwriter writes equal neighbours as one <col min max>)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= column <= d.max)


def test_sheets_print_readably_on_a4(exported):
    """Times New Roman is the default font (a column unit means the same in Excel and
    LibreOffice); "Chưa báo cáo" wraps instead of widening a figure column; the summary, too
    wide for one page at 80 %, prints on two pages across with STT and Đảng bộ repeated."""
    _, wb, _ = exported
    assert wb._fonts[0].name == "Times New Roman"
    ws = wb["Tổng hợp"]
    columns = {ws.cell(5, c).value or ws.cell(4, c).value: c for c in range(1, ws.max_column + 1)}
    good = columns["Tốt"]                      # Lộc Thắng (row 10) has "Chưa báo cáo" there
    assert ws.cell(10, good).value == "Chưa báo cáo" and ws.cell(10, good).alignment.wrap_text
    assert col_width(ws, good) < 9                           # was 13: the label's own length
    assert ws.row_dimensions[10].height == 30  # two lines for the wrapped label
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$4:$5"
    [brk] = ws.col_breaks.brk
    assert ws.cell(4, brk.id + 1).value == "Chất lượng sinh hoạt (I10)"  # at a header group
    assert ws.page_setup.scale >= 80 and not ws.sheet_properties.pageSetUpPr.fitToPage
    # Nộp báo cáo: short status labels with fills, no wide columns, a legend
    ws = wb["Nộp báo cáo"]
    assert max(col_width(ws, c) for c in range(3, 15)) < 9 and col_width(ws, 2) < 25  # were 12 and 33.7
    # the legend above the months (not pushed to a page of its own under a long table)
    assert [ws.cell(3, c).value for c in range(2, 15)] == [
        "Chú thích:", "Đúng", "nộp đúng hạn", None, "Muộn", "nộp sau hạn", None, "Chưa", "quá hạn, chưa nộp", None,
        "Chờ", "chưa đến hạn nộp", None]
    assert ws["C10"].value == "Chưa" and ws["C10"].fill.fgColor.rgb.endswith("F8CBAD")
    # the other sheets fit one page wide
    assert wb["Hội nghị cấp ủy"].sheet_properties.pageSetUpPr.fitToPage


def test_inspection_sheet_freezes_and_repeats_its_header_row(con, exported):
    _, wb, _ = exported
    ws = wb["Kiểm tra"]
    assert (ws["A4"].value, ws["B5"].value) == ("1. Theo đảng bộ", "Đảng bộ")
    assert ws.freeze_panes == "A6" and ws.print_title_rows == "$5:$5"  # the header, not the section title
    found = ind.inspections(con, ind.Scope.for_year(YEAR), AS_OF, "commune")
    rows = {ws.cell(r, 2).value: r for r in range(6, ws.max_row + 1)}
    for f in found.itertuples():
        assert ws.cell(rows[f.commune_name], 3).value == f.findings
    second = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == "2. Theo nhóm hạn chế")
    assert ws.cell(second + 1, 2).value == "Nhóm hạn chế"


def test_report_text_stays_text(exported):
    """Text starting with = + - @ is a string cell, never a formula (nor any formula at all)."""
    _, wb, _ = exported
    found = defaultdict(list)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in (FINDING, ADVICE, *TOPICS):
                    found[cell.value].append((ws.title, cell.data_type))
    for topic, commune in TOPICS.items():
        assert found[topic] == [(commune, "s")], topic
    for text in (FINDING, ADVICE):
        assert sorted(found[text]) == [("Hạn chế chưa khắc phục", "s"), ("Hạn chế quá hạn", "s")], text


def test_commune_sheet_lists_branch_months(exported):
    _, wb, _ = exported
    ws = wb["Lộc Ngãi"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=ws.max_row)]
    yte = [r for r in rows if r[1] == "Chi bộ Trạm Y tế"]
    assert len(yte) == 12
    assert [r[2:5] for r in yte[:4]] == [["1/2024", "Chưa báo cáo", None], ["2/2024", "Chưa báo cáo", None],
                                        ["3/2024", "Có", datetime(2024, 3, 6)], ["4/2024", "Không", None]]
    march = next(r for r in rows if r[1] == "Chi bộ thôn 1" and r[2] == "3/2024")
    assert march[3:] == ["Có", datetime(2024, 3, 3), 17, 19, pytest.approx(17 / 19), "Không", "Có", TOPIC, "Tốt"]
    assert ws.print_title_rows == "$4:$4"
    # a topic that fits its column stays one line tall; a long one gets two lines
    heights = {r[10]: ws.row_dimensions[n].height for n, r in enumerate(rows, start=5) if r[10]}
    assert heights == {TOPIC: 30, "@Chuyên đề quý II": None}


def test_commune_filter_changes_the_numbers(con, tmp_path):
    content = build_workbook(con, YEAR, ["X02", "X99"], as_of=AS_OF)
    (tmp_path / "x.xlsx").write_bytes(content)
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    rows = table(wb["Tổng hợp"])
    assert list(rows) == ["Lộc Quảng", "Cộng các đảng bộ được chọn"]
    total = rows["Cộng các đảng bộ được chọn"]
    assert total["Sinh hoạt thường kỳ (I5) | Số lượt"] == 2 and total["Số chi bộ"] == 2
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == 1
    assert [n for n in wb.sheetnames if n == "Lộc Ngãi"] == []
    docx, warnings = build_report(con, YEAR, ["X02", "X99"], as_of=AS_OF, images=False)
    assert warnings == ["Không có đảng bộ mã X99 trong năm 2024."]
    (tmp_path / "x.docx").write_bytes(docx)
    text = paragraphs(Document(str(tmp_path / "x.docx")))
    assert "Đảng bộ Lộc Quảng có 2/2 chi bộ sinh hoạt thường kỳ đầy đủ (đủ các tháng đã báo cáo), đạt 100,0%; " \
           "tính theo lượt, có 2/2 lượt chi bộ sinh hoạt thường kỳ, đạt 100,0% (tính trên số chi bộ - tháng " \
           "đã báo cáo)." in text
    assert "(Số liệu của: Lộc Quảng)" in text
    assert "Đảng ủy Lộc Quảng tổ chức hội nghị Ban Chấp hành thường kỳ ở 1/1 tháng có báo cáo, đạt 100,0%. Trong " \
           "năm có 2 hội nghị cấp ủy, trong đó 1 hội nghị ban hành nghị quyết, kết luận, đạt 50,0%; nghị quyết, kết " \
           "luận được ban hành trung bình (trung vị) 2 ngày sau hội nghị." in text
    assert "Đảng bộ Lộc Quảng chưa gửi báo cáo tháng 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12 (đã quá hạn); các tháng " \
           "này không được tính vào các tỷ lệ dưới đây (không tính là 0)." in text
    assert "Trong năm 2024, Đảng bộ Lộc Quảng đã gửi 1/12 báo cáo tháng, đạt 8,3%; trong đó 1/12 báo cáo gửi " \
           "đúng hạn, đạt 8,3%." in text
    assert "Đảng bộ Lộc Quảng chưa đạt tiến độ chỉ tiêu kết nạp (1/8)." in text


def test_command_line_export(con, tmp_path):
    copy = warehouse_copy(con, tmp_path)
    run = [sys.executable, "-m", "etl", "export", "--year", "2024", "--db", str(copy), "-o",
           str(tmp_path / "out"), "--commune", "X01", "--no-images"]
    p = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out" / "tong-hop-sinh-hoat-chi-bo-2024.xlsx").exists()
    assert (tmp_path / "out" / "bao-cao-chat-luong-sinh-hoat-chi-bo-2024.docx").exists()
    assert "Đã xuất:" in p.stdout
    missing = subprocess.run([sys.executable, "-m", "etl", "export", "--year", "2024", "--db",
                              str(tmp_path / "absent.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 1 and "Không tìm thấy kho dữ liệu" in missing.stderr
    help_text = subprocess.run([sys.executable, "-m", "etl", "export", "--help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    assert "data/export" in help_text


# --- a realistic warehouse ----------------------------------------------------------------------

def test_sample_warehouse_exports_with_charts_and_converts_to_pdf(tmp_path):
    from etl.sample import generate
    files = generate(tmp_path / "sample", communes=3, first="2025-01", last="2025-12")
    c = db.connect(tmp_path / "sample.duckdb")
    assert all(r.status == "loaded" for r in load_paths(c, [f.path for f in files if f.kind != "monthly"]))
    by_day = defaultdict(list)
    for f in files:
        if f.kind == "monthly":
            by_day[f.received_on].append(f.path)
    for day, paths in by_day.items():
        assert all(r.status == "loaded" for r in load_paths(c, paths, received_at=datetime(
            day.year, day.month, day.day, 9)))
    result = export_year(c, 2025, out_dir=tmp_path / "out", as_of=date(2026, 1, 20))
    browser = charts.find_browser() is not None
    if browser:
        assert result.warnings == []
    else:  # no Chromium here: the report is still made, and says why it has no charts
        assert result.warnings and "không có biểu đồ" in result.warnings[0]
    doc = Document(str(result.docx))
    assert len(doc.inline_shapes) == (3 if browser else 0)
    wb = openpyxl.load_workbook(result.xlsx)
    scope = ind.Scope.for_year(2025)
    names = list(ind.communes(c, scope)["commune_name"])
    assert len(names) == 3 and set(names) <= set(wb.sheetnames)
    total = table(wb["Tổng hợp"])["Toàn Đảng bộ"]
    expected = ind.branch_meetings(c, scope, by="total").iloc[0]
    assert total["Sinh hoạt thường kỳ (I5) | Số lượt"] == expected.held
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ lượt"] == pytest.approx(expected.i5_held_share)
    c.close()
    soffice = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)
    if soffice is None:
        return
    pdf_dir = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", "-env:UserInstallation=file://" + str(tmp_path / "lo"),
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), str(result.xlsx), str(result.docx)],
                   capture_output=True, timeout=180, check=True)
    for name in (result.xlsx, result.docx):
        pdf = pdf_dir / (name.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 10_000, pdf
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    # the first page of each file as a picture, kept in tests/artifacts for a person to look at:
    # something is drawn across the page
    from PIL import Image, ImageChops
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    for name in (result.xlsx, result.docx):
        subprocess.run([pdftoppm, "-r", "80", "-f", "1", "-l", "1", "-png", str(pdf_dir / (name.stem + ".pdf")),
                        str(pdf_dir / name.stem)], capture_output=True, timeout=60, check=True)
        [png] = pdf_dir.glob(name.stem + "*.png")
        shutil.copyfile(png, artifacts / f"export-{name.suffix[1:]}-trang-1.png")
        page = Image.open(png).convert("L")
        assert page.width > page.height if name == result.xlsx else page.width < page.height  # A4 landscape / portrait
        ink = ImageChops.invert(page).getbbox()
        assert ink and (ink[2] - ink[0]) > page.width / 2, png  # a table or text across the page
