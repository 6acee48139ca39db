"""Data: every published indicator with its definition, source, license, coverage and
downloads; the whole data version as one bundle; the sources; what changed between runs."""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard import data
from dashboard.api import API_PREFIX, DOWNLOAD_PREFIX, indicator_document
from dashboard.components.chart_card import DEMO_LABEL, scroll_region
from dashboard.pages.placeholder import not_yet_published
from etl.sources.common import display_name

PATH = "/data"
TITLE = "Data"
DESCRIPTION = (
    "Every published figure as CSV, Excel or JSON, with definitions, sources, licenses and "
    "coverage; the whole data version as one download; what changed between versions."
)
CHANGELOG_RUNS = 5


def layout(**_query: str) -> Component:
    run = data.published_run()
    if run is None:
        return not_yet_published(TITLE, DESCRIPTION)
    documents = [indicator_document(run, meta) for meta in data.indicators(run.run_id)]
    children: list[Component] = [
        html.H1(TITLE),
        html.P(
            f"Data version {run.run_id}, published {run.finished_at:%B %-d, %Y at %H:%M} UTC. "
            "Every file below names its source, license and data version; a withheld value "
            "is an empty cell marked is_suppressed, never a zero.",
            className="lede",
        ),
    ]
    if run.is_synthetic:
        children.append(
            html.P(
                html.Strong(
                    f"{DEMO_LABEL}: the program figures in this version come from a synthetic "
                    "demonstration extract, and the downloads say so."
                ),
                className="demo-label",
            )
        )
    children += [
        html.H2("Download everything"),
        html.Ul(
            className="download-list",
            children=[
                html.Li(
                    [
                        html.A(
                            "All indicators (zip)",
                            href=f"{DOWNLOAD_PREFIX}/bundle.zip?run={run.run_id}",
                            download="",
                        ),
                        ": a CSV per indicator, a datapackage.json (Frictionless Data Package) "
                        "describing every column, and a README with definitions and how to cite.",
                    ]
                ),
                html.Li(
                    [
                        html.A("The open-data API", href="/api"),
                        " (JSON and CSV, filtered and paged; ",
                        html.A("OpenAPI description", href=f"{API_PREFIX}/openapi.json"),
                        ").",
                    ]
                ),
            ],
        ),
        html.H2("Published indicators"),
        html.Div([_indicator_entry(d) for d in documents], className="indicator-list"),
        html.H2("Sources used in this version"),
        _sources_table(run),
        html.H2("What changed between data versions"),
        *_changelog(),
    ]
    return html.Div(className="page", children=children)


def _indicator_entry(document: dict[str, Any]) -> Component:
    coverage = document["coverage"]
    period = (
        f"{coverage['first_period']} to {coverage['last_period']}"
        if coverage["first_period"]
        else "no periods"
    )
    sources = "; ".join(
        f"{s['publisher']}: {s['title']}" + (" (synthetic)" if s["is_synthetic"] else "")
        for s in document["sources"]
    )
    licences = " ".join(sorted({s["licence"] for s in document["sources"]}))
    withheld = coverage["withheld"]
    links = document["links"]
    return html.Article(
        className="indicator-entry",
        children=[
            html.H3([document["title"], " ", html.Code(document["indicator_id"])]),
            html.P(document["description"]),
            html.Dl(
                className="indicator-entry__facts",
                children=[
                    html.Dt("Unit"),
                    html.Dd(document["unit"]),
                    html.Dt("Coverage"),
                    html.Dd(
                        f"{period} ({coverage['period_grain'] or '–'}); "
                        f"{coverage['observations']:,} figures, {withheld:,} withheld; "
                        f"areas: {', '.join(coverage['areas']) or '–'}"
                    ),
                    html.Dt("Source"),
                    html.Dd(sources or "–"),
                    html.Dt("License"),
                    html.Dd(licences or "–"),
                    html.Dt("Download"),
                    html.Dd(
                        [
                            html.A("CSV", href=links["csv"], download=""),
                            " · ",
                            html.A("Excel", href=links["xlsx"], download=""),
                            " · ",
                            html.A("JSON", href=links["observations"]),
                        ]
                    ),
                ],
            ),
        ],
    )


def _sources_table(run: data.PublishedRun) -> Component:
    rows = [
        html.Tr(
            [
                html.Th(s.title, scope="row"),
                html.Td(s.publisher),
                html.Td(html.Code(display_name(s.location))),
                html.Td(f"{s.rows_accepted:,}"),
                html.Td(s.watermark.strftime("%Y-%m-%d") if s.watermark else "–"),
                html.Td(s.licence),
            ]
        )
        for s in run.sources
    ]
    headers = ("Dataset", "Publisher", "File or URL", "Rows accepted", "Latest record", "License")
    return scroll_region(
        "Sources table",
        html.Table(
            [
                html.Caption("Input files and what the pipeline accepted from each"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                html.Tbody(rows),
            ],
            className="data-table",
        ),
    )


def _changelog() -> list[Component]:
    """The latest retained versions and, for each, what it changed against the one before."""
    retained = [r for r in data.run_history() if r["status"] == "succeeded"]
    retained = [r for r in retained if r["tables_retained"]][:CHANGELOG_RUNS]
    if not retained:
        return [html.P("No data version is retained.")]
    items = []
    for entry in retained:
        changes = data.changes(entry["run_id"])
        published = (entry["finished_at"] or "")[:16].replace("T", " ")
        heading = f"{entry['run_id']} (published {published} UTC)"
        if changes["compared_with"] is None:
            body: list[Component] = [html.P("The first retained version: nothing to compare.")]
        else:
            body = [
                html.P(f"Compared with {changes['compared_with']}:"),
                _change_list(changes["indicators"]),
            ]
        items.append(html.Li([html.Strong(heading), *body]))
    return [
        html.P(
            "Each ETL run publishes a new data version. Below, the latest "
            f"{len(retained)} and what each changed in the published numbers: figures added "
            "(e.g. new months), revised (a value, interval or withheld status changed) or "
            "removed. The same is in the API at /api/v1/runs/<version>/changes."
        ),
        html.Ol(items, className="changelog"),
    ]


def _change_list(indicators: list[dict[str, Any]]) -> Component:
    changed = [c for c in indicators if c["added"] or c["revised"] or c["removed"]]
    if not changed:
        return html.P("No published number changed.")
    lines = []
    for change in changed:
        parts = []
        if change["added"]:
            parts.append(f"{change['added']} added{_months(change['added_periods'])}")
        if change["revised"]:
            parts.append(f"{change['revised']} revised{_months(change['revised_periods'])}")
        if change["removed"]:
            parts.append(f"{change['removed']} removed")
        lines.append(html.Li([html.Code(change["indicator_id"]), ": ", "; ".join(parts)]))
    return html.Ul(lines)


def _months(periods: list[str]) -> str:
    if not periods:
        return ""
    if len(periods) <= 4:
        return f" ({', '.join(periods)})"
    return f" ({periods[0]} to {periods[-1]}, {len(periods)} periods)"
