"""Chart builders and the one colour scheme of the dashboard (plotly.graph_objects: an order of
magnitude faster to build than plotly.express).

Every builder takes a tidy DataFrame from the indicator layer and returns a go.Figure; it never
computes an indicator. Units with no report are drawn in NOT_REPORTED_COLOR and labelled
"Chưa báo cáo", never as 0. `big=True` is the presentation-mode variant (large type).
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from etl import vnformat as vn
from etl.forms.spec import QUALITY_LABELS

QUALITY_COLORS = {"tot": "#1b7f3b", "kha": "#7cb342", "trung_binh": "#f9a825", "kem": "#c62828"}
NOT_REPORTED_COLOR = "#b0b7bf"
MAIN = "#b71c1c"  # party red: the main series
SECOND = "#1f5fa8"  # targets, paces, comparisons
GOOD, LATE = "#1b7f3b", "#ef6c00"
NOT_REPORTED = "Chưa báo cáo"
FONT = "Be Vietnam Pro, Segoe UI, Roboto, Arial, sans-serif"


def base(fig: go.Figure, *, big: bool = False, height: int | None = None, title: str | None = None) -> go.Figure:
    size = 22 if big else 13
    fig.update_layout(
        font=dict(family=FONT, size=size, color="#212529"),
        title=dict(text=title, font=dict(size=size + 6)) if title else None,
        height=height or (620 if big else 420),
        margin=dict(l=10, r=30, t=60 if title else 20, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        separators=",.",  # Vietnamese: decimal comma, thousands dot
        hoverlabel=dict(font_size=size),
    )
    fig.update_xaxes(gridcolor="#e9ecef", zeroline=False)
    fig.update_yaxes(gridcolor="#e9ecef", zeroline=False)
    if big:  # Streamlit's chart theme draws axis labels and legend small and grey: too faint on a projector
        ink = dict(size=size - 2, color="#212529")
        fig.update_xaxes(tickfont=ink, title_font=ink)
        fig.update_yaxes(tickfont=ink, title_font=ink)
        # room above the plot for the bigger title, legend and reference-line labels
        fig.update_layout(legend_font=ink, margin_t=120 if title else 70)
        fig.update_traces(textfont_size=size - 4, selector=dict(type="heatmap"))  # cell labels
    return fig


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def rate_bars(df: pd.DataFrame, *, label: str, value: str, title: str | None = None, reference: float | None = None,
              reference_name: str = "Toàn Đảng bộ", big: bool = False) -> go.Figure:
    """Horizontal bars of a 0..1 share per unit, best on top; unreported units in grey, labelled."""
    d = df[[label, value]].copy()
    d["_missing"] = d[value].map(_missing)
    d = d.sort_values([ "_missing", value], ascending=[False, True], na_position="first")
    shown = d[value].where(~d["_missing"], 1.0).astype(float)
    colors = [NOT_REPORTED_COLOR if m else MAIN for m in d["_missing"]]
    text = [NOT_REPORTED if m else vn.percent(v) for m, v in zip(d["_missing"], d[value])]
    fig = go.Figure(go.Bar(
        x=shown, y=d[label], orientation="h", marker_color=colors, text=text, textposition="inside",
        insidetextanchor="end", textfont=dict(color="white"), hovertemplate="%{y}: %{text}<extra></extra>",
        marker_pattern_shape=["/" if m else "" for m in d["_missing"]]))
    if reference is not None and not _missing(reference):
        fig.add_vline(x=reference, line_dash="dash", line_color=SECOND,
                      annotation_text=f"{reference_name}: {vn.percent(reference)}", annotation_position="top")
    fig.update_xaxes(range=[0, 1.05], tickformat=".0%")
    return base(fig, big=big, title=title, height=max(320, 34 * len(d) + 80) if not big else None)


def heatmap(df: pd.DataFrame, *, row: str, column: str, value: str, title: str | None = None,
            column_labels=vn.month_short, big: bool = False, notes: str | None = None) -> go.Figure:
    """Unit × month grid of a share; cells without a report stay grey (the plot background).
    `notes` names a column of cell texts that replace the default where not empty (e.g. "Không
    ghi ngày" for a reported month whose share cannot be computed, so it is not "Chưa báo cáo")."""
    grid = df.pivot_table(index=row, columns=column, values=value, aggfunc="first", dropna=False)
    grid = grid.sort_index(ascending=False)
    missing = "Chưa<br>báo cáo" if big else NOT_REPORTED  # big type: the words fit a cell on two lines
    text = [[missing if _missing(v) else vn.percent(v, 0) for v in r] for r in grid.to_numpy().tolist()]
    if notes is not None:
        given = df[df[notes].notna() & (df[notes] != "")].set_index([row, column])[notes].to_dict()
        text = [[given.get((r, c), t) for c, t in zip(grid.columns, line)] for r, line in zip(grid.index, text)]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=[column_labels(c) for c in grid.columns], y=list(grid.index),
        text=text, texttemplate="%{text}" if grid.shape[1] <= 12 else None, zmin=0, zmax=1,
        colorscale=[[0, "#c62828"], [0.5, "#f9a825"], [0.8, "#9ccc65"], [1, "#1b7f3b"]],
        colorbar=dict(tickformat=".0%", title=""), hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        xgap=2, ygap=2))
    fig.update_layout(plot_bgcolor=NOT_REPORTED_COLOR)
    base(fig, big=big, title=title, height=max(360, 30 * len(grid) + 120) if not big else None)
    fig.update_layout(plot_bgcolor=NOT_REPORTED_COLOR)
    fig.update_xaxes(side="top", gridcolor=NOT_REPORTED_COLOR)
    fig.update_yaxes(gridcolor=NOT_REPORTED_COLOR)
    return fig


def quality_stack(df: pd.DataFrame, *, label: str, title: str | None = None, big: bool = False,
                  horizontal: bool = True) -> go.Figure:
    """Tốt / Khá / Trung bình / Kém shares stacked per unit (or per month), sorted by 'khá trở lên'."""
    d = df.copy()
    if horizontal:
        d = d.sort_values("kha_tro_len_share", ascending=True, na_position="first")
    fig = go.Figure()
    for level, color in QUALITY_COLORS.items():
        share = d[f"{level}_share"].astype(float)
        fig.add_bar(
            name=QUALITY_LABELS[level], marker_color=color,
            x=share if horizontal else d[label], y=d[label] if horizontal else share,
            orientation="h" if horizontal else "v", customdata=d[level],
            text=[vn.percent(v, 0) if not _missing(v) and v >= 0.06 else "" for v in share],
            textposition="inside", hovertemplate=f"{QUALITY_LABELS[level]}: %{{customdata}} (%{{text}})<extra></extra>")
    missing = d[d["rated"].map(lambda v: _missing(v) or v == 0)][label].tolist()
    if missing:
        fig.add_bar(name=NOT_REPORTED, marker_color=NOT_REPORTED_COLOR, marker_pattern_shape="/",
                    x=[1.0] * len(missing) if horizontal else missing, y=missing if horizontal else [1.0] * len(missing),
                    orientation="h" if horizontal else "v", hovertemplate="%{y}: Chưa báo cáo<extra></extra>")
    fig.update_layout(barmode="stack")
    (fig.update_xaxes if horizontal else fig.update_yaxes)(range=[0, 1.0001], tickformat=".0%")
    return base(fig, big=big, title=title, height=max(340, 30 * len(d) + 100) if horizontal and not big else None)


def progress_bars(df: pd.DataFrame, *, label: str, done: str, target: str, pace: str,
                  title: str | None = None, big: bool = False) -> go.Figure:
    """Admitted against the annual target per unit, with the on-track pace marked."""
    d = df.sort_values(done, ascending=True)
    fig = go.Figure()
    fig.add_bar(name="Chỉ tiêu năm", y=d[label], x=d[target], orientation="h", marker_color="#dee2e6",
                hovertemplate="%{y}: chỉ tiêu %{x}<extra></extra>")
    fig.add_bar(name="Đã kết nạp", y=d[label], x=d[done], orientation="h", marker_color=MAIN,
                text=[vn.number(v) for v in d[done]], textposition="outside",
                hovertemplate="%{y}: đã kết nạp %{x}<extra></extra>")
    fig.add_scatter(name="Tiến độ cần đạt", y=d[label], x=d[pace], mode="markers",
                    marker=dict(symbol="line-ns-open", size=26 if big else 18, color=SECOND, line_width=3),
                    hovertemplate="%{y}: cần đạt %{x:.1f}<extra></extra>")
    fig.update_layout(barmode="overlay")
    # the pace markers would pad the category axis by several rows (blank bands top and bottom)
    fig.update_yaxes(range=[-0.5, len(d) - 0.5])
    return base(fig, big=big, title=title, height=max(340, 30 * len(d) + 100) if not big else None)


def lines(df: pd.DataFrame, *, x: str, series: dict[str, tuple[str, str]], title: str | None = None,
          percent: bool = False, big: bool = False, dash: tuple[str, ...] = ()) -> go.Figure:
    """One line per column: series = {column: (legend label, colour)}."""
    fig = go.Figure()
    for col, (name, color) in series.items():
        fig.add_scatter(x=[vn.month_short(p) for p in df[x]], y=df[col], name=name, mode="lines+markers",
                        line=dict(color=color, width=4 if big else 2.5, dash="dash" if col in dash else "solid"),
                        connectgaps=False)
    if percent:
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return base(fig, big=big, title=title)


def bars(df: pd.DataFrame, *, x: str, series: dict[str, tuple[str, str]], title: str | None = None,
         big: bool = False, stacked: bool = False, horizontal: bool = False) -> go.Figure:
    """Grouped (or stacked) bars of counts: series = {column: (legend label, colour)}."""
    fig = go.Figure()
    for col, (name, color) in series.items():
        values = df[col]
        fig.add_bar(name=name, marker_color=color, orientation="h" if horizontal else "v",
                    x=values if horizontal else df[x], y=df[x] if horizontal else values,
                    text=[vn.number(v, missing="") for v in values], textposition="auto")
    fig.update_layout(barmode="stack" if stacked else "group")
    return base(fig, big=big, title=title,
                height=max(340, 30 * len(df) + 100) if horizontal and not big else None)


def count_heatmap(df: pd.DataFrame, *, row: str, column: str, value: str, column_labels: dict | None = None,
                  title: str | None = None, big: bool = False) -> go.Figure:
    """Unit × category grid of counts (e.g. inspection findings); a zero stays white and blank,
    so the cells that need attention stand out. Long column labels are wrapped."""
    grid = df.pivot_table(index=row, columns=column, values=value, aggfunc="sum", fill_value=0)
    grid = grid.sort_index(ascending=False)
    labels = [_wrap((column_labels or {}).get(c, str(c))) for c in grid.columns]
    z = grid.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=list(grid.index), zmin=0, zmax=max(float(z.max()) if z.size else 1.0, 1.0),
        text=[[vn.number(v) if v else "" for v in r] for r in z.tolist()], texttemplate="%{text}",
        colorscale=[[0, "#ffffff"], [0.001, "#fde0dc"], [1, MAIN]], showscale=False,
        hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", xgap=2, ygap=2))
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    top = (22 if big else 14) * 1.3 * lines + (70 if title else 20)  # the labels sit above the grid
    base(fig, big=big, title=title, height=max(360, 32 * len(grid) + 40 + int(top)) if not big else None)
    fig.update_layout(plot_bgcolor="#e9ecef", margin_t=int(top))
    if title:
        fig.update_layout(title=dict(yref="container", y=1, yanchor="top", pad=dict(t=12)))
    fig.update_xaxes(side="top", tickangle=0)
    return fig


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
