"""The workbook's building blocks over xlsxwriter: formats, a title block, two-level headers,
typed cells ("Chưa báo cáo" for a unit without a report, never 0), fitted widths, row heights
for wrapped text, and the print setup (A4 landscape, header rows repeated on every page; a
table too wide for one page at a readable scale is printed on more pages across, at its column
groups, with the name columns repeated).

Widths are measured, not counted: Times New Roman is the workbook's default font too, so a
column unit is its digit width (7 px at 11 pt, as Calibri's) in Excel and in LibreOffice, and
`text_px` gives a text's width from the font's advance widths, to fit a column to its text and
to count the lines a wrapped cell needs (neither program grows such a row by itself).

Takes values from indicator DataFrames, writes them; computes nothing. Text from the reports
goes through `write_string` and the workbook is opened with strings_to_formulas off, so a
finding typed as "=Không ban hành…" stays text in Excel and LibreOffice.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import xlsxwriter

from etl import theme
from etl.labels import NOT_REPORTED

# [$-42A] is the Vietnamese locale: LibreOffice then shows 95,5% and 1.234 whatever its own
# locale; Excel keeps its usual rule (the system's separators, comma-decimal on Vietnamese
# Windows). The cells stay numbers either way.
VI = "[$-42A]"
NUM, PCT, DEC, DAY = VI + "#,##0", VI + "0.0%", VI + "#,##0.0", "dd/mm/yyyy"
FONT = theme.PRINT_FONT
DASH = "—"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(wanted: str) -> str:
    """`wanted` as Excel takes a sheet name: at most 31 characters, none of []:*?/\\ (each made
    '-'), no apostrophe or space at either end ('Trang' when nothing is left)."""
    return _BAD_SHEET_CHARS.sub("-", wanted).strip("' ")[:31].rstrip("' ") or "Trang"


# advance widths of Times New Roman in em (Liberation Serif has the same metrics); others 0.5
_EM = {**dict.fromkeys(" ,.", 0.25), **dict.fromkeys("ijlt;:/'!|", 0.28), **dict.fromkeys("frI-()", 0.33),
       **dict.fromkeys("sJ", 0.39), **dict.fromkeys("acez", 0.44), **dict.fromkeys("FPS", 0.56),
       **dict.fromkeys("ELTZ", 0.61), **dict.fromkeys("BCR", 0.67),
       **dict.fromkeys("wADGHKNOQUVXYĐ", 0.72), "m": 0.78, "%": 0.83, "M": 0.89, "W": 0.94, "—": 1.0}
DIGIT_PX = 7        # a column unit: the default font's digit width at 11 pt
PAD_PX = 8          # a cell's text inset, both sides together, the grid line and a margin
# A4 landscape between the margins below is 10.79 in (1036 px at 96 px an inch); less 6 %, as
# LibreOffice draws a column a little wider than Excel (its digit is 7.33 px, not rounded)
PRINT_PX = 975
MIN_SCALE = 0.8     # a sheet that fits one page wide only below this scale is split across pages


def text_px(text: str, size: float = 11, bold: bool = False) -> float:
    """Width of `text` in pixels at `size` points (96 px per inch)."""
    em = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if not unicodedata.combining(ch):
            em += _EM.get(ch, 0.5)
        elif ch == "\u031b":  # the horn of ư, ơ widens its letter; other marks sit above or below
            em += 0.04
    return em * size * 96 / 72 * (1.08 if bold else 1.0)


def column_px(width: float) -> int:
    """Excel's pixels for a column width in units (xlsxwriter's rule)."""
    return int(width * DIGIT_PX + 0.5) + 5 if width >= 1 else int(width * (DIGIT_PX + 5) + 0.5)


def lines_needed(text: str, px: float, size: float = 11, bold: bool = False) -> int:
    """Lines a wrapped cell of `px` pixels needs: words are placed as Excel does, a word
    longer than the line is broken."""
    room = max(px - PAD_PX, 8)
    space = text_px(" ", size, bold)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines, used = lines + 1, 0.0
        for word in paragraph.split():
            w = text_px(word, size, bold)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                lines += 1
            lines += max(math.ceil(w / room) - 1, 0)
            used = w - room * max(math.ceil(w / room) - 1, 0)
    return lines


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
            "default_date_format": DAY,
            # the Normal style's font sets the column unit: the cells' own font, so a width
            # means the same in Excel and in LibreOffice (which may not have Calibri)
            "default_format_properties": {"font_name": FONT, "font_size": 11}})
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
                # "Chưa báo cáo" wraps in a narrow figure column rather than widening it
                "missing": {"align": "center", "italic": True, "font_color": theme.MISSING_INK, "text_wrap": True},
                "header": {"bold": True, "text_wrap": True, "align": "center", "bg_color": theme.HEADER_FILL},
                "title": {"bold": True, "font_size": 14},
                "subtitle": {"italic": True},
                "note": {"italic": True, "font_size": 10, "font_color": theme.NOTE_INK},
            }.get(kind.split(":")[0], {}))
            if kind.startswith("status:"):
                props.update({"align": "center", "bg_color": theme.SUBMISSION_FILLS.get(kind[7:], theme.WHITE)})
            if total:
                props.update({"bold": True, "bg_color": theme.TOTAL_FILL})
            if extra == "bold":
                props["bold"] = True
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet_name(self, wanted: str) -> str:
        """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
        base = sheet_title(wanted)
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
    # wrapped cells, measured in finish() once the widths are final: (row, first col, last col,
    # text, bold); header rows alike, so a narrow header gets the height its lines need
    wraps: list[tuple[int, int, int, str, bool]] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)   # first column of each header group

    def __post_init__(self) -> None:
        self.ws = self.book.wb.add_worksheet(self.book.sheet_name(self.name))
        self.name = self.ws.get_name()
        self.ws.write_string(0, 0, self.title, self.book.fmt("title"))
        self.ws.write_string(1, 0, self.subtitle, self.book.fmt("subtitle"))
        self.ws.set_row(0, 21)
        self.heights: dict[int, float] = {}           # rows given a minimum height
        self.spans: list[tuple[int, int, str]] = []   # header labels over two rows: (row, col, text)

    def headers(self, row: int, columns: list[Header]) -> tuple[int, int]:
        """Write one or two header rows from `row`; returns (first data row, column count).
        A column with `subs` gets its label merged over the sub-labels; the others span both rows."""
        two = any(c.subs for c in columns)
        fmt = self.book.fmt("header")
        col = 0
        for c in columns:
            self.groups.append(col)
            if c.subs:
                if len(c.subs) > 1:
                    self.ws.merge_range(row, col, row, col + len(c.subs) - 1, c.label, fmt)
                else:
                    self.ws.write_string(row, col, c.label, fmt)
                self.wraps.append((row, col, col + len(c.subs) - 1, c.label, True))
                for k, sub in enumerate(c.subs):
                    self.ws.write_string(row + 1, col + k, sub, fmt)
                    self._fit(col + k, max(7, _word_width(sub)))
                    self.wraps.append((row + 1, col + k, col + k, sub, True))
                col += len(c.subs)
            else:
                if two:
                    self.ws.merge_range(row, col, row + 1, col, c.label, fmt)
                else:
                    self.ws.write_string(row, col, c.label, fmt)
                self._fit(col, max(c.width, _word_width(c.label)))
                if two:  # a label over both rows may use both
                    self.spans.append((row, col, c.label))
                else:
                    self.wraps.append((row, col, col, c.label, True))
                col += 1
        self.heights[row] = 21 if two else 30
        if two:
            self.heights[row + 1] = 30
        return row + (2 if two else 1), col

    def _fit(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0), min(width, 60))

    def _fit_text(self, col: int, value: str, bold: bool = False) -> None:
        self._fit(col, (text_px(value, bold=bold) + PAD_PX + 4) / DIGIT_PX)

    def text(self, r: int, c: int, value, total: bool = False, wrap: bool = False) -> None:
        """Report text: always a string cell (never a formula, whatever its first character)."""
        if missing(value):
            self.ws.write_blank(r, c, None, self.book.fmt("text", total))
            return
        value = str(value)
        self.ws.write_string(r, c, value, self.book.fmt("wrap" if wrap else "text", total))
        # wrapped text keeps the width its header asked for; short text fits the column to itself
        if wrap:
            self._fit(c, min((text_px(value, bold=total) + PAD_PX + 4) / DIGIT_PX, 24))
            self.wrapped(r, c, value, total)
        else:
            self._fit_text(c, value, total)

    def wrapped(self, r: int, c: int, value: str, bold: bool = False) -> None:
        """Note a wrapped cell, whose row is given the height of its lines in finish()."""
        self.wraps.append((r, c, c, value, bold))

    def label(self, r: int, c: int, value: str, kind: str = "center", total: bool = False) -> None:
        self.ws.write_string(r, c, value, self.book.fmt(kind, total))
        self._fit_text(c, value, total or kind == "title")

    def number(self, r: int, c: int, value, kind: str = "int", total: bool = False,
               reported: bool = True) -> None:
        """A figure; a missing one reads "Chưa báo cáo" when the unit did not report and "—"
        when there is nothing to divide by (e.g. no meeting held). "Chưa báo cáo" wraps in a
        figure column instead of widening it (the columns stay narrow enough to print)."""
        if missing(value):
            self.ws.write_string(r, c, NOT_REPORTED if not reported else DASH,
                                 self.book.fmt("missing", total))
            if not reported:
                self._fit(c, 7)
                self.wrapped(r, c, NOT_REPORTED, total)
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
        """Widths, row heights, frozen header rows and the print setup."""
        widths = [self.widths.get(col, 8) for col in range(columns)]
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)
        lines: dict[int, int] = {}
        for r, c0, c1, text, bold in self.wraps:
            px = sum(column_px(w) for w in widths[c0:c1 + 1])
            lines[r] = max(lines.get(r, 1), lines_needed(text, px, bold=bold))
        height = {r: max(self.heights.get(r, 0), 15 * min(n, 12) if n > 1 else 0)
                  for r, n in lines.items()}
        height.update({r: max(h, height.get(r, 0)) for r, h in self.heights.items()})
        for r, c, text in self.spans:
            need = 15 * lines_needed(text, column_px(widths[c]), bold=True)
            height[r + 1] += max(0, need - height[r] - height[r + 1])
        for r, h in height.items():
            if h:
                self.ws.set_row(r, h)
        self.ws.freeze_panes(header_bottom + 1, freeze_col)
        if autofilter_last is not None and autofilter_last > header_bottom:
            self.ws.autofilter(header_bottom, 0, autofilter_last, columns - 1)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self._print_width([column_px(w) for w in widths], freeze_col)
        self.ws.repeat_rows(header_top, header_bottom)
        self.ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        self.ws.center_horizontally()
        self.ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")

    def _print_width(self, px: list[int], keep: int) -> None:
        """One page wide when the sheet fits at MIN_SCALE or more; else pages across, broken
        at header groups, the first `keep` columns (STT, names) repeated on each, at one scale."""
        if sum(px) * MIN_SCALE <= PRINT_PX or keep == 0:
            self.ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
            return
        kept = sum(px[:keep])
        starts = sorted({g for g in self.groups if g >= keep} | {len(px)})
        pages, first = [], keep
        for a, b in zip(starts, starts[1:]):
            group = sum(px[a:b])
            page = kept + sum(px[first:a]) + group
            if a > first and page * MIN_SCALE > PRINT_PX:
                pages.append((first, a))
                first = a
        pages.append((first, len(px)))
        widest = max(kept + sum(px[a:b]) for a, b in pages)
        self.ws.set_print_scale(max(10, min(100, int(100 * PRINT_PX / widest))))
        self.ws.set_v_pagebreaks([a for a, _ in pages[1:]])
        self.ws.repeat_columns(0, keep - 1)
        self.print_pages = pages


def _word_width(label: str) -> float:
    """Header labels wrap, so the column need only fit the longest word (and not be absurd)."""
    return max((len(w) for w in label.split()), default=4) + 3
