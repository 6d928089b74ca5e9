"""One workbook sheet per commune: its branches' months (held, date, attendance, thematic,
upper-level attendance, quality). Takes a `Book` and a `YearData`; writes the sheets.

Figures (held, attended, expected, shares) are the indicator layer's branch x month rows;
the meeting date, thematic topic and quality label are the export's detail read (data.py).
A branch-month without a report reads "Chưa báo cáo", never "Không" or 0.
"""
from __future__ import annotations

import pandas as pd

from etl import labels
from etl.labels import NOT_REPORTED
from etl.outputs.export.data import YearData
from etl.outputs.export.xlsx import DASH, Book, Header, Sheet, missing

HEADERS = [Header("STT", 5), Header("Chi bộ", 26), Header("Tháng", 8),
           Header("Sinh hoạt thường kỳ", 11), Header("Ngày sinh hoạt", 11),
           Header("Đảng viên dự", 9), Header("Đảng viên phải dự", 9), Header("Tỷ lệ dự", 8),
           Header("Cấp ủy cấp trên dự", 9), Header("Sinh hoạt chuyên đề", 10),
           Header("Chủ đề chuyên đề", 30), Header("Tự đánh giá chất lượng", 11)]


def write_commune_sheets(book: Book, data: YearData) -> None:
    if data.branch_months.empty:
        return
    # one join and one split for all communes (a lookup per row costs seconds at province size);
    # the join only places the detail text next to the indicator row of the same branch-month
    detail = data.details[["branch_code", "period", "meeting_date", "thematic", "thematic_topic",
                           "quality"]]
    rows = data.branch_months.merge(detail, on=["branch_code", "period"], how="left", sort=False)
    for code, part in rows.groupby("commune_code", sort=False):
        _commune_sheet(book, data, code, part)


def _commune_sheet(book: Book, data: YearData, code: str, part: pd.DataFrame) -> None:
    name = part["commune_name"].iloc[0] if not missing(part["commune_name"].iloc[0]) else code
    sheet = Sheet(book, f"ĐẢNG BỘ {name.upper()} – SINH HOẠT CHI BỘ {data.when.upper()}",
                  f"Mỗi chi bộ một dòng mỗi tháng; \"{NOT_REPORTED}\": tháng chi bộ chưa có trong "
                  "báo cáo của đảng bộ.", name)
    r, ncols = sheet.headers(3, HEADERS)
    first = r
    ws, fmt = sheet.ws, book.fmt
    # ~47,000 rows at province size: formats and labels prepared once, cells written directly
    f_stt, f_text, f_center, f_missing = fmt("stt"), fmt("text"), fmt("center"), fmt("missing")
    f_int, f_pct, f_date, f_wrap = fmt("int"), fmt("pct"), fmt("date"), fmt("wrap")
    names = part["branch_name"].fillna(part["branch_code"])
    months = part["period"].str.slice(5).astype(int).astype(str) + "/" + part["period"].str.slice(0, 4)
    number = (part["branch_code"] != part["branch_code"].shift()).cumsum()
    columns = zip(number, names, months, part["reported"], part["held"], part["meeting_date"],
                  part["members_attended"], part["members_expected"], part["i7_attendance_share"],
                  part["upper_attended"], part["thematic"], part["thematic_topic"], part["quality"])
    for (no, branch, month, reported, held, day, attended, expected, share, upper, thematic,
         topic, quality) in columns:
        ws.write_number(r, 0, no, f_stt)
        ws.write_string(r, 1, branch, f_text)
        ws.write_string(r, 2, month, f_center)
        if not reported:
            ws.write_string(r, 3, NOT_REPORTED, f_missing)
            for c in range(4, ncols):
                ws.write_blank(r, c, None, f_text)
            r += 1
            continue
        if not missing(held) and held > 0:
            ws.write_string(r, 3, "Có", f_center)
            if missing(day):
                ws.write_blank(r, 4, None, f_date)
            else:
                ws.write_datetime(r, 4, day.to_pydatetime(), f_date)
            ws.write_number(r, 5, attended, f_int)
            ws.write_number(r, 6, expected, f_int)
            if missing(share):
                ws.write_string(r, 7, DASH, f_missing)  # nobody expected: nothing to divide by
            else:
                ws.write_number(r, 7, share, f_pct)
            ws.write_string(r, 8, "Có" if upper else "Không", f_center)
        else:
            ws.write_string(r, 3, "Không", f_center)
            for c in range(4, 9):
                ws.write_blank(r, c, None, f_text)
        ws.write_string(r, 9, "Có" if not missing(thematic) and thematic else "Không", f_center)
        if missing(topic):
            ws.write_blank(r, 10, None, f_wrap)
        else:
            ws.write_string(r, 10, str(topic), f_wrap)  # report text: a string, never a formula
            sheet.wrapped(r, 10, str(topic))
        ws.write_string(r, 11, "" if missing(quality) else labels.QUALITY.get(quality, ""), f_center)
        r += 1
    sheet.widths[1] = max(sheet.widths.get(1, 0), min(int(names.str.len().max()) + 2, 45))
    sheet.note(r + 1, "Số liệu tổng hợp của đảng bộ: trang \"Tổng hợp\". Tỷ lệ dự = đảng viên dự "
                      "÷ (tổng số đảng viên − đảng viên được miễn sinh hoạt).")
    sheet.finish(3, 3, ncols, autofilter_last=r - 1 if r > first else None)
