"""The shared sidebar filters: year, month range, communes, branch kinds, presentation mode.

Every widget is bound to the URL query string (Streamlit's bind="query-params"), so a copied
link reopens the same view and the values carry from page to page. `sidebar()` renders them
(dashboard.py calls it on every run, before the page) and returns the Filters the page uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from etl import indicators
from ui import auth, data

YEAR, FIRST, LAST, COMMUNES, KINDS, PRESENT = "nam", "tu_thang", "den_thang", "dang_bo", "loai_chi_bo", "present"


@dataclass(frozen=True)
class Filters:
    year: int
    first_month: int
    last_month: int
    communes: tuple[str, ...]
    kinds: tuple[str, ...]
    names: tuple[tuple[str, str], ...]  # (code, name) of every commune of the year, for labels

    @property
    def scope(self) -> indicators.Scope:
        return indicators.Scope(f"{self.year:04d}-{self.first_month:02d}", f"{self.year:04d}-{self.last_month:02d}",
                                self.communes, self.kinds)

    def name(self, code: str) -> str:
        return dict(self.names).get(code, code)

    def describe(self, names: int | None = None) -> str:
        """The active filters in one Vietnamese line, shown under every page title; at most
        `names` communes by name (a chart's subtitle), the others counted."""
        months = (f"tháng {self.first_month}" if self.first_month == self.last_month
                  else f"tháng {self.first_month}–{self.last_month}")
        named = [self.name(c) for c in self.communes[:names]]
        if len(named) < len(self.communes):
            named.append(f"và {len(self.communes) - len(named)} đảng bộ khác")
        units = ("Tất cả đảng bộ" if not self.communes
                 else f"{len(self.communes)} đảng bộ: " + ", ".join(named))
        kinds = "tất cả loại chi bộ" if not self.kinds else "loại chi bộ: " + ", ".join(self.kinds)
        return f"Năm {self.year}, {months} · {units} · {kinds}"


def presenting() -> bool:
    """Presentation mode, from the toggle or ?present=1 (read before the sidebar is drawn)."""
    value = st.session_state.get(PRESENT)
    if value is None:
        value = str(st.query_params.get(PRESENT, "")).lower() in ("1", "true", "yes")
        st.session_state[PRESENT] = value
    return bool(value)


def sidebar() -> Filters | None:
    periods = data.call("available_periods")
    if not periods:
        return None
    years = sorted({int(p[:4]) for p in periods}, reverse=True)
    side = st.sidebar
    side.toggle("Chế độ trình chiếu", key=PRESENT, help="Ẩn thanh bên, chữ và biểu đồ lớn; phím ← → chuyển biểu đồ.")
    year = side.selectbox("Năm", years, key=YEAR, bind="query-params")
    last_with_data = max(int(p[5:]) for p in periods if p.startswith(f"{year:04d}"))
    months = list(range(1, 13))
    # No format_func: a bound widget writes its displayed text into the URL, and ?tu_thang=3
    # must stay a link people can type.
    first = side.selectbox("Từ tháng", months, index=0, key=FIRST, bind="query-params")
    last = side.selectbox("Đến tháng", months, index=last_with_data - 1, key=LAST, bind="query-params")
    if first > last:
        side.warning("Tháng bắt đầu sau tháng kết thúc: đã đổi chỗ hai tháng.")
        first, last = last, first
    year_scope = indicators.Scope.for_year(year)
    units = data.call("communes", year_scope)
    names = tuple(zip(units["commune_code"], units["commune_name"]))
    lookup = dict(names)
    if auth.may("view_all"):
        communes = side.multiselect("Đảng bộ", list(lookup), key=COMMUNES, bind="query-params",
                                    format_func=lambda c: lookup.get(c, c), placeholder="Tất cả đảng bộ")
    else:  # a commune account: its own commune, whatever the URL says (ui.data narrows every call too)
        communes = auth.communes(())
        side.markdown(f"**Đảng bộ:** {', '.join(lookup.get(c, c) for c in communes)}")
    kinds = data.call("branch_kinds", year_scope)["branch_kind"].tolist()
    chosen = side.multiselect("Loại chi bộ", kinds, key=KINDS, bind="query-params", placeholder="Tất cả loại chi bộ")
    return Filters(year, first, last, tuple(communes), tuple(chosen), names)


def current() -> Filters | None:
    return st.session_state.get("_filters")
