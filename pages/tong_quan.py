"""Tổng quan: the standing committee's first view of the selected period.

Takes the sidebar filters (ui.filters) and shows five headline cards — reports of the period's
last month (I15), branches holding their regular meeting (I5), meetings rated Khá trở lên (I10),
admissions year to date against the target (I11), open and overdue inspection findings (I14) —
then the "Cần quan tâm" list of `indicators.attention` and three charts by commune.
Every figure comes from a `ui.data` reader (the indicator layer); this file only words and formats it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import indicators, labels
from etl import vnformat as vn
from etl.indicators import Grain
from ui import charts, data, page
from ui.markup import MESSAGE, md

# One badge colour per attention reason (st.markdown's :color-badge[...] directive)
REASON_COLORS = {"not_reported": "gray", "i5_below": "orange", "behind_pace": "blue",
                 "overdue_findings": "red", "quality_flags": "violet"}
REASON_ORDER = {reason: n for n, reason in enumerate(labels.ATTENTION)}


def _n(x) -> str:
    return vn.number(x)


def reports_card(col, f) -> None:
    """I15 for the last month of the period: communes reported ÷ communes active that month."""
    month = vn.month(f.scope.last).lower()  # "tháng 10/2026"
    s = data.submissions(indicators.Scope(f.scope.last, f.scope.last, f.communes), by=Grain.TOTAL).iloc[0]
    label = f"Báo cáo {vn.month_short(f.scope.last)}"  # short: five cards share a row
    if pd.isna(s["expected_months"]) or s["expected_months"] == 0:
        col.metric(label, "—", help=f"Không có đảng bộ nào hoạt động trong {month}.", border=True)
        return
    # the report count is a count, not a rate: 0/14 is what the committee must see
    value = vn.ratio(s["reported_months"], s["expected_months"])
    if s["missing_months"] > 0:
        delta, style = f"{_n(s['missing_months'])} quá hạn chưa nộp", page.BAD
    elif s["pending_months"] > 0:
        delta, style = f"{_n(s['pending_months'])} chưa đến hạn nộp", page.QUIET
    else:
        delta, style = "Đã nộp đủ", page.GOOD
    col.metric(label, value, delta, **style, border=True,
               help=f"Số đảng bộ đã nộp báo cáo {month} trên số đảng bộ đang hoạt động. "
                    f"Nộp đúng hạn: {page.share(s['i15_on_time_share'])}; nộp muộn: {_n(s['late_months'])}.")


def meetings_card(col, f) -> None:
    """I5: branch-months with a regular meeting held ÷ branch-months reported."""
    b = data.branch_meetings(f.scope, by=Grain.TOTAL).iloc[0]
    label = "Sinh hoạt thường kỳ"
    if pd.isna(b["i5_held_share"]):
        col.metric(label, page.share(None), border=True, help="Chưa có báo cáo sinh hoạt chi bộ nào trong kỳ.")
        return
    # over several months one branch counts once a month: "lượt chi bộ"
    unit = "chi bộ" if f.first_month == f.last_month else "lượt chi bộ"
    col.metric(label, page.share(b["i5_held_share"]), f"{vn.ratio(b['held'], b['reported_branch_months'])} {unit}",
               **page.QUIET, border=True,
               help=f"Chi bộ có sinh hoạt thường kỳ trên số chi bộ đã được báo cáo (mỗi tháng tính một lượt). "
                    f"Đã báo cáo {vn.ratio(b['reported_branch_months'], b['expected_branch_months'])} lượt "
                    "chi bộ phải báo cáo.")


def quality_card(col, f) -> None:
    """I10: (Tốt + Khá) ÷ rated held meetings."""
    q = data.quality(f.scope, by=Grain.TOTAL).iloc[0]
    label = labels.GOOD_OR_BETTER
    if pd.isna(q["kha_tro_len_share"]):
        col.metric(label, page.share(None), border=True, help="Chưa có buổi sinh hoạt nào được đánh giá trong kỳ.")
        return
    col.metric(label, page.share(q["kha_tro_len_share"]), f"{_n(q['rated'])} buổi được đánh giá", **page.QUIET,
               border=True,
               help=" · ".join(f"{labels.QUALITY[k]}: {_n(q[k])}" for k in ("tot", "kha", "trung_binh", "kem")))


def recruitment_card(col, f) -> None:
    """I11: admitted since January against the annual target, on track or behind the pace."""
    r = data.recruitment_progress(f.scope, by=Grain.TOTAL).iloc[0]
    label = f"Kết nạp năm {f.year}"
    if not r["reported"] or pd.isna(r["admitted_ytd"]):
        col.metric(label, page.share(None), border=True, help="Chưa có báo cáo kết nạp đảng viên trong năm.")
        return
    if pd.isna(r["target"]) or r["target"] == 0:
        col.metric(label, _n(r["admitted_ytd"]), "Chưa giao chỉ tiêu", **page.QUIET, border=True,
                   help=f"Số đảng viên kết nạp từ tháng 1 đến tháng {f.last_month}.")
        return
    if pd.isna(r["on_track"]):
        delta, style = None, {}
    elif r["on_track"]:
        delta, style = "Đúng tiến độ", {"delta_color": "green", "delta_arrow": "up"}
    else:
        delta, style = "Chậm tiến độ", page.BAD
    col.metric(label, vn.ratio(r["admitted_ytd"], r["target"]), delta, **style, border=True,
               help=f"Đã kết nạp từ tháng 1 đến tháng {f.last_month} trên chỉ tiêu cả năm: đạt "
                    f"{page.share(r['i11_target_share'])}. Sau {_n(r['months_elapsed'])} tháng cần kết nạp ít nhất "
                    f"{vn.number(r['pace_target'], 1)} đảng viên để đúng tiến độ.")


def findings_card(col, f) -> None:
    """I14: findings not yet remedied, and those past their deadline."""
    i = data.inspections(f.scope, by=Grain.TOTAL).iloc[0]
    label = "Hạn chế tồn đọng"
    if pd.isna(i["findings"]) or i["findings"] == 0:
        # no inspection finding in the period is a real zero, not a missing report
        col.metric(label, "0", "Không có trong kỳ", **page.QUIET, border=True,
                   help="Không có hạn chế nào phát hiện qua kiểm tra trong kỳ.")
        return
    if i["overdue"] > 0:
        delta, style = f"{_n(i['overdue'])} quá hạn khắc phục", page.BAD
    else:
        delta, style = "Không có quá hạn", page.GOOD
    col.metric(label, _n(i["unresolved"]), delta, **style, border=True,
               help=f"Trong {_n(i['findings'])} hạn chế phát hiện qua kiểm tra trong kỳ: chưa khắc phục "
                    f"{_n(i['open'])}, đang khắc phục {_n(i['in_progress'])}, đã khắc phục {_n(i['resolved'])} "
                    f"({page.share(i['i14_resolved_share'])}). Quá hạn: đã qua hạn khắc phục mà chưa khắc phục "
                    "xong, tính đến hôm nay (hoặc ngày cuối kỳ nếu kỳ đã qua).")


def attention_list(f) -> None:
    """Communes that need attention, the one with most reasons first, each reason in words."""
    st.subheader("Cần quan tâm")
    att = data.attention(f.scope)
    if att.empty:
        st.success("Không có đảng bộ nào cần quan tâm trong kỳ này theo các tiêu chí đã đặt.")
        return
    # plain Python over the rows: a province lists 100+ communes, and a pandas call per commune
    # (groupby, map, itertuples) cost tens of milliseconds on every run of the page
    rows = att[["commune_code", "commune_name", "reason", "message"]].to_dict("records")
    by_commune: dict[str, list[dict]] = {}
    for r in rows:
        by_commune.setdefault(r["commune_code"], []).append(r)
    # most reasons first, then the most serious reason (ATTENTION_LABELS order), then the name
    groups = sorted(by_commune.values(), key=lambda g: (-len(g), min(REASON_ORDER[r["reason"]] for r in g),
                                                         str(g[0]["commune_name"])))
    groups = [sorted(g, key=lambda r: REASON_ORDER[r["reason"]]) for g in groups]
    summary = []
    for reason, text in labels.ATTENTION.items():
        n = len({r["commune_code"] for r in rows if r["reason"] == reason})
        if n:
            summary.append(f":{REASON_COLORS[reason]}-badge[{text}: {n} đảng bộ]")
    st.markdown(f"**{len(groups)} đảng bộ** cần quan tâm  " + " ".join(summary))
    lines = []
    for g in groups:
        lines.append(f"- **{md(g[0]['commune_name'])}**")
        for r in g:
            badge = f":{REASON_COLORS[r['reason']]}-badge[{labels.ATTENTION[r['reason']]}]"
            lines.append(f"    - {badge} {md(r['message'], MESSAGE)}")
    # a province has 100+ communes: keep the list in a scrolling box so the charts stay in reach
    box = st.container(height=520, border=True) if len(groups) > 8 and not page.big() else st.container()
    box.markdown("\n".join(lines))
    if not page.big():
        with st.expander("Danh sách dạng bảng (tải Excel)"):
            listed = [r for g in groups for r in g]  # the order of the list above
            page.table(pd.DataFrame({"Đảng bộ": [r["commune_name"] for r in listed],
                                     "Vấn đề": [labels.ATTENTION[r["reason"]] for r in listed],
                                     "Chi tiết": [r["message"] for r in listed]}),
                       "can-quan-tam", key="attention")


def charts_by_commune(f) -> None:
    big = page.big()
    by_commune = data.branch_meetings(f.scope, by=Grain.COMMUNE)
    quality = data.quality(f.scope, by=Grain.COMMUNE)
    left, right = (st.container(), st.container()) if big else st.columns(2)
    with left:
        page.chart(charts.rate_bars(by_commune, label="commune_name", value="i5_held_share",
                                    reference=data.whole(data.branch_meetings, f.scope, "i5_held_share"), big=big,
                                    title="Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ"),
                   "ty-le-sinh-hoat-thuong-ky-theo-dang-bo", key="overview-i5")
    with right:
        fig = charts.quality_stack(quality, label="commune_name", big=big,
                                   title="Chất lượng sinh hoạt chi bộ theo đảng bộ")
        page.chart(fig, "chat-luong-sinh-hoat-theo-dang-bo", key="overview-quality")
    progress = data.recruitment_progress(f.scope, by=Grain.COMMUNE)
    fig = charts.progress_bars(progress, label="commune_name", done="admitted_ytd", target="target",
                               pace="pace_target", big=big,
                               title=f"Kết nạp đảng viên năm {f.year} so với chỉ tiêu (đến tháng {f.last_month})")
    page.chart(fig, "ket-nap-so-voi-chi-tieu", key="overview-recruitment")


def body():
    f = page.start("Tổng quan")
    if not f:
        return
    cols = page.card_columns(5)
    reports_card(cols[0], f)
    meetings_card(cols[1], f)
    quality_card(cols[2], f)
    recruitment_card(cols[3], f)
    findings_card(cols[4], f)
    # the list's place is kept above the charts, but it is sent after them: its table's browser
    # code (1.3 MB) and a province's hundred communes of text held the first chart back by about
    # 0.8 s on a first visit; it shows a moment after the charts
    listed = st.container()
    charts_by_commune(f)
    with listed:
        attention_list(f)


page.run(body)
