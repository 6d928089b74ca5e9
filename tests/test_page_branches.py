"""Page Sinh hoạt chi bộ (I5–I9 and the drill-down commune → branch → meeting), rendered with
AppTest on the demo warehouse (conftest `demo_db`: 4 communes, 2025-01..2026-10, Thị trấn Lộc
Thắng's February 2026 report missing) and on an empty one. Every figure on screen is compared
with what etl.indicators returns for the same Scope on a read-only connection.
"""
from __future__ import annotations

import base64
import json

import duckdb
import numpy as np
import pytest

from etl import indicators as ind
from etl import labels, theme
from etl import vnformat as vn
from etl.settings import load_settings

PAGE = "sinh_hoat_chi_bo"
NOT_REPORTED = "Chưa báo cáo"


@pytest.fixture(scope="module")
def con(demo_db):
    reader = duckdb.connect(str(demo_db), read_only=True)
    yield reader
    reader.close()


def scope_of(at) -> ind.Scope:
    """The Scope the page was drawn for, read back from the sidebar widgets."""
    year = at.selectbox(key="nam").value
    first, last = at.selectbox(key="tu_thang").value, at.selectbox(key="den_thang").value
    return ind.Scope(f"{year:04d}-{first:02d}", f"{year:04d}-{last:02d}",
                     tuple(at.multiselect(key="dang_bo").value), tuple(at.multiselect(key="loai_chi_bo").value))


def metrics(at) -> dict[str, tuple[str, str]]:
    """label -> (value, delta) of the page's headline cards (the first five)."""
    return {m.label: (m.value, m.delta) for m in list(at.metric)[:5]}


def window() -> str:
    s = load_settings()
    return f"ngày {s.schedule_first_day}–{s.schedule_last_day}"


def expected_cards(con, scope) -> dict[str, str]:
    t = ind.branch_meetings(con, scope, by="total").iloc[0]
    return {"Sinh hoạt thường kỳ": vn.percent(t["i5_held_share"], missing=NOT_REPORTED),
            f"Đúng lịch ({window()})": vn.percent(t["i6_on_schedule_share"], missing=NOT_REPORTED),
            "Đảng viên dự": vn.percent(t["i7_attendance_share"], missing=NOT_REPORTED),
            "Cấp ủy cấp trên dự": vn.percent(t["i9_upper_attended_share"], missing=NOT_REPORTED)}


def array(value) -> np.ndarray:
    """A figure's data array as JSON gives it: a list, or plotly's typed array (base64 bytes)."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.array(value, dtype=float)


def heatmaps(at) -> list[dict]:
    traces = [json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")]
    return [t for t in traces if t["type"] == "heatmap"]


def test_cards_show_the_indicators(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    scope = scope_of(at)
    shown = metrics(at)
    for label, value in expected_cards(con, scope).items():
        assert shown[label][0] == value, label
    t = ind.branch_meetings(con, scope, by="total").iloc[0]
    assert shown["Sinh hoạt thường kỳ"][1] == f"{vn.ratio(t['held'], t['reported_branch_months'])} lượt chi bộ"
    # the schedule window comes from settings.toml and is named on the card
    assert any(window() in label for label in shown)
    # I8: the last whole quarter of the period, as indicators.thematic counts it
    quarters = ind.thematic(con, scope, by="quarter")
    q = quarters[quarters["months_in_scope"] == 3].iloc[-1]
    [(label, (value, _))] = [(k, v) for k, v in shown.items() if k.startswith("Chuyên đề")]
    assert f"quý {q['quarter'][-1]}/{q['quarter'][:4]}" in label
    assert value == vn.percent(q["i8_thematic_share"])


def test_commune_filter_changes_the_numbers(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    before = metrics(at)["Sinh hoạt thường kỳ"][0]
    per = ind.branch_meetings(con, scope_of(at), by="commune")
    # a commune whose rate differs from the whole: the card must move to it
    code = next(c for c, s in zip(per["commune_code"], per["i5_held_share"]) if vn.percent(s) != before)
    # the drill-down was on another commune: the filter takes it back to the filtered one
    other = next(c for c in per["commune_code"] if c != code)
    at.selectbox(key="shcb_dang_bo").set_value(other).run()
    at.multiselect(key="dang_bo").set_value([code]).run()
    assert not at.exception
    scope = scope_of(at)
    assert scope.communes == (code,)
    shown = metrics(at)
    for label, value in expected_cards(con, scope).items():
        assert shown[label][0] == value, label
    assert shown["Sinh hoạt thường kỳ"][0] != before
    # the drill-down opens on the filtered commune, its grid lists that commune's branches
    assert at.selectbox(key="shcb_dang_bo").value == code
    details = ind.meeting_details(con, scope, commune=code)
    assert at.dataframe[1].value["Chi bộ"].tolist() == list(dict.fromkeys(details["branch_name"]))


def test_unreported_month_is_grey_never_zero(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    scope = scope_of(at)
    grid = ind.branch_meetings(con, scope, by="commune_month")
    missing = grid[~grid["reported"]]
    assert len(missing), "the demo warehouse has a missing commune-month"
    name, period = missing.iloc[0][["commune_name", "period"]]
    heat = heatmaps(at)[0]
    row, col = heat["y"].index(name), heat["x"].index(vn.month_short(period))
    assert heat["text"][row][col] == NOT_REPORTED
    assert np.isnan(array(heat["z"])[row, col])  # drawn as the grey background, not as 0 %
    # the same month in the drill-down grid of that commune
    code = missing.iloc[0]["commune_code"]
    at.selectbox(key="shcb_dang_bo").set_value(code).run()
    cells = at.dataframe[1].value[vn.month_short(period)]
    assert set(cells) == {NOT_REPORTED}


def test_drill_down_branch_months_equal_the_report(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    scope = scope_of(at)
    code = ind.communes(con, scope)["commune_code"].iloc[-1]
    at.selectbox(key="shcb_dang_bo").set_value(code).run()
    details = ind.meeting_details(con, scope, commune=code)
    branch = details["branch_code"].iloc[-1]
    at.selectbox(key="shcb_chi_bo").set_value(branch).run()
    assert not at.exception
    rows = details[details["branch_code"] == branch]
    table = at.dataframe[2].value
    assert table["Tháng"].tolist() == [vn.month(p) for p in rows["period"]]
    assert table["Ngày sinh hoạt"].tolist() == [vn.day(d) for d in rows["meeting_date"]]
    assert table["Đảng viên dự"].tolist() == [vn.number(n) for n in rows["members_attended"]]
    held = ["Có" if h else "Không" for h in rows["held"].fillna(False)]
    assert table["Sinh hoạt thường kỳ"].tolist() == [
        h if r else NOT_REPORTED for h, r in zip(held, rows["reported"])]
    # the branch's cards are its own I5 and I7 over the period
    b = ind.branch_meetings(con, ind.Scope(scope.first, scope.last, (code,)), by="branch")
    b = b[b["branch_code"] == branch].iloc[0]
    cards = {m.label: m.value for m in list(at.metric)[5:]}
    assert cards["Sinh hoạt thường kỳ"] == vn.percent(b["i5_held_share"])
    assert cards["Đảng viên dự"] == vn.percent(b["i7_attendance_share"])


def test_presentation_mode_and_thematic_heat_map(app, demo_db, con):
    at = app(demo_db, page=PAGE, present="1")
    assert len(heatmaps(at)) == 1  # I5; the by-commune chart starts on I6 (bars)
    assert not [s for s in at.selectbox if s.key == "shcb_dang_bo"]  # no drill-down on the projector
    at.radio(key="shcb_chi_so").set_value("i8_thematic_share").run()
    assert not at.exception and not at.error
    i5, i8 = heatmaps(at)
    per = ind.thematic(con, scope_of(at), by="commune_quarter")
    for r in per.itertuples():
        # a quarter cut by the period (October: 1 of Q4's months) is labelled so
        label = f"Quý {r.quarter[-1]}/{r.quarter[:4]}" + (
            "" if r.months_in_scope == 3 else f" ({r.months_in_scope} tháng)")
        cell = i8["text"][i8["y"].index(r.commune_name)][i8["x"].index(label)]
        assert cell == vn.percent(r.i8_thematic_share, 0, missing=NOT_REPORTED), (r.commune_name, r.quarter)


def test_well_attended_meetings_by_commune(app, demo_db, con):
    """The share of held meetings attended by more than 90 % of their members, one bar a commune
    as indicators.well_attended gives it, with the whole organisation's line."""
    at = app(demo_db, page=PAGE)
    radio = at.radio(key="shcb_chi_so")
    assert radio.format_func("well_attended_share") == "Dự đông đủ (trên 90%)"
    radio.set_value("well_attended_share").run()
    assert not at.exception and not at.error
    [bars] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if "trên 90% đảng viên dự" in json.dumps(json.loads(c.proto.spec)["layout"].get("title", ""),
                                                        ensure_ascii=False)]
    per = ind.well_attended(con, scope_of(at), by="commune")
    shown = dict(zip(bars["data"][0]["y"], bars["data"][0]["text"]))
    assert shown == {r.commune_name: vn.percent(r.well_attended_share, missing=NOT_REPORTED)
                     for r in per.itertuples()}
    total = ind.well_attended(con, scope_of(at), by="total").iloc[0]["well_attended_share"]
    assert bars["layout"]["annotations"][0]["text"].endswith(vn.percent(total))
    assert any("trên 90% số đảng viên phải dự" in c.value for c in at.caption)


def test_empty_warehouse_says_so(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.metric and not at.error
    assert any("chưa có báo cáo" in i.value.lower() for i in at.info), [i.value for i in at.info]


def _rgb(color: str) -> tuple[float, float, float]:
    return tuple(int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _lab(color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour: distances in it follow what the eye sees."""
    lin = [((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92 for c in _rgb(color)]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _contrast(a: str, b: str) -> float:
    def lum(c):
        lin = [((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92 for v in _rgb(c)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def grid_styles(at) -> tuple:
    """The branch × month grid's texts and, per cell, its (background, text) colours from its CSS."""
    import re

    [grid] = [d for d in at.dataframe if "Chi bộ" in d.value.columns and any(c.startswith("T") for c in d.value.columns)]
    css: dict[tuple[int, int], dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", grid.proto.arrow_data.styler.styles):
        props = dict(p.strip().split(":", 1) for p in body.split(";") if ":" in p)
        for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
            css.setdefault((int(row), int(col)), {}).update({k.strip(): v.strip() for k, v in props.items()})
    return grid.value, css


def test_branch_grid_colours_follow_the_chart_scheme_and_stay_apart(app, demo_db):
    import colorsys
    import itertools

    at = app(demo_db, page=PAGE)
    text, css = grid_styles(at)
    kinds: dict[str, set[tuple[str, str]]] = {}
    levels = {v: k for k, v in labels.QUALITY.items()}
    for (row, col), style in css.items():
        cell = text.iloc[row, col]
        kind = ("not_reported" if cell == NOT_REPORTED else "not_held" if cell == "Không sinh hoạt"
                else next((levels[p] for p in cell.split(" · ") if p in levels), "unrated"))
        kinds.setdefault(kind, set()).add((style["background-color"], style.get("color", "#212529")))
    assert {"not_reported", "not_held", "tot", "kha", "trung_binh"} <= set(kinds), kinds
    assert all(len(v) == 1 for v in kinds.values()), kinds  # one colour a kind of cell
    colours = {k: next(iter(v)) for k, v in kinds.items()}
    assert colours["not_reported"][0] == theme.NOT_REPORTED  # the grey of every chart
    for level, color in theme.QUALITY.items():
        if level in colours:  # a tint of the chart's colour: the same hue
            hue = colorsys.rgb_to_hls(*_rgb(colours[level][0]))[0]
            assert abs(hue - colorsys.rgb_to_hls(*_rgb(color))[0]) < 0.03, level
    for (a, (bg_a, _)), (b, (bg_b, _)) in itertools.combinations(colours.items(), 2):
        distance = sum((p - q) ** 2 for p, q in zip(_lab(bg_a), _lab(bg_b))) ** 0.5
        assert distance >= 15, (a, b, bg_a, bg_b, round(distance, 1))  # told apart at a glance
    for kind, (bg, ink) in colours.items():
        ink = {"white": "#ffffff"}.get(ink, ink)
        assert _contrast(bg, ink) >= 4.5, (kind, bg, ink)  # the cell's text stays readable
