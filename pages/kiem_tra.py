"""Kiểm tra (I14): inspection findings by commune × category and by remediation status, the
share resolved, and the findings overdue for remediation with their recommendation."""
from datetime import date

import pandas as pd
import streamlit as st

from etl import indicators, labels, theme
from etl import vnformat as vn
from etl.indicators import Grain
from ui import charts, data, page

STATUS_COLORS = {"open": theme.BAD, "in_progress": theme.LATE, "resolved": theme.GOOD}


def body():
    f = page.start("Kết quả kiểm tra")
    if not f:
        return
    # one reference day for the counts and the list: today, or the last day of a past period
    as_of = indicators.as_of_day(f.scope, None)
    total = data.inspections(f.scope, as_of=as_of, by=Grain.TOTAL).iloc[0]
    if pd.isna(total["findings"]) or total["findings"] == 0:
        st.info("Chưa có hạn chế nào sau kiểm tra trong phạm vi đang xem. Kết quả kiểm tra được nạp từ tệp "
                "**Sổ theo dõi kết quả kiểm tra** ở trang Tải báo cáo.")
        return
    cols = page.card_columns(6)
    cols[0].metric("Tổng số hạn chế", vn.number(total["findings"]), border=True)
    for col, status in zip(cols[1:4], ("open", "in_progress", "resolved")):
        col.metric(labels.FINDING_STATUS[status], vn.number(total[status]), border=True)
    cols[4].metric("Tỷ lệ khắc phục", vn.percent(total["i14_resolved_share"]), border=True,
                   help="Số hạn chế đã khắc phục ÷ tổng số hạn chế.")
    cols[5].metric("Quá hạn", vn.number(total["overdue"]), border=True,
                   help=f"Hết hạn khắc phục trước ngày {vn.day(as_of)} mà chưa khắc phục xong.")

    cells = data.inspections(f.scope, as_of=as_of, by=Grain.COMMUNE_CATEGORY)
    page.chart(charts.count_heatmap(cells, row="commune_name", column="category", value="findings",
                                    column_labels=labels.CATEGORIES, big=page.big(),
                                    title="Số hạn chế theo đảng bộ và nhóm hạn chế"),
               "han-che-theo-dang-bo-va-nhom")
    by_commune = data.inspections(f.scope, as_of=as_of, by=Grain.COMMUNE)
    ordered = by_commune.sort_values(["findings", "commune_name"], ascending=[True, False])
    whole = {"tickformat": "d"} | ({"dtick": 1} if ordered["findings"].max() <= 10 else {})  # counts: whole ticks
    status = charts.bars(ordered, x="commune_name", horizontal=True, stacked=True, big=page.big(),
                         series={s: (labels.FINDING_STATUS[s], STATUS_COLORS[s]) for s in STATUS_COLORS},
                         title="Tình trạng khắc phục theo đảng bộ", layout={"xaxis": whole})
    page.chart(status, "tinh-trang-khac-phuc-theo-dang-bo")
    st.caption("Chỉ hiện các đảng bộ có hạn chế trong phạm vi đang xem.")
    if page.big():  # presentation: the cards and charts only
        return

    st.subheader("Tỷ lệ khắc phục theo đảng bộ")
    table = by_commune.sort_values("i14_resolved_share", ascending=True, na_position="last")
    counts = ["Số hạn chế", *labels.FINDING_STATUS.values(), "Quá hạn"]
    page.table(table.assign(**{
        "Đảng bộ": table["commune_name"], "Số hạn chế": table["findings"],
        **{labels.FINDING_STATUS[s]: table[s] for s in STATUS_COLORS},
        "Quá hạn": table["overdue"], "Tỷ lệ đã khắc phục": table["i14_resolved_share"]})
        [["Đảng bộ", *counts, "Tỷ lệ đã khắc phục"]],
        "ty-le-khac-phuc", key="resolved",
        formats={**dict.fromkeys(counts, page.COUNT), "Tỷ lệ đã khắc phục": page.PERCENT})

    st.subheader(f"Hạn chế quá hạn khắc phục (tính đến ngày {vn.day(as_of)})")
    today = date.today()
    if as_of < today:  # a period in the past: the board following up wants to know how to see today's
        st.caption(f"Tính đến ngày cuối kỳ đang xem. Để xem hạn chế quá hạn đến hôm nay ({vn.day(today)}), chọn "
                   f"**Năm** {today.year} và **Đến tháng** {today.month} ở thanh bên.")
    overdue = data.overdue_findings(f.scope, as_of=as_of)
    if overdue.empty:
        st.success("Không có hạn chế nào quá hạn khắc phục.")
        return
    page.table(overdue.assign(**{
        "Đảng bộ": overdue["commune_name"], "Chi bộ": overdue["branch_name"].fillna("(cấp đảng bộ)"),
        "Số kế hoạch": overdue["plan_ref"], "Ngày kiểm tra": overdue["inspected_on"].map(vn.day),
        "Nhóm hạn chế": overdue["category"].map(lambda c: labels.CATEGORIES.get(c, c)),
        "Nội dung hạn chế": overdue["description"], "Kiến nghị": overdue["recommendation"],
        "Hạn khắc phục": overdue["due_date"].map(vn.day), "Số ngày quá hạn": overdue["days_overdue"],
        "Tình trạng": overdue["status"].map(lambda s: labels.FINDING_STATUS.get(s, s))})
        [["Đảng bộ", "Chi bộ", "Số kế hoạch", "Ngày kiểm tra", "Nhóm hạn chế", "Nội dung hạn chế", "Kiến nghị",
          "Hạn khắc phục", "Số ngày quá hạn", "Tình trạng"]],
        "han-che-qua-han", key="overdue",
        column_config={"Số ngày quá hạn": st.column_config.NumberColumn(format="%d ngày"),
                       "Nội dung hạn chế": st.column_config.TextColumn(width="large"),
                       "Kiến nghị": st.column_config.TextColumn(width="large")})


page.run(body)
