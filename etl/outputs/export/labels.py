"""The export's own wording, built on etl/labels.py (the names of codes, the total rule):
quarter headers (partial quarters of a year in progress marked), the total row's name, and the
line that says which communes and months a file covers.
"""
from __future__ import annotations

from etl import labels
from etl import vnformat as vn
from etl.labels import TOTAL

QUARTERS = ("Quý I", "Quý II", "Quý III", "Quý IV")


def scope_text(data) -> str:
    """'Toàn Đảng bộ: 14 đảng bộ cơ sở' or 'Các đảng bộ được chọn: Xã A, Xã B'."""
    names = list(data.communes["commune_name"])
    upto = f" (số liệu đến tháng {through_text(data)})" if data.in_progress else ""
    if not data.filtered:
        return f"{TOTAL}: {len(names)} đảng bộ cơ sở, {data.when}{upto}"
    shown = ", ".join(names[:8]) + (f" và {len(names) - 8} đảng bộ khác" if len(names) > 8 else "")
    return f"Các đảng bộ được chọn ({len(names)}): {shown or 'không có'}, {data.when}{upto}"


_UNIT_KINDS = ("Xã ", "Thị trấn ", "Phường ", "Đặc khu ")


def in_sentence(name: str) -> str:
    """A commune's name inside a sentence, after "Đảng bộ" or "Đảng ủy": the unit kind that
    opens it is written in lower case ('Xã Lộc Đức' -> 'xã Lộc Đức')."""
    for kind in _UNIT_KINDS:
        if name.startswith(kind):
            return kind.lower() + name[len(kind):]
    return name


def total_label(data) -> str:
    """The total row's name: the whole organisation, or the selected communes together."""
    return labels.total_name(not data.filtered, labels.SELECTED_TOTAL)


def month_numbers(periods) -> str:
    """['2026-11', '2026-12'] -> '11, 12'."""
    return ", ".join(str(int(p[5:])) for p in sorted(periods))


def quarter_covered(data, k: int) -> list[str]:
    """The covered months ('YYYY-MM') of quarter k (1–4) of the export's year."""
    months = {f"{data.year}-{m:02d}" for m in range(3 * k - 2, 3 * k + 1)}
    return sorted(months & set(data.covered_months()))


def quarter_head(data, k: int) -> str:
    """Sheet header of quarter k: 'Quý IV', a partial one 'Quý IV (T10)', one not yet due
    'Quý IV (chưa đến hạn)'."""
    months = quarter_covered(data, k)
    if len(months) == 3:
        return QUARTERS[k - 1]
    if not months:
        return f"{QUARTERS[k - 1]} (chưa đến hạn)"
    return f"{QUARTERS[k - 1]} ({', '.join('T' + str(int(m[5:])) for m in months)})"


def through_text(data) -> str:
    """'10/2026': the newest month the export's figures cover."""
    return f"{int(data.covered.last[5:])}/{data.covered.last[:4]}"


def coverage_sentence(data) -> str:
    """'Số liệu tính đến tháng 10/2026; tháng 11, 12 chưa đến hạn báo cáo.' for a year in
    progress, '' for a finished one (ind.coverage)."""
    if not data.in_progress:
        return ""
    cov = data.coverage.set_index("period")
    last = data.covered.last
    text = f"Số liệu tính đến tháng {through_text(data)}"
    if last in cov.index and not cov.loc[last, "due"]:
        # reports sent ahead of the deadline: the month is shown, and said to be incomplete
        text += (f" (tháng {int(last[5:])} chưa đến hạn nộp, mới có "
                 f"{vn.ratio(cov.loc[last, 'reported_months'], cov.loc[last, 'expected_months'])} "
                 "đảng bộ gửi báo cáo)")
    later = list(cov.index[~cov["covered"]])
    return text + f"; tháng {month_numbers(later)} chưa đến hạn báo cáo."
