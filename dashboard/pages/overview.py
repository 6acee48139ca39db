"""Overview (the landing page): what LEAD is, the key figures, and what the latest refresh
changed."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import data, kpis
from dashboard.components.chart_card import DEMO_LABEL, aria
from dashboard.glossary import term
from etl import settings

PATH = "/"
TITLE = "Overview"
DESCRIPTION = (
    "Public figures on Seattle's Law Enforcement Assisted Diversion (LEAD) program in "
    "Belltown: enrollment, re-arrest and neighborhood quality of life."
)
INDICATOR_NAMES = {
    "reported_offenses": "reported offenses",
    "reported_offenses_index": "the offense index",
    "reported_offenses_grid": "the offense map",
    "reported_offenses_before_after": "the before/after comparison",
}


def about_lead() -> list[Component]:
    """What LEAD is, in short sentences (about a grade-8 reader), and what this site shows."""
    return [
        html.P(
            [
                "LEAD stands for Law Enforcement Assisted Diversion. It is a ",
                term("pre-booking diversion", "diversion"),
                " program. Police in Seattle can send someone to a case worker instead of ",
                term("arresting", "arrest"),
                " them. It is for people suspected of small drug or prostitution crimes. The "
                "case worker helps them find housing and treatment. Some people cannot take "
                "part: for example, those who hold more than 3 grams of drugs, sell them, or "
                "exploit children. A city and county board, the LEAD Policy Coordinating Group, "
                "runs it. It began in Belltown in October 2011. The University of Washington "
                "compared 203 people sent to LEAD with 115 people who went through the usual "
                "process.",
            ],
            className="lede",
        ),
        html.P(
            [
                "This site shows who is referred and enrolled. It shows whether people sent to "
                "LEAD were arrested less than a ",
                term("comparison group", "control-group"),
                ". And it shows how reported crime in Belltown changed next to nearby "
                "neighborhoods.",
            ]
        ),
    ]


def how_current(run: data.PublishedRun, period: kpis.Period | None) -> list[Component]:
    """How current each source is, and why, from the sources this data version read."""
    lines: list[Component] = []
    program = [s for s in run.sources if s.source_id.startswith("program_")]
    if program:
        kind = (
            "a synthetic demonstration extract, not real records"
            if run.program_is_synthetic
            else "the latest program extract"
        )
        end = f"{period.label} ({period.long_label})" if period is not None else "no quarter"
        lines.append(
            html.Li(
                f"Program figures: up to {end}. They come from {kind}, which ends there, so "
                "the key figures are for that quarter."
            )
        )
    seen: set[str] = set()
    for source in run.sources:
        if source.source_id.startswith("program_") or source.title in seen:
            continue
        seen.add(source.title)
        same = [s for s in run.sources if s.title == source.title]
        lasts = [s.coverage_last_month for s in same if s.coverage_last_month is not None]
        firsts = [s.coverage_first_month for s in same if s.coverage_first_month is not None]
        note = ""
        if source.is_synthetic and "synthetic" not in source.title.lower():
            note = " (synthetic sample data, not real records)"
        if lasts and firsts:
            text = (
                f"{source.title}{note}: {min(firsts):%B %Y} to {max(lasts):%B %Y}. The files "
                "read for this data version end there."
            )
        else:
            text = (
                f"{source.title}{note}: no complete month. The files read for this data "
                "version cover less than one whole month."
            )
        lines.append(html.Li(text))
    refreshed = f"{run.finished_at:%B %-d, %Y}"
    return [
        html.H2("How current the figures are", id="overview-current"),
        html.P(f"This data version ({run.run_id}) was published on {refreshed}."),
        html.Ul(lines, className="source-currency"),
    ]


def layout(**_query: str) -> html.Div:
    run = data.published_run()
    children: list[Component] = [
        html.H1("LEAD in Belltown: what the public data show"),
        *about_lead(),
    ]
    period = kpis.default_period(run) if run is not None else None
    if run is not None and period is not None:
        children += key_figures(run, period)
        children += how_current(run, period)
        children += whats_new(run)
    else:
        children.append(html.P("No figures are published yet.", className="notice"))
    children += [
        html.H2("On this site"),
        html.Ul(
            [
                html.Li(
                    [
                        html.A("Enrollment", href="/enrollment"),
                        ": referrals, participants, exits, who they are, services and cost.",
                    ]
                ),
                html.Li(
                    [
                        html.A("Recidivism", href="/recidivism"),
                        ": arrests, charges "
                        "and jail before and after entry, LEAD against the comparison group.",
                    ]
                ),
                html.Li(
                    [
                        html.A("Quality of life", href="/quality-of-life"),
                        ": offenses, 911 calls and service requests in Belltown and nearby.",
                    ]
                ),
                html.Li(
                    [
                        html.A("Briefing", href="/briefing"),
                        ": one page to print, download as PDF or present, for any quarter or year.",
                    ]
                ),
                html.Li(
                    [
                        html.A("Data", href="/data"),
                        ", ",
                        html.A("API", href="/api"),
                        ", ",
                        html.A("Methods", href="/methods"),
                        " and ",
                        html.A("Glossary", href="/glossary"),
                        ": every figure's definition, source and download.",
                    ]
                ),
            ]
        ),  # fmt: skip
        html.P(
            "Sources: Collins, Lonczak & Clifasefi (2017), Evaluation and Program "
            "Planning 64:49-56; LEAD Program Evaluation reports (University of "
            "Washington, 2015-2016).",
            className="citation",
        ),
    ]
    return html.Div(className="page", children=children)


def key_figures(run: data.PublishedRun, period: kpis.Period) -> list[Component]:
    tiles = kpis.kpis(run, period)
    notes: list[Component] = []
    if run.program_is_synthetic:
        notes.append(
            html.P(
                html.Strong(
                    f"{DEMO_LABEL}. The program figures below are synthetic: made up to "
                    "show how the site works."
                ),
                className="demo-label",
            )
        )
    return [
        html.H2(f"Key figures: {period.label} ({period.long_label})", id="overview-kpis"),
        *notes,
        html.Ul(
            [kpi_tile(k) for k in tiles],
            className="kpi-tiles",
            **aria(labelledby="overview-kpis"),
        ),
        html.P(
            [
                "Each change is against the same period a year before. A figure based on "
                f"fewer than {settings.get('SUPPRESSION_THRESHOLD')} people is ",
                term("withheld", "suppressed"),
                ". The arrest comparison covers the evaluation groups. Its ",
                term("likely range", "confidence-interval"),
                " is the 95% confidence interval.",
            ],
            className="kpi-tiles__note",
        ),
    ]


def kpi_tile(kpi: kpis.Kpi) -> Component:
    return html.Li(
        className="kpi-tile" + (" kpi-tile--withheld" if kpi.withheld else ""),
        children=[
            html.A(kpi.label, href=kpi.href, className="kpi-tile__label"),
            html.Strong(kpi.value, className="kpi-tile__value"),
            html.Span(kpi.detail, className="kpi-tile__note"),
            html.Span(kpi.sentence, className="visually-hidden"),
        ],
    )


def whats_new(run: data.PublishedRun) -> list[Component]:
    """What the latest refresh added or revised, from the run's own comparison."""
    changes = data.changes(run.run_id)
    heading = html.H2("What's new since the last refresh")
    refreshed = f"{run.finished_at:%B %-d, %Y}"
    if changes["compared_with"] is None:
        return [heading, html.P(f"Data version {run.run_id} ({refreshed}) is the first one.")]
    lines = []
    for change in changes["indicators"]:
        name = INDICATOR_NAMES.get(change["indicator_id"], change["indicator_id"].replace("_", " "))
        parts = []
        if change["added"]:
            parts.append(f"{change['added']} new figures" + _span(change["added_periods"]))
        if change["revised"]:
            parts.append(f"{change['revised']} revised" + _span(change["revised_periods"]))
        if change["removed"]:
            parts.append(f"{change['removed']} removed")
        if parts:
            lines.append(html.Li(f"{name.capitalize()}: {'; '.join(parts)}."))
    body: Component = (
        html.Ul(lines[:8])
        if lines
        else html.P("No published number changed; the refresh confirmed the same figures.")
    )
    more = [html.P(f"And {len(lines) - 8} more indicators.")] if len(lines) > 8 else []
    return [
        heading,
        html.P(
            [
                f"The latest refresh ({refreshed}, data version {run.run_id}) compared with "
                f"the one before ({changes['compared_with']}): ",
            ]
        ),
        body,
        *more,
        html.P(html.A("All changes between versions", href="/data")),
    ]


def _span(periods: list[str]) -> str:
    if not periods:
        return ""
    if len(periods) == 1:
        return f" ({periods[0]})"
    return f" ({periods[0]} to {periods[-1]})"
