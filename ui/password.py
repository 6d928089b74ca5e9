"""The password an account must choose before anything else (etl.access.accounts: the first
administrator, whose generated password was printed on the server's console): dashboard.py shows
this form instead of the pages until it is done.

The new password goes through etl.access.accounts.set_password (length, common passwords, not the
current one), written to the warehouse by ui.writes.write; the session then counts as signed in
from that moment, under a new cookie token, so it lives on while sessions signed in with the old
password end (ui.auth.gate).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import streamlit as st

from etl.access import accounts
from etl.settings import load_settings
from etl.warehouse import db
from ui import auth, markup, remember, writes

MISMATCH_VN = "Hai lần nhập mật khẩu mới không giống nhau."


def change_form() -> None:
    """The form; on success the session goes on with the new password (the run reruns)."""
    account = auth.current()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Đổi mật khẩu")
        st.info(f"Tài khoản **{markup.md(account.name)}** đang dùng mật khẩu được in trên cửa sổ dòng lệnh của máy chủ. "
                f"Hãy đặt mật khẩu mới (ít nhất {accounts.MIN_PASSWORD} ký tự, không phải mật khẩu phổ biến) "
                "trước khi dùng bảng điều khiển.")
        with st.form("change-password", enter_to_submit=True):
            first = st.text_input("Mật khẩu mới", type="password", key="new-password", autocomplete="new-password")
            again = st.text_input("Nhập lại mật khẩu mới", type="password", key="new-password-again",
                                  autocomplete="new-password")
            submitted = st.form_submit_button("Đổi mật khẩu", type="primary", icon=":material/key:")
        if submitted:
            _change(account, first, again)


def _change(account: accounts.Account, first: str, again: str) -> None:
    if first != again:
        st.error(MISMATCH_VN)
        return
    try:
        writes.write(lambda con: accounts.set_password(con, account.name, first, by=account.name))
    except accounts.AccountError as err:
        st.error(str(err))
        return
    except db.WarehouseBusy:
        st.error(writes.BUSY_VN)
        return
    now = datetime.now()  # after the new password_set_at: this session goes on, older ones end
    remember.forget(st.session_state.get(auth.TOKEN))
    token = remember.issue(account.name, now, timedelta(minutes=load_settings().session_idle_minutes), now)
    st.session_state.update({auth.ACCOUNT: dataclasses.replace(account, must_change_password=False),
                             auth.SIGNED_IN: now, auth.SEEN: now, auth.TOKEN: token, auth.STORE: token})
    st.rerun()
