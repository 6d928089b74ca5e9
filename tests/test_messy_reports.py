"""SPEC §2: every variation real files show must load, with the same values as a clean report."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
import xlsxwriter

from builders import (BRANCH_HEADERS, COVER, S1, S2, S3, S4, clone, codes, inspections_book, monthly_book, nfd,
                      ratings_grid, registry_book, targets_book, write_book)
from etl.ingest.load import load_paths

CLEAN_BRANCHES = None


def branch_rows(con):
    return con.execute("SELECT branch_code, held, meeting_date, members_total, members_exempt, members_attended,"
                       " thematic, upper_attended, quality FROM branch_meetings ORDER BY branch_code").fetchall()


@pytest.fixture
def clean(load, warehouse):
    """The values of the unmodified report, to compare every variation against."""
    assert load(monthly_book(), "clean.xlsx").status == "loaded"
    rows = branch_rows(warehouse)
    assert len(rows) == 4 and rows[0][:3] == ("X01-01", True, dt.date(2024, 3, 3))
    return rows


def assert_same(result, warehouse, clean, allowed=()):
    assert result.status == "loaded", result.problems
    assert [c for c, _ in codes(result) if c not in allowed] == []
    assert branch_rows(warehouse) == clean
    assert warehouse.execute("SELECT count(*) FROM report_submissions WHERE is_current").fetchone() == (1,)


def test_title_signature_blocks_and_blank_rows(load, warehouse, clean):
    book = clone(monthly_book())
    grid = book[S2]
    book[S2] = [["ĐẢNG BỘ HUYỆN BẢO LÂM", None, None, None, None, "ĐẢNG CỘNG SẢN VIỆT NAM"],
                ["ĐẢNG ỦY XÃ LỘC NGÃI", None, None, None, None, "Lộc Ngãi, ngày 05 tháng 4 năm 2024"],
                ["Căn cứ Hướng dẫn số 12-HD/BTCTW ngày 06/7/2018 của Ban Tổ chức Trung ương"],
                *[[] for _ in range(9)], grid[1], [], grid[3], grid[4], [], grid[5], grid[6], grid[7], [],
                [None, "Lộc Ngãi, ngày 05 tháng 4 năm 2024"], [None, "T/M ĐẢNG ỦY"], [None, "BÍ THƯ"], [],
                [None, "Nguyễn Văn B"]]
    assert_same(load(book), warehouse, clean)


def test_two_row_merged_header_with_numbering_row(load, warehouse, clean):
    book = clone(monthly_book())
    top = list(BRANCH_HEADERS)
    sub = [None] * len(top)
    top[5], top[6], sub[5], sub[6] = "Sinh hoạt thường kỳ", None, "Có/Không", "Ngày"
    top[8], top[9], sub[8], sub[9] = "Sinh hoạt chuyên đề", None, "Có/Không", "Chủ đề"
    numbering = [f"({i})" for i in range(1, len(top) + 1)]
    book[S2] = book[S2][:3] + [top, sub, numbering] + book[S2][4:]
    merges = {S2: ["F4:G4", "I4:J4"] + [f"{c}4:{c}5" for c in "ABCDEHKLM"]}
    assert_same(load(book, merges=merges), warehouse, clean)


def test_two_row_header_without_merge_information(load, warehouse, clean):
    book = clone(monthly_book())
    top, sub = list(BRANCH_HEADERS), [None] * len(BRANCH_HEADERS)
    top[5], top[6], sub[5], sub[6] = "Sinh hoạt thường kỳ", None, "Có/Không", "Ngày"
    book[S2] = book[S2][:3] + [top, sub] + book[S2][4:]
    assert_same(load(book), warehouse, clean)


HEADER_AT = {S1: 2, S2: 3, S3: 2, S4: 2}  # zero-based header row of each table sheet in the builders' grids


def titles_above_header(book: dict, titles: list[str], merged: bool) -> tuple[dict, dict]:
    """Every table sheet with `titles` as the rows directly above its header row, each title in
    column A alone or merged across the table's width; returns (book, merges)."""
    merges = {}
    for name, at in HEADER_AT.items():
        if name in book:
            book[name] = [[t] for t in titles] + book[name][at:]
            last = chr(ord("A") + len(book[name][len(titles)]) - 1)
            merges[name] = [f"A{i}:{last}{i}" for i in range(1, len(titles) + 1)] if merged else []
    return book, merges


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "merged"])
@pytest.mark.parametrize("titles", [["ĐẢNG ỦY XÃ LỘC NGÃI", "BÁO CÁO SINH HOẠT CHI BỘ THÁNG 3 NĂM 2024"],
                                    ["THÁNG 3 NĂM 2024", "ĐẢNG ỦY XÃ LỘC NGÃI"]], ids=["period", "commune"])
def test_title_directly_above_the_header_is_not_a_group_row(load, warehouse, clean, titles, merged):
    book = clone(monthly_book())
    del book[COVER]
    book, merges = titles_above_header(book, titles, merged)
    r = load(book, merges=merges)
    assert_same(r, warehouse, clean)
    assert (r.commune, r.period) == ("X01", "2024-03")


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "merged"])
def test_columns_under_an_adjacent_title_keep_their_own_names(load, merged):
    book = clone(monthly_book())
    book, merges = titles_above_header(book, ["BÁO CÁO SINH HOẠT CHI BỘ THÁNG 3 NĂM 2024"], merged)
    book[S2][2][6] = "hôm qua"
    r = load(book, merges=merges)
    assert codes(r) == [("bad_type", "G3")], r.problems
    assert r.problems[0].column == "Ngày sinh hoạt" and "'Ngày sinh hoạt'" in r.problems[0].message


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "merged"])
def test_ratings_sheet_under_an_adjacent_title(load, warehouse, merged):
    book = clone(monthly_book(month=12))
    del book[COVER]
    book[S4] = ratings_grid()
    book, merges = titles_above_header(book, ["ĐẢNG ỦY XÃ LỘC NGÃI", "THÁNG 12 NĂM 2024"], merged)
    r = load(book, merges=merges)
    assert r.status == "loaded" and codes(r) == [], r.problems
    assert (r.commune, r.period, r.rows["annual_ratings"]) == ("X01", "2024-12", 4)
    assert warehouse.execute("SELECT org_rating, members_tot FROM annual_ratings WHERE branch_code = 'X01-02'"
                             ).fetchone() == ("tot", 16)


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "merged"])
def test_targets_year_from_a_title_directly_above_the_header(tmp_path, warehouse, merged):
    book = targets_book((("Lộc Ngãi", None, 12), ("Lộc Thắng", None, 8)))
    book["Chỉ tiêu"][0] = ["CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN NĂM 2025"]
    [r] = load_paths(warehouse, [write_book(tmp_path / "t.xlsx", book, {"Chỉ tiêu": ["A1:C1"] if merged else []})])
    assert r.status == "loaded" and codes(r) == [], r.problems
    assert warehouse.execute("SELECT commune_code, year, target FROM recruitment_targets ORDER BY 1").fetchall() == [
        ("X01", 2025, 12), ("X03", 2025, 8)]


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "merged"])
def test_a_title_naming_a_field_is_not_read_as_a_column(tmp_path, warehouse, merged):
    """'Kế hoạch kiểm tra' names the plan_ref field: spread over the STT column below it, the
    title made STT the plan number column (the register has no plan column: the title says it)."""
    book = inspections_book()
    grid = book["Sổ kiểm tra"]
    grid[:3] = [["KẾ HOẠCH KIỂM TRA SỐ 06-KH/BTCHU"], ["STT", *grid[2][1:]]]
    for i, row in enumerate(grid[2:]):
        row[0] = i + 1
    [r] = load_paths(warehouse, [write_book(tmp_path / "so.xlsx", book, {"Sổ kiểm tra": ["A1:K1"] if merged else []})])
    assert r.status == "loaded" and codes(r) == [], r.problems
    assert warehouse.execute("SELECT list(plan_ref) FROM inspection_findings").fetchone() == ([None, None],)


def test_unmerged_group_label_in_a_sheet_with_other_merges(load, warehouse, clean):
    """'Sinh hoạt thường kỳ' centred across F:G without a merge record, under a merged title."""
    book = clone(monthly_book())
    top, sub = list(BRANCH_HEADERS), [None] * len(BRANCH_HEADERS)
    top[5], top[6], sub[5], sub[6] = "Sinh hoạt thường kỳ", None, "Có/Không", "Ngày"
    book[S2] = book[S2][:3] + [top, sub] + book[S2][4:]
    r = load(book, merges={S2: ["A1:M1", "A2:M2"]})
    assert_same(r, warehouse, clean)


def test_totals_row_is_not_data_and_is_cross_checked(load, warehouse, clean):
    book = clone(monthly_book())
    data = book[S2][4:8]
    book[S2].append([None, None, "Tổng cộng", sum(r[3] for r in data), 4, 4, None, sum(r[7] for r in data)])
    book[S2].append([None, None, "Chi bộ thôn 9 (sau dòng tổng: không phải dữ liệu)", 3, 0, "x"])
    assert_same(load(book), warehouse, clean)


def test_shuffled_extra_columns_line_breaks_case_and_abbreviations(load, warehouse, clean):
    book = clone(monthly_book())
    renamed = {3: "Tổng số ĐV", 4: "Số ĐV được\nmiễn  SH", 5: "SH THƯỜNG KỲ", 7: "Số ĐV dự",
               10: "Cấp ủy viên\ncấp trên dự", 11: "tự đánh giá chất lượng"}
    order = [12, 11, 0, 2, 7, 3, 5, 6, 4, 10, 8, 9, 1]
    header = [renamed.get(i, h) for i, h in enumerate(BRANCH_HEADERS)]
    rows = [header] + book[S2][4:]
    book[S2] = book[S2][:3] + [[r[i] if i < len(r) else None for i in order] + ["cột thêm", 1] for r in rows]
    assert_same(load(book), warehouse, clean)


def test_sheet_names_do_not_matter(load, warehouse, clean):
    book = clone(monthly_book())
    renamed = {COVER: "Bia", S1: "Bieu 1", S2: "SHCB", S3: "Sheet3"}
    assert_same(load({renamed[k]: v for k, v in book.items()}), warehouse, clean)


def test_nfd_text_everywhere(load, warehouse, clean):
    book = nfd(monthly_book())
    assert unicodedata.normalize("NFD", "Sinh hoạt thường kỳ") in book[unicodedata.normalize("NFD", S2)][3]
    assert_same(load(book), warehouse, clean)


@pytest.mark.parametrize("commune", ["Đảng ủy xã Lộc Ngãi", "ĐU Lộc Ngãi", "xã LỘC NGÃI", "X01", "Loc Ngai cu"])
def test_commune_prefixes_case_codes_and_other_names(load, warehouse, clean, commune):
    book = clone(monthly_book())
    book[COVER][1][1] = commune
    assert_same(load(book), warehouse, clean)


def test_tone_placement(load, warehouse):
    book = monthly_book(commune="Hoà Bắc", branches=["Chi bộ thôn Thuỷ Lợi"])
    r = load(book)
    assert r.status == "loaded" and r.commune == "X04" and codes(r) == []


@pytest.mark.parametrize("name", ["Thôn 01", "CB thôn 1", "chi bộ THÔN 1", "Chi bộ Thôn 001"])
def test_branch_prefixes_and_leading_zeros(load, warehouse, clean, name):
    book = clone(monthly_book())
    book[S2][4][2] = name
    book[S3][3][0] = name
    assert_same(load(book), warehouse, clean)


def test_unaccented_names_match_one_unit_with_a_warning(load, warehouse, clean):
    book = clone(monthly_book())
    book[S2][4][2] = "Chi bo thon 1"
    r = load(book)
    assert_same(r, warehouse, clean, allowed=("unaccented_match",))
    assert codes(r) == [("unaccented_match", "C5")]


def test_a_real_letter_or_tone_is_a_different_name(load):
    # not Lộc Quảng: a different (merged) commune, matched exactly (on the cover and in the titles)
    r = load(monthly_book(commune="Lộc Quang"))
    assert r.commune == "X05" and "ambiguous_unit" not in [c for c, _ in codes(r)]


@pytest.mark.parametrize("yes,no", [("x", None), ("X", "0"), ("✓", "Không"), ("Có", "không"), ("có", 0), (1, "")])
def test_yes_no_spellings(load, warehouse, yes, no):
    book = clone(monthly_book())
    for row in book[S2][4:8]:
        row[8] = yes if row[8] else no  # thematic
    r = load(book)
    assert r.status == "loaded", r.problems
    assert warehouse.execute("SELECT list(thematic ORDER BY branch_code) FROM branch_meetings").fetchone()[0] == \
        [True, False, False, False]


@pytest.mark.parametrize("value", [dt.datetime(2024, 3, 3), dt.date(2024, 3, 3), "3/3/2024", " 03/03/2024 ",
                                   "03-03-2024", "03.03.2024", "ngày 03 tháng 3 năm 2024"])
def test_date_spellings(load, warehouse, clean, value):
    book = clone(monthly_book())
    book[S2][4][6] = value
    assert_same(load(book), warehouse, clean)


def test_numbers_as_text(load, warehouse, clean):
    book = clone(monthly_book())
    book[S2][4][3] = " 20 "
    book[S2][4][7] = "17 đ/c"
    assert_same(load(book), warehouse, clean)


def test_report_without_cover_takes_period_and_commune_from_titles(load, warehouse, clean):
    book = clone(monthly_book())
    del book[COVER]
    book[S2][1] = ["tháng 03/2024"]
    r = load(book)
    assert_same(r, warehouse, clean)
    assert (r.commune, r.period) == ("X01", "2024-03")
    assert warehouse.execute("SELECT tasks_sent_on FROM report_submissions WHERE is_current").fetchone() == (None,)


@pytest.mark.parametrize("line", ["- Căn cứ Kế hoạch số 06-KH/ĐU tháng 01/2024 của Đảng ủy xã",
                                  "– căn cứ Kế hoạch số 06-KH/ĐU tháng 01/2024", "• Căn cứ Hướng dẫn tháng 01/2024",
                                  "Thực hiện Kế hoạch số 06-KH/ĐU tháng 01/2024 của Đảng ủy xã",
                                  "+ Thực hiện Kế hoạch số 06-KH/ĐU tháng 01/2024"])
def test_lines_citing_other_documents_give_no_period(load, warehouse, clean, line):
    book = clone(monthly_book())
    book[S2][2] = [line]
    r = load(book)
    assert_same(r, warehouse, clean)
    assert r.period == "2024-03"


@pytest.mark.parametrize("title", ["BÁO CÁO THÁNG 3, NĂM 2024", "Tháng 3, 2024", "THÁNG 03 NĂM 2024",
                                   "Tháng 3 - 2024", "tháng 3/ 2024", "Tháng 3 năm 2024 (từ 01/3 đến 31/3)"])
def test_period_title_spellings(load, warehouse, clean, title):
    book = clone(monthly_book())
    del book[COVER]
    book[S2][1] = [title]
    book[S2][2] = [None, None, None, None, None, None, "Lộc Ngãi, ngày 05 tháng 4, năm 2024"]  # made, not the period
    book[S2].append([None, None, "Lộc Ngãi, ngày 05 tháng 4, năm 2024"])  # the signature block ends the table
    book[S2].append([None, None, "Chi bộ thôn 9", 3, 0, "x"])
    r = load(book)
    assert_same(r, warehouse, clean)
    assert r.period == "2024-03"


def test_formula_cells_give_their_cached_values(tmp_path, warehouse, clean):
    book = monthly_book()
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(path)
    for name, grid in book.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if name == S2 and r >= 4 and c == 3:
                    ws.write_formula(r, c, f"=15+{v - 15}", None, v)  # Tổng số đảng viên as a formula
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    [r] = load_paths(warehouse, [path])
    assert_same(r, warehouse, clean)


def test_macro_workbook_and_renamed_extension_load(tmp_path, warehouse, clean):
    book = clone(monthly_book())
    book[COVER][5][1] = "Trần Thị C"  # a new version, so it is written, not "unchanged"
    xlsm = write_book(tmp_path / "report.xlsm", book)
    registry = registry_book()
    registry["Đảng bộ"].append(["X06", "Lộc Bảo", "Xã"])
    renamed = tmp_path / "danh-muc.xls"  # an .xlsx workbook behind a legacy extension
    renamed.write_bytes(write_book(tmp_path / "x.xlsx", registry).read_bytes())
    results = load_paths(warehouse, [xlsm, renamed])
    assert [(r.status, r.kind) for r in results] == [("loaded", "monthly"), ("loaded", "registry")]
    assert branch_rows(warehouse) == clean


def test_a_branch_named_cong_an_is_data_not_a_totals_row(load, warehouse, clean):
    book = clone(monthly_book(commune="Lộc Quảng", branches=["Công an xã", "Chi bộ thôn 1"]))
    book[S2][4][12] = "Bí thư chi bộ dự và chủ trì"  # a note is not a signature line
    r = load(book)
    assert r.status == "loaded" and codes(r) == [], r.problems
    assert warehouse.execute("SELECT count(*) FROM branch_meetings WHERE commune_code = 'X02'").fetchone() == (2,)


@pytest.mark.parametrize("label", ["Cộng", "CỘNG:", "Tổng cộng", "Tong cong", "Tổng số", "Cộng toàn xã"])
def test_totals_labels(label):
    from etl.ingest.forms.table import is_totals_label
    assert is_totals_label(label)
    assert not is_totals_label("Công an xã") and not is_totals_label("Cong an xa") and not is_totals_label("Chi bộ Công an")


def test_legacy_xls_report_loads(tmp_path, warehouse, clean):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, grid in monthly_book().items():
        ws = wb.add_sheet(name[:31])
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    path = tmp_path / "bao-cao-cu.xls"
    wb.save(str(path))
    [r] = load_paths(warehouse, [path])
    assert r.status == "loaded" and codes(r) == [], r.problems
    assert branch_rows(warehouse) == clean
