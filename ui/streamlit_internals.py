"""Every part of Streamlit the dashboard reaches that is not its public API, in one place.

Streamlit's documented API (st.*, st.context, the config options) is used anywhere. What it does
not document is used only through this module: its runtime's objects, its server's app, the
names its browser code gives to elements. Each was checked against Streamlit CHECKED_WITH;
tests/test_streamlit_internals.py fails when an upgrade moves any of them (the version itself,
each Python object and attribute, each name in Streamlit's browser code), so the upgrade is
checked here first. ui/streamlit_vn.py holds Streamlit's own English texts, which
tests/test_browser.py checks in a browser.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import streamlit
from streamlit import runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.runtime import RuntimeState
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_server

CHECKED_WITH = "1.67.0"

# --- the server (Python) --------------------------------------------------------------------


def session_id() -> str:
    """The id of the session this script run belongs to (also what Streamlit's upload URLs name)."""
    return get_script_run_ctx().session_id


def in_pages_folder_mode() -> bool:
    """Streamlit's old mode for an app with a pages/ folder beside its main script, in which a URL
    naming a page file runs that file alone; it lasts until some run calls st.navigation."""
    return PagesManager.uses_pages_directory


def leave_pages_folder_mode() -> None:
    """What st.navigation's first call does, done before it."""
    PagesManager.uses_pages_directory = False


def server_started() -> bool:
    """Streamlit's runtime loop is running: the server answers, or is about to."""
    return runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL


def uploaded_files():
    """The running server's uploaded-file manager (a MemoryUploadedFileManager), or None."""
    return runtime.get_instance().uploaded_file_mgr if runtime.exists() else None


def bytes_held(manager, session: str, but: str | None = None) -> int:
    """Bytes `session` holds in `manager` (its file `but` left out)."""
    with manager._lock:
        return sum(len(f.data) for f in manager.file_storage.get(session, {}).values() if f.file_id != but)


def wrap_app(wrapper: Callable) -> None:
    """Have the server serve wrapper(app) instead of Streamlit's ASGI app (call before `run`)."""
    build = starlette_server.create_starlette_app

    def build_wrapped(runtime_):
        return wrapper(build(runtime_))
    starlette_server.create_starlette_app = build_wrapped


def run(script: str, options: list[str]) -> None:
    """`streamlit run script options...` in this process."""
    sys.argv = ["streamlit", "run", script, *options]
    cli.main(prog_name="streamlit")


# Streamlit's browser code for charts, 4.7 MB that take a second or two to evaluate, comes only
# when the first chart does; the login page has the browser load it while the form is filled in
# (PRELOAD_CHARTS_JS; empty if a Streamlit version names the file otherwise).
CHART_CODE = next((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"), None)
PRELOAD_CHARTS_JS = """<script>(window.requestIdleCallback || setTimeout)(() => {
  const app = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (app) import(new URL("%s", app.src).href).catch(() => {});
}, {timeout: 300});</script>""" % CHART_CODE.name if CHART_CODE is not None else ""

# Streamlit's upload route (streamlit.web.server.server.UPLOAD_FILE_ENDPOINT, after
# server.baseUrlPath): its session id and file id
UPLOAD_ROUTE = re.compile(r"/_stcore/upload_file/([^/]+)/([^/]+)$")

# --- the browser: names Streamlit's browser code gives to its elements ------------------------


def testid(name: str) -> str:
    """The CSS selector of the elements Streamlit marks data-testid=name (a name of TESTIDS)."""
    assert name in TESTIDS, name
    return f'[data-testid="{name}"]'


TESTIDS = ("stElementContainer", "stLayoutWrapper", "stCaptionContainer", "stFileUploaderDropzone",
           "stFileUploaderDropzoneInstructions", "stBaseButton-secondary", "stFileChip", "stTooltipContent",
           "stDataFrameStatisticsMenu", "stSidebar", "stHeader", "stToolbar", "stAppViewContainer", "stMetricValue",
           "stMetricLabel", "stMarkdown", "stMain", "stMainBlockContainer", "stMetric", "stHtml", "stPlotlyChart")
# the uploader's drop text ("Drop files here") has no test id, only its emotion class
UPLOADER_DROP_TEXT = ".euud7oh2"
# the dialog Streamlit opens for a URL naming no page, and its close button
NOT_FOUND_TITLE = "Page not found"
DIALOG = 'section[role="dialog"]'
DIALOG_CLOSE = 'button[aria-label="Close"]'

# JavaScript: closes Streamlit's "Page not found" dialog, looking for it for two seconds.
CLOSE_NOT_FOUND_JS = """<script>(() => {
  const until = Date.now() + 2000;
  const close = () => {
    const box = [...document.querySelectorAll('%s')].find(
      d => (d.querySelector('h2') || {}).textContent === '%s');
    if (box) box.querySelector('%s').click();
    else if (Date.now() < until) setTimeout(close, 50);
  };
  close();
})()</script>""" % (DIALOG, NOT_FOUND_TITLE, DIALOG_CLOSE)
