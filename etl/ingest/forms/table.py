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
from etl.ingest.forms.spec import TEXT, UNIT, Form

HEADER_SEARCH_ROWS = 20
# Compared with their diacritics: "Cộng" is a total, "Công an xã" is a branch.
TOTALS_WORDS = ("cộng", "tổng cộng", "tổng số", "tổng", "cộng chung", "toàn đảng bộ", "tổng cộng toàn đảng bộ")
_TOTALS_PLAIN = {text.unaccented(w) for w in TOTALS_WORDS}
SIGNATURE_PREFIXES = ("t/m", "tm.", "bi thu", "pho bi thu", "nguoi lap", "noi nhan", "xac nhan",
                      "k/t", "kt.", "ky ten")
_NUMBERING = re.compile(r"^\(?\s*[0-9]{1,2}\s*\)?$|^\(?[a-zA-Z]\)?$|^\(\s*\d+\s*\)\s*=.*$")
_PLACE_DATE = re.compile(r",\s*ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s*,?\s*nam\s+\d{4}")


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


@lru_cache(maxsize=None)
def _index(forms: tuple[Form, ...]):
    """All forms' aliases: exact key -> [(form, field)], and first word -> [(alias, form, field)]
    longest alias first (the prefix fallback: "Tổng số đảng viên của chi bộ" -> "Tổng số đảng viên")."""
    exact: dict[str, list] = {}
    by_word: dict[str, list] = {}
    for form in forms:
        for alias, key in _alias_keys(form).items():
            exact.setdefault(alias, []).append((form, key))
            if len(alias) >= 6:
                by_word.setdefault(alias.split(" ", 1)[0], []).append((alias, form, key))
    for entries in by_word.values():
        entries.sort(key=lambda e: -len(e[0]))
    return exact, by_word


@lru_cache(maxsize=1 << 17)
def _hits(forms: tuple[Form, ...], candidates: tuple[str, ...]) -> tuple[tuple[Form, str, int], ...]:
    """Every (form, field, quality) a header cell can name (2 exact, 1 prefix). For each form the
    first candidate text with an exact match wins, else the longest alias that prefixes one.
    Memoised: the same header texts recur in every report."""
    exact, by_word = _index(forms)
    keys = [k for k in (text.header_key(c) for c in candidates if c) if k]
    out: dict[Form, tuple[str, int]] = {}
    for k in keys:
        for form, key in exact.get(k, ()):
            out.setdefault(form, (key, 2))
    for k in keys:
        for alias, form, key in by_word.get(k.split(" ", 1)[0], ()):
            if form not in out and k.startswith(alias + " "):
                out[form] = (key, 1)
    return tuple((form, key, q) for form, (key, q) in out.items())


class _Merges:
    """The merged ranges touching the header search rows, by row, each lookup in time linear in
    the row's merges and the sheet's width (a workbook may hold thousands of merges)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.width = max(map(len, sheet.rows[:HEADER_SEARCH_ROWS + 1]), default=0)
        self.rows: dict[int, list[tuple[int, int, int, int]]] = {}
        for m in sheet.merged:
            r0, c0, r1, c1 = m
            for r in range(r0, min(r1, HEADER_SEARCH_ROWS) + 1):
                self.rows.setdefault(r, []).append(m)
        self.vertical: dict[int, list[bool]] = {}

    def covering(self, row: int) -> list[tuple[int, int, int, int]]:
        return self.rows.get(row, [])

    def _spans(self, ranges) -> list[bool]:
        """Columns covered by any of the (first, last) column ranges."""
        edge = [0] * (self.width + 1)
        for c0, c1 in ranges:
            if c0 < self.width:
                edge[c0] += 1
                edge[min(c1 + 1, self.width)] -= 1
        out, depth = [], 0
        for e in edge[:-1]:
            depth += e
            out.append(depth > 0)
        return out

    def covered(self, row: int) -> list[bool]:
        return self._spans((c0, c1) for _, c0, _, c1 in self.covering(row))

    def vertically_merged(self, row: int, col: int) -> bool:
        if row not in self.vertical:
            self.vertical[row] = self._spans((c0, c1) for r0, c0, r1, c1 in self.covering(row) if r0 == row and r1 > row)
        return col < self.width and self.vertical[row][col]

    def spread(self, row: int, values: list[str]) -> None:
        """Each column covered by a merge wider than one column takes the merge's label; the
        last merge listed wins, as when each wrote over the ones before it."""
        free = list(range(len(values) + 1))  # free[c]: the first column from c not written yet

        def first_free(c: int) -> int:
            while free[c] != c:
                free[c] = free[free[c]]
                c = free[c]
            return c

        for r0, c0, r1, c1 in reversed(self.covering(row)):
            if c1 > c0 and c0 < len(values):
                label = _cell_text(self.sheet.rows[r0][c0])
                c = first_free(c0)
                while c <= min(c1, len(values) - 1):
                    values[c] = label
                    free[c] = c + 1
                    c = first_free(c + 1)


def _group_texts(merges: _Merges, row: int, texts) -> list[str]:
    """Texts of a header row with merged group cells spread over every column they cover."""
    values = list(texts(row))
    merges.spread(row, values)
    return values


def _is_title_row(merges: _Merges, row: int, top: list[str], sub: list[str]) -> bool:
    """A title line directly above a one-row header, not the group row of a two-row header:
    a lone text cell (not a merge narrower than the table), or a merge spanning the whole table."""
    used = [c for c, (t, s) in enumerate(zip(top, sub)) if t or s]
    if not used:
        return False
    lo, hi = used[0], used[-1]
    wide = [(c0, c1) for _, c0, _, c1 in merges.covering(row) if c1 > c0]
    if any(c0 <= lo and c1 >= hi for c0, c1 in wide):
        return True
    filled = [c for c, t in enumerate(top) if t]
    return len(filled) == 1 and not any(c0 == filled[0] for c0, _ in wide)


def _carry_group_labels(merges: _Merges, row: int, top: list[str], sub: list[str]) -> None:
    """A group label without a merge record (Center Across Selection, some .xls writers) sits in
    its first column only: each blank top cell not covered by a merge, with a sub-header below
    it, carries the last such label on its left."""
    covered = merges.covered(row)
    last = ""
    for c, t in enumerate(top):
        if c < len(covered) and covered[c]:
            last = ""  # a merged cell's label covers its own columns only
        elif t:
            last = t if sub[c] else ""
        elif sub[c] and last:
            top[c] = last


def _headers(merges: _Merges, row: int, two_rows: bool, texts) -> list[tuple[int, str, tuple[str, ...]]]:
    """(column, header as written, candidate texts) for each non-empty header cell of a placement;
    `texts(row)` gives a row's cell texts. A title row above the header is no group row: the
    two-row placement under it has no headers."""
    top = _group_texts(merges, row, texts)
    sub = texts(row + 1) if two_rows else [""] * len(top)
    if two_rows:
        if _is_title_row(merges, row, texts(row), sub):
            return []
        _carry_group_labels(merges, row, top, sub)
    out = []
    for c, t in enumerate(top):
        s = sub[c]
        if not t and not s:
            continue
        if two_rows and s and not merges.vertically_merged(row, c):
            out.append((c, f"{t} / {s}" if t and t != s else s, (f"{t} {s}", s) if t else (s,)))
        else:
            out.append((c, t, (t,)))
    return out


def _placements(headers, forms: tuple[Form, ...]) -> dict[Form, tuple[dict[str, Column], int]]:
    """For one header placement: each form's columns (field -> Column) and match score."""
    found: dict[Form, dict[str, tuple[Column, int]]] = {}
    for c, header, candidates in headers:
        for form, key, quality in _hits(forms, candidates):
            mine = found.setdefault(form, {})
            if key not in mine or quality > mine[key][1]:
                mine[key] = (Column(c, header), quality)
    return {form: ({k: col for k, (col, _) in m.items()}, sum(q for _, q in m.values()))
            for form, m in found.items()}


def _is_blank_row(values) -> bool:
    return all(text.is_blank(v) for v in values)


def _is_numbering_row(values) -> bool:
    cells = [_cell_text(v) for v in values if not text.is_blank(v)]
    return len(cells) >= 2 and all(_NUMBERING.match(c) for c in cells)


def is_totals_label(value) -> bool:
    return isinstance(value, str) and _is_totals_text(value)


@lru_cache(maxsize=1 << 16)
def _is_totals_text(value: str) -> bool:
    k = " ".join(re.sub(r"[^\w/]", " ", text.key(value)).split())
    if k in TOTALS_WORDS or (k.startswith(("tổng cộng ", "cộng ")) and len(k) < 30):
        return True
    # typed entirely without diacritics: only the exact words ("Cong", "Tong cong")
    return k == text.unaccented(k) and k in _TOTALS_PLAIN


def is_signature_row(values) -> bool:
    """A signature-block line: at most two filled cells, one starting like "T/M", "BÍ THƯ",
    "Người lập", "Nơi nhận" or a place-and-date line. (A data row mentioning "Bí thư" in its
    notes has more cells filled.)"""
    filled = []
    for v in values:  # a data row is rejected at its third filled cell, without reading the rest
        if not text.is_blank(v):
            if len(filled) == 2:
                return False
            filled.append(v)
    for v in filled:
        if isinstance(v, str):
            t = text.unaccented(v)
            if t.startswith(SIGNATURE_PREFIXES) or _PLACE_DATE.search(t):
                return True
    return False


def find_tables(sheet, forms) -> list[Table]:
    """The best placement of each form in `sheet` (forms whose anchor columns are absent are left out).
    Each row's header texts are derived once and matched against every form."""
    forms = tuple(forms)
    best: dict[str, Table] = {}
    known: dict[int, list[str]] = {}

    def texts(row: int) -> list[str]:  # each row is read as a top and as a second header row
        if row not in known:
            known[row] = [_cell_text(v) for v in sheet.rows[row]]
        return known[row]

    merges = _Merges(sheet)
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        if best and row > min(t.header_rows[0] for t in best.values()) + 2:
            break  # past a found header and its possible second row: the rest is data
        if _is_blank_row(sheet.rows[row]):
            continue
        for two_rows in (False, True) if row + 1 < len(sheet.rows) else (False,):
            headers = _headers(merges, row, two_rows, texts)
            for form, (columns, score) in _placements(headers, forms).items():
                if not all(a in columns for a in form.anchors):
                    continue
                # one header row wins a tie with two (a title above it adds nothing)
                current = best.get(form.key)
                if current is None or score > current.score or (
                        score == current.score and not two_rows and len(current.header_rows) == 2):
                    header_rows = (row, row + 1) if two_rows else (row,)
                    best[form.key] = Table(form, sheet.name, header_rows, columns, [], None, score)
    for table in best.values():
        _collect_rows(sheet, table)
    return list(best.values())


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
