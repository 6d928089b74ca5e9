"""The dashboard's server as a stranger meets it, without a browser: raw websockets speaking
Streamlit's protocol (its protobuf classes) and raw HTTP requests against a real server started as
scripts/run.sh starts it (ui.serve), on a copy of the demo warehouse.

- A session id alone (Streamlit's reconnect names it; upload URLs carry it) does not take over a
  signed-in session: the run that comes from another connection finds it signed out (ui.auth).
- Streamlit's upload endpoint stores nothing for a session that is not signed in with an upload
  right, nor from another browser than the one that signed in, and no session holds more than
  ui.upload_guard.HELD_MAX.
- Each Streamlit internal the guards rely on is checked against the installed Streamlit here,
  so an upgrade that moves one fails a test instead of silently opening the hole again.
"""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
import uuid

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

from etl import accounts, logins
from etl.warehouse import db
from test_browser import PASSWORD, USER, private_copy, serving
from ui import auth, remember

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
    with serving(db_path, db_path.parent / "streamlit.log") as base:
        yield base, db_path


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
