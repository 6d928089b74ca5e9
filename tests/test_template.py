"""The blank monthly report template: sheets, SPEC §1.2 headers, pre-filled branches,
validations, December's extra sheet, and the Vietnamese errors. It is made from the forms of
etl/ingest/forms/spec.py: a column added to a copy of a form is a column of the template."""
from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from builders import registry_book, write_book
from etl.ingest.forms import spec
from etl.ingest.forms.parse import parse_rows
from etl.ingest.forms.table import find_tables
from etl.ingest.load import load_paths
from etl.ingest.read import read_workbook
from etl.outputs.template import TemplateError, write_template
from etl.warehouse import db

COVER = spec.COVER_SHEET
S1, S2, S3, S4 = (form.title for form in spec.MONTHLY_FORMS)

# The loader recognises the sheets by these headers: the template writes each form's own.
HEADERS = {form.title: [f.header for f in form.fields] for form in spec.MONTHLY_FORMS}
COVER_LABELS = spec.labels(spec.COVER_LABELS)
YES_NO = '"Có,Không"'
RATINGS = '"Hoàn thành xuất sắc nhiệm vụ,Hoàn thành tốt nhiệm vụ,Hoàn thành nhiệm vụ,Không hoàn thành nhiệm vụ"'
ACTIVE_MARCH = [("LN01", "Thôn 1"), ("LN02", "Chi bộ Thôn Tân Lạc")]


@pytest.fixture
def con(tmp_path):
    """A warehouse file whose registry tables carry the SPEC §5 view names and columns."""
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    c.execute("CREATE TABLE units_commune (commune_code TEXT, commune_name TEXT, kind TEXT, "
              "valid_from DATE, valid_to DATE, merged_into TEXT)")
    c.execute("CREATE TABLE units_branch (branch_code TEXT, branch_name TEXT, commune_code TEXT, "
              "kind TEXT, valid_from DATE, valid_to DATE)")
    c.executemany("INSERT INTO units_commune VALUES (?, ?, ?, ?, ?, ?)", [
        ("LN", "Lộc Ngãi", "Xã", date(2000, 1, 1), None, None),
        ("LA", "Lộc An", "Xã", None, None, None),
        ("LX", "Lộc Xuân", "Xã", None, date(2023, 12, 31), "LA"),  # merged away before 2024
    ])
    c.executemany("INSERT INTO units_branch VALUES (?, ?, ?, ?, ?, ?)", [
        ("LN01", "Thôn 1", "LN", "Thôn", date(2020, 1, 1), None),
        # closes in the middle of March: it still reports for March
        ("LN02", "Chi bộ Thôn Tân Lạc", "LN", "Thôn", None, date(2024, 3, 15)),
        ("LN03", "Chi bộ Trường Tiểu học", "LN", "Trường học", None, date(2024, 2, 29)),  # closed
        ("LN04", "Thôn 9", "LN", "Thôn", date(2024, 4, 1), None),  # opens after March
        ("LA01", "Thôn 2", "LA", "Thôn", None, None),  # another commune's branch
    ])
    yield c
    c.close()


@pytest.fixture
def march(con, tmp_path):
    return load_workbook(write_template(con, "LN", "2024-03", tmp_path / "out" / "LN_2024-03.xlsx"))


def header_row(ws, first_header):
    """1-based row holding `first_header` in column A (the loader looks in the first 20 rows)."""
    rows = [r for r in range(1, 21) if ws.cell(r, 1).value == first_header]
    assert len(rows) == 1, f"{ws.title}: header row not found once"
    return rows[0]


def row_values(ws, row):
    return [c.value for c in ws[row]][: ws.max_column]


def validations(ws):
    """column letter of each validated range -> (type, operator, formula1)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_col == rng.max_col, "one validation range per column"
            out[get_column_letter(rng.min_col)] = (dv.type, dv.operator, dv.formula1)
    return out


def test_sheets_in_order_and_no_ratings_outside_december(march):
    assert march.sheetnames == [COVER, S1, S2, S3]


def test_december_has_the_ratings_sheet(con, tmp_path):
    wb = load_workbook(write_template(con, "LN", "2024-12", tmp_path / "dec.xlsx"))
    assert wb.sheetnames == [COVER, S1, S2, S3, S4]
    ws = wb[S4]
    row = header_row(ws, "Tên chi bộ")
    assert row_values(ws, row) == HEADERS[S4]
    # December: LN02 closed on 15 March, LN04 opened in April
    assert [ws.cell(r, 1).value for r in range(row + 1, row + 4)] == ["Thôn 1", "Thôn 9", None]
    dv = validations(ws)
    assert dv["B"] == ("list", None, RATINGS)
    for col in "CDEF":
        assert dv[col] == ("whole", "greaterThanOrEqual", "0")


@pytest.mark.parametrize("rated", [0, 2])
def test_december_ratings_left_as_they_came_are_not_data(warehouse, tmp_path, rated):
    """Sheets 1-3 filled, sheet 4 untouched (or rated for some branches only): the rows holding
    only the pre-filled branch name are skipped, without required_missing."""
    from etl.ingest.load import load_paths

    path = write_template(warehouse, "X01", "2024-12", tmp_path / "dec.xlsx")
    wb = load_workbook(path)
    ws1 = wb[S1]
    h1 = header_row(ws1, "Ngày họp")
    for c, v in enumerate(["02/12/2024", "Ban Chấp hành", "Thường kỳ", 15, 14, "Có"], 1):
        ws1.cell(h1 + 1, c).value = v
    ws2 = wb[S2]
    h2 = header_row(ws2, "Mã chi bộ")
    for r in range(h2 + 1, h2 + 5):
        for c, v in zip(range(3, 12), [20, 1, "Có", "03/12/2024", 18, "Không", None, "Có", "Tốt"]):
            ws2.cell(r, c).value = v
    ws4 = wb[S4]
    h4 = header_row(ws4, "Tên chi bộ")
    for r in range(h4 + 1, h4 + 1 + rated):
        for c, v in zip(range(2, 7), ["Hoàn thành tốt nhiệm vụ", 2, 15, 3, 0]):
            ws4.cell(r, c).value = v
    wb.save(path)
    [result] = load_paths(warehouse, [path])
    assert result.status == "loaded" and result.problems == [], result.problems
    assert result.rows["annual_ratings"] == rated
    assert warehouse.execute("SELECT count(*) FROM annual_ratings").fetchone() == (rated,)


@pytest.mark.parametrize("sheet", [S1, S2, S3])
def test_headers_are_exactly_the_spec_ones(march, sheet):
    ws = march[sheet]
    row = header_row(ws, HEADERS[sheet][0])
    assert row_values(ws, row) == HEADERS[sheet]
    assert ws.freeze_panes is not None and ws.freeze_panes.endswith(str(row + 1))
    assert all(ws.cell(row, j).font.b and ws.cell(row, j).alignment.wrap_text
               for j in range(1, len(HEADERS[sheet]) + 1))


def test_cover_labels_and_prefilled_values(march):
    ws = march[COVER]
    pairs = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert all(label in pairs for label in COVER_LABELS)
    assert (pairs["Đảng bộ"], pairs["Tháng"], pairs["Năm"]) == ("Lộc Ngãi", 3, 2024)
    assert pairs["Ngày lập"] is None and pairs["Người lập"] is None
    assert pairs["Ngày triển khai nhiệm vụ tháng sau cho chi bộ"] is None
    label_rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert ws.cell(label_rows["Ngày lập"], 2).number_format == "dd/mm/yyyy"
    # instructions below the pairs, none of which looks like a cover label
    text = [v for v in pairs if isinstance(v, str) and v not in COVER_LABELS]
    assert any("dd/mm/yyyy" in t for t in text) and any("Không đổi tên" in t for t in text)


def test_branches_active_in_the_month_are_prefilled(march):
    ws = march[S2]
    row = header_row(ws, "Mã chi bộ")
    got = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(row + 1, row + 4)]
    assert got == [*ACTIVE_MARCH, (None, None)]
    assert ws.cell(row + 1, 2).fill.fgColor.rgb.endswith("D9D9D9")
    assert all(ws.cell(r, j).value is None for r in (row + 1, row + 2) for j in range(3, 13))
    ws3 = march[S3]
    row3 = header_row(ws3, "Tên chi bộ")
    assert [ws3.cell(r, 1).value for r in range(row3 + 1, row3 + 4)] == ["Thôn 1", "Chi bộ Thôn Tân Lạc", None]


def test_validations_and_date_formats(march):
    ws1, ws2, ws3 = march[S1], march[S2], march[S3]
    dv1 = validations(ws1)
    assert dv1["B"] == ("list", None, '"Ban Chấp hành,Ban Thường vụ,Thường trực"')
    assert dv1["C"] == ("list", None, '"Thường kỳ,Bất thường"')
    assert dv1["D"] == ("whole", "greaterThanOrEqual", "1")
    assert dv1["E"] == ("whole", "greaterThanOrEqual", "0")
    assert dv1["F"][2] == dv1["I"][2] == YES_NO
    assert dv1["A"][0] == dv1["H"][0] == "date"
    row1 = header_row(ws1, "Ngày họp")
    blank = [r for r in range(row1 + 1, row1 + 30) if ws1.cell(r, 1).border.left.style == "thin"]
    assert len(blank) == 8
    assert all(ws1.cell(r, j).value is None for r in blank for j in range(1, 11))
    assert ws1.cell(blank[0], 1).number_format == ws1.cell(blank[0], 8).number_format == "dd/mm/yyyy"

    dv2 = validations(ws2)
    for col in "EHJ":  # held, thematic, upper committee member attended
        assert dv2[col] == ("list", None, YES_NO)
    assert dv2["K"] == ("list", None, '"Tốt,Khá,Trung bình,Kém"')
    for col in "CDG":
        assert dv2[col] == ("whole", "greaterThanOrEqual", "0")
    row2 = header_row(ws2, "Mã chi bộ")
    assert ws2.cell(row2 + 1, 6).number_format == "dd/mm/yyyy"

    dv3 = validations(ws3)
    assert all(dv3[col] == ("whole", "greaterThanOrEqual", "0") for col in "BCDEFGHI")


def test_print_ready_and_plain_values(march):
    for ws in march.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("="), cell.coordinate  # no formulas
                    assert unicodedata.is_normalized("NFC", cell.value)
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman"
        texts = [str(c.value).lower() for row in ws.iter_rows() for c in row if c.value is not None]
        assert not any(t in ("cộng", "tổng cộng", "tổng số") for t in texts)  # no totals row


def _with_fields(monkeypatch, form: spec.Form, *fields: spec.Field) -> tuple[spec.Form, ...]:
    """Make the template of the monthly forms with `fields` added to a copy of `form`: the spec's
    forms stay as they are for every other test. Returns the forms."""
    copy = dataclasses.replace(form, fields=(*form.fields, *fields))
    forms = tuple(copy if f is form else f for f in spec.MONTHLY_FORMS)
    monkeypatch.setattr("etl.outputs.template.MONTHLY_FORMS", forms)
    return forms


def headers_of(wb, sheet):
    ws = wb[sheet]
    return row_values(ws, header_row(ws, HEADERS[sheet][0]))


def test_a_field_added_to_the_spec_is_a_column_and_the_filled_template_loads(warehouse, tmp_path, monkeypatch):
    mentored = spec.Field("mentored", "Quần chúng được giới thiệu", spec.INT, default=0,
                          aliases=("Số quần chúng được giới thiệu",))
    forms = _with_fields(monkeypatch, spec.RECRUITMENT, mentored)
    path = write_template(warehouse, "X01", "2024-03", tmp_path / "mau.xlsx")
    assert "mentored" not in spec.RECRUITMENT.fields_by_key  # the module's form is untouched

    wb = load_workbook(path)
    assert wb.sheetnames == [COVER, S1, S2, S3]
    assert headers_of(wb, S1) == HEADERS[S1] and headers_of(wb, S2) == HEADERS[S2]
    assert headers_of(wb, S3) == [*HEADERS[S3], "Quần chúng được giới thiệu"]
    ws3 = wb[S3]
    h3 = header_row(ws3, "Tên chi bộ")
    new = get_column_letter(len(HEADERS[S3]) + 1)
    assert validations(ws3)[new] == ("whole", "greaterThanOrEqual", "0")
    assert ws3[f"{new}{h3 + 1}"].number_format == "0" and ws3[f"{new}{h3 + 1}"].border.left.style == "thin"
    assert ws3[f"{new}{h3}"].font.b and ws3.column_dimensions[new].width >= 13
    assert {f"A{r}:{new}{r}" for r in (1, 2, 3)} <= {str(r) for r in ws3.merged_cells.ranges}  # title rows

    # Filled as a commune would, the new column too.
    ws1 = wb[S1]
    for c, v in enumerate(["02/03/2024", "Ban Chấp hành", "Thường kỳ", 15, 14, "Có"], 1):
        ws1.cell(header_row(ws1, "Ngày họp") + 1, c).value = v
    ws2 = wb[S2]
    h2 = header_row(ws2, "Mã chi bộ")
    branches = [r for r in range(h2 + 1, h2 + 20) if ws2.cell(r, 2).value]
    assert len(branches) == 4  # the builders' registry: X01 has four branches
    for r in branches:
        for c, v in zip(range(3, 12), [20, 1, "Có", "03/03/2024", 18, "Không", None, "Có", "Tốt"]):
            ws2.cell(r, c).value = v
    mentions = [i + 2 for i in range(len(branches))]
    for r, n in zip(range(h3 + 1, h3 + 1 + len(branches)), mentions):
        ws3.cell(r, 3).value = 1  # admitted
        ws3[f"{new}{r}"] = n
    wb.save(path)

    # The loader, given the copied form, reads the new column by its header ...
    sheet = next(s for s in read_workbook(path) if s.name == S3)
    [table] = find_tables(sheet, forms[2:3])
    records, problems = parse_rows(sheet, table)
    assert problems == [] and [r.values["mentored"] for r in records] == mentions
    # ... and the product's loader loads the file as it came, leaving aside the column it does not know.
    [result] = load_paths(warehouse, [path])
    assert result.status == "loaded" and result.problems == [], result.problems
    assert result.rows["recruitment"] == len(branches)


def test_a_list_added_to_the_spec_is_a_drop_down_named_in_the_instructions(con, tmp_path, monkeypatch):
    """A choice field offers the first spelling of each value; a yes/no field offers Có/Không."""
    meeting_kind = spec.Field("meeting_kind", "Hình thức tổ chức", spec.CHOICE, choices={
        "Trực tiếp": "direct", "Trực tuyến": "online", "Kết hợp": "mixed", "Online": "online"})
    minutes = spec.Field("minutes_kept", "Có biên bản", spec.BOOL)
    _with_fields(monkeypatch, spec.COMMITTEE, meeting_kind, minutes)
    wb = load_workbook(write_template(con, "LN", "2024-03", tmp_path / "mau.xlsx"))
    assert headers_of(wb, S1) == [*HEADERS[S1], "Hình thức tổ chức", "Có biên bản"]
    ws = wb[S1]
    first = header_row(ws, "Ngày họp") + 1
    dv = validations(ws)
    assert dv["K"] == ("list", None, '"Trực tiếp,Trực tuyến,Kết hợp"') and dv["L"] == ("list", None, YES_NO)
    [ranges] = [str(d.sqref) for d in ws.data_validations.dataValidation if str(d.sqref).startswith("K")]
    assert ranges == f"K{first}:K{first + 7}"  # every blank meeting row
    lines = [c.value for c in wb[COVER]["A"] if isinstance(c.value, str) and c.value.startswith("- Các cột")]
    assert lines == ["- Các cột Có/Không, Hội nghị, Hình thức, Hình thức tổ chức, Tự đánh giá chất lượng, "
                     "Xếp loại tổ chức đảng: chọn trong danh sách của ô."]  # in the forms' order


def test_a_renamed_header_and_a_higher_minimum_come_from_the_spec(con, tmp_path, monkeypatch):
    exempt = dataclasses.replace(spec.BRANCH_MEETINGS.fields_by_key["members_exempt"],
                                 header="Số đảng viên miễn sinh hoạt", minimum=1)
    fields = tuple(exempt if f.key == "members_exempt" else f for f in spec.BRANCH_MEETINGS.fields)
    forms = tuple(dataclasses.replace(f, fields=fields) if f is spec.BRANCH_MEETINGS else f
                  for f in spec.MONTHLY_FORMS)
    monkeypatch.setattr("etl.outputs.template.MONTHLY_FORMS", forms)
    wb = load_workbook(write_template(con, "LN", "2024-03", tmp_path / "mau.xlsx"))
    ws = wb[S2]
    assert ws.cell(header_row(ws, "Mã chi bộ"), 4).value == "Số đảng viên miễn sinh hoạt"
    [d] = [d for d in ws.data_validations.dataValidation if str(d.sqref).startswith("D")]
    assert (d.formula1, d.error) == ("1", "Số đảng viên miễn sinh hoạt phải là số nguyên từ 1 trở lên.")
    assert spec.BRANCH_MEETINGS.fields_by_key["members_exempt"].header == "Số đảng viên được miễn sinh hoạt"


def test_every_list_fits_an_excel_drop_down():
    """Excel's list validation separates values by commas and holds at most 255 characters."""
    for form in spec.MONTHLY_FORMS:
        for f in form.fields:
            values = list(spec.YES_NO) if f.kind == spec.BOOL else spec.labels(f.choices or {})
            assert all("," not in v for v in values), (form.title, f.header)
            assert len(",".join(values)) + 2 <= 255, (form.title, f.header)


def test_calamine_reads_it(con, tmp_path):
    """The loader may read with calamine: the cover and names come out the same."""
    path = write_template(con, "LN", "2024-03", tmp_path / "t.xlsx")
    wb = CalamineWorkbook.from_path(str(path))
    cover = wb.get_sheet_by_name(COVER).to_python()
    assert ["Tháng", 3] in [row[:2] for row in cover] or ["Tháng", 3.0] in [row[:2] for row in cover]
    rows = wb.get_sheet_by_name(S2).to_python()
    names = [r[1] for r in rows]
    assert "Chi bộ Thôn Tân Lạc" in names and "Chi bộ Trường Tiểu học" not in names


def test_unknown_commune_is_refused_in_vietnamese(con, tmp_path):
    with pytest.raises(TemplateError, match="Không tìm thấy đảng bộ có mã 'LNN'") as exc:
        write_template(con, "LNN", "2024-03", tmp_path / "x.xlsx")
    assert "Có phải 'LN'" in str(exc.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_commune_closed_in_that_month_is_refused(con, tmp_path):
    with pytest.raises(TemplateError, match="không hoạt động trong tháng 03/2024"):
        write_template(con, "LX", "2024-03", tmp_path / "x.xlsx")
    assert write_template(con, "LX", "2023-12", tmp_path / "ok.xlsx").exists()


@pytest.mark.parametrize("period", ["2024-13", "2024-00", "2024-3", "03/2024", "2024-03-01", "", "abcd-ef"])
def test_bad_period_is_refused_in_vietnamese(con, tmp_path, period):
    with pytest.raises(TemplateError, match="không hợp lệ.*YYYY-MM"):
        write_template(con, "LN", period, tmp_path / "x.xlsx")


def test_missing_registry_is_a_template_error(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as c:
        with pytest.raises(TemplateError, match="Danh mục đơn vị"):
            write_template(c, "LN", "2024-03", tmp_path / "x.xlsx")


# Registry names a clerk could type (or an intruder could plant) that openpyxl would write as
# formulas: a live link, a calculation, and the other characters a spreadsheet reads as formulas.
FORMULA_COMMUNE = '=HYPERLINK("http://evil.example/","Lộc Ngãi")'
FORMULA_BRANCHES = ['=HYPERLINK("http://evil.example/","Chi bộ thôn 1")', "=1+2", "@Chi bộ Trạm Y tế",
                    "+Chi bộ thôn 2", "-Chi bộ thôn 3"]


@pytest.fixture
def formula_names(tmp_path):
    """A warehouse whose registry, loaded by the loader, names a commune and its branches so."""
    con = db.connect(tmp_path / "warehouse.duckdb")
    book = registry_book(communes=[("X01", FORMULA_COMMUNE, "Xã", None, None, None, None)],
                         branches=[(f"X01-0{i}", name, "X01", "Thôn", None, None)
                                   for i, name in enumerate(FORMULA_BRANCHES, start=1)])
    [result] = load_paths(con, [write_book(tmp_path / "registry.xlsx", book)])
    assert result.status == "loaded", result.problems
    yield con
    con.close()


def test_registry_names_that_look_like_formulas_stay_text_and_load_back(formula_names, tmp_path):
    path = write_template(formula_names, "X01", "2024-03", tmp_path / "out" / "mau.xlsx")
    wb = load_workbook(path)
    texts = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row
             if cell.value in (FORMULA_COMMUNE, *FORMULA_BRANCHES)]
    assert len(texts) == 1 + 2 * len(FORMULA_BRANCHES)  # the cover; sheets 2 and 3
    assert [(c.coordinate, c.data_type) for c in texts] == [(c.coordinate, "s") for c in texts]
    assert all(c.quotePrefix for c in texts if c.value.startswith("="))  # text even when retyped in Excel
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # the loader's reader sees the names, and the filled template loads as it is
    ws = wb[S2]
    header = header_row(ws, "Mã chi bộ")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(S2).to_python()
    assert [r[1] for r in rows[header:]] == FORMULA_BRANCHES
    for r in range(header + 1, header + 1 + len(FORMULA_BRANCHES)):
        for c, value in ((3, 20), (5, "Có"), (6, "03/03/2024"), (7, 18), (11, "Khá")):
            ws.cell(r, c).value = value
    wb.save(path)
    [result] = load_paths(formula_names, [path])
    assert result.status == "loaded" and not [p for p in result.problems if p.severity == "error"], result.problems
    loaded = formula_names.execute("SELECT branch_name FROM branch_meetings JOIN units_branch USING (branch_code) "
                                   "ORDER BY branch_code").fetchall()
    assert [name for (name,) in loaded] == FORMULA_BRANCHES
