"""The Recidivism page's context: the published evaluation beside like-for-like figures,
and how the figures are made (estimands, adjustment, what simulations show about them).

The published evaluation's method is described only with a cited source.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard import data
from dashboard.components.chart_card import aria, scroll_region
from dashboard.glossary import term
from dashboard.pages.recidivism_cards import COHORTS
from dashboard.pages.recidivism_effects import simulations
from dashboard.published_effects import effect, effect_text
from dashboard.summaries import change_summary

FINDINGS_FILE = Path(__file__).resolve().parent.parent / "content" / "published_findings.toml"
CRIMESOLUTIONS = (
    "https://crimesolutions.ojp.gov/ratedprograms/"
    "law-enforcement-assisted-diversion-lead-program-seattle-washington"
)
DESIGN_CAVEAT = (
    "This was not a randomized trial: police shifts were assigned to LEAD or to usual "
    "processing, people were not, and the comparison group entered through an arrest. The "
    "adjusted figures remove the differences that were measured, not others."
)


@lru_cache(maxsize=1)
def published_findings() -> tuple[dict[str, Any], ...]:
    """The published evaluation's confirmed figures (a content file staff can edit)."""
    with FINDINGS_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["finding"])


def current_text(run: data.PublishedRun, finding: dict[str, Any], threshold: int) -> str:
    """What the current data show for the same (or the closest) comparison."""
    indicator_id = str(finding.get("compare_with", ""))
    if not indicator_id or data.indicator(run.run_id, indicator_id) is None:
        return "Not computed from the current data."
    window = finding.get("compare_window")
    if window is not None:
        found = effect(run, indicator_id, int(window))
        if found is None or found.withheld:
            return "Withheld or not available."
        return f"{found.tile_value()} ({found.tile_range()}); {window} months after entry."
    frame = data.observations(run.run_id, indicator_id)
    if indicator_id == "program_cost_per_participant_month":
        return change_summary(frame, "Cost per participant-month", prefix="$")
    if indicator_id == "housed_share":
        return _housed_text(frame) + " " + effect_text(run, "housed_odds_vs_baseline", threshold)
    return _per_year_text(frame, indicator_id)


def _housed_text(frame: Any) -> str:
    shown = frame[~frame["is_suppressed"].astype(bool)].set_index("breakdown_value")
    if not {"-1", "12"} <= set(shown.index):
        return "Withheld or not available for those months."
    return (
        f"Sheltered or housed: {shown.loc['-1', 'value']:.0f}% in the month before referral, "
        f"{shown.loc['12', 'value']:.0f}% twelve months after."
    )


def _per_year_text(frame: Any, indicator_id: str) -> str:
    values = {
        str(b): float(v)
        for b, v, s in zip(
            frame["breakdown_value"], frame["value"], frame["is_suppressed"], strict=True
        )
        if not bool(s)
    }
    if not {"lead|after", "control|after", "lead|before", "control|before"} <= set(values):
        return "Withheld (a group is too small)."
    money = indicator_id == "legal_cost_per_person_year"
    form = "${:,.0f}" if money else "{:,.1f}"
    if money:
        changes = "; ".join(
            f"{name}: {values[f'{c}|after'] - values[f'{c}|before']:+,.0f} USD per person-year "
            f"({form.format(values[f'{c}|before'])} before, {form.format(values[f'{c}|after'])} "
            "after)"
            for c, name in COHORTS.items()
        )
        return f"Change from before to after entry: {changes}."
    gap = values["lead|after"] - values["control|after"]
    return (
        f"After entry: LEAD {values['lead|after']:,.1f}, comparison "
        f"{values['control|after']:,.1f} per person-year, a difference of {gap:+,.1f}."
    )


def published_panel(run: data.PublishedRun, threshold: int) -> Component:
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in (
                    "Measure",
                    "What the published evaluation found",
                    "What the current data show",
                    "Same comparison?",
                )
            ]
        )
    )
    rows = []
    for finding in published_findings():
        doi = str(finding.get("doi", ""))
        citation: list[Component | str] = [html.Br(), html.Small(str(finding["citation"]))]
        if doi:
            citation += [" ", html.A(f"doi:{doi}", href=f"https://doi.org/{doi}")]
        same = "Yes. " if bool(finding.get("same_estimand")) else "No. "
        tuned = (
            " The demonstration generator was tuned toward this figure."
            if run.program_is_synthetic and bool(finding.get("demo_target"))
            else ""
        )
        rows.append(
            html.Tr(
                [
                    html.Th(str(finding["measure"]), scope="row"),
                    html.Td([str(finding["statement"]), *citation]),
                    html.Td(current_text(run, finding, threshold)),
                    html.Td(same + str(finding.get("how_they_differ", "")) + tuned),
                ]
            )
        )
    note = (
        "The published figures are from the peer-reviewed articles and reports listed; only "
        "figures confirmed in the publishers' own abstracts or summaries are shown. Each is "
        "put beside the current figure that compares the same thing, and the last column "
        "says where they still differ."
    )
    if run.program_is_synthetic:
        note += (
            " The current figures are demonstration data: the generator was tuned so some "
            "land near the published results (marked), so a match shows that tuning, not "
            "evidence about LEAD."
        )
    return html.Section(
        className="chart-card",
        **aria(labelledby="rec-published-title"),
        children=[
            html.H2("What the published evaluation found", id="rec-published-title"),
            html.P(note),
            scroll_region(
                "Published findings and current figures",
                html.Table(
                    [
                        html.Caption("Published evaluation and current data, like for like"),
                        header,
                        html.Tbody(rows),
                    ],
                    className="data-table data-table--text",
                ),
            ),
        ],
    )


def simulation_items() -> list[Component]:
    items: list[Component] = []
    for row in simulations():
        bias = int(row["arrest_bias_pct"])
        direction = (
            "higher, toward no effect" if bias > 0 else "lower, a bigger effect than the truth"
        )
        items.append(
            html.Li(
                f"{row['name']}. {row['description']} The weighted odds ratio of arrest came "
                f"out {abs(bias)}% {direction}, and its 95% interval held the true value in "
                f"{row['arrest_coverage']} of 100 simulations (jail days: "
                f"{int(row['jail_days_bias_pct']):+d}%, {row['jail_days_coverage']} of 100)."
            )
        )
    return items


def published_method() -> Component:
    """The published evaluation's method, only as its sources describe it (cited)."""
    return html.P(
        [
            "The published evaluation is described as a nonrandomized controlled "
            "evaluation using logistic generalized estimating equations (Collins, "
            "Lonczak & Clifasefi 2017, ",
            html.A(
                "doi:10.1016/j.evalprogplan.2017.05.008",
                href="https://doi.org/10.1016/j.evalprogplan.2017.05.008",
            ),
            "), with propensity-score weighting (ATE and ATT) according to the ",
            html.A("CrimeSolutions program profile", href=CRIMESOLUTIONS),
            " (a secondary source). Its covariates are not given in the abstract.",
        ]
    )


def methods_section(run: data.PublishedRun, threshold: int) -> Component:
    items = []
    for indicator_id in (
        "arrest_odds_ratio_weighted",
        "arrest_odds_ratio_adjusted",
        "arrest_odds_ratio",
        "effect_e_value",
        "covariate_balance_smd",
        "arrest_share_6m",
        "bookings_per_person_year",
        "no_arrest_since_entry_pct",
        "legal_cost_per_person_year",
        "housed_share",
    ):
        meta = data.indicator(run.run_id, indicator_id)
        if meta is not None:
            items += [html.Dt(meta["title"]), html.Dd(meta["methodology"])]
    return html.Section(
        className="chart-card",
        **aria(labelledby="rec-methods-title"),
        children=[
            html.H2("How these figures are made", id="rec-methods-title"),
            html.P(
                "Arrest: being taken into custody. Charge: a criminal case filed in court. "
                "Booking: being booked into jail. Evaluation entry: the referral date for LEAD "
                "participants, the arrest that placed someone in the comparison group for "
                "the others. Follow-up ends at a death, an exit to incarceration or a prison "
                "admission, and days in jail are not counted as time at risk of a booking."
            ),
            html.H3("What each kind of estimate compares"),
            html.Ul(
                [
                    html.Li(
                        "After entry (the main figures): the LEAD group against the comparison "
                        "group in the months after entry. Adjusted figures account for age, "
                        "gender, race/ethnicity, housing and arrest history at entry; the "
                        "weighted one reweights the comparison group to resemble the LEAD "
                        "group, so it is the effect for people like those referred."
                    ),
                    html.Li(
                        "Change in change (secondary): each group's after-entry figure "
                        "divided by its own before-entry figure, LEAD relative to the "
                        "comparison group. It compares changes, not the groups."
                    ),
                    html.Li(
                        "Within-person change (housing, work, income, drug use): LEAD "
                        "participants against themselves before referral, with no comparison "
                        "group."
                    ),
                ]
            ),
            html.Dl(items),
            html.H3("What simulations show about the weighted estimate"),
            html.P(
                "The code is run on simulated evaluations where the true effect is known "
                "(people who differ, groups that differ at entry, uneven follow-up):"
            ),
            html.Ul(simulation_items()),
            html.P(
                "So the adjustment can be trusted for the differences it measures; a "
                "selection nobody recorded, such as people entering right after a run of "
                "arrests, can bias it either way. The E-value says how strong such a "
                "difference would have to be."
            ),
            html.H3("The published evaluation's method"),
            published_method(),
            html.P([html.Strong("Limitations: "), DESIGN_CAVEAT]),
            html.P(
                [
                    html.Strong("Privacy: "),
                    f"figures based on fewer than {threshold} people are withheld; an effect "
                    "is withheld with any figure it could be solved back from, and the survival "
                    "curve is shown only at steps of at least that many arrests (",
                    term("why some figures are withheld", "suppressed"),
                    ").",
                ]
            ),
        ],
    )
