"""etl.ingest.read: workbook files in, A1-anchored cell grids out, or a ReadError with a SPEC §3 code.

Every fixture is built here by code: openpyxl/xlsxwriter workbooks, xlwt for legacy .xls (skipped
when xlwt is not installed), and hand-packed zip and OLE2 bytes for bombs and encrypted files.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import struct
import time
import tracemalloc
import zipfile
import zlib

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.ingest.read import ReadError, Sheet, read_workbook

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


# --- builders -------------------------------------------------------------------------------------

def _report_xlsx(path):
    """A small report whose table starts at C5, with a merged title, like hand-made ones."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2. Sinh hoạt chi bộ"
    ws["C2"] = "BÁO CÁO THÁNG 3 NĂM 2024"
    ws.merge_cells("C2:E3")
    ws["C5"], ws["D5"], ws["E5"] = "Tên chi bộ", "Tổng số đảng viên", "Ngày sinh hoạt"
    ws["C6"], ws["D6"], ws["E6"] = "Chi bộ thôn 1", 25, dt.date(2024, 3, 5)
    ws["C7"], ws["D7"], ws["E7"] = "  Chi bộ thôn 2 ", 18, dt.datetime(2024, 3, 6, 14, 30)
    wb.save(path)
    return path


def _zip_bytes(members):
    """A zip archive from (name, raw deflate data, crc, declared uncompressed size) tuples, so the
    headers can say anything."""
    out, central = bytearray(), bytearray()
    for name, comp, crc, size in members:
        raw = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(comp), size, len(raw), 0, 0, 0, 0, 0, len(out)) + raw
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(comp), size,
                           len(raw), 0) + raw + comp
    n = len(members)
    return bytes(out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central),
                                             len(out), 0))


def _deflate(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


@functools.lru_cache(maxsize=1)
def _zeros_deflated(n_mb: int) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    return b"".join([co.compress(block) for _ in range(n_mb)] + [co.flush()])


def _real_members(tmp_path):
    with zipfile.ZipFile(_report_xlsx(tmp_path / "base.xlsx")) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file ([MS-CFB], version 3, 512-byte sectors) holding up to three
    streams, each padded to 4096 bytes so it lives in regular sectors (no mini stream)."""
    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    fat, body, entries = [0xFFFFFFFD, end], bytearray(), []
    for i, (name, data) in enumerate(streams.items()):
        data = data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0")
        start, n = len(fat), len(data) // 512
        fat += [start + k + 1 for k in range(n - 1)] + [end]
        right = i + 2 if i + 1 < len(streams) else nostream
        entries.append((name, 2, right, nostream, start, len(data)))
        body += data
    entries.insert(0, ("Root Entry", 5, nostream, 1 if streams else nostream, end, 0))

    def entry(name, kind, right, child, start, size):
        raw = name.encode("utf-16-le")
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw) + 2, kind, 1, nostream, right,
                           child, b"", 0, 0, 0, start, size)

    directory = b"".join(entry(*e) for e in entries).ljust(512, b"\0")
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII109I", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"",
                         0x3E, 3, 0xFFFE, 9, 6, b"", 0, 1, 1, 0, 4096, end, 0, end, 0,
                         0, *([free] * 108))
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))
    return header + fat_sector + directory + bytes(body)


def _xls(path, xlwt):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Phát triển đảng viên")
    ws.write(3, 1, "Tên chi bộ")
    ws.write(3, 2, "Kết nạp mới")
    ws.write(4, 1, "Chi bộ thôn 1")
    ws.write(4, 2, 2)
    ws.write_merge(1, 1, 1, 2, "THÁNG 3 NĂM 2024")
    ws.write(5, 1, dt.date(2024, 3, 5), xlwt.easyxf(num_format_str="DD/MM/YYYY"))
    wb.save(str(path))
    return path


def _encrypted_xls(path, xlwt):
    """An .xls whose workbook stream starts with a FILEPASS record, as Excel writes when a
    password is set: the record right after BOF (xlwt's 2-byte INTERFACEHDR) is relabelled."""
    data = bytearray(_xls(path, xlwt).read_bytes())
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # BOF record of the workbook globals
    assert bof > 0 and data[bof + 20:bof + 22] == b"\xe1\x00"
    data[bof + 20:bof + 22] = b"\x2f\x00"
    path.write_bytes(bytes(data))
    return path


# --- cells ----------------------------------------------------------------------------------------

def test_table_starting_at_c5_is_anchored_at_a1(tmp_path):
    [sheet] = read_workbook(_report_xlsx(tmp_path / "r.xlsx"))
    assert isinstance(sheet, Sheet) and sheet.name == "2. Sinh hoạt chi bộ"
    assert len(sheet.rows) == 7 and {len(r) for r in sheet.rows} == {5}
    assert sheet.rows[0] == [None] * 5 and sheet.rows[4][:2] == [None, None]
    assert sheet.rows[4][2:] == ["Tên chi bộ", "Tổng số đảng viên", "Ngày sinh hoạt"]
    assert sheet.rows[5][2:4] == ["Chi bộ thôn 1", 25]
    assert sheet.rows[6][2] == "  Chi bộ thôn 2 "  # kept as typed; trimming is the forms' job


def test_merged_ranges_are_zero_based_and_clipped_to_values(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "Tiêu đề"
    ws.merge_cells("B2:D3")
    ws["A5"], ws["E5"] = "Số có mặt", 7
    ws.merge_cells("A8:H8")  # reaches past the last value (column E)
    ws["A8"] = "Ghi chú"
    ws.merge_cells("J20:K21")  # wholly outside the values: dropped
    wb.save(tmp_path / "m.xlsx")
    [sheet] = read_workbook(tmp_path / "m.xlsx")
    assert sorted(sheet.merged) == [(1, 1, 2, 3), (7, 0, 7, 4)]
    assert sheet.rows[1][1] == "Tiêu đề" and sheet.rows[1][2] is None
    assert len(sheet.rows) == 8 and len(sheet.rows[0]) == 5


def test_dates_and_times_keep_their_types(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = dt.date(2024, 3, 5)
    ws["A2"] = dt.datetime(2024, 3, 6, 14, 30)
    ws["A3"] = dt.time(8, 15)
    ws["A4"], ws["A5"] = True, 1.5
    wb.save(tmp_path / "d.xlsx")
    [sheet] = read_workbook(tmp_path / "d.xlsx")
    values = [r[0] for r in sheet.rows]
    assert type(values[0]) is dt.date and values[0] == dt.date(2024, 3, 5)
    assert values[1] == dt.datetime(2024, 3, 6, 14, 30)
    assert values[2] == dt.time(8, 15)
    assert values[3] is True and values[4] == 1.5


def test_formula_gives_cached_value_or_none(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+2"  # openpyxl stores no cached value
    wb.active["B1"] = "x"
    wb.save(tmp_path / "no_cache.xlsx")
    [sheet] = read_workbook(tmp_path / "no_cache.xlsx")
    assert sheet.rows == [[None, "x"]]

    book = xlsxwriter.Workbook(tmp_path / "cached.xlsx")
    book.add_worksheet().write_formula("A1", "=1+2", None, 3)
    book.close()
    [sheet] = read_workbook(tmp_path / "cached.xlsx")
    assert sheet.rows == [[3]]


def test_xlsm_is_read_and_its_macros_ignored(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "m.xlsm")
    book.add_worksheet("Dữ liệu").write("B2", "Chi bộ thôn 1")
    book.add_vba_project(io.BytesIO(_cfb({"VBA": b"Attribute VB_Name"})), is_stream=True)
    book.close()
    with zipfile.ZipFile(tmp_path / "m.xlsm") as zf:
        assert "xl/vbaProject.bin" in zf.namelist()
    [sheet] = read_workbook(tmp_path / "m.xlsm")
    assert sheet.rows == [[None, None], [None, "Chi bộ thôn 1"]]


def test_hidden_sheets_kept_chart_sheets_skipped(tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "h.xlsx")
    data = book.add_worksheet("Số liệu")
    data.write_column("A1", [1, 2, 3])
    book.add_worksheet("Ẩn").hide()
    book.worksheets()[1].write("A1", "bí mật")
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "='Số liệu'!$A$1:$A$3"})
    book.add_chartsheet("Biểu đồ").set_chart(chart)
    book.add_worksheet("Trống")
    book.close()
    sheets = read_workbook(tmp_path / "h.xlsx")
    assert [s.name for s in sheets] == ["Số liệu", "Ẩn", "Trống"]
    assert sheets[1].rows == [["bí mật"]] and sheets[2].rows == [] and sheets[2].merged == ()


def test_legacy_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    [sheet] = read_workbook(_xls(tmp_path / "old.xls", xlwt))
    assert sheet.name == "Phát triển đảng viên"
    assert sheet.rows[3][1:] == ["Tên chi bộ", "Kết nạp mới"]
    assert sheet.rows[4][1:] == ["Chi bộ thôn 1", 2]
    assert sheet.rows[5][1] == dt.date(2024, 3, 5)
    assert sheet.rows[0] == [None, None, None]
    assert sheet.merged == ((1, 1, 1, 2),)


# --- the name lies, the content decides -----------------------------------------------------------

@pytest.mark.parametrize("name", ["report.xls", "report.csv", "report", "REPORT.XLSX"])
def test_xlsx_under_any_name(tmp_path, name):
    data = _report_xlsx(tmp_path / "r.xlsx").read_bytes()
    (tmp_path / name).write_bytes(data)
    [sheet] = read_workbook(tmp_path / name)
    assert sheet.rows[4][2] == "Tên chi bộ"


@pytest.mark.parametrize("name", ["old.xlsx", "old.xlsm", "old"])
def test_xls_under_any_name(tmp_path, name):
    xlwt = pytest.importorskip("xlwt")
    (tmp_path / name).write_bytes(_xls(tmp_path / "old.xls", xlwt).read_bytes())
    [sheet] = read_workbook(tmp_path / name)
    assert sheet.rows[4][1] == "Chi bộ thôn 1"


# --- errors ---------------------------------------------------------------------------------------

def _write(tmp_path, name, data: bytes):
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


def _empty_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.create_sheet("Trống 2")
    wb.active["C3"].font = openpyxl.styles.Font(bold=True)  # formatted but empty
    wb.save(tmp_path / "blank.xlsx")
    return tmp_path / "blank.xlsx"


def _zip_of_text(tmp_path):
    with zipfile.ZipFile(tmp_path / "notes.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("notes.txt", "không phải sổ tính")
    return tmp_path / "notes.xlsx"


def _truncated(tmp_path):
    data = _report_xlsx(tmp_path / "r.xlsx").read_bytes()
    return _write(tmp_path, "cut.xlsx", data[: len(data) // 2])


def _encrypted_xlsx(tmp_path):
    # What Excel saves for a password-protected .xlsx: an OLE2 file with EncryptionInfo and
    # EncryptedPackage streams (contents here are filler; only the directory is looked at).
    return _write(tmp_path, "secret.xlsx", _cfb({"EncryptionInfo": b"\x04\x00\x04\x00",
                                                 "EncryptedPackage": b"\x00" * 5000}))


CASES = {
    "empty file": (lambda p: _write(p, "empty.xlsx", b""), "unreadable"),
    "text named xlsx": (lambda p: _write(p, "a.xlsx", "Tên,Số\nThôn 1,3\n".encode()), "unreadable"),
    "html named xls": (lambda p: _write(p, "web.xls", b"<html><table><tr><td>1</td></tr></table>"),
                       "unreadable"),
    "truncated zip": (_truncated, "unreadable"),
    "zip that is not a workbook": (_zip_of_text, "unreadable"),
    "only empty sheets": (_empty_sheets, "unreadable"),
    "missing file": (lambda p: p / "absent.xlsx", "unreadable"),
    "ole2 that is not a workbook": (lambda p: _write(p, "letter.xls", _cfb({"WordDocument": b"x"})),
                                    "unreadable"),
    "encrypted xlsx": (_encrypted_xlsx, "encrypted"),
    "encrypted xls": (lambda p: _encrypted_xls(p / "secret.xls", pytest.importorskip("xlwt")),
                      "encrypted"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_files_raise_read_error_with_vietnamese_message(tmp_path, case):
    build, code = CASES[case]
    path = build(tmp_path)
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    err = info.value
    assert err.code == code
    assert path.name in err.message and VIETNAMESE.search(err.message)
    assert err.message.endswith(".") and str(err) == err.message


def test_truncated_xls_is_called_damaged(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    data = _xls(tmp_path / "old.xls", xlwt).read_bytes()
    path = _write(tmp_path, "cut.xls", data[:1536])
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    assert info.value.code == "unreadable" and "hỏng" in info.value.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["random", "zip", "ole2", "cut xlsx"]), body=st.binary(max_size=3000),
       cut=st.integers(min_value=0, max_value=10_000))
def test_any_bytes_give_sheets_or_read_error_never_a_traceback(tmp_path_factory, kind, body, cut):
    tmp = tmp_path_factory.mktemp("fuzz")
    if kind == "cut xlsx":
        data = _report_xlsx(tmp / "r.xlsx").read_bytes()[:cut]
    else:
        data = {"random": b"", "zip": b"PK\x03\x04", "ole2": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}[kind]
        data += body
    try:
        sheets = read_workbook(_write(tmp, "f.xlsx", data))
    except ReadError as e:
        assert e.code in {"unreadable", "encrypted"} and e.message
    else:
        assert all(len({len(r) for r in s.rows}) <= 1 for s in sheets)


def test_encrypted_xlsx_fixture_is_a_valid_compound_file(tmp_path):
    # Without the EncryptionInfo check calamine would see this container as an .xls lacking its
    # Workbook stream; a broken fixture would instead fail on the OLE2 header.
    import python_calamine
    _encrypted_xlsx(tmp_path).rename(tmp_path / "secret.xls")
    with pytest.raises(python_calamine.CalamineError, match="(?i)workbook"):
        python_calamine.CalamineWorkbook.from_path(str(tmp_path / "secret.xls"))


def test_too_large_is_checked_before_opening(tmp_path):
    path = _write(tmp_path, "big.xlsx", b"not even a workbook" * 100)
    with pytest.raises(ReadError) as info:
        read_workbook(path, max_bytes=1000)
    assert info.value.code == "too_large" and "big.xlsx" in info.value.message
    assert "MB" in info.value.message and VIETNAMESE.search(info.value.message)


def test_stray_value_far_away_is_refused_not_allocated(tmp_path):
    # Values in A1 and XFD1048576 make calamine allocate 17 billion cells and abort the process.
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Tên chi bộ"
    wb.active["XFD1048576"] = "x"
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(ReadError) as info:
        read_workbook(tmp_path / "far.xlsx")
    assert info.value.code == "unreadable" and "XFD" in info.value.message


# --- zip bombs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", ["forged", "honest"])
def test_zip_bomb_is_refused_fast_and_small(tmp_path, headers):
    """300 MB of zeros as the sheet XML of an otherwise real workbook (about 300 KB on disk)."""
    members = _real_members(tmp_path)
    parts = [(n, _deflate(d), zlib.crc32(d), len(d)) for n, d in members.items()
             if n != "xl/worksheets/sheet1.xml"]
    size = 300 << 20
    if headers == "forged":  # a small size, and the CRC of that many zeros so it looks consistent
        declared, crc = 4096, zlib.crc32(bytes(4096))
    else:
        declared, crc = size, 0
        for _ in range(300):
            crc = zlib.crc32(bytes(1 << 20), crc)
    parts.append(("xl/worksheets/sheet1.xml", _zeros_deflated(300), crc, declared))
    path = _write(tmp_path, "bomb.xlsx", _zip_bytes(parts))
    assert path.stat().st_size < 2 << 20

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ReadError) as info:
            read_workbook(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.code == "unreadable" and "giải nén" in info.value.message
    assert elapsed < 5
    assert peak < 32 << 20


def test_hand_packed_zip_of_a_real_workbook_reads(tmp_path):
    # The packer used for bombs makes readable workbooks when it tells the truth.
    parts = [(n, _deflate(d), zlib.crc32(d), len(d)) for n, d in _real_members(tmp_path).items()]
    [sheet] = read_workbook(_write(tmp_path, "packed.xlsx", _zip_bytes(parts)))
    assert sheet.rows[5][2] == "Chi bộ thôn 1"


def test_many_members_each_small_but_too_much_together(tmp_path):
    members = _real_members(tmp_path)
    parts = [(n, _deflate(d), zlib.crc32(d), len(d)) for n, d in members.items()]
    chunk = bytes(8 << 20)
    bomb = (_deflate(chunk), zlib.crc32(chunk), len(chunk))
    parts += [(f"xl/media/image{i}.png", *bomb) for i in range(30)]  # 240 MB declared honestly
    with pytest.raises(ReadError) as info:
        read_workbook(_write(tmp_path, "images.xlsx", _zip_bytes(parts)))
    assert info.value.code == "unreadable"
    # the same archive passes when the limit allows it
    assert read_workbook(tmp_path / "images.xlsx", max_uncompressed=300 << 20)[0].rows[4][2]
