"""Fuzzing the loader: mutated workbooks get problem codes or a load, never anything else.

Valid reports from tests/builders.py are mutated at the cell level (values of every type,
1 MB strings, NFD junk, formulas as text, deep and overlapping merged ranges, removed or
duplicated header cells, rows and sheets) and at the byte level (truncated files and zip
members, flipped bytes in sheet XML, wrong CRCs, members replaced by garbage or dropped, legacy
.xls files cut or flipped). Each mutant must
- be answered by `etl.ingest.check.check_file` without an exception (problems carry SPEC §3 codes by
  construction) within FILE_SECONDS;
- then be loaded by `etl.ingest.load.load_paths` into a real warehouse file within FILE_SECONDS: a
  rejected or unchanged file leaves every SPEC view as it was, a loaded one has all its rows
  under its load_id.
Both run in a worker process (spawned: it opens the fuzz warehouses itself, and this process
holds no connection to them), so a hang or a crash of the Rust reader or of DuckDB that takes the
process down is caught and reported, not waited on forever.

Bounds: at most FUZZ_EXAMPLES examples per test (default 250) and FUZZ_SECONDS of fuzzing per
test (default 30: the two fuzz tests take about a minute in CI, whatever the machine's speed);
the examples left when time is up return at once. The counts tried and skipped are printed at
the end (pytest -s). FUZZ_EXAMPLES=2000 FUZZ_SECONDS=1800 for a longer hunt.
"""
from __future__ import annotations

import io
import multiprocessing
import os
import struct
import sys
import time as time_module
import traceback
import types
import unicodedata
import zipfile
import zlib
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from builders import (COVER, S1, S2, S3, clone, inspections_book, monthly_book, registry_book, targets_book,
                      write_book)
from etl.ingest.check import check_file
from etl.ingest.load import load_paths
from etl.ingest.units import Registry
from etl.problems import CODES
from etl.warehouse import db

FILE_SECONDS = 10.0
START_SECONDS = 120.0  # a worker's start (imports, opening the warehouses), not counted as a file's
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "30"))
# No shrinking: one example takes tens of milliseconds to seconds (1 MB strings), so shrinking a
# failure could run for many minutes; the failing example is printed as found.
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.large_base_example])
VIEWS = ["units_commune", "units_branch", "committee_meetings", "branch_meetings", "recruitment",
         "recruitment_targets", "annual_ratings", "inspection_findings", "report_submissions"]
TRIED: dict[str, int] = {}
SKIPPED: dict[str, int] = {}  # examples left when a test's FUZZ_SECONDS were over
STARTED: dict[str, float] = {}
# Zero-based rows of the builders' headers, by sheet; others: row 0.
HEADER_ROW = {COVER: 0, S1: 2, S2: 3, S3: 2, "Chỉ tiêu": 1, "Sổ kiểm tra": 2}
# Books mutated cell by cell. Registry mutants load into a warehouse of their own (`aux`), so a
# mutated unit name never makes the next monthly mutant fail for the wrong reason.
BOOKS = {"monthly": monthly_book, "targets": targets_book, "inspections": inspections_book,
         "registry": registry_book}


# --- the check and the load, in a worker process ---------------------------------------------

_worker: dict = {}  # in the worker: its connections to the fuzz warehouses and the registry


def _init(paths: dict[str, str]) -> None:
    """In the worker: open the warehouses (`main`, and `aux` for registry mutants) itself."""
    _worker["cons"] = {which: db.connect(path) for which, path in paths.items()}
    _worker["registry"] = Registry.from_db(_worker["cons"]["main"])


def _check(path: str):
    """In the worker: the problem codes, or the traceback of whatever escaped (BaseException:
    a Rust panic surfaces as pyo3's PanicException, which is not an Exception)."""
    try:
        checked = check_file(Path(path), _worker["registry"])
        return "ok", [(p.code, p.severity) for p in checked.result.problems]
    except BaseException:  # noqa: BLE001 - reported to the test as a failure, never swallowed
        return "crash", traceback.format_exc()


def _views(con) -> dict:
    return {v: sorted(map(repr, con.execute(f"SELECT * FROM {v}").fetchall())) for v in VIEWS}


def _load(task: tuple[str, str]):
    """In the worker: load one file into warehouse `which`; what the test checks of it."""
    which, path = task
    try:
        con = _worker["cons"][which]
        before = _views(con)
        [r] = load_paths(con, [Path(path)])
        info = {"status": r.status, "codes": [p.code for p in r.problems], "cells": [(p.code, p.cell) for p in r.problems],
                "rows": r.rows}
        if r.status != "loaded":
            info["views_same"] = _views(con) == before
        else:
            [(load_id,)] = con.execute("SELECT max(load_id) FROM loads WHERE sha256 = ?", [r.sha256]).fetchall()
            info["counts"] = {name: con.execute(f"SELECT count(*) FROM {table} WHERE load_id = ?",
                                                [load_id]).fetchone()[0] for name, table in db.TABLES.items()}
        return "ok", info
    except BaseException:  # noqa: BLE001 - as _check
        return "crash", traceback.format_exc()


def _snapshot(which: str) -> dict:
    return _views(_worker["cons"][which])


@contextmanager
def _plain_main():
    """A spawned child first runs the parent's __main__ again, by its path. Once an AppTest has run
    in this process that is dashboard.py (Streamlit's script runner installs its own __main__
    module), which a worker must not run: the child gets an empty __main__ instead."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


class Harness:
    """Warehouses with the registry loaded, and one worker process that checks and loads files."""

    def __init__(self, root: Path):
        self.root = root
        self.paths = {"main": str(root / "fuzz.duckdb"), "aux": str(root / "registry-mutants.duckdb")}
        for path in self.paths.values():
            con = db.connect(path)
            [r] = load_paths(con, [write_book(root / "registry.xlsx", registry_book())])
            con.close()  # from now on only the worker opens it
            assert r.status == "loaded"
        self._pool = None
        self.bases: dict[str, bytes] | None = None  # byte-level test's valid files, made once

    def pool(self):
        if self._pool is None:
            # spawn, not fork: a forked child would share this process's DuckDB state
            with _plain_main():
                self._pool = multiprocessing.get_context("spawn").Pool(1, initializer=_init, initargs=(self.paths,))
                self._pool.apply_async(len, ("",)).get(timeout=START_SECONDS)  # started and initialised
        return self._pool

    def _kill(self):
        self._pool.terminate()
        self._pool.join()  # its hold on the warehouse files ends with it
        self._pool = None

    def close(self):
        if self._pool is not None:
            self._kill()

    def ask(self, func, arg, timeout: float = FILE_SECONDS):
        """func(arg) in the worker; a test failure when no answer comes within `timeout`."""
        pool = self.pool()
        try:
            return pool.apply_async(func, (arg,)).get(timeout=timeout)
        except multiprocessing.TimeoutError:
            self._kill()  # the worker may be stuck in native code: kill it
            pytest.fail(f"no answer within {timeout:.0f} s (hang, or the worker process died)")

    def check(self, path: Path) -> list[tuple[str, str]]:
        status, out = self.ask(_check, str(path))
        assert status == "ok", out
        return out

    def load(self, path: Path, which: str = "main") -> dict:
        status, out = self.ask(_load, (which, str(path)))
        assert status == "ok", out
        return out

    def snapshot(self, which: str = "main") -> dict:
        return self.ask(_snapshot, which)

    def in_time(self, counter: str) -> bool:
        """Whether the test `counter` still has fuzzing time (FUZZ_SECONDS from its first example)."""
        started = STARTED.setdefault(counter, time_module.monotonic())
        if time_module.monotonic() - started <= SECONDS:
            return True
        SKIPPED[counter] = SKIPPED.get(counter, 0) + 1
        return False

    def exercise(self, path: Path, counter: str, which: str = "main") -> None:
        TRIED[counter] = TRIED.get(counter, 0) + 1
        problems = self.check(path)
        assert all(code in CODES and CODES[code][0] == sev for code, sev in problems)
        r = self.load(path, which)
        assert r["status"] in {"loaded", "rejected", "unchanged"}
        assert all(code in CODES for code in r["codes"])
        if r["status"] != "loaded":
            assert r["views_same"], "a file that did not load changed a view"
            return
        for name, n in r["counts"].items():
            assert n == r["rows"].get(name, 0), (name, n, r["rows"])


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp("fuzz"))
    yield h
    h.close()
    print("\nfuzz cases tried: " + ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))
          + f" (total {sum(TRIED.values())}; within {SECONDS:g} s per test"
          + (", then skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(SKIPPED.items())) if SKIPPED else "")
          + ")")


# --- cell-level mutations ----------------------------------------------------------------------

def _clean(s: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", s)  # characters an .xlsx cannot hold at all


VN_WORDS = ["Chi bộ thôn 1", "Lộc Ngãi", "Tổng cộng", "Sinh hoạt thường kỳ", "Ngày sinh hoạt", "Có", "Không",
            "Tốt", "Khá", "Đảng bộ", "Tháng", "Năm", "Mã chi bộ", "Tên chi bộ", "Cộng", "x"]
texts = st.text(max_size=40).map(_clean)
nfd_junk = st.tuples(st.sampled_from(VN_WORDS), st.text(alphabet="\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b",
                                                        max_size=6)).map(
    lambda t: unicodedata.normalize("NFD", t[0]) + t[1])
formula_text = st.sampled_from(["=SUM(A1:A3)", "=1/0", "+12", "-", "@x", "#REF!", "#DIV/0!", "=\"Có\"", "'05/03/2024",
                                "=HYPERLINK(\"http://x\")", "==", "=" * 300])
odd_numbers = st.sampled_from(["1.234,5", " 12 ", "١٢", "²", "½", "1e400", "-0", "0x1F", "12abc", "NaN", "inf",
                               "99999999999999999999999", "31/02/2024", "00/00/0000", "2024-13-45", "29/02/2023",
                               "1/1/10000", "5/3", "tháng 3/2024"])
huge = st.sampled_from(["x", "Chi bộ ", "ắ", "1"]).map(lambda s: s * (2**20 // len(s)))  # 1 MB (or more, UTF-8)
values = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.integers(-5, 200),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6),
    st.dates(min_value=date(1900, 3, 1)), st.datetimes(min_value=datetime(1900, 3, 1)), st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    texts, nfd_junk, formula_text, odd_numbers, huge, st.sampled_from(VN_WORDS),
)
SHEETS = st.integers(0, 3)  # a sheet by position in the book (modulo its sheet count)
rows = st.integers(0, 14)
cols = st.integers(0, 15)
cell_ops = st.one_of(
    st.tuples(st.just("set"), SHEETS, rows, cols, values),
    st.tuples(st.just("clear_header"), SHEETS, cols),
    st.tuples(st.just("dup_header"), SHEETS, cols, cols),
    st.tuples(st.just("del_row"), SHEETS, rows),
    st.tuples(st.just("dup_row"), SHEETS, rows),
    st.tuples(st.just("drop_sheet"), SHEETS),
    st.tuples(st.just("rename_sheet"), SHEETS, st.sampled_from([S2, "Sheet1", "2. Sinh hoạt",
                                                                                   "  ", "Báo cáo"])),
)
ranges = st.tuples(st.integers(1, 30), st.integers(1, 16), st.integers(0, 40), st.integers(0, 20)).map(
    lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3]))


@st.composite
def merges(draw):
    """Per sheet: random (possibly overlapping) ranges, and sometimes a deep nest of ranges
    (some repeated exactly)."""
    out = {}
    for sheet in draw(st.lists(SHEETS, max_size=3, unique=True)):
        rs = draw(st.lists(ranges, max_size=12))
        if draw(st.booleans()):
            depth = draw(st.integers(2, 300))
            rs += [(1 + i // 10, 1 + i // 10, 90 - i // 10, 61 - i // 10) for i in range(depth)]
        out[sheet] = rs
    return out


def _a1(r: int, c: int) -> str:
    letters = ""
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r}"


def inject_merges(path: Path, n_sheets: int, merged: dict) -> None:
    """Write the merged ranges (by sheet position) into the sheets' XML as given, overlaps and
    all (openpyxl would materialise every covered cell, seconds for a deep nest)."""
    by_part = {}
    for i, ranges in merged.items():
        by_part.setdefault(f"xl/worksheets/sheet{i % n_sheets + 1}.xml", []).extend(ranges)
    out = []
    for info, body in _members(path.read_bytes()):
        if by_part.get(info.filename):
            rs = by_part[info.filename]
            refs = "".join(f'<mergeCell ref="{_a1(r1, c1)}:{_a1(r2, c2)}"/>' for r1, c1, r2, c2 in rs)
            body = body.replace(b"</sheetData>", f'</sheetData><mergeCells count="{len(rs)}">{refs}'
                                "</mergeCells>".encode(), 1)
        out.append((info.filename, body))
    path.write_bytes(_zip(out))


def mutate(book: dict, ops) -> dict:
    for op, index, *args in ops:
        sheet = list(book)[index % len(book)]
        grid = book[sheet]
        if op == "set":
            r, c, v = args
            while len(grid) <= r:
                grid.append([])
            row = grid[r]
            row.extend([None] * (c + 1 - len(row)))
            row[c] = v
        elif op in ("clear_header", "dup_header"):
            at = HEADER_ROW.get(sheet, 0)
            header = grid[at] if len(grid) > at else []
            if not header:
                continue
            src = args[0] % len(header)
            if op == "clear_header":
                header[src] = None
            else:
                dst = args[1]
                header.extend([None] * (dst + 1 - len(header)))
                header[dst] = header[src]
        elif op == "del_row" and grid:
            del grid[args[0] % len(grid)]
        elif op == "dup_row" and grid:
            i = args[0] % len(grid)
            grid.insert(i, list(grid[i]))
        elif op == "drop_sheet" and len(book) > 1:
            del book[sheet]
        elif op == "rename_sheet" and args[0] not in book:
            book = {args[0] if k == sheet else k: v for k, v in book.items()}
    return book


@FUZZ_SETTINGS
@given(kind=st.sampled_from(["monthly"] * 5 + ["targets", "inspections", "registry"]),  # mostly monthly
       ops=st.lists(cell_ops, min_size=1, max_size=8), merged=merges(), nfd=st.booleans())
def test_cell_mutants_get_problems_or_a_load(harness, kind, ops, merged, nfd):
    from builders import nfd as to_nfd

    if not harness.in_time("cell-level"):
        return
    book = mutate(clone(BOOKS[kind]()), ops)  # a deep copy: the header rows are the builders' shared lists
    if nfd:
        book = to_nfd(book)
    path = write_book(harness.root / "cells" / "bao-cao.xlsx", book)
    inject_merges(path, len(book), merged)
    harness.exercise(path, "cell-level", "aux" if kind == "registry" else "main")


# --- byte-level mutations ----------------------------------------------------------------------

def _xls_bytes(book: dict, path: Path) -> bytes:
    """The builders' grid as a legacy .xls (xlwt), for the OLE2 reader."""
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    for name, grid in book.items():
        ws = wb.add_sheet(name[:31])
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path.read_bytes()


def make_bases(harness) -> dict[str, bytes]:
    """Valid files that load (checked here, so a mutant's rejection is the mutation's doing)."""
    root = harness.root / "bases"
    out = {
        "monthly.xlsx": write_book(root / "monthly.xlsx", monthly_book(month=4)).read_bytes(),
        "targets.xlsx": write_book(root / "targets.xlsx", targets_book()).read_bytes(),
        "monthly.xls": _xls_bytes(monthly_book(month=5), root / "monthly.xls"),
    }
    for name, data in out.items():
        r = harness.load(root / name)
        assert r["status"] == "loaded", (name, r["codes"])
    return out


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _zip(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            zf.writestr(name, body)
    return buf.getvalue()


def _bad_crc(data: bytes, name: str, xor: int) -> bytes:
    """Change one member's CRC-32 in its local header and its central directory entry."""
    out = bytearray(data)
    encoded = name.encode()
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:  # local header: CRC at +14, name at +30
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if bytes(out[pos + 30:pos + 30 + n]) == encoded:
            struct.pack_into("<I", out, pos + 14, struct.unpack_from("<I", out, pos + 14)[0] ^ xor)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:  # central entry: CRC at +16, name at +46
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + n]) == encoded:
            struct.pack_into("<I", out, pos + 16, struct.unpack_from("<I", out, pos + 16)[0] ^ xor)
        pos += 4
    return bytes(out)


member_ops = st.tuples(
    st.sampled_from(["truncate", "flip_xml", "garbage", "drop", "crc", "duplicate", "empty"]),
    st.integers(0, 10**6),  # which member (modulo their count)
    st.floats(0, 1),  # where (fraction of the member)
    st.binary(min_size=1, max_size=64),  # bytes to write or xor with
)
raw_ops = st.tuples(st.sampled_from(["cut", "flip", "flip_header"]), st.floats(0, 1),
                    st.binary(min_size=1, max_size=16))


def mutate_bytes(data: bytes, op) -> bytes:
    kind, where, junk = op
    if kind == "cut":
        return data[:int(len(data) * where)]
    start = int((512 if kind == "flip_header" else len(data)) * where)
    out = bytearray(data)
    for i, b in enumerate(junk):
        if start + i < len(out):
            out[start + i] ^= b or 0xFF
    return bytes(out)


def mutate_member(data: bytes, op) -> bytes:
    kind, which, where, junk = op
    members = _members(data)
    if not members:  # an earlier op left a zip that lists no member: nothing to pick
        raise ValueError("a zip without members")
    # Sheets are the interesting members; pick among them half of the time.
    sheets = [i for i, (info, _) in enumerate(members) if info.filename.startswith("xl/worksheets/")]
    k = sheets[which % len(sheets)] if sheets and which % 2 else which % len(members)
    info, body = members[k]
    named = [(i.filename, b) for i, b in members]
    if kind == "crc":
        return _bad_crc(data, info.filename, int.from_bytes(junk[:4].ljust(4, b"\x01"), "little") or 1)
    if kind == "truncate":
        named[k] = (info.filename, body[:int(len(body) * where)])
    elif kind == "flip_xml":
        at, flipped = int(len(body) * where), bytearray(body)
        for i, b in enumerate(junk):
            if at + i < len(flipped):
                flipped[at + i] ^= b or 0xFF
        named[k] = (info.filename, bytes(flipped))
    elif kind == "garbage":
        named[k] = (info.filename, junk * 64)
    elif kind == "drop":
        del named[k]
    elif kind == "duplicate":
        named.insert(k, (info.filename, junk))
    elif kind == "empty":
        named[k] = (info.filename, b"")
    return _zip(named)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FUZZ_SETTINGS
@given(base=st.sampled_from(["monthly.xlsx", "targets.xlsx", "monthly.xls"]),
       ops=st.lists(st.one_of(member_ops, raw_ops), min_size=1, max_size=3))
def test_byte_mutants_get_problems_or_a_load(harness, base, ops):
    if not harness.in_time("byte-level"):
        return
    if harness.bases is None:
        harness.bases = make_bases(harness)
    data = harness.bases[base]
    for op in ops:
        if len(op) == 4:  # a member operation: only while the bytes are still a readable zip
            try:
                data = mutate_member(data, op)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, EOFError, KeyError,
                    OSError, NotImplementedError):  # an earlier op broke the zip: flip bytes instead
                data = mutate_bytes(data, ("flip", op[2], op[3]))
        else:
            data = mutate_bytes(data, op)
    path = harness.root / "bytes" / ("bao-cao" + Path(base).suffix)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    harness.exercise(path, "byte-level")


def test_a_hang_or_a_dead_worker_is_a_failure_not_a_wait(harness, tmp_path):
    """The guard itself: a stuck or dead worker fails the example within the time given, the
    check and the real loader alike (a named pipe blocks whoever opens it to read: a true hang)."""
    fifo = tmp_path / "treo.xlsx"
    os.mkfifo(fifo)
    for func, arg in ((time_module.sleep, 60), (os._exit, 3), (_check, str(fifo)), (_load, ("main", str(fifo)))):
        with pytest.raises(pytest.fail.Exception, match="no answer within 1 s"):
            harness.ask(func, arg, timeout=1.0)
    assert harness.ask(len, "abc") == 3  # and a fresh worker takes over
    assert harness.snapshot()["units_commune"]  # on the warehouse as it was


def test_truncated_xls_is_unreadable_not_a_panic(harness, tmp_path, capfd):
    """Regression (found by the byte-level fuzz): calamine 0.37's OLE2 reader panicked on a
    truncated .xls ("slice index starts at 8192 but ends at 7684"); the PanicException, a
    BaseException, escaped read_workbook and would have stopped a whole load run. Then, caught,
    it still printed a Rust backtrace on the console of whoever ran the load: a file cut short is
    now refused before calamine reads it."""
    from etl.ingest.read import ReadError, read_workbook

    data = _xls_bytes(monthly_book(month=5), tmp_path / "full.xls")
    path = tmp_path / "cut.xls"
    for cut in range(512, len(data), 97):
        path.write_bytes(data[:cut])
        with pytest.raises(ReadError) as info:
            read_workbook(path)
        assert info.value.code == "unreadable", cut
        assert "bị hỏng hoặc tải về chưa trọn vẹn" in info.value.message, cut
    assert "panicked" not in capfd.readouterr().err
    for cut in range(len(data) // 2, len(data), 512 + 7):
        path.write_bytes(data[:cut])
        r = harness.load(path)
        assert r["status"] == "rejected" and r["codes"] == ["unreadable"]


def _read_in_worker(path: str):
    from etl.ingest.read import ReadError, read_workbook
    try:
        return "sheets", len(read_workbook(path))
    except ReadError as err:
        return err.code, err.message


def _biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", typ, len(body)) + body for typ, body in records)


def _cfb_with_mini_stream(workbook: bytes) -> bytes:
    """An OLE2 file (version 3) whose Workbook stream is shorter than 4096 bytes, so it lives in
    the root's mini stream (64-byte sectors chained by the mini FAT), as small .xls files do."""
    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    mini = workbook.ljust(-(-len(workbook) // 64) * 64, b"\0")
    n_mini = len(mini) // 64
    container = mini.ljust(-(-len(mini) // 512) * 512, b"\0")
    n_cont = len(container) // 512
    fat = [0xFFFFFFFD, end, end] + [4 + k for k in range(n_cont - 1)] + [end]  # FAT, dir, mini FAT, mini stream
    minifat = [k + 1 for k in range(n_mini - 1)] + [end]

    def entry(name, kind, child, start, size):
        raw = name.encode("utf-16-le")
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw) + 2, kind, 1, nostream, nostream, child,
                           b"", 0, 0, 0, start, size)

    directory = (entry("Root Entry", 5, 1, 3, len(mini)) + entry("Workbook", 2, nostream, 0, len(workbook)))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII109I", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE,
                         9, 6, b"", 0, 1, 1, 0, 4096, 2, 1, end, 0, 0, *([free] * 108))
    return (header + struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory.ljust(512, b"\0")
            + struct.pack("<128I", *(minifat + [free] * (128 - len(minifat)))) + container)


def test_xls_claiming_billions_of_cells_is_refused_before_calamine(harness, tmp_path):
    """Regression (found by the byte-level fuzz): one flipped RK record of an .xls said row
    58445, column 31639, and calamine asked for 59 GB; the failed allocation aborts the process
    (the whole dashboard or load), so the reader now checks the BIFF records first. Run in the
    worker: without the check this test's own process would die."""
    data = bytearray(_xls_bytes(monthly_book(month=5), tmp_path / "m.xls"))
    pos, cells, dims = 512, [], []  # xlwt writes the Workbook stream from sector 0, contiguous
    while pos + 4 <= len(data):
        typ, size = struct.unpack_from("<HH", data, pos)
        (cells if typ in (0x00FD, 0x027E, 0x0203) else dims if typ == 0x0200 else []).append(pos)
        if typ == 0 and size == 0:
            break
        pos += 4 + size
    far, wrapped = bytearray(data), bytearray(data)
    struct.pack_into("<HH", far, cells[20] + 4, 58444, 31638)
    struct.pack_into("<II", wrapped, dims[1] + 4, 1000, 10)  # DIMENSIONS first row after its last
    sheet = struct.pack("<HHHHd", 60000, 200, 0, 0, 1.0)  # NUMBER in row 60001, column GS
    # the globals (BOF, the sheet list: one sheet at offset 37, EOF), then the sheet from offset 37
    tiny = _cfb_with_mini_stream(_biff((0x0809, struct.pack("<HH12x", 0x0600, 0x0005)),
                                       (0x0085, struct.pack("<IBBBB", 37, 0, 0, 1, 0) + b"S"), (0x000A, b""),
                                       (0x0809, struct.pack("<HH12x", 0x0600, 0x0010)), (0x0203, sheet),
                                       (0x000A, b"")))
    from etl.ingest.scan_biff import Cfb, biff_census
    census = biff_census(Cfb(tiny).stream("Workbook"))  # read through the mini stream
    assert (census.areas, census.worksheets) == ([(60001, 201)], 1)
    for name, body, code, words in [("far.xls", far, "unreadable", "dòng 58445, cột ATTW"),
                                     ("wrapped.xls", wrapped, "unreadable", "bị hỏng"),
                                     ("tiny.xls", tiny, "unreadable", "dòng 60001, cột GS")]:
        (tmp_path / name).write_bytes(bytes(body))
        got, message = harness.ask(_read_in_worker, str(tmp_path / name))
        assert got == code and words in message, (name, message)


@pytest.fixture(scope="module")
def crafted(harness):
    from crafted import CASES
    if any(name.startswith("xls") for name in CASES):
        pytest.importorskip("xlwt")
    return {name: build(harness.root / "crafted" / f"{i:02d}") for i, (name, (build, _)) in enumerate(CASES.items())}


@pytest.mark.parametrize("case", ["far cells on 12 sheets", "far cells on 300 sheets", "one sheet at the limit",
                                  "sheets at the limit together", "a reference after another attribute",
                                  "prefixed cells", "cells without a reference", "rows without a reference",
                                  "two references in one cell", "a '>' inside an attribute",
                                  "three sheets naming one part", "a shared string at every cell",
                                  "a shared string at every cell, under the limit", "millions of empty shared strings",
                                  "merged ranges past the limit", "merged ranges at the limit over the header",
                                  "xls: far cells on 6 sheets", "xls: one sheet listed 4 times",
                                  "xls: a shared string at every cell"])
def test_crafted_workbooks_get_problems_within_the_time(harness, crafted, case):
    """Explicit examples (tests/crafted.py): workbooks built to exhaust the reader are checked and
    loaded by the worker like any mutant, within FILE_SECONDS and with SPEC §3 codes only."""
    from crafted import CASES
    harness.exercise(crafted[case], "crafted")
    expected = CASES[case][1]
    if expected is not None:
        assert harness.check(crafted[case]) == [(expected[0], "error")]


@pytest.mark.parametrize("value", [2**40, -2**31 - 1, "1" * 32767, "99999999999999999999999"])
def test_integers_too_large_to_store_are_bad_type_not_a_failed_write(harness, tmp_path, value):
    """Regression (found by the cell-level fuzz): 32,767 digits in a count made int() raise
    (Python refuses over 4,300 digits) and 2**40 passed the checks, then failed the INTEGER
    insert mid-load, stopping the run."""
    book = clone(monthly_book())
    book[S2][4][3] = value  # 'Tổng số đảng viên' of the first branch
    before = harness.snapshot()
    r = harness.load(write_book(tmp_path / "big-number.xlsx", book))
    assert r["status"] == "rejected" and ("bad_type", "D5") in r["cells"]
    assert harness.snapshot() == before


def test_a_branch_name_of_thousands_of_digits_is_an_unknown_branch(harness, tmp_path):
    """Regression (found by the cell-level fuzz): matching a branch name stripped the leading
    zeros of its numbers with int(), which raises on over 4,300 digits."""
    from etl import text

    assert text.unit_key("Chi bộ thôn 007") == text.unit_key("Chi bộ thôn 7")
    book = clone(monthly_book())
    book[S2][4][2] = "1" * 32767  # 'Tên chi bộ' of the first branch
    r = harness.load(write_book(tmp_path / "digits.xlsx", book))
    assert r["status"] == "rejected" and ("unknown_branch", "C5") in r["cells"]
