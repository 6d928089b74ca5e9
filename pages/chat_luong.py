"""Chất lượng sinh hoạt chi bộ (I10): Tốt / Khá / Trung bình / Kém by commune, trend by month,
ranking by "đạt khá trở lên"."""
import streamlit as st

from etl import vnformat as vn
from ui import charts, data, page


def body():
    f = page.start("Chất lượng sinh hoạt chi bộ")
    if not f:
        return
    total = data.call("quality", f.scope, by="total").iloc[0]
    cols = page.card_columns(5)
    cols[0].metric("Đạt khá trở lên", page.share(total["kha_tro_len_share"]))
    for col, level in zip(cols[1:], ("tot", "kha", "trung_binh", "kem")):
        col.metric(charts.QUALITY_LABELS[level], vn.number(total[level]),
                   help=f"{page.share(total[f'{level}_share'])} số buổi được đánh giá")
    by_commune = data.call("quality", f.scope, by="commune")
    page.chart(charts.quality_stack(by_commune, label="commune_name", big=page.big(),
                                    title="Chất lượng sinh hoạt theo đảng bộ (sắp theo tỷ lệ khá trở lên)"),
               "chat-luong-theo-dang-bo")
    by_month = data.call("quality", f.scope, by="month")
    page.chart(charts.quality_stack(by_month, label="period", horizontal=False, big=page.big(),
                                    title="Diễn biến chất lượng theo tháng", layout={"xaxis": {
                                        "tickvals": list(by_month["period"]),
                                        "ticktext": [vn.month_short(p) for p in by_month["period"]]}}),
               "chat-luong-theo-thang")
    if page.big():  # presentation: the cards and charts only
        return
    st.subheader("Xếp hạng theo tỷ lệ đạt khá trở lên")
    ranking = by_commune.sort_values("kha_tro_len_share", ascending=False, na_position="last")
    page.table(ranking.assign(
        **{"Hạng": range(1, len(ranking) + 1), "Đảng bộ": ranking["commune_name"],
           "Số buổi được đánh giá": ranking["rated"].map(vn.number),
           "Tốt": ranking["tot"].map(vn.number), "Khá": ranking["kha"].map(vn.number),
           "Trung bình": ranking["trung_binh"].map(vn.number), "Kém": ranking["kem"].map(vn.number),
           "Đạt khá trở lên": ranking["kha_tro_len_share"].map(page.share)})
        [["Hạng", "Đảng bộ", "Số buổi được đánh giá", "Tốt", "Khá", "Trung bình", "Kém", "Đạt khá trở lên"]],
        "xep-hang-chat-luong", key="ranking")


page.run(body)
