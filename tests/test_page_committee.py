"""Hội nghị cấp ủy page (pages/hoi_nghi_cap_uy.py): AppTest on the conftest demo warehouse and an
empty one; cards, chart and table compared with indicators.committee for the same Scope,
computed here on a read-only connection to the demo warehouse.
"""
from __future__ import annotations

import json

import duckdb

from etl import indicators
from etl import vnformat as vn

PAGE = "hoi_nghi_cap_uy"
UNDATED = "Không ghi ngày gửi"


def scope(*communes: str, first: str = "2026-01", last: str = "2026-10") -> indicators.Scope:
    return indicators.Scope(first, last, communes)


def committee(db_path, s: indicators.Scope, by: str):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return indicators.committee(con, s, by=by)


def figures(at) -> list[str]:
    return [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(total) -> dict[str, str]:
    days = total["i3_median_days"]
    return {
        "Họp BCH thường kỳ": vn.percent(total["i1_regular_bch_share"]),
        "Ban hành kết luận": vn.percent(total["i2_conclusion_share"]),
        "Ngày ra kết luận": f"{vn.tenths(days)} ngày",
        "Nhiệm vụ trước ngày 30": vn.percent(total["i4_tasks_on_time_share"]),
        UNDATED: vn.number(total["months_without_tasks_date"]),
    }


def test_cards_and_table_equal_the_indicator_and_follow_the_commune_filter(app, demo_db):
    at = app(demo_db, page=PAGE)
    total = committee(demo_db, scope(), "total").iloc[0]
    assert cards(at) == expected_cards(total)
    assert total["months_without_tasks_date"] > 0  # the demo has reports without a tasks date
    table = at.dataframe[0].value
    rows = committee(demo_db, scope(), "commune")
    assert list(table["Đảng bộ"]) == list(rows["commune_name"])
    assert list(table["Nền nếp hội nghị BCH (I1)"]) == [vn.percent(v) for v in rows["i1_regular_bch_share"]]
    assert list(table["Tháng không ghi ngày gửi nhiệm vụ"]) == [vn.number(v) for v in rows["months_without_tasks_date"]]

    at.multiselect(key="dang_bo").set_value(["BL03"]).run()
    assert not at.exception and not at.error
    one = committee(demo_db, scope("BL03"), "total").iloc[0]
    assert cards(at) == expected_cards(one)
    assert cards(at)["Nhiệm vụ trước ngày 30"] != vn.percent(total["i4_tasks_on_time_share"])
    table = at.dataframe[0].value
    assert list(table["Đảng bộ"]) == ["Xã Lộc Đức"]
    row = committee(demo_db, scope("BL03"), "commune").iloc[0]
    assert table["Gửi nhiệm vụ trước ngày 30 (I4)"].iloc[0] == vn.percent(row["i4_tasks_on_time_share"])
    assert table["Tháng gửi nhiệm vụ đúng hạn / có ghi ngày"].iloc[0] == vn.ratio(
        row["months_tasks_on_time"], row["months_with_tasks_date"])


def test_heat_map_marks_missing_reports_and_undated_months_apart(app, demo_db):
    at = app(demo_db, page=PAGE)
    grid = committee(demo_db, scope(), "commune_month")
    missing = grid[~grid["reported"]]
    undated = grid[grid["reported"] & grid["i4_tasks_on_time_share"].isna()]
    assert len(missing) and len(undated)  # the demo has both

    at.segmented_control(key="hn_chi_so").set_value("i4").run()
    assert not at.exception
    heat = [spec for spec in figures(at) if "đảng bộ × tháng" in spec]
    assert len(heat) == 1
    trace = json.loads(heat[0])["data"][0]
    cells = {(y, x): text for y, row in zip(trace["y"], trace["text"]) for x, text in zip(trace["x"], row)}
    for r in missing.itertuples():
        assert cells[(r.commune_name, vn.month_short(r.period))] == "Chưa báo cáo"
    for r in undated.itertuples():
        assert cells[(r.commune_name, vn.month_short(r.period))] == "Không ghi ngày"
    dated = grid[grid["i4_tasks_on_time_share"].notna()].iloc[0]
    assert cells[(dated.commune_name, vn.month_short(dated.period))] == vn.percent(dated.i4_tasks_on_time_share, 0)
    # the bars by commune follow the chosen indicator, with every commune's figure as reference
    bars = [spec for spec in figures(at) if "cho chi bộ trước ngày 30 theo đảng bộ" in spec]
    assert len(bars) == 1 and "Toàn Đảng bộ" in bars[0]


def test_months_without_reports_show_chua_bao_cao(app, demo_db):
    at = app(demo_db, page=PAGE)
    at.selectbox(key="tu_thang").set_value(11)
    at.selectbox(key="den_thang").set_value(12).run()
    assert not at.exception and not at.error
    assert set(cards(at).values()) == {"Chưa báo cáo"}
    table = at.dataframe[0].value
    assert set(table["Nền nếp hội nghị BCH (I1)"]) == {"Chưa báo cáo"}
    assert set(table["Tháng đã báo cáo"]) == {"0/2"}


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.metric and not at.error
    assert any("báo cáo" in info.value for info in at.info)
