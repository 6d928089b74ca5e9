"""The December export (etl.export): workbook cells and report sentences equal the indicator
layer's values and hand-counted ones; report text stays text; a commune filter changes the
figures; a realistic sample warehouse exports (and converts to PDF when LibreOffice is there);
the report is still made, with a warning, when no browser can draw the charts.

The small warehouse is loaded through the real loader from workbooks built by code
(tests/builders.py): Lộc Ngãi (X01) reports March and April 2024, Lộc Quảng (X02) March 2024;
X03–X05 report nothing. Hand counts are in the comments next to the assertions.
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

from builders import S2, S4, clone, inspections_book, monthly_book, registry_book, targets_book, write_book
from etl import indicators as ind
from etl.export import DOCX_NAME, XLSX_NAME, build_report, build_workbook, charts, export_year
from etl.load import load_paths
from etl.settings import Settings, load_settings
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 1, 15)   # every 2024 deadline has passed: unreported months are 'missing'
YEAR = 2024
TOPIC = "=Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
FINDING = "=Không ban hành kết luận"   # inspections_book's Lộc Quảng finding, open, due 31/05/2024
ADVICE = "+Ban hành kết luận sau mỗi hội nghị"
TOPICS = {TOPIC: "Lộc Ngãi", "@Chuyên đề quý II": "Lộc Ngãi", "-Học tập Bác": "Lộc Quảng"}
RATING_HEADERS = ["Tên chi bộ", "Xếp loại tổ chức đảng", "Hoàn thành xuất sắc nhiệm vụ",
                  "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]


def _books() -> list[tuple[str, dict, datetime | None]]:
    march = clone(monthly_book())
    march[S2][4][9] = TOPIC                  # branch 0's thematic topic starts with '='
    april = clone(monthly_book(month=4))
    april[S2][7][5:12] = [None] * 7          # Chi bộ Trạm Y tế: no meeting in April
    april[S2][7][5] = "Không"
    april[S2][4][9] = "@Chuyên đề quý II"
    april[S4] = [RATING_HEADERS,
                 ["Chi bộ thôn 1", "Hoàn thành xuất sắc nhiệm vụ", 2, 15, 2, 0],
                 ["Chi bộ thôn 2", "Hoàn thành tốt nhiệm vụ", 1, 16, 3, 0],
                 ["Chi bộ Trường Tiểu học Lộc Ngãi", "Hoàn thành tốt nhiệm vụ", 0, 18, 3, 1],
                 ["Chi bộ Trạm Y tế", "Hoàn thành nhiệm vụ", 0, 10, 10, 2]]
    quang = monthly_book(commune="Lộc Quảng", branches=["Chi bộ thôn 1", "Chi bộ Công an xã"])
    quang[S2][4][9] = "-Học tập Bác"
    register = inspections_book()
    register["Sổ kiểm tra"][4][6] = ADVICE
    return [("registry.xlsx", registry_book(), None), ("targets.xlsx", targets_book(), None),
            ("inspections.xlsx", register, None),
            ("x01-03.xlsx", march, datetime(2024, 4, 3, 9)),    # on time (deadline 5 April)
            ("x01-04.xlsx", april, datetime(2024, 5, 10, 9)),   # late
            ("x02-03.xlsx", quang, datetime(2024, 4, 5, 16))]   # on time, on the deadline day


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    c = db.connect(folder / "w.duckdb")
    for name, book, received in _books():
        [result] = load_paths(c, [write_book(folder / "in" / name, book)], received_at=received)
        assert result.status == "loaded", (name, result.problems)
    yield c
    c.close()


@pytest.fixture(scope="module")
def exported(con, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = export_year(con, YEAR, out_dir=out, as_of=AS_OF, images=False)
    return result, openpyxl.load_workbook(result.xlsx), Document(str(result.docx))


def table(ws, header_row: int = 4) -> dict[str, dict[str, object]]:
    """{row name (column B): {header: value}} of a sheet with a two-row header: a column merged
    over both rows is keyed by its label, a sub-column by 'Group | Sub'."""
    heads, group = [], None
    for c in range(1, ws.max_column + 1):
        top, sub = ws.cell(header_row, c).value, ws.cell(header_row + 1, c).value
        if sub is None:
            heads.append(top)
            continue
        group = top if top is not None else group
        heads.append(f"{group} | {sub}")
    rows = {}
    for r in range(header_row + 2, ws.max_row + 1):
        name = ws.cell(r, 2).value
        if name:
            rows[name] = {h: ws.cell(r, c + 1).value for c, h in enumerate(heads)}
    return rows


def paragraphs(doc) -> list[str]:
    cells = [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return [p.text for p in doc.paragraphs] + cells


# --- workbook --------------------------------------------------------------------------------

def test_summary_sheet_has_hand_counted_figures(exported):
    _, wb, _ = exported
    assert wb.sheetnames[:8] == ["Tổng hợp", "Hội nghị cấp ủy", "Phát triển đảng viên", "Kiểm tra",
                                 "Hạn chế quá hạn", "Hạn chế chưa khắc phục", "Nộp báo cáo", "Biểu đồ"]
    rows = table(wb["Tổng hợp"])
    assert list(rows)[-1] == "Toàn Đảng bộ"
    x01, total = rows["Lộc Ngãi"], rows["Toàn Đảng bộ"]
    assert x01["Số chi bộ"] == 4 and total["Số chi bộ"] == 8              # builders' registry
    assert x01["Chi bộ - tháng | Phải báo cáo"] == 48                     # 4 branches x 12
    assert x01["Chi bộ - tháng | Đã báo cáo"] == 8                         # March + April
    assert x01["Tháng chưa báo cáo"] == 10
    assert x01["Sinh hoạt thường kỳ (I5) | Số lượt"] == 7                  # Trạm Y tế not in April
    assert x01["Sinh hoạt thường kỳ (I5) | Tỷ lệ"] == pytest.approx(7 / 8)
    assert total["Sinh hoạt thường kỳ (I5) | Số lượt"] == 9                # + Lộc Quảng's 2
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ"] == pytest.approx(9 / 10)
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
    assert x03["Sinh hoạt thường kỳ (I5) | Tỷ lệ"] == "Chưa báo cáo"
    assert x03["Chất lượng sinh hoạt (I10) | Tốt"] == "Chưa báo cáo"
    assert x03["Xếp loại tổ chức đảng cuối năm | Hoàn thành tốt"] == "Chưa báo cáo"
    assert x03["Chi bộ - tháng | Phải báo cáo"] == 12
    assert wb["Tổng hợp"]["E6"].number_format.endswith("#,##0")
    assert wb["Tổng hợp"].freeze_panes == "C6"


def test_every_workbook_number_is_the_indicator_layers(con, exported):
    _, wb, _ = exported
    scope, s = ind.Scope.for_year(YEAR), load_settings()
    checks = {
        ("Tổng hợp", "Sinh hoạt thường kỳ (I5) | Tỷ lệ"): (ind.branch_meetings(con, scope, s), "i5_held_share"),
        ("Tổng hợp", "Sinh hoạt đúng lịch (I6) | Số lượt"): (ind.branch_meetings(con, scope, s), "on_schedule"),
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
                                                    "i15_on_time_share"),
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
    total = table(wb["Phát triển đảng viên"])["Toàn Đảng bộ"]
    progress = ind.recruitment_progress(con, scope, "total").iloc[0]
    assert (total["Kết nạp so với chỉ tiêu (I11) | Chỉ tiêu năm"],
            total["Kết nạp so với chỉ tiêu (I11) | Đã kết nạp"]) == (progress.target, progress.admitted_ytd) == (23, 3)
    subs = table(wb["Nộp báo cáo"])
    # months: Lộc Ngãi on time in March, late in April, missing the rest
    assert [subs["Lộc Ngãi"][f"Tình trạng nộp báo cáo theo tháng | T{m}"] for m in (2, 3, 4)] == \
        ["Chưa báo cáo", "Đúng hạn", "Nộp muộn"]
    assert subs["Lộc Quang"]["Tình trạng nộp báo cáo theo tháng | T7"] == "—"   # closed in June
    per_month = ind.submissions(con, scope, s, "month", AS_OF).set_index("period")
    assert subs["Toàn Đảng bộ: tỷ lệ đã nộp"]["Tình trạng nộp báo cáo theo tháng | T3"] == \
        pytest.approx(per_month.loc["2024-03", "i15_reported_share"]) == pytest.approx(2 / 5)


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


def test_commune_filter_changes_the_numbers(con, tmp_path):
    content = build_workbook(con, YEAR, ["X02", "X99"], as_of=AS_OF)
    (tmp_path / "x.xlsx").write_bytes(content)
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    rows = table(wb["Tổng hợp"])
    assert list(rows) == ["Lộc Quảng", "Cộng các đảng bộ được chọn"]
    total = rows["Cộng các đảng bộ được chọn"]
    assert total["Sinh hoạt thường kỳ (I5) | Số lượt"] == 2 and total["Số chi bộ"] == 2
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ"] == 1
    assert [n for n in wb.sheetnames if n == "Lộc Ngãi"] == []
    docx, warnings = build_report(con, YEAR, ["X02", "X99"], as_of=AS_OF, images=False)
    assert warnings == ["Không có đảng bộ mã X99 trong năm 2024."]
    (tmp_path / "x.docx").write_bytes(docx)
    text = paragraphs(Document(str(tmp_path / "x.docx")))
    assert "Đảng bộ Lộc Quảng có 2/2 lượt chi bộ sinh hoạt thường kỳ đầy đủ, đạt 100,0% (tính trên số " \
           "chi bộ - tháng đã báo cáo)." in text
    assert "(Số liệu của: Lộc Quảng)" in text


# --- Word report ------------------------------------------------------------------------------

def test_report_states_the_figures_in_vietnamese(exported):
    result, _, doc = exported
    assert result.docx.name == DOCX_NAME.format(year=YEAR) and result.xlsx.name == XLSX_NAME.format(year=YEAR)
    text = paragraphs(doc)
    for sentence in [
        "Toàn Đảng bộ có 5 đảng bộ cơ sở với 8 chi bộ trực thuộc.",
        # 54 commune-months expected (X01–X04 twelve each, X05 until June), 3 reported
        "Trong năm 2024, các đảng bộ đã gửi 3/54 báo cáo tháng, đạt 5,6%; trong đó 2/54 báo cáo "
        "gửi đúng hạn, đạt 3,7%.",
        "Toàn Đảng bộ có 9/10 lượt chi bộ sinh hoạt thường kỳ đầy đủ, đạt 90,0% (tính trên số chi bộ - "
        "tháng đã báo cáo).",
        "Có 9/9 cuộc sinh hoạt được tổ chức đúng lịch (từ ngày 1 đến ngày 7 hằng tháng), đạt 100,0%. "
        "Tỷ lệ đảng viên dự sinh hoạt đạt 90,1% (163/181 lượt đảng viên phải dự). Cấp ủy viên cấp trên "
        "dự 4/9 cuộc sinh hoạt, đạt 44,4%.",
        "Trong 9 lượt sinh hoạt chi bộ được tự đánh giá chất lượng: 3 lượt tốt (33,3%), 3 lượt khá "
        "(33,3%), 2 lượt trung bình (22,2%), 1 lượt kém (11,1%); đạt khá trở lên 66,7%.",
        "Số chi bộ có sinh hoạt chuyên đề (ít nhất một lần trong quý) trên số chi bộ đã báo cáo: quý I: "
        "2/6 chi bộ (33,3%); quý II: 1/4 chi bộ (25,0%); quý III: chưa báo cáo; quý IV: chưa báo cáo.",
        "Toàn Đảng bộ kết nạp 3/23 đảng viên mới so với chỉ tiêu năm 2024, đạt 13,0%.",
        "Chưa báo cáo kết quả xếp loại: Hòa Bắc; Lộc Quang; Lộc Quảng; Lộc Thắng.",
        "ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", "Số      -BC/BTCHU",
        "Bảo Lâm, ngày      tháng 12 năm 2024", "BÁO CÁO", "Tình hình, chất lượng sinh hoạt chi bộ năm 2024",
        "II. KẾT QUẢ", "III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025",
        "Nơi nhận:", "- Lưu Ban Tổ chức.", "T/M BAN TỔ CHỨC", "PHỤ LỤC",
    ]:
        assert sentence in text, sentence
    gone = next(t for t in text if t.startswith("Còn "))
    assert gone.startswith("Còn 51 tháng chưa báo cáo: Hòa Bắc (tháng 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); ")
    assert "Lộc Ngãi (tháng 1, 2, 5, 6, 7, 8, 9, 10, 11, 12)" in gone and "Lộc Quang (tháng 1, 2, 3, 4, 5, 6)" in gone
    appendix = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    assert appendix[-1] == ["", "Toàn Đảng bộ", "8", "9/10", "90,0%", "100,0%", "90,1%", "66,7%", "3/23", "51"]
    assert ["5", "Lộc Thắng", "1"] + ["Chưa báo cáo"] * 6 + ["12"] in appendix
    section, normal = doc.sections[0], doc.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    assert [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin,
                                  section.bottom_margin, section.left_margin, section.right_margin)] == \
        [210, 297, 20, 20, 30, 15]
    assert not doc.inline_shapes  # images=False


def test_organisation_names_come_from_settings(con, tmp_path):
    custom = Settings(organization_name="TỈNH ỦY LÂM ĐỒNG", organization_board="BAN TỔ CHỨC TỈNH ỦY",
                      organization_place="Đà Lạt", organization_symbol="BC/BTCTU",
                      organization_recipients=("Ban Thường vụ Tỉnh ủy (để báo cáo),", "Lưu."))
    docx, _ = build_report(con, YEAR, settings=custom, as_of=AS_OF, images=False)
    (tmp_path / "r.docx").write_bytes(docx)
    text = paragraphs(Document(str(tmp_path / "r.docx")))
    for line in ("TỈNH ỦY LÂM ĐỒNG", "BAN TỔ CHỨC TỈNH ỦY", "Số      -BC/BTCTU", "T/M BAN TỔ CHỨC TỈNH ỦY",
                 "Đà Lạt, ngày      tháng 12 năm 2024", "- Ban Thường vụ Tỉnh ủy (để báo cáo),", "- Lưu."):
        assert line in text, line
    bad = tmp_path / "bad.toml"
    for body, message in (('[organization]\nrecipients = "Lưu."\n', "danh sách chuỗi ký tự"),
                          ('[organization]\nname = " "\n', "không được để trống"),
                          ("[organization]\nplace = 3\n", "chuỗi ký tự")):
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            load_settings(bad)


# the kaleido server thread dying on the fake browser is the case under test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_report_without_a_browser_has_no_images_and_says_so(con, tmp_path):
    docx, warnings = build_report(con, YEAR, as_of=AS_OF, browser=tmp_path / "khong-co-chromium")
    assert len(warnings) == 1 and warnings[0].startswith("Không tìm thấy trình duyệt Chromium")
    (tmp_path / "r.docx").write_bytes(docx)
    doc = Document(str(tmp_path / "r.docx"))
    assert not doc.inline_shapes
    assert "II. KẾT QUẢ" in paragraphs(doc)
    # a "browser" that exits at once: the server thread dies; reported, not waited on forever
    _, warnings = build_report(con, YEAR, as_of=AS_OF, browser="/bin/true")
    assert len(warnings) == 1 and warnings[0].startswith("Không vẽ được biểu đồ bằng trình duyệt /bin/true")


def test_command_line_export(con, tmp_path):
    db_file = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                   .fetchone()[0])
    copy = tmp_path / "copy.duckdb"
    con.execute("CHECKPOINT")
    shutil.copy(db_file, copy)  # the module's connection holds the original file
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
    assert total["Sinh hoạt thường kỳ (I5) | Tỷ lệ"] == pytest.approx(expected.i5_held_share)
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
