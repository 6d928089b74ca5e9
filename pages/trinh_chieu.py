"""Trình chiếu: the key charts one at a time, big, for the standing committee's meeting.

Slides: I5 by commune, quality (I10) by commune, I5 commune × month heat map, recruitment against
the target (I11), report submission status by month (I15), overdue inspection findings (I14).
Each slide is built from a ui.data reader and a ui/charts builder with big=True, each bar given
the room of its label (charts.big_height). The slide moves with the ← → keys (the buttons'
keyboard shortcuts), a clicker's Page Down / Page Up (ui.present), the buttons, or by itself every
N seconds (an st.fragment with run_every, so only the slide reruns). In presentation mode the
slide is as tall as the screen leaves and its chart fills it (ui.present). A by-commune slide
shows as many communes as fit the screen: the ones that need attention most (indicators.lowest),
their number in the title.
"""
import time

import pandas as pd
import streamlit as st

from etl import indicators, labels, theme
from etl import vnformat as vn
from etl.indicators import Grain
from ui import charts, data, filters, page, present

SECONDS = (5, 10, 15, 20, 30, 60)
AUTO, EVERY = "tu_dong", "moi_giay"  # the autoplay widgets' keys, also their URL parameters
INDEX, SHOWN_AT, OUTER, USED = "slide", "_slide_shown_at", "_slide_full_run", "_slide_used"
# Pixels for the chart (and its note) under the title and the filters, from which a slide takes
# how many communes it shows readably. In presentation mode the chart itself takes the room the
# screen leaves (ui.present): 475 px at 1280×720, the smallest of the meeting rooms' projectors.
ROOM = {True: 470, False: 640}
NOTE = 40  # a caption line above the chart
MOST = 15  # never more bars than this, however tall the screen


def fitting(note: bool = False, heat: bool = False) -> int:
    """How many communes a slide shows readably."""
    return min(MOST, charts.big_rows(ROOM[page.big()] - (NOTE if note else 0), heat=heat))


def cut(df: pd.DataFrame, column: str, topic: str, n: int, *, highest: bool = False):
    """(the rows shown, the slide's title when cut or None, the note saying so)."""
    shown = indicators.lowest(df, column, n, highest=highest)
    if len(shown) == len(df):
        return shown, None, ""
    most = "nhiều nhất" if highest else "thấp nhất"
    return (shown, f"{topic}: {len(shown)} đảng bộ {most}",
            f"{len(shown)} đảng bộ {most} trong {vn.number(len(df))} đảng bộ; xem đủ ở các trang của bảng điều khiển.")


def whole_ticks(maximum) -> dict:
    """Axis ticks at whole, round counts (1, 2, 5, 10, 20, 25, 50 … apart), about eight of them."""
    step = next(s * 10 ** e for e in range(7) for s in (1, 2, 2.5, 5) if s * 10 ** e >= (maximum or 1) / 8
                and float(s * 10 ** e).is_integer())
    return {"dtick": int(step), "tickformat": "d"}


def height(rows: int, note: str, heat: bool = False) -> dict:
    """Layout: the chart as tall as its rows need, within the slide's room; a few rows get up to
    twice their least room (four communes filled a third of the screen)."""
    return {"height": min(ROOM[page.big()] - (NOTE if note else 0), charts.big_height(2 * rows, heat=heat))}


def i5_by_commune(f):
    by = data.branch_meetings(f.scope, by=Grain.COMMUNE)
    shown, title, note = cut(by, "i5_held_share", "Tỷ lệ sinh hoạt thường kỳ", fitting(note=len(by) > fitting()))
    fig = charts.rate_bars(shown, label="commune_name", value="i5_held_share", big=True,
                           reference=data.whole(data.branch_meetings, f.scope, "i5_held_share"),
                           layout=height(len(shown), note))
    return fig, title, note


def quality_by_commune(f):
    by = data.quality(f.scope, by=Grain.COMMUNE)
    shown, title, note = cut(by, "kha_tro_len_share", "Chất lượng sinh hoạt", fitting(note=len(by) > fitting()))
    return charts.quality_stack(shown, label="commune_name", big=True, layout=height(len(shown), note)), title, note


def i5_heatmap(f):
    by = data.branch_meetings(f.scope, by=Grain.COMMUNE)
    n = fitting(note=len(by) > fitting(heat=True), heat=True)
    shown, title, note = cut(by, "i5_held_share", "Sinh hoạt theo tháng", n)
    grid = data.branch_meetings(f.scope, by=Grain.COMMUNE_MONTH)
    grid = grid[grid["commune_code"].isin(shown["commune_code"])]
    # months without their year (the "Đang xem" band names it): ten "T10/2026" do not fit a 1024-pixel screen
    fig = charts.heatmap(grid, row="commune_name", column="period", value="i5_held_share", big=True,
                         column_labels=vn.month_of_year, layout=height(len(shown), note, heat=True))
    return fig, title, note


def recruitment(f):
    by = data.recruitment_progress(f.scope, by=Grain.COMMUNE)
    shown, title, note = cut(by, "i11_target_share", "Kết nạp so với chỉ tiêu", fitting(note=True))
    note = note or f"Lũy kế từ đầu năm {f.year} đến {vn.month(f.scope.last).lower()}."
    fig = charts.progress_bars(shown, label="commune_name", done="admitted_ytd", target="target",
                               pace="pace_target", big=True, layout=height(len(shown), note))
    return fig, title, note


STATUS_SERIES = {"on_time_months": (labels.SUBMISSION["on_time"], theme.GOOD),
                 "late_months": (labels.SUBMISSION["late"], theme.LATE),
                 "missing_months": (labels.SUBMISSION["missing"], theme.NOT_REPORTED),
                 "pending_months": (labels.SUBMISSION["pending"], theme.PENDING)}


def submissions(f):
    by = data.submissions(f.scope, by=Grain.MONTH)
    counts = list(STATUS_SERIES)
    # zero counts become blanks so a stacked bar carries no "0" labels
    shown = by.assign(thang=by["period"].map(vn.month_short), **{c: by[c].where(by[c] > 0) for c in counts})
    # the whole room (no note), and labels down to 14 px: the segment of one late or missing
    # commune in 14 keeps its count (at province scale such a segment is too thin and drops it)
    axis = {**whole_ticks(by["expected_months"].max()), "title": {"text": "Số đảng bộ"}}
    fig = charts.bars(shown, x="thang", series=STATUS_SERIES, stacked=True, big=True,
                      layout={"yaxis": axis, "height": ROOM[page.big()], "uniformtext": {"minsize": 14}})
    return fig, None, ""


def overdue(f):
    by = data.inspections(f.scope, by=Grain.COMMUNE)
    if by.empty or not (by["overdue"] > 0).any():
        return None, None, "Không có hạn chế nào quá hạn khắc phục."
    late = by[by["overdue"] > 0]
    shown, title, note = cut(late, "overdue", "Hạn chế quá hạn", fitting(note=True), highest=True)
    total = data.inspections(f.scope, by=Grain.TOTAL).iloc[0]
    note = note or f"Tổng cộng {vn.number(total['overdue'])} hạn chế quá hạn khắc phục."
    shown = shown.sort_values("overdue", kind="stable")  # horizontal bars draw the first row at the bottom
    most = int(shown["findings"].max())
    # one row per commune: the overdue findings drawn over all its findings
    fig = charts.bars(shown, x="commune_name", horizontal=True, big=True, series={
        "findings": ("Tổng số hạn chế", theme.SILVER), "overdue": ("Quá hạn khắc phục", theme.MAIN)},
        layout={"barmode": "overlay", **height(len(shown), note),
                # room on the right for the "trên <total>" labels
                "xaxis": {**whole_ticks(most), "range": [0, most * 1.18]}})
    # the overdue count inside the red bar, "trên <total>" beyond the grey one
    fig.data[0].update(textposition="outside", texttemplate="trên %{x}")
    return fig, title, note


SLIDES = (
    ("Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ", i5_by_commune),
    ("Chất lượng sinh hoạt chi bộ theo đảng bộ", quality_by_commune),
    ("Sinh hoạt thường kỳ theo đảng bộ và tháng", i5_heatmap),
    ("Kết nạp đảng viên so với chỉ tiêu năm", recruitment),
    ("Tình hình nộp báo cáo theo tháng", submissions),
    ("Hạn chế quá hạn khắc phục theo đảng bộ", overdue),
)


def _used() -> None:
    """Callback of every control in the slide: a click is the user's activity (a timer tick is not)."""
    st.session_state[USED] = True


def _step(delta: int) -> None:
    _used()
    st.session_state[INDEX] = (st.session_state.get(INDEX, 0) + delta) % len(SLIDES)
    st.session_state[SHOWN_AT] = time.monotonic()


def controls(index: int, auto: bool, seconds: int) -> None:
    """The bar under the slide (fixed at the bottom of the screen in presentation mode): previous,
    position, next, and the autoplay switch with its seconds. A changed autoplay choice reruns the
    whole page, where the fragment's timer is set."""
    with st.container(horizontal=True, vertical_alignment="center", key=present.SLIDE_NAV):
        st.button("Trước", key=present.PREVIOUS, icon=":material/arrow_back:", on_click=_step, args=(-1,),
                  shortcut="Left", help="Biểu đồ trước (phím ← hoặc Page Up)")
        st.markdown(f"**{index + 1}/{len(SLIDES)}**")
        st.button("Sau", key=present.NEXT, icon=":material/arrow_forward:", icon_position="right",
                  on_click=_step, args=(+1,), shortcut="Right", help="Biểu đồ sau (phím → hoặc Page Down)")
        now_auto = st.toggle("Tự chuyển biểu đồ", key=AUTO, bind="query-params", on_change=_used)
        # no format_func: a bound widget writes its displayed text into the URL (?moi_giay=15)
        # a default only for a new widget: one with a value in the session state warns of both
        default = None if EVERY in st.session_state else SECONDS.index(15)
        now_seconds = st.selectbox("Số giây mỗi biểu đồ", SECONDS, index=default, key=EVERY,
                                   bind="query-params", label_visibility="collapsed", width=100,
                                   disabled=not now_auto, on_change=_used, help="Số giây mỗi biểu đồ khi tự chuyển")
        st.markdown("giây/biểu đồ")
    if (now_auto, now_seconds) != (auto, seconds):
        st.rerun(scope="app")


def slide(auto: bool, seconds: int) -> None:
    """One slide with its controls; reruns alone on a button, a key or the autoplay timer."""
    now = time.monotonic()
    first_run = st.session_state.pop(OUTER, False)  # run as part of the whole page, not on its own
    used = st.session_state.pop(USED, False)
    # dashboard.py's session check does not run for a fragment's own rerun: check here, and
    # leave for the login form when the session is over (idle, account disabled or changed)
    if not first_run and not page.signed_in(use=used):
        st.rerun(scope="app")
    if auto and not first_run and not used and now - st.session_state.get(SHOWN_AT, now) >= seconds * 0.9:
        _step(+1)
        st.session_state.pop(USED, None)  # the timer's step is not the user's
    st.session_state.setdefault(SHOWN_AT, now)
    index = st.session_state.setdefault(INDEX, 0) % len(SLIDES)
    title, build = SLIDES[index]
    f = filters.current()
    fig, cut_title, note = build(f)
    with st.container(key=present.SLIDE):  # in presentation mode as tall as the screen leaves (ui.present)
        page.start(cut_title or title)
        if fig is None:
            st.success(note)
        else:
            if note:
                st.caption(note)
            page.chart(fig, title, key="slide-chart", height="stretch" if page.big() else "content")
    controls(index, auto, seconds)


def body():
    if data.current().con is None or filters.current() is None:
        page.start("Trình chiếu")  # says why there is nothing to show
        return
    # the autoplay choice as the slide's widgets left it on the last run (a first visit reads
    # it from the URL once the widgets exist, and reruns)
    auto = bool(st.session_state.get(AUTO, False))
    seconds = st.session_state.get(EVERY, 15)

    @st.fragment(run_every=seconds if auto else None)
    def show():
        page.run(lambda: slide(auto, seconds))

    st.session_state[OUTER] = True
    show()
    if not page.big():
        st.button("Chế độ trình chiếu", key="slide-present", on_click=present.enter,
                  icon=":material/fullscreen:", help="Ẩn thanh bên, chữ và biểu đồ lớn.")


page.run(body)
