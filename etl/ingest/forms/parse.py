"""Typed values from a located table: each data row becomes a Record; each bad cell a Problem.

Takes a `read.Sheet` and a `table.Table`; returns records (field key -> Python value) and the
field-level problems (required_missing, bad_type, bad_value, negative). Cross-field and
cross-row checks (over_total, duplicates, units) belong to the report modules.
"""
from __future__ import annotations

from dataclasses import dataclass

from etl import text
from etl.ingest.forms.spec import BOOL, CHOICE, DATE, INT, TEXT, UNIT, Field, labels
from etl.ingest.forms.table import Table
from etl.problems import Problem, at


@dataclass
class Record:
    row: int  # zero-based sheet row
    values: dict  # field key -> typed value (None when blank and without default)
    filled: set  # field keys whose cell was not blank


def choice_labels(field: Field) -> list[str]:
    """One display label per code, in the order the spec lists them (first spelling wins)."""
    return labels(field.choices or {})


HINTS = {
    DATE: "một ngày theo dạng ngày/tháng/năm, ví dụ 03/04/2024",
    INT: "một số nguyên, ví dụ 25",
    BOOL: "'Có' (hoặc x) hoặc 'Không' (hoặc để trống)",
    TEXT: "nội dung",
    UNIT: "tên đơn vị",
}


def hint(field: Field) -> str:
    if field.kind == CHOICE:
        return "một trong các giá trị: " + ", ".join(f"'{c}'" for c in choice_labels(field))
    return HINTS[field.kind]


def show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s if len(s) <= 60 else s[:57] + "…"


class Cells:
    """Problem factory for one table: turns (row, field key) into sheet, cell and column header."""

    def __init__(self, table: Table):
        self.table = table

    def problem(self, code: str, message: str, row: int, key: str | None, value=None) -> Problem:
        col = self.table.columns.get(key) if key else None
        return at(code, message, sheet=self.table.sheet, row0=row,
                  col0=col.index if col else None, column=col.header if col else None, value=value)


_converted: dict = {}


def convert(field: Field, raw) -> tuple[object, str | None]:
    """(typed value, problem code or None) for one non-blank cell. Memoised per field and value:
    reports repeat the same few values ("x", "Có", "Tốt", 25.0) thousands of times."""
    key = (id(field), type(raw), raw)  # the type keeps 1, 1.0 and True apart
    hit = _converted.get(key)
    if hit is None:
        if len(_converted) > 1 << 18:
            _converted.clear()
        hit = _converted[key] = _convert(field, raw)
    return hit


def _convert(field: Field, raw) -> tuple[object, str | None]:
    if field.kind == INT:
        n = text.parse_int(raw)
        # The warehouse keeps counts as INTEGER (32 bits): a larger one would fail the write.
        if n is None or not -2**31 <= n < 2**31:
            return None, "bad_type"
        return n, ("negative" if n < 0 else None)
    if field.kind == DATE:
        d = text.parse_date(raw)
        return d, (None if d is not None else "bad_type")
    if field.kind == BOOL:
        b = text.parse_yes_no(raw)
        return b, (None if b is not None else "bad_type")
    if field.kind == CHOICE:
        c = text.parse_choice(raw, field.choices)
        return c, (None if c is not None else "bad_value")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return text.clean(str(raw)), None


def message(code: str, field: Field, raw) -> str:
    col = f"cột '{field.header}'"
    if code == "negative":
        return f"Số âm ({show(raw)}) ở {col}. Hãy ghi số từ 0 trở lên."
    if code == "bad_value":
        labels = choice_labels(field)
        guess = text.closest(str(raw), labels)
        tail = f" Có phải '{guess}'?" if guess else ""
        return f"Giá trị '{show(raw)}' không có trong danh sách của {col}.{tail} Hãy ghi {hint(field)}."
    return f"Giá trị '{show(raw)}' ở {col} không hợp lệ. Hãy ghi {hint(field)}."


def parse_rows(sheet, table: Table) -> tuple[list[Record], list[Problem]]:
    cells = Cells(table)
    fields = [table.form.fields_by_key[k] for k in table.columns]
    records: list[Record] = []
    problems: list[Problem] = []
    for r in table.rows:
        values = sheet.rows[r]
        rec = Record(r, {f.key: f.default for f in table.form.fields}, set())
        for f in fields:
            c = table.columns[f.key].index
            raw = values[c] if c < len(values) else None
            if text.is_blank(raw):
                continue
            rec.filled.add(f.key)
            value, code = convert(f, raw)
            if code:
                problems.append(cells.problem(code, message(code, f, raw), r, f.key, raw))
            else:
                rec.values[f.key] = value
        held = rec.values.get("held")
        for f in fields:  # columns present in the sheet; absent ones keep their default
            if f.key in rec.filled:
                continue
            if f.kind == BOOL:
                rec.values[f.key] = False  # a blank yes/no cell means "no", also in required columns
            elif f.required or (f.when_held and held):
                problems.append(cells.problem(
                    "required_missing", f"Thiếu '{f.header}'. Hãy ghi {hint(f)}.", r, f.key))
        records.append(rec)
    return records, problems


def missing_columns(table: Table) -> list[Problem]:
    """Required (and when-held) columns absent from the header: one problem per column."""
    out = []
    for f in table.form.fields:
        if (f.required or f.when_held) and f.key not in table.columns:
            out.append(at("required_missing",
                          f"Biểu '{table.form.title}' thiếu cột '{f.header}'. Hãy thêm cột này vào dòng tiêu đề.",
                          sheet=table.sheet, row0=table.header_rows[0], col0=None, column=f.header))
    return out
