"""Chất lượng số liệu: the cross-month data-quality flags (DOMAIN.md; etl.quality,
indicators.data_quality): unverified flags counted by commune and rule, the list with the file,
sheet and cell to open, this and the previous value and what was expected, a link to the
commune's drill-down, and the board's "Đã xác minh" with a note (etl.quality.verify, written
through ui.auth). A commune account sees its own commune's flags only (ui.data narrows)."""
from functools import partial
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from etl import labels, quality
from etl import vnformat as vn
from etl.warehouse import db
from ui import auth, data, filters, page, writes
from ui.markup import MESSAGE, md

DONE = "clsl-da-xong"
CHOICE, NOTE = "clsl-canh-bao", "clsl-ghi-chu"
DRILL = "sinh-hoat-chi-bo"  # the commune's drill-down (pages/sinh_hoat_chi_bo.py) and its pickers' URL keys
DRILL_KEYS = {"commune": "shcb_dang_bo", "branch": "shcb_chi_bo"}


def _link(f: filters.Filters, commune: str, branch) -> str:
    """The drill-down of this commune (and branch), for the months in view."""
    query = [(filters.YEAR, f.year), (filters.FIRST, f.first_month), (filters.LAST, f.last_month),
             (filters.COMMUNES, commune), (DRILL_KEYS["commune"], commune)]
    if isinstance(branch, str):
        query.append((DRILL_KEYS["branch"], branch))
    return f"{DRILL}?{urlencode(query)}"


def _counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Communes down, rules across: unverified flags."""
    grid = counts.pivot_table(index="commune_name", columns="rule", values="flags", aggfunc="sum", fill_value=0)
    grid = grid.reindex(columns=[r for r in labels.QUALITY_RULES if r in grid.columns])
    grid["Tổng"] = grid.sum(axis=1)
    return grid.rename(columns=labels.QUALITY_RULES).rename_axis(None, axis=1).reset_index(names="Đảng bộ")


def _listing(f: filters.Filters, flags: pd.DataFrame) -> pd.DataFrame:
    def values(column: str) -> list[str]:
        return [quality.shown(f, x) for f, x in zip(flags["field"], flags[column])]

    # what a flag is and the way to the unit first, within a screen's width; then the
    # explanation and the place in the workbook, reached by scrolling the table
    heads = labels.QUALITY_COLUMNS
    return pd.DataFrame({
        heads["commune_name"]: flags["commune_name"].fillna(flags["commune_code"]),
        heads["branch_name"]: flags["branch_name"].fillna(labels.WHOLE_COMMUNE),
        heads["period"]: flags["period"].map(vn.month),
        "Chi tiết": [_link(f, c, b) for c, b in zip(flags["commune_code"], flags["branch_code"])],
        heads["rule"]: flags["rule"].map(labels.QUALITY_RULES),
        heads["field"]: flags["field"].map(quality.FIELD_LABELS),
        heads["value"]: values("value"),
        heads["previous_value"]: values("previous_value"),
        heads["expected"]: values("expected"),
        heads["verified"]: flags["verified"].map({True: "Đã xác minh", False: "Chưa"}),
        heads["message"]: flags["message"],
        heads["source_file"]: flags["source_file"],
        heads["sheet"]: flags["sheet"].fillna(vn.DASH),
        heads["cell"]: flags["cell"].fillna(vn.DASH),
    })


def _label(r) -> str:
    unit = r.commune_name if not isinstance(r.branch_name, str) else f"{r.branch_name} ({r.commune_name})"
    return f"{vn.month(r.period)} · {unit} · {labels.QUALITY_RULES[r.rule]}"


def _verify(flags: pd.DataFrame, fresh: bool) -> None:
    """The board marks one unverified flag "Đã xác minh", with a note. `fresh`: a flag was just
    verified, so the choice starts again at the first flag left, with an empty note (the box
    would otherwise still show the verified flag's name over another flag)."""
    open_flags = flags[~flags["verified"].astype(bool)].reset_index(drop=True)
    if not auth.may("confirm") or open_flags.empty:
        return
    if fresh:
        st.session_state[CHOICE], st.session_state[NOTE] = 0, ""
    st.subheader("Xác minh cảnh báo")
    names = [_label(r) for r in open_flags.itertuples()]
    i = st.selectbox("Cảnh báo", range(len(names)), format_func=lambda k: names[k], key=CHOICE)
    st.caption(md(open_flags["message"].iloc[i], MESSAGE))  # the whole message, cut short in the table
    note = st.text_input("Ghi chú xác minh", key=NOTE, max_chars=quality.NOTE_MAX,
                         placeholder="Ví dụ: đã gọi điện, đảng ủy xã xác nhận số liệu đúng")
    st.caption("Cảnh báo đã xác minh không còn được đếm; khi đảng bộ nộp bản báo cáo mới, cảnh báo hiện lại "
               "nếu số liệu vẫn như vậy.")
    if st.button("Đánh dấu đã xác minh", type="primary", icon=":material/task_alt:", key="clsl-xac-minh"):
        r = open_flags.iloc[i]
        flag = quality.Flag(r["commune_code"], r["period"], r["rule"], r["field"],
                            r["branch_code"] if isinstance(r["branch_code"], str) else None)
        try:
            writes.write(partial(quality.verify, flag=flag, note=note, by=auth.current()))
        except quality.VerifyError as err:
            st.error(md(err, MESSAGE))
            return
        except db.WarehouseBusy:
            st.error(writes.BUSY_VN)
            return
        st.session_state[DONE] = f"Đã xác minh: {md(names[i])}."
        st.rerun()


def body():
    f = page.start("Chất lượng số liệu")
    if not f:
        return
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done, icon=":material/task_alt:")
    flags = data.data_quality(f.scope)
    if flags.empty:
        st.info("Không có cảnh báo chất lượng số liệu nào trong phạm vi đang xem.")
        return
    verified = int(flags["verified"].sum())
    cols = page.card_columns(3)
    cols[0].metric("Cảnh báo chưa xác minh", vn.number(len(flags) - verified), border=True)
    cols[1].metric("Đã xác minh", vn.number(verified), border=True)
    cols[2].metric("Đảng bộ có cảnh báo", vn.number(flags.loc[~flags["verified"], "commune_code"].nunique()),
                   border=True)
    st.subheader("Số cảnh báo chưa xác minh theo đảng bộ")
    counts = data.data_quality_counts(f.scope)
    page.table(_counts(counts), "canh-bao-theo-dang-bo", key="clsl-counts")
    st.subheader("Danh sách cảnh báo")
    st.caption("Mỗi cảnh báo chỉ ra tệp, trang tính và ô cần mở. Số liệu có thể đúng (ví dụ chi bộ mới sáp "
               "nhập): khi đã kiểm tra, Ban Tổ chức đánh dấu \"Đã xác minh\".")
    page.table(_listing(f, flags), "canh-bao-chat-luong-so-lieu", key="clsl-list", column_config={
        "Chi tiết": st.column_config.LinkColumn("Chi tiết", display_text="Xem chi tiết")})
    _verify(flags, fresh=done is not None)


page.run(body)
