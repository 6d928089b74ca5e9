"""The December Word report (etl.outputs.export): sentences state the indicator layer's figures in
Vietnamese, in the layout of a party document; organisation names come from the settings; the
report is still made, with a warning, when no browser can draw the charts. The test world is
tests/export_world.py.
"""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from docx import Document

from etl import indicators as ind
from etl import theme
from etl.outputs.export import DOCX_NAME, XLSX_NAME, build_report, charts, collect, export_year, lists
from etl.outputs.export import report_text as rt
from etl.outputs.export.labels import in_sentence
from etl.settings import Settings, load_settings
from export_world import AS_OF, YEAR, con, exported, paragraphs, table  # noqa: F401


def test_report_states_the_figures_in_vietnamese(exported):
    result, _, doc = exported
    assert result.docx.name == DOCX_NAME.format(year=YEAR) and result.xlsx.name == XLSX_NAME.format(year=YEAR)
    text = paragraphs(doc)
    for sentence in [
        "Toàn Đảng bộ có 5 đảng bộ cơ sở với 8 chi bộ trực thuộc.",
        # 54 commune-months expected (X01–X04 twelve each, X05 until June), 3 reported
        "Trong năm 2024, các đảng bộ đã gửi 3/54 báo cáo tháng, đạt 5,6%; trong đó 2/54 báo cáo "
        "gửi đúng hạn, đạt 3,7%.",
        # the model sentence counts branches (held in every month reported), then branch-months
        "Toàn Đảng bộ có 5/6 chi bộ sinh hoạt thường kỳ đầy đủ (đủ các tháng đã báo cáo), đạt 83,3%; tính "
        "theo lượt, có 9/10 lượt chi bộ sinh hoạt thường kỳ, đạt 90,0% (tính trên số chi bộ - tháng đã báo cáo).",
        "Có 9/9 cuộc sinh hoạt được tổ chức đúng lịch (từ ngày 1 đến ngày 7 hằng tháng), đạt 100,0%. "
        "Tỷ lệ đảng viên dự sinh hoạt đạt 90,1% (163/181 lượt đảng viên phải dự). Cấp ủy viên cấp trên "
        "dự 4/9 cuộc sinh hoạt, đạt 44,4%.",
        "Trong 9 lượt sinh hoạt chi bộ được tự đánh giá chất lượng: 3 lượt tốt (33,3%), 3 lượt khá "
        "(33,3%), 2 lượt trung bình (22,2%), 1 lượt kém (11,1%); đạt khá trở lên 66,7%.",
        "Số chi bộ có sinh hoạt chuyên đề (ít nhất một lần trong quý) trên số chi bộ đã báo cáo: quý I: "
        "2/6 chi bộ (33,3%); quý II: 1/4 chi bộ (25,0%); quý III: chưa báo cáo; quý IV: chưa báo cáo.",
        # Lộc Thắng's target (5) is left out: it reported nothing, so nothing is counted as 0
        "Toàn Đảng bộ kết nạp 3/18 đảng viên mới so với chỉ tiêu năm 2024 của các đảng bộ đã báo cáo, đạt "
        "16,7% (chưa tính đảng bộ Lộc Thắng chưa báo cáo, chỉ tiêu 5).",
        "Chưa báo cáo kết quả xếp loại: Hòa Bắc; Lộc Quang; Lộc Quảng; Lộc Thắng.",
        "ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", "Số      -BC/BTCHU",
        "Bảo Lâm, ngày      tháng 12 năm 2024", "BÁO CÁO", "Tình hình, chất lượng sinh hoạt chi bộ năm 2024",
        "II. KẾT QUẢ", "III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025",
        # seed 002 §10: the report goes to the standing committee; a board's head signs it himself
        "Nơi nhận:", "- Ban Thường vụ Huyện ủy (để báo cáo),", "- Lưu Ban Tổ chức.", "TRƯỞNG BAN", "PHỤ LỤC",
        "Các đảng ủy cơ sở tổ chức hội nghị Ban Chấp hành thường kỳ ở 3/3 tháng có báo cáo, đạt 100,0%. Trong "
        "năm có 6 hội nghị cấp ủy, trong đó 3 hội nghị ban hành nghị quyết, kết luận, đạt 50,0%; nghị quyết, kết "
        "luận được ban hành trung bình (trung vị) 2 ngày sau hội nghị.",
        "Kết quả đánh giá, xếp loại cuối năm 2024 (4 chi bộ đã báo cáo): 1 chi bộ hoàn thành xuất sắc nhiệm vụ, "
        "2 chi bộ hoàn thành tốt nhiệm vụ, 1 chi bộ hoàn thành nhiệm vụ; không có chi bộ nào không hoàn thành "
        "nhiệm vụ. Về đảng viên: 3 đảng viên hoàn thành xuất sắc nhiệm vụ, 59 đảng viên hoàn thành tốt nhiệm vụ, "
        "18 đảng viên hoàn thành nhiệm vụ; 3 đảng viên không hoàn thành nhiệm vụ.",
        "Qua kiểm tra, đã chỉ ra 2 hạn chế, khuyết điểm; đến ngày 15/01/2025 đã khắc phục 1 (50,0%), đang khắc "
        "phục 0, chưa khắc phục 1; 1 hạn chế quá hạn khắc phục.",
    ]:
        assert sentence in text, sentence
    assert not [t for t in text if t.startswith("T/M ")]  # "T/M" is for collective bodies
    # the months nobody reported are said once; then the communes with other gaps, all named
    assert "Tháng 1, 2, 5, 6, 7, 8, 9, 10, 11, 12 chưa có đảng bộ nào gửi báo cáo; còn 7 tháng khác quá hạn " \
           "chưa báo cáo: Hòa Bắc (tháng 3, 4); Lộc Quang (tháng 3, 4); Lộc Quảng (tháng 4); Lộc Thắng " \
           "(tháng 3, 4). Các tháng chưa báo cáo không được tính vào các tỷ lệ dưới đây (không tính là 0)." in text
    assert not [t for t in text if t.startswith("Số liệu tính đến")]  # the year is over: no coverage line
    appendix = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    assert appendix[-1] == ["", "Toàn Đảng bộ", "8", "5/6", "9/10", "90,0%", "100,0%", "90,1%", "66,7%", "3/18", "51"]
    assert ["5", "Lộc Thắng", "1"] + ["Chưa báo cáo"] * 7 + ["12"] in appendix
    section, normal = doc.sections[0], doc.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    assert [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin,
                                  section.bottom_margin, section.left_margin, section.right_margin)] == \
        [210, 297, 20, 20, 30, 15]
    assert not doc.inline_shapes  # images=False


def test_report_has_summary_tables_and_a_numbered_appendix(exported):
    _, _, doc = exported
    grids = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    assert ["Đã nộp", "3", "5,6%"] in next(g for g in grids if g[0] == ["Báo cáo tháng", "Số báo cáo", "Tỷ lệ"])
    committee = next(g for g in grids if g[0] == ["Chỉ số", "Kết quả", "Tỷ lệ"])
    assert [r[1:] for r in committee[1:]] == [["3/3", "100,0%"], ["3/6", "50,0%"], ["2 ngày", ""], ["3/3", "100,0%"]]
    assert next(g for g in grids if g[0][0] == "Quý")[1:] == [
        ["Quý I", "2/6", "33,3%"], ["Quý II", "1/4", "25,0%"], ["Quý III", "Chưa báo cáo", ""],
        ["Quý IV", "Chưa báo cáo", ""]]
    # the landscape appendix: its own first page numbered like the others, tables at 12 pt
    appendix = doc.sections[1]
    assert not appendix.different_first_page_header_footer and appendix.header.is_linked_to_previous
    assert "PAGE" in doc.sections[0].header._element.xml
    sizes = {run.font.size.pt for row in doc.tables[-1].rows for cell in row.cells for p in cell.paragraphs
             for run in p.runs}
    assert sizes == {12}
    note = next(p for p in doc.paragraphs if p.text.startswith("Tỷ lệ tính trên số chi bộ - tháng"))
    assert note.runs[0].font.size.pt == 13


def test_organisation_names_come_from_settings(con, tmp_path):
    custom = Settings(organization_name="TỈNH ỦY LÂM ĐỒNG", organization_board="BAN TỔ CHỨC TỈNH ỦY",
                      organization_place="Đà Lạt", organization_symbol="BC/BTCTU",
                      organization_sign_for="K/T Trưởng ban", organization_signer="Phó Trưởng ban",
                      organization_recipients=("Ban Thường vụ Tỉnh ủy (để báo cáo),", "Lưu."))
    docx, _ = build_report(con, YEAR, settings=custom, as_of=AS_OF, images=False)
    (tmp_path / "r.docx").write_bytes(docx)
    doc = Document(str(tmp_path / "r.docx"))
    text = paragraphs(doc)
    signature = next(t for t in doc.tables if t.rows[0].cells[-1].paragraphs[0].text == "K/T TRƯỞNG BAN")
    assert [p.text for p in signature.rows[0].cells[-1].paragraphs][:2] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    for line in ("TỈNH ỦY LÂM ĐỒNG", "BAN TỔ CHỨC TỈNH ỦY", "Số      -BC/BTCTU",
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




# --- a year in progress -------------------------------------------------------------------------

IN_MAY = date(2024, 5, 20)   # April's reports were due on 5 May; May's are due on 5 June


@pytest.fixture(scope="module")
def in_may(con, tmp_path_factory):
    result = export_year(con, YEAR, out_dir=tmp_path_factory.mktemp("may"), as_of=IN_MAY, images=False)
    return openpyxl.load_workbook(result.xlsx), Document(str(result.docx))


def test_a_year_in_progress_says_how_far_its_figures_reach(in_may):
    wb, doc = in_may
    text = paragraphs(doc)
    assert "Số liệu tính đến tháng 4/2024; tháng 5, 6, 7, 8, 9, 10, 11, 12 chưa đến hạn báo cáo." in text
    # January–April due: 5 communes x 4 months = 20 owed, 3 sent, 2 on time (not 3/54)
    assert "Trong năm 2024, các đảng bộ đã gửi 3/20 báo cáo tháng đã đến hạn, đạt 15,0%; trong đó 2/20 " \
           "báo cáo gửi đúng hạn, đạt 10,0%." in text
    assert "Tháng 1, 2 chưa có đảng bộ nào gửi báo cáo; còn 7 tháng khác quá hạn chưa báo cáo: Hòa Bắc " \
           "(tháng 3, 4); Lộc Quang (tháng 3, 4); Lộc Quảng (tháng 4); Lộc Thắng (tháng 3, 4). Các tháng " \
           "chưa báo cáo không được tính vào các tỷ lệ dưới đây (không tính là 0)." in text
    assert "Số chi bộ có sinh hoạt chuyên đề (ít nhất một lần trong quý) trên số chi bộ đã báo cáo: quý I: " \
           "2/6 chi bộ (33,3%); quý II (số liệu tháng 4): 1/4 chi bộ (25,0%); quý III: chưa đến hạn báo cáo; " \
           "quý IV: chưa đến hạn báo cáo." in text
    assert ["Chưa đến hạn nộp (không tính)", "34", ""] in [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    appendix = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    assert appendix[0][-1] == "Tháng quá hạn chưa báo cáo"
    assert appendix[-1][-1] == "17"  # January–April: 20 owed, 3 sent; May–December not counted
    summary = wb["Tổng hợp"]
    rows = table(summary)
    assert rows["Lộc Ngãi"]["Chi bộ - tháng | Phải báo cáo"] == 16            # 4 branches x 4 months
    assert rows["Lộc Ngãi"]["Tháng quá hạn chưa báo cáo"] == 2                # January, February
    assert [h.split(" | ")[1] for h in rows["Lộc Ngãi"] if h and h.startswith("Chi bộ có sinh hoạt chuyên")] == \
        ["Quý I", "Quý II (T4)", "Quý III (chưa đến hạn)", "Quý IV (chưa đến hạn)"]
    assert rows["Toàn Đảng bộ"]["Chi bộ có sinh hoạt chuyên đề (I8) | Quý III (chưa đến hạn)"] == "—"
    assert summary["A2"].value.endswith("năm 2024 (số liệu đến tháng 4/2024)")
    # the branch sheets stop at April too: no "Chưa báo cáo" rows for months nobody owes yet
    assert {r[2].value for r in wb["Lộc Ngãi"].iter_rows(min_row=6) if r[2].value} == \
        {"1/2024", "2/2024", "3/2024", "4/2024"}


def test_a_year_in_progress_submission_sheet(in_may):
    wb, _ = in_may
    ws = wb["Nộp báo cáo"]
    rows = table(ws)
    assert [rows["Lộc Ngãi"][f"Tình trạng nộp báo cáo theo tháng | T{m}"] for m in (2, 3, 4, 5)] == \
        ["Chưa", "Đúng", "Muộn", "Chờ"]
    x01 = rows["Lộc Ngãi"]
    assert (x01["Cả năm | Quá hạn chưa nộp"], x01["Cả năm | Chưa đến hạn"]) == (2, 8)
    assert x01["Cả năm | Tỷ lệ đã nộp"] == pytest.approx(2 / 4)
    share = rows["Toàn Đảng bộ: tỷ lệ đã nộp"]
    assert share["Tình trạng nộp báo cáo theo tháng | T4"] == pytest.approx(1 / 5)
    assert share["Tình trạng nộp báo cáo theo tháng | T5"] == "Chờ"   # nothing owed yet
    total = rows["Toàn Đảng bộ: số đảng bộ đã nộp"]
    # the year's totals are written once, merged over the three total rows
    assert (total["Cả năm | Đã nộp"], total["Cả năm | Tỷ lệ đã nộp"]) == (3, pytest.approx(3 / 20))
    assert share["Cả năm | Đã nộp"] is None
    assert any(str(m).startswith(f"{openpyxl.utils.get_column_letter(15)}") for m in ws.merged_cells.ranges)


def test_year_end_ratings_are_not_missing_before_december_is_due(con):
    # Lộc Quảng has no rating: in May that is not yet due (it comes with December's report)
    quang = [b.text for b in rt.body(collect(con, YEAR, ["X02"], as_of=IN_MAY)) if b.kind == "p"]
    assert "Kết quả đánh giá, xếp loại tổ chức đảng và đảng viên cuối năm: chưa đến hạn báo cáo (báo cáo " \
           "tháng 12)." in quang
    quang = [b.text for b in rt.body(collect(con, YEAR, ["X02"], as_of=AS_OF)) if b.kind == "p"]
    assert "Kết quả đánh giá, xếp loại tổ chức đảng và đảng viên cuối năm: chưa báo cáo." in quang


def test_coverage_and_due_shares_come_from_the_indicator_layer(con):
    scope = ind.Scope.for_year(YEAR)
    cov = ind.coverage(con, scope, Settings(), IN_MAY).set_index("period")
    assert list(cov.index[cov["covered"]]) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(cov.index[cov["due"]]) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert cov.loc["2024-05", ["expected_months", "pending_months", "missing_months"]].tolist() == [5, 5, 0]
    total = ind.submissions(con, scope, Settings(), "total", IN_MAY).iloc[0]
    assert (total.due_months, total.reported_months, total.pending_months) == (20, 3, 34)
    assert total.i15_reported_share_due == pytest.approx(3 / 20)
    assert total.i15_reported_share == pytest.approx(3 / 54)  # the dashboard's share is unchanged
    assert not total.due
    # after the last deadline of the year everything is due and covered
    cov = ind.coverage(con, scope, Settings(), AS_OF)
    assert cov["covered"].all() and cov["due"].all()


def test_a_long_list_of_communes_goes_whole_to_appendix_2(con, tmp_path, monkeypatch):
    monkeypatch.setattr(lists, "LIST_AT_MOST", 2)  # a province's 130 communes, in small
    docx, _ = build_report(con, YEAR, as_of=IN_MAY, images=False)
    (tmp_path / "r.docx").write_bytes(docx)
    doc = Document(str(tmp_path / "r.docx"))
    text = paragraphs(doc)
    assert "Tháng 1, 2 chưa có đảng bộ nào gửi báo cáo; còn 7 tháng khác quá hạn chưa báo cáo của 4 đảng bộ " \
           "(danh sách tại Phụ lục 2). Các tháng chưa báo cáo không được tính vào các tỷ lệ dưới đây (không " \
           "tính là 0)." in text
    assert "PHỤ LỤC 1" in text and "PHỤ LỤC 2" in text
    assert "1. Đảng bộ còn tháng quá hạn chưa gửi báo cáo (4 đảng bộ)" in text
    listed = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Tháng quá hạn chưa báo cáo"
                  and t.rows[0].cells[1].text == "Đảng bộ" and len(t.columns) == 3)
    assert [[c.text for c in r.cells] for r in listed.rows][1:] == [
        ["1", "Hòa Bắc", "tháng 3, 4"], ["2", "Lộc Quang", "tháng 3, 4"], ["3", "Lộc Quảng", "tháng 4"],
        ["4", "Lộc Thắng", "tháng 3, 4"]]


def test_the_report_draws_its_images_with_the_page_builders(con, monkeypatch):
    """One builder per chart: each image is the figure the page's builder returns, in its printed
    variant, what needs attention first."""
    from etl.outputs import charts as builders

    calls = []

    def spy(name):
        real = getattr(builders, name)

        def call(*args, **kwargs):
            calls.append((name, kwargs, real(*args, **kwargs)))
            return calls[-1][2]
        monkeypatch.setattr(builders, name, call)

    for name in ("rate_bars", "quality_stack", "progress_bars"):
        spy(name)
    made = charts.figures(collect(con, YEAR, as_of=AS_OF))
    assert [name for name, _, _ in calls] == ["rate_bars", "quality_stack", "progress_bars"]
    assert all(image is fig for (_, image), (_, _, fig) in zip(made, calls, strict=True))
    for _, kwargs, fig in calls:
        assert (kwargs["paper"], kwargs["order"], kwargs["most"]) == (True, "worst", charts.MAX_BARS)
        layout = fig.layout
        assert (layout.font.family, layout.font.size, layout.width) == (theme.PRINT_FONT, 16, 800)
        assert (layout.paper_bgcolor, layout.plot_bgcolor, layout.separators) == (theme.WHITE, theme.WHITE, ",.")
        assert layout.height == 150 + 30 * 5  # five communes, a row each


def test_chart_images_name_every_commune_worst_first_and_read_well(con):
    data = collect(con, YEAR, as_of=AS_OF)
    i5, quality, rec = (fig for _, fig in charts.figures(data))
    bars, gap = i5.data
    top_down = list(i5.layout.yaxis.categoryarray[::-1])  # plotly draws the first category at the bottom
    texts = {y: t for trace in i5.data for y, t in zip(trace.y, trace.text)}
    # the communes without a report first, in words (never 0), then from the lowest share
    assert top_down[:3] == ["Hòa Bắc", "Lộc Quang", "Lộc Thắng"] and set(gap.y) == set(top_down[:3])
    assert {texts[n] for n in top_down[:3]} == {"Chưa báo cáo"} and "Chưa báo cáo" not in [texts[n] for n in top_down[3:]]
    shares = data.meetings.set_index("commune_name")["i5_held_share"]
    assert [shares[n] for n in top_down[3:]] == sorted(shares[n] for n in top_down[3:])
    # dark ink on the light hatching (white was unreadable on paper)
    assert (gap.textfont.color, gap.marker.color) == (theme.INK, theme.HATCH_GROUND)
    [line] = i5.layout.annotations
    assert line.text == "Toàn Đảng bộ: 90,0%" and line.xanchor == "right"  # left of the line, not clipped
    gap = next(t for t in quality.data if t.name == "Chưa báo cáo")
    assert set(gap.text) == {"Chưa báo cáo"} and gap.textfont.color == theme.INK
    admitted = next(t for t in rec.data if t.name == "Đã kết nạp")
    # every commune; one without a report or without a target says so after its name
    assert len(admitted.y) == 5 and "Lộc Thắng (chưa báo cáo)" in admitted.y
    assert all("<br>" not in fig.layout.title.text for fig in (i5, quality, rec))


def test_past_max_bars_an_image_shows_the_lowest_and_says_how_many_of_how_many(con, monkeypatch):
    monkeypatch.setattr(charts, "MAX_BARS", 3)   # a province's 130 communes, in small
    data = collect(con, YEAR, as_of=AS_OF)
    i5, quality, rec = (fig for _, fig in charts.figures(data))
    assert list(i5.layout.yaxis.categoryarray[::-1]) == ["Hòa Bắc", "Lộc Quang", "Lộc Thắng"]  # not reported: the worst
    assert i5.layout.title.text.endswith("<br><span style='font-size:15px'>(3/5 đảng bộ có tỷ lệ thấp nhất; "
                                         "đủ các đảng bộ tại Phụ lục 1)</span>")
    assert "(3/5 đảng bộ có tỷ lệ khá trở lên thấp nhất;" in quality.layout.title.text
    progress = data.progress.set_index("commune_name")
    lowest = progress["i11_target_share"].astype(float).sort_values(na_position="first", kind="stable").index[:3]
    shown = [name.split(" (")[0] for name in rec.data[0].y[::-1]]
    assert shown == list(lowest) and len(progress) == 5
    assert "(3/5 đảng bộ có tỷ lệ kết nạp so với chỉ tiêu thấp nhất; đủ các đảng bộ tại Phụ lục 1)" in rec.layout.title.text
    assert rec.layout.margin.t == 110  # the second title line has its room


@pytest.mark.parametrize("name, written", [("Xã Lộc Đức", "xã Lộc Đức"), ("Thị trấn Lộc Thắng", "thị trấn Lộc Thắng"),
                                           ("Phường 1", "phường 1"), ("Lộc Quảng", "Lộc Quảng")])
def test_a_commune_name_inside_a_sentence(name, written):
    assert in_sentence(name) == written
