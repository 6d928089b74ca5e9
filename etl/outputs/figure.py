"""The layout every chart shares (etl/outputs/charts.py builds on it): font, margins, legend,
Vietnamese separators, the presentation ("big") type, the printed ("paper") variant of the Word
report's images, and a go.Figure built in one go.

Figures are built once from plain dicts (`figure`): plotly validates every update_* call, which
cost a page 50–85 ms, so a builder passes its layout as `extra=` and its caller as `layout=`.
Margins are computed here (`_set_margins`) instead of by plotly's automargin, which draws every
chart twice in the browser.
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata

import pandas as pd
import plotly.graph_objects as go

from etl import theme
from etl import vnformat as vn

# Big (presentation) type: every bar or heat-map row gets this many pixels, so each label shows
# (a fixed height squeezed 15 bars into every other label); a heat-map row holds two lines
# ("Chưa / báo cáo"). BIG_FRAME: margins, axis, legend of a big chart without a title.
BIG_ROW, BIG_HEAT_ROW, BIG_FRAME, BIG_HEIGHT = 32, 44, 130, 620
BIG_TEXT = 16  # smallest text inside a bar or cell in big type (smaller ones are hidden)

# Paper (the Word report's images, rendered at scale 2): PAPER_WIDTH px placed 16 cm wide, so
# PAPER_TEXT px type prints at ~9 pt; PAPER_FRAME px of title, legend and axis plus PAPER_ROW px a
# bar, at most PAPER_MAX_HEIGHT (20 cm on the page, which must hold the image and its caption).
PAPER_WIDTH, PAPER_TEXT, PAPER_TITLE = 800, 16, 20
PAPER_FRAME, PAPER_ROW, PAPER_MAX_HEIGHT = 150, 30, 1000


def big_height(rows: int, *, heat: bool = False) -> int:
    """Height of a big chart whose `rows` bars (or heat-map rows) each get their room."""
    return BIG_FRAME - (40 if heat else 0) + rows * (BIG_HEAT_ROW if heat else BIG_ROW)


def big_rows(height: int, *, heat: bool = False) -> int:
    """How many rows a big chart of `height` pixels shows readably (inverse of big_height)."""
    return max(1, (height - BIG_FRAME + (40 if heat else 0)) // (BIG_HEAT_ROW if heat else BIG_ROW))


def height(rows: int, big: bool, normal: int, *, heat: bool = False, paper: bool = False) -> int:
    """A by-unit chart's height: `normal` on a desk screen; in big type at least the usual
    presentation height and always a row's room per unit (a province's page scrolls); on paper a
    row's room per unit (three at least) up to what one page holds."""
    if paper:
        return min(PAPER_FRAME + PAPER_ROW * max(rows, 3), PAPER_MAX_HEIGHT)
    return max(BIG_HEIGHT, big_height(rows, heat=heat)) if big else normal


def merge(into: dict, more: dict) -> dict:
    """Nested dict update (what update_layout does, without plotly's per-property validation)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def _tick(big: bool, paper: bool) -> int:
    """The size of axis labels."""
    return 20 if big else PAPER_TEXT if paper else 13


def base_layout(*, big: bool = False, paper: bool = False, height: int | None = None,
                title: str | None = None) -> dict:
    """The dashboard's layout as a plain dict: font, size, margins, legend on top, Vietnamese
    separators, faint grid; `big` the presentation-mode type; `paper` the printed image (the
    print font, a fixed width, a title that may run to a second line). A title sits at the top
    of the figure with room under it for the legend, which stands right on the plot: in one top
    margin the two overlapped, and at y=1.02 a chart thousands of pixels tall (a province's
    communes) lifted its legend onto the title."""
    size = 22 if big else PAPER_TEXT if paper else 13
    axis = dict(gridcolor=theme.GRID, zeroline=False)
    top = (80 + 30 * title.count("<br>") if paper else 90) if title else 20
    out = dict(
        font=dict(family=theme.PRINT_FONT if paper else theme.FONT, size=size, color=theme.INK),
        height=height or (BIG_HEIGHT if big else 420),
        margin=dict(l=10, r=30, t=top, b=10),
        plot_bgcolor=theme.WHITE, paper_bgcolor=theme.WHITE,
        legend=dict(orientation="h", yanchor="bottom", y=1, xanchor="left", x=0),
        separators=",.",  # Vietnamese: decimal comma, thousands dot
        hoverlabel=dict(font=dict(size=size)),
        xaxis=dict(axis), yaxis=dict(axis),
    )
    if paper:
        out["width"] = PAPER_WIDTH
    if title:
        heading = PAPER_TITLE if paper else size + 6
        # plotly hangs a title of several lines from its last line: the lines above it went over
        # the top edge, unless the pad makes their room (plotly's line height: 1.3 × the size)
        out["title"] = dict(text=title, font=dict(size=heading), yref="container", y=1, yanchor="top",
                            pad=dict(t=12 + round(1.3 * heading) * title.count("<br>")))
    if big:  # Streamlit's chart theme draws axis labels and legend small and grey: too faint on a projector
        ink = dict(size=size - 2, color=theme.INK)
        for name in ("xaxis", "yaxis"):
            out[name].update(tickfont=dict(ink), title=dict(font=dict(ink)))
        out["legend"]["font"] = dict(ink)
        # room above the plot for the bigger title, legend and reference-line labels
        out["margin"]["t"] = 120 if title else 70
        # a label that does not fit its bar at this size is left out, never shrunk to a speck
        out["uniformtext"] = dict(minsize=BIG_TEXT, mode="hide")
    return out


def figure(traces: list[dict], *, big: bool = False, paper: bool = False, height: int | None = None,
           title: str | None = None, extra: dict | None = None, layout: dict | None = None) -> go.Figure:
    """A go.Figure built in one go from plain dicts: the dashboard layout (see `base_layout`) with
    the builder's `extra` (e.g. {"xaxis": {"range": ...}}) and then the caller's `layout` merged
    into it. Plotly validates every property on each update_* call (~2 ms each); one construction
    validates once. So callers pass their layout changes here rather than update the figure."""
    spec = merge(merge(base_layout(big=big, paper=paper, height=height, title=title), extra or {}), layout or {})
    if big:  # heat-map cell labels in the presentation type
        for trace in traces:
            if trace.get("type") == "heatmap":
                trace.setdefault("textfont", {})["size"] = BIG_TEXT
    _set_margins(spec, traces, _tick(big, paper))
    return go.Figure({"data": traces, "layout": spec})


# Average advance of a character in the dashboard's sans-serif fonts, in ems, from its base letter
# (a Vietnamese letter is as wide as the letter under its marks); a little wide on purpose.
_NARROW, _WIDE = set("iljtfrI1.,:;!|'()[] "), set("mwMWĐDOQGHNU%")


def text_width(text: str, size: float) -> float:
    """Estimated pixel width of `text` (its longest line, tags removed) at font `size`."""
    widest = 0.0
    for line in re.sub(r"<(?!br)[^>]*>", "", str(text)).split("<br>"):
        base = "".join(c for c in unicodedata.normalize("NFD", line) if not unicodedata.combining(c))
        em = sum(0.34 if c in _NARROW else 0.86 if c in _WIDE else 0.7 if c.isupper() else 0.58 for c in base)
        widest = max(widest, em * size)
    return widest


def missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _set_margins(spec: dict, traces: list[dict], tick: int) -> None:
    """Margins that hold the axis labels, so plotly's automargin can be off. Automargin measures
    every tick label in the browser and then draws the chart a second time with the margins it
    found: half of a chart's drawing time, for every chart of every page visit. The left margin
    fits the longest category label (or number) on the y axis and its title; the bottom one (the
    top one, for labels on top) a line of x labels and its title; the right one the colour bar
    of a heat map. An x axis whose category labels might not fit side by side keeps automargin
    (plotly turns them and makes room for them), from margins that fit them unturned. `tick`: the
    size of the axis labels."""
    margin, xaxis, yaxis = spec["margin"], spec["xaxis"], spec["yaxis"]

    def titled(axis: dict) -> float:
        text = (axis.get("title") or {}).get("text")
        return tick * 1.6 + 8 if text else 0

    def values(key: str) -> list:
        return [v for t in traces for v in (t.get(key) if t.get(key) is not None else [])]

    y = values("y")
    labels = {v for v in y if isinstance(v, str)}
    if not labels:  # numbers: percents, or counts with thousands dots (and a sign)
        largest = max((abs(float(v)) for v in y if isinstance(v, numbers.Real) and not missing(v)), default=0)
        labels = ["100%", "-" + vn.number(largest)]
    margin["l"] = max(margin.get("l", 0), int(max(text_width(v, tick) for v in labels) + titled(yaxis) + 16))
    yaxis["automargin"] = False
    x = values("x")
    categories = [v for v in dict.fromkeys(x) if isinstance(v, str)]
    if xaxis.get("side") == "top":  # heat maps: the labels under the title
        heading = (tick + 6) * 1.6 + 12 if spec.get("title") else 0
        margin["t"] = max(margin.get("t", 0), int(heading + tick * 1.5 + 10))
        xaxis["automargin"] = False
    else:
        margin["b"] = max(margin.get("b", 0), int(tick * 2.1 + 10 + titled(xaxis)))
        # labels that fit side by side on a half-width chart; plotly may turn longer ones
        xaxis["automargin"] = sum(text_width(v, tick) + tick for v in categories) >= 420
    if any(t.get("type") == "heatmap" and t.get("showscale", True) for t in traces):
        margin["r"] = max(margin.get("r", 0), int(32 + 30 + text_width("100%", tick) + 24))


def warm() -> None:
    """One figure of each trace kind the builders use, built and serialized: plotly loads a trace
    kind's validators on its first use (ui.serve calls this at server start)."""
    import plotly.io

    fig = figure([{"type": "bar", "x": [1], "y": ["a"], "marker": {"pattern": {"shape": "/"}}},
                  {"type": "heatmap", "z": [[1.0]]}, {"type": "scatter", "x": [1], "y": ["a"]}], big=True)
    plotly.io.to_json(fig, validate=False)
