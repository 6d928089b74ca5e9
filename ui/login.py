"""The login page: the form, the first administrator of an empty warehouse, and the attempt.

A wrong name or password gets one message for both; failures in a row in a session wait longer
each time, and the account and client are throttled in etl.access.logins. A login writes no
warehouse: the password is checked against the snapshot's accounts (ui.auth.read) and the attempt
goes to the login file. A login that passes starts the session (ui.auth.start).
"""
from __future__ import annotations

import time

import streamlit as st

from etl.access import accounts, logins
from etl.warehouse import db
from ui import auth, remember, streamlit_vn, writes
from ui import streamlit_internals as internals


def _first_admin() -> bool:
    """On a warehouse with no account at all, create the administrator and print its password
    once on the server's console. True when there was no account before this call."""
    try:
        password = writes.write(accounts.ensure_admin)
    except db.WarehouseBusy:
        return False
    if password is None:
        return False
    # The console of the person who started the server, never the page: whoever reaches the
    # port first must not become the administrator.
    print(f"\n*** Tài khoản quản trị đầu tiên: {accounts.ADMIN_NAME}  mật khẩu: {password}\n"
          "*** Mật khẩu chỉ in một lần và phải đổi ở lần đăng nhập đầu tiên (hoặc bằng: python -m etl users "
          f"set-password {accounts.ADMIN_NAME})\n", flush=True)
    return True


def form(con) -> None:
    """The login page (`con`: the snapshot connection, or None). A wrong name or password gets one
    message for both; failures in a row in this session wait longer each time (the account and
    client are throttled in etl.access.logins)."""
    if not auth.read(con, accounts.exist) and _first_admin():
        st.info(f"Đây là lần chạy đầu tiên: đã tạo tài khoản quản trị **{accounts.ADMIN_NAME}**; mật khẩu được "
                "in một lần trên cửa sổ dòng lệnh chạy máy chủ. Quản trị viên tạo tài khoản cho người dùng bằng "
                "lệnh `python -m etl users add`.")
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Đăng nhập")
        st.caption("Bảng điều khiển sinh hoạt chi bộ · Ban Tổ chức. Tài khoản do quản trị viên cấp.")
        notice = auth.take_notice()
        if notice:
            st.warning(notice)
        with st.form("login", enter_to_submit=True):
            name = st.text_input("Tên đăng nhập", key="login-name", autocomplete="username")
            password = st.text_input("Mật khẩu", type="password", key="login-password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button("Đăng nhập", type="primary", icon=":material/login:")
        if submitted:
            _try(con, name, password)
    st.html(streamlit_vn.SCRIPT + internals.PRELOAD_CHARTS_JS, unsafe_allow_javascript=True)
    dropped = auth.dropped_token()
    if dropped is not None:  # the cookie of a sign-out, unless another tab has since stored its own
        st.html(remember.CLEAR_JS % dropped, unsafe_allow_javascript=True)


def _rehash(name: str, old: str, new: str) -> None:
    """A hash redone at login, stored when the warehouse is free now (else at a later login)."""
    try:
        writes.write(lambda con: accounts.store_rehash(con, name, old, new), wait=0.5)
    except db.WarehouseBusy:
        pass  # a load is running: the old hash still verifies; the next login tries again


def _try(con, name: str, password: str) -> None:
    failures = auth.failures()
    if failures >= accounts.FREE_ATTEMPTS:
        time.sleep(min(2 ** (failures - accounts.FREE_ATTEMPTS), 8))
    if con is None:  # no warehouse to read the accounts from
        st.error(accounts.LOGIN_FAILED_VN)
        return
    try:
        with st.spinner("Đang đăng nhập…"), logins.opened(db.db_path()) as log_con:
            account = auth.read(con, lambda cur: accounts.authenticate(cur, log_con, name, password,
                                                                      client=auth.client(), rehash=_rehash))
    except db.WarehouseBusy:
        st.error(auth.LOGIN_BUSY_VN)
        return
    if account is None:
        auth.failed()
        st.error(accounts.LOGIN_FAILED_VN)
        return
    auth.start(account)
    st.rerun()
