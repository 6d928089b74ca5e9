"""Presentation mode (?present=1) on every page of indicators: for a projector at 1366×768, the
cards come at most three a row (six in a row cut "57,…" and "Tổng số hạn …"), and a page shows
its cards and charts only — no table to copy, no Excel button, no confirmation — except the
report-submission matrix, the page's one view of who has not reported.
"""
from __future__ import annotations

import re

import pytest

PAGES = ["tong_quan", "hoi_nghi_cap_uy", "sinh_hoat_chi_bo", "chat_luong", "phat_trien_dang_vien", "kiem_tra",
         "nop_bao_cao"]


def is_matrix(df) -> bool:
    """pages/nop_bao_cao.py's commune × month grid: 'Đảng bộ', then one column a month."""
    return df.columns[0] == "Đảng bộ" and all(re.fullmatch(r"T\d+/\d{4}", c) for c in df.columns[1:])


def card_rows(node) -> list[int]:
    """The number of cards (st.metric) side by side in each row of cards, in page order."""
    rows = []
    kids = list((getattr(node, "children", None) or {}).values())
    columns = [k for k in kids if getattr(k, "type", None) == "column"]
    if columns and any(getattr(c, "type", None) == "metric" for k in columns for c in k.children.values()):
        rows.append(len(columns))
        return rows
    for k in kids:
        rows += card_rows(k)
    return rows


@pytest.mark.parametrize("name", PAGES)
def test_presentation_mode_shows_cards_three_a_row_and_no_tables(app, demo_db, name):
    at = app(demo_db, page=name, present="1")
    assert not at.error, [e.value for e in at.error]
    rows = card_rows(at.main)
    assert rows and max(rows) <= 3, rows
    assert sum(rows) == len(at.metric)  # every card is in such a row
    assert not at.get("download_button"), name
    assert not [b for b in at.button if b.key and ("confirm" in b.key or "reopen" in b.key)]
    tables = [d for d in at.dataframe if not is_matrix(d.value)]
    assert not tables, name
    assert at.get("plotly_chart"), name


@pytest.mark.parametrize("name", ["kiem_tra", "nop_bao_cao", "chat_luong"])
def test_normal_mode_keeps_the_cards_in_one_row_and_the_tables(app, demo_db, name):
    at = app(demo_db, page=name)
    assert len(card_rows(at.main)) == 1
    assert at.get("download_button"), name


def test_inspection_heat_map_labels_fit_their_columns_in_big_type(app, many_db):
    import json

    at = app(many_db, page="kiem_tra", present="1")  # every category of findings: the narrowest columns
    [heat] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if json.loads(c.proto.spec)["data"][0]["type"] == "heatmap"]
    labels = heat["data"][0]["x"]
    longest = max(len(line) for label in labels for line in label.split("<br>"))
    # a plot about 1000 px wide at 1366×768, about 11.6 px a character of the 20 px tick labels
    assert longest * 11.6 <= 1000 / len(labels), labels
