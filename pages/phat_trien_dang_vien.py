"""Phát triển đảng viên (I11–I13): admitted year to date against the annual target with the
on-track pace by commune, the cumulative line against the pace, sources trained, the change in
membership (admitted, transferred in/out, deceased, removed, net) and a table to download.

Takes the sidebar filters (ui.filters); every figure comes from a `ui.data` reader (indicators
recruitment_progress and recruitment). Year-to-date figures run from January to the period's
last month; the membership flows cover the months of the period. This file only words,
formats and places figures side by side.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import labels, theme
from etl import vnformat as vn
from etl.indicators import Grain
from etl.labels import NOT_REPORTED
from ui import charts, data, page

# the membership change of I13: what adds to the party and what takes from it (column: label, colour)
GAINS = {"admitted": ("Kết nạp mới", theme.MAIN), "transferred_in": ("Chuyển đến", theme.SECOND)}
LOSSES = {"transferred_out": ("Chuyển đi", theme.LATE), "deceased": ("Từ trần", theme.GREY),
          "removed": ("Xóa tên, khai trừ, ra khỏi Đảng", theme.INK_SOFT)}


def _n(x) -> str:
    return vn.number(x, missing=NOT_REPORTED)


def _signed(x) -> str:
    return vn.signed(x, missing=NOT_REPORTED)


def _true(x) -> bool:
    """A nullable yes/no that is known and yes."""
    return not pd.isna(x) and bool(x)


def _pace(r) -> str:
    """On-track verdict of one progress row, in words."""
    if not _true(r["reported"]):
        return NOT_REPORTED
    if pd.isna(r["target"]):
        return "Chưa giao chỉ tiêu"
    return "Đạt tiến độ" if _true(r["on_track"]) else "Chậm tiến độ"


def cards(progress, flows, until: str) -> None:
    cols = page.card_columns(5)
    cols[0].metric("Kết nạp từ đầu năm", _n(progress["admitted_ytd"]),
                   f"chỉ tiêu năm {vn.number(progress['target'])}", **page.QUIET, border=True,
                   help=f"Số đảng viên kết nạp mới từ tháng 1 đến {until}, so với chỉ tiêu kết nạp cả năm "
                        "của các đảng bộ đang xem.")
    verdict = _pace(progress)
    style = page.GOOD if verdict == "Đạt tiến độ" else page.BAD if verdict == "Chậm tiến độ" else page.QUIET
    cols[1].metric("So với chỉ tiêu năm", page.share(progress["i11_target_share"]), verdict, **style,
                   border=True,
                   help=f"Đạt tiến độ khi số kết nạp từ đầu năm ≥ chỉ tiêu × số tháng đã qua ÷ 12: đến {until} "
                        f"cần {vn.number(progress['pace_target'], 1)} đảng viên "
                        f"({vn.number(progress['months_elapsed'])} tháng).")
    cols[2].metric("Nguồn phát triển đảng", _n(progress["sources_trained_ytd"]), "học lớp nhận thức",
                   **page.QUIET, border=True,
                   help=f"Quần chúng ưu tú đã học lớp nhận thức về Đảng từ tháng 1 đến {until}.")
    cols[3].metric("Công nhận chính thức", _n(flows["confirmed_official"]), "trong kỳ", **page.QUIET, border=True,
                   help="Đảng viên dự bị được công nhận đảng viên chính thức trong các tháng đang xem.")
    cols[4].metric("Biến động đảng viên", _signed(flows["net_change"]), "trong kỳ", **page.QUIET, border=True,
                   help="Kết nạp mới + chuyển đến − chuyển đi − từ trần − xóa tên, khai trừ, ra khỏi Đảng "
                        f"trong các tháng đang xem: +{vn.number(flows['admitted'])} + "
                        f"{vn.number(flows['transferred_in'])} − {vn.number(flows['transferred_out'])} − "
                        f"{vn.number(flows['deceased'])} − {vn.number(flows['removed'])}.")


def progress_chart(by_commune: pd.DataFrame, year: int, until: str) -> None:
    # a commune without a report or a target says so next to its name rather than showing 0
    d = by_commune.assign(label=by_commune["commune_name"].fillna(by_commune["commune_code"]))
    page.chart(charts.progress_bars(
        d, label="label", done="admitted_ytd", target="target", pace="pace_target", reported="reported", big=page.big(),
        title=f"Kết nạp đảng viên so với chỉ tiêu năm {year} (đến {until})"), "ket-nap-so-voi-chi-tieu")
    st.caption("Vạch xanh: số cần đạt để đúng tiến độ (chỉ tiêu × số tháng đã qua ÷ 12).")


def cumulative_chart(by_month: pd.DataFrame, year: int) -> None:
    # admitted_ytd_reported: a month no commune has reported yet stays empty, not the last total again
    fig = charts.lines(by_month, x="period", big=page.big(), dash=("pace_target",),
                       layout={"yaxis": {"rangemode": "tozero"}},
                       title=f"Kết nạp lũy kế từ đầu năm {year} so với tiến độ chỉ tiêu", series={
                           "admitted_ytd_reported": ("Đã kết nạp (lũy kế)", theme.MAIN),
                           "pace_target": ("Tiến độ cần đạt", theme.SECOND)})
    page.chart(fig, "ket-nap-luy-ke-theo-thang")


def sources_chart(by_commune: pd.DataFrame, until: str) -> None:
    d = by_commune.assign(label=by_commune["commune_name"].fillna(by_commune["commune_code"]))
    fig = charts.bars(d.sort_values("sources_trained_ytd", na_position="first"), x="label", horizontal=True,
                      big=page.big(), title=f"Nguồn phát triển đảng và kết nạp từ đầu năm (đến {until})",
                      series={"sources_trained_ytd": ("Quần chúng học lớp nhận thức", theme.SECOND),
                              "admitted_ytd": ("Kết nạp mới", theme.MAIN)},
                      trace=dict(textposition="outside"))  # short bars: the count beside them, never rotated inside
    page.chart(fig, "nguon-phat-trien-dang")


def flows_chart(by_month: pd.DataFrame) -> None:
    fig = charts.change_bars(by_month, x="period", up=GAINS, down=LOSSES, net=("net_change", "Tăng/giảm thực tế"),
                             big=page.big(), title="Biến động đảng viên theo tháng",
                             layout=page.title_room(extra=35) if page.big() else None)  # six legend entries: two lines
    page.chart(fig, "bien-dong-dang-vien-theo-thang")


def summary_table(progress: pd.DataFrame, flows: pd.DataFrame, total_progress, total_flows, until: str,
                  whole: bool) -> None:
    """One row per commune, then their total, named by labels.total_name (`whole`: it sums every
    commune)."""
    # the join only places the period's flows next to the year-to-date progress of each commune
    d = progress.merge(flows.drop(columns=["commune_name", "reported"]), on="commune_code", how="outer", sort=False)
    total = pd.DataFrame([{**total_progress.to_dict(), **total_flows.drop(labels=["reported"]).to_dict(),
                           "commune_name": labels.total_name(whole)}])
    d = pd.concat([d, total], ignore_index=True)
    counts = {f"Kết nạp đến {until}": "admitted_ytd", f"Quần chúng học lớp nhận thức đến {until}": "sources_trained_ytd",
              "Kết nạp trong kỳ": "admitted", "Công nhận chính thức": "confirmed_official",
              "Chuyển đến": "transferred_in", "Chuyển đi": "transferred_out", "Từ trần": "deceased",
              "Xóa tên, khai trừ": "removed"}
    table = pd.DataFrame({
        "Đảng bộ": d["commune_name"].fillna(d["commune_code"]),
        "Chỉ tiêu năm": d["target"],
        **{label: d[column] for label, column in list(counts.items())[:1]},
        "Tỷ lệ so với chỉ tiêu": d["i11_target_share"],
        "Cần đạt theo tiến độ": d["pace_target"],
        "Tiến độ": [_pace(r) for _, r in d.iterrows()],
        **{label: d[column] for label, column in list(counts.items())[1:]},
        "Biến động trong kỳ": d["net_change"],
        "Đi làm ăn xa": d["working_away"],
    })
    page.table(table, "phat-trien-dang-vien-theo-dang-bo", key="recruitment", formats={
        "Chỉ tiêu năm": page.COUNT, **dict.fromkeys([*counts, "Đi làm ăn xa"], page.count(NOT_REPORTED)),
        "Tỷ lệ so với chỉ tiêu": page.SHARE, "Cần đạt theo tiến độ": page.decimal(1),
        "Biến động trong kỳ": page.Fmt("+#,##0;-#,##0;0", _signed)})


def body():
    f = page.start("Phát triển đảng viên")
    if not f:
        return
    if f.kinds:
        st.caption("Bộ lọc loại chi bộ không áp dụng cho trang này: chỉ tiêu kết nạp giao cho cả đảng bộ.")
    until = vn.month(f.scope.last).lower()
    progress_total = data.recruitment_progress(f.scope, by=Grain.TOTAL).iloc[0]
    flows_total = data.recruitment(f.scope, by=Grain.TOTAL).iloc[0]
    cards(progress_total, flows_total, until)
    progress = data.recruitment_progress(f.scope, by=Grain.COMMUNE)
    progress_chart(progress, f.year, until)
    cumulative_chart(data.recruitment_progress(f.scope, by=Grain.MONTH), f.year)
    sources_chart(progress, until)
    flows_chart(data.recruitment(f.scope, by=Grain.MONTH))
    if page.big():  # presentation: the charts only
        return
    st.subheader("Bảng theo đảng bộ")
    summary_table(progress, data.recruitment(f.scope, by=Grain.COMMUNE), progress_total, flows_total, until,
                  whole=data.every_commune(f.scope))


page.run(body)
