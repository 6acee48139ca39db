"""Figure builders for estimates with 95% intervals: bars, bands and the event study
(forest, balance and false-start charts are in :mod:`dashboard.row_figures`).

Pure functions from a tidy DataFrame to a Plotly figure (no Dash here), on the one site
template (:mod:`dashboard.theme`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.row_figures import ratio_axis


def interval_bars_figure(
    frame: pd.DataFrame,
    x_column: str,
    series_column: str,
    x_name: Callable[[str], str],
    series_name: Callable[[str], str],
    value_label: str,
) -> go.Figure:
    """Grouped bars with 95% interval whiskers (e.g. before/after x LEAD/comparison).

    ``frame`` has the two columns named, ``value``, ``lower_bound``, ``upper_bound`` and
    ``is_suppressed``; withheld bars are left out and labeled "withheld".
    """
    theme.register()
    figure = go.Figure()
    xs = list(dict.fromkeys(frame[x_column]))
    for position, series in enumerate(dict.fromkeys(frame[series_column])):
        rows = frame[frame[series_column] == series].set_index(x_column).reindex(xs)
        withheld = rows["is_suppressed"].fillna(True).astype(bool)
        values = rows["value"].where(~withheld)
        figure.add_trace(
            go.Bar(
                x=[theme.wrapped(x_name(str(x)), 14) for x in xs],
                y=values,
                name=series_name(str(series)),
                marker={
                    "color": theme.SERIES_COLOURS[position % len(theme.SERIES_COLOURS)],
                    "pattern": {
                        "shape": theme.SERIES_PATTERNS[position % len(theme.SERIES_PATTERNS)]
                    },
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (rows["upper_bound"] - rows["value"]).where(~withheld),
                    "arrayminus": (rows["value"] - rows["lower_bound"]).where(~withheld),
                    "color": theme.TEXT_COLOUR,
                    "thickness": 1.5,
                    "width": 6,
                },
                text=["withheld" if w else "" for w in withheld],
                textposition="outside",
                customdata=list(zip(rows["lower_bound"], rows["upper_bound"], strict=True)),
                hovertemplate=(
                    f"%{{y:,.1f}} {value_label} (95% CI %{{customdata[0]:,.1f}} to "
                    f"%{{customdata[1]:,.1f}})<extra>{series_name(str(series))}</extra>"
                ),
            )
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        barmode="group",
        yaxis_title=theme.wrapped(value_label),
        height=400,
        hovermode="closest",
    )
    return figure


def band_lines_figure(
    frame: pd.DataFrame,
    x_column: str,
    series_column: str,
    series_name: Callable[[str], str],
    x_title: str,
    value_label: str,
    step: bool = False,
) -> go.Figure:
    """Lines with shaded 95% bands, one per series (KM curves, monthly shares).

    ``frame`` has ``x_column`` (numbers), ``series_column``, ``value``, ``lower_bound``,
    ``upper_bound`` and ``is_suppressed``; withheld points are gaps.
    """
    theme.register()
    figure = go.Figure()
    shape = "hv" if step else "linear"
    for position, series in enumerate(dict.fromkeys(frame[series_column])):
        rows = frame[frame[series_column] == series].sort_values(x_column)
        withheld = rows["is_suppressed"].astype(bool)
        colour = theme.SERIES_COLOURS[position % len(theme.SERIES_COLOURS)]
        band = theme.band_colour(colour)
        figure.add_trace(
            go.Scatter(
                x=rows[x_column],
                y=rows["upper_bound"].where(~withheld),
                mode="lines",
                line={"width": 0, "shape": shape},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows[x_column],
                y=rows["lower_bound"].where(~withheld),
                mode="lines",
                line={"width": 0, "shape": shape},
                fill="tonexty",
                fillcolor=band,
                hoverinfo="skip",
                name=f"{series_name(str(series))}: 95% interval",
                legendgroup=str(series),
                showlegend=False,  # the shading is named in the chart's subtitle
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows[x_column],
                y=rows["value"].where(~withheld),
                mode="lines+markers",
                name=theme.wrapped(series_name(str(series))),
                legendgroup=str(series),
                line={
                    "color": colour,
                    "width": 3,
                    "dash": theme.SERIES_DASHES[position % len(theme.SERIES_DASHES)],
                    "shape": shape,
                },
                marker={"size": 5},
                hovertemplate=f"%{{y:.1f}} {value_label}<extra>{series_name(str(series))}</extra>",
            )
        )
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        xaxis_title=theme.wrapped(x_title),
        yaxis_title=theme.wrapped(value_label),
        height=420,
        hovermode="x unified",
    )
    return figure


EVENT_STUDY_X_TITLE = "year from October to September (2010–11 = Oct 2010 to Sep 2011)"


def event_study_figure(frame: pd.DataFrame, start_year: str) -> go.Figure:
    """Belltown / comparison ratio by year relative to the year before LEAD (= 1), with 95%
    intervals, one series per comparison area; a line at 1 and a band marking LEAD's start.

    ``frame`` has ``year`` (label), ``comparison``, ``value``, ``lower_bound`` and
    ``upper_bound`` (the reference year has no interval).
    """
    theme.register()
    figure = go.Figure()
    years = list(dict.fromkeys(frame.sort_values("period_start_date")["year"]))
    for position, (comparison, rows) in enumerate(frame.groupby("comparison", sort=True)):
        colour = theme.SERIES_COLOURS[position % len(theme.SERIES_COLOURS)]
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["value"],
                mode="lines+markers",
                name=f"vs {comparison}",
                line={"color": colour, "dash": theme.SERIES_DASHES[position % 4]},
                marker={"size": 9, "color": colour},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": rows["upper_bound"] - rows["value"],
                    "arrayminus": rows["value"] - rows["lower_bound"],
                    "color": colour,
                    "thickness": 1.5,
                    "width": 5,
                },
                hovertemplate="%{x}: %{y:.2f}<extra>vs " + str(comparison) + "</extra>",
            )
        )
    figure.add_hline(y=1, line={"color": theme.MUTED_COLOUR, "dash": "dot", "width": 1.5})
    if start_year in years:
        figure.add_vline(
            x=years.index(start_year) - 0.5,
            line={"color": theme.MUTED_COLOUR, "dash": "dash", "width": 1.5},
        )
        figure.add_annotation(
            x=years.index(start_year) - 0.5, y=1.0, yref="paper", yanchor="bottom",
            xanchor="left", text=" LEAD begins", showarrow=False,
            font={"color": theme.MUTED_COLOUR},
        )  # fmt: skip
    shown = pd.concat([frame["lower_bound"], frame["upper_bound"], frame["value"]])
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        yaxis=ratio_axis(shown, "Belltown / area, year before LEAD = 1"),
        xaxis={"title": theme.wrapped(EVENT_STUDY_X_TITLE, 24),
               "categoryorder": "array", "categoryarray": years},
        height=440,
        hovermode="closest",
        legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"},
    )  # fmt: skip
    theme.thin_ticks(figure, years, most=4)
    return figure
