"""Open a workbook file and return its worksheets as plain cell values.

Takes a path to an .xlsx, .xlsm or legacy .xls file (the format is decided from the file's first
bytes, never from its name) and returns one `Sheet` per worksheet, hidden ones included, chart,
dialog and macro sheets left out. Cells hold what Excel stored: str, int/float, bool, date,
datetime, time/timedelta, or None for an empty cell. A formula gives its cached value only;
nothing is evaluated and macros never run. Sheets are read one at a time; given `wanted`, a sheet
taller than `head_rows` is read in full only when `wanted(its first rows)` says a form can use it
(the caller's forms decide), else it keeps those rows only (`complete` False).

A file that cannot be read raises `ReadError` with a SPEC §3 code ('unreadable', 'encrypted',
'too_large', 'too_many_sheets') and a Vietnamese message naming the file; no other exception
leaves this module.

Defences, in the order they run. python-calamine allocates from what a file claims (a failed
allocation aborts the whole process, not just this file), so all but the last run before it
parses anything, on counts taken from the bytes (etl.ingest.scan, etl.ingest.scan_biff):
- the file size against `max_bytes`;
- .xlsx/.xlsm: the declared uncompressed sizes and then a streamed decompression of every member
  with a running cap (declared sizes can lie), counting as it goes each sheet part's cells from
  their references (any attribute order, any namespace prefix; a reference that cannot be read
  refuses the file), its merged ranges and its text (a shared string at every reference to it);
  two sheets naming one part refuse the file (calamine would read the part once per sheet);
- .xls: the compound file's directory (an `EncryptionInfo` stream is an encrypted .xlsx: Excel
  wraps password-protected .xlsx files in OLE2), then the workbook stream walked as calamine walks
  it: the sheet list, the shared strings, and each listed sheet's cell, DIMENSIONS, merged-cell
  and shared-string records from its own offset;
- the worksheets the workbook lists against `max_sheets` (settings.toml [limits]);
- the cells from A1 to each sheet's farthest value, summed over the sheets, against MAX_CELLS;
  then the merged ranges against MAX_MERGED and the cell text against MAX_TEXT;
- while reading, each sheet's area as calamine built it, summed again (exact, whatever the
  counts before missed), and only the sheets a form can use converted past their first rows.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import python_calamine as calamine

from etl import settings
from etl import vnformat as vn
from etl.problems import CODES, cell_ref
from etl.ingest.scan import Census, Expands, Unreadable, zip_census
from etl.ingest.scan_biff import Cfb, biff_census

# Cells from A1 to the farthest value of each sheet, summed over the sheets. calamine holds 32
# bytes per cell of a sheet while it is read (72 while it builds one full of values) and a sheet
# keeps 8 per cell: three million keeps the check of any file under 300 MB, and is three times a
# registry of 100,000 branches x 10 columns.
MAX_CELLS = 3_000_000
# Merged ranges in the whole workbook: reports merge title and header cells, a few dozen per sheet.
MAX_MERGED = 10_000
# Bytes of cell text calamine builds (the shared-string table, and a shared string again at each
# cell referring to it). A registry of 100,000 branches x 10 columns of text holds about 40 MB.
MAX_TEXT = 80 * 2**20

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty archive
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Sheet:
    name: str
    # rows[i][j] is Excel cell (row i+1, column j+1), anchored at A1 even when the used area starts
    # later; every row has the same length.
    rows: list[list[object]]
    # merged ranges as zero-based (first_row, first_col, last_row, last_col), clipped to `rows`
    # (a merge reaching past the last value holds no value out there).
    merged: tuple[tuple[int, int, int, int], ...]
    # False: `rows` are the sheet's first rows only (no form could use the sheet, see read_workbook)
    complete: bool = True


MAX_FILE_BYTES = 20 * 2**20  # SPEC §3 too_large: a larger file is not read


class ReadError(Exception):
    """A file that is not a readable workbook; `code` is a SPEC §3 code, `message` Vietnamese."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown problem code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message


# --- Vietnamese messages, kept together for review ------------------------------------------------

# Why a file is refused and what the commune should do, by reason; `{name}` is the file's name,
# the other fields are figures already written the Vietnamese way (_refused formats them).
MESSAGES = {
    "encrypted": "Tệp '{name}' có mật khẩu. Hãy mở tệp, gỡ mật khẩu, lưu lại rồi gửi lại.",
    "too_large": ("Tệp '{name}' nặng {size}, vượt giới hạn {limit}. Hãy xóa bớt hình ảnh, trang tính thừa "
                  "hoặc tách thành nhiều tệp rồi gửi lại."),
    "not_workbook": ("Tệp '{name}' không phải sổ tính Excel (.xlsx, .xlsm hoặc .xls); có thể là trang web, "
                     "CSV hoặc tệp khác bị đổi đuôi. Hãy mở tệp bằng Excel, chọn Lưu dưới dạng (Save As) "
                     "kiểu .xlsx rồi gửi lại."),
    "corrupt": ("Tệp '{name}' bị hỏng hoặc tải về chưa trọn vẹn nên không đọc được. Hãy mở tệp bằng "
                "Excel, lưu lại (hoặc lấy bản gốc từ người lập) rồi gửi lại."),
    "expands": ("Tệp '{name}' khi giải nén vượt quá giới hạn {limit} nên không đọc được. Hãy xóa "
                "bớt hình ảnh, trang tính thừa hoặc tách thành nhiều tệp rồi gửi lại."),
    "zero_bytes": "Tệp '{name}' trống (0 byte). Hãy gửi lại tệp có nội dung.",
    "empty": ("Tệp '{name}' không có trang tính nào chứa dữ liệu. Hãy kiểm tra đúng tệp báo cáo đã "
              "điền số liệu rồi gửi lại."),
    "far_cells": ("Tệp '{name}' có dữ liệu trải tới dòng {row}, cột {column}, quá xa bảng số liệu nên "
                  "không đọc được. Hãy xóa nội dung các ô thừa ở xa bảng (Ctrl+End để tìm) rồi gửi lại."),
    "too_many_sheets": ("Tệp '{name}' có {count} trang tính, vượt giới hạn {limit} trang tính của một tệp. "
                        "Hãy xóa các trang tính không dùng đến hoặc tách thành nhiều tệp rồi gửi lại."),
    "cells": ("Các trang tính của tệp '{name}' cộng lại trải trên {count} ô (từ ô A1 tới ô có dữ liệu xa "
              "nhất của mỗi trang), vượt giới hạn {limit} ô nên không đọc được. Hãy xóa các trang tính "
              "không dùng đến và nội dung các ô thừa ở xa bảng (Ctrl+End trên từng trang để tìm), hoặc "
              "tách thành nhiều tệp, rồi gửi lại."),
    "merged": ("Tệp '{name}' có {count} vùng ô gộp (Merge), vượt giới hạn {limit} nên không đọc được. "
               "Hãy bỏ gộp các ô không cần thiết (chọn vùng, bấm Merge & Center > Unmerge Cells) rồi "
               "gửi lại."),
    "text": ("Các ô của tệp '{name}' chứa khoảng {size} chữ, vượt giới hạn {limit} nên không đọc được. "
             "Hãy xóa các trang tính, cột ghi chú không cần thiết hoặc tách thành nhiều tệp rồi gửi lại."),
    "os": ("Không mở được tệp '{name}': tệp không tồn tại hoặc không có quyền đọc. Hãy kiểm tra lại "
           "đường dẫn và quyền truy cập tệp."),
}


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}".replace(".", ",") + " MB"


def _refused(code: str, reason: str, name: str, *, size: int | None = None, limit: int | None = None,
             count: int | None = None, row: int | None = None, column: int | None = None) -> ReadError:
    """The ReadError of SPEC §3 `code` for MESSAGES[reason]: sizes in MB (size; limit, unless
    `count` says the limit is a count too), counts and rows as numbers, `column` a zero-based index
    written as Excel's letters."""
    fields = {"name": name}
    if size is not None:
        fields["size"] = _mb(size)
    if limit is not None:
        fields["limit"] = vn.number(limit) if count is not None else _mb(limit)
    if count is not None:
        fields["count"] = vn.number(count)
    if row is not None:
        fields["row"] = row
    if column is not None:
        fields["column"] = cell_ref(0, column)[:-1]
    return ReadError(code, MESSAGES[reason].format(**fields))


# --- public entry point ---------------------------------------------------------------------------

def read_workbook(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES, max_uncompressed: int = 200 * 2**20,
                  max_sheets: int | None = None, head_rows: int = 0,
                  wanted: Callable[[Sheet], bool] | None = None, name: str | None = None) -> list[Sheet]:
    """Every worksheet of the workbook at `path` (see the module docstring); raises ReadError.
    `max_sheets` None: settings.toml's [limits] max_sheets. `name`: the file's name in messages
    (default: its own; the dashboard's the name it was uploaded under)."""
    path = Path(path)
    name = name or path.name
    if max_sheets is None:
        max_sheets = settings.for_this_process().limits_max_sheets
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _refused("too_large", "too_large", name, size=size, limit=max_bytes)
        with path.open("rb") as f:
            data = f.read(size + 1)  # not max_bytes: that would map 20 MB for any file
            if len(data) > size:  # it has grown since stat(): past the limit it is refused below
                data += f.read(max_bytes + 1 - len(data))
    except OSError as e:
        raise _refused("unreadable", "os", name) from e
    if len(data) > max_bytes:
        raise _refused("too_large", "too_large", name, size=len(data), limit=max_bytes)
    if not data:
        raise _refused("unreadable", "zero_bytes", name)

    if data.startswith(_ZIP_MAGICS):
        try:
            census = zip_census(data, max_uncompressed, max_cells=MAX_CELLS, max_text=MAX_TEXT)
        except Expands as e:
            raise _refused("unreadable", "expands", name, limit=max_uncompressed) from e
        except Unreadable as e:
            raise _refused("unreadable", "corrupt", name) from e
        suffixes, native = (".xlsx", ".xlsm"), ".xlsx"
        bad = "corrupt" if census.has_workbook else "not_workbook"
    elif data.startswith(_OLE_MAGIC):
        cfb = Cfb(data)
        streams = set(cfb.entries)
        if {"EncryptionInfo", "EncryptedPackage"} & streams:
            raise _refused("encrypted", "encrypted", name)
        suffixes, native = (".xls",), ".xls"
        # BIFF8 names its stream Workbook, BIFF5 Book; a directory without either is a .doc, .msg...
        # and a file whose directory cannot be reached is a damaged one.
        foreign = bool(streams) and not {"Workbook", "Book"} & streams
        bad = "not_workbook" if foreign else "corrupt"
        book = next((s for s in ("Workbook", "Book") if s in streams), None)
        if book is None or len(stream := cfb.stream(book)) < cfb.entries[book][2]:
            # no directory to be found, or a file that ends before its workbook stream does (cut
            # short): calamine's reader panicked on those, printing a Rust backtrace on the console
            raise _refused("unreadable", bad, name)
        try:
            census = biff_census(stream)
        except Unreadable as e:
            raise _refused("unreadable", "corrupt", name) from e
    else:
        raise _refused("unreadable", "not_workbook", name)
    _check_census(census, name, max_sheets)

    # calamine's from_path picks its reader from the extension (and its content sniffing hides
    # the .xls password error), so a file whose name lies is read through a copy named rightly.
    read = dict(name=name, bad=bad, max_sheets=max_sheets, head_rows=head_rows, wanted=wanted)
    if path.suffix.lower() in suffixes:
        return _read_calamine(path, **read)
    with tempfile.TemporaryDirectory(prefix="etl-read-") as tmp:
        alias = Path(tmp) / ("book" + native)
        try:
            alias.write_bytes(data)
        except OSError as e:
            raise _refused("unreadable", "os", name) from e
        return _read_calamine(alias, **read)


def _check_census(census: Census, name: str, max_sheets: int) -> None:
    """Refuse a workbook whose counts (etl.ingest.scan) exceed a limit, the sheet count first."""
    if census.worksheets > max_sheets:
        raise _refused("too_many_sheets", "too_many_sheets", name, count=census.worksheets, limit=max_sheets)
    rows, cols = census.largest
    if rows * cols > MAX_CELLS:  # one sheet alone: name how far it reaches
        raise _refused("unreadable", "far_cells", name, row=rows, column=cols - 1)
    if census.cells > MAX_CELLS:
        raise _refused("unreadable", "cells", name, count=census.cells, limit=MAX_CELLS)
    if census.merged > MAX_MERGED:
        raise _refused("unreadable", "merged", name, count=census.merged, limit=MAX_MERGED)
    if census.text > MAX_TEXT:
        raise _refused("unreadable", "text", name, size=census.text, limit=MAX_TEXT)


# --- cells ----------------------------------------------------------------------------------------

def _read_calamine(path: Path, *, name: str, bad: str, max_sheets: int, head_rows: int,
                   wanted: Callable[[Sheet], bool] | None) -> list[Sheet]:
    """`bad`: the MESSAGES reason given when calamine cannot parse the file."""
    sheets: list[Sheet] = []
    cells = 0
    strings: dict[str, str] = {}  # one object per distinct text (a shared string may fill every cell)
    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as book:
            names = [meta.name for meta in book.sheets_metadata
                     if meta.typ == calamine.SheetTypeEnum.WorkSheet]  # no chart/dialog/macro
            if len(names) > max_sheets:
                raise _refused("too_many_sheets", "too_many_sheets", name, count=len(names), limit=max_sheets)
            for sheet_name in names:
                sheet = book.get_sheet_by_name(sheet_name)
                if sheet.end is not None:
                    cells += (sheet.end[0] + 1) * (sheet.end[1] + 1)
                    if cells > MAX_CELLS:
                        raise _refused("unreadable", "cells", name, count=cells, limit=MAX_CELLS)
                sheets.append(_to_sheet(sheet, strings, head_rows if wanted else 0, wanted))
                del sheet  # calamine's copy of the cells goes before the next sheet is built
    except calamine.PasswordError as e:  # an .xls with a FILEPASS record
        raise _refused("encrypted", "encrypted", name) from e
    except (calamine.CalamineError, OSError, ValueError, OverflowError, UnicodeError) as e:
        raise _refused("unreadable", bad, name) from e
    except BaseException as e:
        # calamine panics on some damaged files (a truncated .xls: "slice index starts at 8192
        # but ends at 7684" in its OLE2 reader); pyo3 raises that as PanicException, which derives
        # from BaseException and is defined by each extension for itself, so it goes by its name.
        if type(e).__name__ != "PanicException":
            raise
        raise _refused("unreadable", bad, name) from e
    # a sheet cut to its first rows has a value further down (calamine's extent reaches there)
    if all(s.complete for s in sheets) and not any(v is not None for s in sheets for row in s.rows for v in row):
        raise _refused("unreadable", "empty", name)
    return sheets


def _to_sheet(sheet: calamine.CalamineSheet, strings: dict[str, str], head_rows: int,
              wanted: Callable[[Sheet], bool] | None) -> Sheet:
    """The sheet anchored at A1; with `head_rows`, only those rows unless `wanted` takes them."""
    if sheet.end is None:  # no value at all
        return Sheet(sheet.name, [], ())
    height, width = sheet.end[0] + 1, sheet.end[1] + 1
    ranges = sheet.merged_cell_ranges or ()
    if head_rows and height > head_rows:
        # skip_empty_area=False anchors the grid at A1; calamine writes '' for an empty cell.
        head = Sheet(sheet.name, [_cells(row, strings) for row in sheet.to_python(skip_empty_area=False, nrows=head_rows)],
                     _clip(ranges, head_rows, width), complete=False)
        if not wanted(head):
            return head
    # iter_rows gives one row at a time, from row 1 but from the sheet's first used column
    lines = islice(sheet.iter_rows(), height)
    if pad := [None] * sheet.start[1]:
        rows = [pad + _cells(row, strings) for row in lines]
    else:
        rows = [_cells(row, strings) for row in lines]
    return Sheet(sheet.name, rows, _clip(ranges, height, width))


def _cells(row: list, strings: dict[str, str]) -> list:
    return [None if v == "" else strings.setdefault(v, v) if type(v) is str else v for v in row]


def _clip(ranges, height: int, width: int) -> tuple[tuple[int, int, int, int], ...]:
    return tuple((r1, c1, min(r2, height - 1), min(c2, width - 1))
                 for (r1, c1), (r2, c2) in ranges if r1 < height and c1 < width)
