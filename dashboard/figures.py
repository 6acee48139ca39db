"""Figure builders: pure functions from a tidy DataFrame to a Plotly figure (no Dash here)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme


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
    Withheld values are gaps in the line with an ``x`` marker on the axis, never zeros.
    ``event_month`` draws a labelled vertical line (e.g. LEAD's start);
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
        if not withheld.empty:
            figure.add_trace(
                go.Scatter(
                    x=withheld["period_start_date"],
                    y=[0] * len(withheld),
                    name=f"{area_name(area)}: withheld",
                    mode="markers",
                    marker={
                        "symbol": "x-thin-open",
                        "size": 9,
                        "color": colour,
                        "line": {"width": 2},
                    },
                    hovertemplate="withheld to protect privacy<extra></extra>",
                )
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
    return figure
