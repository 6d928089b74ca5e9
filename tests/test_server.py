"""The dashboard's server as a stranger meets it, without a browser: raw websockets speaking
Streamlit's protocol (its protobuf classes) and raw HTTP requests against a real server started as
scripts/run.sh starts it (ui.serve), on a copy of the demo warehouse.

- A session id alone (Streamlit's reconnect names it; upload URLs carry it) does not take over a
  signed-in session: the run that comes from another connection finds it signed out (ui.auth).
- Streamlit's upload endpoint stores nothing for a session that is not signed in with an upload
  right, nor from another browser than the one that signed in, and no session holds more than
  ui.upload_guard.HELD_MAX.
- Started as scripts/run.sh starts it, the server listens on this machine only.
- Each Streamlit internal the guards rely on is checked against the installed Streamlit here,
  so an upgrade that moves one fails a test instead of silently opening the hole again.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

from etl.access import accounts, logins
from etl.warehouse import db
from test_browser import PASSWORD, ROOT, USER, free_port, private_copy, serving, stop_server, wait_healthy
from ui import auth, remember, upload_guard
from ui import streamlit_internals as internals

pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used:DeprecationWarning")
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"
QUIET = 1.5  # seconds without a message after a script run ends: no rerun follows


class Tab:
    """What a browser tab says to the server, over a websocket of its own: script runs with widget
    values. `session` names an existing session (Streamlit's reconnect), `cookie` the cookie header."""

    def __init__(self, base: str, session: str | None = None, cookie: str | None = None, agent: str = AGENT):
        protocols = ["streamlit", "xsrf", session] if session else ["streamlit"]
        self.ws = connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=protocols,
                          additional_headers={"Cookie": cookie} if cookie else {}, user_agent_header=agent,
                          open_timeout=30, max_size=None)
        self.session: str | None = None
        self.elements: list = []

    def run(self, widgets=(), timeout: float = 60) -> Tab:
        """One rerun with these widget values; returns once it and the reruns it asked for are over."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.widget_states.widgets.extend(widgets)
        self.ws.send(msg.SerializeToString())
        deadline, finished = time.monotonic() + timeout, False
        while time.monotonic() < deadline:
            try:
                data = self.ws.recv(timeout=QUIET if finished else deadline - time.monotonic())
            except TimeoutError:
                if finished:
                    return self
                break
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":  # at the start of every script run
                self.session, self.elements, finished = fwd.new_session.initialize.session_id, [], False
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self.elements.append(fwd.delta.new_element)
            elif kind == "script_finished":
                finished = True
        raise TimeoutError("the script run did not end")

    def shown(self, kind: str) -> list:
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    @property
    def title(self) -> str:
        return self.shown("heading")[0].body

    def widget(self, label: str) -> str:
        return next(w.id for kind in ("text_input", "button") for w in self.shown(kind) if w.label == label)

    def sign_in(self, name: str = USER, password: str = PASSWORD) -> Tab:
        return self.run([WidgetState(id=self.widget("Tên đăng nhập"), string_value=name),
                         WidgetState(id=self.widget("Mật khẩu"), string_value=password),
                         WidgetState(id=self.widget("Đăng nhập"), trigger_value=True)])

    @property
    def token(self) -> str:
        """The token the page had the browser store in its cookie (ui.remember.SET_JS)."""
        html = "".join(h.body for h in self.shown("html"))
        return re.search(remember.COOKIE + r"=([\w-]+);", html).group(1)

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    """(base URL, warehouse) of a dashboard started by ui.serve on a copy of the demo warehouse,
    with a standing-committee account besides the board's."""
    db_path = private_copy(demo_db, tmp_path_factory.mktemp("server"))
    with db.connect(db_path) as con:
        accounts.add_user(con, "thuongtruc", "xem", password=PASSWORD)
    with umask(0o022), serving(db_path, db_path.parent / "streamlit.log") as base:  # as a shell starts it
        yield base, db_path


@contextmanager
def umask(mask: int):
    """The process's umask is `mask` meanwhile (what a child process started then inherits)."""
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def server(served) -> str:
    return served[0]


def signed_in(base: str) -> Tab:
    tab = Tab(base).run()
    assert tab.title == "Đăng nhập"
    tab.sign_in()
    assert tab.title == "Tổng quan", tab.title
    return tab


# --- a session id is not a key ------------------------------------------------------------------

@pytest.mark.parametrize("agent", ["curl/8.5.0", AGENT])
def test_a_session_id_alone_does_not_take_over_a_signed_in_session(server, agent):
    """Regression: a websocket naming a signed-in session's id as Streamlit's reconnect, without the
    browser's cookie, got that session signed in (and its owner was disconnected)."""
    owner = signed_in(server)
    thief = Tab(server, session=owner.session, agent=agent).run()
    assert thief.session == owner.session  # Streamlit hands the session over...
    assert thief.title == "Đăng nhập"  # ...signed out
    assert [a.body for a in thief.shown("alert")] == [auth.MOVED_VN]
    assert not thief.shown("metric")
    thief.close()
    # the owner's browser reconnects as it does, bringing its cookie: signed in again
    back = Tab(server, session=owner.session, cookie=f"{remember.COOKIE}={owner.token}").run()
    assert back.session == owner.session and back.title == "Tổng quan"
    back.close()


def test_the_browsers_own_reconnect_keeps_the_sign_in_as_it_is(served):
    """A network blip: the browser's websocket comes back to its session with its cookie, from the
    same client. The sign-in goes on: not a new one, nor a session brought back from the cookie."""
    server, db_path = served
    owner = signed_in(server)
    with logins.opened(db_path) as con:
        before = logins.count(con, actions=logins.ACTIONS)
    again = Tab(server, session=owner.session, cookie=f"{remember.COOKIE}={owner.token}").run()
    assert again.title == "Tổng quan"
    again.close()
    with logins.opened(db_path) as con:
        assert logins.count(con, actions=logins.ACTIONS) == before


# --- Streamlit's upload endpoint --------------------------------------------------------------------

def put(base: str, session: str, content: bytes = b"PK\x03\x04 workbook", *, token: str | None = None,
        length: int | None = None) -> tuple[int, str]:
    """(status, body) of a PUT of one file to Streamlit's upload endpoint for `session`, as the
    browser sends it (the XSRF cookie and header; the dashboard's cookie when `token` is given);
    `length` claims another Content-Length (the body is then not sent)."""
    with urllib.request.urlopen(f"{base}/_stcore/health") as r:
        xsrf = r.headers["Set-Cookie"].split("_streamlit_xsrf=")[1].split(";")[0]
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bao-cao.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    cookie = f"_streamlit_xsrf={xsrf}" + (f"; {remember.COOKIE}={token}" if token else "")
    headers = {"Cookie": cookie, "X-Xsrftoken": xsrf, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    if length is not None:
        headers["Content-Length"], body = str(length), b""
    request = urllib.request.Request(f"{base}/_stcore/upload_file/{session}/{uuid.uuid4()}", data=body,
                                     method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def held(base: str) -> int:
    """Bytes of uploads the server holds, from Streamlit's metrics (0 when none)."""
    with urllib.request.urlopen(f"{base}/_stcore/metrics") as r:
        text = r.read().decode()
    found = re.search(r'cache_memory_bytes\{cache_type="UploadedFileManager",cache=""\} (\d+)', text)
    return int(found.group(1)) if found else 0


def test_no_upload_is_stored_for_a_session_that_is_not_signed_in(server):
    """Regression: with only the login form showing, PUTs with invented file ids were stored (204)
    and kept until the session ended."""
    stranger = Tab(server).run()
    assert stranger.title == "Đăng nhập"
    before = held(server)
    assert put(server, stranger.session, b"x" * 2**20) == (403, upload_guard.NOT_ADMITTED_VN)
    assert held(server) == before
    stranger.close()


def test_uploads_need_an_upload_right_and_the_browser_that_signed_in(server):
    viewer = Tab(server).run().sign_in("thuongtruc")
    assert viewer.title == "Tổng quan"
    assert put(server, viewer.session, token=viewer.token)[0] == 403  # a standing-committee account
    board = signed_in(server)
    token = board.token
    assert put(server, board.session)[0] == 403  # its session id without its cookie
    assert put(server, board.session, token=viewer.token)[0] == 403  # another browser's cookie
    assert put(server, board.session, token=token)[0] == 204
    # a session holds no more than HELD_MAX: refused before the body is sent
    assert put(server, board.session, token=token, length=upload_guard.HELD_MAX) == \
        (413, upload_guard.TOO_MUCH_VN)
    board.run([WidgetState(id=board.widget("Đăng xuất"), trigger_value=True)])
    assert board.title == "Đăng nhập"
    assert put(server, board.session, token=token)[0] == 403  # signed out
    viewer.close()
    board.close()


def test_the_store_itself_refuses_past_the_cap_and_for_sessions_not_admitted(monkeypatch):
    """Whatever started the server, the uploaded-file manager refuses (ui.auth.gate guards it at
    the first run): a session not admitted, or one that would hold more than HELD_MAX in all."""
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    monkeypatch.setattr(upload_guard, "HELD_MAX", 10)
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    upload_guard.guard_store(store)
    upload_guard.guard_store(store)  # once only
    rec = lambda file_id, size: UploadedFileRec(file_id, "a.xlsx", "application/octet-stream", b"x" * size)  # noqa: E731
    with pytest.raises(HTTPException) as refused:
        store.add_file("not-signed-in", rec("f1", 1))
    assert refused.value.status_code == 403 and not store.file_storage.get("not-signed-in")
    upload_guard.admit("board", "token", 60)
    store.add_file("board", rec("f1", 6))
    store.add_file("board", rec("f1", 8))  # the same file again replaces it
    with pytest.raises(HTTPException) as refused:
        store.add_file("board", rec("f2", 3))
    assert refused.value.status_code == 413
    store.add_file("board", rec("f2", 2))
    assert internals.bytes_held(store, "board") == 10
    upload_guard.revoke("board")


def test_plain_streamlit_run_refuses_uploads_of_sessions_not_signed_in(demo_db, tmp_path):
    """`streamlit run dashboard.py` has no launcher to wrap its routes: the store refuses (after
    reading the body, which is then dropped)."""
    with serving(private_copy(demo_db, tmp_path), tmp_path / "streamlit.log", plain=True) as base:
        stranger = Tab(base).run()
        assert stranger.title == "Đăng nhập"
        assert put(base, stranger.session)[0] == 403
        assert held(base) == 0
        board = signed_in(base)
        assert put(base, board.session)[0] == 204  # no cookie seen by the store: the right is enough
        stranger.close()
        board.close()


def test_the_files_the_server_writes_are_its_owners_only(served):
    """The login file and the snapshot copy the dashboard made beside the warehouse: 0600, though
    the server was started with the usual umask 022 (etl.warehouse.keep_private)."""
    server, db_path = served
    signed_in(server).close()
    for made in (db_path.with_name("warehouse.logins.duckdb"), db_path.with_name("warehouse.snapshot.duckdb")):
        assert made.stat().st_mode & 0o777 == 0o600, made.name


def outward_address() -> str:
    """This machine's address on its network (no packet is sent: a UDP socket only picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        return s.getsockname()[0]


def test_the_server_listens_on_this_machine_only_unless_told_otherwise(demo_db, tmp_path):
    """As scripts/run.sh starts it (no --server.address): http://localhost answers, the machine's
    network address does not (.streamlit/config.toml server.address; a proxy serves the network)."""
    port, log = free_port(), tmp_path / "streamlit.log"
    env = {**os.environ, "WAREHOUSE_DB": str(private_copy(demo_db, tmp_path))}
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.port", str(port)], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://localhost:{port}", proc)
        address = outward_address()
        assert not address.startswith("127.")
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
            pass
    finally:
        stop_server(proc)
    assert "Network URL" not in log.read_text(encoding="utf-8", errors="replace")


def test_the_server_answers_before_it_imports_pandas_or_duckdb():
    """ui.serve starts Streamlit with only what the upload guard needs: pandas, DuckDB and the
    indicator layer are imported by the warm thread once the server answers, so the first visit
    does not wait for them (about 0.4 s on this machine)."""
    code = "import sys, ui.serve; print(sorted(m for m in ('pandas', 'duckdb', 'etl.indicators') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
