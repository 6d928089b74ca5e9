"""What a workbook file will cost to read, counted from its bytes before any parser sees them.

python-calamine allocates from what a file claims, not from what it holds: 32 bytes for every
cell between a sheet's first and last value (one stray value in cell XFD1048576 asks for 17
billion cells, and a failed allocation aborts the whole process), a copy of a shared string at
every cell that refers to it (a 4 kB file of 300 references to one 1 MB string took 600 MB), an
entry for every merged range. `zip_census` (.xlsx, .xlsm, here) and
`etl.ingest.scan_biff.biff_census` (.xls) count those claims the way calamine reads them, so that
etl.ingest.read can refuse a file before calamine parses it:

    census = zip_census(data, max_uncompressed)    # or biff_census(Cfb(data).stream("Workbook"))
    census.worksheets, census.cells, census.largest, census.merged, census.text

A container that cannot be walked, or that hides what it holds (a cell reference that cannot be
read, two sheets naming one part), raises `Unreadable`; one that expands past its limit `Expands`.
Both are turned into Vietnamese messages by etl.ingest.read.
"""
from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field

# Real workbooks have tens of parts, hundreds with many images; a zip of 400,000 tiny members
# would take seconds just to walk.
MAX_ZIP_MEMBERS = 10_000
_CHUNK = 1 << 20
# bytes calamine holds for each string of a shared-string table besides its text (its record in
# a list, the allocation's own overhead): a table of millions of empty strings costs that much
STRING_COST = 32
_LONGEST_TAG = 1 << 16  # no real tag comes near; a longer one could hide a cell reference
_KEPT_BYTES = 16 << 20  # xl/workbook.xml and its relationships, read whole: a few kB in real files


class Unreadable(Exception):
    """A container that cannot be walked, or whose sheets cannot be counted safely."""


class Expands(Exception):
    """A zip archive whose members expand past the limit."""


@dataclass
class Census:
    """One (rows, columns) from A1 per sheet calamine will build, as far as a value can reach;
    merged ranges; bytes of cell text calamine will produce (the shared-string table once, and a
    shared string again at every reference); the worksheets the workbook lists."""
    areas: list[tuple[int, int]] = field(default_factory=list)
    merged: int = 0
    text: int = 0
    worksheets: int = 0
    has_workbook: bool = True  # .xlsx: the archive has the part calamine looks for

    @property
    def cells(self) -> int:
        return sum(rows * cols for rows, cols in self.areas)

    @property
    def largest(self) -> tuple[int, int]:
        return max(self.areas, key=lambda a: a[0] * a[1], default=(0, 0))


# --- zip-based workbooks (.xlsx, .xlsm) -----------------------------------------------------------

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an element's namespace prefix (<x:c ...>), if any
# Cells and rows as calamine's XML reader sees them: any namespace prefix, the attributes in any
# order, single or double quotes; a cell's last 'r' counts, a row's first. A cell's 'r' gives its
# place; one without 'r' follows the cell before it in its row, and a row without 'r' follows the
# row before it. Excel and every common writer put a cell's 'r' first, unprefixed and quoted
# "like this" (_FAST_*); a piece of a part with any other cell is read by the general patterns.
_CELL_TAG = re.compile(rb"<" + _NS + rb"c[\s>/]")
_ATTRS = rb"""(?: (?!r=)[\w:.-]+="[^"<>]*")*"""  # other attributes as Excel spells them: ' t="s"'
# text a sheet part gives its cells: inline strings, and <v> of string and date cells
_TEXT_MARKS = (b"<is>", b"<is ", b' t="str"', b' t="d"')
_FAST_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _ATTRS + rb"(/?)>")
_CELL_REF = re.compile(rb"<" + _NS + rb"c\s(?:[^>]*?\s)?r\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"'][^>]*?(/?)>")
_CELL_R = re.compile(rb"<" + _NS + rb"c\s[^>]*?(?<=\s)r\s*=")  # cells with an 'r', readable or not
_TWO_R = re.compile(rb"<" + _NS + rb"c\s[^>]*?(?<=\s)r\s*=[^>]*?(?<=\s)r\s*=")
_GT_IN_VALUE = re.compile(rb"<" + _NS + rb"c\s[^>]*?=\s*(?:\"[^\">]*>|'[^'>]*>)")  # a '>' in a quoted value
_ROW_TAG = re.compile(rb"<" + _NS + rb"row[\s>/]")
_ROW_REF = re.compile(rb"<" + _NS + rb"row\s(?:[^>]*?\s)?r\s*=\s*[\"']([0-9]{1,7})[\"']")
_ROW_R = re.compile(rb"<" + _NS + rb"row\s[^>]*?(?<=\s)r\s*=")
_GT_IN_ROW = re.compile(rb"<" + _NS + rb"row\s[^>]*?=\s*(?:\"[^\">]*>|'[^'>]*>)")
# A shared-string cell (t="s") and the index in its <v>; every <v> holding an index, whatever its cell
_S_CELL = re.compile(rb"\st\s*=\s*[\"']s[\"']")
_FAST_S_REF = re.compile(rb' t="s"' + _ATTRS + rb"><v>([0-9]{1,10})<")
_ANY_REF = re.compile(rb"<" + _NS + rb"v>([0-9]{1,10})<")
_TEXT = re.compile(rb">([^<]+)")  # between tags: values, and indentation (counted too)
_SHARED_ITEM = re.compile(rb"<" + _NS + rb"si[\s>/]")
_SHARED_MARKUP = len(b"<si><t></t></si>")
_SHEET_TAG = re.compile(rb"<" + _NS + rb"sheet\s([^>]*)>")
_SHEET_REL_ID = re.compile(rb"(?:^|\s)[\w.-]+:id\s*=\s*[\"']([^\"']*)[\"']")
_REL_TAG = re.compile(rb"<" + _NS + rb"Relationship\s([^>]*)>")
_REL_ID = re.compile(rb"(?:^|\s)Id\s*=\s*[\"']([^\"']*)[\"']")
_REL_TARGET = re.compile(rb"(?:^|\s)Target\s*=\s*[\"']([^\"']*)[\"']")
_REL_TYPE = re.compile(rb"(?:^|\s)Type\s*=\s*[\"'][^\"']*/worksheet[\"']")
_SHARED_PART = "xl/sharedstrings.xml"  # calamine reads these paths, whatever the manifest says
_BOOK_PART = "xl/workbook.xml"
_BOOK_RELS = "xl/_rels/workbook.xml.rels"


def _col_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters.upper()  # 'Z' < 'AA'


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _cell_tags(buf: bytes) -> int:
    if b":c" in buf:  # maybe a prefixed cell (<x:c ...>)
        return len(_CELL_TAG.findall(buf))
    return sum(buf.count(b"<c" + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))


class _Part:
    """One XML part, fed in pieces cut before a '<' (so no tag is split): its cells' extent,
    merged ranges and text. `sizes`: the shared strings' text lengths, by index. `rows`: count
    the rows too, which only matters when some cell has no reference (then the part is walked
    a second time with `rows`)."""

    def __init__(self, sizes: array, rows: bool = False):
        self.sizes, self.rows = sizes, rows
        self.far_letters, self.last_row = b"A", 0  # of the cells that hold a value
        self.all_letters, self.all_row = b"A", 0  # of every cell, empty ones too
        self.row_refs = self.free_rows = self.free_cells = self.merged = self.text = 0
        self.cdata = False

    def feed(self, buf: bytes) -> None:
        tags = _cell_tags(buf)
        refs = _FAST_REF.findall(buf)
        fast = len(refs) == tags  # every cell spelled as Excel spells it
        if not fast:  # the general patterns, and their checks
            refs = _CELL_REF.findall(buf)
            if len(_CELL_R.findall(buf)) != len(refs) or _TWO_R.search(buf) or _GT_IN_VALUE.search(buf):
                raise Unreadable("a cell reference that cannot be read")
        if refs:
            letters, numbers, closed = map(set, zip(*refs))
            self.all_letters = max(self.all_letters, *letters, key=_col_key)
            self.all_row = max(self.all_row, *map(int, numbers))
            if b"/" in closed:  # calamine skips empty cells (<c r="Z9" s="3"/>) when it sizes a sheet
                letters = {a for a, _, end in refs if not end}
                numbers = {n for _, n, end in refs if not end}
            if letters:
                self.far_letters = max(self.far_letters, *letters, key=_col_key)
                self.last_row = max(self.last_row, *map(int, numbers))
        self.free_cells += tags - len(refs)
        if self.rows:
            rows = _ROW_REF.findall(buf)
            if len(_ROW_R.findall(buf)) != len(rows) or _GT_IN_ROW.search(buf):
                raise Unreadable("a row reference that cannot be read")
            if rows:
                self.row_refs = max(self.row_refs, *map(int, rows))
            self.free_rows += len(_ROW_TAG.findall(buf)) - len(rows)
        self.cdata = self.cdata or b"<![CDATA[" in buf
        if self.cdata:
            self.text += len(buf)
        elif not fast or any(mark in buf for mark in _TEXT_MARKS):
            self.text += sum(map(len, _TEXT.findall(buf)))
        if self.sizes:
            s_refs = _FAST_S_REF.findall(buf)
            s_cells = buf.count(b' t="s"') if fast else len(_S_CELL.findall(buf))
            if len(s_refs) != s_cells:  # a shared-string cell written otherwise
                s_refs = _ANY_REF.findall(buf)
            if s_refs:
                sizes = self.sizes
                index = [i for i in map(int, s_refs) if i < len(sizes)]
                self.text += sum(map(sizes.__getitem__, index))

    def area(self) -> tuple[int, int]:
        """(rows, columns) from A1 that calamine can give a value. A cell without a reference
        may sit after any referenced one in its row, and in any row after the referenced ones."""
        if not self.free_cells:
            return (self.last_row, _col_number(self.far_letters)) if self.last_row else (0, 0)
        rows = max(self.all_row, self.row_refs + self.free_rows + 1)
        return rows, _col_number(self.all_letters) + self.free_cells


class _SharedStrings:
    """The shared-string part, fed like a _Part: each string's text bytes (its <si> element less
    the plainest markup, so rich text and phonetic runs count as text: never less than calamine
    builds)."""

    def __init__(self):
        self.starts, self.seen, self.end = array("q"), 0, 0

    def feed(self, buf: bytes) -> None:
        self.starts.extend(self.seen + m.start() for m in _SHARED_ITEM.finditer(buf))
        closing = buf.rfind(b"</")
        if closing >= 0:
            self.end = self.seen + closing
        self.seen += len(buf)

    def text(self) -> int:
        """What the table costs calamine: its text, and a string's own record for each string."""
        return self.seen + STRING_COST * len(self.starts)

    def sizes(self) -> array:
        starts = self.starts
        bounds = list(starts[1:]) + ([max(self.end, starts[-1])] if starts else [])
        return array("q", (max(0, b - a - _SHARED_MARKUP) for a, b in zip(starts, bounds)))


def _part_path(target: str) -> str:
    """A relationship's target as calamine resolves it from xl/workbook.xml, normalised."""
    target = target.replace("\\", "/")
    path = target[1:] if target.startswith("/") else "xl/" + target
    return posixpath.normpath(path).lower()


def _sheets(book: bytes, rels: bytes) -> int:
    """The worksheets xl/workbook.xml lists. Raises Unreadable when two of its sheets name one
    relationship, or two relationships one part: calamine would read that part once per sheet,
    past what the census counted once."""
    ids = [i for attrs in _SHEET_TAG.findall(book) for i in _SHEET_REL_ID.findall(attrs)]
    if len(set(ids)) < len(ids):
        raise Unreadable("two sheets share a relationship")
    targets, worksheets = {}, set()
    for attrs in _REL_TAG.findall(rels):
        rel_id, target = _REL_ID.findall(attrs), _REL_TARGET.findall(attrs)
        if rel_id and target:
            targets[rel_id[0]] = _part_path(target[0].decode("utf-8", "replace"))
            if _REL_TYPE.search(attrs):
                worksheets.add(rel_id[0])
    parts = [targets[i] for i in ids if i in targets]
    if len(set(parts)) < len(parts):
        raise Unreadable("two sheets share a part")
    return sum(i in worksheets for i in ids)


def _pieces(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, expanded: list[int], xml: bool = True):
    """A member's bytes in pieces, counted into `expanded[0]` (Expands past `limit`); an XML
    member's cut before a '<', so that no tag is cut in two (a long run of text anywhere)."""
    # zipfile silently stops at the declared size, calamine's unzip does not: lift the declared
    # size so a forged small one cannot hide a bomb (the CRC is still checked).
    probe = copy.copy(info)
    probe.file_size = limit + 1
    carry = b""
    with zf.open(probe) as member:
        chunk = member.read(_CHUNK)
        while chunk:
            expanded[0] += len(chunk)
            if expanded[0] > limit:
                raise Expands
            following = member.read(_CHUNK)
            if not xml:
                yield chunk
            elif not following:  # the last piece: whole
                yield carry + chunk
            else:
                buf = carry + chunk
                cut = buf.rfind(b"<")
                if cut < 0 or len(buf) - cut > _LONGEST_TAG:
                    if cut >= 0 and buf.find(b">", cut) < 0:
                        raise Unreadable("a tag too long to read")
                    cut = len(buf)
                yield buf[:cut]
                carry = buf[cut:]
            chunk = following


def _walk(part: _Part, pieces, over) -> _Part:
    """Feed a part from its <sheetData> on (calamine reads cells there only: styles, themes and
    the like are never fed), until `over(part)`; merged ranges are counted throughout."""
    started = False
    for piece in pieces:
        part.merged += sum(piece.count(b"mergeCell" + end) for end in (b" ", b"/", b">", b"\t", b"\n", b"\r"))
        started = started or b"sheetData" in piece
        if started:
            part.feed(piece)
            if over(part):
                break
    return part


def _whole(zf: zipfile.ZipFile, info: zipfile.ZipInfo, expanded: list[int], limit: int) -> bytes:
    """A member read whole (xl/workbook.xml and its relationships: a few kB in real files)."""
    pieces, size = [], 0
    for piece in _pieces(zf, info, limit, expanded):
        size += len(piece)
        if size > _KEPT_BYTES:
            raise Unreadable("a workbook part too large")
        pieces.append(piece)
    return b"".join(pieces)


def zip_census(data: bytes, max_uncompressed: int, *, max_cells: int = 0, max_text: int = 0) -> Census:
    """Walk every member of the archive, streamed with a running cap on the bytes it expands
    to (declared sizes can lie), and count every XML part's cells, merged ranges and text. The
    walk stops early once the cells pass `max_cells` or the text `max_text` (when given): the
    file is refused then, and its parts past that point cost time for nothing."""
    census = Census()
    expanded = [0]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise Unreadable("too many members")
            if sum(i.file_size for i in infos) > max_uncompressed:
                raise Expands
            by_name = {i.filename.lower(): i for i in infos}
            census.has_workbook = _BOOK_PART in by_name
            # the workbook's sheet list, then the shared strings (each reference to one is
            # counted at its size), then the rest
            kept = {name: _whole(zf, by_name[name], expanded, max_uncompressed)
                    for name in (_BOOK_PART, _BOOK_RELS) if name in by_name}
            census.worksheets = _sheets(kept.get(_BOOK_PART, b""), kept.get(_BOOK_RELS, b""))
            first = [by_name[n] for n in (_BOOK_PART, _BOOK_RELS, _SHARED_PART) if n in by_name]
            sizes = array("q")

            def over(part: _Part | None = None) -> bool:
                rows, cols = part.area() if part else (0, 0)
                text = census.text + (part.text if part else 0)
                return bool(max_cells and census.cells + rows * cols > max_cells or max_text and text > max_text)

            for info in first[len(kept):] + [i for i in infos if i not in first]:
                name = info.filename.lower()
                if info.is_dir():
                    continue
                if name == _SHARED_PART:
                    shared = _SharedStrings()
                    for piece in _pieces(zf, info, max_uncompressed, expanded):
                        shared.feed(piece)
                        if max_text and shared.text() > max_text:
                            census.text += shared.text()  # past the limit already: no need to read on
                            break
                    else:
                        sizes.extend(shared.sizes())
                        census.text += sum(sizes) + STRING_COST * len(sizes)
                elif name.endswith(".xml"):
                    walked = expanded[0]
                    part = _walk(_Part(sizes), _pieces(zf, info, max_uncompressed, expanded), over)
                    if part.free_cells and not over(part):  # cells without a reference: count the rows too
                        part = _walk(_Part(sizes, rows=True), _pieces(zf, info, max_uncompressed, [walked]), over)
                    rows, cols = part.area()
                    if rows:
                        census.areas.append((rows, cols))
                    census.merged += part.merged
                    census.text += part.text
                else:
                    for _ in _pieces(zf, info, max_uncompressed, expanded, xml=False):
                        pass
                if over():
                    break
    except (Unreadable, Expands):
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            RuntimeError, NotImplementedError, ValueError) as e:
        # RuntimeError: a zip-level password; NotImplementedError: a compression Excel never uses.
        raise Unreadable(str(e)) from e
    return census
