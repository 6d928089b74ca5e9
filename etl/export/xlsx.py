"""The workbook's building blocks over xlsxwriter: formats, a title block, two-level headers,
typed cells ("Chưa báo cáo" for a unit without a report, never 0), fitted widths and the
print setup (A4 landscape, fit to width, header rows repeated on every page).

Takes values from indicator DataFrames, writes them; computes nothing. Text from the reports
goes through `write_string` and the workbook is opened with strings_to_formulas off, so a
finding typed as "=Không ban hành…" stays text in Excel and LibreOffice.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import xlsxwriter

from etl.indicators import NOT_REPORTED

# [$-42A] is the Vietnamese locale: LibreOffice then shows 95,5% and 1.234 whatever its own
# locale; Excel keeps its usual rule (the system's separators, comma-decimal on Vietnamese
# Windows). The cells stay numbers either way.
VI = "[$-42A]"
NUM, PCT, DEC, DAY = VI + "#,##0", VI + "0.0%", VI + "#,##0.0", "dd/mm/yyyy"
FONT = "Times New Roman"
DASH = "—"
HEADER_FILL, TOTAL_FILL = "#DDEBF7", "#F2F2F2"
STATUS_FILLS = {"on_time": "#E2EFDA", "late": "#FCE4D6", "missing": "#F8CBAD", "pending": "#FFF2CC"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return isinstance(x, float) and math.isnan(x)
    except TypeError:
        return False


class Book:
    """An in-memory xlsxwriter workbook with the export's formats."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "default_date_format": DAY})
        self.wb.set_properties({"title": "Tổng hợp sinh hoạt chi bộ", "author": "Ban Tổ chức",
                                "comments": "Số liệu từ kho dữ liệu (etl.indicators)"})
        self._formats: dict[tuple, object] = {}
        self.names: set[str] = set()

    def fmt(self, kind: str, total: bool = False, extra: str = "") -> object:
        """A cached cell format: kind in text, wrap, int, pct, dec, date, center, missing,
        header, title, subtitle, note, status:<code>."""
        key = (kind, total, extra)
        if key not in self._formats:
            props: dict = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
            if kind not in ("title", "subtitle", "note"):
                props["border"] = 1
            props.update({
                "text": {}, "wrap": {"text_wrap": True},
                "int": {"num_format": NUM}, "stt": {"num_format": "0", "align": "center"},
                "pct": {"num_format": PCT}, "dec": {"num_format": DEC},
                "date": {"num_format": DAY, "align": "center"}, "center": {"align": "center"},
                "missing": {"align": "center", "italic": True, "font_color": "#7F7F7F"},
                "header": {"bold": True, "text_wrap": True, "align": "center", "bg_color": HEADER_FILL},
                "title": {"bold": True, "font_size": 14},
                "subtitle": {"italic": True},
                "note": {"italic": True, "font_size": 10, "font_color": "#404040"},
            }.get(kind.split(":")[0], {}))
            if kind.startswith("status:"):
                props.update({"align": "center", "bg_color": STATUS_FILLS.get(kind[7:], "#FFFFFF")})
            if total:
                props.update({"bold": True, "bg_color": TOTAL_FILL})
            if extra == "bold":
                props["bold"] = True
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet_name(self, wanted: str) -> str:
        """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
        base = _BAD_SHEET_CHARS.sub("-", wanted).strip("' ")[:31] or "Trang"
        name, n = base, 2
        while name.lower() in self.names:
            suffix = f" ({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        self.names.add(name.lower())
        return name

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


@dataclass
class Header:
    label: str
    width: float = 10          # minimum column width
    subs: tuple[str, ...] = ()  # sub-columns under a merged group label


@dataclass
class Sheet:
    book: Book
    title: str
    subtitle: str
    name: str
    widths: dict[int, float] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)  # row -> lines of its tallest wrapped cell

    def __post_init__(self) -> None:
        self.ws = self.book.wb.add_worksheet(self.book.sheet_name(self.name))
        self.name = self.ws.get_name()
        self.ws.write_string(0, 0, self.title, self.book.fmt("title"))
        self.ws.write_string(1, 0, self.subtitle, self.book.fmt("subtitle"))
        self.ws.set_row(0, 21)

    def headers(self, row: int, columns: list[Header]) -> tuple[int, int]:
        """Write one or two header rows from `row`; returns (first data row, column count).
        A column with `subs` gets its label merged over the sub-labels; the others span both rows."""
        two = any(c.subs for c in columns)
        fmt = self.book.fmt("header")
        col = 0
        for c in columns:
            if c.subs:
                if len(c.subs) > 1:
                    self.ws.merge_range(row, col, row, col + len(c.subs) - 1, c.label, fmt)
                else:
                    self.ws.write_string(row, col, c.label, fmt)
                for k, sub in enumerate(c.subs):
                    self.ws.write_string(row + 1, col + k, sub, fmt)
                    self._fit(col + k, max(7, _word_width(sub)))
                col += len(c.subs)
            else:
                if two:
                    self.ws.merge_range(row, col, row + 1, col, c.label, fmt)
                else:
                    self.ws.write_string(row, col, c.label, fmt)
                self._fit(col, max(c.width, _word_width(c.label)))
                col += 1
        self.ws.set_row(row, 33 if two else 45)
        if two:
            self.ws.set_row(row + 1, 45)
        return row + (2 if two else 1), col

    def _fit(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0), min(width, 60))

    def text(self, r: int, c: int, value, total: bool = False, wrap: bool = False) -> None:
        """Report text: always a string cell (never a formula, whatever its first character)."""
        if missing(value):
            self.ws.write_blank(r, c, None, self.book.fmt("text", total))
            return
        value = str(value)
        self.ws.write_string(r, c, value, self.book.fmt("wrap" if wrap else "text", total))
        # wrapped text keeps the width its header asked for; short text fits the column to itself
        self._fit(c, len(value) + 2 if not wrap else min(len(value) + 2, 24))
        if wrap:
            self.wrapped(r, c, value)

    def wrapped(self, r: int, c: int, value: str) -> None:
        """Note how many lines a wrapped cell needs: LibreOffice does not grow the row itself."""
        per_line = max(self.widths.get(c, 10) * 1.15, 4)  # Times New Roman 11 is narrow
        self.lines[r] = max(self.lines.get(r, 1), math.ceil(len(value) / per_line))

    def label(self, r: int, c: int, value: str, kind: str = "center", total: bool = False) -> None:
        self.ws.write_string(r, c, value, self.book.fmt(kind, total))
        self._fit(c, len(value) + 2)

    def number(self, r: int, c: int, value, kind: str = "int", total: bool = False,
               reported: bool = True) -> None:
        """A figure; a missing one reads "Chưa báo cáo" when the unit did not report and "—"
        when there is nothing to divide by (e.g. no meeting held)."""
        if missing(value):
            self.ws.write_string(r, c, NOT_REPORTED if not reported else DASH,
                                 self.book.fmt("missing", total))
            self._fit(c, len(NOT_REPORTED) + 1 if not reported else 4)
            return
        self.ws.write_number(r, c, float(value), self.book.fmt(kind, total))
        self._fit(c, {"pct": 8, "dec": 7}.get(kind, len(f"{float(value):,.0f}") + 2))

    def merged_number(self, r0: int, c: int, r1: int, value, kind: str = "int",
                      total: bool = False) -> None:
        """One figure in a cell merged over rows r0..r1 of column c (missing: "—")."""
        if missing(value):
            self.ws.merge_range(r0, c, r1, c, DASH, self.book.fmt("missing", total))
            return
        self.ws.merge_range(r0, c, r1, c, "", self.book.fmt(kind, total))
        self.ws.write_number(r0, c, float(value), self.book.fmt(kind, total))
        self._fit(c, {"pct": 8, "dec": 7}.get(kind, len(f"{float(value):,.0f}") + 2))

    def day(self, r: int, c: int, value, total: bool = False) -> None:
        if missing(value):
            self.ws.write_blank(r, c, None, self.book.fmt("date", total))
            return
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        self.ws.write_datetime(r, c, value, self.book.fmt("date", total))
        self._fit(c, 12)

    def note(self, r: int, text: str, col: int = 0) -> None:
        self.ws.write_string(r, col, text, self.book.fmt("note"))

    def finish(self, header_top: int, header_bottom: int, columns: int, freeze_col: int = 2,
               autofilter_last: int | None = None) -> None:
        """Widths, frozen header rows and the print setup."""
        for col in range(columns):
            self.ws.set_column(col, col, self.widths.get(col, 8))
        for r, n in self.lines.items():
            if n > 1:
                self.ws.set_row(r, 15 * min(n, 12))
        self.ws.freeze_panes(header_bottom + 1, freeze_col)
        if autofilter_last is not None and autofilter_last > header_bottom:
            self.ws.autofilter(header_bottom, 0, autofilter_last, columns - 1)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
        self.ws.repeat_rows(header_top, header_bottom)
        self.ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        self.ws.center_horizontally()
        self.ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")


def _word_width(label: str) -> float:
    """Header labels wrap, so the column need only fit the longest word (and not be absurd)."""
    return max((len(w) for w in label.split()), default=4) + 3
