"""Layout for a section that has no published data yet: says so plainly, shows no numbers."""

from __future__ import annotations

from dash import html


def not_yet_published(title: str, what_it_will_show: str) -> html.Div:
    return html.Div(
        className="page",
        children=[
            html.H1(title),
            html.P(what_it_will_show),
            html.P(
                [
                    "This section is not published yet: the dashboard shows only figures that "
                    "its data pipeline has computed and checked. Meanwhile, see ",
                    html.A("Quality of life", href="/quality-of-life"),
                    " for neighborhood trends from Seattle Police data.",
                ],
                className="notice",
            ),
        ],
    )
