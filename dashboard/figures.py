"""Figure builders: pure functions from a tidy DataFrame to a Plotly figure (no Dash here)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.boundaries import Outline

WITHHELD_TEXT = "withheld"


def trend_figure(
    frame: pd.DataFrame,
    focus_area: str,
    value_label: str,
    area_name: Callable[[str], str],
    event_month: pd.Timestamp | None = None,
    event_label: str = "",
    reference_value: float | None = None,
) -> go.Figure:
    """Lines over time, one per area, the focus area drawn first and thickest.

    ``frame`` has ``area``, ``period_start_date``, ``value`` and ``is_suppressed``.
    Withheld values are gaps in the line with a ✕ above the axis (never at zero).
    ``event_month`` draws a labeled vertical line (e.g. LEAD's start);
    ``reference_value`` a dotted horizontal line (e.g. index = 100).
    """
    theme.register()
    figure = go.Figure()
    areas = sorted(frame["area"].unique(), key=lambda a: (a != focus_area, a))
    for position, area in enumerate(areas):
        series = frame[frame["area"] == area].sort_values("period_start_date")
        is_focus = area == focus_area
        colour = theme.SERIES_COLOURS[position % len(theme.SERIES_COLOURS)]
        values = series["value"].where(~series["is_suppressed"].astype(bool))
        figure.add_trace(
            go.Scatter(
                x=series["period_start_date"],
                y=values,
                name=area_name(area),
                mode="lines",
                connectgaps=False,
                line={
                    "color": colour,
                    "width": theme.FOCUS_LINE_WIDTH if is_focus else theme.OTHER_LINE_WIDTH,
                    "dash": theme.SERIES_DASHES[position % len(theme.SERIES_DASHES)],
                },
                hovertemplate=f"%{{y:,.1f}} {value_label}<extra>{area_name(area)}</extra>",
            )
        )
        withheld = series[series["is_suppressed"].astype(bool)]
        add_withheld_markers(
            figure, list(withheld["period_start_date"]), colour, f"{area_name(area)}: withheld"
        )
    if reference_value is not None:
        figure.add_hline(
            y=reference_value, line={"color": theme.MUTED_COLOUR, "dash": "dot", "width": 1}
        )
    if event_month is not None and not frame.empty:
        figure.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=event_month,
            x1=event_month,
            y0=0,
            y1=1,
            line={"color": theme.EVENT_COLOUR, "width": 1.5, "dash": "dash"},
        )
        figure.add_annotation(
            x=event_month,
            y=1,
            xref="x",
            yref="paper",
            text=event_label,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=4,
            font={"color": theme.EVENT_COLOUR, "size": 13},
            bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        yaxis_title=value_label,
        height=420,
    )
    # At most six dates, never rotated: months on two lines ("Jan<br>2018"), years alone.
    figure.update_xaxes(
        nticks=6,
        tickangle=0,
        tickformatstops=[
            {"dtickrange": [None, "M12"], "value": "%b<br>%Y"},
            {"dtickrange": ["M12", None], "value": "%Y"},
        ],
    )
    end_axis_at_data(figure, frame)
    return figure


def end_axis_at_data(figure: go.Figure, frame: pd.DataFrame) -> None:
    """The time axis runs from the first to the last period with a figure (shown or
    withheld), never past the data (e.g. to a shape or another file's later months)."""
    dated = frame[frame["value"].notna() | frame["is_suppressed"].astype(bool)]
    if dated.empty:
        return
    first, last = dated["period_start_date"].min(), dated["period_start_date"].max()
    if first != last:
        figure.update_xaxes(range=[first, last])


WITHHELD_AXIS = "y9"  # an invisible 0-1 axis over the plot, for markers above the x axis
WITHHELD_HEIGHT = 0.06  # how far above the x axis, as a share of the plot's height


def add_withheld_markers(
    figure: go.Figure,
    xs: Sequence[object],
    colour: str,
    name: str,
    showlegend: bool = True,
) -> None:
    """Mark withheld values: a ✕ just above the x axis, labeled "withheld" at the first of
    each run of them, on an axis of its own, so a withheld value is never drawn as zero
    (or as any value) on the chart's scale. The series itself keeps a gap there."""
    if not xs:
        return
    # Labeled once per chart: a label per series would print "withheld" over "withheld"
    # where several series are withheld in the same period.
    labeled = any(WITHHELD_TEXT in list(trace.text or ()) for trace in figure.data)
    texts = [WITHHELD_TEXT if i == 0 and not labeled else "" for i in range(len(xs))]
    figure.add_trace(
        go.Scatter(
            x=list(xs),
            y=[WITHHELD_HEIGHT] * len(xs),
            yaxis=WITHHELD_AXIS,
            name=name,
            mode="markers+text",
            text=texts,
            textposition="top center",
            textfont={"size": 12, "color": theme.MUTED_COLOUR},
            marker={"symbol": "x-thin-open", "size": 10, "color": colour, "line": {"width": 2}},
            hovertemplate="withheld to protect privacy<extra></extra>",
            showlegend=showlegend,
            cliponaxis=False,
        )
    )
    figure.update_layout(
        {
            "yaxis9": {
                "overlaying": "y",
                "range": [0, 1],
                "visible": False,
                "fixedrange": True,
            }
        }
    )


def category_bars_figure(
    frame: pd.DataFrame,
    category_column: str,
    category_name: Callable[[str], str],
    value_label: str,
    x_label: Callable[[pd.Timestamp], str],
    stacked: bool = True,
) -> go.Figure:
    """Bars over time (one color per category, stacked), withheld values marked ✕ on the axis.

    ``frame`` has ``period_start_date``, ``value``, ``is_suppressed`` and ``category_column``.
    """
    theme.register()
    figure = go.Figure()
    periods = sorted(frame["period_start_date"].unique())
    labels = [x_label(pd.Timestamp(p)) for p in periods]
    for position, category in enumerate(sorted(frame[category_column].unique())):
        series = frame[frame[category_column] == category].set_index("period_start_date")
        series = series.reindex(periods)
        colour = theme.SERIES_COLOURS[position % len(theme.SERIES_COLOURS)]
        withheld = series["is_suppressed"].fillna(False).astype(bool)
        # A period with no row for this category had none of it: 0, so stacks stay whole
        # (withheld values stay gaps, marked below).
        absent = series["is_suppressed"].isna()
        figure.add_trace(
            go.Bar(
                x=labels,
                y=series["value"].mask(absent, 0.0).where(~withheld),
                name=category_name(category),
                marker={
                    "color": colour,
                    "pattern": {
                        "shape": theme.SERIES_PATTERNS[position % len(theme.SERIES_PATTERNS)]
                    },
                },
                hovertemplate=f"%{{y:,.0f}} {value_label}<extra>{category_name(category)}</extra>",
            )
        )
        add_withheld_markers(
            figure,
            [label for label, w in zip(labels, withheld, strict=True) if w],
            colour,
            f"{category_name(category)}: withheld",
            showlegend=False,
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        barmode="stack" if stacked else "group",
        yaxis_title=value_label,
        height=400,
        hovermode="x unified",
    )
    theme.thin_ticks(figure, labels)
    return figure


def cohort_share_figure(
    frame: pd.DataFrame, category_name: Callable[[str], str], cohort_name: Callable[[str], str]
) -> go.Figure:
    """Horizontal grouped bars: share of each cohort per category; withheld shares shown as
    gaps with a ✕ and the word "withheld" in the hover text.

    ``frame`` has ``cohort``, ``category``, ``value`` (percent) and ``is_suppressed``.
    """
    theme.register()
    figure = go.Figure()
    categories = sorted(frame["category"].unique())
    for position, cohort in enumerate(["lead", "control"]):
        rows = frame[frame["cohort"] == cohort].set_index("category").reindex(categories)
        withheld = rows["is_suppressed"].fillna(True).astype(bool)
        colour = theme.SERIES_COLOURS[position]
        figure.add_trace(
            go.Bar(
                y=[category_name(c) for c in categories],
                x=rows["value"].where(~withheld),
                orientation="h",
                name=cohort_name(cohort),
                marker={"color": colour, "pattern": {"shape": theme.SERIES_PATTERNS[position]}},
                text=[
                    ("withheld" if w else f"{v:.0f}%")
                    for v, w in zip(rows["value"], withheld, strict=True)
                ],
                textposition="outside",
                hovertemplate=f"%{{x:.1f}}%<extra>{cohort_name(cohort)}</extra>",
            )
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        barmode="group",
        xaxis_title="percent of group",
        xaxis_rangemode="tozero",
        height=max(280, 70 * len(categories) + 80),
        hovermode="y unified",
    )
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def category_totals_figure(
    frame: pd.DataFrame, category_name: Callable[[str], str], value_label: str
) -> go.Figure:
    """One horizontal bar per category (e.g. exit reason); withheld ones labeled so.

    ``frame`` has ``category``, ``value`` and ``is_suppressed``.
    """
    theme.register()
    ordered = frame.sort_values("category")
    withheld = ordered["is_suppressed"].astype(bool)
    figure = go.Figure(
        go.Bar(
            y=[category_name(str(c)) for c in ordered["category"]],
            x=ordered["value"].where(~withheld),
            orientation="h",
            marker={"color": theme.SERIES_COLOURS[0]},
            text=[
                "withheld" if w else f"{v:,.0f}"
                for v, w in zip(ordered["value"], withheld, strict=True)
            ],
            textposition="outside",
            hovertemplate=f"%{{x:,.0f}} {value_label}<extra></extra>",
        )
    )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        xaxis_title=value_label,
        height=max(260, 48 * len(ordered) + 100),
        hovermode="y unified",
        showlegend=False,
    )
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says why it is blank (never zeros standing in for no data)."""
    theme.register()
    figure = go.Figure()
    figure.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": theme.TEXT_COLOUR},
    )
    figure.update_layout(
        template=theme.TEMPLATE_NAME, height=300, xaxis={"visible": False}, yaxis={"visible": False}
    )
    return figure


def grid_map_figure(
    frame: pd.DataFrame, value_label: str, outline: Outline | None = None
) -> go.Figure:
    """Grid cells as squares at their centers, sized and shaded by count, inside the area's
    outline when one is given; no map tiles (nothing is fetched from a third party), equal
    distances on both axes.

    ``frame`` has ``cell_latitude``, ``cell_longitude``, ``value`` and ``is_suppressed``.
    """
    theme.register()
    shown = frame[~frame["is_suppressed"].astype(bool)]
    withheld = frame[frame["is_suppressed"].astype(bool)]
    figure = go.Figure()
    if outline is not None:
        figure.add_trace(
            go.Scatter(
                x=outline.longitudes,
                y=outline.latitudes,
                mode="lines",
                line={"color": theme.TEXT_COLOUR, "width": 2, "dash": "dash"},
                name=f"{outline.mcpp.title()} boundary (SPD MCPP area)",
                hoverinfo="skip",
            )
        )
    if not shown.empty:
        # Each cell is drawn as a square in map units (it shrinks with the chart, so cells
        # never overlap on a phone), shaded by its count; the count is printed in it.
        largest = float(shown["value"].max())
        half_lat, half_lon = (0.45 * step for step in _cell_steps(frame))
        for lat, lon, value in zip(
            shown["cell_latitude"], shown["cell_longitude"], shown["value"], strict=True
        ):
            figure.add_shape(
                type="rect",
                x0=float(lon) - half_lon,
                x1=float(lon) + half_lon,
                y0=float(lat) - half_lat,
                y1=float(lat) + half_lat,
                line={"width": 0},
                fillcolor=theme.SERIES_COLOURS[0],
                opacity=0.15 + 0.7 * float(value) / largest,
                layer="below",
            )
        figure.add_trace(
            go.Scatter(
                x=shown["cell_longitude"],
                y=shown["cell_latitude"],
                mode="markers+text",
                text=[f"{v:,.0f}" for v in shown["value"]],
                textposition="middle center",
                # Black: at most 0.85 opacity of the blue, it keeps 5.3:1 contrast or more.
                textfont={"size": 12, "color": "#000000"},
                marker={"symbol": "square", "size": 16, "opacity": 0},
                name=value_label,
                showlegend=False,
                # assets/map-labels.js shows the counts only where they fit in their cells.
                meta={"grid_cells": True, "cell_longitude_step": _cell_steps(frame)[1]},
                hovertemplate=(
                    f"%{{text}} {value_label}<extra>cell center %{{y:.4f}}, %{{x:.4f}}</extra>"
                ),
            )
        )
    if not withheld.empty:
        figure.add_trace(
            go.Scatter(
                x=withheld["cell_longitude"],
                y=withheld["cell_latitude"],
                mode="markers",
                marker={
                    "symbol": "square-open",
                    "size": 18,
                    "color": theme.MUTED_COLOUR,
                    "line": {"width": 2},
                },
                name="withheld (few reports)",
                hovertemplate="withheld: too few reports<extra></extra>",
            )
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        height=520,
        hovermode="closest",
        # Equal scales shrink the plot area, never widen the map's extent (no empty sea).
        xaxis={
            "title": "longitude",
            "showgrid": True,
            "gridcolor": theme.GRID_COLOUR,
            "constrain": "domain",
            "nticks": 3,  # a phone's width holds three longitudes side by side
            "tickangle": 0,
            "automargin": False,
        },
        yaxis={
            "constrain": "domain",
            "scaleanchor": "x",
            # One degree of longitude is shorter than one of latitude here (cos 47.6°).
            "scaleratio": 1 / math.cos(math.radians(47.6)),
            "rangemode": "normal",
            # Fixed margins, no automargin: with equal scales, Plotly's margin pushing can
            # settle on a squeezed plot (seen on phones).
            "automargin": False,
            "title": {"text": "latitude", "standoff": 8},
        },
        margin={"l": 78, "r": 16, "t": 72, "b": 56},
    )
    return figure


def _cell_steps(frame: pd.DataFrame) -> tuple[float, float]:
    """(latitude, longitude) spacing of the grid, from the cell centers (the smallest gap
    between distinct centers); about 0.002 by 0.003 degrees where there is only one."""
    steps = []
    for column, fallback in (("cell_latitude", 0.002), ("cell_longitude", 0.003)):
        values = sorted({round(float(v), 6) for v in frame[column]})
        gaps = [b - a for a, b in zip(values, values[1:], strict=False) if b - a > 1e-6]
        steps.append(min(gaps) if gaps else fallback)
    return steps[0], steps[1]


def period_line_figure(
    frame: pd.DataFrame,
    value_label: str,
    x_label: Callable[[pd.Timestamp], str],
    references: dict[str, float] | None = None,
) -> go.Figure:
    """One line over periods (``period_start_date``, ``value``, ``is_suppressed``), withheld
    points as gaps, with optional dotted reference levels (label -> value)."""
    theme.register()
    rows = frame.sort_values("period_start_date")
    withheld = rows["is_suppressed"].astype(bool)
    labels = [x_label(pd.Timestamp(p)) for p in rows["period_start_date"]]
    figure = go.Figure(
        go.Scatter(
            x=labels,
            y=rows["value"].where(~withheld),
            mode="lines+markers",
            name=value_label,
            line={"color": theme.SERIES_COLOURS[0], "width": 3},
            hovertemplate=f"%{{y:,.0f}} {value_label}<extra></extra>",
        )
    )
    for position, (label, level) in enumerate((references or {}).items()):
        figure.add_hline(
            y=level,
            line={"dash": "dot", "color": theme.MUTED_COLOUR},
            annotation_text=theme.wrapped(label, 24),
            annotation_position="top right" if position % 2 == 0 else "bottom right",
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        yaxis_title=theme.wrapped(value_label),
        showlegend=False,
    )
    theme.thin_ticks(figure, labels)
    return figure
