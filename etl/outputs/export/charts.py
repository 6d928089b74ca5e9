"""The Word report's chart images: the dashboard's own chart builders (etl/outputs/charts.py)
drawn from a `YearData` in their printed variant (`paper=True`), rendered to PNG by kaleido 1.5
with the system's Chromium (Debian: /usr/bin/chromium; on Windows the installed Chrome or Edge;
no browser download).

`figures(data)` -> [(caption, go.Figure)]; `to_png(figures, browser)` -> (png bytes list,
warnings). The images list what needs attention first (`order="worst"`): past MAX_BARS
communes only the lowest ones, and the title says how many of how many. Starting a browser
costs seconds, so one kaleido sync server is started on first use and kept for the life of the
process (the dashboard's later exports reuse it; atexit closes it). Without a usable browser
the report is made without images and says why in a warning.
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

from etl.outputs import charts
from etl.outputs.export.data import YearData, by_commune, row
from etl.outputs.export.labels import total_label
from etl.outputs.export.xlsx import missing

MAX_BARS = 20            # more communes than this: the chart shows the lowest ones, and says so
RENDER_TIMEOUT = 90.0    # seconds for one image, browser start included


def _communes(df: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """`df` on every commune of the export, each named (one without a row is all gaps)."""
    return by_commune(df, data).assign(commune_name=list(data.communes["commune_name"]))


def _title(title: str, data: YearData, noun: str) -> str:
    """`title`, and under it how many communes of how many the image shows, when it is cut."""
    total = len(data.communes)
    if total <= MAX_BARS:
        return title
    return (f"{title}<br><span style='font-size:15px'>({MAX_BARS}/{total} đảng bộ {noun} thấp nhất; "
            "đủ các đảng bộ tại Phụ lục 1)</span>")


def figures(data: YearData) -> list[tuple[str, go.Figure]]:
    """(caption, figure) of the report's charts; none when there is no commune."""
    if data.communes.empty:
        return []
    shown = dict(order="worst", most=MAX_BARS, paper=True)
    total = row(data.meetings_total).get("i5_held_share")
    i5 = charts.rate_bars(
        _communes(data.meetings, data), label="commune_name", value="i5_held_share", **shown,
        # one commune: its bar is the total
        reference=None if missing(total) or len(data.communes) == 1 else float(total),
        reference_name=total_label(data),
        title=_title("Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ", data, "có tỷ lệ"))
    quality = charts.quality_stack(
        _communes(data.quality, data), label="commune_name", **shown,
        title=_title("Chất lượng sinh hoạt chi bộ theo đảng bộ", data, "có tỷ lệ khá trở lên"))
    recruitment = charts.progress_bars(
        _communes(data.progress, data), label="commune_name", done="admitted_ytd", target="target",
        pace="pace_target", reported="reported", rank="i11_target_share", **shown,
        title=_title("Kết nạp đảng viên so với chỉ tiêu năm", data, "có tỷ lệ kết nạp so với chỉ tiêu"))
    return [("Biểu đồ 1. Tỷ lệ chi bộ sinh hoạt thường kỳ (I5)", i5),
            ("Biểu đồ 2. Chất lượng sinh hoạt chi bộ (I10)", quality),
            ("Biểu đồ 3. Kết nạp đảng viên so với chỉ tiêu (I11)", recruitment)]


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
