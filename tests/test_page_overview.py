"""Tổng quan page (pages/tong_quan.py): AppTest on the conftest demo warehouse and an empty one.

The figures shown are compared with what etl.indicators returns for the same Scope, computed
here on a read-only connection to the demo warehouse (the page reads its snapshot copy).
"""
from __future__ import annotations

import json

import duckdb
import pytest

from etl import indicators, labels
from etl import vnformat as vn
from ui.markup import MESSAGE, md

PAGE = "tong_quan"
YEAR, LAST = 2026, "2026-10"  # the demo warehouse: Jan 2025 – Oct 2026, the page opens on its last year


def scope(*communes: str, first: str = "2026-01", last: str = LAST) -> indicators.Scope:
    return indicators.Scope(first, last, communes)


def call(db_path, name: str, *args, **kwargs):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return getattr(indicators, name)(con, *args, **kwargs)


def figures(at) -> list[str]:
    """The plotly figures of the page, as JSON text with the Vietnamese letters readable."""
    return [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]


def shown(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def expected_cards(db_path, s: indicators.Scope) -> dict[str, tuple[str, str]]:
    """The five cards as the page must word them, from the indicator layer."""
    reports = call(db_path, "submissions", indicators.Scope(s.last, s.last, s.communes), by="total").iloc[0]
    meetings = call(db_path, "branch_meetings", s, by="total").iloc[0]
    quality = call(db_path, "quality", s, by="total").iloc[0]
    progress = call(db_path, "recruitment_progress", s, by="total").iloc[0]
    found = call(db_path, "inspections", s, by="total").iloc[0]
    assert reports["missing_months"] == 0 and reports["pending_months"] == 0  # the demo is complete
    assert found["overdue"] > 0 and progress["target"] > 0
    return {
        f"Báo cáo {vn.month_short(s.last)}": (vn.ratio(reports["reported_months"], reports["expected_months"]),
                                              "Đã nộp đủ"),
        "Sinh hoạt thường kỳ": (vn.percent(meetings["i5_held_share"]),
                                f"{vn.ratio(meetings['held'], meetings['reported_branch_months'])} lượt chi bộ"),
        "Đạt khá trở lên": (vn.percent(quality["kha_tro_len_share"]),
                            f"{vn.number(quality['rated'])} buổi được đánh giá"),
        f"Kết nạp năm {YEAR}": (vn.ratio(progress["admitted_ytd"], progress["target"]),
                                "Đúng tiến độ" if progress["on_track"] else "Chậm tiến độ"),
        "Hạn chế tồn đọng": (vn.number(found["open"] + found["in_progress"]),
                             f"{vn.number(found['overdue'])} quá hạn khắc phục"),
    }


def test_cards_equal_the_indicators_and_follow_the_commune_filter(app, demo_db):
    at = app(demo_db, page=PAGE)
    everyone = shown(at)
    assert everyone == expected_cards(demo_db, scope())

    at.multiselect(key="dang_bo").set_value(["BL04"]).run()
    assert not at.exception
    one = shown(at)
    assert one == expected_cards(demo_db, scope("BL04"))
    # the cards move with the filter (the findings card may not: in the demo all open findings are BL04's)
    changed = {label for label in one if one[label] != everyone[label]}
    assert changed >= set(one) - {"Hạn chế tồn đọng"}, (everyone, one)
    assert "Xã Lộc Lâm" in at.caption[0].value  # the filter line names the commune


def test_attention_list_names_each_commune_with_its_reasons(app, demo_db):
    at = app(demo_db, page=PAGE)
    expected = call(demo_db, "attention", scope())
    assert len(expected) >= 3 and expected["commune_code"].nunique() >= 2
    text = "\n".join(m.value for m in at.markdown)
    for row in expected.itertuples():
        assert md(row.commune_name) in text  # Markdown: names and messages shown as written (ui.markup)
        assert f"{labels.ATTENTION[row.reason]}] {md(row.message, MESSAGE)}" in text
    # the commune with the most reasons comes first in the list
    counts = expected.groupby("commune_name").size()
    first = counts[counts == counts.max()].index
    listed = [line[4:-2] for line in text.splitlines() if line.startswith("- **")]
    assert listed[0] in set(first)
    assert sorted(listed) == sorted(counts.index)
    # the table under it holds the same rows, in Vietnamese
    table = at.dataframe[0].value
    assert list(table.columns) == ["Đảng bộ", "Vấn đề", "Chi tiết"]
    assert sorted(table["Chi tiết"]) == sorted(expected["message"])
    assert sorted(table["Vấn đề"]) == sorted(expected["reason"].map(labels.ATTENTION))

    at.multiselect(key="dang_bo").set_value(["BL04"]).run()
    text = "\n".join(m.value for m in at.markdown)
    only = call(demo_db, "attention", scope("BL04"))
    assert not only.empty
    listed = [line[4:-2] for line in text.splitlines() if line.startswith("- **")]
    assert listed == ["Xã Lộc Lâm"]
    assert sorted(at.dataframe[0].value["Chi tiết"]) == sorted(only["message"])


def test_months_without_reports_show_chua_bao_cao_never_zero(app, demo_db):
    at = app(demo_db, page=PAGE)
    at.selectbox(key="tu_thang").set_value(11)
    at.selectbox(key="den_thang").set_value(12).run()
    assert not at.exception and not at.error
    cards = shown(at)
    assert cards["Sinh hoạt thường kỳ"][0] == "Chưa báo cáo"
    assert cards["Đạt khá trở lên"][0] == "Chưa báo cáo"
    reports = call(demo_db, "submissions", scope(first="2026-12", last="2026-12"), by="total").iloc[0]
    assert reports["reported_months"] == 0
    # a count of reports is a count: 0 of 4, and the delta says whether the deadline has passed
    assert cards["Báo cáo T12/2026"][0] == vn.ratio(0, reports["expected_months"])
    assert not any(value.startswith("0%") or value == "0,0%" for value, _ in cards.values())
    i5 = [spec for spec in figures(at) if "sinh hoạt thường kỳ theo đảng bộ" in spec]
    assert i5 and "Chưa báo cáo" in i5[0] and "0,0%" not in i5[0]


def test_three_charts_by_commune(app, demo_db):
    at = app(demo_db, page=PAGE)
    specs = figures(at)
    assert len(specs) == 3
    assert "Toàn Đảng bộ" in specs[0]  # the reference line of every commune
    names = call(demo_db, "communes", scope())["commune_name"]
    assert all(name in specs[1] for name in names)


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.metric and not at.error
    assert any("báo cáo" in info.value for info in at.info)


@pytest.mark.parametrize("present", ["1"])
def test_presentation_mode_renders_cards_and_charts(app, demo_db, present):
    at = app(demo_db, page=PAGE, present=present)
    assert len(at.metric) == 5 and not at.error
    assert not at.dataframe  # no tables on the projector
