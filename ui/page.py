"""The frame every page shares: title with the active filters under it, a note when the data
are an older copy, charts with PNG export, tables with Excel download, and a guard that turns
any failure into a Vietnamese message instead of a traceback.

A page module is only:
    f = page.start("Sinh hoạt chi bộ")
    if f: ...widgets, `data.<reader>(...)`, `page.chart(...)`, `page.table(...)`...
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import pandas as pd
import streamlit as st

from etl import labels, theme
from etl import vnformat as vn
from etl.text import slug
from ui import auth, data, filters, markup
from ui import streamlit_internals as internals

SUBTITLE_NAMES = 3  # communes named in a chart's subtitle (it is one line, as wide as the chart)
# The plotly.js in Streamlit's chart bundle knows only the locales en and en-US, so the
# Vietnamese texts of the toolbar are given here (config.locales, looked up before plotly's own
# registry). The toolbar keeps its one button worth having, "save as PNG": the zoom and pan
# buttons only had English tooltips, and modeBarButtons also leaves out Streamlit's own
# "Fullscreen" button, whose English title cannot be translated.
PLOTLY_VI = {
    "Download plot as a PNG": "Tải ảnh biểu đồ (PNG)",
    "Download plot": "Tải ảnh biểu đồ",
    "Preparing image - this may take a few seconds": "Đang tạo ảnh biểu đồ, xin chờ vài giây",
    "Image download succeeded": "Đã tải ảnh biểu đồ",
    "Sorry, there was a problem downloading your image!": "Không tải được ảnh biểu đồ. Hãy thử lại.",
    "Double-click to zoom back out": "Bấm đúp để trở lại cỡ ban đầu",
}
PNG_CONFIG = {"displaylogo": False, "modeBarButtons": [["toImage"]], "locale": "vi",
              "locales": {"vi": {"dictionary": PLOTLY_VI}}, "toImageButtonOptions": {"format": "png", "scale": 2}}
# How a card (st.metric) shows its delta: QUIET for a fact that is no change ("12/14 chi bộ"),
# GOOD and BAD for a verdict, in green or in red with an arrow down.
QUIET = {"delta_color": "gray", "delta_arrow": "off"}
GOOD = {"delta_color": "green", "delta_arrow": "off"}
BAD = {"delta_color": "red", "delta_arrow": "down"}


def start(title: str) -> filters.Filters | None:
    """Title, active filters, freshness note. None (with a message shown) when there is no data."""
    st.title(title)
    src = data.current()
    if src.con is None:
        st.info(src.snap.error)
        return None
    f = filters.current()
    if f is None:
        st.info("Kho dữ liệu chưa có báo cáo tháng nào. Hãy nạp báo cáo ở trang **Tải báo cáo** "
                "hoặc bằng lệnh `python -m etl load`.")
        return None
    st.caption(f"**Đang xem:** {f.describe(shown=markup.md)}")
    for notice in filters.notices(filters.COMMUNES):  # a link naming a commune that is not (or no longer) there
        st.warning(notice, icon=":material/link_off:")
    if src.snap.stale:
        st.warning(f"Đang nạp dữ liệu mới; trang hiển thị dữ liệu cập nhật lúc {vn.moment(src.snap.taken_at)}.")
    return f


def signed_in(*, use: bool) -> bool:
    """auth.gate's checks for a run dashboard.py does not start (a fragment's rerun, e.g. the
    slideshow's timer): the idle timeout and an account disabled or changed since the login.
    False when the session is over (signed out, auth's notice kept for the login form): the
    caller then reruns the whole app. A timer tick is not the user's doing, so unless `use` the
    idle clock stays where the user's last action left it."""
    # the warehouse as it is now, as dashboard.py opens it: an account disabled since the last
    # whole run is in the newer copy (and the slides show newly loaded reports)
    src = data.use(data.source())
    return auth.gate(src.con, use=use) is not None


def big() -> bool:
    return filters.presenting()


def card_columns(n: int) -> list:
    """n columns for st.metric cards: one row on a desk screen; in presentation mode at most
    three a row, so the large labels and values are not cut off."""
    if not big():
        return list(st.columns(n))
    return [col for first in range(0, n, 3) for col in st.columns(min(3, n - first))]


def title_room(extra: int = 0) -> dict:
    """Layout giving a titled figure `extra` pixels more at the top, e.g. for a legend on two
    lines (the builders leave room for the title and one legend line themselves)."""
    return {"margin": {"t": (120 if big() else 90) + extra}}


def chart(fig, name: str, *, key: str | None = None, height: str = "content") -> None:
    """A chart; its toolbar saves it as PNG (for slides) under a meaningful file name. A titled
    chart carries the active filters as its subtitle, so a saved picture says what it shows.
    `height` "stretch" fills the room its container leaves (a slide sized from the screen)."""
    f = filters.current()
    title = fig.layout.title
    if title.text and f is not None and not title.subtitle.text:
        # attribute by attribute: ~0.2 ms, where an update_layout call validates for ~1 ms
        title.subtitle.text = f.describe(names=SUBTITLE_NAMES, shown=markup.plotly)
        title.subtitle.font.size = 19 if big() else 12
        title.subtitle.font.color = theme.MUTED
        fig.layout.margin.t = (fig.layout.margin.t or 0) + (28 if big() else 20)
    config = {**PNG_CONFIG, "toImageButtonOptions": {**PNG_CONFIG["toImageButtonOptions"], "filename": slug(name)}}
    st.plotly_chart(fig, config=config, key=key, width="stretch", height=height)


@dataclass(frozen=True)
class Fmt:
    """A column of numbers in `table`: `text` gives a value's Vietnamese text on screen (1.234;
    85,3%), `excel` the number format of its cell in the downloaded workbook, where it stays a
    number to add up. A value that is already text ('Chưa báo cáo', 'Không họp') is text in both."""
    excel: str
    text: Callable[[Any], str]

    def shown(self, value) -> str:
        return value if isinstance(value, str) else self.text(value)

    def cell(self, value):
        """The workbook's value: the number, or the screen text when there is none."""
        if isinstance(value, str) or pd.isna(value):
            return self.shown(value)
        return float(value)


def count(missing: str = vn.DASH) -> Fmt:
    return Fmt("#,##0", partial(vn.number, missing=missing))


def decimal(digits: int = 1, missing: str = vn.DASH) -> Fmt:
    return Fmt("#,##0." + "0" * digits, partial(vn.number, digits=digits, missing=missing))


def percent(missing: str = vn.DASH) -> Fmt:
    return Fmt("0.0%", partial(vn.percent, missing=missing))


COUNT, PERCENT, SHARE = count(), percent(), percent(labels.NOT_REPORTED)  # SHARE: a unit with no report says so


def excel_bytes(df: pd.DataFrame, sheet: str = "Dữ liệu", formats: dict[str, Fmt] | None = None) -> bytes:
    """A table as an .xlsx file; text cells are written as text, never as formulas. The columns in
    `formats` hold numbers, written as numbers in their Excel format (not as '105', '100,0%')."""
    # imported here: etl.outputs.export brings the whole December export (half a second), which
    # a page needs only once a table is downloaded
    from etl.outputs.export.xlsx import sheet_title

    formats = formats or {}
    out = df.assign(**{c: [f.cell(v) for v in df[c]] for c, f in formats.items()})
    sheet = sheet_title(sheet)  # a unit's name may hold '/' or '[', which Excel refuses in a sheet name
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "in_memory": True}}) as xw:
        out.to_excel(xw, sheet_name=sheet, index=False)
        ws = xw.sheets[sheet]
        for i, col in enumerate(df.columns):
            shown = df[col].head(200).map(formats[col].shown) if col in formats else df[col].head(200)
            width = max([len(str(col))] + [len(str(v)) for v in shown])
            # a column's format applies to the cells written without one: pandas' number cells
            number = xw.book.add_format({"num_format": formats[col].excel}) if col in formats else None
            ws.set_column(i, i, min(max(width + 2, 8), 60), number)
        ws.freeze_panes(1, 0)
    return buf.getvalue()


def table(df: pd.DataFrame, name: str, *, key: str, height: int | str = "auto", column_config=None,
          formats: dict[str, Fmt] | None = None) -> None:
    """A table (already labelled in Vietnamese) and its Excel download. The columns in `formats`
    hold numbers: Vietnamese text on screen, numbers in the workbook."""
    shown = df.assign(**{c: df[c].map(f.shown) for c, f in formats.items()}) if formats else df
    st.dataframe(shown, hide_index=True, width="stretch", height=height, column_config=column_config,
                 key=f"{key}-table")
    # the workbook is built when the button is clicked, not on every run of the page
    st.download_button("Tải bảng (Excel)", lambda: excel_bytes(df, name, formats), file_name=f"{slug(name)}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}-xlsx", icon=":material/download:")


def share(x) -> str:
    return vn.percent(x, missing=labels.NOT_REPORTED)


def routed() -> None:
    """Reruns the script when a page file runs on its own, not through dashboard.py.

    Until some script run has called st.navigation, Streamlit works in its old mode for apps with
    a pages/ folder beside the main script: on the first visit after the server starts, a URL
    naming a page file (/hoi_nghi_cap_uy) ran that file directly, without dashboard.py and its
    login. Through dashboard.py the mode is already left (st.navigation leaves it); otherwise this
    leaves it and runs again, so the visit goes through dashboard.py."""
    if internals.in_pages_folder_mode():
        internals.leave_pages_folder_mode()
        st.rerun()


def navigation(pages: list, position: str):
    """st.navigation(pages, position=position): the page the URL names, to run.

    The first visit after plain `streamlit run` (ui.serve leaves the old mode before it) runs in
    Streamlit's pages-folder mode: it looks for the URL's page among the files of pages/, sends
    its "Page not found" dialog for /hoi-nghi-cap-uy and runs dashboard.py, whose st.navigation
    finds the page. When it does, the browser closes that dialog, which would otherwise stay over
    the login form."""
    old_mode = internals.in_pages_folder_mode()
    page = st.navigation(pages, position=position)
    if old_mode and page.url_path:  # the URL named a page ("" is the default page's: not found, or "/")
        st.html(internals.CLOSE_NOT_FOUND_JS, unsafe_allow_javascript=True)
    return page


def run(body) -> None:
    """Run a page body; any failure becomes a Vietnamese message (details go to the server log)."""
    routed()
    try:
        body()
    except data.NoData as err:
        st.info(str(err))
    except Exception as err:  # the screen never shows a traceback; the log keeps it
        import logging
        logging.getLogger("dashboard").exception("page failed")
        st.error("Không hiển thị được trang này do lỗi khi đọc dữ liệu. Hãy tải lại trang; nếu vẫn lỗi, báo cho "
                 f"quản trị hệ thống kèm thời điểm xảy ra. (Chi tiết kỹ thuật: {type(err).__name__})")
