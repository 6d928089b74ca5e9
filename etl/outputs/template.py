"""The blank monthly report a commune fills in (SPEC §1.2, §4 `template`).

Takes a DuckDB connection exposing the SPEC §5 views `units_commune` and `units_branch`, a
commune code and a period 'YYYY-MM'; writes an .xlsx workbook and returns its path. Its sheets,
columns, headers, types, lists and widths are those of the monthly forms in
etl/ingest/forms/spec.py (a field added there is a column here, with its validation):
- 'Thông tin chung': the cover's label/value pairs (commune, month, year pre-filled) and short
  filling instructions;
- '1. Hội nghị cấp ủy': empty rows for the month's committee meetings;
- '2. Sinh hoạt chi bộ' and '3. Phát triển đảng viên': one row per branch active in the month,
  its code/name pre-filled;
- '4. Xếp loại cuối năm': only in December.
Headers are exactly SPEC §1.2's, since the loader recognises sheets by them. Cells hold values
only (no formulas, no totals row), so a filled template loads as it is; a registry name that
starts with '=' is text too, never a formula.
Raises TemplateError (Vietnamese message) for an unknown commune or a malformed period.
"""
from __future__ import annotations

import difflib
import textwrap
from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from etl.ingest.forms.spec import (ANNUAL_RATINGS, BOOL, BRANCH_MEETINGS, CHOICE, COMMITTEE, COVER_LABELS,
                                   COVER_SHEET, DATE, INT, MONTHLY_FORMS, RECRUITMENT, YES_NO, Field, Form,
                                   labels)
from etl.period import Month


class TemplateError(Exception):
    """The template cannot be made; the message is Vietnamese and says what to fix."""


# --- Vietnamese texts, kept together for review -------------------------------------------

# Lines of the cover's instructions. None may begin with a cover label ("Tháng", "Năm",
# "Ngày lập"...): the loader finds the cover by its labels and must not take these for one.
# {lists} is filled with the columns that offer a list, named by their headers.
INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN BÁO CÁO",
    "- Điền số liệu vào các biểu 1, 2, 3 (biểu 4 chỉ có ở báo cáo cuối năm), rồi gửi lại Ban Tổ chức.",
    "- Ghi ngày theo dạng ngày/tháng/năm (dd/mm/yyyy); ô số chỉ ghi số nguyên, không ghi chữ.",
    "- Các cột {lists}: chọn trong danh sách của ô.",
    "- Không đổi tên, không xóa, không thêm cột; không đổi mã và tên chi bộ đã ghi sẵn (nền xám).",
    "- Biểu 1: mỗi hội nghị một dòng; họp nhiều hơn số dòng có sẵn thì chèn thêm dòng.",
    "- Biểu 2: chi bộ không sinh hoạt trong tháng chọn \"Không\", vẫn ghi tổng số đảng viên.",
    "- Biểu 3: ô để trống được tính là 0. Không thêm dòng tổng cộng ở các biểu.",
    "- Ô ngày triển khai nhiệm vụ: ngày gửi nghị quyết, nhiệm vụ tháng sau cho bí thư các chi bộ.",
)
# The line under each sheet's title, by form key; {field key} is that field's header.
NOTES = {
    COMMITTEE.key: "(Mỗi hội nghị cấp ủy trong tháng ghi một dòng)",
    BRANCH_MEETINGS.key: "(Mỗi chi bộ một dòng; không sửa mã, tên chi bộ)",
    RECRUITMENT.key: "(Số liệu trong tháng; cột {working_away} ghi số có đến cuối tháng; ô trống là 0)",
    ANNUAL_RATINGS.key: "({org_rating} chọn trong danh sách; các cột sau ghi số đảng viên được xếp loại ở từng mức)",
}
HEADING = "BIỂU {title}"  # the sheet's title row: 'BIỂU 1. HỘI NGHỊ CẤP ỦY'
LIST_ERROR = "Giá trị không có trong danh sách. Hãy chọn một giá trị trong danh sách của ô."
COUNT_ERROR = "Hãy ghi một số nguyên không âm (0, 1, 2, ...)."
MINIMUM_ERROR = "{header} phải là số nguyên từ {minimum} trở lên."
DATE_ERROR = "Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2024."
MONTH_ERROR = "Tháng phải là số nguyên từ 1 đến 12."
YEAR_ERROR = "Năm phải ghi đủ 4 chữ số, ví dụ 2024."


# --- What the forms do not say ------------------------------------------------------------

DECEMBER_ONLY = {ANNUAL_RATINGS.key}  # sheet 4 belongs to the December report (SPEC §1.2)
BLANK_ROWS = 8  # rows of a form with no unit field (committee meetings): one per meeting
# Fields the registry fills in, in a form with a unit field: the branch's code and name (the
# order of _branches' columns).
BRANCH_KEYS = ("branch_code", "branch_name")

# --- Look ---------------------------------------------------------------------------------

FONT_NAME = "Times New Roman"
FONT = Font(name=FONT_NAME, size=12)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
ITALIC = Font(name=FONT_NAME, size=11, italic=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PREFILLED_FILL = PatternFill("solid", fgColor="D9D9D9")  # grey: "do not edit"
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
DATE_FORMAT = "dd/mm/yyyy"
HEADER_ROW = 4  # rows 1-3: commune, sheet title, note
LINE_HEIGHT = 16.5  # points per line of 12 pt text
DATE_WIDTH = 13  # the narrowest column: a date written dd/mm/yyyy


# --- Registry -----------------------------------------------------------------------------

def _parse_period(period: str) -> Month:
    try:
        month = Month.parse(period)
    except ValueError:
        month = None
    if month is None or month.year < 1900:
        raise TemplateError(
            f"Kỳ báo cáo '{period}' không hợp lệ: hãy ghi năm-tháng theo dạng YYYY-MM, ví dụ 2024-03.")
    return month


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.CatalogException as exc:  # the registry views do not exist yet
        raise TemplateError(
            "Kho dữ liệu chưa có danh mục đơn vị: hãy nạp tệp Danh mục đơn vị trước khi tạo mẫu báo cáo."
        ) from exc


def _commune(con, code: str, first: date, last: date) -> tuple[str, str | None]:
    """(name, kind) of the commune, which must exist and be active in the month."""
    rows = _query(con, "SELECT commune_name, kind, valid_from, valid_to FROM units_commune "
                       "WHERE commune_code = ?", [code])
    if not rows:
        codes = [r[0] for r in _query(con, "SELECT commune_code FROM units_commune", [])]
        close = difflib.get_close_matches(code, codes, n=1)
        hint = f" Có phải '{close[0]}'?" if close else ""
        raise TemplateError(f"Không tìm thấy đảng bộ có mã '{code}' trong danh mục đơn vị.{hint}")
    name, kind, valid_from, valid_to = rows[0]
    if (valid_from and valid_from > last) or (valid_to and valid_to < first):
        raise TemplateError(
            f"Đảng bộ '{name}' (mã {code}) không hoạt động trong tháng {first.month:02d}/{first.year}"
            " theo danh mục đơn vị (xem Hiệu lực từ, Hiệu lực đến).")
    return name, kind


def _branches(con, code: str, first: date, last: date) -> list[tuple[str, str]]:
    """(code, name) of the commune's branches active at some time in the month."""
    # A NULL start means "since always" (Hiệu lực từ is optional in the registry).
    return _query(con, "SELECT branch_code, branch_name FROM units_branch WHERE commune_code = ? "
                       "AND (valid_from IS NULL OR valid_from <= ?) "
                       "AND (valid_to IS NULL OR valid_to >= ?) "
                       "ORDER BY branch_code, branch_name", [code, last, first])


def _commune_title(name: str, kind: str | None) -> str:
    """'ĐẢNG ỦY XÃ LỘC NGÃI': the kind is added only when the name does not already carry it,
    and only for the prefixes the loader strips (Xã, Thị trấn), so the title matches the name."""
    prefix = f"{kind} " if kind in ("Xã", "Thị trấn") and not name.lower().startswith(kind.lower()) else ""
    return f"Đảng ủy {prefix}{name}".upper()


# --- Writing ------------------------------------------------------------------------------

def _choices(field: Field) -> list[str]:
    """The values a column's drop-down list offers, or [] for a column without one."""
    if field.kind == BOOL:
        return list(YES_NO)
    return labels(field.choices or {}) if field.kind == CHOICE else []


def _validation(field: Field) -> DataValidation | None:
    if choices := _choices(field):
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                            allow_blank=True, error=LIST_ERROR)
    elif field.kind == INT:
        error = MINIMUM_ERROR.format(header=field.header, minimum=field.minimum) if field.minimum else COUNT_ERROR
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(field.minimum),
                            allow_blank=True, error=error)
    elif field.kind == DATE:
        # Excel stores a date validation bound as a serial day number.
        dv = DataValidation(type="date", operator="greaterThanOrEqual",
                            formula1=str(int(to_excel(date(2000, 1, 1)))), allow_blank=True, error=DATE_ERROR)
    else:
        return None
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.showErrorMessage = True
    return dv


def _width(field: Field) -> float:
    """The spec's width for the column, or one that holds the header on three lines and the
    longest list value on one."""
    if field.width:
        return field.width
    width = max(DATE_WIDTH, max((len(c) + 3 for c in _choices(field)), default=0))
    while _wrapped_lines(field.header, width) > 3:
        width += 1
    return width


def _wrapped_lines(text: str, width: float, bold: bool = True) -> int:
    """Estimated lines of `text` wrapped in a column `width` units wide (for row heights,
    which Excel does not recompute for openpyxl's files). The unit is a Calibri 11 digit:
    regular 12 pt Times fits about 1.2 characters per unit, bold about 0.85 (kept safe)."""
    per_line = int(width * (0.85 if bold else 1.2))
    return max(1, len(textwrap.wrap(text, max(4, per_line))))


def _print_setup(ws: Worksheet, header: str, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.right.text = header.replace("&", "&&")  # '&' starts a header code
    ws.oddFooter.center.text = "Trang &P/&N"


def _instructions(forms: tuple[Form, ...]) -> list[str]:
    """INSTRUCTIONS, {lists} being 'Có/Không' and the list columns' headers in the forms' order."""
    fields = [f for form in forms for f in form.fields]
    lists = ["/".join(YES_NO)] if any(f.kind == BOOL for f in fields) else []
    lists += dict.fromkeys(f.header for f in fields if f.kind == CHOICE)
    return [line.format(lists=", ".join(lists)) for line in INSTRUCTIONS]


def _write_cover(ws: Worksheet, name: str, year: int, month: int, forms: tuple[Form, ...]) -> None:
    ws["A1"] = "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG"
    ws["A1"].font = TITLE
    ws.merge_cells("A1:B1")
    ws["A1"].alignment = Alignment(horizontal="center")
    values = {"commune": name, "month": month, "year": year}
    first = 3
    rows = {}  # cover key -> row
    for row, label in enumerate(labels(COVER_LABELS), start=first):
        key = COVER_LABELS[label]
        rows[key] = row
        a, b = ws.cell(row, 1, label), ws.cell(row, 2, values.get(key))
        a.font, b.font = BOLD, FONT
        a.border = b.border = BORDER
        a.alignment = Alignment(vertical="center", wrap_text=True)
        b.alignment = Alignment(horizontal="left", vertical="center")
        if key in values:
            b.fill = PREFILLED_FILL
        if label.startswith("Ngày"):
            b.number_format = DATE_FORMAT
            _cover_validation(ws, _validation(Field(key, label, DATE)), b.coordinate)
        ws.row_dimensions[row].height = LINE_HEIGHT * _wrapped_lines(label, 40) + 4
    _cover_validation(ws, DataValidation(type="whole", operator="between", formula1="1", formula2="12",
                                         error=MONTH_ERROR, showErrorMessage=True), f"B{rows['month']}")
    _cover_validation(ws, DataValidation(type="whole", operator="between", formula1="1900",
                                         formula2="2100", error=YEAR_ERROR, showErrorMessage=True),
                      f"B{rows['year']}")
    row = max(rows.values()) + 2
    for i, line in enumerate(_instructions(forms)):
        cell = ws.cell(row + i, 1, line)
        cell.font = BOLD if i == 0 else FONT
        # Merged over both columns so the text wraps within the printed width.
        ws.merge_cells(start_row=row + i, start_column=1, end_row=row + i, end_column=2)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row + i].height = LINE_HEIGHT * _wrapped_lines(line, 95, bold=i == 0) + 2
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 55
    _print_setup(ws, f"{name} - Tháng {month:02d}/{year}")


def _cover_validation(ws: Worksheet, dv: DataValidation, ref: str) -> None:
    ws.add_data_validation(dv)
    dv.add(ref)


def _write_table(ws: Worksheet, commune_title: str, form: Form, rows: list[dict[str, str]],
                 print_header: str) -> None:
    """Title rows, the header row at HEADER_ROW, then one row per entry of `rows` (the values of
    the pre-filled fields by key; an empty dict is a blank row)."""
    last_col = get_column_letter(len(form.fields))
    note = NOTES.get(form.key, "").format(**{f.key: f.header for f in form.fields})
    for row, text, font in ((1, commune_title, BOLD), (2, HEADING.format(title=form.title.upper()), TITLE),
                            (3, note, ITALIC)):
        cell = ws.cell(row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(f"A{row}:{last_col}{row}")
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    prefilled = [f.key for f in form.fields if form.unit_field and f.key in BRANCH_KEYS]
    header_lines = 1
    for j, field in enumerate(form.fields, start=1):
        letter = get_column_letter(j)
        width = _width(field)
        if field.key in prefilled:  # widen the name column to its longest value
            width = min(45, max([width] + [len(r.get(field.key, "")) + 2 for r in rows]))
        ws.column_dimensions[letter].width = width
        header_lines = max(header_lines, _wrapped_lines(field.header, width))
        cell = ws.cell(HEADER_ROW, j, field.header)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, values in enumerate(rows, start=first):
            cell = ws.cell(r, j)
            cell.font, cell.border = FONT, BORDER
            if field.key in prefilled:
                # Codes are text ("001" must stay "001"), hence the text format.
                cell.value, cell.fill, cell.number_format = values.get(field.key), PREFILLED_FILL, "@"
                cell.alignment = Alignment(vertical="center")
            elif field.kind == DATE:
                cell.number_format = DATE_FORMAT
                cell.alignment = Alignment(horizontal="center")
            elif field.kind == INT:
                cell.number_format = "0"
            elif _choices(field):
                cell.alignment = Alignment(horizontal="center")
            else:
                cell.number_format = "@"
        dv = _validation(field)
        if dv is not None and rows:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 22
    ws.row_dimensions[3].height = 20
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * header_lines + 6
    for r in range(first, last + 1):
        ws.row_dimensions[r].height = 21
    ws.freeze_panes = ws.cell(first, len(prefilled) + 1)
    _print_setup(ws, print_header, f"{HEADER_ROW}:{HEADER_ROW}")


def _values_only(wb: Workbook) -> None:
    """Every text stays text: openpyxl makes a formula of a string that starts with '=', and the
    registry's names come from outside ('=HYPERLINK("http://…")' as a branch name would be a live
    link). The quote prefix keeps such a cell text when someone retypes it in Excel."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type, cell.quotePrefix = "s", True


def write_template(con: duckdb.DuckDBPyConnection, commune_code: str, period: str, path: Path) -> Path:
    """Write the blank report of `commune_code` for `period` ('YYYY-MM') to `path`; return it."""
    forms = MONTHLY_FORMS  # looked up at each call: a test sets this module's name to copies of the forms
    chosen = _parse_period(period)
    year, month, first, last = chosen.year, chosen.number, chosen.first_day, chosen.last_day
    name, kind = _commune(con, commune_code, first, last)
    branches = _branches(con, commune_code, first, last)
    title = _commune_title(name, kind)
    print_header = f"{name} - Tháng {month:02d}/{year}"

    wb = Workbook()
    cover = wb.active
    cover.title = COVER_SHEET
    _write_cover(cover, name, year, month, forms)
    by_branch = [dict(zip(BRANCH_KEYS, branch)) for branch in branches]
    for form in forms:
        if form.key in DECEMBER_ONLY and month != 12:
            continue
        rows = by_branch if form.unit_field else [{} for _ in range(BLANK_ROWS)]
        _write_table(wb.create_sheet(form.title), title, form, rows, print_header)
    wb.properties.title = f"Báo cáo tháng {month:02d}/{year} - {name}"
    wb.properties.creator = "Ban Tổ chức"
    _values_only(wb)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def template_from_warehouse(warehouse: Path, commune_code: str, period: str, path: Path) -> Path:
    """write_template on the warehouse file `warehouse`, opened read-only here (TemplateError when
    it does not exist: this never creates an empty warehouse; db.WarehouseBusy when a load holds
    it too long)."""
    from etl.warehouse import db

    if not Path(warehouse).exists():
        raise TemplateError(f"Không tìm thấy kho dữ liệu {warehouse}. Hãy nạp tệp Danh mục đơn vị trước "
                            "(python -m etl load) hoặc chỉ đúng kho dữ liệu bằng --db.")
    con = db.connect(warehouse, read_only=True)
    try:
        return write_template(con, commune_code, period, path)
    finally:
        con.close()
