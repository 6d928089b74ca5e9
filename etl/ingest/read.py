"""Open a workbook file and return its worksheets as plain cell values.

Takes a path to an .xlsx, .xlsm or legacy .xls file (the format is decided from the file's first
bytes, never from its name) and returns one `Sheet` per worksheet, hidden ones included, chart,
dialog and macro sheets left out. Cells hold what Excel stored: str, int/float, bool, date,
datetime, time/timedelta, or None for an empty cell. A formula gives its cached value only;
nothing is evaluated and macros never run.

A file that cannot be read raises `ReadError` with a SPEC §3 code ('unreadable', 'encrypted',
'too_large') and a Vietnamese message naming the file; no other exception leaves this module.

Defences, in the order they run (all before python-calamine parses anything):
- the file size against `max_bytes`;
- for zip-based files, the declared uncompressed sizes and then a streamed decompression of every
  member with a running cap (declared sizes can lie), plus a scan of the cell references so that
  one stray value in cell XFD1048576 is refused here instead of making calamine allocate
  billions of cells (which aborts the whole process, not just this file);
- for OLE2 files, the compound file's directory: an `EncryptionInfo` stream is an encrypted
  .xlsx (Excel wraps password-protected .xlsx files in OLE2); and the workbook stream's cell
  and DIMENSIONS records, against the same cell limit (calamine allocates from them first).
"""
from __future__ import annotations

import copy
import io
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from etl.problems import CODES, cell_ref

# A1-anchored cells one sheet may hold (rows x columns up to its last value). Ten million is far
# beyond any report (a registry of 100,000 rows x 100 columns) and keeps memory under ~1 GB.
MAX_CELLS = 10_000_000
# Real workbooks have tens of parts, hundreds with many images; a zip of 400,000 tiny members
# would take seconds just to walk.
MAX_ZIP_MEMBERS = 10_000

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty archive
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
# A cell with a value in sheet XML: <c r="B7" t="s"> (possibly namespaced: <x:c r=...>). Empty
# styled cells are self-closing (<c r="Z9" s="3"/>); calamine ignores them, so do we.
_CELL_REF = re.compile(rb'<(?:[A-Za-z]\w*:)?c\s+r="([A-Z]{1,3})([0-9]{1,7})"[^>/]*>')
_REF_OVERLAP = 256  # bytes kept between chunks so a tag cut in two is still seen


@dataclass(frozen=True)
class Sheet:
    name: str
    # rows[i][j] is Excel cell (row i+1, column j+1), anchored at A1 even when the used area starts
    # later; every row has the same length.
    rows: list[list[object]]
    # merged ranges as zero-based (first_row, first_col, last_row, last_col), clipped to `rows`
    # (a merge reaching past the last value holds no value out there).
    merged: tuple[tuple[int, int, int, int], ...]


class ReadError(Exception):
    """A file that is not a readable workbook; `code` is a SPEC §3 code, `message` Vietnamese."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown problem code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message


# --- Vietnamese messages, kept together for review ------------------------------------------------

def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}".replace(".", ",") + " MB"


def _msg_not_workbook(name: str) -> str:
    return (f"Tệp '{name}' không phải sổ tính Excel (.xlsx, .xlsm hoặc .xls); có thể là trang web, "
            "CSV hoặc tệp khác bị đổi đuôi. Hãy mở tệp bằng Excel, chọn Lưu dưới dạng (Save As) "
            "kiểu .xlsx rồi gửi lại.")


def _msg_corrupt(name: str) -> str:
    return (f"Tệp '{name}' bị hỏng hoặc tải về chưa trọn vẹn nên không đọc được. Hãy mở tệp bằng "
            "Excel, lưu lại (hoặc lấy bản gốc từ người lập) rồi gửi lại.")


def _msg_expands(name: str, limit: int) -> str:
    return (f"Tệp '{name}' khi giải nén vượt quá giới hạn {_mb(limit)} nên không đọc được. Hãy xóa "
            "bớt hình ảnh, trang tính thừa hoặc tách thành nhiều tệp rồi gửi lại.")


def _msg_empty(name: str) -> str:
    return (f"Tệp '{name}' không có trang tính nào chứa dữ liệu. Hãy kiểm tra đúng tệp báo cáo đã "
            "điền số liệu rồi gửi lại.")


def _msg_far_cells(name: str, last_row: int, last_col: int) -> str:
    col = cell_ref(0, last_col - 1)[:-1]
    return (f"Tệp '{name}' có dữ liệu trải tới dòng {last_row}, cột {col}, quá xa bảng số liệu nên "
            "không đọc được. Hãy xóa nội dung các ô thừa ở xa bảng (Ctrl+End để tìm) rồi gửi lại.")


def _msg_os(name: str) -> str:
    return (f"Không mở được tệp '{name}': tệp không tồn tại hoặc không có quyền đọc. Hãy kiểm tra "
            "lại đường dẫn và quyền truy cập tệp.")


def _msg_encrypted(name: str) -> str:
    return f"Tệp '{name}' có mật khẩu. Hãy mở tệp, gỡ mật khẩu, lưu lại rồi gửi lại."


def _msg_too_large(name: str, size: int, limit: int) -> str:
    return (f"Tệp '{name}' nặng {_mb(size)}, vượt giới hạn {_mb(limit)}. Hãy xóa bớt hình ảnh, "
            "trang tính thừa hoặc tách thành nhiều tệp rồi gửi lại.")


# --- public entry point ---------------------------------------------------------------------------

def read_workbook(path: str | Path, *, max_bytes: int = 20 * 2**20,
                  max_uncompressed: int = 200 * 2**20) -> list[Sheet]:
    """Every worksheet of the workbook at `path` (see the module docstring); raises ReadError."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError("too_large", _msg_too_large(name, size, max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as e:
        raise ReadError("unreadable", _msg_os(name)) from e
    if len(data) > max_bytes:
        raise ReadError("too_large", _msg_too_large(name, len(data), max_bytes))
    if not data:
        raise ReadError("unreadable", f"Tệp '{name}' trống (0 byte). Hãy gửi lại tệp có nội dung.")

    if data.startswith(_ZIP_MAGICS):
        last_row, last_col, has_workbook = _check_zip(data, name, max_uncompressed)
        if last_row * last_col > MAX_CELLS:
            raise ReadError("unreadable", _msg_far_cells(name, last_row, last_col))
        suffixes, native = (".xlsx", ".xlsm"), ".xlsx"
        bad = _msg_corrupt(name) if has_workbook else _msg_not_workbook(name)
    elif data.startswith(_OLE_MAGIC):
        cfb = _Cfb(data)
        streams = set(cfb.entries)
        if {"EncryptionInfo", "EncryptedPackage"} & streams:
            raise ReadError("encrypted", _msg_encrypted(name))
        suffixes, native = (".xls",), ".xls"
        # BIFF8 names its stream Workbook, BIFF5 Book; a directory without either is a .doc, .msg...
        # and a file whose directory cannot be reached is a damaged one.
        foreign = bool(streams) and not {"Workbook", "Book"} & streams
        bad = _msg_not_workbook(name) if foreign else _msg_corrupt(name)
        book = next((s for s in ("Workbook", "Book") if s in streams), None)
        if book is None or len(stream := cfb.stream(book)) < cfb.entries[book][2]:
            # no directory to be found, or a file that ends before its workbook stream does (cut
            # short): calamine's reader panicked on those, printing a Rust backtrace on the console
            raise ReadError("unreadable", bad)
        extent = _biff_extent(stream)
        if extent is None:
            raise ReadError("unreadable", _msg_corrupt(name))
        if extent[0] * extent[1] > MAX_CELLS:
            raise ReadError("unreadable", _msg_far_cells(name, *extent))
    else:
        raise ReadError("unreadable", _msg_not_workbook(name))

    # calamine's from_path picks its reader from the extension (and its content sniffing hides
    # the .xls password error), so a file whose name lies is read through a copy named rightly.
    if path.suffix.lower() in suffixes:
        return _read_calamine(path, name, bad)
    with tempfile.TemporaryDirectory(prefix="etl-read-") as tmp:
        alias = Path(tmp) / ("book" + native)
        try:
            alias.write_bytes(data)
        except OSError as e:
            raise ReadError("unreadable", _msg_os(name)) from e
        return _read_calamine(alias, name, bad)


# --- zip-based workbooks (.xlsx, .xlsm) -----------------------------------------------------------

def _col_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters  # 'Z' < 'AA'


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_zip(data: bytes, name: str, max_uncompressed: int) -> tuple[int, int, bool]:
    """Refuse a corrupt zip or one that expands past `max_uncompressed` bytes.

    Returns (last row, last column) holding a value in any XML part, both 1-based, and whether
    the archive has the workbook part calamine looks for (xl/workbook.xml)."""
    total = last_row = last_col = 0
    far_letters = b"A"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ReadError("unreadable", _msg_corrupt(name))
            if sum(i.file_size for i in infos) > max_uncompressed:
                raise ReadError("unreadable", _msg_expands(name, max_uncompressed))
            has_workbook = any(i.filename.lower() == "xl/workbook.xml" for i in infos)
            for info in infos:
                if info.is_dir():
                    continue
                # zipfile silently stops at the declared size, calamine's unzip does not: lift the
                # declared size so a forged small one cannot hide a bomb (the CRC is still checked).
                probe = copy.copy(info)
                probe.file_size = max_uncompressed + 1
                scan = info.filename.lower().endswith(".xml")
                tail = b""
                with zf.open(probe) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_uncompressed:
                            raise ReadError("unreadable", _msg_expands(name, max_uncompressed))
                        if scan:
                            buf = tail + chunk
                            refs = _CELL_REF.findall(buf)
                            if refs:
                                # thousands of refs, a few dozen distinct rows and columns
                                letters, numbers = map(set, zip(*refs))
                                far_letters = max(far_letters, *letters, key=_col_key)
                                last_row = max(last_row, *map(int, numbers))
                            tail = buf[-_REF_OVERLAP:]
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            RuntimeError, NotImplementedError, ValueError) as e:
        # RuntimeError: a zip-level password; NotImplementedError: a compression Excel never uses.
        raise ReadError("unreadable", _msg_corrupt(name)) from e
    if last_row:
        last_col = _col_number(far_letters)
    return last_row, last_col, has_workbook


# --- OLE2 compound files (.xls, and encrypted .xlsx) ----------------------------------------------

_FREE_OR_END = 0xFFFFFFFA  # sector numbers at or above this are markers, not sectors


class _Cfb:
    """The directory and streams of an OLE2 compound file ([MS-CFB] §2.2-2.6), read leniently:
    what is malformed is left out (calamine then reports the file), and every chain walk stops
    after as many hops as the file has sectors, so a cycle ends. Reading the directory costs
    microseconds; a stream is only read when asked for."""

    def __init__(self, data: bytes):
        self.data = data
        self.entries: dict[str, tuple[int, int, int]] = {}  # name -> (kind, first sector, size)
        self.root: tuple[int, int] | None = None  # the mini stream: (first sector, size)
        if len(data) < 512:
            return
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            return
        self.ssize = ssize = 1 << shift
        self.n_sectors = len(data) // ssize
        self.per_fat = ssize // 4
        first_dir, = struct.unpack_from("<I", data, 48)
        self.cutoff, self.first_minifat = struct.unpack_from("<II", data, 56)
        first_difat, n_difat = struct.unpack_from("<II", data, 68)
        self.fat_sectors = list(struct.unpack_from("<109I", data, 76))
        sec, hops = first_difat, 0
        while sec < _FREE_OR_END and hops < min(n_difat, self.n_sectors):
            off = (sec + 1) * ssize
            if off + ssize > len(data):
                break
            links = struct.unpack_from(f"<{self.per_fat}I", data, off)
            self.fat_sectors.extend(links[:-1])
            sec, hops = links[-1], hops + 1
        for sec in self._chain(first_dir):
            off = (sec + 1) * ssize
            for entry in range(off, off + ssize, 128):
                name_len = struct.unpack_from("<H", data, entry + 64)[0]
                kind = data[entry + 66]
                if kind in (1, 2, 5) and 2 <= name_len <= 64:  # storage, stream, root
                    name = data[entry:entry + name_len - 2].decode("utf-16-le", "replace")
                    first, size = struct.unpack_from("<II", data, entry + 116)  # size: low 32 bits
                    self.entries.setdefault(name, (kind, first, size))
                    if kind == 5:
                        self.root = (first, size)

    def _next(self, s: int) -> int:
        idx, pos = divmod(s, self.per_fat)
        if idx >= len(self.fat_sectors) or self.fat_sectors[idx] >= _FREE_OR_END:
            return _FREE_OR_END
        off = (self.fat_sectors[idx] + 1) * self.ssize + pos * 4
        return struct.unpack_from("<I", self.data, off)[0] if off + 4 <= len(self.data) else _FREE_OR_END

    def _chain(self, sec: int) -> list[int]:
        out: list[int] = []
        while sec < _FREE_OR_END and len(out) <= self.n_sectors and (sec + 2) * self.ssize <= len(self.data):
            out.append(sec)
            sec = self._next(sec)
        return out

    def _read(self, first: int, size: int) -> bytes:
        return b"".join(self.data[(s + 1) * self.ssize:(s + 2) * self.ssize] for s in self._chain(first))[:size]

    def stream(self, name: str) -> bytes:
        """A stream's bytes (short streams live in the root's mini stream, in 64-byte sectors)."""
        kind, first, size = self.entries[name]
        if size >= self.cutoff or self.root is None:
            return self._read(first, size)
        mini = self._read(*self.root)
        minifat = self._read(self.first_minifat, 1 << 31)
        links = struct.unpack(f"<{len(minifat) // 4}I", minifat[:len(minifat) // 4 * 4])
        out, sec = [], first
        while sec < min(len(links), len(mini) // 64) and len(out) <= len(links):
            out.append(mini[sec * 64:(sec + 1) * 64])
            sec = links[sec]
        return b"".join(out)[:size]


# BIFF records naming a cell: (row, column) are their first two 16-bit fields. MULRK and
# MULBLANK cover columns up to the one in their last two bytes.
_BIFF_CELLS = {0x0006, 0x0406, 0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
_BIFF_MULTI = {0x00BD, 0x00BE}
_BIFF_BOF, _BIFF_DIMENSIONS = 0x0809, 0x0200


def _biff_extent(stream: bytes) -> tuple[int, int] | None:
    """The largest (rows, columns) from A1 that one sheet of a BIFF workbook stream claims,
    from its cell records and its DIMENSIONS record; None for a DIMENSIONS whose first row is
    after its last. calamine sizes its cell storage from these before reading a value: one
    flipped byte asked it for 59 GB, and a failed allocation aborts the whole process."""
    worst, rows, cols = (0, 0), 0, 0
    pos, end = 0, len(stream)
    head = struct.Struct("<HHHH").unpack_from  # type, size, and a cell's row and column
    while pos + 8 <= end:  # thousands of records per sheet: this loop is kept lean
        typ, size, r, c = head(stream, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            break
        if typ in _BIFF_CELLS and size >= 4:
            if typ in _BIFF_MULTI and size >= 6:
                c = max(c, struct.unpack_from("<H", stream, pos - 2)[0])
            if r >= rows or c >= cols:
                rows, cols = max(rows, r + 1), max(cols, c + 1)
                if rows * cols > worst[0] * worst[1]:
                    worst = (rows, cols)
        elif typ == _BIFF_BOF:
            rows = cols = 0
        elif typ == _BIFF_DIMENSIONS and size >= 10:
            r1, r2, c1, c2 = struct.unpack_from("<IIHH" if size >= 14 else "<HHHH", stream, body)
            if r1 > r2 or c1 > c2:  # calamine's row count would wrap around to billions
                return None
            rows, cols = max(rows, r2), max(cols, c2)
            if rows * cols > worst[0] * worst[1]:
                worst = (rows, cols)
    return worst


# --- cells ----------------------------------------------------------------------------------------

def _read_calamine(path: Path, name: str, bad_message: str) -> list[Sheet]:
    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as book:
            sheets = [_to_sheet(book.get_sheet_by_name(meta.name), name)
                      for meta in book.sheets_metadata
                      if meta.typ == calamine.SheetTypeEnum.WorkSheet]  # no chart/dialog/macro
    except calamine.PasswordError as e:  # an .xls with a FILEPASS record
        raise ReadError("encrypted", _msg_encrypted(name)) from e
    except (calamine.CalamineError, OSError, ValueError, OverflowError, UnicodeError) as e:
        raise ReadError("unreadable", bad_message) from e
    except BaseException as e:
        # calamine panics on some damaged files (a truncated .xls: "slice index starts at 8192
        # but ends at 7684" in its OLE2 reader); pyo3 raises that as PanicException, which derives
        # from BaseException and is defined by each extension for itself, so it goes by its name.
        if type(e).__name__ != "PanicException":
            raise
        raise ReadError("unreadable", bad_message) from e
    if not any(v is not None for s in sheets for row in s.rows for v in row):
        raise ReadError("unreadable", _msg_empty(name))
    return sheets


def _to_sheet(sheet: calamine.CalamineSheet, name: str) -> Sheet:
    if sheet.end is None:  # no value at all
        return Sheet(sheet.name, [], ())
    height, width = sheet.end[0] + 1, sheet.end[1] + 1
    if height * width > MAX_CELLS:  # the .xls path has no earlier check
        raise ReadError("unreadable", _msg_far_cells(name, height, width))
    # skip_empty_area=False anchors the grid at A1; calamine writes '' for an empty cell.
    rows = [[None if v == "" else v for v in row]
            for row in sheet.to_python(skip_empty_area=False)]
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    merged = tuple(
        (r1, c1, min(r2, height - 1), min(c2, width - 1))
        for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or ())
        if r1 < height and c1 < width
    )
    return Sheet(sheet.name, rows, merged)
