"""Kiểm tra page (pages/kiem_tra.py): AppTest on the conftest demo warehouse and an empty one;
cards, the resolved-share table and the overdue list compared with indicators.inspections and
indicators.overdue_findings for the same Scope and reference day, computed here on a read-only
connection to the demo warehouse. The demo (4 communes, 2026): Lộc Thắng (BL01) and Lộc Lâm
(BL04) have findings, one of Lộc Lâm's is overdue; Lộc An (BL02) has none.
"""
from __future__ import annotations

import base64
import json
from datetime import date

import duckdb
import numpy as np

from etl import indicators
from etl import vnformat as vn
from etl.labels import CATEGORIES, FINDING_STATUS as STATUS_LABELS

PAGE = "kiem_tra"


def scope(*communes: str) -> indicators.Scope:
    return indicators.Scope("2026-01", "2026-10", communes)


def as_of(s: indicators.Scope) -> date:
    return min(date.today(), s.last_day)


def call(db_path, name: str, *args, **kwargs):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return getattr(indicators, name)(con, *args, **kwargs)


def array(value) -> np.ndarray:
    """A plotly JSON array: a list, or the typed {'dtype', 'bdata', 'shape'} form plotly 6+ writes."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value, dtype=float)


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(total) -> dict[str, str]:
    return {"Tổng số hạn chế": vn.number(total["findings"]),
            "Chưa khắc phục": vn.number(total["open"]), "Đang khắc phục": vn.number(total["in_progress"]),
            "Đã khắc phục": vn.number(total["resolved"]),
            "Tỷ lệ khắc phục": vn.percent(total["i14_resolved_share"]),
            "Quá hạn": vn.number(total["overdue"])}


def frame(at, column: str):
    """The one table that has `column` (display tables carry no key in AppTest)."""
    [found] = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def has_frame(at, column: str) -> bool:
    return any(column in d.value.columns for d in at.dataframe)


def test_cards_tables_and_overdue_list_equal_the_indicators(app, demo_db):
    at = app(demo_db, page=PAGE)
    s = scope()
    total = call(demo_db, "inspections", s, as_of=as_of(s), by="total").iloc[0]
    assert total["findings"] > 0 and total["overdue"] > 0  # the demo has both
    assert cards(at) == expected_cards(total)

    table = frame(at, "Tỷ lệ đã khắc phục")
    rows = call(demo_db, "inspections", s, as_of=as_of(s), by="commune").sort_values("i14_resolved_share")
    assert list(table["Đảng bộ"]) == list(rows["commune_name"])
    assert list(table["Tỷ lệ đã khắc phục"]) == [vn.percent(v) for v in rows["i14_resolved_share"]]
    assert list(table["Quá hạn"]) == [vn.number(v) for v in rows["overdue"]]

    overdue = frame(at, "Số ngày quá hạn")
    expected = call(demo_db, "overdue_findings", s, as_of=as_of(s))
    assert len(overdue) == len(expected) == total["overdue"]
    assert list(overdue["Số ngày quá hạn"]) == list(expected["days_overdue"])
    assert list(overdue["Hạn khắc phục"]) == [vn.day(d) for d in expected["due_date"]]
    assert list(overdue["Kiến nghị"]) == list(expected["recommendation"])
    assert list(overdue["Nhóm hạn chế"]) == [CATEGORIES[c] for c in expected["category"]]
    assert set(overdue["Tình trạng"]) <= {STATUS_LABELS["open"], STATUS_LABELS["in_progress"]}
    assert any(f"tính đến ngày {vn.day(as_of(s))}" in h.value for h in at.subheader)

    # the heat map's cells are the commune × category counts, labelled by category name
    cells = call(demo_db, "inspections", s, as_of=as_of(s), by="commune_category")
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    [heat] = [f for f in figures if "nhóm hạn chế" in f["layout"]["title"]["text"]]
    trace = heat["data"][0]
    assert array(trace["z"]).sum() == cells["findings"].sum() == total["findings"]
    assert len(trace["x"]) == cells["category"].nunique()
    assert sorted(trace["y"]) == sorted(cells["commune_name"].unique())


def test_commune_filter_changes_the_figures(app, demo_db):
    at = app(demo_db, page=PAGE)
    before = cards(at)
    at.multiselect(key="dang_bo").set_value(["BL01"]).run()
    assert not at.exception and not at.error
    s = scope("BL01")
    one = call(demo_db, "inspections", s, as_of=as_of(s), by="total").iloc[0]
    assert cards(at) == expected_cards(one)
    assert cards(at) != before
    assert list(frame(at, "Tỷ lệ đã khắc phục")["Đảng bộ"]) == ["Thị trấn Lộc Thắng"]
    # no overdue finding for Lộc Thắng: a message instead of an empty table
    assert call(demo_db, "overdue_findings", s, as_of=as_of(s)).empty
    assert not has_frame(at, "Số ngày quá hạn")
    assert any("Không có hạn chế nào quá hạn" in m.value for m in at.success)


def test_a_commune_without_findings_gets_a_message(app, demo_db):
    at = app(demo_db, page=PAGE)
    at.multiselect(key="dang_bo").set_value(["BL02"]).run()
    assert not at.exception and not at.error
    assert call(demo_db, "inspections", scope("BL02"), by="commune").empty
    assert any("Chưa có hạn chế nào" in i.value for i in at.info)
    assert not at.metric


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.error
    assert any("chưa có báo cáo" in i.value.lower() for i in at.info)


def test_a_past_period_says_how_to_see_the_findings_overdue_today(app, demo_db):
    at = app(demo_db, page=PAGE)  # the demo's reports end in October 2026: a period in the past
    today = date.today()
    [hint] = [c.value for c in at.caption if "đến hôm nay" in c.value]
    assert vn.day(today) in hint and f"**Năm** {today.year} và **Đến tháng** {today.month}" in hint
