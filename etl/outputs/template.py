"""The blank monthly report a commune fills in (SPEC §1.2, §4 `template`).

Takes a DuckDB connection exposing the SPEC §5 views `units_commune` and `units_branch`, a
commune code and a period 'YYYY-MM'; writes an .xlsx workbook and returns its path:
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

import calendar
import difflib
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet


class TemplateError(Exception):
    """The template cannot be made; the message is Vietnamese and says what to fix."""


# --- Vietnamese texts, kept together for review -------------------------------------------

COVER_SHEET = "Thông tin chung"
COMMITTEE_SHEET = "1. Hội nghị cấp ủy"
BRANCH_SHEET = "2. Sinh hoạt chi bộ"
RECRUITMENT_SHEET = "3. Phát triển đảng viên"
RATINGS_SHEET = "4. Xếp loại cuối năm"

COVER_LABELS = ("Đảng bộ", "Tháng", "Năm", "Ngày lập", "Người lập",
                "Ngày triển khai nhiệm vụ tháng sau cho chi bộ")

YES_NO = ("Có", "Không")
BODIES = ("Ban Chấp hành", "Ban Thường vụ", "Thường trực")
FORMS_OF_MEETING = ("Thường kỳ", "Bất thường")
QUALITY = ("Tốt", "Khá", "Trung bình", "Kém")
RATINGS = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ",
           "Không hoàn thành nhiệm vụ")

# Lines of the cover's instructions. None may begin with a cover label ("Tháng", "Năm",
# "Ngày lập"...): the loader finds the cover by its labels and must not take these for one.
INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN BÁO CÁO",
    "- Điền số liệu vào các biểu 1, 2, 3 (biểu 4 chỉ có ở báo cáo cuối năm), rồi gửi lại Ban Tổ chức.",
    "- Ghi ngày theo dạng ngày/tháng/năm (dd/mm/yyyy); ô số chỉ ghi số nguyên, không ghi chữ.",
    "- Các cột Có/Không, Hội nghị, Hình thức, Tự đánh giá chất lượng, Xếp loại: chọn trong danh sách của ô.",
    "- Không đổi tên, không xóa, không thêm cột; không đổi mã và tên chi bộ đã ghi sẵn (nền xám).",
    "- Biểu 1: mỗi hội nghị một dòng; họp nhiều hơn số dòng có sẵn thì chèn thêm dòng.",
    "- Biểu 2: chi bộ không sinh hoạt trong tháng chọn \"Không\", vẫn ghi tổng số đảng viên.",
    "- Biểu 3: ô để trống được tính là 0. Không thêm dòng tổng cộng ở các biểu.",
    "- Ô ngày triển khai nhiệm vụ: ngày gửi nghị quyết, nhiệm vụ tháng sau cho bí thư các chi bộ.",
)
NOTES = {
    COMMITTEE_SHEET: "(Mỗi hội nghị cấp ủy trong tháng ghi một dòng)",
    BRANCH_SHEET: "(Mỗi chi bộ một dòng; không sửa mã, tên chi bộ)",
    RECRUITMENT_SHEET: "(Số liệu trong tháng; cột Đảng viên đi làm ăn xa ghi số có đến cuối tháng; ô trống là 0)",
    RATINGS_SHEET: "(Xếp loại tổ chức đảng chọn trong danh sách; các cột sau ghi số đảng viên được xếp loại ở từng mức)",
}
HEADINGS = {
    COMMITTEE_SHEET: "BIỂU 1. HỘI NGHỊ CẤP ỦY",
    BRANCH_SHEET: "BIỂU 2. SINH HOẠT CHI BỘ",
    RECRUITMENT_SHEET: "BIỂU 3. PHÁT TRIỂN ĐẢNG VIÊN",
    RATINGS_SHEET: "BIỂU 4. XẾP LOẠI CUỐI NĂM",
}
LIST_ERROR = "Giá trị không có trong danh sách. Hãy chọn một giá trị trong danh sách của ô."
COUNT_ERROR = "Hãy ghi một số nguyên không âm (0, 1, 2, ...)."
MEMBERS_ERROR = "Số ủy viên phải là số nguyên từ 1 trở lên."
DATE_ERROR = "Hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2024."
MONTH_ERROR = "Tháng phải là số nguyên từ 1 đến 12."
YEAR_ERROR = "Năm phải ghi đủ 4 chữ số, ví dụ 2024."


# --- Columns of the tables (headers exactly as SPEC §1.2) ----------------------------------

@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | date | count | count1 | choice | prefilled
    choices: tuple[str, ...] = ()


def _yes_no(header: str, width: float = 12) -> Column:
    return Column(header, width, "choice", YES_NO)


COMMITTEE_COLUMNS = (
    Column("Ngày họp", 13, "date"),
    Column("Hội nghị", 16, "choice", BODIES),
    Column("Hình thức", 12, "choice", FORMS_OF_MEETING),
    Column("Số ủy viên", 9, "count1"),
    Column("Số có mặt", 9, "count"),
    _yes_no("Ban hành nghị quyết/kết luận", 15),
    Column("Số hiệu văn bản", 15),
    Column("Ngày ban hành", 13, "date"),
    _yes_no("Cấp ủy cấp trên dự", 11),
    Column("Ghi chú", 22),
)
BRANCH_COLUMNS = (
    Column("Mã chi bộ", 11, "prefilled"),
    Column("Tên chi bộ", 28, "prefilled"),
    Column("Tổng số đảng viên", 10, "count"),
    Column("Số đảng viên được miễn sinh hoạt", 12, "count"),
    _yes_no("Sinh hoạt thường kỳ", 11),
    Column("Ngày sinh hoạt", 13, "date"),
    Column("Số đảng viên dự", 10, "count"),
    _yes_no("Sinh hoạt chuyên đề", 11),
    Column("Chủ đề chuyên đề", 22),
    _yes_no("Cấp ủy viên cấp trên dự", 11),
    Column("Tự đánh giá chất lượng", 13, "choice", QUALITY),
    Column("Ghi chú", 16),
)
RECRUITMENT_COLUMNS = (
    Column("Tên chi bộ", 28, "prefilled"),
    Column("Quần chúng học lớp nhận thức về Đảng", 15, "count"),
    Column("Kết nạp mới", 11, "count"),
    Column("Công nhận chính thức", 12, "count"),
    Column("Chuyển đến", 11, "count"),
    Column("Chuyển đi", 11, "count"),
    Column("Từ trần", 10, "count"),
    Column("Xóa tên, khai trừ, ra khỏi Đảng", 14, "count"),
    Column("Đảng viên đi làm ăn xa", 12, "count"),
)
RATINGS_COLUMNS = (
    Column("Tên chi bộ", 28, "prefilled"),
    Column("Xếp loại tổ chức đảng", 30, "choice", RATINGS),
    *(Column(level, 15, "count") for level in RATINGS),
)
COMMITTEE_BLANK_ROWS = 8

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


# --- Registry -----------------------------------------------------------------------------

def _parse_period(period: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", period or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise TemplateError(
            f"Kỳ báo cáo '{period}' không hợp lệ: hãy ghi năm-tháng theo dạng YYYY-MM, ví dụ 2024-03.")
    return int(m.group(1)), int(m.group(2))


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

def _validation(column: Column) -> DataValidation | None:
    if column.kind == "choice":
        dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                            allow_blank=True, error=LIST_ERROR)
    elif column.kind in ("count", "count1"):
        low = "1" if column.kind == "count1" else "0"
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=low, allow_blank=True,
                            error=MEMBERS_ERROR if column.kind == "count1" else COUNT_ERROR)
    elif column.kind == "date":
        # Excel stores a date validation bound as a serial day number.
        dv = DataValidation(type="date", operator="greaterThanOrEqual",
                            formula1=str(int(to_excel(date(2000, 1, 1)))), allow_blank=True, error=DATE_ERROR)
    else:
        return None
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.showErrorMessage = True
    return dv


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


def _write_cover(ws: Worksheet, name: str, year: int, month: int) -> None:
    ws["A1"] = "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG"
    ws["A1"].font = TITLE
    ws.merge_cells("A1:B1")
    ws["A1"].alignment = Alignment(horizontal="center")
    values = {"Đảng bộ": name, "Tháng": month, "Năm": year}
    first = 3
    for i, label in enumerate(COVER_LABELS):
        row = first + i
        a, b = ws.cell(row, 1, label), ws.cell(row, 2, values.get(label))
        a.font, b.font = BOLD, FONT
        a.border = b.border = BORDER
        a.alignment = Alignment(vertical="center", wrap_text=True)
        b.alignment = Alignment(horizontal="left", vertical="center")
        if label in values:
            b.fill = PREFILLED_FILL
        if label.startswith("Ngày"):
            b.number_format = DATE_FORMAT
            _cover_validation(ws, _validation(Column(label, 0, "date")), b.coordinate)
        ws.row_dimensions[row].height = LINE_HEIGHT * _wrapped_lines(label, 40) + 4
    _cover_validation(ws, DataValidation(type="whole", operator="between", formula1="1", formula2="12",
                                         error=MONTH_ERROR, showErrorMessage=True),
                      f"B{first + COVER_LABELS.index('Tháng')}")
    _cover_validation(ws, DataValidation(type="whole", operator="between", formula1="1900",
                                         formula2="2100", error=YEAR_ERROR, showErrorMessage=True),
                      f"B{first + COVER_LABELS.index('Năm')}")
    row = first + len(COVER_LABELS) + 1
    for i, line in enumerate(INSTRUCTIONS):
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


def _write_table(ws: Worksheet, commune_title: str, columns: tuple[Column, ...],
                 rows: list[dict[str, str]], print_header: str, freeze_columns: int) -> None:
    """Title rows, the header row at HEADER_ROW, then one row per entry of `rows` (values of
    the pre-filled columns by header; an empty dict is a blank row)."""
    last_col = get_column_letter(len(columns))
    for row, text, font in ((1, commune_title, BOLD), (2, HEADINGS[ws.title], TITLE), (3, NOTES[ws.title], ITALIC)):
        cell = ws.cell(row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(f"A{row}:{last_col}{row}")
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    header_lines = 1
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        width = column.width
        if column.kind == "prefilled":  # widen the name column to its longest value
            width = min(45, max([width] + [len(r.get(column.header, "")) + 2 for r in rows]))
        ws.column_dimensions[letter].width = width
        header_lines = max(header_lines, _wrapped_lines(column.header, width))
        cell = ws.cell(HEADER_ROW, j, column.header)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, values in enumerate(rows, start=first):
            cell = ws.cell(r, j)
            cell.font, cell.border = FONT, BORDER
            if column.kind == "prefilled":
                # Codes are text ("001" must stay "001"), hence the text format.
                cell.value, cell.fill, cell.number_format = values.get(column.header), PREFILLED_FILL, "@"
                cell.alignment = Alignment(vertical="center")
            elif column.kind == "date":
                cell.number_format = DATE_FORMAT
                cell.alignment = Alignment(horizontal="center")
            elif column.kind in ("count", "count1"):
                cell.number_format = "0"
            elif column.kind == "choice":
                cell.alignment = Alignment(horizontal="center")
            else:
                cell.number_format = "@"
        dv = _validation(column)
        if dv is not None and rows:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    ws.row_dimensions[1].height = ws.row_dimensions[2].height = 22
    ws.row_dimensions[3].height = 20
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * header_lines + 6
    for r in range(first, last + 1):
        ws.row_dimensions[r].height = 21
    ws.freeze_panes = ws.cell(first, freeze_columns + 1)
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
    year, month = _parse_period(period)
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    name, kind = _commune(con, commune_code, first, last)
    branches = _branches(con, commune_code, first, last)
    title = _commune_title(name, kind)
    print_header = f"{name} - Tháng {month:02d}/{year}"

    wb = Workbook()
    cover = wb.active
    cover.title = COVER_SHEET
    _write_cover(cover, name, year, month)
    by_name = [{"Tên chi bộ": b_name} for _, b_name in branches]
    tables = [
        (COMMITTEE_SHEET, COMMITTEE_COLUMNS, [{} for _ in range(COMMITTEE_BLANK_ROWS)], 0),
        (BRANCH_SHEET, BRANCH_COLUMNS, [{"Mã chi bộ": c, "Tên chi bộ": n} for c, n in branches], 2),
        (RECRUITMENT_SHEET, RECRUITMENT_COLUMNS, by_name, 1),
    ]
    if month == 12:
        tables.append((RATINGS_SHEET, RATINGS_COLUMNS, by_name, 1))
    for sheet, columns, rows, freeze in tables:
        _write_table(wb.create_sheet(sheet), title, columns, rows, print_header, freeze)
    wb.properties.title = f"Báo cáo tháng {month:02d}/{year} - {name}"
    wb.properties.creator = "Ban Tổ chức"
    _values_only(wb)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
