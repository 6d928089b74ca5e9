"""Who is using the dashboard, and what they may see and do.

The account lives in the Streamlit session (server side); the browser holds the session's
websocket and a cookie naming a token of the server's memory, so that a reload or a new tab keeps
the sign-in (ui.remember). Every run of every page goes through `gate()` in dashboard.py: no
account, one idle longer than the setting [session] idle_minutes, or one signed in longer ago than
[session] max_hours, gets the login form (ui.login) and nothing else; a login that passes comes
back through `start`. The rules themselves are etl.access.rights (the role table of
etl.access.accounts), as the command line's; this module applies them:
  - `require(action)` at the top of a page or before an action stops the run with a message;
  - `communes(scope)` narrows every indicator call of a `xa` account to its own commune
    (every ui.data reader applies it), whatever the URL or the widgets say.

The dashboard reads a snapshot of the warehouse and writes it only through ui.writes, the
dashboard's one write rule. A login writes no warehouse (so it works while a load runs, and
forces no new snapshot): the password is checked against the snapshot's accounts and the attempt
goes to the login file beside the warehouse (etl.access.logins), throttled per account and client
(`client()`); so does a session resumed from the browser's cookie, a login without the password.
A session ends when its account is locked, changed, or given a new password after the session
signed in.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import streamlit as st

from etl.access import accounts, logins, rights
from etl.settings import load_settings
from etl.warehouse import db
from ui import markup, remember, upload_guard
from ui import streamlit_internals as internals

ACCOUNT, SEEN, FAILURES, NOTICE = "_account", "_seen", "_login_failures", "_login_notice"
SIGNED_IN = "_signed_in_at"
# the session's token (ui.remember), the connection on which this session last looked for one in its
# cookie, and the token the browser is still to store (after the sign-in) or to drop (after the sign-out)
TOKEN, RESUMED, STORE, DROP = "_token", "_resume_tried", "_token_to_store", "_token_to_drop"
BOUND = "_bound_to"  # (connection, client) of the sign-in, or of the reconnect that last proved itself
LOGIN_BUSY_VN = "Máy chủ đang bận ghi nhật ký đăng nhập. Hãy thử lại sau ít giây."
ENDED_VN = "Đã đăng xuất ở một thẻ khác của trình duyệt này."
MOVED_VN = ("Phiên làm việc vừa được mở từ một kết nối không mang thông tin đăng nhập của trình duyệt đã đăng nhập, "
            "nên đã đăng xuất để bảo vệ tài khoản. Hãy đăng nhập lại.")
CHANGED_VN = "Tài khoản đã được quản trị viên thay đổi, đặt mật khẩu mới hoặc khóa. Hãy đăng nhập lại."
LIFETIME_VN = "Phiên đăng nhập đã quá {hours} giờ kể từ lúc đăng nhập. Hãy đăng nhập lại."
EXPIRED_VN = "Phiên làm việc đã hết hạn do không thao tác trong {minutes} phút. Hãy đăng nhập lại."
REFUSED_VN = "Tài khoản {name} ({role}) không có quyền {what}."
WHAT_VN = {"upload": "tải báo cáo lên", "upload_commune": "tải báo cáo lên", "export": "xuất báo cáo",
           "confirm": "duyệt báo cáo", "view_audit": "xem nhật ký hoạt động", "manage_users": "quản lý tài khoản",
           "view_all": "xem số liệu", "view_commune": "xem số liệu"}

log = logging.getLogger("dashboard.auth")


def current() -> accounts.Account | None:
    return st.session_state.get(ACCOUNT)


def client() -> str:
    """Where this session comes from, for the login slow-down and the audit trail: the address
    of its connection ('localhost' on this machine) and a short hash of the headers a proxy and
    the browser add (X-Forwarded-For, User-Agent). The address cannot be forged over TCP (behind
    the reverse proxy of this machine it is the one the proxy saw: Streamlit's server trusts
    X-Forwarded-For from 127.0.0.1 only); the headers can, which only gives a forger more clients
    of its own (etl.access.logins: its address keeps one budget), never another person's."""
    ip = st.context.ip_address
    ip = ip if isinstance(ip, str) and ip else "localhost"
    headers = st.context.headers
    seen = "\n".join(headers.get(h, "") for h in ("X-Forwarded-For", "User-Agent"))
    return f"{ip} #{hashlib.sha256(seen.encode('utf-8', 'replace')).hexdigest()[:8]}"


def _connection() -> str | None:
    """The websocket this run came over: st.context.headers are its handshake's, whose random
    Sec-WebSocket-Key is the same for every run of one connection and new at each reconnect."""
    return st.context.headers.get("Sec-WebSocket-Key")


def _bind() -> None:
    st.session_state[BOUND] = (_connection(), client())


def _same_browser() -> bool:
    """Whether this run comes from the connection the session signed in on or, after a reconnect,
    from the same client bringing the session's own cookie token (only the browser that signed in
    holds it). A session signed in without a binding (none in use: tests) is bound here."""
    here, bound = (_connection(), client()), st.session_state.get(BOUND)
    if bound is not None and bound != here:
        token, cookie = st.session_state.get(TOKEN), st.context.cookies.get(remember.COOKIE)
        if bound[1] != here[1] or not token or not isinstance(cookie, str) \
                or not secrets.compare_digest(cookie.encode(), token.encode()):
            return False
    st.session_state[BOUND] = here
    return True


def may(action: str, commune: str | None = None) -> bool:
    """May the signed-in account do `action` (etl.access.rights.may, the command line's rule too)?"""
    return rights.may(current(), action, commune)


def require(*actions: str) -> accounts.Account:
    """The account when it may do any of `actions`; otherwise the run stops with a message."""
    account = current()
    if account is not None and any(may(a) for a in actions):
        return account
    name, role = (account.name, account.role_vn) if account else ("(chưa đăng nhập)", "")
    st.error(REFUSED_VN.format(name=markup.md(name), role=role, what=WHAT_VN.get(actions[0], actions[0])))
    st.stop()


def communes(selected) -> tuple[str, ...]:
    """The commune codes an indicator call may cover: `selected` (empty = all) for an account that
    sees every commune; a `xa` account's own commune whatever was selected."""
    account = current()
    if accounts.can(account, "view_all"):
        return tuple(selected)
    if account is None or not account.commune:
        return ("\0",)  # no commune has this code: nothing is shown
    return (account.commune,)


def narrow(value):
    """An indicator argument as the account may ask for it: a Scope's communes narrowed."""
    if dataclasses.is_dataclass(value) and hasattr(value, "communes"):
        allowed = communes(value.communes)
        return value if allowed == value.communes else dataclasses.replace(value, communes=allowed)
    return value


def gate(con, use: bool = True) -> accounts.Account | None:
    """The signed-in account, still valid; None after showing why it is not (expired, disabled).
    `con` is the snapshot connection (None when there is no warehouse yet). A run that is not the
    user's doing (`use` False: the slideshow's timer) leaves the idle clock where it was."""
    upload_guard.guard_store()  # from the first run on, whatever started the server
    account = current()
    resumed = account is None  # this run brings the account back from the cookie, if any
    if resumed:
        account = _resume(con)
    if account is None:
        return None
    if not _same_browser():
        # another connection naming this session's id: not the browser's own reconnect. The
        # browser's other tabs keep their sign-in, and this session may still come back from
        # the browser's cookie (a reconnect from a new address)
        log.warning("session of %s taken up by another connection: signed out", account.name)
        sign_out(MOVED_VN, end_token=False)
        return gate(con, use)
    settings = load_settings()
    minutes, hours = settings.session_idle_minutes, settings.session_max_hours
    now = datetime.now()
    if now - st.session_state.get(SEEN, now) > timedelta(minutes=minutes):
        sign_out(EXPIRED_VN.format(minutes=minutes), end_token=False)  # another tab may be in use
        return None
    signed_in = st.session_state.setdefault(SIGNED_IN, now)
    if now - signed_in > timedelta(hours=hours):
        sign_out(LIFETIME_VN.format(hours=hours))  # the sign-in itself is over, in every tab
        return None
    stored = read(con, lambda cur: accounts.lookup(cur, account.name))
    if stored is not None and (stored.disabled or (stored.role, stored.commune) != (account.role, account.commune)
                               or (stored.password_set_at is not None and stored.password_set_at > signed_in)):
        # locked, changed or given a new password by an administrator since the login
        sign_out(CHANGED_VN)
        return None
    token = st.session_state.get(TOKEN)
    if token is not None and remember.resume(token, timedelta(minutes=minutes), now, touch=use) is None:
        sign_out(ENDED_VN)  # signed out in another tab (or this session's token was dropped)
        return None
    if resumed and not _record_resume(account):
        sign_out(LOGIN_BUSY_VN, end_token=False)  # no way in that the audit trail does not show
        return None
    if use:
        st.session_state[SEEN] = now
    _uploads(account, minutes)
    return account


def _session() -> str:
    return internals.session_id()


def _uploads(account: accounts.Account, minutes: int) -> None:
    """Streamlit's upload endpoint takes files for this session only while its account may upload
    (ui.upload_guard)."""
    if rights.may_upload(account):
        upload_guard.admit(_session(), st.session_state.get(TOKEN), minutes * 60)
    else:
        upload_guard.revoke(_session())


def _resume(con) -> accounts.Account | None:
    """Once per connection: the account of the token in the browser's cookie, when the server
    still knows it (ui.remember); gate() then checks it like any session's."""
    if con is None or (RESUMED in st.session_state and st.session_state[RESUMED] == _connection()):
        return None
    st.session_state[RESUMED] = _connection()
    token = st.context.cookies.get(remember.COOKIE)
    entry = remember.resume(token, timedelta(minutes=load_settings().session_idle_minutes))
    if entry is None:
        return None
    account = read(con, lambda cur: accounts.lookup(cur, entry.name))
    if account is None:
        remember.forget(token)
        return None
    st.session_state.update({ACCOUNT: account, SIGNED_IN: entry.signed_in, SEEN: entry.seen, TOKEN: token})
    st.session_state.pop(NOTICE, None)
    _bind()
    log.info("resumed %s", account.name)
    return account


def _record_resume(account: accounts.Account) -> bool:
    """A session resumed from the cookie is a login without the password: the audit trail shows it
    under its own action (logins.RESUMED), once gate() has found the account still valid.
    False when the login file stayed busy."""
    try:
        with logins.opened(db.db_path()) as log_con:
            logins.record(log_con, logins.RESUMED, "ok", account=account.name, client=client(),
                          detail=logins.RESUMED_DETAIL_VN)
    except db.WarehouseBusy:
        return False
    return True


def keep_in_browser() -> None:
    """Right after a sign-in, the browser stores the session's token (dashboard.py calls this
    once the gate has let the run through)."""
    token = st.session_state.pop(STORE, None)
    if token is not None:
        st.html(remember.SET_JS % token, unsafe_allow_javascript=True)


def read(con, fn):
    """fn(cursor) on the shared snapshot connection (None without one): a cursor each, since
    sessions run in threads and a DuckDB connection serves one call at a time."""
    if con is None:
        return None
    with con.cursor() as cursor:
        return fn(cursor)


def sign_out(notice: str | None = None, end_token: bool = True) -> None:
    """Ends the session's sign-in; with `end_token`, the browser's other tabs' too (ui.remember)."""
    upload_guard.revoke(_session())
    token = st.session_state.pop(TOKEN, None)
    if end_token and token is not None:
        remember.forget(token)
        st.session_state[DROP] = token
    for key in (ACCOUNT, SEEN, SIGNED_IN, STORE, BOUND):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE] = notice


def start(account: accounts.Account) -> None:
    """The session is signed in as `account` from now (a login that passed): its cookie token is
    issued, to be stored in the browser by keep_in_browser, and the session is bound to this
    connection."""
    st.session_state.pop(FAILURES, None)
    st.session_state[ACCOUNT] = account
    now = st.session_state[SEEN] = st.session_state[SIGNED_IN] = datetime.now()
    token = remember.issue(account.name, now, timedelta(minutes=load_settings().session_idle_minutes), now)
    st.session_state.update({TOKEN: token, STORE: token})
    st.session_state.pop(DROP, None)
    _bind()
    log.info("login %s", account.name)


def failures() -> int:
    """Wrong logins in a row in this session."""
    return st.session_state.get(FAILURES, 0)


def failed() -> None:
    st.session_state[FAILURES] = failures() + 1


def take_notice() -> str | None:
    """Why the last session ended (sign_out's notice), once."""
    return st.session_state.pop(NOTICE, None)


def dropped_token() -> str | None:
    """The cookie token of the last sign-out in this session, for the browser to forget."""
    return st.session_state.get(DROP)


def sidebar() -> None:
    """Who is signed in, and the way out."""
    account = current()
    box = st.sidebar.container()
    where = f" · {markup.md(account.commune)}" if account.commune else ""
    box.caption(f":material/person: **{markup.md(account.name)}** · {account.role_vn}{where}")
    if box.button("Đăng xuất", icon=":material/logout:", key="logout"):
        sign_out("Đã đăng xuất.")
        st.rerun()
