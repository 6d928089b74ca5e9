"""The charts of every page, as the browser gets them (the figure JSON of each st.plotly_chart):
a titled chart keeps its title clear of the legend and the plot, in normal and presentation mode.
"""
from __future__ import annotations

import json

import pytest

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
