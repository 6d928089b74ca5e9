"""Chart builders and the one colour scheme of the dashboard (plotly.graph_objects: an order of
magnitude faster to build than plotly.express).

Every builder takes a tidy DataFrame from the indicator layer and returns a go.Figure; it never
computes an indicator. Units with no report are drawn in NOT_REPORTED_COLOR and labelled
"Chưa báo cáo", never as 0. `big=True` is the presentation-mode variant (large type).
Figures are built once from plain dicts (`figure`): plotly validates every update_* call, which
cost a page 50–85 ms, so a page passes its own layout changes as `layout=` (e.g. page.title_room(extra)).
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl import vnformat as vn
from etl.ingest.forms.spec import QUALITY_LABELS
from ui import markup

QUALITY_COLORS = {"tot": "#1b7f3b", "kha": "#7cb342", "trung_binh": "#f9a825", "kem": "#c62828"}
# units ranked by quality: 'đạt khá trở lên' first, 'tốt' breaking its ties (best_first)
QUALITY_ORDER = ("kha_tro_len_share", "tot_share")
NOT_REPORTED_COLOR = "#b0b7bf"
MAIN = "#b71c1c"  # party red: the main series
SECOND = "#1f5fa8"  # targets, paces, comparisons
GOOD, LATE = "#1b7f3b", "#ef6c00"
NOT_REPORTED = "Chưa báo cáo"
FONT = "Be Vietnam Pro, Segoe UI, Roboto, Arial, sans-serif"
# Big (presentation) type: every bar or heat-map row gets this many pixels, so each label shows
# (a fixed height squeezed 15 bars into every other label); a heat-map row holds two lines
# ("Chưa / báo cáo"). BIG_FRAME: margins, axis, legend of a big chart without a title.
BIG_ROW, BIG_HEAT_ROW, BIG_FRAME, BIG_HEIGHT = 32, 44, 130, 620
BIG_TEXT = 16  # smallest text inside a bar or cell in big type (smaller ones are hidden)


def tint(color: str, strength: float) -> str:
    """`color` ('#rrggbb') mixed with white: `strength` 1 is the colour itself, 0 white."""
    rgb = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - v) * strength):02x}" for v in rgb)


def big_height(rows: int, *, heat: bool = False) -> int:
    """Height of a big chart whose `rows` bars (or heat-map rows) each get their room."""
    return BIG_FRAME - (40 if heat else 0) + rows * (BIG_HEAT_ROW if heat else BIG_ROW)


def big_rows(height: int, *, heat: bool = False) -> int:
    """How many rows a big chart of `height` pixels shows readably (inverse of big_height)."""
    return max(1, (height - BIG_FRAME + (40 if heat else 0)) // (BIG_HEAT_ROW if heat else BIG_ROW))


def _height(rows: int, big: bool, normal: int, *, heat: bool = False) -> int:
    """A by-unit chart's height: `normal` on a desk screen; in big type at least the usual
    presentation height and always a row's room per unit (a province's page scrolls)."""
    return max(BIG_HEIGHT, big_height(rows, heat=heat)) if big else normal


def _merge(into: dict, more: dict) -> dict:
    """Nested dict update (what update_layout does, without plotly's per-property validation)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def base_layout(*, big: bool = False, height: int | None = None, title: str | None = None) -> dict:
    """The dashboard's layout as a plain dict: font, size, margins, legend on top, Vietnamese
    separators, faint grid; `big` the presentation-mode type. A title sits at the top of the
    figure with room under it for the legend, which stands right on the plot: in one top margin
    the two overlapped, and at y=1.02 a chart thousands of pixels tall (a province's communes)
    lifted its legend onto the title."""
    size = 22 if big else 13
    axis = dict(gridcolor="#e9ecef", zeroline=False)
    out = dict(
        font=dict(family=FONT, size=size, color="#212529"),
        height=height or (BIG_HEIGHT if big else 420),
        margin=dict(l=10, r=30, t=90 if title else 20, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1, xanchor="left", x=0),
        separators=",.",  # Vietnamese: decimal comma, thousands dot
        hoverlabel=dict(font=dict(size=size)),
        xaxis=dict(axis), yaxis=dict(axis),
    )
    if title:
        out["title"] = dict(text=title, font=dict(size=size + 6), yref="container", y=1, yanchor="top",
                            pad=dict(t=12))
    if big:  # Streamlit's chart theme draws axis labels and legend small and grey: too faint on a projector
        ink = dict(size=size - 2, color="#212529")
        for name in ("xaxis", "yaxis"):
            out[name].update(tickfont=dict(ink), title=dict(font=dict(ink)))
        out["legend"]["font"] = dict(ink)
        # room above the plot for the bigger title, legend and reference-line labels
        out["margin"]["t"] = 120 if title else 70
        # a label that does not fit its bar at this size is left out, never shrunk to a speck
        out["uniformtext"] = dict(minsize=BIG_TEXT, mode="hide")
    return out


def figure(traces: list[dict], *, big: bool = False, height: int | None = None, title: str | None = None,
           extra: dict | None = None, layout: dict | None = None) -> go.Figure:
    """A go.Figure built in one go from plain dicts: the dashboard layout (see `base_layout`) with
    the builder's `extra` (e.g. {"xaxis": {"range": ...}}) and then the caller's `layout` merged
    into it. Plotly validates every property on each update_* call (~2 ms each); one construction
    validates once. So callers pass their layout changes here rather than update the figure."""
    spec = _merge(_merge(base_layout(big=big, height=height, title=title), extra or {}), layout or {})
    if big:  # heat-map cell labels in the presentation type
        for trace in traces:
            if trace.get("type") == "heatmap":
                trace.setdefault("textfont", {})["size"] = BIG_TEXT
    _set_margins(spec, traces, big)
    return go.Figure({"data": traces, "layout": spec})


# Average advance of a character in the dashboard's sans-serif fonts, in ems, from its base letter
# (a Vietnamese letter is as wide as the letter under its marks); a little wide on purpose.
_NARROW, _WIDE = set("iljtfrI1.,:;!|'()[] "), set("mwMWĐDOQGHNU%")


def _text_width(text: str, size: float) -> float:
    """Estimated pixel width of `text` (its longest line, tags removed) at font `size`."""
    widest = 0.0
    for line in re.sub(r"<(?!br)[^>]*>", "", str(text)).split("<br>"):
        base = "".join(c for c in unicodedata.normalize("NFD", line) if not unicodedata.combining(c))
        em = sum(0.34 if c in _NARROW else 0.86 if c in _WIDE else 0.7 if c.isupper() else 0.58 for c in base)
        widest = max(widest, em * size)
    return widest


def _set_margins(spec: dict, traces: list[dict], big: bool) -> None:
    """Margins that hold the axis labels, so plotly's automargin can be off. Automargin measures
    every tick label in the browser and then draws the chart a second time with the margins it
    found: half of a chart's drawing time, for every chart of every page visit. The left margin
    fits the longest category label (or number) on the y axis and its title; the bottom one (the
    top one, for labels on top) a line of x labels and its title; the right one the colour bar
    of a heat map. An x axis whose category labels might not fit side by side keeps automargin
    (plotly turns them and makes room for them), from margins that fit them unturned."""
    tick = 20 if big else 13
    margin, xaxis, yaxis = spec["margin"], spec["xaxis"], spec["yaxis"]

    def titled(axis: dict) -> float:
        text = (axis.get("title") or {}).get("text")
        return tick * 1.6 + 8 if text else 0

    def values(key: str) -> list:
        return [v for t in traces for v in (t.get(key) if t.get(key) is not None else [])]

    y = values("y")
    labels = {v for v in y if isinstance(v, str)}
    if not labels:  # numbers: percents, or counts with thousands dots (and a sign)
        largest = max((abs(float(v)) for v in y if isinstance(v, numbers.Real) and not _missing(v)), default=0)
        labels = ["100%", "-" + vn.number(largest)]
    margin["l"] = max(margin.get("l", 0), int(max(_text_width(v, tick) for v in labels) + titled(yaxis) + 16))
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
        xaxis["automargin"] = sum(_text_width(v, tick) + tick for v in categories) >= 420
    if any(t.get("type") == "heatmap" and t.get("showscale", True) for t in traces):
        margin["r"] = max(margin.get("r", 0), int(32 + 30 + _text_width("100%", tick) + 24))


def warm() -> None:
    """One figure of each trace kind the builders use, built and serialized: plotly loads a trace
    kind's validators on its first use (ui.serve calls this at server start)."""
    import plotly.io

    fig = figure([{"type": "bar", "x": [1], "y": ["a"], "marker": {"pattern": {"shape": "/"}}},
                  {"type": "heatmap", "z": [[1.0]]}, {"type": "scatter", "x": [1], "y": ["a"]}], big=True)
    plotly.io.to_json(fig, validate=False)


def _grid(rows: list[list[str]]):
    """A grid of cell texts as a numpy array: go.Figure deep-copies and checks a nested list cell
    by cell (~2 ms for a province's commune × month grid), an array at once; same JSON."""
    return np.array(rows, dtype=object) if rows and rows[0] else rows


def _labels(values) -> np.ndarray:
    """Category labels (unit names: registry text) as plotly shows them: as written, never as tags
    (ui.markup). Values that are not text (a number, a missing name) stay as they are."""
    return np.array([markup.plotly(v) if isinstance(v, str) else v for v in values], dtype=object)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def best_first(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The rows from best to worst by `columns` (the first decides, the next break its ties), rows
    without a figure last; rows equal on all of them keep the frame's order (by name). A chart of
    horizontal bars draws its rows reversed (`[::-1]`), so it reads top down as a table does."""
    return df.sort_values(list(columns), ascending=False, na_position="last", kind="stable")


def rate_bars(df: pd.DataFrame, *, label: str, value: str, title: str | None = None, reference: float | None = None,
              reference_name: str = "Toàn Đảng bộ", big: bool = False, layout: dict | None = None) -> go.Figure:
    """Horizontal bars of a 0..1 share per unit, best on top; unreported units in grey, labelled."""
    d = df[[label, value]].copy()
    d["_missing"] = d[value].map(_missing)
    d = best_first(d.assign(**{value: d[value].astype(float)}), value).iloc[::-1]
    missing = d["_missing"].tolist()
    shown = d[value].where(~d["_missing"], 1.0).astype(float)
    bar = dict(
        type="bar", x=shown.to_numpy(), y=_labels(d[label]), orientation="h",
        marker=dict(color=[NOT_REPORTED_COLOR if m else MAIN for m in missing],
                    pattern=dict(shape=["/" if m else "" for m in missing])),
        text=[NOT_REPORTED if m else vn.percent(v) for m, v in zip(missing, d[value].tolist())],
        textposition="inside", insidetextanchor="end", textangle=0, textfont=dict(color="white"),
        hovertemplate="%{y}: %{text}<extra></extra>")
    extra: dict = {"xaxis": dict(range=[0, 1.05], tickformat=".0%")}
    if reference is not None and not _missing(reference):
        # what fig.add_vline draws: a dashed line over the plot's height, its label on top
        extra["shapes"] = [dict(type="line", x0=reference, x1=reference, xref="x", y0=0, y1=1, yref="y domain",
                                line=dict(color=SECOND, dash="dash"))]
        # the label beside the line, on the side with room (centred, it ran off a chart's edge)
        extra["annotations"] = [dict(text=f"{reference_name}: {vn.percent(reference)}", x=reference, xref="x",
                                     xanchor="right" if reference > 0.5 else "left", y=1, yref="y domain", yanchor="bottom", showarrow=False)]
    return figure([bar], big=big, title=title, height=_height(len(d), big, max(320, 34 * len(d) + 80)), extra=extra,
                  layout=layout)


def heatmap(df: pd.DataFrame, *, row: str, column: str, value: str, title: str | None = None,
            column_labels=vn.month_short, big: bool = False, notes: str | None = None,
            layout: dict | None = None) -> go.Figure:
    """Unit × month grid of a share; cells without a report stay grey (the plot background).
    `notes` names a column of cell texts that replace the default where not empty (e.g. "Không
    ghi ngày" for a reported month whose share cannot be computed, so it is not "Chưa báo cáo")."""
    df = df.assign(**{row: _labels(df[row])})
    # what pivot_table(aggfunc="first", dropna=False) gives, at a fifth of its cost
    grid = df.groupby([row, column], dropna=False)[value].first().unstack()
    grid = grid.sort_index(ascending=False)
    missing = "Chưa<br>báo cáo" if big else NOT_REPORTED  # big type: the words fit a cell on two lines
    text = [[missing if _missing(v) else vn.percent(v, 0) for v in r] for r in grid.to_numpy().tolist()]
    if notes is not None:
        given = df[df[notes].notna() & (df[notes] != "")].set_index([row, column])[notes].to_dict()
        text = [[given.get((r, c), t) for c, t in zip(grid.columns, line)] for r, line in zip(grid.index, text)]
    cells = dict(
        type="heatmap", z=grid.to_numpy(dtype=float), x=[column_labels(c) for c in grid.columns],
        y=list(grid.index), text=_grid(text), zmin=0, zmax=1,
        colorscale=[[0, "#c62828"], [0.5, "#f9a825"], [0.8, "#9ccc65"], [1, "#1b7f3b"]],
        colorbar=dict(tickformat=".0%", title=dict(text="")), hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        xgap=2, ygap=2)
    if grid.shape[1] <= 12:
        cells["texttemplate"] = "%{text}"
    return figure([cells], big=big, title=title, height=_height(len(grid), big, max(360, 30 * len(grid) + 120), heat=True),
                  extra={"plot_bgcolor": NOT_REPORTED_COLOR, "xaxis": dict(side="top", gridcolor=NOT_REPORTED_COLOR),
                         "yaxis": dict(gridcolor=NOT_REPORTED_COLOR)}, layout=layout)


def quality_stack(df: pd.DataFrame, *, label: str, title: str | None = None, big: bool = False,
                  horizontal: bool = True, layout: dict | None = None) -> go.Figure:
    """Tốt / Khá / Trung bình / Kém shares stacked per unit (or per month); units best on top by
    'khá trở lên', then by 'tốt' (the order of the page's ranking)."""
    d = df
    if horizontal:
        d = best_first(d, *QUALITY_ORDER).iloc[::-1]
    labels = _labels(d[label])
    orientation = "h" if horizontal else "v"
    traces = []
    for level, color in QUALITY_COLORS.items():
        share = d[f"{level}_share"].astype(float).to_numpy()
        traces.append(dict(
            type="bar", name=QUALITY_LABELS[level], marker=dict(color=color),
            x=share if horizontal else labels, y=labels if horizontal else share,
            orientation=orientation, customdata=d[level].to_numpy(),
            text=[vn.percent(v, 0) if not _missing(v) and v >= 0.06 else "" for v in share.tolist()],
            textposition="inside", textangle=0, hovertemplate=f"{QUALITY_LABELS[level]}: %{{customdata}} (%{{text}})<extra></extra>"))
    missing = [name for name, rated in zip(labels.tolist(), d["rated"].tolist()) if _missing(rated) or rated == 0]
    if missing:
        ones = [1.0] * len(missing)
        traces.append(dict(type="bar", name=NOT_REPORTED, marker=dict(color=NOT_REPORTED_COLOR, pattern=dict(shape="/")),
                           x=ones if horizontal else missing, y=missing if horizontal else ones,
                           orientation=orientation, hovertemplate="%{y}: Chưa báo cáo<extra></extra>"))
    axis = dict(range=[0, 1.0001], tickformat=".0%")
    # the legend reads Tốt … Kém as the bars do from the left (plotly reverses a stack's legend)
    return figure(traces, big=big, title=title, extra={"barmode": "stack", "xaxis" if horizontal else "yaxis": axis,
                                                       "legend": {"traceorder": "normal"}},
                  height=_height(len(d), big, max(340, 30 * len(d) + 100)) if horizontal else None, layout=layout)


def progress_bars(df: pd.DataFrame, *, label: str, done: str, target: str, pace: str,
                  title: str | None = None, big: bool = False, layout: dict | None = None) -> go.Figure:
    """Admitted against the annual target per unit, with the on-track pace marked."""
    d = df.sort_values(done, ascending=True)
    labels = _labels(d[label])
    traces = [
        dict(type="bar", name="Chỉ tiêu năm", y=labels, x=d[target].to_numpy(), orientation="h",
             marker=dict(color="#dee2e6"), hovertemplate="%{y}: chỉ tiêu %{x}<extra></extra>"),
        dict(type="bar", name="Đã kết nạp", y=labels, x=d[done].to_numpy(), orientation="h", marker=dict(color=MAIN),
             hovertemplate="%{y}: đã kết nạp %{x}<extra></extra>"),
        dict(type="scatter", name="Tiến độ cần đạt", y=labels, x=d[pace].to_numpy(), mode="markers",
             marker=dict(symbol="line-ns-open", size=26 if big else 18, color=SECOND, line=dict(width=3)),
             hovertemplate="%{y}: cần đạt %{x:.1f}<extra></extra>"),
    ]
    # "admitted/target" past the longer of the two bars: the pace mark (never past the target)
    # sat on a label written at the end of the admitted bar
    ends = np.fmax(d[done].astype(float).to_numpy(), d[target].astype(float).to_numpy())
    traces.append(dict(type="scatter", name="Đã kết nạp/chỉ tiêu", y=labels, x=ends, mode="text",
                       text=[vn.ratio(a, t, missing=vn.number(a)) for a, t in zip(d[done].tolist(), d[target].tolist())],
                       textposition="middle right", cliponaxis=False, showlegend=False, hoverinfo="skip"))
    extra = {"barmode": "overlay", "yaxis": dict(range=[-0.5, len(d) - 0.5])}  # the markers padded it by rows
    top = max((e for e in ends.tolist() if not math.isnan(e)), default=0)
    if top > 0:
        extra["xaxis"] = dict(range=[0, top * (1.18 if big else 1.14)])  # room for the labels
    return figure(traces, big=big, title=title, extra=extra,
                  height=_height(len(d), big, max(340, 30 * len(d) + 100)), layout=layout)


def lines(df: pd.DataFrame, *, x: str, series: dict[str, tuple[str, str]], title: str | None = None,
          percent: bool = False, big: bool = False, dash: tuple[str, ...] = (),
          layout: dict | None = None) -> go.Figure:
    """One line per column: series = {column: (legend label, colour)}."""
    months = [vn.month_short(p) for p in df[x]]
    traces = [dict(type="scatter", x=months, y=df[col].to_numpy(), name=name, mode="lines+markers",
                   line=dict(color=color, width=4 if big else 2.5, dash="dash" if col in dash else "solid"),
                   connectgaps=False)
              for col, (name, color) in series.items()]
    extra = {"yaxis": dict(tickformat=".0%", rangemode="tozero")} if percent else {}
    return figure(traces, big=big, title=title, extra=extra, layout=layout)


def bars(df: pd.DataFrame, *, x: str, series: dict[str, tuple[str, str]], title: str | None = None,
         big: bool = False, stacked: bool = False, horizontal: bool = False, trace: dict | None = None,
         layout: dict | None = None) -> go.Figure:
    """Grouped (or stacked) bars of counts: series = {column: (legend label, colour)}; `trace` is
    merged into every bar trace (e.g. dict(textposition="outside"), or `text` for other labels)."""
    keys = _labels(df[x])
    traces = []
    for col, (name, color) in series.items():
        values = df[col].to_numpy()
        traces.append(dict(type="bar", name=name, marker=dict(color=color), orientation="h" if horizontal else "v",
                           x=values if horizontal else keys, y=keys if horizontal else values,
                           text=[vn.number(v, missing="") for v in df[col].tolist()], textposition="auto",
                           textangle=0)  # a count turned 90° in a narrow bar cannot be read
                      | (trace or {}))
    return figure(traces, big=big, title=title, extra={"barmode": "stack" if stacked else "group"},
                  height=_height(len(df), big, max(340, 30 * len(df) + 100)) if horizontal else None, layout=layout)


def change_bars(df: pd.DataFrame, *, x: str, up: dict[str, tuple[str, str]], down: dict[str, tuple[str, str]],
                net: tuple[str, str], title: str | None = None, big: bool = False,
                layout: dict | None = None) -> go.Figure:
    """Monthly change of a count: what adds to it stacked above zero, what takes from it stacked
    below (drawn downwards, labelled with its count), and the net change as a diamond at its
    level in each month's bar: up/down = {column: (legend label, colour)}, net = (column, label).
    A month with no report has no bar and no diamond."""
    months = [vn.month_short(p) for p in df[x]]
    traces = []
    for sign, series in ((1, up), (-1, down)):
        for col, (name, color) in series.items():
            counts = [vn.number(v, missing="") for v in df[col].tolist()]
            traces.append(dict(type="bar", name=name, marker=dict(color=color), x=months,
                               y=sign * df[col].astype(float).to_numpy(),
                               text=["" if c == "0" else c for c in counts], textposition="inside",
                               insidetextanchor="middle", textangle=0, textfont=dict(color="white"),
                               hovertemplate=f"%{{x}} · {name}: %{{text}}<extra></extra>"))
    col, name = net
    traces.append(dict(type="scatter", mode="markers", name=name, x=months, y=df[col].astype(float).to_numpy(),
                       text=[vn.signed(v, missing="") for v in df[col].tolist()],
                       marker=dict(symbol="diamond", size=16 if big else 11, color="#212529",
                                   line=dict(color="white", width=1.5)),
                       hovertemplate=f"%{{x}} · {name}: %{{text}}<extra></extra>"))
    # the axis counts people both ways: "2" below zero, not "−2"
    top = df[list(up)].fillna(0).sum(axis=1).max() if len(df) else 0
    bottom = df[list(down)].fillna(0).sum(axis=1).max() if len(df) else 0
    step = _nice_step(float(top) + float(bottom))
    ticks = [float(v) for v in range(-math.ceil(bottom / step) * step, math.ceil(top / step) * step + 1, step)]
    extra = {"barmode": "relative", "yaxis": dict(zeroline=True, zerolinecolor="#495057", zerolinewidth=1.5,
                                                  tickvals=ticks, ticktext=[vn.number(abs(v)) for v in ticks])}
    return figure(traces, big=big, title=title, extra=extra, layout=layout)


def _nice_step(span: float, ticks: int = 6) -> int:
    """A whole step of 1, 2 or 5 × 10ⁿ giving about `ticks` ticks over `span`."""
    raw = max(span / ticks, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def count_heatmap(df: pd.DataFrame, *, row: str, column: str, value: str, column_labels: dict | None = None,
                  title: str | None = None, big: bool = False, layout: dict | None = None) -> go.Figure:
    """Unit × category grid of counts (e.g. inspection findings); a zero stays white and blank,
    so the cells that need attention stand out. Long column labels are wrapped."""
    # what pivot_table(aggfunc="sum", fill_value=0) gives, at a fifth of its cost
    grid = df.assign(**{row: _labels(df[row])}).groupby([row, column])[value].sum().unstack(fill_value=0)
    grid = grid.sort_index(ascending=False)
    # the wrap width follows the columns' width: in big type 15 characters overran a column
    width = max(8, min(15, int((1000 if big else 1100) / max(1, grid.shape[1]) / (11.6 if big else 7.5))))
    labels = [_wrap(markup.plotly((column_labels or {}).get(c, str(c))), width) for c in grid.columns]
    z = grid.to_numpy(dtype=float)
    cells = dict(
        type="heatmap", z=z, x=labels, y=list(grid.index), zmin=0, zmax=max(float(z.max()) if z.size else 1.0, 1.0),
        text=_grid([[vn.number(v) if v else "" for v in r] for r in z.tolist()]), texttemplate="%{text}",
        colorscale=[[0, "#ffffff"], [0.001, "#fde0dc"], [1, MAIN]], showscale=False,
        hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", xgap=2, ygap=2)
    rows = max((label.count("<br>") + 1 for label in labels), default=1)
    top = (22 if big else 14) * 1.3 * rows + (70 if title else 20)  # the labels sit above the grid
    extra: dict = {"plot_bgcolor": "#e9ecef", "margin": dict(t=int(top)), "xaxis": dict(side="top", tickangle=0)}
    return figure([cells], big=big, title=title, extra=extra, layout=layout,
                  height=max(360, 32 * len(grid) + 40 + int(top)) if not big else max(BIG_HEIGHT, big_height(len(grid)) + int(top)))


def _wrap(text: str, width: int = 15) -> str:
    """A long label on several lines (plotly breaks lines only at <br>)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])
