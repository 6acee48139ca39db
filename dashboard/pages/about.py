"""About LEAD: what it is and is not, who runs it, its history, the evaluation, and who
pays for it. The words live in ``dashboard/content/about.toml`` (staff edit it, not code);
the funding figures come from the published finance indicators."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard import data
from dashboard.components.chart_card import scroll_region
from dashboard.glossary import term
from etl.settings import PROJECT_ROOT

PATH = "/about"
TITLE = "About LEAD"
DESCRIPTION = (
    "What LEAD is and is not, who runs it, its history, how it was evaluated, and who pays "
    "for it, with sources."
)
CONTENT_FILE = PROJECT_ROOT / "dashboard" / "content" / "about.toml"
STATUS_NOTE = {
    "confirmed": "",
    "secondary": " (secondary source)",
    "unconfirmed": " (not yet confirmed by a public source)",
}


@lru_cache(maxsize=1)
def content() -> dict[str, Any]:
    with CONTENT_FILE.open("rb") as handle:
        return tomllib.load(handle)


def layout(**_query: str) -> Component:
    about = content()
    what = about["what"]
    children: list[Component] = [
        html.H1(TITLE),
        html.P(DESCRIPTION, className="lede"),
        html.H2("What LEAD is"),
        *[html.P(text) for text in what["is"]],
        html.P(["See also: ", term("pre-booking diversion", "diversion"), "."]),
        html.H2("What LEAD is not"),
        html.Ul([html.Li(text) for text in what["is_not"]]),
        html.H2("Who is eligible"),
        html.Ul([html.Li(text) for text in what["eligibility"]]),
        html.P(f"Source: {what['eligibility_source']}.", className="citation"),
        html.H2("What happens at referral"),
        html.Ul([html.Li(text) for text in what["at_referral"]]),
        html.P(
            "Source: not yet confirmed by a public source."
            if what.get("at_referral_status") == "unconfirmed"
            else "Source: program description.",
            className="citation",
        ),
        html.H2("Who runs it: the Policy Coordinating Group"),
        _group_table(about["coordinating_group"]),
        html.H2("History"),
        _history(about["history"]),
        html.H2("How LEAD was evaluated"),
        html.Ul([html.Li(text) for text in about["evaluation"]["design"]]),
        html.P(f"Sources: {about['evaluation']['source']}.", className="citation"),
        html.H2("Who pays for it"),
        html.P(
            about["funding"]["summary"]
            + STATUS_NOTE.get(about["funding"].get("summary_status", "confirmed"), "")
        ),
        html.P(f"Source: {about['funding']['summary_source']}.", className="citation"),
        _funding_link(),
    ]
    return html.Div(children, className="page")


def _group_table(members: list[dict[str, str]]) -> Component:
    rows = [
        html.Tr(
            [
                html.Th(m["organization"], scope="row"),
                html.Td(m["role"]),
                html.Td(m["source"] + STATUS_NOTE.get(m["status"], "")),
            ]
        )
        for m in members
    ]
    return scroll_region(
        "Policy Coordinating Group members",
        html.Table(
            [
                html.Caption("Member organizations and their roles"),
                html.Thead(
                    html.Tr([html.Th(h, scope="col") for h in ("Organization", "Role", "Source")])
                ),
                html.Tbody(rows),
            ],
            className="data-table",
        ),
    )


def _history(events: list[dict[str, str]]) -> Component:
    return html.Ol(
        [
            html.Li(
                [
                    html.Strong(event["date"]),
                    f": {event['event']} ",
                    html.Span(
                        f"Source: {event['source']}{STATUS_NOTE.get(event['status'], '')}.",
                        className="citation",
                    ),
                ]
            )
            for event in events
        ],
        className="history",
    )


def _funding_link() -> Component:
    run = data.published_run()
    if run is None or data.indicator(run.run_id, "funding_received") is None:
        return html.P(
            "Funding and spending figures are not provided in this data version (the program "
            "extract has no finance.csv)."
        )
    return html.P(
        [
            "Funding by source, spending by category and cost per participant-month: ",
            html.A("Funding and spending", href="/funding"),
            ".",
        ]
    )
