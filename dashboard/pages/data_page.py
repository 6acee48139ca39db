"""Data: every published indicator and every source, with provenance."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import data
from dashboard.components.chart_card import scroll_region
from dashboard.pages.placeholder import not_yet_published

PATH = "/data"
TITLE = "Data"
DESCRIPTION = "Published indicators, their definitions and the sources they come from."


def layout(**_query: str) -> Component:
    run = data.published_run()
    if run is None:
        return not_yet_published(TITLE, DESCRIPTION)
    indicators = data.indicators(run.run_id)
    source_rows = [
        html.Tr(
            [
                html.Th(s.title, scope="row"),
                html.Td(s.publisher),
                html.Td(html.Code(s.location)),
                html.Td(f"{s.rows_accepted:,}"),
                html.Td(s.watermark.strftime("%Y-%m-%d") if s.watermark else "–"),
                html.Td(s.licence),
            ]
        )
        for s in run.sources
    ]
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(
                f"Data version {run.run_id}, published {run.finished_at:%B %-d, %Y at %H:%M} UTC.",
                className="lede",
            ),
            html.H2("Published indicators"),
            html.Dl(
                [
                    part
                    for row in indicators
                    for part in (
                        html.Dt([row["title"], " ", html.Code(row["indicator_id"])]),
                        html.Dd([row["description"], f" Unit: {row['unit']}."]),
                    )
                ]
            ),
            html.H2("Sources used in this version"),
            scroll_region(
                "Sources table",
                html.Table(
                    [
                        html.Caption("Input files and what the pipeline accepted from each"),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in (
                                        "Dataset",
                                        "Publisher",
                                        "File or URL",
                                        "Rows accepted",
                                        "Latest record",
                                        "Licence",
                                    )
                                ]
                            )
                        ),
                        html.Tbody(source_rows),
                    ],
                    className="data-table",
                ),
            ),
        ],
    )
