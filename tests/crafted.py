"""Workbooks crafted to cost as much memory or time as a reader lets them: far cells on many
sheets, references spelled in ways a quick scan misses, shared strings repeated, merged ranges by
the thousand, sheets aliased. Written as raw XML (openpyxl would build every cell it is told of)
or with xlwt for .xls; each is a few kB. `CASES` maps a name to (builder, what the reader says):
a SPEC §3 code with words of its message, or None for a file that is read (and then checked).
Used by tests/test_workbook_limits.py and tests/test_fuzz.py.
"""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from etl.ingest.read import MAX_CELLS, MAX_MERGED, MAX_TEXT
from etl.settings import Settings

MAX_SHEETS = Settings().limits_max_sheets
# a header row of the monthly report's sheet 2, so that a sheet can hold a form and is read whole
HEADER = ["STT", "Mã chi bộ", "Tên chi bộ", "Tổng số đảng viên", "Số đảng viên được miễn sinh hoạt",
          "Sinh hoạt thường kỳ", "Ngày sinh hoạt", "Số đảng viên dự", "Sinh hoạt chuyên đề"]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def col(n: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def xlsx(path: Path, sheets: list[tuple[str, str, list[str]]], shared: list[str] | None = None,
         targets: list[int] | None = None, prefix: str = "") -> Path:
    """A workbook of (name, sheetData XML, merged ranges) sheets; `targets[i]`: the part sheet i
    names (default its own); `prefix`: the namespace prefix of the sheet XML's elements."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    types = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>']
    book, rels = [], []
    targets = targets or list(range(len(sheets)))
    for i, (name, _, _) in enumerate(sheets):
        book.append(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>')
        rels.append(f'<Relationship Id="rId{i + 1}" Type="{_RELS}/worksheet" Target="worksheets/sheet{targets[i] + 1}.xml"/>')
    if shared is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>')
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (_, cells, merges) in enumerate(sheets):
            merged = (f'<{p}mergeCells count="{len(merges)}">' + "".join(f'<{p}mergeCell ref="{m}"/>' for m in merges)
                      + f"</{p}mergeCells>") if merges else ""
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>'
                       f"<{p}sheetData>{cells}</{p}sheetData>{merged}</{p}worksheet>")
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'
                       + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types">' + "".join(types) + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{_RELS}/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
                   f'xmlns:r="{_RELS}"><sheets>' + "".join(book) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
                   'http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
    return path


def header(row: int = 1) -> str:
    return (f'<row r="{row}">' + "".join(f'<c r="{col(c)}{row}" t="inlineStr"><is><t>{h}</t></is></c>'
                                         for c, h in enumerate(HEADER, 1)) + "</row>")


def far(rows: int, cols: int, form: bool = False, cell: str = '<c r="{ref}"><v>1</v></c>') -> str:
    """A value in A1 (or a form's header on row 1) and one at (rows, cols): an area of rows x cols."""
    first = header() if form else '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    return first + f'<row r="{rows}">' + cell.format(ref=f"{col(cols)}{rows}") + "</row>"


def far_sheets(path: Path, n: int, rows: int, cols: int, form: bool = False) -> Path:
    return xlsx(path, [(f"Trang {i + 1}", far(rows, cols, form), []) for i in range(n)])


def _side(limit: int) -> int:
    return int(limit ** 0.5)


def xls(path: Path, sheets: int, cells: list[tuple[int, int, object]], merges: int = 0) -> Path:
    """A legacy .xls (xlwt) of `sheets` sheets, each with the same (row, col, value) cells and
    `merges` one-row merged ranges."""
    import xlwt
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    for i in range(sheets):
        ws = wb.add_sheet(f"Trang {i + 1}")
        for r, c, v in cells:
            ws.write(r, c, v)
        for k in range(merges):
            ws.merge(1 + k, 1 + k, 0, 1)
    wb.save(str(path))
    return path


def xls_aliased(path: Path, copies: int) -> Path:
    """An .xls whose sheet list names its one sheet `copies` times (BOUNDSHEET records pointing
    at one offset): calamine reads the sheet once per entry."""
    from etl.ingest.scan_biff import Cfb
    from test_read import _cfb

    stream = Cfb(xls(path, 1, [(0, 0, "x"), (3999, 249, 1)]).read_bytes()).stream("Workbook")
    at = 0
    while struct.unpack_from("<H", stream, at)[0] != 0x0085:  # the sheet list's one record
        at += 4 + struct.unpack_from("<H", stream, at + 2)[0]
    end = at + 4 + struct.unpack_from("<H", stream, at + 2)[0]
    record = stream[at:end]
    offset = struct.unpack_from("<I", record, 4)[0] + (copies - 1) * len(record)  # the sheet moves down
    record = record[:4] + struct.pack("<I", offset) + record[8:]
    path.write_bytes(_cfb({"Workbook": stream[:at] + record * copies + stream[end:]}))
    return path


# name -> (builder(path), expected: (code, words of the message) or None when read)
CASES = {
    # the example: 12 sheets of 10 kB, each a value in A1 and one at row 3100, column 3100
    "far cells on 12 sheets": (lambda p: far_sheets(p / "xa.xlsx", 12, 3100, 3100),
                               ("unreadable", "dòng 3100, cột DOF")),
    "far cells on 300 sheets": (lambda p: far_sheets(p / "xa.xlsx", 300, 3100, 3100),
                                ("too_many_sheets", "300 trang tính")),
    "one sheet over the limit": (lambda p: far_sheets(p / "xa.xlsx", 1, MAX_CELLS // 1000 + 1, 1000),
                                 ("unreadable", f"dòng {MAX_CELLS // 1000 + 1}")),
    "sheets over the limit together": (
        lambda p: far_sheets(p / "xa.xlsx", 2, _side(MAX_CELLS * 0.6), _side(MAX_CELLS * 0.6), form=True),
        ("unreadable", "cộng lại")),
    "one sheet at the limit": (lambda p: far_sheets(p / "xa.xlsx", 1, MAX_CELLS // 1000, 1000, form=True), None),
    "sheets at the limit together": (
        lambda p: far_sheets(p / "xa.xlsx", MAX_SHEETS, _side(MAX_CELLS / MAX_SHEETS), _side(MAX_CELLS / MAX_SHEETS),
                             form=True), None),
    "a reference after another attribute": (
        lambda p: xlsx(p / "xa.xlsx", [("T", far(5000, 1000, cell='<c s="0" r="{ref}"><v>1</v></c>'), [])]),
        ("unreadable", "dòng 5000, cột ALL")),
    "a reference in single quotes": (
        lambda p: xlsx(p / "xa.xlsx", [("T", far(5000, 1000, cell="<c r='{ref}'><v>1</v></c>"), [])]),
        ("unreadable", "dòng 5000, cột ALL")),
    "prefixed cells": (
        lambda p: xlsx(p / "xa.xlsx", [("T", far(5000, 1000).replace("<row", "<x:row").replace("</row", "</x:row")
                                        .replace("<c ", "<x:c ").replace("</c>", "</x:c>").replace("<v>", "<x:v>")
                                        .replace("</v>", "</x:v>").replace("<is>", "<x:is>").replace("</is>", "</x:is>")
                                        .replace("<t>", "<x:t>").replace("</t>", "</x:t>"), [])], prefix="x"),
        ("unreadable", "dòng 5000, cột ALL")),
    "cells without a reference": (
        lambda p: xlsx(p / "xa.xlsx", [("T", '<row r="1"><c r="A1"><v>1</v></c></row><row r="4000">'
                                        + "<c/>" * 3000 + "<c><v>2</v></c></row>", [])]),
        ("unreadable", "dòng 4001")),
    "rows without a reference": (
        lambda p: xlsx(p / "xa.xlsx", [("T", "<row><c><v>1</v></c></row>" + "<row/>" * 40000
                                        + "<row>" + "<c/>" * 100 + "<c><v>2</v></c></row>", [])]),
        ("unreadable", "dòng 40003")),
    "two references in one cell": (
        lambda p: xlsx(p / "xa.xlsx", [("T", '<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>', [])]),
        ("unreadable", "bị hỏng")),
    "a '>' inside an attribute": (
        lambda p: xlsx(p / "xa.xlsx", [("T", '<row r="1"><c r="A1"><v>1</v></c>'
                                        '<c r="XFD1048576" s="/>" ><v>1</v></c></row>', [])]),
        ("unreadable", "bị hỏng")),
    "a tag longer than any real one": (
        lambda p: xlsx(p / "xa.xlsx", [("T", '<row r="1"><c r="A1"><v>1</v></c><c x="' + "y" * (1 << 21)
                                        + '" r="XFD1048576"><v>1</v></c></row>', [])]),
        ("unreadable", "bị hỏng")),
    "three sheets naming one part": (
        lambda p: xlsx(p / "xa.xlsx", [(f"T{i}", far(1500, 1000, form=True), []) for i in range(3)], targets=[0, 0, 0]),
        ("unreadable", "bị hỏng")),
    "a shared string at every cell": (
        lambda p: xlsx(p / "xa.xlsx", [("T", header() + "".join(f'<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>'
                                                                for r in range(2, 2 + MAX_TEXT // 32767 + 2)), [])],
                       shared=["x" * 32766 + "ắ"]),
        ("unreadable", "chữ")),
    "a shared string at every cell, under the limit": (
        lambda p: xlsx(p / "xa.xlsx", [("T", header() + "".join(f'<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>'
                                                                for r in range(2, 2 + MAX_TEXT // 32767 - 40)), [])],
                       shared=["x" * 32766 + "ắ"]),
        None),
    "millions of empty shared strings": (
        lambda p: xlsx(p / "xa.xlsx", [("T", far(3, 3), [])], shared=[""] * (MAX_TEXT // 32 + 1)),
        ("unreadable", "chữ")),
    "merged ranges past the limit": (
        lambda p: xlsx(p / "xa.xlsx", [("T", far(MAX_MERGED + 5, 3, form=True),
                                        [f"A{r}:B{r}" for r in range(2, MAX_MERGED + 4)])]),
        ("unreadable", "vùng ô gộp")),
    "merged ranges at the limit over the header": (
        lambda p: xlsx(p / "xa.xlsx", [("T", "".join(header(r) for r in range(1, 22)) + far(60, 120)[far(60, 120).index("<row r=\"60\""):],
                                        [f"{col(1 + k % 90)}1:{col(2 + k % 90)}21" for k in range(MAX_MERGED - 100)])]),
        None),
    "xls: far cells on 6 sheets": (lambda p: xls(p / "xa.xls", 6, [(0, 0, "x"), (3099, 200, 1)]),
                                   ("unreadable", "cộng lại")),
    "xls: far cells on one sheet": (lambda p: xls(p / "xa.xls", 1, [(0, 0, "x"), (65535, 255, 1)]),
                                    ("unreadable", "dòng 65536, cột IV")),
    "xls: 31 sheets": (lambda p: xls(p / "xa.xls", MAX_SHEETS + 1, [(0, 0, "x")]),
                       ("too_many_sheets", f"{MAX_SHEETS + 1} trang tính")),
    "xls: one sheet listed 4 times": (lambda p: xls_aliased(p / "xa.xls", 4), ("unreadable", "cộng lại")),
    "xls: a shared string at every cell": (
        lambda p: xls(p / "xa.xls", 1, [(r, 0, "x" * 32766 + "ắ") for r in range(MAX_TEXT // 32767 // 2 + 2)]),
        ("unreadable", "chữ")),
    "xls: merged ranges past the limit": (lambda p: xls(p / "xa.xls", 2, [(0, 0, "x")], merges=MAX_MERGED // 2 + 1),
                                          ("unreadable", "vùng ô gộp")),
}
