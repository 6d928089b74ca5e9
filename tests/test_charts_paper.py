"""The chart builders' printed variant and their order (etl/outputs/charts.py, figure.py): the Word
report's images are the pages' charts with `paper=True` (print font, a fixed width, a height that
grows with the rows up to what a page holds) and `order="worst"` with `most` (what needs
attention first, the first ones only); without them a chart is the page's."""
from __future__ import annotations

import pandas as pd
import pytest

from etl import labels, theme
from etl.outputs import charts, figure

NAMES = ["Hòa Bắc", "Lộc An", "Lộc Đức", "Lộc Quảng", "Lộc Thắng"]


def shares() -> pd.DataFrame:
    return pd.DataFrame({"commune_name": NAMES, "i5_held_share": [0.9, None, 0.4, 0.75, 0.4]})


def quality() -> pd.DataFrame:
    rated = [10, 0, 8, 4, 5]
    tot, kha, tb, kem = [5, 0, 2, 1, 0], [3, 0, 2, 2, 1], [2, 0, 3, 1, 3], [0, 0, 1, 0, 1]
    df = pd.DataFrame({"commune_name": NAMES, "rated": rated, "tot": tot, "kha": kha, "trung_binh": tb, "kem": kem})
    for level in ("tot", "kha", "trung_binh", "kem"):
        df[f"{level}_share"] = (df[level] / df["rated"].where(df["rated"] > 0)).astype(float)
    df["kha_tro_len_share"] = df["tot_share"] + df["kha_share"]
    return df


def progress() -> pd.DataFrame:
    return pd.DataFrame({"commune_name": NAMES, "admitted_ytd": [4, None, 1, 6, 2], "target": [5, 3, None, 6, 8],
                         "pace_target": [2.5, 1.5, None, 3.0, 4.0], "reported": [True, False, True, True, True],
                         "i11_target_share": [0.8, None, None, 1.0, 0.25]})


def top_down(fig) -> list[str]:
    """The bars' names as the chart shows them, from the top (plotly draws the first at the bottom):
    the order given to the axis, else the first trace's."""
    return list((fig.layout.yaxis.categoryarray or fig.data[0].y)[::-1])


def test_the_paper_variant_prints_the_page_chart():
    page = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", title="Tỷ lệ")
    paper = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", title="Tỷ lệ", paper=True)
    assert (page.layout.font.family, page.layout.font.size, page.layout.width) == (theme.FONT, 13, None)
    assert (paper.layout.font.family, paper.layout.font.size, paper.layout.width) == (theme.PRINT_FONT, 16, 800)
    assert (paper.layout.title.font.size, paper.layout.paper_bgcolor, paper.layout.separators) == (20, theme.WHITE, ",.")
    assert page.layout.height == 320 and paper.layout.height == 150 + 30 * 5
    # the same rows, in the same order, with the same words
    assert list(paper.layout.yaxis.categoryarray) == list(page.data[0].y) and paper.layout.barmode == "overlay"
    assert paper.layout.showlegend is False  # the bars say what they are: a legend named the traces "trace 0"
    words = {y: t for trace in paper.data for y, t in zip(trace.y, trace.text)}
    assert words == dict(zip(page.data[0].y, page.data[0].text))
    # the margins hold the bigger labels: the longest name at 16 px is wider than at 13 px
    assert paper.layout.margin.l > page.layout.margin.l and paper.layout.margin.b > page.layout.margin.b


@pytest.mark.parametrize("rows, expected", [(1, 150 + 30 * 3), (20, 150 + 30 * 20), (130, 1000)])
def test_a_printed_chart_grows_with_its_rows_up_to_a_page(rows, expected):
    df = pd.DataFrame({"commune_name": [f"Xã {i}" for i in range(rows)], "i5_held_share": [0.5] * rows})
    fig = charts.rate_bars(df, label="commune_name", value="i5_held_share", paper=True)
    assert fig.layout.height == expected == figure.height(rows, False, 0, paper=True)
    assert expected <= figure.PAPER_MAX_HEIGHT


def test_a_second_title_line_gets_its_room_on_paper():
    one = charts.quality_stack(quality(), label="commune_name", title="Chất lượng", paper=True)
    two = charts.quality_stack(quality(), label="commune_name", title="Chất lượng<br>(3/5 đảng bộ)", paper=True)
    assert (one.layout.margin.t, two.layout.margin.t) == (80, 110)
    # plotly hangs a title from its last line: the first one is pushed down by its line height, or
    # it went over the image's top edge
    assert (one.layout.title.pad.t, two.layout.title.pad.t) == (12, 12 + 26)


def test_a_gap_is_printed_as_light_hatching_with_dark_words():
    page = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", reference=0.9)
    paper = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", reference=0.9, paper=True)
    at = list(page.data[0].y).index("Lộc An")
    assert page.data[0].text[at] == labels.NOT_REPORTED
    assert (page.data[0].marker.color[at], page.data[0].textfont.color) == (theme.NOT_REPORTED, "white")
    # on paper the words stand at the bar's start: at its end they sat under the reference line
    bars, gap = paper.data
    assert "Lộc An" not in bars.y and (gap.name, list(gap.y), list(gap.text)) == (labels.NOT_REPORTED, ["Lộc An"],
                                                                                [labels.NOT_REPORTED])
    assert (gap.marker.color, gap.marker.pattern.fgcolor, gap.textfont.color, gap.insidetextanchor) == (
        theme.HATCH_GROUND, theme.HATCH, theme.INK, "start")
    gap = charts.quality_stack(quality(), label="commune_name", paper=True).data[-1]
    assert (gap.name, list(gap.y), list(gap.text)) == (labels.NOT_REPORTED, ["Lộc An"], [labels.NOT_REPORTED])
    assert gap.textfont.color == theme.INK and gap.marker.color == theme.HATCH_GROUND
    assert charts.quality_stack(quality(), label="commune_name").data[-1].text is None  # the page hovers


def test_worst_first_puts_what_needs_attention_on_top_and_keeps_the_first_most():
    best = charts.rate_bars(shares(), label="commune_name", value="i5_held_share")
    worst = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", order="worst")
    assert top_down(best) == ["Hòa Bắc", "Lộc Quảng", "Lộc Đức", "Lộc Thắng", "Lộc An"]
    # not reported first, then from the lowest; ties (0,4) in the frame's order, by name
    assert top_down(worst) == ["Lộc An", "Lộc Đức", "Lộc Thắng", "Lộc Quảng", "Hòa Bắc"]
    cut = charts.rate_bars(shares(), label="commune_name", value="i5_held_share", order="worst", most=3, paper=True)
    assert top_down(cut) == ["Lộc An", "Lộc Đức", "Lộc Thắng"] and cut.layout.height == 150 + 30 * 3  # sized on 3
    # quality: by khá trở lên, then tốt, the other way round
    stacked = charts.quality_stack(quality(), label="commune_name", order="worst", most=3)
    assert top_down(stacked) == ["Lộc An", "Lộc Thắng", "Lộc Đức"]
    assert top_down(charts.quality_stack(quality(), label="commune_name"))[0] == "Hòa Bắc"


def test_recruitment_ranked_by_its_share_of_the_target_worst_first():
    made = dict(label="commune_name", done="admitted_ytd", target="target", pace="pace_target")
    assert top_down(charts.progress_bars(progress(), **made))[:2] == ["Lộc An", "Lộc Quảng"]  # the page: most admitted
    worst = charts.progress_bars(progress(), **made, reported="reported", rank="i11_target_share", order="worst",
                                 most=4)
    # no share (no report, no target) first, then the lowest share; each says why in words
    assert top_down(worst) == ["Lộc An (chưa báo cáo)", f"Lộc Đức ({labels.NO_TARGET.lower()})", "Lộc Thắng",
                               "Hòa Bắc"]
    assert [list(t.y) for t in worst.data[1:]] == [list(worst.data[0].y)] * 3  # one row per commune, every trace


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError, match="best"):
        charts.rate_bars(shares(), label="commune_name", value="i5_held_share", order="lowest")
