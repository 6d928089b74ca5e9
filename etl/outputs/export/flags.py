"""The workbook's sheet of the period's data-quality flags that the board has not verified
(DOMAIN.md "Data quality across months"): takes a `Book` and a `YearData`, writes the sheet.

One row per flag, by commune then month: where it is (commune, branch, month, the report's file,
sheet and cell), which rule (its name in etl.labels), this month's and the month before's value,
what was expected, and the flag's own message. The rows are `YearData.flags`, the indicator
layer's (indicators.data_quality, unverified only), written as they are: the page "Chất lượng số
liệu" lists the same flags.
"""
from __future__ import annotations

from etl import labels, quality
from etl import vnformat as vn
from etl.outputs.export.data import YearData
from etl.outputs.export.labels import scope_text
from etl.outputs.export.xlsx import Book, Header, Sheet, missing

SHEET = "Số liệu bất thường"  # the sheet's name, which the Word report points to
NONE = "Không có số liệu bất thường chưa xác minh trong kỳ."
TOP = 3
_HEADS = labels.QUALITY_COLUMNS
HEADERS = [Header("STT", 5), Header(_HEADS["commune_name"], 18), Header(_HEADS["branch_name"], 18),
           Header(_HEADS["period"], 9), Header(_HEADS["rule"], 22), Header(_HEADS["source_file"], 20),
           Header(_HEADS["sheet"], 14), Header(_HEADS["cell"], 6), Header(_HEADS["value"], 9),
           Header(_HEADS["previous_value"], 9), Header(_HEADS["expected"], 10), Header(_HEADS["message"], 50)]


def write_flags_sheet(book: Book, data: YearData) -> None:
    sheet = Sheet(book, f"SỐ LIỆU BẤT THƯỜNG CHƯA XÁC MINH {data.when.upper()}",
                  scope_text(data) + ". Số liệu khác với các tháng trước (cảnh báo chất lượng số liệu) mà Ban Tổ "
                  "chức chưa xác minh là đúng.", SHEET)
    r, ncols = sheet.headers(TOP, HEADERS)
    if data.flags.empty:
        sheet.ws.merge_range(r, 1, r, ncols - 1, NONE, book.fmt("missing"))
    for n, f in enumerate(data.flags.itertuples(index=False), start=1):
        branch = f.branch_name if not missing(f.branch_name) else f.branch_code
        sheet.number(r, 0, n, "stt")
        sheet.text(r, 1, f.commune_name if not missing(f.commune_name) else f.commune_code, wrap=True)
        sheet.text(r, 2, labels.WHOLE_COMMUNE if missing(branch) else branch, wrap=True)
        sheet.label(r, 3, vn.month_numeric(f.period))
        sheet.text(r, 4, labels.QUALITY_RULES[f.rule], wrap=True)
        sheet.text(r, 5, f.source_file, wrap=True)  # a file name as sent: a string, never a formula
        sheet.text(r, 6, vn.DASH if missing(f.sheet) else f.sheet, wrap=True)
        sheet.label(r, 7, vn.DASH if missing(f.cell) else f.cell)
        kind = "pct" if f.field in quality.SHARES else "int"
        for c, value in enumerate((f.value, f.previous_value, f.expected), start=8):
            sheet.number(r, c, value, kind)
        sheet.text(r, 11, f.message, wrap=True)
        r += 1
    sheet.finish(TOP, TOP, ncols, freeze_col=0, autofilter_last=r - 1 if len(data.flags) else None)
