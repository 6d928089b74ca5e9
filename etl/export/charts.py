"""The Word report's chart images: Plotly figures built from a `YearData`, rendered to PNG by
kaleido 1.5 with the system's Chromium (Debian: /usr/bin/chromium; no browser download).

`figures(data)` -> [(caption, go.Figure)]; `to_png(figures, browser)` -> (png bytes list,
warnings). Starting a browser costs seconds, so one kaleido sync server is started on first use
and kept for the life of the process (the dashboard's later exports reuse it; atexit closes
it). Without a usable browser the report is made without images and says why in a warning.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time

import pandas as pd
import plotly.graph_objects as go

from etl import vnformat as vn
from etl.export.charts_xlsx import MAIN, QUALITY_COLORS, SECOND
from etl.export.data import YearData, by_commune, row
from etl.export.labels import QUALITY, total_label
from etl.export.xlsx import missing
from etl.indicators import NOT_REPORTED

GREY = "#B0B7BF"
FONT = "Times New Roman"
MAX_BARS = 20            # more communes than this: the chart shows the lowest ones, and says so
MAX_HEIGHT = 1000        # px: 20 cm on the page, which must hold the image and its caption
RENDER_TIMEOUT = 90.0    # seconds for one image, browser start included
WIDTH = 800              # px at scale 1; placed 16 cm wide, so 16 px type prints at ~9 pt


def _layout(fig: go.Figure, title: str, n: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=20)), font=dict(family=FONT, size=16, color="#212529"),
        width=WIDTH, height=min(150 + 30 * max(n, 3), MAX_HEIGHT),
        margin=dict(l=10, r=30, t=110 if "<br>" in title else 80, b=40),
        plot_bgcolor="white", paper_bgcolor="white", separators=",.",  # 95,5% and 1.234
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0,
                    traceorder="normal"),
        barmode="group")
    fig.update_xaxes(gridcolor="#E9ECEF", zeroline=False)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _pick(df: pd.DataFrame, value: str, noun: str, most: int = MAX_BARS) -> tuple[pd.DataFrame, str]:
    """Worst first; past `most` only the lowest (unreported communes are listed first)."""
    d = df.assign(_missing=df[value].isna()).sort_values(["_missing", value], ascending=[False, True])
    if len(d) <= most:
        return d, ""
    return d.head(most), f"<br><span style='font-size:15px'>({most} đảng bộ {noun} thấp nhất)</span>"


def i5_figure(data: YearData) -> go.Figure:
    df = by_commune(data.meetings, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "i5_held_share", "có tỷ lệ")
    gone = d["i5_held_share"].isna()
    fig = go.Figure(go.Bar(
        y=d["name"], x=d["i5_held_share"].where(~gone, 1.0), orientation="h",
        marker_color=[GREY if g else MAIN for g in gone],
        marker_pattern_shape=["/" if g else "" for g in gone],
        text=[NOT_REPORTED if g else vn.percent(v) for g, v in zip(gone, d["i5_held_share"])],
        textposition="inside", insidetextanchor="end", textfont=dict(color="white")))
    total = row(data.meetings_total).get("i5_held_share")
    if not missing(total):
        fig.add_vline(x=float(total), line_dash="dash", line_color=SECOND,
                      annotation_text=f"{total_label(data)}: {vn.percent(total)}", annotation_position="top")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return _layout(fig, "Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ" + cut, len(d))


def quality_figure(data: YearData) -> go.Figure:
    df = by_commune(data.quality, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "kha_tro_len_share", "có tỷ lệ khá trở lên")
    fig = go.Figure()
    for key, color in QUALITY_COLORS.items():
        share = d[f"{key}_share"]
        fig.add_bar(y=d["name"], x=share, name=QUALITY[key], orientation="h", marker_color=color,
                    text=[vn.percent(v, 0) if not missing(v) and v >= 0.06 else "" for v in share],
                    textposition="inside", textfont=dict(color="white"))
    gone = d["kha_tro_len_share"].isna()
    if gone.any():
        fig.add_bar(y=d["name"][gone], x=[1.0] * int(gone.sum()), name=NOT_REPORTED,
                    orientation="h", marker_color=GREY, marker_pattern_shape="/")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return _layout(fig, "Chất lượng sinh hoạt chi bộ theo đảng bộ" + cut, len(d)).update_layout(
        barmode="stack")


def recruitment_figure(data: YearData) -> go.Figure:
    df = by_commune(data.progress, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "i11_target_share", "có tỷ lệ kết nạp so với chỉ tiêu", MAX_BARS * 2 // 3)
    fig = go.Figure()
    fig.add_bar(y=d["name"], x=d["target"], name="Chỉ tiêu", orientation="h", marker_color=SECOND,
                text=[vn.number(v) for v in d["target"]], textposition="outside")
    fig.add_bar(y=d["name"], x=d["admitted_ytd"], name="Đã kết nạp", orientation="h",
                marker_color=MAIN, text=[vn.number(v) for v in d["admitted_ytd"]],
                textposition="outside")
    return _layout(fig, "Kết nạp đảng viên so với chỉ tiêu năm" + cut, len(d) * 1.6)


def figures(data: YearData) -> list[tuple[str, go.Figure]]:
    """(caption, figure) of the report's charts; none when there is no commune."""
    if data.communes.empty:
        return []
    return [("Biểu đồ 1. Tỷ lệ chi bộ sinh hoạt thường kỳ (I5)", i5_figure(data)),
            ("Biểu đồ 2. Chất lượng sinh hoạt chi bộ (I10)", quality_figure(data)),
            ("Biểu đồ 3. Kết nạp đảng viên so với chỉ tiêu (I11)", recruitment_figure(data))]


# --- rendering -----------------------------------------------------------------------------

_LOCK = threading.Lock()       # kaleido's sync server takes one caller at a time
_server_path: str | None = None


def find_browser(explicit: str | os.PathLike | None = None) -> str | None:
    """`explicit`, else $BROWSER_PATH (choreographer's variable), else a Chromium on PATH."""
    candidates = [explicit] if explicit is not None else [
        os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
        shutil.which("chromium-browser"), shutil.which("google-chrome")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return str(c)
    return None


def _server_alive(kaleido) -> bool:
    # kaleido 1.5 runs its server in a thread; if the browser fails to start the thread dies and
    # a call would wait forever, so the caller polls this (private attribute, pinned version)
    thread = getattr(kaleido._global_server, "_thread", None)
    return thread is not None and thread.is_alive()


def _stop(kaleido) -> None:
    global _server_path
    kaleido.stop_sync_server(silence_warnings=True)
    _server_path = None


def _render_one(kaleido, fig: go.Figure) -> bytes:
    result: dict = {}

    def work() -> None:
        try:
            result["png"] = kaleido.calc_fig_sync(
                fig, opts={"format": "png", "width": fig.layout.width, "height": fig.layout.height,
                           "scale": 2})
        except Exception as error:  # noqa: BLE001 - handed to the caller below, with its text
            result["error"] = error

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    deadline = time.monotonic() + RENDER_TIMEOUT
    while worker.is_alive():
        worker.join(0.1)
        if worker.is_alive() and (not _server_alive(kaleido) or time.monotonic() > deadline):
            raise RuntimeError("trình duyệt không khởi động được hoặc không trả lời")
    if "error" in result:
        raise RuntimeError(str(result["error"]).splitlines()[0] if str(result["error"]) else
                           type(result["error"]).__name__)
    return result["png"]


def to_png(figs: list[go.Figure], browser: str | os.PathLike | None = None
           ) -> tuple[list[bytes], list[str]]:
    """PNG bytes of each figure, or ([], [warning]) when they cannot be drawn."""
    global _server_path
    if not figs:
        return [], []
    path = find_browser(browser)
    if path is None:
        where = str(browser) if browser is not None else "/usr/bin/chromium"
        return [], [f"Không tìm thấy trình duyệt Chromium ({where}): báo cáo Word được tạo "
                    "không có biểu đồ. Cài gói chromium hoặc đặt biến BROWSER_PATH."]
    try:
        import kaleido
    except ImportError:
        return [], ["Chưa cài gói kaleido: báo cáo Word được tạo không có biểu đồ."]
    with _LOCK:
        if _server_path not in (None, path) or (_server_path and not _server_alive(kaleido)):
            _stop(kaleido)
        if _server_path is None:
            # the pipe reader logs a traceback for the half message it reads as the browser
            # closes; real failures surface as errors or a dead server thread, reported below
            logging.getLogger("choreographer.channels.pipe").setLevel(logging.CRITICAL)
            kaleido.start_sync_server(path=path, mathjax=False, silence_warnings=True)
            _server_path = path
        try:
            return [_render_one(kaleido, f) for f in figs], []
        except RuntimeError as error:
            _stop(kaleido)
            return [], [f"Không vẽ được biểu đồ bằng trình duyệt {path} ({error}): báo cáo Word "
                        "được tạo không có biểu đồ."]


def close() -> None:
    """Stop the browser now (the command line does, before the interpreter's exit cleanup
    removes the browser's temporary profile under it)."""
    if _server_path is None:
        return
    import kaleido
    with _LOCK:
        if _server_path is not None:
            _stop(kaleido)
