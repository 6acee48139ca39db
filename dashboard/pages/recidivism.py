"""Recidivism: were people referred to LEAD arrested, charged and jailed less than
comparable people processed as usual? Effects with 95% intervals, beside what the published
evaluation found."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from dash import Input, callback, html
from dash.development.base_component import Component

from dashboard import data, figures, summaries
from dashboard.components.chart_card import (
    DEMO_LABEL,
    CardContent,
    CardIds,
    aria,
    card_parts,
    chart_card,
    data_table,
    scroll_region,
)
from dashboard.components.controls import (
    apply_view_state,
    indicator_footer,
    published_run_or_stop,
    radio_group,
)
from dashboard.components.share import Share
from dashboard.glossary import term
from dashboard.pages.placeholder import not_yet_published
from dashboard.validation import choose
from etl import settings

PATH = "/recidivism"
TITLE = "Recidivism"
DESCRIPTION = (
    "Whether people referred to LEAD were arrested, charged and jailed less often than a "
    "comparable group processed as usual, with 95% confidence intervals."
)
FINDINGS_FILE = Path(__file__).resolve().parent.parent / "content" / "published_findings.toml"
DESIGN_CAVEAT = (
    "This was not a randomised trial: police shifts were assigned to LEAD or to usual "
    "processing, people were not. The groups may differ in ways these figures cannot remove."
)


class Ids:
    SHARE_EVENT = "rec-share-event"
    JAIL_MEASURE = "rec-jail-measure"
    OUTCOME = "rec-outcome"
    HEADLINE = "rec-headline"
    SHARES = CardIds(
        "rec-shares",
        "People arrested or charged, six months before and after entry",
        "Share of each group with at least one event; bars show 95% confidence intervals.",
    )
    EFFECTS = CardIds(
        "rec-effects",
        "Effect estimates: LEAD compared with the comparison group",
        "Below 1 means the LEAD group improved more than the comparison group after entry.",
    )
    SURVIVAL = CardIds(
        "rec-survival",
        "Time to first arrest after entry",
        "Estimated share of each group not yet arrested, by months since entry.",
    )
    JAIL = CardIds(
        "rec-jail",
        "Jail use per person-year, before and after entry",
        "12 months before entry and up to 12 months after; 95% confidence intervals.",
    )
    COSTS = CardIds(
        "rec-costs",
        "Criminal legal system cost per person-year",
        "Bookings, jail days, prosecution, defence and court, at the unit costs under Methods.",
    )
    OUTCOMES = CardIds(
        "rec-outcomes",
        "Housing, work and income after referral (LEAD participants)",
        "Share of assessed participants in each month, from the month before referral.",
    )


SHARE_EVENTS = {"arrest": "Arrested", "felony": "Charged with a felony"}
SHARE_INDICATORS = {"arrest": "arrest_share_6m", "felony": "felony_charge_share_6m"}
JAIL_MEASURES = {"bookings": "Jail bookings", "jail_days": "Days in jail"}
JAIL_INDICATORS = {
    "bookings": "bookings_per_person_year",
    "jail_days": "jail_days_per_person_year",
}
OUTCOMES = {
    "housed": "Sheltered or housed",
    "employed": "Employed or in training",
    "income_or_benefits": "Income or benefits",
}
EFFECTS = {
    "arrest_odds_ratio": "Arrest (odds ratio)",
    "felony_odds_ratio": "Felony charge (odds ratio)",
    "booking_rate_ratio": "Jail bookings (rate ratio)",
    "jail_days_rate_ratio": "Days in jail (rate ratio)",
}
COHORTS = {"lead": "LEAD group", "control": "Comparison group"}
PERIODS = {"before": "Before entry", "after": "After entry"}


def layout(**query: str) -> Component:
    """The page, its controls set from a permalink's query string when it has one."""
    return apply_view_state(page(), query)


def page() -> Component:
    run = data.published_run()
    if run is None or data.indicator(run.run_id, "arrest_odds_ratio") is None:
        return not_yet_published(TITLE, DESCRIPTION)
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    children: list[Component] = [html.H1("Recidivism: LEAD compared with usual processing")]
    if run.program_is_synthetic:
        children.append(
            html.P(
                [
                    html.Strong(DEMO_LABEL),
                    ": these estimates come from generated records that "
                    "resemble the published evaluation; they do not describe real people.",
                ],
                className="demo-banner",
            )
        )
    children += [
        headline(run, threshold),
        chart_card(
            Ids.SHARES,
            controls=[radio_group(Ids.SHARE_EVENT, "Show", SHARE_EVENTS, "arrest")],
        ),
        chart_card(
            Ids.EFFECTS,
        ),
        chart_card(
            Ids.SURVIVAL,
        ),
        chart_card(
            Ids.JAIL,
            controls=[radio_group(Ids.JAIL_MEASURE, "Show", JAIL_MEASURES, "bookings")],
        ),
        chart_card(
            Ids.COSTS,
        ),
        chart_card(
            Ids.OUTCOMES,
            controls=[radio_group(Ids.OUTCOME, "Show", OUTCOMES, "housed")],
        ),
        published_panel(run),
        methods_section(run, threshold),
    ]
    return html.Div(children, className="page")


def _effect(run: data.PublishedRun, indicator_id: str) -> pd.Series | None:
    frame = data.observations(run.run_id, indicator_id)
    return None if frame.empty else frame.iloc[0]


def _ratio_text(row: pd.Series | None, quantity: str, when: str, threshold: int) -> str:
    if row is None or bool(row["is_suppressed"]):
        return summaries.ratio_sentence(None, None, None, quantity, when, threshold)
    return summaries.ratio_sentence(
        float(row["value"]),
        float(row["lower_bound"]),
        float(row["upper_bound"]),
        quantity,
        when,
        threshold,
    )


def headline(run: data.PublishedRun, threshold: int) -> Component:
    row = _effect(run, "arrest_odds_ratio")
    sentence = _ratio_text(row, "odds of arrest", "in the six months after entry", threshold)
    sizes = _by(data.observations(run.run_id, "evaluation_group_size"), "breakdown_value")
    groups = ", ".join(f"{COHORTS[c]}: {_size_text(sizes[c])}" for c in COHORTS if c in sizes)
    return html.Section(
        className="headline",
        **aria(labelledby="rec-headline-title"),
        children=[
            html.H2("The main result", id="rec-headline-title"),
            html.P(sentence, id=Ids.HEADLINE, className="headline__sentence"),
            html.P(
                [
                    html.Strong("Keep in mind: "),
                    DESIGN_CAVEAT,
                    " See the glossary: ",
                    term("comparison group", "control-group"),
                    ", ",
                    term("odds ratio", "odds-ratio"),
                    ", ",
                    term("confidence interval", "confidence-interval"),
                    ".",
                ]
            ),
            html.P(f"Evaluation groups ({groups}); people who entered October 2011 to July 2014."),
        ],
    )


def _by(frame: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    """Rows of ``frame`` keyed by ``column`` (typed as plain dicts for formatting)."""
    return {str(r[column]): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")}


def _size_text(row: dict[str, Any]) -> str:
    return "withheld" if bool(row["is_suppressed"]) else f"{int(row['value']):,} people"


@lru_cache(maxsize=1)
def published_findings() -> tuple[dict[str, object], ...]:
    """The published evaluation's confirmed figures (a content file staff can edit)."""
    with FINDINGS_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["finding"])


def _current_text(run: data.PublishedRun, indicator_id: str, threshold: int) -> str:
    if not indicator_id:
        return "Not computed from the current data."
    frame = data.observations(run.run_id, indicator_id)
    if frame.empty:
        return "No figure in the current data."
    if indicator_id.endswith(("_odds_ratio", "_rate_ratio")):
        row = frame.iloc[0]
        if bool(row["is_suppressed"]):
            return "Withheld (a group is too small)."
        size, direction = summaries.percent_change(float(row["value"]))
        low = summaries.percent_change(float(row["lower_bound"]))
        high = summaries.percent_change(float(row["upper_bound"]))
        return (
            f"{size}% {direction} (95% CI {low[0]}% {low[1]} to {high[0]}% {high[1]}); "
            "six months after entry."
        )
    if indicator_id == "program_cost_per_participant_month":
        return summaries.change_summary(frame, "Cost per participant-month", prefix="$")
    if indicator_id == "housed_share":
        shown = _by(frame[~frame["is_suppressed"]], "breakdown_value")
        if {"-1", "12"} <= set(shown):
            return (
                f"Sheltered or housed: {shown['-1']['value']:.0f}% in the month before "
                f"referral, {shown['12']['value']:.0f}% twelve months after."
            )
        return "Withheld or not available for those months."
    split = frame["breakdown_value"].str.split("|", expand=True)
    frame = frame.assign(cohort=split[0], period=split[1])
    parts = []
    for cohort, name in COHORTS.items():
        rows = _by(frame[frame["cohort"] == cohort], "period")
        if {"before", "after"} <= set(rows) and not any(r["is_suppressed"] for r in rows.values()):
            parts.append(
                f"{name}: {rows['before']['value']:,.1f} before, "
                f"{rows['after']['value']:,.1f} after"
            )
        else:
            parts.append(f"{name}: withheld")
    return "; ".join(parts) + " (per person-year)."


def published_panel(run: data.PublishedRun) -> Component:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in (
                    "Measure",
                    "What the published evaluation found",
                    "What the current data show",
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
        rows.append(
            html.Tr(
                [
                    html.Th(str(finding["measure"]), scope="row"),
                    html.Td([str(finding["statement"]), *citation]),
                    html.Td(_current_text(run, str(finding.get("compare_with", "")), threshold)),
                ]
            )
        )
    note = (
        "The published figures are from the peer-reviewed articles and reports listed; only "
        "figures confirmed in the publishers' own abstracts or summaries are shown. "
    )
    if run.program_is_synthetic:
        note += "The current data are demonstration data, so agreement is by construction."
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
                        html.Caption("Published evaluation and current data"),
                        header,
                        html.Tbody(rows),
                    ],
                    className="data-table data-table--text",
                ),
            ),
        ],
    )


def methods_section(run: data.PublishedRun, threshold: int) -> Component:
    items = []
    for indicator_id in (
        "arrest_share_6m",
        "arrest_odds_ratio",
        "booking_rate_ratio",
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
                "the others."
            ),
            html.Dl(items),
            html.P(
                [
                    html.Strong("Limitations: "),
                    DESIGN_CAVEAT,
                    " Confidence intervals reflect the "
                    "number of people only. Estimates are not adjusted for age, gender or history "
                    "beyond the before-period in the model.",
                ]
            ),
            html.P(
                [
                    html.Strong("Privacy: "),
                    f"figures based on fewer than {threshold} people "
                    "are withheld; an effect estimate is withheld when either group is smaller "
                    "than that, and a survival curve stops where fewer remain at risk.",
                ]
            ),
        ],
    )


ORDER = {"lead": 0, "control": 1, "before": 0, "after": 1}


def _split(frame: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Split a compound breakdown (``lead|after``) and order LEAD first, before first."""
    parts = frame["breakdown_value"].str.split("|", n=1, expand=True)
    split = frame.assign(**{first: parts[0], second: parts[1]})
    order = [split[second].map(ORDER).fillna(0), split[first].map(ORDER).fillna(0)]
    return (
        split.assign(_a=order[0], _b=order[1]).sort_values(["_a", "_b"]).drop(columns=["_a", "_b"])
    )


def interval_table(
    frame: pd.DataFrame, columns: dict[str, str], caption: str, value_format: str = "{:,.1f}"
) -> Component:
    """One row per observation: labels, value, 95% interval, group size; withheld marked."""
    rows, flags = [], []
    for row in frame.itertuples():
        withheld = bool(row.is_suppressed)
        record: dict[str, object] = {
            label: getattr(row, column) for column, label in columns.items()
        }
        record.update(
            {
                "Value": None if withheld else row.value,
                "95% CI, lower": None if withheld else row.lower_bound,
                "95% CI, upper": None if withheld else row.upper_bound,
                "People": None if withheld else row.denominator_n,
            }
        )
        rows.append(record)
        flags.append(
            {
                k: (withheld and k in {"Value", "95% CI, lower", "95% CI, upper", "People"})
                for k in record
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["withheld"] = pd.DataFrame(flags)
    return data_table(table, caption=caption, value_format=value_format)


@data.cache.memoize()
def shares_card(run: data.PublishedRun, event: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id = SHARE_INDICATORS[event]
    frame = _split(data.observations(run.run_id, indicator_id), "cohort", "period")
    figure = figures.interval_bars_figure(
        frame, "period", "cohort", PERIODS.__getitem__, COHORTS.__getitem__, "percent of group"
    )
    summary = summaries.before_after_summary(frame, SHARE_EVENTS[event].lower(), threshold)
    labelled = frame.assign(group=frame["cohort"].map(COHORTS), when=frame["period"].map(PERIODS))
    table = interval_table(
        labelled, {"group": "Group", "when": "Window"}, f"{SHARE_EVENTS[event]}: percent of group"
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, indicator_id, "six months before and after entry", frame),
    )


@data.cache.memoize()
def effects_card(run: data.PublishedRun) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frames = [data.observations(run.run_id, i) for i in EFFECTS]
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    figure = figures.forest_figure(frame, EFFECTS.__getitem__)
    sentences = [
        _ratio_text(
            _effect(run, "arrest_odds_ratio"),
            "odds of arrest",
            "in the six months after entry",
            threshold,
        ),
        _ratio_text(
            _effect(run, "booking_rate_ratio"),
            "rates of jail booking",
            "in the year after entry",
            threshold,
        ),
    ]
    labelled = frame.assign(measure=frame["indicator_id"].map(EFFECTS))
    table = interval_table(
        labelled,
        {"measure": "Measure"},
        "Effect estimates, LEAD vs comparison",
        value_format="{:,.2f}",
    )
    return (
        figure,
        " ".join(sentences),
        table,
        indicator_footer(
            run, "arrest_odds_ratio", "evaluation entries Oct 2011 to Jul 2014", frame
        ),
    )


@data.cache.memoize()
def survival_card(run: data.PublishedRun) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frame = _split(data.observations(run.run_id, "no_arrest_since_entry_pct"), "cohort", "month")
    frame["month"] = frame["month"].astype(int)
    figure = figures.band_lines_figure(
        frame,
        "month",
        "cohort",
        COHORTS.__getitem__,
        "months since entry",
        "% not yet arrested",
        step=True,
    )
    summary = summaries.survival_summary(frame, COHORTS, threshold)
    labelled = frame.assign(group=frame["cohort"].map(COHORTS)).sort_values(["cohort", "month"])
    table = interval_table(
        labelled,
        {"group": "Group", "month": "Months since entry"},
        "Percent not yet arrested since entry",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, "no_arrest_since_entry_pct", "up to 24 months after entry", frame),
    )


@data.cache.memoize()
def jail_card(run: data.PublishedRun, measure: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id = JAIL_INDICATORS[measure]
    frame = _split(data.observations(run.run_id, indicator_id), "cohort", "period")
    unit = "bookings per person-year" if measure == "bookings" else "days per person-year"
    figure = figures.interval_bars_figure(
        frame, "period", "cohort", PERIODS.__getitem__, COHORTS.__getitem__, unit
    )
    summary = summaries.before_after_rate_summary(frame, unit, threshold)
    labelled = frame.assign(group=frame["cohort"].map(COHORTS), when=frame["period"].map(PERIODS))
    table = interval_table(
        labelled, {"group": "Group", "when": "Window"}, f"{JAIL_MEASURES[measure]} per person-year"
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, indicator_id, "12 months before and after entry", frame),
    )


@data.cache.memoize()
def costs_card(run: data.PublishedRun) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frame = _split(data.observations(run.run_id, "legal_cost_per_person_year"), "cohort", "period")
    figure = figures.interval_bars_figure(
        frame,
        "period",
        "cohort",
        PERIODS.__getitem__,
        COHORTS.__getitem__,
        "US dollars per person-year",
    )
    summary = summaries.before_after_rate_summary(
        frame, "US dollars per person-year", threshold, prefix="$"
    )
    labelled = frame.assign(group=frame["cohort"].map(COHORTS), when=frame["period"].map(PERIODS))
    table = interval_table(
        labelled,
        {"group": "Group", "when": "Window"},
        "Legal system cost per person-year (US dollars)",
        "{:,.0f}",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(
            run, "legal_cost_per_person_year", "12 months before and after entry", frame
        ),
    )


@data.cache.memoize()
def outcomes_card(run: data.PublishedRun, outcome: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id = f"{outcome}_share"
    frame = data.observations(run.run_id, indicator_id)
    frame = frame.assign(month=frame["breakdown_value"].astype(int), series="lead")
    figure = figures.band_lines_figure(
        frame,
        "month",
        "series",
        lambda _s: OUTCOMES[outcome],
        "months since referral (-1 = month before)",
        "% of assessed participants",
    )
    summary = summaries.trajectory_summary(frame, OUTCOMES[outcome].lower(), threshold)
    odds = _effect(run, f"{outcome}_odds_vs_baseline")
    if odds is not None and not bool(odds["is_suppressed"]):
        summary += (
            f" Across months 0 to 18, the odds were {float(odds['value']):.1f} times those of the "
            f"month before referral (95% confidence interval {float(odds['lower_bound']):.1f} to "
            f"{float(odds['upper_bound']):.1f})."
        )
    table = interval_table(
        frame.sort_values("month"),
        {"month": "Months since referral"},
        f"{OUTCOMES[outcome]}: percent of assessed LEAD participants",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, indicator_id, "month before referral to 18 months after", frame),
    )


@callback(*Ids.SHARES.outputs(), Input(Ids.SHARE_EVENT, "value"))
def update_shares(event: object) -> tuple[object, ...]:
    value, notice = choose(event, list(SHARE_EVENTS), "arrest", "event", SHARE_EVENTS.__getitem__)
    share = Share(Ids.SHARES.card_id, Ids.SHARES.heading, (SHARE_INDICATORS[value],))
    return card_parts(*shares_card(published_run_or_stop(), value), notice, share)


@callback(*Ids.EFFECTS.outputs(), Input(Ids.SHARE_EVENT, "id"))
def update_effects(_trigger: object) -> tuple[object, ...]:
    share = Share(Ids.EFFECTS.card_id, Ids.EFFECTS.heading, tuple(EFFECTS))
    return card_parts(*effects_card(published_run_or_stop()), None, share)


@callback(*Ids.SURVIVAL.outputs(), Input(Ids.SHARE_EVENT, "id"))
def update_survival(_trigger: object) -> tuple[object, ...]:
    share = Share(Ids.SURVIVAL.card_id, Ids.SURVIVAL.heading, ("no_arrest_since_entry_pct",))
    return card_parts(*survival_card(published_run_or_stop()), None, share)


@callback(*Ids.JAIL.outputs(), Input(Ids.JAIL_MEASURE, "value"))
def update_jail(measure: object) -> tuple[object, ...]:
    value, notice = choose(
        measure, list(JAIL_MEASURES), "bookings", "measure", JAIL_MEASURES.__getitem__
    )
    share = Share(Ids.JAIL.card_id, Ids.JAIL.heading, (JAIL_INDICATORS[value],))
    return card_parts(*jail_card(published_run_or_stop(), value), notice, share)


@callback(*Ids.COSTS.outputs(), Input(Ids.SHARE_EVENT, "id"))
def update_costs(_trigger: object) -> tuple[object, ...]:
    share = Share(Ids.COSTS.card_id, Ids.COSTS.heading, ("legal_cost_per_person_year",))
    return card_parts(*costs_card(published_run_or_stop()), None, share)


@callback(*Ids.OUTCOMES.outputs(), Input(Ids.OUTCOME, "value"))
def update_outcomes(outcome: object) -> tuple[object, ...]:
    value, notice = choose(outcome, list(OUTCOMES), "housed", "outcome", OUTCOMES.__getitem__)
    share = Share(Ids.OUTCOMES.card_id, Ids.OUTCOMES.heading, (f"{value}_share",))
    return card_parts(*outcomes_card(published_run_or_stop(), value), notice, share)
