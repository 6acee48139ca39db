"""Methods: how each published figure is made, and how privacy is protected."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import data
from etl import settings

PATH = "/methods"
TITLE = "Methods"
DESCRIPTION = "How the figures on this site are computed, checked and protected."


def layout(**_query: str) -> Component:
    run = data.published_run()
    indicators = data.indicators(run.run_id) if run else []
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    sections: list[Component] = [
        html.H1(TITLE),
        html.H2("How the data get here"),
        html.P(
            "A scheduled pipeline reads each source file, checks every row against the "
            "source's published format, and sets aside (quarantines) rows it cannot use, "
            "recording the file, row, column and reason. It then computes the indicators "
            "and publishes them in one step: a run that fails changes nothing, and the "
            "previous figures stay online."
        ),
        html.H2("Privacy"),
        html.P(
            "Program records about people never reach this site: only totals do. Any total "
            f"based on fewer than {threshold} people is withheld, and enough other cells are "
            "withheld that it cannot be worked out by subtraction. Counts of police incident "
            "reports are not withheld: the City already publishes them record by record."
        ),
    ]
    if indicators:
        sections.append(html.H2("Indicators"))
        for row in indicators:
            sections.extend(
                [
                    html.H3(row["title"]),
                    html.P(row["methodology"]),
                    html.P([html.Strong("Keep in mind: "), row["caveats"]]),
                    html.P([html.Strong("Suppression: "), row["suppression_rule"]]),
                ]
            )
    return html.Div(sections, className="page")
