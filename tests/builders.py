"""Workbooks for tests, built by code: a workbook is a dict of sheet name -> grid (list of rows).

Tests take a default grid, change the cells they care about (so the cell an error must name is
visible in the test) and write it with `write_book`. Nothing here is committed as a binary.
"""
from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

FIXED_TIME = datetime(2024, 1, 1)

COMMUNES = [  # code, name, kind, valid_from, valid_to, merged_into, other names
    ("X01", "Lộc Ngãi", "Xã", None, None, None, "Loc Ngai cu"),
    ("X02", "Lộc Quảng", "Xã", None, None, None, None),
    ("X03", "Lộc Thắng", "Thị trấn", None, None, None, None),
    ("X04", "Hòa Bắc", "Xã", None, None, None, None),
    ("X05", "Lộc Quang", "Xã", None, "2024-06-30", "X02", None),
]
BRANCHES = [  # code, name, commune, kind, valid_from, valid_to
    ("X01-01", "Chi bộ thôn 1", "X01", "Thôn", None, None),
    ("X01-02", "Chi bộ thôn 2", "X01", "Thôn", None, None),
    ("X01-03", "Chi bộ Trường Tiểu học Lộc Ngãi", "X01", "Trường học", None, None),
    ("X01-04", "Chi bộ Trạm Y tế", "X01", "Y tế", None, None),
    ("X02-01", "Chi bộ thôn 1", "X02", "Thôn", None, None),
    ("X02-02", "Chi bộ Công an xã", "X02", "Công an", None, None),
    ("X03-01", "Chi bộ Tổ dân phố 1", "X03", "Tổ dân phố", None, None),
    ("X04-01", "Chi bộ thôn Thủy Lợi", "X04", "Thôn", None, None),
]
BRANCH_HEADERS = ["STT", "Mã chi bộ", "Tên chi bộ", "Tổng số đảng viên", "Số đảng viên được miễn sinh hoạt",
                  "Sinh hoạt thường kỳ", "Ngày sinh hoạt", "Số đảng viên dự", "Sinh hoạt chuyên đề",
                  "Chủ đề chuyên đề", "Cấp ủy viên cấp trên dự", "Tự đánh giá chất lượng", "Ghi chú"]
COMMITTEE_HEADERS = ["Ngày họp", "Hội nghị", "Hình thức", "Số ủy viên", "Số có mặt",
                     "Ban hành nghị quyết/kết luận", "Số hiệu văn bản", "Ngày ban hành", "Cấp ủy cấp trên dự",
                     "Ghi chú"]
RECRUITMENT_HEADERS = ["Tên chi bộ", "Quần chúng học lớp nhận thức về Đảng", "Kết nạp mới", "Công nhận chính thức",
                       "Chuyển đến", "Chuyển đi", "Từ trần", "Xóa tên, khai trừ, ra khỏi Đảng",
                       "Đảng viên đi làm ăn xa"]
RATINGS_HEADERS = ["Tên chi bộ", "Xếp loại tổ chức đảng", "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
                   "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]
COVER = "Thông tin chung"
S1, S2, S3, S4 = "1. Hội nghị cấp ủy", "2. Sinh hoạt chi bộ", "3. Phát triển đảng viên", "4. Xếp loại cuối năm"


def registry_book(communes=COMMUNES, branches=BRANCHES) -> dict:
    return {
        "Đảng bộ": [["Mã", "Tên", "Loại", "Hiệu lực từ", "Hiệu lực đến", "Sáp nhập vào", "Tên khác"],
                    *[list(c) for c in communes]],
        "Chi bộ": [["Mã chi bộ", "Tên chi bộ", "Mã đảng bộ", "Loại chi bộ", "Hiệu lực từ", "Hiệu lực đến"],
                   *[list(b) for b in branches]],
    }


def monthly_book(commune="Lộc Ngãi", month=3, year=2024, branches=None) -> dict:
    """A valid March 2024 report of Lộc Ngãi: cover, committee (header row 3), branches (header row 4:
    data from row 5, so branch i is on row 5 + i), recruitment (header row 3)."""
    names = branches or ["Chi bộ thôn 1", "Chi bộ thôn 2", "Chi bộ Trường Tiểu học Lộc Ngãi", "Chi bộ Trạm Y tế"]
    day = f"/{month:02d}/{year}"
    return {
        COVER: [["THÔNG TIN CHUNG"], ["Đảng bộ", commune], ["Tháng", month], ["Năm", year],
                ["Ngày lập", f"05{day}"], ["Người lập", "Nguyễn Văn A"],
                ["Ngày triển khai nhiệm vụ tháng sau cho chi bộ", f"28{day}"]],
        S1: [[f"ĐẢNG ỦY XÃ {commune.upper()}"], [],
             COMMITTEE_HEADERS,
             [f"02{day}", "Ban Chấp hành", "Thường kỳ", 15, 14, "Có", "15-KL/ĐU", f"04{day}", "x", None],
             [f"20{day}", "Ban Thường vụ", "Bất thường", 5, 5, "Không", None, None, None, "Họp đột xuất"]],
        S2: [["ĐẢNG ỦY XÃ " + commune.upper()], [f"BÁO CÁO SINH HOẠT CHI BỘ THÁNG {month} NĂM {year}"], [],
             BRANCH_HEADERS,
             *[[i + 1, None, n, 20 + i, 1, "x", f"0{3 + i % 4}{day}", 17 + i, "x" if i == 0 else None,
                "Học tập Bác" if i == 0 else None, "Có" if i % 2 else None, ["Tốt", "Khá", "Trung bình", "Kém"][i % 4],
                None] for i, n in enumerate(names)]],
        S3: [["PHÁT TRIỂN ĐẢNG VIÊN"], [], RECRUITMENT_HEADERS,
             *[[n, 1, 1 if i == 0 else 0, 0, 0, 0, 0, 0, 2] for i, n in enumerate(names)]],
    }


def ratings_grid(branches=None) -> list:
    """Sheet 4 of a December report (header row 3: branch i on row 4 + i), every branch rated."""
    names = branches or ["Chi bộ thôn 1", "Chi bộ thôn 2", "Chi bộ Trường Tiểu học Lộc Ngãi", "Chi bộ Trạm Y tế"]
    return [["XẾP LOẠI CUỐI NĂM"], [], RATINGS_HEADERS,
            *[[n, "Hoàn thành tốt nhiệm vụ", 1, 15 + i, 3, 0] for i, n in enumerate(names)]]


def targets_book(rows=(("Lộc Ngãi", 2024, 10), ("X02", 2024, 8), ("Lộc Thắng", 2024, 5))) -> dict:
    return {"Chỉ tiêu": [["CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN"], ["Đảng bộ", "Năm", "Chỉ tiêu kết nạp"], *map(list, rows)]}


def inspections_book() -> dict:
    return {"Sổ kiểm tra": [
        ["SỔ THEO DÕI KẾT QUẢ KIỂM TRA"], [],
        ["Số kế hoạch", "Ngày kiểm tra", "Đảng bộ", "Chi bộ", "Nhóm hạn chế", "Nội dung hạn chế", "Kiến nghị",
         "Hạn khắc phục", "Tình trạng", "Ngày khắc phục", "Ghi chú"],
        ["06-KH/BTCHU", "10/04/2024", "Lộc Ngãi", "Chi bộ thôn 1", "BIEN_BAN", "Biên bản ghi sơ sài",
         "Ghi đầy đủ biên bản", "30/06/2024", "Đã khắc phục", "20/06/2024", None],
        ["06-KH/BTCHU", "11/04/2024", "Lộc Quảng", None, "Không ban hành kết luận/nghị quyết sau hội nghị",
         "=Không ban hành kết luận", "Ban hành kết luận sau mỗi hội nghị", "31/05/2024", "Chưa khắc phục", None, None],
    ]}


def clone(book: dict) -> dict:
    return copy.deepcopy(book)


def nfd(book: dict) -> dict:
    return {unicodedata.normalize("NFD", name): [[unicodedata.normalize("NFD", v) if isinstance(v, str) else v
                                                  for v in row] for row in grid] for name, grid in book.items()}


def write_book(path: Path, book: dict, merges: dict | None = None) -> Path:
    """Write the grids; strings starting with '=' are written as text, never as formulas."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in book.items():
        ws = wb.create_sheet(name[:31])
        for r, row in enumerate(grid, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(r, c, v)
                if isinstance(v, str) and v.startswith("="):
                    cell.data_type = "s"
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    # openpyxl stamps the save time in docProps/core.xml (whatever the properties say) and in
    # every zip entry: fix both, so the same book written a second later has the same bytes
    # (tests of "unchanged" need that)
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.isoformat().encode() + b"Z",
                                 content)
            out.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6]), content)
    return path


def codes(result) -> list[tuple[str, str | None]]:
    """The problems of a result as [(code, cell)], the shape tests assert on."""
    return [(p.code, p.cell) for p in result.problems]
