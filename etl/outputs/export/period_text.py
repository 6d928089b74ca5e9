"""The Word draft's wording that follows its period (etl.period): the title line, the month the
draft is dated in, the period its tasks look ahead to, and the comparisons of a shorter period's
figures with the same period a year before and with the month or quarter just before
("tăng 2,1 điểm phần trăm so với cùng kỳ"). A year keeps the December report's wording, and has
no comparison paragraph; an earlier period without any report reads "chưa có số liệu cùng kỳ"
(or "kỳ trước"), never 0.
"""
from __future__ import annotations

import pandas as pd

from etl import vnformat as vn
from etl.outputs.export.data import Earlier, YearData, row

# (what is compared, the Earlier / YearData total frame, its column, 'share' or 'count')
COMPARED = (
    ("tỷ lệ lượt chi bộ sinh hoạt thường kỳ (I5)", "meetings", "i5_held_share", "share"),
    ("tỷ lệ sinh hoạt đúng lịch (I6)", "meetings", "i6_on_schedule_share", "share"),
    ("tỷ lệ đảng viên dự sinh hoạt (I7)", "meetings", "i7_attendance_share", "share"),
    ("tỷ lệ cuộc sinh hoạt có cấp ủy viên cấp trên dự (I9)", "meetings", "i9_upper_attended_share", "share"),
    ("tỷ lệ sinh hoạt đạt khá trở lên (I10)", "quality", "kha_tro_len_share", "share"),
    ("tỷ lệ tháng có hội nghị Ban Chấp hành thường kỳ (I1)", "committee", "i1_regular_bch_share", "share"),
    ("tỷ lệ hội nghị ban hành nghị quyết, kết luận (I2)", "committee", "i2_conclusion_share", "share"),
    ("số đảng viên mới được kết nạp", "recruitment", "admitted", "count"),
    ("tỷ lệ báo cáo tháng gửi đúng hạn (I15)", "submissions", "i15_on_time_share_due", "share"),
)


def title(data: YearData) -> str:
    """The subject line under "BÁO CÁO"."""
    if data.annual:
        return f"Tình hình, chất lượng sinh hoạt chi bộ {data.when}"
    if data.period.kind == "half":
        return f"Sơ kết tình hình, chất lượng sinh hoạt cấp ủy, chi bộ {data.when}"
    return f"Tình hình sinh hoạt cấp ủy, chi bộ {data.when}"


def dated(data: YearData) -> str:
    """The month of the draft's date line: December for the year, else the month after the period."""
    month = data.period.last if data.annual else data.period.last.next()
    return f"tháng {month.number} năm {month.year}"


def ahead(data: YearData) -> str:
    """The heading of the tasks section: the next month, quarter, half-year or year."""
    return f"IV. PHƯƠNG HƯỚNG, NHIỆM VỤ {data.period.following().name.upper()}"


def _own(data: YearData, frame: str) -> pd.Series:
    """The period's own total row of `frame` (as Earlier names it)."""
    return row(getattr(data, "submissions_total" if frame == "submissions" else f"{frame}_total"))


def _change(now, before, kind: str) -> str:
    """'tăng 2,1 điểm phần trăm (85,3% so với 83,2%)', 'giảm 3 (12 so với 15)', 'không thay đổi (…)'."""
    if kind == "share":
        diff = round((float(now) - float(before)) * 100, 1)
        amount, shown = f"{vn.number(abs(diff), 1)} điểm phần trăm", f"{vn.percent(now)} so với {vn.percent(before)}"
    else:
        diff = int(now) - int(before)
        amount, shown = vn.number(abs(diff)), f"{vn.number(now)} so với {vn.number(before)}"
    word = "tăng " + amount if diff > 0 else "giảm " + amount if diff < 0 else "không thay đổi"
    return f"{word} ({shown})"


def comparison(data: YearData, earlier: Earlier, *, same_period: bool) -> str:
    """One paragraph: each compared figure against `earlier`, in words."""
    against = f"cùng kỳ ({earlier.period.name})" if same_period else earlier.period.name
    nothing = "chưa có số liệu cùng kỳ" if same_period else "chưa có số liệu kỳ trước"
    if not earlier.reported:
        return f"So với {against}: {nothing} (chưa có đảng bộ nào báo cáo)."
    parts = []
    for label, frame, column, kind in COMPARED:
        now, before = _own(data, frame).get(column), getattr(earlier, frame).get(column)
        if pd.isna(now):
            continue  # the period's own figure is "chưa báo cáo": said in its section
        parts.append(f"{label} {nothing}" if pd.isna(before) else f"{label} {_change(now, before, kind)}")
    return f"So với {against}: " + "; ".join(parts) + "." if parts else ""


def comparisons(data: YearData) -> list[str]:
    """The comparison paragraphs of a shorter period (none for a year)."""
    texts = [comparison(data, e, same_period=(e.period == data.period.a_year_before()))
             for e in data.earlier]
    return [t for t in texts if t]
