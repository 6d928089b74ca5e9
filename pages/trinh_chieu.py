"""Trình chiếu: the key charts one at a time, big, for the standing committee's meeting.

Slides: I5 by commune, quality (I10) by commune, I5 commune × month heat map, recruitment against
the target (I11), report submission status by month (I15), overdue inspection findings (I14).
Each slide is built from `data.call(...)` and a ui/charts builder with big=True. The slide moves
with the ← → keys (the buttons' keyboard shortcuts), the buttons, or by itself every N seconds
(an st.fragment with run_every, so only the slide reruns). At province scale a by-commune chart
shows the MAX_UNITS communes that need attention most, and says so.
"""
import math
import time

import pandas as pd
import streamlit as st

from etl import vnformat as vn
from ui import charts, data, filters, page, present

MAX_UNITS = 15  # bars still readable from the back of a meeting room
SECONDS = (5, 10, 15, 20, 30, 60)
INDEX, SHOWN_AT, OUTER = "slide", "_slide_shown_at", "_slide_full_run"
HEIGHT = {True: 450, False: 640}  # presentation: title, filters, chart and buttons fit 1366×768


def _lowest(df: pd.DataFrame, value: str) -> tuple[pd.DataFrame, str]:
    """The MAX_UNITS lowest units (unreported ones first) and a note saying the list is cut."""
    if len(df) <= MAX_UNITS:
        return df, ""
    cut = df.sort_values(value, ascending=True, na_position="first").head(MAX_UNITS)
    return cut, f"{MAX_UNITS} đảng bộ thấp nhất trong {vn.number(len(df))} đảng bộ."


def i5_by_commune(f, big):
    by = data.call("branch_meetings", f.scope, by="commune")
    total = data.call("branch_meetings", f.scope, by="total").iloc[0]["i5_held_share"]
    shown, note = _lowest(by, "i5_held_share")
    return charts.rate_bars(shown, label="commune_name", value="i5_held_share", reference=total, big=big), note


def quality_by_commune(f, big):
    by = data.call("quality", f.scope, by="commune")
    shown, note = _lowest(by, "kha_tro_len_share")
    return charts.quality_stack(shown, label="commune_name", big=big), note


def i5_heatmap(f, big):
    by = data.call("branch_meetings", f.scope, by="commune")
    shown, note = _lowest(by, "i5_held_share")
    grid = data.call("branch_meetings", f.scope, by="commune_month")
    grid = grid[grid["commune_code"].isin(shown["commune_code"])]
    return charts.heatmap(grid, row="commune_name", column="period", value="i5_held_share", big=big), note


def recruitment(f, big):
    by = data.call("recruitment_progress", f.scope, by="commune")
    shown, note = _lowest(by, "i11_target_share")
    fig = charts.progress_bars(shown, label="commune_name", done="admitted_ytd", target="target",
                               pace="pace_target", big=big)
    return fig, note or f"Lũy kế từ đầu năm {f.year} đến {vn.month(f.scope.last).lower()}."


STATUS_SERIES = {"on_time_months": ("Đúng hạn", charts.GOOD), "late_months": ("Nộp muộn", charts.LATE),
                 "missing_months": ("Chưa báo cáo", charts.NOT_REPORTED_COLOR),
                 "pending_months": ("Chưa đến hạn", "#90caf9")}


def submissions(f, big):
    by = data.call("submissions", f.scope, by="month")
    counts = list(STATUS_SERIES)
    # zero counts become blanks so a stacked bar carries no "0" labels
    shown = by.assign(thang=by["period"].map(vn.month_short), **{c: by[c].where(by[c] > 0) for c in counts})
    fig = charts.bars(shown, x="thang", series=STATUS_SERIES, stacked=True, big=big)
    fig.update_yaxes(dtick=max(1, math.ceil(by["expected_months"].max() / 8)))  # whole communes only
    return fig, "Số đảng bộ mỗi tháng."


def overdue(f, big):
    by = data.call("inspections", f.scope, by="commune")
    if by.empty or not (by["overdue"] > 0).any():
        return None, "Không có hạn chế nào quá hạn khắc phục."
    late = by[by["overdue"] > 0].sort_values("overdue", ascending=False)
    note = f"{MAX_UNITS} đảng bộ nhiều nhất trong {len(late)} đảng bộ." if len(late) > MAX_UNITS else ""
    shown = late.head(MAX_UNITS).iloc[::-1]  # horizontal bars draw the first row at the bottom
    fig = charts.bars(shown, x="commune_name", horizontal=True, big=big, series={
        "findings": ("Tổng số hạn chế", "#adb5bd"), "overdue": ("Quá hạn khắc phục", charts.MAIN)})
    fig.update_xaxes(dtick=max(1, math.ceil(shown["findings"].max() / 8)))  # whole findings only
    total = data.call("inspections", f.scope, by="total").iloc[0]
    return fig, note or f"Tổng cộng {vn.number(total['overdue'])} hạn chế quá hạn khắc phục."


SLIDES = (
    ("Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ", i5_by_commune),
    ("Chất lượng sinh hoạt chi bộ theo đảng bộ", quality_by_commune),
    ("Sinh hoạt thường kỳ theo đảng bộ và tháng", i5_heatmap),
    ("Kết nạp đảng viên so với chỉ tiêu năm", recruitment),
    ("Tình hình nộp báo cáo theo tháng", submissions),
    ("Hạn chế quá hạn khắc phục theo đảng bộ", overdue),
)


def _step(delta: int) -> None:
    st.session_state[INDEX] = (st.session_state.get(INDEX, 0) + delta) % len(SLIDES)
    st.session_state[SHOWN_AT] = time.monotonic()


def slide(auto: bool, seconds: int) -> None:
    """One slide with its navigation; reruns alone on a button, a key or the autoplay timer."""
    now = time.monotonic()
    first_run = st.session_state.pop(OUTER, False)  # run as part of the whole page, not a timer tick
    if auto and not first_run and now - st.session_state.get(SHOWN_AT, now) >= seconds * 0.9:
        _step(+1)
    st.session_state.setdefault(SHOWN_AT, now)
    index = st.session_state.setdefault(INDEX, 0) % len(SLIDES)
    title, build = SLIDES[index]
    f = page.start(title)
    if not f:
        return
    fig, note = build(f, True)
    if fig is None:
        st.success(note)
    else:
        if note:
            st.caption(note)
        page.chart(fig.update_layout(height=HEIGHT[page.big()] - (40 if note else 0)), title, key="slide-chart")
    with st.container(horizontal=True, vertical_alignment="center", key="slide-nav"):
        st.button("Trước", key="slide-prev", icon=":material/arrow_back:", on_click=_step, args=(-1,),
                  shortcut="Left", help="Biểu đồ trước (phím ←)")
        st.markdown(f"**{index + 1}/{len(SLIDES)}**")
        st.button("Sau", key="slide-next", icon=":material/arrow_forward:", icon_position="right",
                  on_click=_step, args=(+1,), shortcut="Right", help="Biểu đồ sau (phím →)")


def body():
    if data.current().con is None or filters.current() is None:
        page.start("Trình chiếu")  # says why there is nothing to show
        return
    holder = st.container()  # the slide goes above its options, which must exist before it
    with st.container(horizontal=True, vertical_alignment="center", key="slide-options"):
        auto = st.toggle("Tự chuyển biểu đồ", key="tu_dong", bind="query-params")
        # no format_func: a bound widget writes its displayed text into the URL (?moi_giay=15)
        seconds = st.selectbox("Số giây mỗi biểu đồ", SECONDS, index=SECONDS.index(15), key="moi_giay",
                               bind="query-params", label_visibility="collapsed", width=110, disabled=not auto,
                               help="Số giây mỗi biểu đồ khi tự chuyển")
        st.markdown("giây mỗi biểu đồ")
        if not page.big():
            st.button("Chế độ trình chiếu", key="slide-present", on_click=present.enter,
                      icon=":material/fullscreen:", help="Ẩn thanh bên, chữ và biểu đồ lớn.")

    @st.fragment(run_every=seconds if auto else None)
    def show():
        page.run(lambda: slide(auto, seconds))

    st.session_state[OUTER] = True
    with holder:
        show()


page.run(body)
