"""The OLE2 container of a legacy .xls file and a census of its BIFF workbook stream (see etl.ingest.scan).

    cfb = Cfb(data); cfb.entries            # stream name -> (kind, first sector, size)
    census = biff_census(cfb.stream("Workbook"))
"""
from __future__ import annotations

import struct
from array import array

from etl.ingest.scan import STRING_COST, Census, Unreadable

_FREE_OR_END = 0xFFFFFFFA  # sector numbers at or above this are markers, not sectors


class Cfb:
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
_BIFF_BOF, _BIFF_EOF, _BIFF_DIMENSIONS, _BIFF_MERGED = 0x0809, 0x000A, 0x0200, 0x00E5
_BIFF_SHEET, _BIFF_SST, _BIFF_CONTINUE, _BIFF_LABELSST = 0x0085, 0x00FC, 0x003C, 0x00FD
_HEAD = struct.Struct("<HHHH").unpack_from  # type, size, and a cell's row and column


def biff_census(stream: bytes) -> Census:
    """The sheets of a BIFF workbook stream, walked as calamine walks them: the globals up to
    their EOF (sheet list, shared strings), then each listed sheet from its own offset, however
    many list the same offset. Raises Unreadable for a DIMENSIONS whose first row is after its
    last (calamine's row count would wrap around to billions) or shared strings that cannot be
    walked; a sheet's extent comes from its cell records and its DIMENSIONS record (calamine
    reserves room for those first: one flipped byte asked it for 59 GB)."""
    census = Census(worksheets=0)
    offsets: list[int] = []
    sst: list[bytes] = []
    in_sst = False
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        typ, size = struct.unpack_from("<HH", stream, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            break
        if typ == _BIFF_SHEET and size >= 6:
            offsets.append(struct.unpack_from("<I", stream, body)[0])
            census.worksheets += stream[body + 5] == 0
        if typ == _BIFF_SST:
            sst, in_sst = [stream[body:pos]], True
        elif typ == _BIFF_CONTINUE and in_sst:
            sst.append(stream[body:pos])
        else:
            in_sst = False
        if typ == _BIFF_EOF:
            break
    sizes = _sst_sizes(sst)
    census.text = sum(sizes) + STRING_COST * len(sizes)
    walked: dict[int, tuple[tuple[int, int], int, int]] = {}
    for offset in offsets:
        if offset not in walked:
            walked[offset] = _biff_sheet(stream, offset, sizes)
        area, merged, text = walked[offset]
        census.areas.append(area)
        census.merged += merged
        census.text += text
    return census


def _biff_sheet(stream: bytes, pos: int, sizes: array) -> tuple[tuple[int, int], int, int]:
    """One sheet's (rows, columns) from A1, merged ranges and shared-string text, from `pos` to
    its EOF record. Thousands of records per sheet: this loop is kept lean."""
    rows = cols = merged = text = 0
    end, n = len(stream), len(sizes)
    while pos + 8 <= end:
        typ, size, r, c = _HEAD(stream, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            break
        if typ in _BIFF_CELLS and size >= 4:
            if typ in _BIFF_MULTI and size >= 6:
                c = max(c, struct.unpack_from("<H", stream, pos - 2)[0])
            rows, cols = max(rows, r + 1), max(cols, c + 1)
            if typ == _BIFF_LABELSST and size >= 10:
                i = struct.unpack_from("<I", stream, body + 6)[0]
                text += sizes[i] if i < n else 0
        elif typ == _BIFF_DIMENSIONS and size >= 10:
            r1, r2, c1, c2 = struct.unpack_from("<IIHH" if size >= 14 else "<HHHH", stream, body)
            if r1 > r2 or c1 > c2:
                raise Unreadable("DIMENSIONS record upside down")
            rows, cols = max(rows, r2), max(cols, c2)
        elif typ == _BIFF_MERGED and size >= 2:
            merged += struct.unpack_from("<H", stream, body)[0]
        elif typ == _BIFF_EOF:
            break
    return (rows, cols), merged, text


def _sst_sizes(records: list[bytes]) -> array:
    """Bytes of each string of the shared-string table ([MS-XLS] 2.4.265): SST record then its
    CONTINUE records. A string's characters may run on into the next record, which then starts
    with a new flags byte; its formatting runs and phonetic data are skipped across records."""
    sizes = array("q")
    if not records or len(records[0]) < 8:
        return sizes
    count = struct.unpack_from("<I", records[0], 4)[0]
    k, data, pos = 0, records[0], 8

    def skip(n: int) -> None:
        nonlocal k, data, pos
        pos += n
        while pos > len(data):
            pos -= len(data)
            k += 1
            if k >= len(records):
                raise Unreadable("shared strings cut short")
            data = records[k]

    try:
        while len(sizes) < count:
            if pos >= len(data):
                k, pos = k + 1, 0
                if k >= len(records):
                    break
                data = records[k]
            chars, flags = struct.unpack_from("<HB", data, pos)
            pos += 3
            runs = ext = 0
            if flags & 0x08:
                runs = struct.unpack_from("<H", data, pos)[0]
                pos += 2
            if flags & 0x04:
                ext = struct.unpack_from("<I", data, pos)[0]
                pos += 4
            wide, got, stored = flags & 0x01, 0, 0
            while True:
                room = (len(data) - pos) >> 1 if wide else len(data) - pos
                take = min(room, chars - got)
                got, pos, stored = got + take, pos + (take << wide), stored + (take << wide)
                if got >= chars:
                    break
                k += 1
                if k >= len(records):
                    raise Unreadable("shared strings cut short")
                data, pos = records[k], 1
                wide = data[0] & 0x01
            skip(4 * runs + ext)
            sizes.append(stored)
    except struct.error as e:
        raise Unreadable("shared strings cannot be walked") from e
    return sizes
