"""Which commune and month a monthly report is for, from its cover sheet or its title rows.

Takes the workbook's sheets and the tables found in them; returns a Heading whose values each
carry the cell they came from. The cover ("Thông tin chung", "Bia", "TT chung"...) is found by
its labels, not its name. Title rows ("ĐẢNG ỦY XÃ LỘC NGÃI", "THÁNG 3 NĂM 2024",
"tháng 03/2024") are read above each table; the superior committee's line ("ĐẢNG BỘ HUYỆN
...") names no commune. A place-and-date line ("Lộc An, ngày 05 tháng 10 năm 2024") is the
date the report was made, never its period; "Căn cứ ..." and "Thực hiện ..." lines (also
after a bullet "- ") cite other documents and are ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl import text
from etl.ingest.forms.spec import COVER_LABELS

COVER_ROWS, COVER_COLS = 40, 12
_LABELS = {text.header_key(k): v for k, v in COVER_LABELS.items()}
_PERIOD = re.compile(r"thang\s*0?(\d{1,2})\s*(?:,\s*)?(?:nam|/|-|\.|,)\s*(\d{4})\b")  # also "THÁNG 3, NĂM 2024"
_PLACE_DATE = re.compile(r"ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s*,?\s*nam\s+\d{4}")
_UNIT_TITLE = re.compile(r"^(dang uy|dang bo|du|ban chap hanh dang bo)\s+\S")
# The superior committee's line above the commune's ("ĐẢNG BỘ HUYỆN BẢO LÂM", "ĐẢNG BỘ TỈNH ...").
_SUPERIOR_TITLE = re.compile(r"^(dang uy|dang bo|du|ban chap hanh dang bo)\s+(huyen|tinh|thanh pho|quan|thi xa)\b")
# Lines citing other documents ("Căn cứ ...", "Thực hiện ...", also after a bullet): their dates are not the period.
_CITATION = re.compile(r"^[\s\-–—+*•·.]*(can cu|thuc hien)\b")
_MONTH_YEAR = re.compile(r"^\s*0?(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Found:
    value: object
    sheet: str
    row: int
    col: int
    source: str  # "cover" or "title"
    label: str | None = None  # a cover value's label as written ("Tháng"): the column of its problems


@dataclass
class Heading:
    cover: dict[str, Found] = field(default_factory=dict)  # key of COVER_LABELS -> value cell
    titles: list[Found] = field(default_factory=list)  # the commune's title lines (not the superior's)
    periods: list[Found] = field(default_factory=list)  # (year, month) from titles
    made_on: Found | None = None  # from a place-and-date line


def _strings(sheet, rows: int, cols: int):
    for r, row in enumerate(sheet.rows[:rows]):
        for c, v in enumerate(row[:cols]):
            if isinstance(v, str) and v.strip():
                yield r, c, v


def _cover_pairs(sheet, rows: int) -> dict[str, Found]:
    """Label/value pairs: the value is the next non-blank cell right of the label, or after ':'."""
    found: dict[str, Found] = {}
    for r, c, v in _strings(sheet, rows, COVER_COLS):
        label, _, inline = v.partition(":")
        key = _LABELS.get(text.header_key(label))
        if key is None or key in found:
            continue
        if inline.strip():
            found[key] = Found(inline.strip(), sheet.name, r, c, "cover", text.clean(label))
            continue
        row = sheet.rows[r]
        for c2 in range(c + 1, min(len(row), c + 6)):
            if not text.is_blank(row[c2]):
                found[key] = Found(row[c2], sheet.name, r, c2, "cover", text.clean(label))
                break
    return found


def _titles(sheet, rows: int, heading: Heading) -> None:
    for r, c, v in _strings(sheet, rows, COVER_COLS + 8):
        plain = text.unaccented(v)
        if _CITATION.match(plain):
            continue
        if _PLACE_DATE.search(plain):
            if heading.made_on is None:
                heading.made_on = Found(text.parse_date(plain[_PLACE_DATE.search(plain).start():]),
                                        sheet.name, r, c, "title")
            continue
        m = _PERIOD.search(plain)
        if m:
            heading.periods.append(Found((int(m.group(2)), int(m.group(1))), sheet.name, r, c, "title"))
        if _UNIT_TITLE.match(plain) and not _SUPERIOR_TITLE.match(plain):
            heading.titles.append(Found(text.clean(v), sheet.name, r, c, "title"))


def _is_cover(pairs: dict[str, Found]) -> bool:
    """A cover holds at least two of its labels (commune, month, year) and no table."""
    return len({"commune", "month", "year"} & pairs.keys()) >= 2


def is_cover(sheet) -> bool:
    """Whether `sheet` (its first COVER_ROWS rows are enough) can be the cover."""
    return _is_cover(_cover_pairs(sheet, COVER_ROWS))


def read_heading(sheets, tables) -> Heading:
    """`tables`: every Table found in the workbook (their header rows bound the title area)."""
    heading = Heading()
    header_row = {t.sheet: t.header_rows[0] for t in tables}
    for sheet in sheets:
        is_table = sheet.name in header_row
        limit = header_row.get(sheet.name, COVER_ROWS)
        pairs = _cover_pairs(sheet, limit)
        # A table sheet may carry the cover's labels ("Đảng bộ: ...", "Tháng: 3") above its header.
        if is_table or _is_cover(pairs):
            for k, f in pairs.items():
                heading.cover.setdefault(k, f)
            _titles(sheet, limit, heading)
    return heading


def cover_month_year(heading: Heading) -> tuple[int | None, int | None, Found | None]:
    """(year, month, cell) from the cover; a 'Tháng' cell may also hold '03/2024'."""
    month_cell, year_cell = heading.cover.get("month"), heading.cover.get("year")
    year = month = None
    if month_cell is not None:
        raw = month_cell.value
        m = _MONTH_YEAR.match(str(raw)) if isinstance(raw, str) else None
        if m:
            month, year = int(m.group(1)), int(m.group(2))
        else:
            s = text.unaccented(str(raw)).replace("thang", "") if isinstance(raw, str) else raw
            month = text.parse_int(s)
    if year_cell is not None:
        y = text.parse_int(text.unaccented(str(year_cell.value)).replace("nam", "")
                           if isinstance(year_cell.value, str) else year_cell.value)
        year = y if y is not None else year
    return year, month, month_cell or year_cell
