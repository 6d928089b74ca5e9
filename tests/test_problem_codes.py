"""Every problem code of SPEC §3, each with the cell it must name (sheets per tests/builders.py:
sheet 2 has its header on row 4 and branch i on row 5 + i; sheet 1 has its header on row 3)."""
from __future__ import annotations

import pytest

from builders import S1, S2, S3, COVER, clone, codes, monthly_book, targets_book, write_book
from etl.ingest.check import check_file
from etl.ingest.load import load_paths
from etl.ingest.units import Registry
from etl.problems import CODES

TESTED: set[str] = set()


def case(code, cell, sheet=None):
    TESTED.add(code)
    return code, cell, sheet


def edited(*edits):
    book = clone(monthly_book())
    for sheet, row, col, value in edits:
        grid = book[sheet]
        while len(grid) <= row:
            grid.append([])
        while len(grid[row]) <= col:
            grid[row].append(None)
        grid[row][col] = value
    return book


# (edits on the default report, expected (code, cell, sheet)); rows/cols are zero-based grid positions.
ERRORS = {
    "required_missing": ([(S2, 4, 3, None)], case("required_missing", "D5", S2)),
    "bad_type_date": ([(S2, 4, 6, "32/03/2024")], case("bad_type", "G5", S2)),
    "bad_type_int": ([(S2, 5, 3, "hai mươi")], case("bad_type", "D6", S2)),
    "bad_type_yes_no": ([(S2, 4, 5, "có lẽ")], case("bad_type", "F5", S2)),
    "bad_value_quality": ([(S2, 4, 11, "Xuất sắc")], case("bad_value", "L5", S2)),
    "bad_value_body": ([(S1, 3, 1, "Ban Kiểm tra")], case("bad_value", "B4", S1)),
    "negative": ([(S3, 3, 2, -1)], case("negative", "C4", S3)),
    "over_total_attended": ([(S2, 4, 7, 99)], case("over_total", "H5", S2)),
    "over_total_present": ([(S1, 3, 4, 16)], case("over_total", "E4", S1)),
    "over_total_exempt": ([(S2, 4, 4, 21)], case("over_total", "E5", S2)),
    "bad_value_committee_size": ([(S1, 3, 3, 0), (S1, 3, 4, 0)], case("bad_value", "D4", S1)),
    "date_order": ([(S1, 3, 7, "01/03/2024")], case("date_order", "H4", S1)),
    "duplicate_row": ([(S2, 5, 2, "Thôn 1")], case("duplicate_row", "C6", S2)),
    "unknown_branch": ([(S2, 5, 2, "Thôn 12")], case("unknown_branch", "C6", S2)),
    "unknown_commune": ([(COVER, 1, 1, "Lộc Ngải")], case("unknown_commune", "B2", COVER)),
    "ambiguous_unit": ([(COVER, 1, 1, "Loc Quang")], case("ambiguous_unit", "B2", COVER)),
    "commune_conflict": ([(S1, 0, 0, "ĐẢNG ỦY XÃ LỘC QUẢNG")], case("ambiguous_unit", "A1", S1)),
    "period_missing": ([(COVER, 2, 1, 13)], case("period_missing", "B3", COVER)),
    "period_conflict": ([(S2, 1, 0, "BÁO CÁO SINH HOẠT CHI BỘ THÁNG 4 NĂM 2024")], case("period_conflict", "A2", S2)),
}
WARNINGS = {
    "date_outside_period": ([(S2, 4, 6, "03/04/2024")], case("date_outside_period", "G5", S2)),
    "details_not_held": ([(S2, 4, 5, "Không")], case("details_not_held", "G5", S2)),
    "over_active": ([(S2, 4, 7, 20)], case("over_active", "H5", S2)),
    "unaccented_match": ([(COVER, 1, 1, "Loc Ngai")], case("unaccented_match", "B2", COVER)),
    "totals_mismatch": ([(S3, 7, 0, "Cộng"), (S3, 7, 2, 5)], case("totals_mismatch", "C8", S3)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_rejects_the_file_and_names_the_cell(name, load, warehouse):
    edits, (code, cell, sheet) = ERRORS[name]
    result = load(edited(*edits))
    assert result.status == "rejected"
    assert (code, cell) in codes(result)
    p = next(p for p in result.problems if p.code == code)
    assert p.severity == "error" and p.sheet == sheet and p.file == "report.xlsx"
    assert p.row == int(cell[1:]) and "Hãy" in p.message  # every error says how to fix it
    assert warehouse.execute("SELECT count(*) FROM report_submissions").fetchone() == (0,)


@pytest.mark.parametrize("name", WARNINGS)
def test_warning_loads_and_names_the_cell(name, load):
    edits, (code, cell, sheet) = WARNINGS[name]
    result = load(edited(*edits))
    assert result.status == "loaded", result.problems
    assert codes(result) == [(code, cell)]
    assert result.problems[0].severity == "warning" and result.problems[0].sheet == sheet
    assert any(w in result.problems[0].message.casefold() for w in ("hãy", "nên")), "says how to fix it"


def test_branch_missing_names_the_branch(load):
    book = clone(monthly_book())
    del book[S2][7]  # the health-station branch
    result = load(book)
    assert result.status == "loaded"
    assert codes(result) == [("branch_missing", None)]
    assert "Chi bộ Trạm Y tế" in result.problems[0].message
    TESTED.add("branch_missing")


def test_suggestions_name_the_closest_valid_value(load):
    result = load(edited((S2, 5, 2, "Thôn 12")))
    assert "Có phải 'Chi bộ thôn 1'?" in result.problems[0].message or "Có phải 'Chi bộ thôn 2'?" in result.problems[0].message
    result = load(edited((COVER, 1, 1, "Lộc Ngải")))
    assert "Có phải 'Lộc Ngãi'?" in result.problems[0].message
    result = load(edited((S2, 4, 11, "Khá tốt")))
    assert "Có phải" in result.problems[0].message


@pytest.mark.parametrize("sheet", [S1, S2, S3])
def test_required_sheet_missing(load, sheet):
    book = clone(monthly_book())
    del book[sheet]
    result = load(book)
    assert result.status == "rejected" and codes(result) == [("required_missing", None)]
    assert f"thiếu biểu '{sheet}'" in result.problems[0].message and "Hãy thêm biểu này" in result.problems[0].message


def test_cover_and_title_naming_other_communes_name_both_cells(load):
    result = load(edited((S2, 0, 0, "ĐẢNG ỦY XÃ LỘC QUẢNG")))
    assert result.status == "rejected" and codes(result) == [("ambiguous_unit", "A1")]
    message = result.problems[0].message
    assert "LỘC QUẢNG" in message and f"'Lộc Ngãi' ở {COVER}!B2" in message


def test_titles_naming_other_communes_without_a_cover(load):
    book = clone(monthly_book())
    del book[COVER]
    book[S2][0] = ["ĐẢNG ỦY XÃ LỘC QUẢNG"]
    result = load(book)
    assert result.status == "rejected" and codes(result) == [("ambiguous_unit", "A1")]
    assert result.problems[0].sheet == S2 and f"ở {S1}!A1" in result.problems[0].message


def test_superior_lines_are_not_the_commune(load):
    book = clone(monthly_book())
    del book[COVER]
    for name in (S1, S2):
        book[name][0] = ["ĐẢNG BỘ HUYỆN BẢO LÂM"]
        book[name][1 if name == S1 else 2] = ["ĐẢNG ỦY XÃ LỘC NGÃI"]
    book[S3][0] = ["ĐẢNG BỘ TỈNH LÂM ĐỒNG"]
    book[S1].insert(0, ["HUYỆN ỦY BẢO LÂM"])
    result = load(book)
    assert result.status == "loaded" and (result.commune, codes(result)) == ("X01", []), result.problems
    book = clone(book)
    book[S1][2] = book[S2][2] = []  # only the superior's lines are left
    result = load(book, name="chi-cap-tren.xlsx")
    assert codes(result) == [("unknown_commune", None)] and "BẢO LÂM" not in result.problems[0].message


@pytest.mark.parametrize("row,value,code,column", [
    (1, "Lộc Ngải", "unknown_commune", "Đảng bộ"), (2, 13, "period_missing", "Tháng"),
    (3, "hai nghìn", "period_missing", "Năm"),
    (6, "hôm qua", "bad_type", "Ngày triển khai nhiệm vụ tháng sau cho chi bộ"),
    (1, "Loc Ngai", "unaccented_match", "Đảng bộ")])
def test_cover_problems_name_the_label_as_their_column(load, row, value, code, column):
    result = load(edited((COVER, row, 1, value)))
    [p] = [p for p in result.problems if p.code == code]
    assert (p.sheet, p.cell, p.column) == (COVER, f"B{row + 1}", column)


def test_cover_label_with_its_value_after_a_colon_is_the_column(load):
    book = clone(monthly_book())
    book[COVER][2] = ["Tháng: 13"]
    [p] = load(book).problems
    assert (p.code, p.cell, p.column) == ("period_missing", "A3", "Tháng")


def test_period_missing_without_any_source(load):
    book = clone(monthly_book())
    book[COVER] = [["Đảng bộ", "Lộc Ngãi"], ["Người lập", "A"], ["Ngày lập", "05/04/2024"]]
    book[S2][1] = ["BÁO CÁO SINH HOẠT CHI BỘ"]
    result = load(book)
    assert ("period_missing", None) in codes(result)


def test_target_duplicates_and_year(tmp_path, warehouse):
    [r] = load_paths(warehouse, [write_book(tmp_path / "t.xlsx", targets_book(
        (("Lộc Ngãi", 2024, 10), ("Xã Lộc Ngãi", 2024, 11), ("Lộc Thắng", None, 3))))])
    assert r.status == "rejected"
    assert codes(r) == [("period_missing", "B5"), ("duplicate_row", "A4")]


@pytest.mark.parametrize("label_col", [0, 1], ids=["STT column", "name column"])
def test_target_totals_row_is_cross_checked(tmp_path, warehouse, label_col):
    book = targets_book()
    book["Chỉ tiêu"] = [[None] + row for row in book["Chỉ tiêu"]]  # an STT column on the left
    book["Chỉ tiêu"].append([None, None, None, 99])
    book["Chỉ tiêu"][-1][label_col] = "Tổng cộng"
    [r] = load_paths(warehouse, [write_book(tmp_path / "t.xlsx", book)])
    assert r.status == "loaded" and r.rows == {"recruitment_targets": 3}
    assert codes(r) == [("totals_mismatch", "D6")] and "23" in r.problems[0].message
    book["Chỉ tiêu"][-1][3] = 23
    [r] = load_paths(warehouse, [write_book(tmp_path / "t2.xlsx", book)])
    assert r.status == "loaded" and codes(r) == []


@pytest.mark.parametrize("content,code", [
    (b"", "unreadable"), (b"hello, not a workbook", "unreadable"), (b"PK\x03\x04broken zip", "unreadable"),
])
def test_file_level_errors(tmp_path, content, code):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    r = check_file(path, Registry()).result
    assert codes(r) == [(code, None)] and r.problems[0].message
    TESTED.add(code)


def test_too_large(tmp_path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as f:
        f.truncate(21 * 2**20)
    assert codes(check_file(path, Registry()).result) == [("too_large", None)]
    TESTED.add("too_large")


def test_too_many_sheets(tmp_path):
    from etl.settings import Settings
    limit = Settings().limits_max_sheets
    book = monthly_book()
    book.update({f"Trống {i}": [["x"]] for i in range(limit + 1 - len(book))})
    [p] = check_file(write_book(tmp_path / "x.xlsx", book), Registry()).result.problems
    assert (p.code, p.cell) == ("too_many_sheets", None) and f"{limit + 1} trang tính" in p.message
    assert "Hãy" in p.message
    del book["Trống 0"]  # at the limit: read and checked
    assert codes(check_file(write_book(tmp_path / "y.xlsx", book), Registry()).result)[0][0] != "too_many_sheets"
    TESTED.add("too_many_sheets")  # more in test_read.py


def test_unknown_kind(tmp_path):
    path = write_book(tmp_path / "x.xlsx", {"Sheet1": [["Họ tên", "Tuổi"], ["A", 3]]})
    assert codes(check_file(path, Registry()).result) == [("unknown_kind", None)]
    TESTED.add("unknown_kind")


def test_report_confirmed_names_the_month_cell(load, warehouse):
    from etl.access import confirm
    assert load(monthly_book()).status == "loaded"
    confirm.confirm(warehouse, "X01", "2024-03", by=None)
    result = load(edited((S2, 4, 7, 18)), name="sua.xlsx")
    assert result.status == "rejected" and codes(result) == [("report_confirmed", "B3")]
    assert result.problems[0].sheet == COVER and "Hãy" in result.problems[0].message
    TESTED.add("report_confirmed")  # more in test_confirm.py


def test_not_permitted_outside_the_runs_commune(tmp_path, warehouse):
    [r] = load_paths(warehouse, [write_book(tmp_path / "t.xlsx", targets_book())], commune="X01")
    assert r.status == "rejected" and codes(r)[0] == ("not_permitted", None)
    assert "Hãy" in r.problems[0].message
    TESTED.add("not_permitted")  # more in test_audit.py and test_roles.py


def test_every_code_is_tested():
    # encrypted is covered in test_read.py with a real encrypted workbook
    assert set(CODES) - TESTED - {"encrypted"} == set(), "runs last in this module"
