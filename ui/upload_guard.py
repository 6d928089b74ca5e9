"""Streamlit's upload endpoint, guarded: only a signed-in session whose account may upload sends
files, from the browser that signed in, and no session holds more than HELD_MAX bytes.

Streamlit stores whatever a PUT to /_stcore/upload_file/<session id>/<file id> sends, for any live
session, signed in or not, and keeps it in memory until the session ends; the page's own limits
(ui/upload.py) only see files already stored. Streamlit offers no hook, so (checked against
Streamlit 1.67.0; tests/test_server.py fails when an upgrade moves what is used here):
  - ui.auth.gate `admit`s a session on every run while its account may upload (the session id and
    the hash of its cookie token, ui.remember) and `revoke`s it otherwise and at its sign-out; an
    admission not renewed by a run within the idle time ([session] idle_minutes) lapses;
  - `refusal` says why a PUT is refused: 403 for a session not admitted, or a request without that
    session's cookie (the browser sends it with its uploads); 413 when the session would hold more
    than HELD_MAX;
  - `guard_store` makes the runtime's uploaded-file manager refuse too, whatever started the server
    (ui.auth.gate calls it; the store sees no cookie, so under plain `streamlit run` the cookie is
    not checked);
  - `middleware` refuses before a byte of the body is read: the launcher ui.serve wraps
    Streamlit's ASGI app with it.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from http.cookies import CookieError, SimpleCookie

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from ui import remember, upload_limits
from ui import streamlit_internals as internals

# what one session may hold: the page takes no more in one upload (files of earlier uploads in the
# same session count until the page is reloaded: Streamlit keeps them for the session's life)
HELD_MAX = upload_limits.MAX_TOTAL_BYTES
DRAIN_MAX = upload_limits.MAX_BYTES + 2**20  # a refused body longer than this is not read (the connection closes)
# the answers, also shown by the uploader in place of Streamlit's English (ui.streamlit_vn.STATUSES)
NOT_ADMITTED_VN = ("Máy chủ không nhận tệp: phiên làm việc này chưa đăng nhập bằng tài khoản được tải báo cáo lên. "
                   "Hãy tải lại trang rồi thử lại.")
TOO_MUCH_VN = (f"Máy chủ không nhận tệp: phiên làm việc đã giữ tới {upload_limits.MAX_TOTAL_MB} MB tệp tải lên. Hãy tải "
               "lại trang rồi tải tệp lên lại.")

_lock = threading.Lock()
_lock_store = threading.Lock()  # a check and the store it allows, one upload at a time
_admitted: dict[str, tuple[str, float]] = {}  # session id -> (hash of its cookie token, lapses at)


def _hash(token: str | None) -> str:
    return hashlib.sha256((token or "").encode("utf-8", "replace")).hexdigest()


def admit(session: str, token: str | None, lifetime: float) -> None:
    """Session `session`, holding cookie token `token`, may upload for `lifetime` more seconds."""
    now = time.monotonic()
    with _lock:
        for key in [k for k, (_, until) in _admitted.items() if until < now]:
            del _admitted[key]
        _admitted[session] = (_hash(token), now + lifetime)


def revoke(session: str) -> None:
    with _lock:
        _admitted.pop(session, None)


def refusal(session: str, size: int, cookie: str | None = None, *, check_cookie: bool = True) -> tuple[int, str] | None:
    """(HTTP status, Vietnamese reason) when `session` may not now hold `size` bytes of uploads in
    all, sending cookie token `cookie`; None when it may."""
    with _lock:
        entry = _admitted.get(session)
    if entry is None or entry[1] < time.monotonic() or (check_cookie and entry[0] != _hash(cookie)):
        return 403, NOT_ADMITTED_VN
    if size > HELD_MAX:
        return 413, TOO_MUCH_VN
    return None


def guard_store(manager=None) -> None:
    """Have the running server's uploaded-file manager (or `manager`) refuse what `refusal`
    refuses, once."""
    manager = manager or internals.uploaded_files()
    if manager is None:
        return
    if getattr(manager, "guarded", False):
        return
    store = manager.add_file

    def add_file(session_id: str, file) -> None:
        with _lock_store:  # parallel uploads cannot both pass the check
            refused = refusal(session_id, internals.bytes_held(manager, session_id, but=file.file_id) + len(file.data),
                              check_cookie=False)
            if refused:
                raise HTTPException(*refused)  # Starlette answers it; the body is dropped
            store(session_id, file)
    manager.add_file, manager.guarded = add_file, True



def _cookie(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                morsel = SimpleCookie(value.decode("latin-1")).get(remember.COOKIE)
            except CookieError:
                return None
            return morsel.value if morsel else None
    return None


def _length(scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _drain(scope, receive) -> None:
    """Read and drop a refused request's body when it is at most one file's worth, so that the
    browser gets the answer rather than a connection closed while it sends (nothing is kept)."""
    seen = 0 if _length(scope) <= DRAIN_MAX else DRAIN_MAX + 1
    while seen <= DRAIN_MAX:
        message = await receive()
        seen += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return


def middleware(app):
    """The ASGI app `app` with PUTs to the upload route refused before their body is read."""
    async def guarded(scope, receive, send):
        match = internals.UPLOAD_ROUTE.search(scope.get("path", "")) if scope["type"] == "http" and scope["method"] == "PUT" else None
        if match:
            session = match.group(1)
            manager = internals.uploaded_files()
            mine = internals.bytes_held(manager, session, but=match.group(2)) if manager is not None else 0
            refused = refusal(session, mine + _length(scope), _cookie(scope))
            if refused:
                await _drain(scope, receive)
                await PlainTextResponse(refused[1], status_code=refused[0])(scope, receive, send)
                return
        await app(scope, receive, send)
    return guarded
