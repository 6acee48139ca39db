"""Data problems: how to report one, and the public log of reports and what was done."""

from __future__ import annotations

import tomllib
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.components.chart_card import scroll_region
from etl import settings
from etl.settings import PROJECT_ROOT

PATH = "/data-problems"
TITLE = "Data problems"
DESCRIPTION = "Report a problem with the data, and see every problem reported and what was done."
LOG_FILE = PROJECT_ROOT / "dashboard" / "content" / "problem_log.toml"


def problems() -> list[dict[str, Any]]:
    with LOG_FILE.open("rb") as handle:
        entries: list[dict[str, Any]] = tomllib.load(handle).get("problem", [])
    return sorted(entries, key=lambda entry: str(entry["reported"]), reverse=True)


def layout(**_query: str) -> Component:
    rows = [
        html.Tr(
            [
                html.Th(str(p["reported"]), scope="row"),
                html.Td(p["summary"]),
                html.Td(p["status"]),
                html.Td(p["resolution"]),
                html.Td(p.get("fixed_in") or "–"),
            ]
        )
        for p in problems()
    ]
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(DESCRIPTION, className="lede"),
            html.H2("Report a problem"),
            html.P(
                [
                    "Seen a number that looks wrong, a chart that does not load, or a barrier "
                    "to using the site? ",
                    html.A("Report a data problem", href=settings.get("PROBLEM_REPORT_URL")),
                    ". Say which page and chart, and what you expected. Please do not include "
                    "anyone's personal details.",
                ]
            ),
            html.H2("Problems reported"),
            scroll_region(
                "Problems reported",
                html.Table(
                    [
                        html.Caption("Every reported problem, newest first"),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in (
                                        "Reported",
                                        "Problem",
                                        "Status",
                                        "What was done",
                                        "Fixed in",
                                    )
                                ]
                            )
                        ),  # fmt: skip
                        html.Tbody(rows),
                    ],
                    className="data-table",
                ),
            ),
        ],
    )
