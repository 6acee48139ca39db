"""Methods: how each published figure is made, and how privacy is protected."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import data
from dashboard.components.chart_card import scroll_region
from dashboard.pages.recidivism_methods import published_method, simulation_items
from etl import demo, settings
from etl.estimands import (
    AFTER_ENTRY,
    AREA_CHANGE_IN_CHANGE,
    AREA_EVENT_STUDY,
    CHANGE_IN_CHANGE,
    ESTIMAND_KINDS,
    WITHIN_PERSON,
    estimand_lines,
)
from etl.sources.categories import load_category_map

PATH = "/methods"
TITLE = "Methods"
DESCRIPTION = "How the figures on this site are computed, checked and protected."
KIND_WORDS = {
    AFTER_ENTRY: (
        "The LEAD group and the comparison group compared with each other in the months "
        "after entry; unadjusted, adjusted for how the groups differed at entry, or with the "
        "comparison group weighted to resemble the LEAD group (the main figures)."
    ),
    CHANGE_IN_CHANGE: (
        "Each group against its own past: its figure after entry divided by its figure "
        "before, LEAD's ratio relative to the comparison group's (secondary figures)."
    ),
    WITHIN_PERSON: (
        "LEAD participants against themselves before referral, with no comparison group: "
        "time, regression to the mean and who stays in follow-up are not separated from LEAD."
    ),
    AREA_CHANGE_IN_CHANGE: (
        "Belltown's change in reported offenses divided by a comparison area's: areas, not people."
    ),
    AREA_EVENT_STUDY: (
        "Belltown relative to a comparison area in each year, against the year before LEAD: "
        "shows whether Belltown was already moving differently before LEAD."
    ),
}


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
    sections += [
        html.H2("What each estimate compares"),
        html.P(
            "Every effect on this site says what it compares, and its sentence is written for "
            "that comparison (never a change over time worded as a difference between groups):"
        ),
        html.Dl(
            [
                part
                for kind, name in ESTIMAND_KINDS.items()
                for part in (html.Dt(name), html.Dd(KIND_WORDS[kind]))
            ]
        ),
        html.H2("How far the adjusted estimates can be trusted"),
        html.P(
            "The evaluation's code is run on simulated evaluations where the true effect is known:"
        ),
        html.Ul(simulation_items()),
        published_method(),
    ]
    if indicators:
        sections.append(html.H2("Indicators"))
        for row in indicators:
            estimand = estimand_lines(row)
            sections.extend(
                [
                    html.H3(row["title"]),
                    html.P(row["methodology"]),
                    *([html.P("; ".join(estimand) + ".")] if estimand else []),
                    html.P([html.Strong("Keep in mind: "), row["caveats"]]),
                    html.P([html.Strong("Suppression: "), row["suppression_rule"]]),
                ]
            )
    if run is not None and run.program_is_synthetic:
        sections += [
            html.H2(
                "Demonstration data: drug use and health-event assumptions", id="demo-drug-use"
            ),
            html.P(
                "The published evaluation figures this site cites do not include drug use, "
                "treatment or overdoses. The "
                "demonstration extract therefore draws them from these assumptions of the "
                "generator (etl/demo.py); the Drug use page shows what they produce, not "
                "findings about LEAD."
            ),
            html.Ul([html.Li(line) for line in demo.drug_use_assumptions()]),
        ]
    sections += category_map_section()
    return html.Div(sections, className="page")


SOURCE_NAMES = {
    "spd_crime_nibrs": "SPD Crime Data (NIBRS)",
    "spd_crime_legacy": "SPD Crime Data (older format)",
    "spd_crime_legacy_offense_description": (
        "SPD Crime Data (older format), rows with a blank Crime Subcategory, by Primary "
        "Offense Description"
    ),
    "spd_911_incident_response": "SPD 911 Incident Response",
    "seattle_csr": "Customer Service Requests",
}


def category_map_section() -> list[Component]:
    """The category map the ETL uses (etl/sources/category_map.csv), one table per source."""
    mapping = load_category_map()
    parts: list[Component] = [
        html.H2("How source categories are grouped"),
        html.P(
            "Each source's own categories are grouped into a small set of public categories "
            "with one data file, which the pipeline also uses; a category missing from it "
            "stops the pipeline instead of being dropped."
        ),
    ]
    for source_id, group in mapping.groupby("source_id", sort=True):
        table = html.Table(
            [
                html.Caption(SOURCE_NAMES.get(str(source_id), str(source_id))),
                html.Thead(
                    html.Tr(
                        [html.Th("Source category", scope="col"), html.Th("Shown as", scope="col")]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Th(row["source_category"], scope="row"),
                                html.Td(row["indicator_label"], className="cell--text"),
                            ]
                        )
                        for row in group.to_dict("records")
                    ]
                ),
            ],
            className="data-table data-table--text",
        )
        parts.append(
            html.Details(
                [
                    html.Summary(SOURCE_NAMES.get(str(source_id), str(source_id))),
                    scroll_region(f"Categories of {source_id}", table),
                ],
                className="chart-card__table",
            )
        )
    return parts
