"""Chất lượng sinh hoạt chi bộ (I10): Tốt / Khá / Trung bình / Kém by commune, trend by month,
ranking by "đạt khá trở lên"."""
import streamlit as st

from etl import labels
from etl import vnformat as vn
from etl.indicators import Grain
from ui import charts, data, page


def body():
    f = page.start("Chất lượng sinh hoạt chi bộ")
    if not f:
        return
    total = data.quality(f.scope, by=Grain.TOTAL).iloc[0]
    cols = page.card_columns(5)
    cols[0].metric(labels.GOOD_OR_BETTER, page.share(total["kha_tro_len_share"]), border=True)
    for col, level in zip(cols[1:], ("tot", "kha", "trung_binh", "kem")):
        col.metric(labels.QUALITY[level], vn.number(total[level]), border=True,
                   help=f"{page.share(total[f'{level}_share'])} số buổi được đánh giá")
    by_commune = data.quality(f.scope, by=Grain.COMMUNE)
    page.chart(charts.quality_stack(by_commune, label="commune_name", big=page.big(),
                                    title="Chất lượng sinh hoạt theo đảng bộ (sắp theo tỷ lệ khá trở lên)"),
               "chat-luong-theo-dang-bo")
    by_month = data.quality(f.scope, by=Grain.MONTH)
    page.chart(charts.quality_stack(by_month, label="period", horizontal=False, big=page.big(),
                                    title="Diễn biến chất lượng theo tháng", layout={"xaxis": {
                                        "tickvals": list(by_month["period"]),
                                        "ticktext": [vn.month_short(p) for p in by_month["period"]]}}),
               "chat-luong-theo-thang")
    if page.big():  # presentation: the cards and charts only
        return
    st.subheader("Xếp hạng theo tỷ lệ đạt khá trở lên")
    # the chart's order; communes with the same share of khá trở lên share their rank
    ranking = charts.best_first(by_commune, *charts.QUALITY_ORDER)
    rank = ranking["kha_tro_len_share"].astype(float).rank(method="min", ascending=False)
    counts = ["Số buổi được đánh giá", *labels.QUALITY.values()]
    page.table(ranking.assign(
        **{"Hạng": rank, "Đảng bộ": ranking["commune_name"], "Số buổi được đánh giá": ranking["rated"],
           **{name: ranking[key] for key, name in labels.QUALITY.items()},
           labels.GOOD_OR_BETTER: ranking["kha_tro_len_share"]})
        [["Hạng", "Đảng bộ", *counts, labels.GOOD_OR_BETTER]],
        "xep-hang-chat-luong", key="ranking", formats={**dict.fromkeys(["Hạng", *counts], page.COUNT),
                                                       labels.GOOD_OR_BETTER: page.SHARE})


page.run(body)
