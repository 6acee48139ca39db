"""Drug use and treatment: did drug use and overdoses go down, and did treatment go up?

Built on the same published program figures, suppression, intervals and labels as the
Recidivism page: treatment shares by month since referral, days of use by substance class
beside the share of participants assessed, and overdoses, emergency visits and detox
admissions per person-year before and after referral.
"""

from __future__ import annotations

import pandas as pd
from dash import Input, dcc, html
from dash.development.base_component import Component

from dashboard import data, estimand_text, interval_figures, narrative
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    CardContent,
    CardIds,
    CardParts,
    aria,
    card_parts,
    chart_card,
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
from dashboard.pages.recidivism_cards import interval_table
from dashboard.validation import choose
from etl import settings

PATH = "/drug-use"
TITLE = "Drug use and treatment"
DESCRIPTION = (
    "Whether LEAD participants used drugs on fewer days, went into treatment more often and "
    "had fewer overdoses after referral, with 95% intervals and caveats."
)
SUBSTANCES = {
    "opioids": "Opioids",
    "stimulants": "Stimulants",
    "alcohol": "Alcohol",
    "other": "Other substances",
}
TREATMENTS = {
    "any_treatment": "In any treatment",
    "medication_treatment": "On medication for opioid use disorder",
}
EVENTS = {
    "overdose_nonfatal": "Non-fatal overdoses",
    "emergency_department_visit": "Emergency department visits",
    "detox_admission": "Detox admissions",
}
PERIODS = {"before": "12 months before referral", "after": "After referral"}
MONTHS_TITLE = "months since referral (-1 = month before)"
DESIGN_CAVEAT = (
    "These compare participants with themselves before referral. There is no comparison "
    "group for them, so changes may partly reflect time, not LEAD."
)


class Ids:
    SUBSTANCE = "du-substance"
    TREATMENT = CardIds(
        "du-treatment",
        "Treatment by month since referral",
        "Share of assessed LEAD participants in treatment each month, with 95% intervals.",
    )
    DAYS = CardIds(
        "du-days",
        "Days of use in the past 30",
        "Mean days of use among assessed participants each month, with 95% intervals; the "
        "share assessed is in the data table and the summary.",
    )
    HEALTH = CardIds(
        "du-health",
        "Overdoses, emergency visits and detox admissions",
        "Events per person-year in the 12 months before referral and after it, with 95% intervals.",
    )


def layout(**query: str) -> Component:
    """The page, its controls set from a permalink's query string when it has one."""
    return apply_view_state(page(), query)


def page() -> Component:
    run = data.published_run()
    if run is None or not run.has_program_data:
        return not_yet_published(TITLE, DESCRIPTION)
    children: list[Component] = [html.H1(TITLE), html.P(DESCRIPTION, className="lede")]
    if run.program_is_synthetic:
        children.append(
            html.P(
                [
                    html.Strong("Demonstration data, not real participants."),
                    " The published evaluation figures this site cites do not include drug "
                    "use, so these follow the assumptions of the demonstration generator, "
                    "listed under ",
                    dcc.Link("Methods", href="/methods#demo-drug-use"),
                    ".",
                ],
                className="demo-banner",
            )
        )
    has_drug_use = data.indicator(run.run_id, "days_of_use") is not None
    has_health = data.indicator(run.run_id, "health_events_per_person_year") is not None
    children.append(headline(run, has_drug_use, has_health))
    if has_drug_use:
        children += [
            chart_card(Ids.TREATMENT),
            chart_card(
                Ids.DAYS,
                controls=[radio_group(Ids.SUBSTANCE, "Substance", SUBSTANCES, "opioids")],
            ),
        ]
    else:
        children.append(_not_provided("Drug use and treatment", "monthly_status.csv"))
    if has_health:
        children.append(chart_card(Ids.HEALTH))
    else:
        children.append(_not_provided("Overdoses and emergency visits", "health_events.csv"))
    return html.Div(children, className="page")


def _not_provided(what: str, file_name: str) -> Component:
    return html.Section(
        className="chart-card",
        children=[
            html.H2(what, className="chart-card__title"),
            html.P(
                f"Not provided: the program extract in this data version has no {what.lower()} "
                f"data ({file_name}; see the program data contract).",
                className="notice",
            ),
        ],
    )


def headline(run: data.PublishedRun, has_drug_use: bool, has_health: bool) -> Component:
    """The page's answer in plain words, from the published estimates."""
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    sentences: list[str] = []
    if has_drug_use:
        change = _row(run, "days_of_use_change_12m", "opioids")
        if change is not None:
            sentences.append(
                "Over 12 months after referral, days of opioid use in the past 30 changed by "
                f"{_signed(float(change['value']))} on average (95% interval "
                f"{_signed(float(change['lower_bound']))} to "
                f"{_signed(float(change['upper_bound']))})."
            )
        treated = _month_pair(run, "any_treatment_share")
        if treated is not None:
            sentences.append(treatment_sentence(treated))
    if has_health:
        ratio = _row(run, "health_event_rate_ratio", "overdose_nonfatal")
        meta = data.indicator(run.run_id, "health_event_rate_ratio")
        if ratio is not None and meta is not None:
            sentences.append(
                estimand_text.effect_sentence(
                    meta,
                    float(ratio["value"]),
                    float(ratio["lower_bound"]),
                    float(ratio["upper_bound"]),
                    threshold,
                    outcome="the rate of non-fatal overdoses",
                )
            )
    if not sentences:
        sentences.append("No drug-use or health figures are published in this data version.")
    elif not any(estimand_text.WITHIN_PERSON_NOTE in s for s in sentences):
        sentences.append(estimand_text.WITHIN_PERSON_NOTE)
    return html.Section(
        className="headline",
        **aria(labelledby="du-headline-title"),
        children=[
            html.H2("The main results", id="du-headline-title"),
            *[html.P(s, className="headline__sentence") for s in sentences],
            html.P(
                [
                    html.Strong("Keep in mind: "),
                    DESIGN_CAVEAT,
                    " A month without an assessment is left out, never counted as no use; if "
                    "people who use more are assessed less often, the trend looks better than "
                    "it is. See the glossary: ",
                    term("confidence interval", "confidence-interval"),
                    ", ",
                    term("withheld figures", "suppressed"),
                    ".",
                ]
            ),
        ],
    )


def _row(run: data.PublishedRun, indicator_id: str, breakdown: str) -> pd.Series | None:
    frame = data.observations(run.run_id, indicator_id, breakdown_value=breakdown)
    if frame.empty or bool(frame.iloc[0]["is_suppressed"]):
        return None
    return frame.iloc[0]


def _month_pair(run: data.PublishedRun, indicator_id: str) -> tuple[float, float] | None:
    """The month-before and month-12 values, or None if either is missing or withheld."""
    months = _by_month(data.observations(run.run_id, indicator_id), "breakdown_value")
    if -1 not in months or 12 not in months:
        return None
    return months[-1], months[12]


def _by_month(frame: pd.DataFrame, column: str) -> dict[int, float]:
    """Shown values by month (``column`` holds the month or ``"x|month"``); withheld left out."""
    values: dict[int, float] = {}
    for key, value, withheld in zip(
        frame[column].astype(str), frame["value"], frame["is_suppressed"], strict=True
    ):
        if not withheld:
            values[int(key.split("|")[-1])] = float(value)
    return values


def _signed(value: float) -> str:
    return f"{value:+.1f} days".replace("-", "−")


def treatment_sentence(pair: tuple[float, float]) -> str:
    """The share in any treatment the month before referral and 12 months after."""
    return (
        f"In the month before referral, {pair[0]:.0f}% of assessed participants were in any "
        f"treatment. 12 months after, {pair[1]:.0f}% were."
    )


def treatment_card(run: data.PublishedRun) -> CardContent:
    frames = []
    for indicator_id in TREATMENTS:
        frame = data.observations(run.run_id, f"{indicator_id}_share")
        frames.append(frame.assign(series=indicator_id))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.assign(month=frame["breakdown_value"].astype(int))
    figure = interval_figures.band_lines_figure(
        frame, "month", "series", TREATMENTS.__getitem__, MONTHS_TITLE, "% of assessed"
    )
    pair = _month_pair(run, "any_treatment_share")
    summary = (
        treatment_sentence(pair)
        if pair
        else "The treatment shares around referral are not shown to protect privacy."
    )
    table = interval_table(
        frame.assign(measure=frame["series"].map(TREATMENTS)).sort_values(["measure", "month"]),
        {"measure": "Measure", "month": "Months since referral"},
        "Treatment: percent of assessed LEAD participants",
    )
    footer = indicator_footer(
        run, "any_treatment_share", "month before referral to 18 months after", frame
    )
    return figure, summary, table, footer


def days_card(run: data.PublishedRun, substance: str) -> CardContent:
    frame = data.observations(run.run_id, "days_of_use")
    frame = frame[frame["breakdown_value"].str.startswith(f"{substance}|")]
    frame = frame.assign(
        month=frame["breakdown_value"].str.split("|").str[1].astype(int), series=substance
    )
    figure = interval_figures.band_lines_figure(
        frame, "month", "series", SUBSTANCES.__getitem__, MONTHS_TITLE, "days in the past 30"
    )
    assessed_rows = data.observations(run.run_id, "drug_use_assessed_share")
    assessed = _by_month(assessed_rows, "breakdown_value")
    change = _row(run, "days_of_use_change_12m", substance)
    name = SUBSTANCES[substance].lower()
    parts = []
    shown = _by_month(frame, "breakdown_value")
    if -1 in shown and 12 in shown:
        parts.append(
            f"Days of {name} use in the past 30 averaged {shown[-1]:.1f} in the month before "
            f"referral and {shown[12]:.1f} 12 months after."
        )
    if change is not None:
        parts.append(
            f"The 12-month change estimated from every assessed month is "
            f"{_signed(float(change['value']))} (95% interval "
            f"{_signed(float(change['lower_bound']))} to "
            f"{_signed(float(change['upper_bound']))})."
        )
    if 12 in assessed:
        parts.append(
            f"{assessed[12]:.0f}% of participants followed were assessed 12 months after referral."
        )
    summary = " ".join(parts) or "These figures are not shown to protect privacy."
    merged = frame.assign(
        assessed=frame["month"].map(
            lambda m: f"{assessed[m]:.0f}%" if m in assessed else "withheld"
        )
    ).sort_values("month")
    table = interval_table(
        merged,
        {"month": "Months since referral", "assessed": "Share assessed"},
        f"Days of {name} use in the past 30 (mean of assessed participants)",
    )
    footer = indicator_footer(run, "days_of_use", "month before referral to 18 months after", frame)
    return figure, summary, table, footer


def health_card(run: data.PublishedRun) -> CardContent:
    frame = data.observations(run.run_id, "health_events_per_person_year")
    parts = frame["breakdown_value"].str.split("|", expand=True)
    frame = frame.assign(event=parts[0], period=parts[1])
    figure = interval_figures.interval_bars_figure(
        frame, "event", "period", EVENTS.__getitem__, PERIODS.__getitem__, "events per person-year"
    )
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    sentences = []
    for event_type, label in EVENTS.items():
        ratio = _row(run, "health_event_rate_ratio", event_type)
        if ratio is None:
            continue
        size, sureness = narrative.effect_parts(
            float(ratio["value"]), float(ratio["lower_bound"]), float(ratio["upper_bound"])
        )
        than = estimand_text.comparative(size)
        sentences.append(f"{label} were {size} after referral {than} before. {sureness}")
    if sentences:
        sentences.append(estimand_text.WITHIN_PERSON_NOTE)
    summary = " ".join(sentences) or (
        f"The comparison is not shown to protect privacy (fewer than {threshold} people)."
    )
    table = interval_table(
        frame.assign(
            kind=frame["event"].map(EVENTS), when=frame["period"].map(PERIODS)
        ).sort_values(["kind", "when"]),
        {"kind": "Event", "when": "Period"},
        "Health events per person-year, LEAD participants",
        value_format="{:,.2f}",
    )
    footer = indicator_footer(
        run, "health_events_per_person_year", "12 months before referral to 18 after", frame
    )
    return figure, summary, table, footer


@card_callback(Ids.TREATMENT, Input(Ids.TREATMENT.card_id, "id"))
def update_treatment(_trigger: object) -> CardParts:
    share = Share(
        Ids.TREATMENT.card_id,
        Ids.TREATMENT.heading,
        ("any_treatment_share", "medication_treatment_share"),
    )
    return card_parts(*treatment_card(published_run_or_stop()), None, share)


@card_callback(Ids.DAYS, Input(Ids.SUBSTANCE, "value"))
def update_days(substance: object) -> CardParts:
    value, notice = choose(substance, list(SUBSTANCES), "opioids", "substance")
    share = Share(
        Ids.DAYS.card_id,
        Ids.DAYS.heading,
        ("days_of_use",),
        {"breakdown_prefix": f"{value}|"},
        view=SUBSTANCES[value],
    )
    return card_parts(*days_card(published_run_or_stop(), value), notice, share)


@card_callback(Ids.HEALTH, Input(Ids.HEALTH.card_id, "id"))
def update_health(_trigger: object) -> CardParts:
    share = Share(
        Ids.HEALTH.card_id,
        Ids.HEALTH.heading,
        ("health_events_per_person_year", "health_event_rate_ratio"),
    )
    return card_parts(*health_card(published_run_or_stop()), None, share)
