"""Nhật ký hoạt động: the audit trail (etl.audit) for the board: every load, rejection, export,
confirmation, login and failed login, with account, time, file name and hash. Only accounts that
may `view_audit` reach it (dashboard.py hides it from the others; this page checks again)."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from etl import audit
from etl import vnformat as vn
from ui import auth, data, page

PERIODS = {"7 ngày qua": 7, "30 ngày qua": 30, "90 ngày qua": 90, "Tất cả": None}
LIMIT = 2000


def _table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Thời điểm": rows["at"].map(vn.moment),
        "Tài khoản": rows["account"].fillna("(dòng lệnh)"),
        "Thao tác": rows["action"].map(lambda a: audit.ACTION_VN.get(a, a)),
        "Tệp": rows["file_name"].fillna(""),
        "Chi tiết": rows["detail"].fillna(""),
        "Mã băm SHA-256": rows["sha256"].fillna(""),
    })


def body():
    auth.require("view_audit")
    st.title("Nhật ký hoạt động")
    src = data.current()
    if src.con is None:
        st.info(src.snap.error)
        return
    st.caption("Mọi lần nạp, từ chối tệp, xuất báo cáo, duyệt và mở lại báo cáo, đăng nhập (cả không thành công) "
               f"và thay đổi tài khoản. Dữ liệu đến {vn.moment(src.snap.taken_at)}.")
    a, b, c = st.columns([1, 2, 1])
    period = a.selectbox("Thời gian", list(PERIODS), index=1, key="nk-thoi-gian")
    chosen = b.multiselect("Thao tác", sorted(audit.ACTION_VN, key=audit.ACTION_VN.get), key="nk-thao-tac",
                           format_func=audit.ACTION_VN.get, placeholder="Tất cả thao tác")
    who = c.text_input("Tài khoản", key="nk-tai-khoan", placeholder="Tất cả tài khoản").strip().lower() or None
    days = PERIODS[period]
    since = date.today() - timedelta(days=days) if days else None
    rows = data.audit_trail(since, tuple(chosen), who, LIMIT)
    if rows.empty:
        st.info("Không có hoạt động nào khớp với lựa chọn.")
        return
    failed = int((rows["action"] == "login_failed").sum())
    st.markdown(f"**{vn.number(len(rows))}** hoạt động" + (f" (hiện {vn.number(LIMIT)} mới nhất)" if len(rows) >= LIMIT
                                                          else "")
                + (f" · **{vn.number(failed)}** lần đăng nhập không thành công" if failed else ""))
    page.table(_table(rows), "Nhật ký hoạt động", key="nk",
               column_config={"Chi tiết": st.column_config.TextColumn(width="large")})


page.run(body)
