"""The reference for the site's speed: a bare Dash app, as Dash's own tutorial would make it.

One dropdown and one 120-point line chart drawn by a callback, nothing else: Dash's
defaults (the full plotly.js, the layout and the chart fetched after the page loads), served
by gunicorn with 2 workers (``benchmarks.site.running_bare``). The benchmarks report the
site's figures as ratios to this app's, measured in the same run on the same machine.
"""

from __future__ import annotations

import math

import dash
from dash import Input, Output, dcc, html

POINTS = 120
SERIES = {"sine": math.sin, "cosine": math.cos}

app = dash.Dash(__name__, title="Bare Dash app")
app.layout = html.Main(
    [
        html.H1("Bare Dash app"),
        html.Label("Series", htmlFor="series"),
        dcc.Dropdown(id="series", options=list(SERIES), value="sine", clearable=False),
        dcc.Graph(id="chart"),
    ]
)


@app.callback(Output("chart", "figure"), Input("series", "value"))
def draw(series: str) -> dict[str, object]:
    function = SERIES.get(series, math.sin)
    x = list(range(POINTS))
    y = [function(i / 10) for i in x]
    return {
        "data": [{"type": "scatter", "mode": "lines", "x": x, "y": y, "name": series}],
        "layout": {"title": {"text": f"{series}, {POINTS} points"}, "height": 450},
    }


server = app.server
