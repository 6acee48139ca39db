"""``/api``: the open-data API for people, generated from the same OpenAPI description the
API serves (so the page cannot describe an endpoint that does not exist)."""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.api import API_PREFIX, DEFAULT_LIMIT, DOWNLOAD_PREFIX, MAX_LIMIT
from dashboard.components.chart_card import scroll_region
from dashboard.openapi import spec

PATH = "/api"
TITLE = "Open-data API"
DESCRIPTION = (
    "Read-only JSON and CSV access to every published figure of the Belltown LEAD "
    "transparency dashboard, with an OpenAPI description."
)
EXAMPLES = (
    (f"{API_PREFIX}/indicators", "Every indicator: definition, unit, sources, coverage, links."),
    (
        f"{API_PREFIX}/observations?indicator=reported_offenses&area=belltown"
        "&breakdown=robbery&from=2011-01&to=2012-12",
        "Monthly robbery reports in Belltown, 2011 and 2012.",
    ),
    (
        f"{API_PREFIX}/observations?indicator=reported_offenses&format=csv&limit=1000",
        "The same kind of selection as CSV (first 1,000 rows).",
    ),
    (f"{API_PREFIX}/runs", "Every ETL run; retained versions can be read with run=<version>."),
    (f"{DOWNLOAD_PREFIX}/bundle.zip", "Everything: CSVs, datapackage.json and a README."),
)


def layout(**_query: str) -> Component:
    document = spec()
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(DESCRIPTION, className="lede"),
            html.H2("In short"),
            html.Ul(
                [
                    html.Li(
                        "Aggregates only: no record about a person is ever published. A figure "
                        "withheld to protect privacy is null (empty in CSV) with is_suppressed "
                        "true, never a zero."
                    ),
                    html.Li(
                        f"Observations come in pages of {DEFAULT_LIMIT} (limit up to "
                        f"{MAX_LIMIT}); follow the next link until it is null."
                    ),
                    html.Li(
                        "A response names its data version (run_id). Add run=<version> to "
                        "keep reading the numbers you cited while that version is retained "
                        "(the latest 20 runs)."
                    ),
                    html.Li(
                        "A bad parameter gets HTTP 400 with a JSON error naming it; an unknown "
                        "indicator or version gets 404. Unknown parameters are refused, so a "
                        "typo never silently returns everything."
                    ),
                    html.Li(
                        "Open to any website (CORS), cacheable for 5 minutes, with ETags. No "
                        "key needed."
                    ),
                    html.Li(
                        [
                            "Machine-readable description: ",
                            html.A(f"{API_PREFIX}/openapi.json", href=f"{API_PREFIX}/openapi.json"),
                            " (OpenAPI 3.1).",
                        ]
                    ),
                ]
            ),
            html.H2("Examples"),
            html.Ul(
                [
                    html.Li([html.A(html.Code(url), href=url), html.Br(), text])
                    for url, text in EXAMPLES
                ],
                className="api-examples",
            ),
            html.H2("Endpoints"),
            *[
                part
                for path, item in document["paths"].items()
                for part in _endpoint(path, item["get"])
            ],
            html.H2("Errors"),
            html.Pre(
                html.Code(
                    '{"error": {"status": 400, "message": "\'limit\' must be a whole number '
                    'from 1 to 1000", "parameter": "limit"}}'
                ),
                className="code-block",
                tabIndex="0",
            ),
        ],
    )


def _endpoint(path: str, operation: dict[str, Any]) -> list[Component]:
    parameters = operation.get("parameters", [])
    parts: list[Component] = [
        html.H3(html.Code(f"GET {path}")),
        html.P(operation["summary"]),
    ]
    if parameters:
        rows = [
            html.Tr(
                [
                    html.Th(html.Code(p["name"]), scope="row"),
                    html.Td(p["in"]),
                    html.Td("yes" if p.get("required") else "no"),
                    html.Td(p.get("description", "")),
                ]
            )
            for p in parameters
        ]
        parts.append(
            scroll_region(
                f"Parameters of {path}",
                html.Table(
                    [
                        html.Caption(f"Parameters of GET {path}"),
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th(h, scope="col")
                                    for h in ("Name", "In", "Required", "Meaning")
                                ]
                            )
                        ),
                        html.Tbody(rows),
                    ],
                    className="data-table",
                ),
            )
        )
    return parts
