"""Figures with one row per estimate or characteristic, each row named above it: forest
plots of ratios, covariate balance and false start dates.

Row names sit above their rows (wrapped to a phone's width), never as tick labels: the
plot keeps the chart's full width at 390 px and no name is cut. Pure functions from a
tidy DataFrame to a Plotly figure on the site template (:mod:`dashboard.theme`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme

FOREST_TITLE = "ratio, LEAD vs comparison (log scale; 1 = no difference)"
FOREST_SIDES = ("LEAD lower", "LEAD higher")


WITHHELD_ROW = "withheld to protect privacy"
ROW_WRAP = 34  # characters per line of a row's name: fits a 390 px phone at 14 px
TITLE_WRAP = 32
LINE_PX = 17
SIDE_WRAP = 18  # the direction words either side of 1: two fit side by side on a phone


def forest_figure(
    frame: pd.DataFrame,
    label: Callable[[str], str],
    x_title: str = FOREST_TITLE,
    sides: tuple[str, str] = FOREST_SIDES,
) -> go.Figure:
    """Ratios with 95% intervals on a log scale, a line at 1 (no difference).

    ``frame`` has ``indicator_id``, ``value``, ``lower_bound``, ``upper_bound`` and
    ``is_suppressed``; withheld rows are listed with the word "withheld". ``x_title`` and
    ``sides`` (the words either side of 1) say what the ratio compares: people ("LEAD
    lower"), changes, or areas ("Belltown changed less").
    """
    theme.register()
    rows = frame.reset_index(drop=True)
    withheld = rows["is_suppressed"].astype(bool)
    labels = [
        label(str(i)) + (" (withheld)" if w else "")
        for i, w in zip(rows["indicator_id"], withheld, strict=True)
    ]
    # Each estimate printed as a number, on a line of its own above its marker with the
    # row's name: one row per estimate at any width (a phone, a third of a printed page),
    # and no long axis labels squeezing the plot.
    numbers = [
        WITHHELD_ROW if w else f"{v:.2f} (95% CI {lo:.2f} to {hi:.2f})"
        for v, lo, hi, w in zip(
            rows["value"], rows["lower_bound"], rows["upper_bound"], withheld, strict=True
        )
    ]
    figure = go.Figure(
        go.Scatter(
            x=rows["value"].where(~withheld),
            y=labels,
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": theme.SERIES_COLOURS[0]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (rows["upper_bound"] - rows["value"]).where(~withheld),
                "arrayminus": (rows["value"] - rows["lower_bound"]).where(~withheld),
                "color": theme.SERIES_COLOURS[0],
                "thickness": 2,
                "width": 8,
            },
            customdata=list(zip(rows["lower_bound"], rows["upper_bound"], strict=True)),
            hovertemplate=(
                "%{x:.2f} (95% CI %{customdata[0]:.2f} to %{customdata[1]:.2f})<extra></extra>"
            ),
            showlegend=False,
        )
    )
    figure.add_vline(x=1, line={"color": theme.MUTED_COLOUR, "dash": "dot", "width": 1.5})
    # The two directions sit at the plot's edges, so neither is cut off however close the
    # axis ends to 1 (the dotted line marks 1 itself).
    # Each on lines of its own width: the two never meet on a phone.
    for x, anchor, text in (
        (0, "left", theme.wrapped(f"← {sides[0]}", SIDE_WRAP)),
        (1, "right", theme.wrapped(f"{sides[1]} →", SIDE_WRAP)),
    ):
        figure.add_annotation(
            x=x,
            xref="paper",
            xanchor=anchor,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=text,
            showarrow=False,
            align=anchor,
            font={"color": theme.MUTED_COLOUR},
        )
    shown = rows[~withheld]
    low = min([1.0, *shown["lower_bound"].dropna()]) / 1.3
    high = max([1.0, *shown["upper_bound"].dropna()]) * 1.3
    ticks = [t for t in (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10) if low <= t <= high]
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        xaxis={
            "type": "log",
            "title": x_title,
            "range": [math.log10(low), math.log10(high)],
            "tickvals": ticks,
            "ticktext": [f"{t:g}" for t in ticks],
        },
        height=max(260, 84 * len(rows) + 110),
        hovermode="closest",
    )
    # Names wrapped to a phone's width; every row as tall as the tallest needs.
    wrapped = [textwrap.wrap(name.removesuffix(" (withheld)"), ROW_WRAP) for name in labels]
    lines = max(len(w) for w in wrapped) + 1 if wrapped else 2
    row_px = 40 + LINE_PX * lines
    for name, parts, number in zip(labels, wrapped, numbers, strict=True):
        figure.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=name,
            yref="y",
            yanchor="bottom",
            yshift=9,
            text="<br>".join(f"<b>{part}</b>" for part in parts) + f"<br>{number}",
            showarrow=False,
            align="left",
        )
    # Reversed (first row on top), with room above the first row for its lines.
    top = -max(0.5, (LINE_PX * (len(wrapped[0]) + 1 if wrapped else 2) + 28) / row_px)
    figure.update_yaxes(range=[len(rows) - 0.5, top], showticklabels=False, ticks="")
    sides_lines = max(theme.wrapped(f"← {side} →", SIDE_WRAP).count("<br>") + 1 for side in sides)
    figure.update_layout(
        margin={"l": 12, "t": 12 + LINE_PX * sides_lines},
        height=max(260, row_px * len(rows) + 110),
        xaxis_title_text="<br>".join(textwrap.wrap(x_title, TITLE_WRAP)),
        xaxis_title_standoff=10,
        xaxis_automargin=True,
    )
    return figure


BALANCE_LIMIT = 0.1  # |SMD| under 0.1 is usually called well balanced (Austin & Stuart 2015)


def balance_figure(frame: pd.DataFrame) -> go.Figure:
    """Standardized mean differences before and after weighting, one row per characteristic.

    ``frame`` has ``label``, ``unweighted`` and ``weighted`` (NaN where withheld, listed as
    such in the label). Dashed lines at -0.1 and 0.1 mark the usual "well balanced" band.
    """
    theme.register()
    rows = frame.reset_index(drop=True)
    figure = go.Figure()
    for position, (column, name, symbol) in enumerate(
        (
            ("unweighted", "Before weighting", "circle-open"),
            ("weighted", "After weighting", "circle"),
        )
    ):
        colour = theme.SERIES_COLOURS[position]
        figure.add_trace(
            go.Scatter(
                x=rows[column],
                y=rows["label"],
                mode="markers",
                name=name,
                marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2}},
                hovertemplate="%{y}: %{x:.2f}<extra>" + name + "</extra>",
            )
        )
    for x in (-BALANCE_LIMIT, BALANCE_LIMIT):
        figure.add_vline(x=x, line={"color": theme.MUTED_COLOUR, "dash": "dash", "width": 1})
    figure.add_vline(x=0, line={"color": theme.MUTED_COLOUR, "width": 1})
    spread = [
        BALANCE_LIMIT * 2,
        *rows["unweighted"].abs().dropna(),
        *rows["weighted"].abs().dropna(),
    ]
    limit = max(spread) * 1.15
    # Each characteristic named above its row (as in the forest plots): the plot keeps the
    # chart's full width on a phone and no name is cut.
    names = [textwrap.wrap(str(label), ROW_WRAP) for label in rows["label"]]
    lines = max((len(n) for n in names), default=1)
    row_px = 26 + LINE_PX * lines
    for label, parts in zip(rows["label"], names, strict=True):
        figure.add_annotation(
            x=0, xref="paper", xanchor="left", y=label, yref="y", yanchor="bottom", yshift=7,
            text="<br>".join(parts), showarrow=False, align="left",
        )  # fmt: skip
    top = -max(0.5, (LINE_PX * lines + 14) / row_px)
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        xaxis={
            "title": theme.wrapped("standardized difference, LEAD minus comparison (0 = alike)"),
            "range": [-limit, limit],
            "zeroline": False,
        },
        height=max(300, row_px * len(rows) + 150),
        hovermode="closest",
        margin={"l": 12},
    )
    figure.update_yaxes(range=[len(rows) - 0.5, top], showticklabels=False, ticks="")
    return figure


def placebo_figure(placebos: pd.DataFrame, real: pd.DataFrame) -> go.Figure:
    """Before/after ratios at false start dates (dots) beside the real estimate (diamond),
    one row per comparison area, on a log scale with a line at 1."""
    theme.register()
    figure = go.Figure(
        go.Scatter(
            x=placebos["value"],
            y="vs " + placebos["comparison"],
            mode="markers",
            name="False start dates before LEAD",
            marker={"symbol": "circle-open", "size": 10, "color": theme.SERIES_COLOURS[1],
                    "line": {"width": 2}},
            customdata=placebos["period_start_date"].dt.strftime("%b %Y"),
            hovertemplate="false start %{customdata}: %{x:.2f}<extra></extra>",
        )
    )  # fmt: skip
    if not real.empty:
        figure.add_trace(
            go.Scatter(
                x=real["value"],
                y="vs " + real["comparison"],
                mode="markers",
                name="Real start, October 2011",
                marker={"symbol": "diamond", "size": 15, "color": theme.SERIES_COLOURS[0]},
                hovertemplate="real start: %{x:.2f}<extra></extra>",
            )
        )
    figure.add_vline(x=1, line={"color": theme.MUTED_COLOUR, "dash": "dot", "width": 1.5})
    figure.update_layout(
        template=theme.TEMPLATE_NAME,
        xaxis=ratio_axis(
            pd.concat([placebos["value"], real["value"]]),
            theme.wrapped(
                "Belltown's change divided by the area's, 12 months each side (log scale)", 24
            ),
        ),
        height=340,
        hovermode="closest",
        margin={"l": 12},
    )
    # Each comparison area named above its row (as in the forest plots), so the plot keeps
    # the chart's width on a phone.
    rows = list(dict.fromkeys("vs " + placebos["comparison"]))
    for row in rows:
        figure.add_annotation(
            x=0, xref="paper", xanchor="left", y=row, yref="y", yanchor="bottom", yshift=12,
            text=f"<b>{row}</b>", showarrow=False, align="left",
        )  # fmt: skip
    figure.update_yaxes(
        range=[len(rows) - 0.5, -0.9], showticklabels=False, ticks="", type="category"
    )
    return figure


RATIO_TICKS = (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5)


def ratio_axis(values: pd.Series, title: str) -> dict[str, object]:
    """A log axis for ratios that always shows 1 and a little room around the values."""
    shown = values.dropna().astype(float)
    low = min(0.8, float(shown.min()) if len(shown) else 1.0) / 1.2
    high = max(1.25, float(shown.max()) if len(shown) else 1.0) * 1.2
    ticks = [t for t in RATIO_TICKS if low <= t <= high]
    return {
        "type": "log",
        "title": title,
        "range": [math.log10(low), math.log10(high)],
        "tickvals": ticks,
        "ticktext": [f"{t:g}" for t in ticks],
        "tickangle": 0,
    }
