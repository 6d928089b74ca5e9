"""Trình chiếu (slideshow): every slide renders on the demo warehouse, the buttons go round,
the first slide's bars are the I5 shares of etl.indicators for the filtered communes, and an
empty warehouse gets a Vietnamese message. Presentation mode hides nothing it needs: the exit
button brings the normal layout back."""
from __future__ import annotations

import base64
import json

import duckdb
import numpy as np
import pytest

from etl import indicators as ind
from etl import vnformat as vn

PAGE = "trinh_chieu"
SLIDE_TITLES = ["Tỷ lệ chi bộ sinh hoạt thường kỳ theo đảng bộ", "Chất lượng sinh hoạt chi bộ theo đảng bộ",
                "Sinh hoạt thường kỳ theo đảng bộ và tháng", "Kết nạp đảng viên so với chỉ tiêu năm",
                "Tình hình nộp báo cáo theo tháng", "Hạn chế quá hạn khắc phục theo đảng bộ"]


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def array(value) -> np.ndarray:
    """A figure's data array as JSON gives it: a list, or plotly's typed array (base64 bytes)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.array(value, dtype=object)


def figure(at) -> dict:
    [chart] = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


def test_every_slide_renders_and_the_buttons_go_round(app, demo_db):
    at = app(demo_db, page=PAGE)
    seen = []
    for _ in range(len(SLIDE_TITLES)):
        assert not at.exception and not at.error, [e.value for e in at.error]
        seen.append(at.title[0].value)
        assert "Đang xem:" in at.caption[0].value
        at.button(key="slide-next").click().run()
    assert seen == SLIDE_TITLES
    assert at.title[0].value == SLIDE_TITLES[0]  # round again
    at.button(key="slide-prev").click().run()
    assert at.title[0].value == SLIDE_TITLES[-1]


def test_first_slide_shows_the_i5_shares_of_the_filtered_communes(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    f = at.session_state["_filters"]
    chosen = list(f.names)[:2]
    at.multiselect(key="dang_bo").set_value([code for code, _ in chosen]).run()
    f = at.session_state["_filters"]
    assert f.communes == tuple(code for code, _ in chosen)
    assert all(name in at.caption[0].value for _, name in chosen)
    expected = ind.branch_meetings(con, f.scope, by="commune")
    bars = figure(at)["data"][0]
    shown = dict(zip(array(bars["y"]), bars["text"]))
    assert shown == {r.commune_name: vn.percent(r.i5_held_share, missing="Chưa báo cáo")
                     for r in expected.itertuples()}


def test_presentation_mode_and_leaving_it(app, demo_db):
    at = app(demo_db, page=PAGE, present="1")
    assert at.session_state["present"] is True
    keys = [b.key for b in at.button]
    assert "present-exit" in keys and "slide-present" not in keys
    at.button(key="present-exit").click().run()
    assert at.session_state["present"] is False
    assert "present" not in at.query_params
    assert "slide-present" in [b.key for b in at.button]  # the way back in, from the normal layout
    at.button(key="slide-present").click().run()
    assert at.session_state["present"] is True and at.query_params["present"] == "1"


def test_empty_warehouse_says_why(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Trình chiếu"
    assert "chưa có báo cáo" in at.info[0].value
