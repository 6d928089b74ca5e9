"""Vietnamese labels of the export, kept together for review: category, status and rating names
(from the form definitions, SPEC §1), quarter headers, the total row's name, and the line that
says which communes a file covers.
"""
from __future__ import annotations

from etl.forms.spec import CATEGORIES, QUALITY_LABELS, STATUS_LABELS

TOTAL = "Toàn Đảng bộ"
QUARTERS = ("Quý I", "Quý II", "Quý III", "Quý IV")
CATEGORY_LABELS = dict(CATEGORIES)
FINDING_STATUS = dict(STATUS_LABELS)  # open / in_progress / resolved -> Chưa / Đang / Đã khắc phục
QUALITY = dict(QUALITY_LABELS)
ORG_RATINGS = {"xuat_sac": "Hoàn thành xuất sắc nhiệm vụ", "tot": "Hoàn thành tốt nhiệm vụ",
               "hoan_thanh": "Hoàn thành nhiệm vụ", "khong_hoan_thanh": "Không hoàn thành nhiệm vụ"}


def scope_text(data) -> str:
    """'Toàn Đảng bộ: 14 đảng bộ cơ sở' or 'Các đảng bộ được chọn: Xã A, Xã B'."""
    names = list(data.communes["commune_name"])
    if not data.filtered:
        return f"{TOTAL}: {len(names)} đảng bộ cơ sở, năm {data.year}"
    shown = ", ".join(names[:8]) + (f" và {len(names) - 8} đảng bộ khác" if len(names) > 8 else "")
    return f"Các đảng bộ được chọn ({len(names)}): {shown or 'không có'}, năm {data.year}"


def total_label(data) -> str:
    """The total row's name: the whole organisation, or the selected communes together."""
    return TOTAL if not data.filtered else "Cộng các đảng bộ được chọn"
