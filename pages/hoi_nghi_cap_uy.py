"""Hội nghị cấp ủy: the commune committees' meetings, I1–I4 of DOMAIN.md.

Takes the sidebar filters (ui.filters) and shows, from `indicators.committee` (by 'total',
'commune', 'month', 'commune_month'): cards for the period — regular full-committee (BCH)
meetings (I1), conclusions issued after meetings (I2), median days to issue them (I3), next-month
tasks sent to branches before the deadline day of settings.toml (I4) and, apart, the reports
that give no sending date —; a chosen share by commune against every commune's figure; a commune
× month heat map of it; I1–I4 by month; a table per commune with its Excel download.
This file only words and formats what the indicator layer returns.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import theme
from etl import vnformat as vn
from etl.labels import NOT_REPORTED
from etl.settings import load_settings
from etl.indicators import Grain
from ui import charts, data, page
from ui.markup import md


def shares(deadline: int) -> dict[str, tuple[str, str, str, str | None]]:
    """Share indicators: key -> (column, name, short name for legends and buttons, text of a
    reported cell with no share)."""
    return {
        "i1": ("i1_regular_bch_share", "Nền nếp hội nghị Ban Chấp hành thường kỳ", "Họp BCH thường kỳ (I1)", None),
        "i2": ("i2_conclusion_share", "Tỷ lệ ban hành kết luận sau hội nghị", "Ban hành kết luận (I2)",
               "Không họp"),
        "i4": ("i4_tasks_on_time_share", f"Gửi nhiệm vụ tháng sau cho chi bộ trước ngày {deadline}",
               f"Nhiệm vụ trước ngày {deadline} (I4)", "Không ghi ngày"),
    }


def _n(x) -> str:
    return vn.number(x)


def days(x, missing: str = vn.DASH) -> str:
    """A median number of days: '2 ngày', '1,5 ngày' (a median of an even count ends in ,5)."""
    return missing if pd.isna(x) else f"{vn.tenths(x)} ngày"


def share_value(row, column: str, note: str | None):
    """The share (a number, for page.table to show as '85,3%'); 'Chưa báo cáo' for a unit without
    report; the note when reported but undefined."""
    if not row["reported"]:
        return NOT_REPORTED
    return note or vn.DASH if pd.isna(row[column]) else row[column]


DAYS = page.Fmt('General" ngày"', days)  # a median of days: in Excel a number, shown '1,5 ngày'


def cards(total: pd.Series, deadline: int) -> None:
    cols = page.card_columns(5)
    # short labels: five cards share a row; the help of each says it in full
    labels = ["Họp BCH thường kỳ", "Ban hành kết luận", "Ngày ra kết luận", f"Nhiệm vụ trước ngày {deadline}",
              "Không ghi ngày gửi"]
    if not total["reported"]:
        for col, label in zip(cols, labels):
            col.metric(label, NOT_REPORTED, border=True, help="Chưa có báo cáo tháng nào trong kỳ.")
        return
    cols[0].metric(labels[0], page.share(total["i1_regular_bch_share"]),
                   f"{vn.ratio(total['months_with_regular_bch'], total['reported_months'])} tháng", **page.QUIET,
                   border=True, help="Tỷ lệ tháng (của các đảng bộ đã báo cáo) có ít nhất một hội nghị Ban Chấp hành "
                                     "thường kỳ (chỉ số I1).")
    cols[1].metric(labels[1], vn.percent(total["i2_conclusion_share"], missing="Không có hội nghị"),
                   f"{vn.ratio(total['meetings_with_conclusion'], total['meetings'])} hội nghị", **page.QUIET, border=True,
                   help="Hội nghị (Ban Chấp hành, Ban Thường vụ, Thường trực) đã ban hành nghị quyết hoặc kết luận "
                        "trên số hội nghị đã họp (chỉ số I2).")
    cols[2].metric(labels[2], days(total["i3_median_days"]),
                   f"{_n(total['conclusions_dated'])} kết luận có ngày", **page.QUIET, border=True,
                   help="Số ngày từ ngày họp đến ngày ban hành kết luận, lấy giá trị ở giữa (trung vị) của các kết "
                        "luận có ghi ngày ban hành (chỉ số I3). Càng ít ngày càng tốt.")
    cols[3].metric(labels[3], vn.percent(total["i4_tasks_on_time_share"], missing="Không ghi ngày"),
                   f"{vn.ratio(total['months_tasks_on_time'], total['months_with_tasks_date'])} tháng",
                   **page.QUIET, border=True,
                   help=f"Tháng đảng bộ gửi nhiệm vụ tháng sau cho bí thư chi bộ đến hết ngày {deadline} (hoặc ngày "
                        "cuối tháng nếu tháng ngắn hơn), trên số tháng báo cáo có ghi ngày gửi (chỉ số I4).")
    undated = total["months_without_tasks_date"]
    cols[4].metric(labels[4], _n(undated), f"trên {_n(total['reported_months'])} tháng", border=True,
                   **({"delta_color": "orange", "delta_arrow": "off"} if undated else page.QUIET),
                   help="Số tháng báo cáo không ghi ngày gửi nhiệm vụ tháng sau cho chi bộ: không tính vào tỷ lệ "
                        "gửi nhiệm vụ đúng hạn, cần nhắc đảng bộ ghi đủ.")


def by_commune(f, chosen: tuple[str, str, str, str | None]) -> pd.DataFrame:
    column, name, _, note = chosen
    rows = data.committee(f.scope, by=Grain.COMMUNE)
    # a commune that reported but has nothing to divide (no meeting, no date) is not "Chưa báo cáo":
    # it is left off the bars and named under them
    undefined = rows["reported"] & rows[column].isna()
    page.chart(charts.rate_bars(rows[~undefined], label="commune_name", value=column,
                                reference=data.whole(data.committee, f.scope, column), big=page.big(),
                                title=f"{name} theo đảng bộ"),
               f"{name} theo đảng bộ", key="committee-bars")
    if undefined.any():
        names = ", ".join(map(md, rows.loc[undefined, "commune_name"]))
        st.caption(f"{note}: {names} (không tính được tỷ lệ).")
    return rows


def heat_map(f, chosen: tuple[str, str, str, str | None]) -> None:
    column, name, _, note = chosen
    grid = data.committee(f.scope, by=Grain.COMMUNE_MONTH)
    notes = [note if r["reported"] and pd.isna(r[column]) else None for r in grid.to_dict("records")]
    fig = charts.heatmap(grid.assign(_note=notes), row="commune_name", column="period", value=column,
                         notes="_note", big=page.big(), title=f"{name}: đảng bộ × tháng")
    page.chart(fig, f"{name} theo đảng bộ và tháng", key="committee-heatmap")


def by_month(f, labels: dict) -> None:
    months = data.committee(f.scope, by=Grain.MONTH)
    big = page.big()
    left, right = (st.container(), st.container()) if big else st.columns(2)
    colors = (theme.MAIN, theme.SECOND, theme.GOOD)
    series = {column: (short, color) for (column, _, short, _), color in zip(labels.values(), colors)}
    with left:
        fig = charts.lines(months, x="period", series=series, percent=True, big=big, title="Các tỷ lệ theo tháng",
                           layout=page.title_room(extra=25 if big else 10))  # three legend entries take two lines
        page.chart(fig, "hoi-nghi-cap-uy-theo-thang", key="committee-lines")
    with right:
        shown = months.assign(month=[vn.month_short(p) for p in months["period"]])
        # the builder's labels are whole numbers; a median can end in ,5
        fig = charts.bars(shown, x="month", series={"i3_median_days": ("Số ngày (trung vị)", theme.SECOND)}, big=big,
                          title="Số ngày từ hội nghị đến khi ban hành kết luận (trung vị)",
                          trace=dict(text=[days(v, missing="") for v in shown["i3_median_days"]],
                                     textposition="outside", cliponaxis=False),
                          layout={"yaxis": {"title": {"text": "ngày"}, "rangemode": "tozero"}})
        page.chart(fig, "so-ngay-ban-hanh-ket-luan-theo-thang", key="committee-days")


def table(rows: pd.DataFrame, labels: dict, deadline: int) -> None:
    (i1, *_), (i2, _, _, note2), (i4, _, _, note4) = labels.values()
    i4_name = f"Gửi nhiệm vụ trước ngày {deadline} (I4)"
    out = pd.DataFrame([{
        "Đảng bộ": r["commune_name"],
        "Tháng đã báo cáo": vn.ratio(r["reported_months"], r["expected_months"]),
        "Tháng có hội nghị BCH thường kỳ": r["months_with_regular_bch"],
        "Nền nếp hội nghị BCH (I1)": share_value(r, i1, None),
        "Số hội nghị": r["meetings"],
        "Hội nghị có kết luận": r["meetings_with_conclusion"],
        "Tỷ lệ ban hành kết luận (I2)": share_value(r, i2, note2),
        "Số ngày ban hành kết luận, trung vị (I3)": r["i3_median_days"] if r["reported"]
        else NOT_REPORTED,
        "Tháng gửi nhiệm vụ đúng hạn / có ghi ngày": vn.ratio(r["months_tasks_on_time"], r["months_with_tasks_date"],
                                                               missing=NOT_REPORTED),
        i4_name: share_value(r, i4, note4),
        "Tháng không ghi ngày gửi nhiệm vụ": r["months_without_tasks_date"],
    } for r in rows.to_dict("records")])
    counts = page.count(NOT_REPORTED)
    page.table(out, "hoi-nghi-cap-uy-theo-dang-bo", key="committee", formats={
        **dict.fromkeys(["Tháng có hội nghị BCH thường kỳ", "Số hội nghị", "Hội nghị có kết luận",
                         "Tháng không ghi ngày gửi nhiệm vụ"], counts),
        **dict.fromkeys(["Nền nếp hội nghị BCH (I1)", "Tỷ lệ ban hành kết luận (I2)", i4_name], page.PERCENT),
        "Số ngày ban hành kết luận, trung vị (I3)": DAYS})


def body():
    f = page.start("Hội nghị cấp ủy")
    if not f:
        return
    deadline = load_settings().tasks_deadline_day
    labels = shares(deadline)
    cards(data.committee(f.scope, by=Grain.TOTAL).iloc[0], deadline)
    st.subheader("Theo đảng bộ")
    key = st.segmented_control("Chỉ số", list(labels), default="i1", required=True, key="hn_chi_so",
                               format_func=lambda k: labels[k][2])
    chosen = labels[key or "i1"]
    rows = by_commune(f, chosen)
    heat_map(f, chosen)
    st.subheader("Theo tháng")
    by_month(f, labels)
    if not page.big():
        st.subheader("Bảng theo đảng bộ")
        table(rows, labels, deadline)


page.run(body)
