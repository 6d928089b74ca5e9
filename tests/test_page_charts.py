"""The charts of every page, as the browser gets them (the figure JSON of each st.plotly_chart):
a titled chart keeps its title clear of the legend and the plot, in normal and presentation mode.
"""
from __future__ import annotations

import json

import duckdb
import pytest

from etl import indicators as ind
from etl.access.accounts import Account

PAGES = ["tong_quan", "hoi_nghi_cap_uy", "sinh_hoat_chi_bo", "chat_luong", "phat_trien_dang_vien", "kiem_tra",
         "nop_bao_cao", "trinh_chieu"]


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("name", PAGES)
def test_a_chart_title_has_the_top_of_the_figure_to_itself(app, demo_db, name, present):
    at = app(demo_db, page=name, **({"present": "1"} if present else {}))
    assert not at.error, [e.value for e in at.error]
    for spec in figures(at):
        layout = spec["layout"]
        title = layout.get("title", {})
        if not title.get("text"):
            continue
        # the title hangs from the top edge of the figure, the legend stands on the plot: the
        # margin between them holds both (in one margin, each at its default place, they overlapped)
        assert (title["yref"], title["y"], title["yanchor"]) == ("container", 1, "top"), title["text"]
        assert layout["margin"]["t"] >= (120 if present else 90), title["text"]
        assert (layout["legend"]["y"], layout["legend"]["yanchor"]) == (1, "bottom"), title["text"]


@pytest.mark.parametrize("name", PAGES)
def test_a_titled_chart_names_the_filters_it_shows(app, demo_db, name):
    at = app(demo_db, page=name)
    f = at.session_state["_filters"]
    with duckdb.connect(str(demo_db), read_only=True) as con:  # a commune with findings (Kiểm tra draws none else)
        code = ind.inspections(con, f.scope, by="commune")["commune_code"].iloc[0]
    commune = f.name(code)
    at.multiselect(key="dang_bo").set_value([code]).run()
    assert not at.error
    titled = [spec for spec in figures(at) if spec["layout"].get("title", {}).get("text")]
    for spec in titled:
        subtitle = spec["layout"]["title"]["subtitle"]["text"]
        # the saved picture says the year, the months, the commune and the branch kinds
        assert subtitle == at.session_state["_filters"].describe(names=3), spec["layout"]["title"]["text"]
        assert f"Năm {f.year}" in subtitle and commune in subtitle
        assert spec["layout"]["margin"]["t"] >= 110  # title, subtitle, then the legend
    assert titled or name == "trinh_chieu"


def test_a_subtitle_names_three_communes_and_counts_the_others():
    from ui.filters import Filters

    names = tuple((f"X{i}", f"Xã {i}") for i in range(5))
    f = Filters(2026, 1, 10, ("X0", "X1", "X2", "X3", "X4"), (), names)
    assert f.describe(names=3) == "Năm 2026, tháng 1–10 · 5 đảng bộ: Xã 0, Xã 1, Xã 2, và 2 đảng bộ khác · " \
                                  "tất cả loại chi bộ"
    assert "Xã 4" in f.describe()


@pytest.mark.parametrize("name", ["tong_quan", "trinh_chieu"])
def test_the_chart_toolbar_is_one_png_button_in_vietnamese(app, demo_db, name):
    """plotly.js in Streamlit's bundle ships only the locales en and en-US: the config gives the
    Vietnamese texts and keeps only the PNG button (zoom, pan and Streamlit's Fullscreen had
    English tooltips)."""
    at = app(demo_db, page=name)
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["modeBarButtons"] == [["toImage"]]
        assert config["locale"] == "vi"
        words = config["locales"]["vi"]["dictionary"]
        assert words["Download plot as a PNG"] == "Tải ảnh biểu đồ (PNG)"
        assert all(text and text != english for english, text in words.items())
        assert config["toImageButtonOptions"]["filename"]


def reference_lines(at) -> list[str]:
    """The "Toàn Đảng bộ: x%" lines of the page's charts by commune."""
    return [a["text"] for spec in figures(at) for a in spec["layout"].get("annotations", [])
            if a.get("text", "").startswith("Toàn Đảng bộ")]


@pytest.mark.parametrize("name", ["tong_quan", "hoi_nghi_cap_uy", "sinh_hoat_chi_bo", "trinh_chieu"])
def test_the_whole_province_line_stays_the_whole_province_and_a_commune_account_gets_none(app, demo_db, name):
    """The line named "Toàn Đảng bộ" is every commune whatever the commune filter; a commune's own
    account, whose every figure is narrowed to its commune, gets no such line (it would be its own
    figure under the province's name)."""
    at = app(demo_db, page=name)
    every = reference_lines(at)
    assert every, "the page draws a line for the whole province"
    with duckdb.connect(str(demo_db), read_only=True) as con:
        code = ind.branch_meetings(con, at.session_state["_filters"].scope, by="commune")["commune_code"].iloc[0]
    at.multiselect(key="dang_bo").set_value([code]).run()
    assert reference_lines(at) == every
    own = app(demo_db, page=name, account=Account("xa", "xa", code))
    assert not own.error and figures(own) and reference_lines(own) == []
