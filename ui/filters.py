"""The shared sidebar filters: year, month range, communes, branch kinds, presentation mode.

Every widget is bound to the URL query string, so a copied link reopens the same view and the
values carry from page to page. `sidebar()` renders them (dashboard.py calls it on every run,
before the page) and returns the Filters the page uses. Year, months and branch kinds use
Streamlit's bind="query-params". A choice of units (the communes here, a page's drill-down
with `select`) goes into the URL by code (?dang_bo=BL03): a bound widget would write the names it
displays, which a renamed commune breaks. A link naming a unit by name (made before) still opens
it; a value that matches no unit gets a Vietnamese notice (page.start shows `notices()`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from etl import indicators, text
from ui import auth, data
from ui.markup import md

YEAR, FIRST, LAST, COMMUNES, KINDS, PRESENT = "nam", "tu_thang", "den_thang", "dang_bo", "loai_chi_bo", "present"
NOTICES = "_url_notices"  # {URL parameter: Vietnamese notice} of link values that matched no unit
UNKNOWN_VN = "Liên kết có {what} không tìm thấy: {values}. {instead}"
UNKNOWN_SHOWN = 5  # link values a notice names; the others it counts ("và 3 giá trị khác")


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

    def describe(self, names: int | None = None, shown: Callable[[str], str] = str) -> str:
        """The active filters in one Vietnamese line, shown under every page title; at most
        `names` communes by name (a chart's subtitle), the others counted. `shown` writes each
        name and branch kind (registry text) for where the line goes (ui.markup)."""
        months = (f"tháng {self.first_month}" if self.first_month == self.last_month
                  else f"tháng {self.first_month}–{self.last_month}")
        named = [shown(self.name(c)) for c in self.communes[:names]]
        if len(named) < len(self.communes):
            named.append(f"và {len(self.communes) - len(named)} đảng bộ khác")
        units = ("Tất cả đảng bộ" if not self.communes
                 else f"{len(self.communes)} đảng bộ: " + ", ".join(named))
        kinds = "tất cả loại chi bộ" if not self.kinds else "loại chi bộ: " + ", ".join(map(shown, self.kinds))
        return f"Năm {self.year}, {months} · {units} · {kinds}"


def _from_url(key: str, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """The codes the URL parameter `key` names: by code, or by name (links made before codes were
    used; case and accents typed loosely); and the values that match no code of `names`."""
    by_name = {text.key(name): code for code, name in names.items() if name}
    codes, unknown = [], []
    for value in st.query_params.get_all(key):
        code = value if value in names else by_name.get(text.key(value))
        if code:
            codes.append(code)
        elif value.strip():
            unknown.append(value)
    return list(dict.fromkeys(codes)), unknown


def _to_url(key: str, codes) -> None:
    """The chosen codes into the URL (nothing when none is chosen), only when they changed."""
    codes = [c for c in codes if c is not None]
    if st.query_params.get_all(key) != codes:
        if codes:
            st.query_params[key] = codes
        elif key in st.query_params:
            del st.query_params[key]


def _seed(key: str, names: dict[str, str], what: str, instead: str) -> list[str]:
    """The codes the URL gives a widget that has no value yet; a notice (Markdown, the link's
    values as plain text) for the values it cannot place."""
    codes, unknown = _from_url(key, names)
    if unknown:
        values = [f"«{md(v)}»" for v in unknown[:UNKNOWN_SHOWN]]
        if len(unknown) > UNKNOWN_SHOWN:
            values.append(f"và {len(unknown) - UNKNOWN_SHOWN} giá trị khác")
        st.session_state.setdefault(NOTICES, {})[key] = UNKNOWN_VN.format(what=what, values=", ".join(values),
                                                                          instead=instead)
    return codes


def _forget(key: str) -> None:
    """Widget callback: the user chose, the link's notice about this widget is over."""
    st.session_state.get(NOTICES, {}).pop(key, None)


def notices(*keys: str) -> list[str]:
    """The notices about the link's values for these URL parameters (all when none is named)."""
    found = st.session_state.get(NOTICES, {})
    return [notice for key, notice in found.items() if not keys or key in keys]


def select(label: str, options: list[str], *, key: str, default: str, names: dict[str, str], what: str,
           container=st) -> str:
    """A selectbox of unit codes shown by name, its choice kept in the URL by code (see above);
    `default` when the URL names none of `options`."""
    if st.session_state.get(key) not in options:  # first visit, or the options changed
        chosen = [c for c in _seed(key, names, what, f"Đang xem {md(names.get(default) or default)}.")
                  if c in options]
        st.session_state[key] = chosen[0] if chosen else default
    value = container.selectbox(label, options, key=key, format_func=lambda c: names.get(c) or c,
                                on_change=_forget, args=(key,))
    for notice in notices(key):  # under the widget it is about, until the user chooses
        container.warning(notice, icon=":material/link_off:")
    _to_url(key, [value])
    return value


def presenting() -> bool:
    """Presentation mode, from the toggle or ?present=1 (read before the sidebar is drawn)."""
    value = st.session_state.get(PRESENT)
    if value is None:
        value = str(st.query_params.get(PRESENT, "")).lower() in ("1", "true", "yes")
        st.session_state[PRESENT] = value
    return bool(value)


def sidebar() -> Filters | None:
    periods = data.available_periods()
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
    units = data.communes(year_scope)
    names = tuple(zip(units["commune_code"], units["commune_name"]))
    lookup = dict(names)
    if auth.may("view_all"):
        if COMMUNES not in st.session_state:  # a new session: the link's choice
            st.session_state[COMMUNES] = [c for c in _seed(COMMUNES, lookup, "đảng bộ", "Đang xem các đảng bộ còn lại "
                                          "(hoặc tất cả nếu không còn đảng bộ nào).") if c in lookup]
        # select_all=False: its "Select all" is English, and choosing none already means all
        communes = side.multiselect("Đảng bộ", list(lookup), key=COMMUNES, format_func=lambda c: lookup.get(c, c),
                                    placeholder="Tất cả đảng bộ", select_all=False, on_change=_forget, args=(COMMUNES,))
        _to_url(COMMUNES, communes)
    else:  # a commune account: its own commune, whatever the URL says (ui.data narrows every call too)
        communes = auth.communes(())
        side.markdown(f"**Đảng bộ:** {', '.join(md(lookup.get(c, c)) for c in communes)}")
    kinds = data.branch_kinds(year_scope)["branch_kind"].tolist()
    chosen = side.multiselect("Loại chi bộ", kinds, key=KINDS, bind="query-params", placeholder="Tất cả loại chi bộ",
                              select_all=False)
    return Filters(year, first, last, tuple(communes), tuple(chosen), names)


_CHOSEN = "_filters"  # session key of this run's filters; written by `use` only


def use(chosen: Filters | None) -> Filters | None:
    """Makes `chosen` the filters of this run's page (dashboard.py, from the sidebar; None when
    there is no data to filter)."""
    st.session_state[_CHOSEN] = chosen
    return chosen


def current() -> Filters | None:
    """The filters dashboard.py chose for this run (`use`)."""
    return st.session_state.get(_CHOSEN)
