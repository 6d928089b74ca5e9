"""Sinh hoạt chi bộ (I5–I9): regular meetings held (commune × month heat map), on schedule,
attendance (and meetings attended by more than [attendance] well_attended_above %), thematic
meetings per quarter, upper-level members attending; then the drill-down
commune → branch × month grid (with the commune's original reports, each version, to download:
ui.originals) → one branch's months.

Takes the sidebar filters (ui.filters); every figure comes from a `ui.data` reader (indicators
branch_meetings, well_attended, thematic, meeting_details). The schedule window and the
attendance threshold are read from settings.toml.
This file only words, formats and pivots for display.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from etl import labels, theme
from etl import vnformat as vn
from etl.labels import NOT_REPORTED
from etl.settings import load_settings
from etl.indicators import Grain
from ui import charts, data, filters, originals, page
from ui.markup import md

NOT_HELD = "Không sinh hoạt"
# Grid cell backgrounds, in the charts' scheme: the quality colours lightened so the text stays
# readable (Tốt the strongest, so its green and Khá's stay apart); a meeting not held in Kém's
# full red with white text; not reported in the charts' grey.
CELL_COLORS = {**{level: theme.tint(color, strength) for (level, color), strength
                  in zip(theme.QUALITY.items(), (0.55, 0.4, 0.4, 0.35))},
               "not_held": theme.QUALITY["kem"], "not_reported": theme.NOT_REPORTED,
               "unrated": theme.WHITE}
CELL_INK = {CELL_COLORS["not_held"]: theme.WHITE}  # text colour where the dark one does not read
OFF_SCHEDULE = "⚠"


def _true(x) -> bool:
    """A nullable yes/no (or 0/1 count) that is known and yes."""
    return not pd.isna(x) and bool(x)


def _yes_no(x) -> str:
    return "—" if pd.isna(x) else ("Có" if x else "Không")


def _quarter(q: str) -> str:
    """'2026-Q3' -> 'Quý 3/2026'."""
    return f"Quý {q[-1]}/{q[:4]}"


def window_label() -> str:
    s = load_settings()
    if s.schedule_first_day == s.schedule_last_day:
        return f"ngày {s.schedule_first_day}"
    return f"ngày {s.schedule_first_day}–{s.schedule_last_day}"


def cards(f, window: str, t) -> None:
    quarters = data.thematic(f.scope, by=Grain.QUARTER)
    unit = "chi bộ" if f.first_month == f.last_month else "lượt chi bộ"
    cols = page.card_columns(5)
    cols[0].metric("Sinh hoạt thường kỳ", page.share(t["i5_held_share"]),
                   f"{vn.ratio(t['held'], t['reported_branch_months'], NOT_REPORTED)} {unit}", **page.QUIET,
                   border=True, help="Số lượt chi bộ có sinh hoạt thường kỳ trên số lượt chi bộ đã được báo cáo "
                                     f"(mỗi chi bộ mỗi tháng một lượt). Đã báo cáo "
                                     f"{vn.ratio(t['reported_branch_months'], t['expected_branch_months'])} lượt.")
    cols[1].metric(f"Đúng lịch ({window})", page.share(t["i6_on_schedule_share"]),
                   f"{vn.ratio(t['on_schedule'], t['held'], NOT_REPORTED)} buổi", **page.QUIET, border=True,
                   help=f"Buổi sinh hoạt thường kỳ tổ chức trong khoảng {window} của tháng trên số buổi đã "
                        "sinh hoạt (khoảng ngày đặt trong settings.toml, mục [schedule]).")
    cols[2].metric("Đảng viên dự", page.share(t["i7_attendance_share"]),
                   f"{vn.ratio(t['members_attended'], t['members_expected'], NOT_REPORTED)} lượt đảng viên",
                   **page.QUIET, border=True,
                   help="Tổng số đảng viên dự trên tổng số đảng viên phải dự (trừ đảng viên được miễn "
                        "sinh hoạt), tính trên các buổi đã sinh hoạt.")
    if quarters.empty:
        cols[3].metric("Sinh hoạt chuyên đề", page.share(None), border=True)
    else:
        # the latest whole quarter of the period; a quarter cut by the period only when there is no other
        whole = quarters[quarters["months_in_scope"] == 3]
        q = (whole if len(whole) else quarters).iloc[-1]
        cut = "" if q["months_in_scope"] == 3 else ", chưa trọn quý"
        cols[3].metric(f"Chuyên đề ({_quarter(q['quarter']).lower()}{cut})",
                       page.share(q["i8_thematic_share"]),
                       f"{vn.ratio(q['branches_with_thematic'], q['branches_reported'], NOT_REPORTED)} chi bộ",
                       **page.QUIET, border=True,
                       help="Chi bộ có ít nhất một buổi sinh hoạt chuyên đề trong quý trên số chi bộ đã được "
                            "báo cáo trong quý. Các quý trong kỳ: " + "; ".join(
                                f"{_quarter(r.quarter)}: {page.share(r.i8_thematic_share)}"
                                for r in quarters.itertuples()) + ".")
    cols[4].metric("Cấp ủy cấp trên dự", page.share(t["i9_upper_attended_share"]),
                   f"{vn.ratio(t['upper_attended'], t['held'], NOT_REPORTED)} buổi", **page.QUIET, border=True,
                   help="Buổi sinh hoạt thường kỳ có cấp ủy viên cấp trên dự trên số buổi đã sinh hoạt.")


def by_commune_charts(f, window: str, by_commune: pd.DataFrame) -> None:
    big = page.big()
    heat = data.branch_meetings(f.scope, by=Grain.COMMUNE_MONTH)
    page.chart(charts.heatmap(
        heat, row="commune_name", column="period", value="i5_held_share", big=big,
        title="Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ và tháng"), "ty-le-sinh-hoat-thuong-ky-theo-thang")
    st.caption(f"Ô màu xám: đảng bộ chưa báo cáo tháng đó ({NOT_REPORTED}).")
    # one chart at a time (a radio, not tabs: tabs would build every chart on every run)
    above = vn.number(load_settings().attendance_well_attended_above)
    rates = {"i6_on_schedule_share": (f"Đúng lịch ({window})", f"Tỷ lệ buổi sinh hoạt đúng lịch ({window})"),
             "i7_attendance_share": ("Đảng viên dự", "Tỷ lệ đảng viên dự sinh hoạt"),
             "i8_thematic_share": ("Chuyên đề theo quý", "Tỷ lệ chi bộ có sinh hoạt chuyên đề theo quý"),
             "i9_upper_attended_share": ("Cấp ủy cấp trên dự", "Tỷ lệ buổi sinh hoạt có cấp ủy cấp trên dự"),
             "well_attended_share": (f"Dự đông đủ (trên {above}%)",
                                     f"Tỷ lệ buổi sinh hoạt có trên {above}% đảng viên dự")}
    shown = st.radio("Chỉ số theo đảng bộ", list(rates), horizontal=True, key="shcb_chi_so",
                     format_func=lambda c: rates[c][0])
    title = rates[shown][1]
    if shown == "i8_thematic_share":
        thematic = data.thematic(f.scope, by=Grain.COMMUNE_QUARTER)
        # a quarter cut by the period says how many of its months are in it
        cut = dict(zip(thematic["quarter"], thematic["months_in_scope"]))
        page.chart(charts.heatmap(
            thematic, row="commune_name", column="quarter", value=shown, big=big, title=title,
            column_labels=lambda q: _quarter(q) + ("" if cut[q] == 3 else f" ({cut[q]} tháng)")), title)
        st.caption("Yêu cầu ít nhất một buổi sinh hoạt chuyên đề mỗi quý (Hướng dẫn 12-HD/BTCTW); quý chưa "
                   f"trọn trong kỳ đang xem thì tỷ lệ còn thấp. Ô màu xám: {NOT_REPORTED.lower()}.")
    elif shown == "well_attended_share":
        well = data.well_attended(f.scope, by=Grain.COMMUNE)
        page.chart(charts.rate_bars(well, label="commune_name", value=shown, title=title,
                                    reference=data.whole(data.well_attended, f.scope, shown), big=big), title)
        st.caption(f"Buổi sinh hoạt thường kỳ có trên {above}% số đảng viên phải dự (trừ đảng viên được miễn) "
                   "có mặt, trên số buổi đã sinh hoạt (ngưỡng đặt trong settings.toml, mục [attendance]).")
    else:
        page.chart(charts.rate_bars(by_commune, label="commune_name", value=shown, title=title,
                                    reference=data.whole(data.branch_meetings, f.scope, shown), big=big), title)
    by_month = data.branch_meetings(f.scope, by=Grain.MONTH)
    page.chart(charts.lines(
        by_month, x="period", percent=True, big=big, title="Diễn biến theo tháng", series={
            "i5_held_share": ("Sinh hoạt thường kỳ", theme.MAIN),
            "i6_on_schedule_share": (f"Đúng lịch ({window})", theme.SECOND),
            "i7_attendance_share": ("Đảng viên dự", theme.GOOD),
            "i9_upper_attended_share": ("Cấp ủy cấp trên dự", theme.LATE)}), "sinh-hoat-chi-bo-theo-thang")


def commune_table(by_commune: pd.DataFrame, window: str) -> None:
    d = by_commune
    page.table(pd.DataFrame({
        "Đảng bộ": d["commune_name"],
        "Lượt chi bộ đã báo cáo": [vn.ratio(a, b) for a, b in zip(d["reported_branch_months"],
                                                               d["expected_branch_months"])],
        "Sinh hoạt thường kỳ": d["held"],
        "Tỷ lệ sinh hoạt": d["i5_held_share"],
        f"Đúng lịch ({window})": d["i6_on_schedule_share"],
        "Đảng viên dự / phải dự": [vn.ratio(a, b, NOT_REPORTED) for a, b in zip(d["members_attended"],
                                                                             d["members_expected"])],
        "Tỷ lệ dự": d["i7_attendance_share"],
        "Cấp ủy cấp trên dự": d["i9_upper_attended_share"],
    }), "sinh-hoat-chi-bo-theo-dang-bo", key="communes", formats={
        "Sinh hoạt thường kỳ": page.count(NOT_REPORTED),
        **dict.fromkeys(["Tỷ lệ sinh hoạt", f"Đúng lịch ({window})", "Tỷ lệ dự", "Cấp ủy cấp trên dự"], page.SHARE)})


def _cell(r) -> tuple[str, str]:
    """(text, background) of one branch-month of the grid."""
    if not r.reported:
        return NOT_REPORTED, CELL_COLORS["not_reported"]
    if not _true(r.held):
        return NOT_HELD, CELL_COLORS["not_held"]
    parts = [("" if _true(r.on_schedule) else OFF_SCHEDULE) + (r.meeting_date.strftime("%d/%m")
                                                            if pd.notna(r.meeting_date) else "—"),
             vn.percent(r.i7_attendance_share, 0)]
    if pd.notna(r.quality):
        parts.append(labels.QUALITY.get(r.quality, r.quality))
    if _true(r.thematic):
        parts.append("CĐ")
    return " · ".join(parts), CELL_COLORS.get(r.quality, CELL_COLORS["unrated"])


def branch_grid(months: pd.DataFrame):
    """Branch × month grid (a Styler for the screen, the plain frame for Excel)."""
    cells = [_cell(r) for r in months.itertuples()]
    d = months.assign(_text=[c[0] for c in cells], _color=[c[1] for c in cells],
                      _month=months["period"].map(vn.month_short))
    # rows keyed by code (two branches of a commune may share a name), shown by name
    order = list(dict.fromkeys(d["branch_code"]))
    names = dict(zip(d["branch_code"], d["branch_name"].fillna(d["branch_code"])))
    columns = list(dict.fromkeys(d["_month"]))
    text = d.pivot(index="branch_code", columns="_month", values="_text").reindex(index=order, columns=columns)
    color = d.pivot(index="branch_code", columns="_month", values="_color").reindex(index=order, columns=columns)
    text = text.fillna("").rename(index=names).rename_axis(index="Chi bộ", columns=None).reset_index()
    color = color.fillna("").rename_axis(index=None, columns=None).reset_index(drop=True)
    style = text.style.apply(lambda _: pd.DataFrame(
        {"Chi bộ": "", **{c: [f"background-color: {v}; color: {CELL_INK.get(v, theme.INK)}" if v else "" for v in color[c]] for c in columns}}),
        axis=None)
    return text, style


# the number columns of branch_months_table
BRANCH_MONTH_FORMATS = {**dict.fromkeys(["Tổng số đảng viên", "Được miễn sinh hoạt", "Đảng viên dự"], page.COUNT),
                        "Tỷ lệ dự": page.PERCENT}


def branch_months_table(rows: pd.DataFrame, window: str) -> pd.DataFrame:
    held = rows["held"]
    return pd.DataFrame({
        "Tháng": rows["period"].map(vn.month),
        "Sinh hoạt thường kỳ": [NOT_REPORTED if not r else ("Có" if h else "Không")
                                for r, h in zip(rows["reported"], held)],
        "Ngày sinh hoạt": rows["meeting_date"].map(vn.day),
        f"Đúng lịch ({window})": [_yes_no(_true(o)) if _true(h) else "—" for o, h in zip(rows["on_schedule"], held)],
        "Tổng số đảng viên": rows["members_total"],
        "Được miễn sinh hoạt": rows["members_exempt"],
        "Đảng viên dự": rows["members_attended"],
        "Tỷ lệ dự": [s if _true(h) else vn.DASH for s, h in zip(rows["i7_attendance_share"], held)],
        "Cấp ủy cấp trên dự": rows["upper_attended"].map(_yes_no),
        "Sinh hoạt chuyên đề": rows["thematic"].map(_yes_no),
        "Chủ đề chuyên đề": rows["thematic_topic"].fillna(""),
        "Tự đánh giá chất lượng": rows["quality"].map(lambda q: labels.QUALITY.get(q, "—") if pd.notna(q) else "—"),
    })


def drill_down(f, window: str, communes: pd.DataFrame) -> None:
    st.subheader("Chi tiết theo đảng bộ, chi bộ")
    names = dict(zip(communes["commune_code"], communes["commune_name"]))
    options = list(names)
    if not options:
        st.info("Không có đảng bộ nào trong phạm vi đang xem.")
        return
    # a choice no longer among the options (the filter changed) falls back to this default
    first = next((c for c in f.communes if c in names), options[0])
    # the choice is in the URL by code (ui.filters.select), so a copied link opens this commune and branch
    code = filters.select("Đảng bộ", options, key="shcb_dang_bo", default=first, names=names, what="đảng bộ")
    one = replace(f.scope, communes=(code,))
    months = data.branch_month_details(f.scope, commune=code)
    if months.empty:
        st.info(f"Đảng bộ {md(names.get(code) or code)} không có chi bộ nào trong phạm vi đang xem.")
        return
    text, style = branch_grid(months)
    st.markdown(f"**Các chi bộ của {md(names.get(code) or code)} theo tháng**")
    st.dataframe(style, hide_index=True, width="stretch", key="shcb-grid",
                 column_config={"Chi bộ": st.column_config.TextColumn(pinned=True)})
    st.caption(f"Mỗi ô: ngày sinh hoạt · tỷ lệ đảng viên dự · tự đánh giá chất lượng · CĐ = có sinh hoạt "
               f"chuyên đề. {OFF_SCHEDULE} = ngoài lịch ({window}). Màu theo chất lượng: xanh đậm Tốt, xanh "
               f"nhạt Khá, vàng Trung bình, hồng Kém; đỏ chữ trắng: {NOT_HELD.lower()}; xám: {NOT_REPORTED.lower()}.")
    st.download_button("Tải bảng (Excel)", lambda: page.excel_bytes(text, "Chi bộ theo tháng"),
                       file_name=f"{page.slug('sinh hoat chi bo ' + (names.get(code) or code))}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="shcb-grid-xlsx", icon=":material/download:")
    originals.report_downloads(f.scope, code, names.get(code) or code)
    branches = list(dict.fromkeys(months["branch_code"]))
    labels = dict(zip(months["branch_code"], months["branch_name"].fillna(months["branch_code"])))
    branch = filters.select("Chi bộ", branches, key="shcb_chi_bo", default=branches[0], names=labels, what="chi bộ")
    per_branch = data.branch_meetings(one, by=Grain.BRANCH)
    b = per_branch[per_branch["branch_code"] == branch]
    if len(b):
        b = b.iloc[0]
        cols = st.columns(4)
        cols[0].metric("Sinh hoạt thường kỳ", page.share(b["i5_held_share"]),
                       f"{vn.ratio(b['held'], b['reported_branch_months'], NOT_REPORTED)} tháng", **page.QUIET)
        cols[1].metric(f"Đúng lịch ({window})", page.share(b["i6_on_schedule_share"]),
                       f"{vn.ratio(b['on_schedule'], b['held'], NOT_REPORTED)} buổi", **page.QUIET)
        cols[2].metric("Đảng viên dự", page.share(b["i7_attendance_share"]),
                       f"{vn.ratio(b['members_attended'], b['members_expected'], NOT_REPORTED)} lượt", **page.QUIET)
        cols[3].metric("Cấp ủy cấp trên dự", page.share(b["i9_upper_attended_share"]),
                       f"{vn.ratio(b['upper_attended'], b['held'], NOT_REPORTED)} buổi", **page.QUIET)
    page.table(branch_months_table(months[months["branch_code"] == branch], window),
               f"sinh-hoat-{labels.get(branch, branch)}", key="shcb-branch", formats=BRANCH_MONTH_FORMATS)


def body():
    f = page.start("Sinh hoạt chi bộ")
    if not f:
        return
    window = window_label()
    total = data.branch_meetings(f.scope, by=Grain.TOTAL).iloc[0]
    cards(f, window, total)
    by_commune = data.branch_meetings(f.scope, by=Grain.COMMUNE)
    by_commune_charts(f, window, by_commune)
    if page.big():  # presentation: the charts only
        return
    st.subheader("Bảng theo đảng bộ")
    commune_table(by_commune, window)
    drill_down(f, window, by_commune)


page.run(body)
