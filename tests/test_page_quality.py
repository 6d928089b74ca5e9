"""Chất lượng sinh hoạt page (pages/chat_luong.py, I10): AppTest on the conftest demo warehouse
and an empty one; cards, charts and ranking compared with indicators.quality for the same Scope,
computed here on a read-only connection to the demo warehouse.
"""
from __future__ import annotations

import json

import duckdb
import pandas as pd

from etl import indicators
from etl import vnformat as vn

PAGE = "chat_luong"
LEVELS = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}


def quality(db_path, by: str, *communes: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return indicators.quality(con, indicators.Scope("2026-01", "2026-10", communes), by=by)


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(total) -> dict[str, str]:
    return {"Đạt khá trở lên": vn.percent(total["kha_tro_len_share"]),
            **{label: vn.number(total[level]) for level, label in LEVELS.items()}}


def commune_chart(at) -> dict:
    [spec] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if "theo đảng bộ" in json.loads(c.proto.spec)["layout"]["title"]["text"]]
    return spec


def test_cards_and_ranking_equal_the_indicator_and_follow_the_commune_filter(app, demo_db):
    at = app(demo_db, page=PAGE)
    assert not at.exception and not at.error
    assert cards(at) == expected_cards(quality(demo_db, "total").iloc[0])
    rows = quality(demo_db, "commune").set_index("commune_name")
    table = at.dataframe[0].value
    assert sorted(table["Đảng bộ"]) == sorted(rows.index)
    for r in table.to_dict("records"):
        q = rows.loc[r["Đảng bộ"]]
        assert r["Đạt khá trở lên"] == vn.percent(q["kha_tro_len_share"])
        assert [r[label] for label in LEVELS.values()] == [vn.number(q[level]) for level in LEVELS]

    at.multiselect(key="dang_bo").set_value(["BL04"]).run()
    assert not at.exception and not at.error
    one = quality(demo_db, "total", "BL04").iloc[0]
    assert cards(at) == expected_cards(one)
    assert cards(at)["Đạt khá trở lên"] != vn.percent(quality(demo_db, "total").iloc[0]["kha_tro_len_share"])
    assert list(at.dataframe[0].value["Đảng bộ"]) == [quality(demo_db, "commune", "BL04").iloc[0]["commune_name"]]


def test_the_ranking_and_the_chart_share_one_order_and_ties_share_a_rank(app, demo_db):
    at = app(demo_db, page=PAGE)
    rows = quality(demo_db, "commune")
    shares = rows["kha_tro_len_share"].round(9)
    assert shares.duplicated().any()  # the demo has communes with the same share: the case tested
    table = at.dataframe[0].value
    ranked = rows.set_index("commune_name").loc[list(table["Đảng bộ"])]
    # best first by khá trở lên, then by tốt
    keys = list(zip(ranked["kha_tro_len_share"].round(9), ranked["tot_share"].round(9)))
    assert keys == sorted(keys, reverse=True)
    # equal shares, equal rank; the next rank counts the communes above it (1, 1, 3 …)
    expected_ranks = [1 + sum(s > share for s, _ in keys) for share, _ in keys]
    assert list(table["Hạng"]) == [vn.number(n) for n in expected_ranks]
    assert len(set(expected_ranks)) < len(expected_ranks)
    # the chart draws bottom up: read top down, it lists the communes in the table's order
    spec = commune_chart(at)
    assert spec["data"][0]["y"][::-1] == list(table["Đảng bộ"])


def test_the_legend_reads_tot_to_kem_as_the_bars_do(app, demo_db):
    at = app(demo_db, page=PAGE)
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert [t["name"] for t in spec["data"]][:4] == list(LEVELS.values())
        assert spec["layout"]["legend"]["traceorder"] == "normal"


def test_months_without_reports_show_chua_bao_cao(app, demo_db):
    at = app(demo_db, page=PAGE)
    at.selectbox(key="tu_thang").set_value(11)
    at.selectbox(key="den_thang").set_value(12).run()
    assert not at.exception and not at.error
    assert cards(at)["Đạt khá trở lên"] == "Chưa báo cáo"
    table = at.dataframe[0].value
    assert set(table["Đạt khá trở lên"]) == {"Chưa báo cáo"} and set(table["Hạng"]) == {vn.DASH}


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.metric and not at.error
    assert any("báo cáo" in info.value for info in at.info)
