"""The Word report's chart images: Plotly figures built from a `YearData`, rendered to PNG by
kaleido 1.5 with the system's Chromium (Debian: /usr/bin/chromium; on Windows the installed Chrome
or Edge; no browser download).

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
from pathlib import PureWindowsPath

import pandas as pd
import plotly.graph_objects as go

from etl import labels, theme
from etl import vnformat as vn
from etl.labels import NOT_REPORTED
from etl.outputs.charts import worst_first
from etl.outputs.export.data import YearData, by_commune, row
from etl.outputs.export.labels import total_label
from etl.outputs.export.xlsx import missing

MAX_BARS = 20            # more communes than this: the chart shows the lowest ones, and says so
MAX_HEIGHT = 1000        # px: 20 cm on the page, which must hold the image and its caption
RENDER_TIMEOUT = 90.0    # seconds for one image, browser start included
WIDTH = 800              # px at scale 1; placed 16 cm wide, so 16 px type prints at ~9 pt


def _layout(fig: go.Figure, title: str, n: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=20)), font=dict(family=theme.PRINT_FONT, size=16, color=theme.INK),
        width=WIDTH, height=min(150 + 30 * max(n, 3), MAX_HEIGHT),
        margin=dict(l=10, r=30, t=110 if "<br>" in title else 80, b=40),
        plot_bgcolor=theme.WHITE, paper_bgcolor=theme.WHITE, separators=",.",  # 95,5% and 1.234
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0,
                    traceorder="normal"),
        barmode="group")
    fig.update_xaxes(gridcolor=theme.GRID, zeroline=False)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _pick(df: pd.DataFrame, value: str, noun: str) -> tuple[pd.DataFrame, str]:
    """Worst first (charts.worst_first: unreported communes first); past MAX_BARS only those, and
    the title says how many of how many are shown."""
    most = MAX_BARS
    d = worst_first(df, value)
    if len(d) <= most:
        return d, ""
    return d.head(most), (f"<br><span style='font-size:15px'>({most}/{len(d)} đảng bộ {noun} thấp nhất; "
                          "đủ các đảng bộ tại Phụ lục 1)</span>")


def _not_reported_bar(fig: go.Figure, names, x: float = 1.0) -> None:
    """Grey hatched bars reading "Chưa báo cáo" in dark text at their start (white text on the
    hatching was hard to read), for communes without a report: a gap, never a 0."""
    fig.add_bar(y=list(names), x=[x] * len(names), name=NOT_REPORTED, orientation="h",
                marker_color=theme.HATCH_GROUND, marker_pattern_shape="/", marker_pattern_fgcolor=theme.HATCH,
                text=[NOT_REPORTED] * len(names), textposition="inside", insidetextanchor="start",
                textfont=dict(color=theme.INK), showlegend=False)


def i5_figure(data: YearData) -> go.Figure:
    df = by_commune(data.meetings, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "i5_held_share", "có tỷ lệ")
    gone = d["i5_held_share"].isna()
    fig = go.Figure(go.Bar(
        y=d["name"][~gone], x=d["i5_held_share"][~gone], orientation="h", marker_color=theme.MAIN,
        text=[vn.percent(v) for v in d["i5_held_share"][~gone]], showlegend=False,
        textposition="inside", insidetextanchor="end", textfont=dict(color=theme.WHITE)))
    _not_reported_bar(fig, d["name"][gone])
    total = row(data.meetings_total).get("i5_held_share")
    if not missing(total) and len(d) > 1:  # one commune: its bar is the total
        # the label on the side of the line with room for it: clipped at the right edge before
        left = float(total) > 0.5
        fig.add_vline(x=float(total), line_dash="dash", line_color=theme.SECOND,
                      annotation_text=f"{total_label(data)}: {vn.percent(total)}",
                      annotation_position="top left" if left else "top right",
                      annotation=dict(yanchor="bottom", xanchor="right" if left else "left"))
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    # one category per commune: its bar is in one of the two traces, so they overlay, not group
    fig.update_yaxes(categoryorder="array", categoryarray=list(d["name"]))
    return _layout(fig, "Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ" + cut, len(d)).update_layout(
        barmode="overlay")


def quality_figure(data: YearData) -> go.Figure:
    df = by_commune(data.quality, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "kha_tro_len_share", "có tỷ lệ khá trở lên")
    fig = go.Figure()
    for key, color in theme.QUALITY.items():
        share = d[f"{key}_share"]
        fig.add_bar(y=d["name"], x=share, name=labels.QUALITY[key], orientation="h", marker_color=color,
                    text=[vn.percent(v, 0) if not missing(v) and v >= 0.06 else "" for v in share],
                    textposition="inside", textfont=dict(color=theme.WHITE))
    gone = d["kha_tro_len_share"].isna()
    if gone.any():
        _not_reported_bar(fig, d["name"][gone])
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(categoryorder="array", categoryarray=list(d["name"]))
    return _layout(fig, "Chất lượng sinh hoạt chi bộ theo đảng bộ" + cut, len(d)).update_layout(
        barmode="stack")


def recruitment_figure(data: YearData) -> go.Figure:
    df = by_commune(data.progress, data).assign(name=list(data.communes["commune_name"]))
    d, cut = _pick(df, "i11_target_share", "có tỷ lệ kết nạp so với chỉ tiêu")
    gone = d["admitted_ytd"].isna()   # no report this year: "Chưa báo cáo", not "—" nor 0
    fig = go.Figure()
    fig.add_bar(y=d["name"], x=d["target"].fillna(0), name="Chỉ tiêu", orientation="h", marker_color=theme.SECOND,
                text=[vn.number(v, missing="Chưa có chỉ tiêu") for v in d["target"]], textposition="outside")
    fig.add_bar(y=d["name"], x=d["admitted_ytd"].fillna(0), name="Đã kết nạp", orientation="h",
                marker_color=theme.MAIN, textposition="outside", textfont=dict(color=theme.INK),
                text=[NOT_REPORTED if g else vn.number(v) for g, v in zip(gone, d["admitted_ytd"])])
    top = pd.concat([d["target"], d["admitted_ytd"]]).astype("Float64").max()
    fig.update_xaxes(range=[0, max(0 if missing(top) else float(top), 1) * 1.15])  # room for the labels
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


# Windows: where the installers put Chrome (for the machine, or for one user) and Edge
WINDOWS_BROWSERS = (("PROGRAMFILES", r"Google\Chrome\Application\chrome.exe"),
                    ("PROGRAMFILES(X86)", r"Google\Chrome\Application\chrome.exe"),
                    ("LOCALAPPDATA", r"Google\Chrome\Application\chrome.exe"),
                    ("PROGRAMFILES(X86)", r"Microsoft\Edge\Application\msedge.exe"),
                    ("PROGRAMFILES", r"Microsoft\Edge\Application\msedge.exe"))


def installed_browsers() -> list[str]:
    """Where this system's browser may be, in order of preference."""
    if os.name == "nt":
        return [str(PureWindowsPath(os.environ[var], rel)) for var, rel in WINDOWS_BROWSERS
                if os.environ.get(var)]
    return [p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"),
                        shutil.which("google-chrome")) if p]


def _usable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_browser(explicit: str | os.PathLike | None = None) -> str | None:
    """`explicit`, else $BROWSER_PATH (choreographer's variable), else an installed browser:
    Chromium on Linux, Chrome or Edge on Windows."""
    candidates = [explicit] if explicit is not None else [
        os.environ.get("BROWSER_PATH"), *installed_browsers()]
    for c in candidates:
        if c and _usable(str(c)):
            return str(c)
    return None


def _no_browser(explicit: str | os.PathLike | None) -> str:
    if os.name == "nt" and explicit is None:
        return ("Không tìm thấy trình duyệt Chrome hoặc Edge: báo cáo Word được tạo không có biểu đồ. "
                "Cài Google Chrome hoặc Microsoft Edge, hoặc đặt biến BROWSER_PATH.")
    where = str(explicit) if explicit is not None else "/usr/bin/chromium"
    return (f"Không tìm thấy trình duyệt Chromium ({where}): báo cáo Word được tạo "
            "không có biểu đồ. Cài gói chromium hoặc đặt biến BROWSER_PATH.")


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
        return [], [_no_browser(browser)]
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
