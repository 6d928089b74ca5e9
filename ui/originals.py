"""Downloads of original files (etl.warehouse.originals) on the pages: the commune drill-down
offers each month's report in each of its versions, the audit page each loaded or rejected file,
and a rejected file's problems (etl.warehouse.rejections) under the same right as its bytes.

Who may download an original is who may view its commune (a file of no commune, such as the
unit registry or a rejected file that names none: who may view every commune). A page shows the
button only then, and the server asks again when the button is clicked: Streamlit builds the
file in a thread of its own, outside the session's script run, so the sign-in is checked there
from what the session held when the page was drawn (its account, sign-in time and browser token)
against the warehouse's accounts and the signed-in tokens as they are at that moment.
"""
from __future__ import annotations

import mimetypes
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st

from etl import vnformat as vn
from etl.access import accounts, audit, rights
from etl.settings import load_settings
from etl.warehouse import originals
from ui import auth, data, page, remember, upload
from ui.markup import MESSAGE, md


class Refused(Exception):
    """The session may no longer download this file."""


def allowed_now(commune: str | None) -> bool:
    """May the signed-in account of this script run have a file of `commune` (None: of no
    commune known; etl.access.rights.may_view_file)?"""
    return rights.may_view_file(auth.current(), commune)


def _checker(commune: str | None):
    """A check to run at the moment of the download, outside the script run: the session's
    sign-in still valid (not signed out, idle or past its lifetime; the account not locked,
    changed or given a new password since) and its account still allowed `commune`."""
    account = auth.current()
    signed_in = st.session_state.get(auth.SIGNED_IN)
    token = st.session_state.get(auth.TOKEN)

    def check() -> None:
        s, now = load_settings(), datetime.now()
        if token is not None and remember.resume(token, timedelta(minutes=s.session_idle_minutes), now,
                                                 touch=False) is None:
            raise Refused("signed out")
        if signed_in is not None and now - signed_in > timedelta(hours=s.session_max_hours):
            raise Refused("sign-in too old")
        con = data.source().con  # the accounts as the warehouse has them now
        if account is None or con is None:
            raise Refused("no sign-in or no warehouse")
        with con.cursor() as cursor:
            # as ui.auth.gate: an account the warehouse does not list is taken as it signed in
            stored = accounts.lookup(cursor, account.name) or account
        if stored.disabled or (stored.role, stored.commune) != (account.role, account.commune) \
                or (signed_in is not None and stored.password_set_at is not None and stored.password_set_at > signed_in):
            raise Refused("account changed")
        if not rights.may_view_file(stored, commune):
            raise Refused(f"no right to {commune or 'every commune'}")
    return check


def button(label: str, sha256: str, commune: str | None, file_name: str, key: str) -> None:
    """A download button for the kept file of content `sha256`, offered as `file_name`; nothing
    when the account may not view `commune`, a notice when the file is not kept."""
    if not allowed_now(commune):
        return
    store = originals.store_for()
    if not originals.path_of(store, sha256).exists():
        st.caption(originals.missing(sha256))
        return
    check = _checker(commune)

    def content() -> bytes:
        check()
        return originals.read(store, sha256)
    name = Path(file_name).name or sha256
    st.download_button(label, content, file_name=name, key=key, icon=":material/download:", on_click="ignore",
                       mime=mimetypes.guess_type(name)[0] or "application/octet-stream")


def version_label(v: dict) -> str:
    """'Tháng 3/2024 · lần nạp 2 (hiện hành) · nhận 05/04/2024 · thang3.xlsx'."""
    current = " (hiện hành)" if v["is_current"] else ""
    return (f"{vn.month(v['period'])} · lần nạp {v['version']}{current} · nhận {vn.day(v['received_at'])} · "
            f"{v['source_file']}")


def report_downloads(scope, commune: str, name: str) -> None:
    """The commune drill-down's originals: a month's report in one of its versions, chosen from
    every version received in the scope's months, and its download."""
    found = data.report_versions(scope, commune)
    st.markdown(f"**Báo cáo gốc của {md(name)}**")
    if not found:
        st.caption(f"{md(name)} chưa gửi báo cáo tháng nào trong thời gian đang xem.")
        return
    chosen = st.selectbox("Báo cáo và lần nạp", range(len(found)), key="bao-cao-goc",
                          format_func=lambda i: version_label(found[i]),
                          help="Tệp đúng như đảng bộ đã gửi, từng lần nạp (lần sau thay lần trước).")
    v = found[chosen]
    button("Tải báo cáo gốc", v["sha256"], commune, originals.download_name(commune, v["period"], v),
           key="bao-cao-goc-tai")


def audit_downloads(rows) -> None:
    """The audit page's originals: the file of one load or rejection row among `rows` (the
    audit trail's frame, newest first)."""
    files = rows[rows["action"].isin(audit.FILE_ACTIONS) & rows["sha256"].notna()].reset_index(drop=True)
    if files.empty:
        return
    st.markdown("**Tệp gốc của một lần nạp hoặc từ chối**")
    chosen = st.selectbox("Tệp", range(len(files)), key="nk-tep-goc",
                          format_func=lambda i: " · ".join([vn.moment(files["at"][i]), audit.ACTION_VN[files["action"][i]],
                                                            str(files["file_name"][i] or "")]))
    row = files.iloc[chosen]
    commune = data.original_commune(row["sha256"])
    button("Tải tệp gốc", row["sha256"], commune, row["file_name"] or row["sha256"], key="nk-tep-goc-tai")
    if row["action"] == "reject" and allowed_now(commune):
        rejection_problems(row)


def rejection_problems(row) -> None:
    """The problems a rejection row's file was refused for, as the loader listed them (sheet,
    cell, column, what is wrong and how to fix it); rejections recorded before they were stored
    show their codes only."""
    found = data.rejection(row["at"].to_pydatetime(), row["file_name"], row["sha256"])
    if found is None:
        st.caption(f"Lần từ chối này không có danh sách lỗi; nhật ký ghi: {md(row['detail'] or '', MESSAGE)}.")
        return
    st.markdown(f"**Các lỗi của tệp {md(found.file)}**: vị trí (trang tính, ô, cột), nội dung lỗi và cách sửa.")
    page.table(upload.problems_of([found]).drop(columns="Tệp"), f"Lỗi tệp {found.file}", key="nk-loi-tep",
               column_config={"Nội dung": st.column_config.TextColumn(width="large")})
