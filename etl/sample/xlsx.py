"""Writing the sample workbooks with xlsxwriter (fast, and byte-stable for a fixed seed).

Book(path, created, nfd) wraps one workbook: shared formats, a cell writer that takes the
values the generator produces (str, int, date, Formula, None) and writes NFD text when the
clerk's machine does, and write_table() for a header (one or two rows under merged group
cells), an optional (1) (2) (3) numbering row, data rows and an optional totals row.
make_macro_enabled(path) turns a written workbook into a macro-enabled (.xlsm) package.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from etl.sample.text import nfd as to_nfd


class Formula(NamedTuple):
    expr: str
    value: int  # cached result: readers (openpyxl, calamine) see this, not the formula


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    width: float = 12
    total: bool = False  # summed in the totals row
    group: str | None = None  # two-row header: merged group text over `header`


class Book:
    def __init__(self, path: Path, created: date, *, nfd: bool = False, author: str = ""):
        self.path, self.nfd = path, nfd
        # in_memory: no temp files; xlsxwriter then stamps zip members 1980-01-01, so the
        # bytes only depend on content and the fixed creation date below.
        self.wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_urls": False,
                                                  "strings_to_numbers": False})
        self.wb.set_properties({"created": datetime.combine(created, time(8, 0)),
                                "author": self.text(author)})
        add = self.wb.add_format
        self.fmt = {
            "cell": add({"border": 1, "valign": "vcenter"}),
            "date": add({"border": 1, "num_format": "dd/mm/yyyy", "align": "center"}),
            "plain_date": add({"num_format": "dd/mm/yyyy", "align": "left"}),
            "header": add({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                           "valign": "vcenter", "bg_color": "#F2F2F2"}),
            "number_row": add({"italic": True, "border": 1, "align": "center", "font_size": 9}),
            "total": add({"bold": True, "border": 1}),
            "bold": add({"bold": True}),
            "center_bold": add({"bold": True, "align": "center"}),
            "italic": add({"italic": True, "align": "center"}),
            "plain": add({}),
        }

    def text(self, s: str) -> str:
        return to_nfd(s) if self.nfd else s

    def sheet(self, name: str):
        return self.wb.add_worksheet(self.text(name))

    def put(self, ws, row: int, col: int, value, fmt: str = "cell") -> None:
        if value is None:
            if fmt in ("cell", "total"):
                ws.write_blank(row, col, None, self.fmt[fmt])
            return
        if isinstance(value, Formula):
            ws.write_formula(row, col, value.expr, self.fmt[fmt], value.value)
        elif isinstance(value, bool):
            raise TypeError("booleans are rendered by the style before writing")
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, self.fmt[fmt])
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, self.fmt["date" if fmt == "cell" else "plain_date"])
        else:
            ws.write_string(row, col, self.text(value), self.fmt[fmt])

    def merge(self, ws, r1: int, c1: int, r2: int, c2: int, value, fmt: str) -> None:
        if (r1, c1) == (r2, c2):
            self.put(ws, r1, c1, value, fmt)
        else:
            ws.merge_range(r1, c1, r2, c2, self.text(value) if isinstance(value, str) else value,
                           self.fmt[fmt])

    def write_table(self, ws, top: int, cols: list[Col], rows: list[dict | None], *,
                    numbering: bool = False, totals: str | None = None, label_key: str = "",
                    formulas: bool = False) -> int:
        """Write header, rows (None = a blank row) and totals; return the next free row."""
        two_rows = any(c.group for c in cols)
        for j, c in enumerate(cols):
            ws.set_column(j, j, c.width)
            if not two_rows:
                self.put(ws, top, j, c.header, "header")
            elif c.group is None:
                self.merge(ws, top, j, top + 1, j, c.header, "header")
            else:
                self.put(ws, top + 1, j, c.header, "header")
        if two_rows:  # one merged cell per run of columns sharing a group
            j = 0
            while j < len(cols):
                if cols[j].group:
                    end = j
                    while end + 1 < len(cols) and cols[end + 1].group == cols[j].group:
                        end += 1
                    self.merge(ws, top, j, top, end, cols[j].group, "header")
                    j = end
                j += 1
        r = top + (2 if two_rows else 1)
        if numbering:
            for j in range(len(cols)):
                self.put(ws, r, j, f"({j + 1})", "number_row")
            r += 1
        first_data = r
        for row in rows:
            if row is not None:
                for j, c in enumerate(cols):
                    self.put(ws, r, j, row.get(c.key), "cell")
            r += 1
        if totals:
            for j, c in enumerate(cols):
                value = None
                if c.key == label_key:
                    value = totals
                elif c.total:
                    value = sum(_count(row.get(c.key)) for row in rows if row)
                    if formulas and r > first_data:
                        top_cell = xl_rowcol_to_cell(first_data, j)
                        value = Formula(f"=SUM({top_cell}:{xl_rowcol_to_cell(r - 1, j)})", value)
                self.put(ws, r, j, value, "total")
            r += 1
        return r

    def close(self) -> None:
        self.wb.close()


def _count(value) -> int:
    """The number in a count cell: 25, ' 25 ', '25 đ/c' or blank."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return int(str(value).split()[0])


_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def make_macro_enabled(path: Path) -> None:
    """Give a written workbook the .xlsm content type (what Excel writes for a macro-enabled
    file; xlsxwriter only does so when a VBA binary is added, and the loader never runs one)."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(_MAIN.encode(), _MACRO_MAIN.encode())
            dst.writestr(info, data)
    os.replace(tmp, path)
