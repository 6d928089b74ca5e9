"""Nộp báo cáo (I15): the commune × month matrix of report submissions (on time, late, not
reported, not yet due, confirmed by the board), the share reported and on time per month, and,
for one cell, every version of that report (click a cell, or pick the commune and the month)
with the board's confirm (duyệt) / reopen buttons (etl.access.confirm, written through ui.auth)."""
from functools import partial

import pandas as pd
import streamlit as st

from etl import indicators, labels, theme
from etl import vnformat as vn
from etl.access import confirm
from etl.settings import load_settings
from etl.warehouse import db
from etl.indicators import Grain
from ui import auth, charts, data, page, writes
from ui.markup import MESSAGE, md

STATUS_STYLE = {  # each status its own colour; text colour chosen for contrast
    "on_time": f"background-color: {theme.GOOD}; color: white",
    "late": f"background-color: {theme.LATE}; color: white",
    "missing": f"background-color: {theme.NOT_REPORTED}; color: {theme.INK}",
    "pending": f"background-color: {theme.PENDING_BG}; color: {theme.PENDING_INK}",
}
COMMUNE, MONTH, GRID, DONE = "nbc-dang-bo", "nbc-thang", "nbc-ma-tran", "nbc-da-xong"
NAME = "Đảng bộ"


def _texts(grid: pd.DataFrame) -> pd.Series:
    """Each commune-month's cell text (vectorised: a province has 1.500+ cells a year)."""
    days = grid["days_late"].astype("string").fillna("")
    versions = grid["versions"].astype("Int64")
    text = grid["status"].map(labels.SUBMISSION).fillna("")
    text = text.mask(grid["status"].eq("late") & days.ne(""), "Muộn " + days + " ngày")
    resent = grid["status"].isin(["on_time", "late"]) & versions.gt(1).fillna(False)
    text = text.mask(resent, text + " ×" + versions.astype("string").fillna(""))
    return text.mask(grid["confirmed"].fillna(False).astype(bool), text + " ✓")


def _matrix(grid: pd.DataFrame, months: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Display frame (communes × month labels), its status frame (for colours), commune codes."""
    codes = list(dict.fromkeys(grid["commune_code"]))
    names = dict(zip(grid["commune_code"], grid["commune_name"]))
    cells = grid[["commune_code", "period", "status"]].assign(text=_texts(grid))
    labels = {p: vn.month_short(p) for p in months}
    # a month the commune did not exist in (registry validity) has no row: an empty cell
    text = (cells.pivot(index="commune_code", columns="period", values="text")
            .reindex(index=codes, columns=list(months)).fillna("").rename(columns=labels))
    status = (cells.pivot(index="commune_code", columns="period", values="status")
              .reindex(index=codes, columns=list(months)).fillna("").rename(columns=labels))
    text.columns.name = status.columns.name = None
    text.insert(0, NAME, [names[c] for c in codes])
    status.insert(0, NAME, "")
    return text.reset_index(drop=True), status.reset_index(drop=True), codes


def _select_cell(codes: list[str], periods: dict[str, str]) -> None:
    """A clicked cell fills the commune and month pickers below the matrix."""
    cells = st.session_state[GRID].selection.get("cells") or []
    if cells:
        row, column = cells[0]
        st.session_state[COMMUNE] = codes[row]
        if column in periods:
            st.session_state[MONTH] = periods[column]


def _versions(f, grid: pd.DataFrame, codes: list[str], months: tuple[str, ...]) -> None:
    st.subheader("Các lần nộp của một báo cáo")
    st.caption("Bấm vào một ô của bảng trên, hoặc chọn đảng bộ và tháng.")
    a, b = st.columns(2)
    commune = a.selectbox("Đảng bộ", codes, index=None, key=COMMUNE, format_func=f.name, placeholder="Chọn đảng bộ")
    month = b.selectbox("Tháng", list(months), index=None, key=MONTH, format_func=vn.month, placeholder="Chọn tháng")
    if not commune or not month:
        return
    row = grid[(grid["commune_code"] == commune) & (grid["period"] == month)]
    title = f"**{md(f.name(commune))} – {vn.month(month)}:** "
    if row.empty:
        st.markdown(title + "đảng bộ chưa hoạt động trong tháng này (theo danh mục đơn vị).")
    else:
        r = row.iloc[0]
        state = _texts(row).iloc[0]
        received = f"; nhận lần đầu {vn.moment(r['first_received_at'])}" if not pd.isna(r["first_received_at"]) else ""
        st.markdown(f"{title}{state.lower() if state else ''} (hạn nộp {vn.day(r['deadline'])}{received}).")
        _confirmation(commune, month, r, f.name(commune))
    versions = data.submission_versions(commune, month)
    if versions.empty:
        st.info("Chưa có lần nộp nào cho báo cáo này.")
        return
    page.table(versions.assign(**{
        "Lần nộp": versions["version"], "Thời điểm nhận": versions["received_at"].map(vn.moment),
        "Tên tệp": versions["source_file"],
        "Hiện hành": versions["is_current"].map({True: "Đang dùng", False: "Đã được thay thế"}),
        "Ngày triển khai nhiệm vụ": versions["tasks_sent_on"].map(vn.day)})
        [["Lần nộp", "Thời điểm nhận", "Tên tệp", "Hiện hành", "Ngày triển khai nhiệm vụ"]],
        f"cac-lan-nop-{commune}-{month}", key="versions")


def _confirmation(commune: str, month: str, row: pd.Series, name: str) -> None:
    """The board's confirmation of this report: its state, and the button that changes it."""
    confirmed = bool(row["confirmed"]) if not pd.isna(row["confirmed"]) else False
    if confirmed:
        who = row["confirmed_by"] if isinstance(row["confirmed_by"], str) else "dòng lệnh"
        st.success(f"Ban Tổ chức đã duyệt báo cáo này lúc {vn.moment(row['confirmed_at'])} ({md(who)}). Bản nộp mới "
                   "sẽ bị từ chối cho đến khi báo cáo được mở lại.", icon=":material/verified:")
    if not auth.may("confirm") or row["status"] not in ("on_time", "late"):
        return
    key = f"nbc-{commune}-{month}"
    if confirmed:
        reason = st.text_input("Lý do mở lại", key=f"{key}-reason", placeholder="Ví dụ: đảng bộ gửi bản sửa số liệu")
        clicked = st.button("Mở lại để nhận bản nộp mới", icon=":material/lock_open:", key=f"{key}-reopen")
        act = partial(confirm.reopen, commune=commune, month=month, by=auth.current(), reason=reason)
        done = f"Đã mở lại báo cáo tháng {vn.month(month)} của {md(name)}."
    else:
        clicked = st.button("Duyệt báo cáo này", type="primary", icon=":material/verified:", key=f"{key}-confirm",
                            help="Báo cáo đã duyệt không bị thay bởi bản nộp mới cho đến khi Ban Tổ chức mở lại.")
        act = partial(confirm.confirm, commune=commune, month=month, by=auth.current())
        done = f"Đã duyệt báo cáo tháng {vn.month(month)} của {md(name)}."
    if clicked:
        try:
            writes.write(act)
        except confirm.ConfirmError as err:
            st.error(md(err, MESSAGE))  # it names the commune and the account
            return
        except db.WarehouseBusy:
            st.error(writes.BUSY_VN)
            return
        st.session_state[DONE] = done
        st.rerun()


def body():
    f = page.start("Tình hình nộp báo cáo")
    done = st.session_state.pop(DONE, None)
    if done:
        st.toast(done, icon=":material/verified:")
    if not f:
        return
    months = f.scope.months
    total = data.submissions(f.scope, by=Grain.TOTAL).iloc[0]
    cols = page.card_columns(5)
    cols[0].metric("Tỷ lệ đã nộp", page.share(total["i15_reported_share"]), border=True,
                   help="Số tháng-đảng bộ đã có báo cáo ÷ số tháng-đảng bộ phải nộp.")
    cols[1].metric("Tỷ lệ nộp đúng hạn", page.share(total["i15_on_time_share"]), border=True,
                   help=f"Bản nộp đầu tiên nhận trước hạn (ngày {load_settings().submission_deadline_day} tháng "
                        "sau, theo settings.toml mục [submission]).")
    cols[2].metric("Nộp muộn", vn.number(total["late_months"]), border=True)
    cols[3].metric("Chưa báo cáo (quá hạn)", vn.number(total["missing_months"]), border=True)
    cols[4].metric("Chưa đến hạn", vn.number(total["pending_months"]), border=True)

    grid = data.submissions(f.scope, by=Grain.COMMUNE_MONTH)
    if grid.empty:
        st.info("Chưa có đảng bộ nào trong phạm vi đang xem.")
        return
    st.subheader("Bảng theo đảng bộ và tháng")
    text, status, codes = _matrix(grid, months)
    styled = text.style.apply(lambda _: status.map(lambda s: STATUS_STYLE.get(s, "")), axis=None)
    periods = {vn.month_short(p): p for p in months}
    big = page.big()
    # pixels a character and a row of the grid take: bigger type when presenting, where every
    # commune shows (the page scrolls, not the grid)
    char, row = (9.8, 48) if big else (6.8, 35)
    height = 52 + row * len(text) if big else min(38 + row * len(text), 720)
    # a click fills the pickers of the drill-down, which presentation mode leaves out
    select = {} if big else {"on_select": lambda: _select_cell(codes, periods), "selection_mode": "single-cell"}
    st.dataframe(styled, hide_index=True, width="stretch", key=GRID, height=height, **select,
                 column_config={NAME: st.column_config.TextColumn(pinned=True),
                                # sized to the column's longest text: the grid's auto-size measures only
                                # the first rows, and a fixed width would scroll a year off screen
                                **{label: st.column_config.TextColumn(width=int(14 + char * text[label].str.len().max()))
                                   for label in periods}})
    st.caption("Màu: xanh lá – đúng hạn; cam – nộp muộn (số ngày trễ so với hạn); xám – chưa báo cáo khi đã quá "
               "hạn; xanh nhạt – chưa đến hạn; ô trống – đảng bộ chưa hoạt động trong tháng. "
               "\"×2\": báo cáo đã được gửi 2 lần (bấm vào ô để xem); \"✓\": Ban Tổ chức đã duyệt.")
    if not big:
        # the workbook is built when the button is clicked, not on every run (it took ~50 ms)
        st.download_button("Tải bảng (Excel)", lambda: page.excel_bytes(text, "Nộp báo cáo"),
                           file_name="nop-bao-cao.xlsx", key="matrix-xlsx", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    by_month = data.submissions(f.scope, by=Grain.MONTH)
    # a month before its deadline has no share yet, not 0 % (nor 100 % of the few sent early)
    due = by_month["due"].astype(bool)
    shown = by_month.assign(i15_reported_share_due=by_month["i15_reported_share_due"].where(due),
                            i15_on_time_share_due=by_month["i15_on_time_share_due"].where(due))
    page.chart(charts.lines(shown, x="period", percent=True, big=page.big(),
                            series={"i15_reported_share_due": ("Tỷ lệ đã nộp", theme.MAIN),
                                    "i15_on_time_share_due": ("Tỷ lệ nộp đúng hạn", theme.SECOND)},
                            title="Tỷ lệ đảng bộ đã nộp và nộp đúng hạn theo tháng"),
               "ty-le-nop-bao-cao-theo-thang")
    if big:  # presentation: cards, matrix and chart; no tables to copy, no confirmation
        return
    # a month a row: each column one kind of number (counts, shares), so the workbook adds them up
    shares = pd.DataFrame({
        "Tháng": by_month["period"].map(vn.month), "Số đảng bộ phải nộp": by_month["expected_months"],
        "Đã nộp": by_month["reported_months"],
        "Tỷ lệ đã nộp": by_month["i15_reported_share_due"].where(due, "Chưa đến hạn"),
        "Tỷ lệ nộp đúng hạn": by_month["i15_on_time_share_due"].where(due, "Chưa đến hạn")})
    page.table(shares, "ty-le-nop-bao-cao-theo-thang", key="shares", formats={
        "Số đảng bộ phải nộp": page.COUNT, "Đã nộp": page.COUNT, "Tỷ lệ đã nộp": page.SHARE,
        "Tỷ lệ nộp đúng hạn": page.SHARE})

    _versions(f, grid, codes, months)


page.run(body)
