"""Trình chiếu (slideshow): every slide renders on the demo warehouse, the buttons go round,
the first slide's bars are the I5 shares of etl.indicators for the filtered communes, and an
empty warehouse gets a Vietnamese message. Presentation mode hides nothing it needs: the exit
button brings the normal layout back."""
from __future__ import annotations

import base64
import json
import shutil
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pytest

from etl import indicators as ind
from etl import vnformat as vn
from etl.access import accounts
from etl.access.accounts import Account
from etl.settings import load_settings
from etl.warehouse import db

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


# --- the slideshow's own session check (a fragment's rerun does not go through dashboard.py) ---

VIEWER = Account("trinhchieu", "xem")


def _signed_in_script():
    import streamlit as st

    from ui import page

    st.session_state["valid"] = page.signed_in(use=st.session_state["use"])


@pytest.fixture
def viewer_db(demo_db, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, path)
    con = db.connect(path)
    accounts.add_user(con, VIEWER.name, VIEWER.role, password="mật khẩu thử nghiệm 2026")
    con.close()
    return path


def check(monkeypatch, path, seen: datetime, use: bool = False):
    """A run of page.signed_in as a slideshow timer tick (use=False) or click (use=True) makes it."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WAREHOUSE_DB", str(path))
    at = AppTest.from_function(_signed_in_script, default_timeout=30)
    at.session_state["_account"] = VIEWER
    at.session_state["_seen"] = seen
    at.session_state["use"] = use
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_timer_tick_ends_an_idle_session(monkeypatch, viewer_db):
    idle = load_settings().session_idle_minutes
    at = check(monkeypatch, viewer_db, datetime.now() - timedelta(minutes=idle + 1))
    assert at.session_state["valid"] is False
    assert "_account" not in at.session_state
    assert "hết hạn" in at.session_state["_login_notice"]


def test_a_timer_tick_is_not_activity_a_click_is(monkeypatch, viewer_db):
    seen = datetime.now() - timedelta(minutes=5)
    at = check(monkeypatch, viewer_db, seen)
    assert at.session_state["valid"] is True and at.session_state["_seen"] == seen  # the idle clock runs on
    at = check(monkeypatch, viewer_db, seen, use=True)
    assert at.session_state["valid"] is True and at.session_state["_seen"] > seen


def test_a_timer_tick_sees_an_account_disabled_since(monkeypatch, viewer_db):
    at = check(monkeypatch, viewer_db, datetime.now())
    assert at.session_state["valid"] is True
    con = db.connect(viewer_db)
    accounts.disable(con, VIEWER.name)
    con.close()
    at.run()  # the next tick of the same session: its last whole run opened the older copy
    assert at.session_state["valid"] is False and "_account" not in at.session_state


# --- a province's slides: as many communes as can be read, the ones that need attention most ---

def test_lowest_takes_the_unreported_first_then_the_lowest_and_keeps_ties_in_order():
    import pandas as pd

    df = pd.DataFrame({"name": list("abcde"), "share": [0.5, None, 0.2, 0.5, 0.9]})
    assert list(ind.lowest(df, "share", 3)["name"]) == ["b", "c", "a"]
    assert list(ind.lowest(df, "share", 2, highest=True)["name"]) == ["e", "a"]
    assert ind.lowest(df, "share", 5) is df  # nothing to cut


@pytest.mark.parametrize("present", [True, False])
def test_a_slide_shows_the_communes_it_can_show_readably(app, many_db, present):
    from ui import charts

    at = app(many_db, page=PAGE, **({"present": "1"} if present else {}))
    f = at.session_state["_filters"]
    with duckdb.connect(str(many_db), read_only=True) as c:
        by = ind.branch_meetings(c, f.scope, by="commune")
    spec = figure(at)
    bars = spec["data"][0]
    n = len(array(bars["y"]))
    assert 8 <= n < len(by)
    assert at.title[0].value == f"Tỷ lệ sinh hoạt thường kỳ: {n} đảng bộ thấp nhất"
    assert f"trong {len(by)} đảng bộ" in at.caption[1].value
    expected = ind.lowest(by, "i5_held_share", n)
    assert set(array(bars["y"])) == set(expected["commune_name"])
    # every bar has the room of its label in the big type, its value upright and not shrunk
    plot = spec["layout"]["height"] - charts.BIG_FRAME
    assert plot / n >= charts.BIG_ROW
    assert bars["textangle"] == 0 and spec["layout"]["uniformtext"]["minsize"] >= 16
    if present:  # title, filters, chart and the bar of buttons fit a 1366×768 projector
        assert spec["layout"]["height"] <= 470


def test_every_slide_of_a_province_keeps_its_labels_upright(app, many_db):
    at = app(many_db, page=PAGE, present="1")
    for _ in range(len(SLIDE_TITLES)):
        assert not at.exception and not at.error
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            for trace in spec["data"]:
                if trace["type"] == "bar" and "text" in trace:  # a bar with labels
                    assert trace.get("textangle") == 0, at.title[0].value
            assert spec["layout"]["height"] <= 470, at.title[0].value
        at.button(key="slide-next").click().run()
