"""The dashboard's chart builders, one per kind of chart. They import no Streamlit, so that
anything that draws a chart (the December export's images included) can build on them.

Every builder takes a tidy DataFrame from the indicator layer and returns a go.Figure; it never
computes an indicator. Units with no report are drawn in theme.NOT_REPORTED (on paper, grey
hatching on a light ground) and labelled labels.NOT_REPORTED ("Chưa báo cáo"), never as 0.
Units are ranked the way the pages rank them (`best_first`): best on top; `order="worst"` puts
what needs attention first on top instead (`worst_first`), and `most` keeps only the first of
them (the Word report's images). `big=True` is the presentation-mode variant (large type),
`paper=True` the printed one (the Word report); the layout every chart shares, and how
`layout=` reaches it, is etl/outputs/figure.py.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl import labels, text, theme
from etl import vnformat as vn
from etl.outputs.figure import BIG_HEIGHT, big_height, figure, height
from etl.outputs.figure import missing as _missing

# units ranked by quality: 'đạt khá trở lên' first, 'tốt' breaking its ties (best_first)
QUALITY_ORDER = ("kha_tro_len_share", "tot_share")


def _grid(rows: list[list[str]]):
    """A grid of cell texts as a numpy array: go.Figure deep-copies and checks a nested list cell
    by cell (~2 ms for a province's commune × month grid), an array at once; same JSON."""
    return np.array(rows, dtype=object) if rows and rows[0] else rows


def _labels(values) -> np.ndarray:
    """Category labels (unit names: registry text) as plotly shows them: as written, never as tags
    (text.plotly). Values that are not text (a number, a missing name) stay as they are."""
    return np.array([text.plotly(v) if isinstance(v, str) else v for v in values], dtype=object)


def best_first(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The rows from best to worst by `columns` (the first decides, the next break its ties), rows
    without a figure last; rows equal on all of them keep the frame's order (by name). A chart of
    horizontal bars draws its rows reversed (`[::-1]`), so it reads top down as a table does."""
    return df.sort_values(list(columns), ascending=False, na_position="last", kind="stable")


def worst_first(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """best_first's rule the other way round, for a chart that lists what needs attention first:
    rows without a figure (no report) first, then from the lowest; ties keep the frame's order."""
    return df.sort_values(list(columns), ascending=True, na_position="first", kind="stable")


ORDERS = {"best": best_first, "worst": worst_first}


def ranked(df: pd.DataFrame, order: str, *columns: str, most: int | None = None) -> pd.DataFrame:
    """The rows in `order` by `columns` ("best": best_first, "worst": worst_first), only the
    first `most` of them when given."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {sorted(ORDERS)}, not {order!r}")
    d = ORDERS[order](df, *columns)
    return d if most is None else d.head(most)


def _gap_bars(names: list, *, paper: bool, horizontal: bool = True) -> dict:
    """A bar across the whole axis for each unit without a report, grey and hatched, named
    labels.NOT_REPORTED. On paper (no pointer to hover with) the bar says it, in dark ink at its
    start on grey hatching over a light ground (white text on the hatching could not be read)."""
    ones = [1.0] * len(names)
    trace = dict(type="bar", name=labels.NOT_REPORTED,
                 marker=dict(color=theme.HATCH_GROUND, pattern=dict(shape="/", fgcolor=theme.HATCH)) if paper else
                 dict(color=theme.NOT_REPORTED, pattern=dict(shape="/")),
                 x=ones if horizontal else names, y=names if horizontal else ones, orientation="h" if horizontal else "v",
                 hovertemplate=f"%{{y}}: {labels.NOT_REPORTED}<extra></extra>")
    if paper:
        trace.update(text=[labels.NOT_REPORTED] * len(names), textposition="inside", insidetextanchor="start",
                     textfont=dict(color=theme.INK))
    return trace


def rate_bars(df: pd.DataFrame, *, label: str, value: str, title: str | None = None, reference: float | None = None,
              reference_name: str = labels.TOTAL, order: str = "best", most: int | None = None, big: bool = False,
              paper: bool = False, layout: dict | None = None) -> go.Figure:
    """Horizontal bars of a 0..1 share per unit, best on top (`order`, `most`: see `ranked`);
    unreported units in grey, labelled."""
    d = df[[label, value]].copy()
    d["_missing"] = d[value].map(_missing)
    d = ranked(d.assign(**{value: d[value].astype(float)}), order, value, most=most).iloc[::-1]
    gone = d["_missing"].tolist()
    shown = d[value].where(~d["_missing"], 1.0).astype(float)
    names = _labels(d[label])
    bar = dict(
        type="bar", x=shown.to_numpy(), y=names, orientation="h",
        marker=dict(color=[theme.NOT_REPORTED if m else theme.MAIN for m in gone],
                    pattern=dict(shape=["/" if m else "" for m in gone])),
        text=[labels.NOT_REPORTED if m else vn.percent(v) for m, v in zip(gone, d[value].tolist())],
        textposition="inside", insidetextanchor="end", textangle=0, textfont=dict(color="white"),
        hovertemplate="%{y}: %{text}<extra></extra>")
    bars = [bar]
    extra: dict = {"xaxis": dict(range=[0, 1.05], tickformat=".0%")}
    if paper:
        # the gaps a trace of their own, their words at the bar's start: at its end they sat under
        # the reference line; one row a unit, in the order above, the two traces overlaid
        kept = ~d["_missing"].to_numpy(dtype=bool)
        bar.update(x=bar["x"][kept], y=names[kept], text=[t for t, k in zip(bar["text"], kept) if k],
                   marker=dict(color=theme.MAIN), textfont=dict(color=theme.WHITE))
        if not kept.all():
            bars.append(_gap_bars(names[~kept].tolist(), paper=True))
        extra.update(barmode="overlay", showlegend=False, yaxis=dict(categoryorder="array", categoryarray=names.tolist()))
    if reference is not None and not _missing(reference):
        # what fig.add_vline draws: a dashed line over the plot's height, its label on top
        extra["shapes"] = [dict(type="line", x0=reference, x1=reference, xref="x", y0=0, y1=1, yref="y domain",
                                line=dict(color=theme.SECOND, dash="dash"))]
        # the label beside the line, on the side with room (centred, it ran off a chart's edge)
        extra["annotations"] = [dict(text=f"{reference_name}: {vn.percent(reference)}", x=reference, xref="x",
                                     xanchor="right" if reference > 0.5 else "left", y=1, yref="y domain", yanchor="bottom", showarrow=False)]
    return figure(bars, big=big, paper=paper, title=title, extra=extra, layout=layout,
                  height=height(len(d), big, max(320, 34 * len(d) + 80), paper=paper))


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
    # big type: the words fit a cell on two lines
    gap = labels.NOT_REPORTED.replace(" ", "<br>", 1) if big else labels.NOT_REPORTED
    texts = [[gap if _missing(v) else vn.percent(v, 0) for v in r] for r in grid.to_numpy().tolist()]
    if notes is not None:
        given = df[df[notes].notna() & (df[notes] != "")].set_index([row, column])[notes].to_dict()
        texts = [[given.get((r, c), t) for c, t in zip(grid.columns, line)] for r, line in zip(grid.index, texts)]
    cells = dict(
        type="heatmap", z=grid.to_numpy(dtype=float), x=[column_labels(c) for c in grid.columns],
        y=list(grid.index), text=_grid(texts), zmin=0, zmax=1, colorscale=theme.SHARE_SCALE,
        colorbar=dict(tickformat=".0%", title=dict(text="")), hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        xgap=2, ygap=2)
    if grid.shape[1] <= 12:
        cells["texttemplate"] = "%{text}"
    return figure([cells], big=big, title=title, height=height(len(grid), big, max(360, 30 * len(grid) + 120), heat=True),
                  extra={"plot_bgcolor": theme.NOT_REPORTED, "xaxis": dict(side="top", gridcolor=theme.NOT_REPORTED),
                         "yaxis": dict(gridcolor=theme.NOT_REPORTED)}, layout=layout)


def quality_stack(df: pd.DataFrame, *, label: str, title: str | None = None, order: str = "best",
                  most: int | None = None, big: bool = False, paper: bool = False, horizontal: bool = True,
                  layout: dict | None = None) -> go.Figure:
    """Tốt / Khá / Trung bình / Kém shares stacked per unit (or per month); units best on top by
    'khá trở lên', then by 'tốt' (the order of the page's ranking; `order`, `most`: see `ranked`)."""
    d = df
    if horizontal:
        d = ranked(d, order, *QUALITY_ORDER, most=most).iloc[::-1]
    names = _labels(d[label])
    orientation = "h" if horizontal else "v"
    traces = []
    for level, color in theme.QUALITY.items():
        share = d[f"{level}_share"].astype(float).to_numpy()
        traces.append(dict(
            type="bar", name=labels.QUALITY[level], marker=dict(color=color),
            x=share if horizontal else names, y=names if horizontal else share,
            orientation=orientation, customdata=d[level].to_numpy(),
            text=[vn.percent(v, 0) if not _missing(v) and v >= 0.06 else "" for v in share.tolist()],
            textposition="inside", textangle=0, hovertemplate=f"{labels.QUALITY[level]}: %{{customdata}} (%{{text}})<extra></extra>"))
    gone = [name for name, rated in zip(names.tolist(), d["rated"].tolist()) if _missing(rated) or rated == 0]
    if gone:
        traces.append(_gap_bars(gone, paper=paper, horizontal=horizontal))
    axis = dict(range=[0, 1.0001], tickformat=".0%")
    # the legend reads Tốt … Kém as the bars do from the left (plotly reverses a stack's legend)
    return figure(traces, big=big, paper=paper, title=title, layout=layout,
                  extra={"barmode": "stack", "xaxis" if horizontal else "yaxis": axis, "legend": {"traceorder": "normal"}},
                  height=height(len(d), big, max(340, 30 * len(d) + 100), paper=paper) if horizontal else None)


def progress_bars(df: pd.DataFrame, *, label: str, done: str, target: str, pace: str, reported: str | None = None,
                  title: str | None = None, rank: str | None = None, order: str = "best", most: int | None = None,
                  big: bool = False, paper: bool = False, layout: dict | None = None) -> go.Figure:
    """Admitted against the annual target per unit, most admitted on top, with the on-track pace
    marked; with `rank` (e.g. the share of the target) ranked by that column instead (`order`,
    `most`: see `ranked`). With `reported` (a yes/no column), a unit without a report or without
    a target says so after its name rather than showing a 0."""
    if rank is None and order == "best" and most is None:
        d = df.sort_values(done, ascending=True)  # rows without a figure last: on top
    else:
        d = ranked(df, order, rank or done, most=most).iloc[::-1]
    names = d[label].astype(object)
    if reported is not None:
        names = [f"{n} ({labels.NOT_REPORTED.lower()})" if _missing(r) or not r else
                 f"{n} ({labels.NO_TARGET.lower()})" if _missing(t) else n
                 for n, r, t in zip(names, d[reported].tolist(), d[target].tolist())]
    names = _labels(names)
    traces = [
        dict(type="bar", name="Chỉ tiêu năm", y=names, x=d[target].to_numpy(), orientation="h",
             marker=dict(color=theme.TRACK), hovertemplate="%{y}: chỉ tiêu %{x}<extra></extra>"),
        dict(type="bar", name="Đã kết nạp", y=names, x=d[done].to_numpy(), orientation="h", marker=dict(color=theme.MAIN),
             hovertemplate="%{y}: đã kết nạp %{x}<extra></extra>"),
        dict(type="scatter", name="Tiến độ cần đạt", y=names, x=d[pace].to_numpy(), mode="markers",
             marker=dict(symbol="line-ns-open", size=26 if big else 18, color=theme.SECOND, line=dict(width=3)),
             hovertemplate="%{y}: cần đạt %{x:.1f}<extra></extra>"),
    ]
    # "admitted/target" past the longer of the two bars: the pace mark (never past the target)
    # sat on a label written at the end of the admitted bar
    ends = np.fmax(d[done].astype(float).to_numpy(), d[target].astype(float).to_numpy())
    traces.append(dict(type="scatter", name="Đã kết nạp/chỉ tiêu", y=names, x=ends, mode="text",
                       text=[vn.ratio(a, t, missing=vn.number(a)) for a, t in zip(d[done].tolist(), d[target].tolist())],
                       textposition="middle right", cliponaxis=False, showlegend=False, hoverinfo="skip"))
    extra = {"barmode": "overlay", "yaxis": dict(range=[-0.5, len(d) - 0.5])}  # the markers padded it by rows
    top = max((e for e in ends.tolist() if not math.isnan(e)), default=0)
    if top > 0:
        extra["xaxis"] = dict(range=[0, top * (1.18 if big else 1.14)])  # room for the labels
    return figure(traces, big=big, paper=paper, title=title, extra=extra,
                  height=height(len(d), big, max(340, 30 * len(d) + 100), paper=paper), layout=layout)


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
                  height=height(len(df), big, max(340, 30 * len(df) + 100)) if horizontal else None, layout=layout)


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
                       marker=dict(symbol="diamond", size=16 if big else 11, color=theme.INK,
                                   line=dict(color=theme.WHITE, width=1.5)),
                       hovertemplate=f"%{{x}} · {name}: %{{text}}<extra></extra>"))
    # the axis counts people both ways: "2" below zero, not "−2"
    top = df[list(up)].fillna(0).sum(axis=1).max() if len(df) else 0
    bottom = df[list(down)].fillna(0).sum(axis=1).max() if len(df) else 0
    step = _nice_step(float(top) + float(bottom))
    ticks = [float(v) for v in range(-math.ceil(bottom / step) * step, math.ceil(top / step) * step + 1, step)]
    extra = {"barmode": "relative", "yaxis": dict(zeroline=True, zerolinecolor=theme.MUTED, zerolinewidth=1.5,
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
    heads = [_wrap(text.plotly((column_labels or {}).get(c, str(c))), width) for c in grid.columns]
    z = grid.to_numpy(dtype=float)
    cells = dict(
        type="heatmap", z=z, x=heads, y=list(grid.index), zmin=0, zmax=max(float(z.max()) if z.size else 1.0, 1.0),
        text=_grid([[vn.number(v) if v else "" for v in r] for r in z.tolist()]), texttemplate="%{text}",
        colorscale=[[0, theme.WHITE], [0.001, theme.COUNT_LOW], [1, theme.MAIN]], showscale=False,
        hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", xgap=2, ygap=2)
    rows = max((head.count("<br>") + 1 for head in heads), default=1)
    top = (22 if big else 14) * 1.3 * rows + (70 if title else 20)  # the labels sit above the grid
    extra: dict = {"plot_bgcolor": theme.GRID, "margin": dict(t=int(top)), "xaxis": dict(side="top", tickangle=0)}
    return figure([cells], big=big, title=title, extra=extra, layout=layout,
                  height=max(360, 32 * len(grid) + 40 + int(top)) if not big else max(BIG_HEIGHT, big_height(len(grid)) + int(top)))


def _wrap(label: str, width: int = 15) -> str:
    """A long label on several lines (plotly breaks lines only at <br>)."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])
