"""The communes the Word report names: months past their deadline without a report, I5 below
the common level, recruitment behind its target, year-end rating not reported. Takes a
`YearData`, returns each list as a `Listing` of (commune, detail) items.

A sentence names a list of up to LIST_AT_MOST communes; a longer one (a province has 100+
communes) is referred to by its count and printed whole in the report's appendix 2, so no
name is ever left out silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from etl import vnformat as vn
from etl.outputs.export.data import YearData, by_commune
from etl.outputs.export.labels import month_numbers
from etl.outputs.export.xlsx import missing

LIST_AT_MOST = 10   # names in a sentence; a longer list goes to appendix 2
APPENDIX = "Phụ lục 2"


@dataclass
class Listing:
    title: str                                   # heading of its table in appendix 2
    detail: str                                  # header of the detail column ("" : none)
    items: list[tuple[str, str]] = field(default_factory=list)   # (commune name, detail)
    count: int = 0                               # what the items count (months, for unreported)

    @property
    def long(self) -> bool:
        return len(self.items) > LIST_AT_MOST

    def inline(self, details: bool = True) -> str:
        """'Xã A (tháng 3); Xã B (tháng 5)', or for a long list '14 đảng bộ (danh sách tại
        Phụ lục 2)'."""
        if self.long:
            return f"{vn.number(len(self.items))} đảng bộ (danh sách tại {APPENDIX})"
        return "; ".join(f"{name} ({detail})" if detail and details else name
                         for name, detail in self.items)

    def rows(self) -> list[list[str]]:
        """Its appendix table: STT, Đảng bộ and the detail column."""
        heads = ["STT", "Đảng bộ"] + ([self.detail] if self.detail else [])
        return [heads] + [[str(i), name] + ([detail] if self.detail else [])
                          for i, (name, detail) in enumerate(self.items, start=1)]


def months_missing_everywhere(data: YearData) -> list[str]:
    """Due months ('YYYY-MM') for which no expected commune sent a report."""
    m = data.submissions_month
    if m.empty:
        return []
    gone = m[(m["expected_months"] > 0) & (m["missing_months"] == m["expected_months"])]
    return sorted(gone["period"])


def unreported(data: YearData) -> Listing:
    """Communes with months past their deadline and no report, leaving out the months no
    commune reported (said once, by months_missing_everywhere)."""
    out = Listing("Đảng bộ còn tháng quá hạn chưa gửi báo cáo", "Tháng quá hạn chưa báo cáo")
    sub = data.submissions
    if sub.empty:
        return out
    everywhere = set(months_missing_everywhere(data))
    gone = sub[(sub["status"] == "missing") & ~sub["period"].isin(everywhere)]
    for name, g in gone.groupby("commune_name", sort=True):
        out.items.append((name, "tháng " + month_numbers(g["period"])))
    out.count = len(gone)
    return out


def low_i5(data: YearData) -> Listing:
    out = Listing("Đảng bộ có tỷ lệ chi bộ sinh hoạt thường kỳ thấp hơn mức chung",
                  "Tỷ lệ chi bộ - tháng sinh hoạt thường kỳ (I5)")
    a = data.attention
    if len(a):
        out.items = [(r.commune_name, vn.percent(r.value)) for r in a[a["reason"] == "i5_below"].itertuples()]
    return out


def year_end(data: YearData) -> bool:
    """The recruitment position is taken at December: "chỉ tiêu", not "tiến độ"."""
    months = data.progress_total.get("months_elapsed")
    return months is not None and len(months) > 0 and not missing(months.iloc[0]) and \
        int(months.iloc[0]) == 12


def behind(data: YearData) -> Listing:
    title = ("Đảng bộ chưa đạt chỉ tiêu kết nạp đảng viên" if year_end(data)
             else "Đảng bộ chưa đạt tiến độ chỉ tiêu kết nạp đảng viên")
    out = Listing(title, "Đã kết nạp / chỉ tiêu năm")
    prog = data.progress
    if len(prog):
        late = prog[prog["on_track"] == False]  # noqa: E712 (NA-safe)
        out.items = [(b.commune_name, vn.ratio(b.admitted_ytd, b.target)) for b in late.itertuples()]
    return out


def unrated(data: YearData) -> Listing:
    out = Listing("Đảng bộ chưa báo cáo kết quả xếp loại cuối năm", "")
    per = by_commune(data.ratings, data)
    flags = per["reported"].to_dict() if "reported" in per.columns else {}
    for code, name in zip(data.communes["commune_code"], data.communes["commune_name"]):
        value = flags.get(code)
        if missing(value) or not value:
            out.items.append((name, ""))
    return out


def not_reported_targets(data: YearData) -> Listing:
    """Communes with a recruitment target that have reported nothing this year (I11 leaves
    their targets out of the total)."""
    out = Listing("Đảng bộ có chỉ tiêu kết nạp nhưng chưa báo cáo", "Chỉ tiêu năm")
    prog = data.progress
    if len(prog):
        gone = prog[prog["target"].notna() & (prog["reported"] == False)]  # noqa: E712 (NA-safe)
        out.items = [(r.commune_name, vn.number(r.target)) for r in gone.itertuples()]
    return out


def long_lists(data: YearData) -> list[Listing]:
    """The lists too long for a sentence, in the order the report mentions them."""
    rated = data.ratings_total.get("branches_rated")
    # communes without a rating are named only once some have one (else the report says "chưa
    # báo cáo" for all)
    some_rated = rated is not None and len(rated) and not missing(rated.iloc[0]) and rated.iloc[0] > 0
    return [x for x in (unreported(data), low_i5(data), unrated(data) if some_rated else None,
                        not_reported_targets(data), behind(data)) if x is not None and x.long]
