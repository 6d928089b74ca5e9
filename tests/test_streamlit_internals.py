"""What the dashboard uses of Streamlit beyond its documented API is all in ui/streamlit_internals.py,
checked against one Streamlit version: each test here fails, by name, when an upgrade moves it."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import streamlit

from ui import streamlit_internals as internals

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"
INTERNAL_IMPORT = re.compile(r"^\s*(?:from|import) streamlit\.(?:runtime|web|proto|elements|delta_generator)", re.M)
# a test id, or an emotion class (Streamlit's generated CSS class names: "e" and letters and digits, a digit last)
DOM_NAME = re.compile(r'data-testid=|\.st-emotion-cache|\.e[a-z0-9]{5,7}[0-9]\b')


def test_streamlit_is_the_version_the_internals_were_checked_against():
    assert streamlit.__version__ == internals.CHECKED_WITH
    assert f"streamlit=={internals.CHECKED_WITH}" in (ROOT / "requirements.txt").read_text()


def test_the_server_objects_used_are_there():
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web.server import server
    from streamlit.web.server.starlette import starlette_server

    assert isinstance(PagesManager.uses_pages_directory, bool | None)
    assert internals.UPLOAD_ROUTE.search(server.UPLOAD_FILE_ENDPOINT + "/session/file")
    assert "create_starlette_app(self._runtime)" in inspect.getsource(starlette_server.UvicornServer.start)
    assert "MemoryUploadedFileManager(UPLOAD_FILE_ENDPOINT)" in inspect.getsource(server.Server.__init__)
    store = MemoryUploadedFileManager("/x")
    assert isinstance(store.file_storage, dict) and hasattr(store._lock, "acquire")
    assert list(inspect.signature(store.add_file).parameters) == ["session_id", "file"]
    assert internals.bytes_held(store, "nobody") == 0


def test_the_names_used_in_the_browser_are_in_streamlits_browser_code():
    code = "".join(p.read_text(encoding="utf-8", errors="replace") for p in BUNDLE.glob("*.js"))
    def named(name: str) -> bool:  # as written, or made from a prefix: `stBaseButton-${kind}`
        prefix = name.rsplit("-", 1)[0] + "-${" if "-" in name else None
        return bool(re.search(f"[`\"']{re.escape(name)}[`\"']", code)) or (prefix is not None and prefix in code)
    missing = [name for name in internals.TESTIDS if not named(name)]
    assert not missing, missing
    assert internals.UPLOADER_DROP_TEXT.lstrip(".") in code
    assert internals.NOT_FOUND_TITLE in code
    assert internals.CHART_CODE is not None and internals.CHART_CODE.name in internals.PRELOAD_CHARTS_JS


def test_no_other_module_touches_streamlits_internals():
    sources = [p for folder in ("ui", "pages", "etl") for p in (ROOT / folder).rglob("*.py")] + [ROOT / "dashboard.py"]
    found = [f"{p.relative_to(ROOT)}: {m.group(0).strip()}" for p in sources
             if p.name != "streamlit_internals.py"
             for m in [*INTERNAL_IMPORT.finditer(p.read_text(encoding="utf-8")),
                       *DOM_NAME.finditer(p.read_text(encoding="utf-8"))]]
    assert not found, found
