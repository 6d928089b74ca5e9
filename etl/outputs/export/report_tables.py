"""The Word report's compact summary tables (I15 submissions, I1–I4 committee meetings, I8
thematic meetings by quarter): takes a `YearData`, returns table rows (header row first) of
indicator-layer figures written in Vietnamese style. report_text.py places them.
"""
from __future__ import annotations

from etl import vnformat as vn
from etl.labels import NOT_REPORTED
from etl.outputs.export.data import YearData, row
from etl.outputs.export.labels import QUARTERS, month_numbers, quarter_covered
from etl.outputs.export.xlsx import missing


def submissions_rows(data: YearData) -> list[list[str]]:
    """I15 over the year: owed (months due), sent, on time, late, overdue, not yet due."""
    s = row(data.submissions_total)
    rows = [["Báo cáo tháng", "Số báo cáo", "Tỷ lệ"],
            ["Phải nộp (các tháng đã đến hạn)", vn.number(s["due_months"]), ""],
            ["Đã nộp", vn.number(s["reported_months"]), vn.percent(s["i15_reported_share_due"])],
            ["Trong đó: nộp đúng hạn", vn.number(s["on_time_months"]), vn.percent(s["i15_on_time_share_due"])],
            ["Nộp muộn", vn.number(s["late_months"]), ""],
            ["Quá hạn chưa nộp", vn.number(s["missing_months"]), ""]]
    if s["pending_months"]:
        rows.append(["Chưa đến hạn nộp (không tính)", vn.number(s["pending_months"]), ""])
    return rows


def committee_rows(data: YearData) -> list[list[str]]:
    """I1–I4 of the communes' committees."""
    c = row(data.committee_total)
    median = c.get("i3_median_days")
    rows = [["Chỉ số", "Kết quả", "Tỷ lệ"],
            ["Tháng có hội nghị Ban Chấp hành thường kỳ / tháng có báo cáo (I1)",
             vn.ratio(c["months_with_regular_bch"], c["reported_months"]), vn.percent(c["i1_regular_bch_share"])],
            ["Hội nghị cấp ủy có ban hành nghị quyết, kết luận / hội nghị (I2)",
             vn.ratio(c["meetings_with_conclusion"], c["meetings"]), vn.percent(c["i2_conclusion_share"])],
            ["Thời gian từ hội nghị đến ngày ban hành nghị quyết, kết luận, trung vị (I3)",
             vn.DASH if missing(median) else f"{vn.tenths(median)} ngày", ""],
            [f"Tháng triển khai nhiệm vụ đến chi bộ trước ngày {data.settings.tasks_deadline_day} / tháng có "
             "ghi ngày triển khai (I4)",
             vn.ratio(c["months_tasks_on_time"], c["months_with_tasks_date"]), vn.percent(c["i4_tasks_on_time_share"])]]
    if c["months_without_tasks_date"]:
        rows.append(["Tháng báo cáo không ghi ngày triển khai nhiệm vụ", vn.number(c["months_without_tasks_date"]), ""])
    return rows


def thematic_rows(data: YearData) -> list[list[str]]:
    """I8 by quarter; a partial quarter names its months, one not yet due says so."""
    t = data.thematic_total.set_index("quarter") if len(data.thematic_total) else None
    rows = [["Quý", "Chi bộ có sinh hoạt chuyên đề / chi bộ đã báo cáo", "Tỷ lệ"]]
    for k in data.quarters:
        key, months = f"{data.year}-Q{k}", quarter_covered(data, k)
        name = QUARTERS[k - 1] + (f" (số liệu tháng {month_numbers(months)})" if 0 < len(months) < 3 else "")
        if not months:
            rows.append([name, "Chưa đến hạn báo cáo", ""])
        elif t is None or key not in t.index or not t.loc[key, "reported"]:
            rows.append([name, NOT_REPORTED, ""])
        else:
            q = t.loc[key]
            rows.append([name, vn.ratio(q["branches_with_thematic"], q["branches_reported"]),
                         vn.percent(q["i8_thematic_share"])])
    return rows
