"""Overview: what LEAD is and what this site shows (the landing page)."""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import data

PATH = "/"
TITLE = "Overview"
DESCRIPTION = (
    "Public figures on Seattle's Law Enforcement Assisted Diversion (LEAD) program in "
    "Belltown: enrollment, re-arrest and neighbourhood quality of life."
)


def enrollment_note() -> list[Component | str]:
    """Say what the Enrollment page is built from, as the published provenance says."""
    run = data.published_run()
    if run is None or not run.has_program_data:
        return [" Not published yet."]
    if run.program_is_synthetic:
        return [
            " ",
            html.Strong("Demonstration data, not real participants"),
            ": the program's own records are not loaded yet.",
        ]
    return []


def layout(**_query: str) -> html.Div:
    return html.Div(
        className="page",
        children=[
            html.H1("LEAD in Belltown: what the public data show"),
            html.P(
                [
                    "LEAD (Law Enforcement Assisted Diversion) lets Seattle police officers "
                    "send people suspected of low-level drug or prostitution offences to a "
                    "case manager, housing and treatment instead of jail and prosecution. "
                    "It began in the Belltown neighbourhood in October 2011. The University "
                    "of Washington compared 203 people referred to LEAD with 115 people "
                    "processed as usual (a non-randomised comparison group).",
                ],
                className="lede",
            ),
            html.H2("On this site"),
            html.Ul(
                [
                    html.Li(
                        [
                            dcc.Link("Quality of life", href="/quality-of-life"),
                            ": offences reported to Seattle Police in Belltown and nearby "
                            "neighbourhoods, month by month, from the City's open data.",
                        ]
                    ),
                    html.Li(
                        [
                            dcc.Link("Data", href="/data"),
                            " and ",
                            dcc.Link("Methods", href="/methods"),
                            ": every published figure's definition, source and caveats.",
                        ]
                    ),
                    html.Li(
                        [
                            dcc.Link("Enrollment", href="/enrollment"),
                            ": referrals, participants and who they are.",
                            *enrollment_note(),
                        ]
                    ),
                    html.Li(
                        "Recidivism and the council Briefing will follow as their figures "
                        "are computed."
                    ),
                ]
            ),
            html.P(
                "Sources: Collins, Lonczak & Clifasefi (2017), Evaluation and Program "
                "Planning 64:49-56; LEAD Program Evaluation reports (University of "
                "Washington, 2015-2016).",
                className="citation",
            ),
        ],
    )
