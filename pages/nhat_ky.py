"""Nhật ký hoạt động: the audit trail (etl.access.audit) for the board: every load, rejection, export,
confirmation, login and failed login, with account, time, file name and hash; the original file
of a load or rejection row to download, and the problems a rejected file was refused for
(ui.originals); and, at the top, whether the server's last nightly backup failed. Sessions the
browser's cookie brought back (every reload is one) show only when that action is chosen; the page
says how many it left out. Only accounts that may `view_audit` reach it (dashboard.py hides it from
the others; this page checks again)."""
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import vnformat as vn
from etl.access import audit, logins
from ui import auth, data, originals, page
from ui.markup import md

PERIODS = {"7 ngày qua": 7, "30 ngày qua": 30, "90 ngày qua": 90, "Tất cả": None}
LIMIT = 2000
RESUMED_VN = audit.ACTION_VN[logins.RESUMED]


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
    backed = data.backup_status()
    if backed is not None and not backed["ok"]:
        st.error(f"Sao lưu tự động lúc {vn.moment(datetime.fromisoformat(backed['at']))} không thành công: "
                 f"{md(backed['error'])} Hãy báo quản trị hệ thống, hoặc chạy lệnh python -m etl backup.")
    elif backed is not None:
        st.caption(f"Sao lưu tự động gần nhất: {vn.moment(datetime.fromisoformat(backed['at']))}, tệp "
                   f"{md(Path(backed['file']).name)}.")
    st.caption("Mọi lần nạp, từ chối tệp, xuất báo cáo, duyệt và mở lại báo cáo, đăng nhập (cả không thành công, "
               f"cả mở lại phiên) và thay đổi tài khoản. Dữ liệu đến {vn.moment(src.snap.taken_at)}.")
    a, b, c = st.columns([1, 2, 1])
    period = a.selectbox("Thời gian", list(PERIODS), index=1, key="nk-thoi-gian")
    chosen = b.multiselect("Thao tác", sorted(audit.ACTION_VN, key=audit.ACTION_VN.get), key="nk-thao-tac",
                           format_func=audit.ACTION_VN.get, placeholder=f"Tất cả, trừ {RESUMED_VN.lower()}")
    who = c.text_input("Tài khoản", key="nk-tai-khoan", placeholder="Tất cả tài khoản").strip().lower() or None
    days = PERIODS[period]
    since = date.today() - timedelta(days=days) if days else None
    rows, hidden = data.audit_trail(since, tuple(chosen), who, LIMIT)
    # a reload or a new tab is a resumed session: left out unless asked for, and said so
    left_out = (f"Không hiện {vn.number(hidden)} lần {RESUMED_VN.lower()} (tải lại trang, mở thẻ mới): chọn "
                f"“{RESUMED_VN}” ở ô Thao tác để xem.") if hidden else ""
    if rows.empty:
        st.info(" ".join(["Không có hoạt động nào khớp với lựa chọn.", left_out]).strip())
        return
    failed = int((rows["action"] == "login_failed").sum())
    st.markdown(f"**{vn.number(len(rows))}** hoạt động" + (f" (hiện {vn.number(LIMIT)} mới nhất)" if len(rows) >= LIMIT
                                                          else "")
                + (f" · **{vn.number(failed)}** lần đăng nhập không thành công" if failed else ""))
    if left_out:
        st.caption(left_out)
    page.table(_table(rows), "Nhật ký hoạt động", key="nk",
               column_config={"Chi tiết": st.column_config.TextColumn(width="large")})
    originals.audit_downloads(rows)


page.run(body)
