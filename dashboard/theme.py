"""The one Plotly template every chart uses: color-blind-safe, readable, high contrast.

Colors are from the Okabe-Ito palette, keeping only those with at least 3:1 contrast on
white (WCAG 2.1 non-text contrast); series also differ by line dash, so no chart relies on
color alone.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "lead"
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#595959"
GRID_COLOUR = "#d9d9d9"
# Okabe-Ito blue, vermillion, bluish green, reddish purple, black, orange and grey (the
# purple, orange and grey darkened to pass 3:1 on white): seven distinct colours, so no two
# series of one chart share one (a chart with more series would need a table instead).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#007A5A", "#A3507F", "#000000", "#996600", "#6B6B6B")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "5px,3px,1px,3px")
# Bar fills also differ by pattern, so categories can be told apart without colour.
SERIES_PATTERNS = ("", "/", ".", "x", "-", "|", "+")
FOCUS_LINE_WIDTH = 3.5
OTHER_LINE_WIDTH = 2.0
EVENT_COLOUR = "#444444"


def register() -> None:
    """Register the template and make it Plotly's default, once per process (every figure
    builder calls this; building the template each time cost about 2 ms a figure)."""
    if TEMPLATE_NAME in pio.templates and pio.templates.default == TEMPLATE_NAME:
        return
    pio.templates[TEMPLATE_NAME] = go.layout.Template(
        layout=go.Layout(
            font={"family": FONT_FAMILY, "size": 15, "color": TEXT_COLOUR},
            colorway=list(SERIES_COLOURS),
            paper_bgcolor="#ffffff",
            plot_bgcolor="#ffffff",
            margin={"l": 56, "r": 16, "t": 24, "b": 48},
            hovermode="x unified",
            hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
            legend={
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.02,
                "xanchor": "left",
                "x": 0,
                "title": {"text": ""},
            },
            xaxis={
                "showgrid": False,
                "linecolor": MUTED_COLOUR,
                "ticks": "outside",
                "tickcolor": MUTED_COLOUR,
                "title": {"standoff": 8},
                "automargin": True,
            },
            yaxis={
                "gridcolor": GRID_COLOUR,
                "zerolinecolor": MUTED_COLOUR,
                "rangemode": "tozero",
                "title": {"standoff": 8},
                "automargin": True,
            },
        )
    )
    pio.templates.default = TEMPLATE_NAME


def band_colour(hex_colour: str, opacity: float = 0.18) -> str:
    """A translucent version of a series color for its confidence band."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{opacity})"


WRAP = 32  # characters per line of an axis title or legend name: fits a 390 px phone


def wrapped(text: str, width: int = WRAP) -> str:
    """``text`` on lines of at most ``width`` characters, joined with Plotly's ``<br>``."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def thin_ticks(figure: go.Figure, labels: list[str], most: int = 6, axis: str = "x") -> None:
    """Label at most ``most`` of a category axis's ``labels``, evenly spaced and always
    the latest, each on two lines and never rotated ("Q4<br>2016"): they fit a phone's
    width and never collide; the hover and the data table give every one."""
    if not labels:
        return
    step = 1
    while len(labels) / step > most:
        step *= 2
    shown = labels[(len(labels) - 1) % step :: step]
    update = {
        "tickmode": "array",
        "tickvals": shown,
        "ticktext": [_two_lines(label) for label in shown],
        "tickangle": 0,
    }
    if axis == "x":
        figure.update_xaxes(**update)
    else:
        figure.update_yaxes(**update)


def _two_lines(label: str) -> str:
    """``Q4 2016`` -> ``Q4<br>2016``; ``2010–11`` -> ``2010–<br>11``."""
    if " " in label:
        return label.replace(" ", "<br>", 1)
    return label.replace("–", "–<br>", 1)
