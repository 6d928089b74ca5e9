"""Find a form's table inside a sheet: its header row(s), its columns and its data rows.

Takes a `read.Sheet` and a `spec.Form`; returns a `Table` (or None when the sheet does not hold
that form). Hand-made reports put title blocks above the table and signatures below it, use
two-row headers under merged group cells, number their columns "(1) (2) (3)" on the row under
the header and close with a totals row; all of that is recognised here, so the parser only
sees data rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etl import text
from etl.forms.spec import TEXT, UNIT, Form

HEADER_SEARCH_ROWS = 20
TOTALS_WORDS = ("cong", "tong cong", "tong so", "tong", "cong chung", "toan dang bo", "tong cong toan dang bo")
SIGNATURE_PREFIXES = ("t/m", "tm.", "bi thu", "pho bi thu", "nguoi lap", "noi nhan", "xac nhan",
                      "k/t", "kt.", "ky ten")
_NUMBERING = re.compile(r"^\(?\s*[0-9]{1,2}\s*\)?$|^\(?[a-zA-Z]\)?$|^\(\s*\d+\s*\)\s*=.*$")
_PLACE_DATE = re.compile(r",\s*ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}")


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written (group and sub-header joined by " / ")


@dataclass
class Table:
    form: Form
    sheet: str
    header_rows: tuple[int, ...]
    columns: dict[str, Column]  # field key -> column
    rows: list[int]  # zero-based sheet rows holding data
    totals_row: int | None
    score: int


@lru_cache(maxsize=None)
def _alias_keys(form: Form) -> dict[str, str]:
    """header_key(alias) -> field key, for every alias of every field of the form."""
    out: dict[str, str] = {}
    for f in form.fields:
        for name in f.names:
            out.setdefault(text.header_key(name), f.key)
    return out


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _match(form: Form, candidates: list[str]) -> tuple[str, int] | None:
    """The field a column header names, with a quality (2 exact, 1 prefix), or None."""
    aliases = _alias_keys(form)
    keys = [text.header_key(c) for c in candidates if c]
    keys = [k for k in keys if k]
    for k in keys:
        if k in aliases:
            return aliases[k], 2
    # Prefix fallback ("Tổng số đảng viên của chi bộ" -> "Tổng số đảng viên"); the longest alias wins.
    for k in keys:
        best = max((a for a in aliases if len(a) >= 6 and k.startswith(a + " ")), key=len, default=None)
        if best:
            return aliases[best], 1
    return None


def _group_texts(sheet, row: int) -> list[str]:
    """Texts of a header row with merged group cells spread over every column they cover."""
    values = [_cell_text(v) for v in sheet.rows[row]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= row <= r1 and c1 > c0:
            label = _cell_text(sheet.rows[r0][c0])
            for c in range(c0, min(c1 + 1, len(values))):
                values[c] = label
    return values


def _vertically_merged(sheet, row: int, col: int) -> bool:
    return any(r0 == row and r1 > row and c0 <= col <= c1 for r0, c0, r1, c1 in sheet.merged)


def _columns(form: Form, sheet, row: int, two_rows: bool) -> tuple[dict[str, Column], int]:
    top = _group_texts(sheet, row)
    sub = [_cell_text(v) for v in sheet.rows[row + 1]] if two_rows else [""] * len(top)
    if two_rows and not sheet.merged:
        # No merge information (some .xls writers): a group label sits in its first column only,
        # so carry it right over the sub-headers that follow it.
        last = ""
        for c, t in enumerate(top):
            if t:
                last = t if sub[c] else ""
            elif sub[c] and last:
                top[c] = last
    found: dict[str, tuple[Column, int]] = {}
    for c, t in enumerate(top):
        s = sub[c]
        if two_rows and s and not _vertically_merged(sheet, row, c):
            header = f"{t} / {s}" if t and t != s else s
            candidates = [f"{t} {s}", s] if t else [s]
        else:
            header, candidates = t, [t]
        hit = _match(form, candidates)
        if hit is None:
            continue
        key, quality = hit
        if key not in found or quality > found[key][1]:
            found[key] = (Column(c, header), quality)
    columns = {k: col for k, (col, _) in found.items()}
    score = sum(q for _, q in found.values())
    return columns, score


def _is_blank_row(values) -> bool:
    return all(text.is_blank(v) for v in values)


def _is_numbering_row(values) -> bool:
    cells = [_cell_text(v) for v in values if not text.is_blank(v)]
    return len(cells) >= 2 and all(_NUMBERING.match(c) for c in cells)


def is_totals_label(value) -> bool:
    t = text.header_key(_cell_text(value))
    return t in TOTALS_WORDS or (t.startswith(("tong cong", "cong ")) and len(t) < 30)


def is_signature_row(values) -> bool:
    for v in values:
        if isinstance(v, str):
            t = text.unaccented(v)
            if t.startswith(SIGNATURE_PREFIXES) or _PLACE_DATE.search(t):
                return True
    return False


def find_table(sheet, form: Form) -> Table | None:
    """The best placement of `form` in `sheet`, or None when its anchor columns are absent."""
    best: Table | None = None
    last = min(HEADER_SEARCH_ROWS, len(sheet.rows))
    for row in range(last):
        if _is_blank_row(sheet.rows[row]):
            continue
        options = [False] + ([True] if row + 1 < len(sheet.rows) else [])
        for two_rows in options:
            columns, score = _columns(form, sheet, row, two_rows)
            if not all(a in columns for a in form.anchors):
                continue
            if best is None or score > best.score:
                header_rows = (row, row + 1) if two_rows else (row,)
                best = Table(form, sheet.name, header_rows, columns, [], None, score)
    if best is not None:
        _collect_rows(sheet, best)
    return best


def _collect_rows(sheet, table: Table) -> None:
    """Data rows: from under the header to the totals row, two blank rows or a signature line."""
    used = sorted(c.index for c in table.columns.values())
    # A totals label sits in a name column or in the columns left of the table (STT, merged A:B).
    label_cols = sorted(set(range(used[0] + 1)) | {
        c.index for k, c in table.columns.items() if table.form.fields_by_key[k].kind in (UNIT, TEXT)})
    r = table.header_rows[-1] + 1
    blanks = 0
    while r < len(sheet.rows):
        values = sheet.rows[r]
        cells = [values[c] if c < len(values) else None for c in used]
        if _is_blank_row(cells):
            blanks += 1
            if blanks >= 2:
                break
            r += 1
            continue
        blanks = 0
        if r == table.header_rows[-1] + 1 and _is_numbering_row(values):
            r += 1
            continue
        if any(is_totals_label(values[c]) for c in label_cols if c < len(values)):
            table.totals_row = r
            break
        if is_signature_row(values):
            break
        table.rows.append(r)
        r += 1
