"""The Recidivism page's descriptive cards and its change-in-change (secondary) estimates:
shares and rates before and after entry, time to first arrest, legal costs, and LEAD
participants' housing, work and income over time."""

from __future__ import annotations

import pandas as pd

from dashboard import data, interval_figures, row_figures, summaries
from dashboard.components.chart_card import CardContent, TableContent, data_table
from dashboard.components.controls import indicator_footer
from dashboard.published_effects import effect_text
from etl import settings

SHARE_EVENTS = {"arrest": "Arrested", "felony": "Charged with a felony"}
SHARE_INDICATORS = {"arrest": "arrest_share_6m", "felony": "felony_charge_share_6m"}
JAIL_MEASURES = {"bookings": "Jail bookings", "jail_days": "Days in jail"}
JAIL_INDICATORS = {
    "bookings": "bookings_per_person_year",
    "jail_days": "jail_days_per_person_year",
}
OUTCOME_PHRASES = {  # for sentences: "29% of assessed participants were sheltered or housed"
    "housed": "were sheltered or housed",
    "employed": "were employed or in training",
    "income_or_benefits": "had income or benefits",
}
OUTCOMES = {
    "housed": "Sheltered or housed",
    "employed": "Employed or in training",
    "income_or_benefits": "Income or benefits",
}
CHANGE_IN_CHANGE = {
    "arrest_odds_ratio": "Arrest (odds ratio)",
    "felony_odds_ratio": "Felony charge (odds ratio)",
    "booking_rate_ratio": "Jail bookings (rate ratio)",
    "jail_days_rate_ratio": "Days in jail (rate ratio)",
}
COHORTS = {"lead": "LEAD group", "control": "Comparison group"}
PERIODS = {"before": "Before entry", "after": "After entry"}


def followed_up_sentence(frame: pd.DataFrame) -> str:
    """How many of those assessed in the month before referral were assessed at month 12."""
    shown = frame[~frame["is_suppressed"].astype(bool)]
    people = dict(zip(shown["breakdown_value"].astype(str), shown["denominator_n"], strict=True))
    if "-1" not in people or "12" not in people or not people["-1"]:
        return ""
    share = 100 * float(people["12"]) / float(people["-1"])
    return (
        f"{int(people['12']):,} people were assessed 12 months after referral. That is "
        f"{share:.0f}% as many as in the month before ({int(people['-1']):,}). People no longer "
        "followed may be doing better or worse."
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
) -> TableContent:
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


def _cohort_period_card(
    run: data.PublishedRun,
    indicator_id: str,
    frame: pd.DataFrame,
    unit: str,
    summary: str,
    caption: str,
    period: str,
    value_format: str = "{:,.1f}",
) -> CardContent:
    """Bars with 95% intervals for each group before and after entry, with its table."""
    figure = interval_figures.interval_bars_figure(
        frame, "period", "cohort", PERIODS.__getitem__, COHORTS.__getitem__, unit
    )
    labelled = frame.assign(group=frame["cohort"].map(COHORTS), when=frame["period"].map(PERIODS))
    table = interval_table(labelled, {"group": "Group", "when": "Window"}, caption, value_format)
    return figure, summary, table, indicator_footer(run, indicator_id, period, frame)


def _cohort_period_frame(run: data.PublishedRun, indicator_id: str) -> pd.DataFrame:
    return _split(data.observations(run.run_id, indicator_id), "cohort", "period")


@data.cache.memoize()
def shares_card(run: data.PublishedRun, event: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id = SHARE_INDICATORS[event]
    frame = _cohort_period_frame(run, indicator_id)
    summary = summaries.before_after_summary(frame, SHARE_EVENTS[event].lower(), threshold)
    return _cohort_period_card(
        run, indicator_id, frame, "percent of group", summary,
        f"{SHARE_EVENTS[event]}: percent of group", "six months before and after entry",
    )  # fmt: skip


@data.cache.memoize()
def change_in_change_card(run: data.PublishedRun) -> CardContent:
    """The secondary estimates: each group's change from before to after entry, LEAD's
    relative to the comparison group's (worded as changes, never as group differences)."""
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frames = [data.observations(run.run_id, i) for i in CHANGE_IN_CHANGE]
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    figure = row_figures.forest_figure(
        frame,
        CHANGE_IN_CHANGE.__getitem__,
        x_title="ratio of the groups' before-to-after changes (log scale; 1 = same change)",
        sides=("LEAD's change lower", "LEAD's change higher"),
    )
    sentences = [
        effect_text(run, indicator_id, threshold)
        for indicator_id in ("arrest_odds_ratio", "booking_rate_ratio")
    ]
    labelled = frame.assign(measure=frame["indicator_id"].map(CHANGE_IN_CHANGE))
    table = interval_table(
        labelled,
        {"measure": "Measure"},
        "Change in change, LEAD relative to the comparison group",
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
    figure = interval_figures.band_lines_figure(
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
    unit = "bookings per person-year" if measure == "bookings" else "days per person-year"
    frame = _cohort_period_frame(run, indicator_id)
    summary = summaries.before_after_rate_summary(frame, unit, threshold)
    return _cohort_period_card(
        run, indicator_id, frame, unit, summary, f"{JAIL_MEASURES[measure]} per person-year",
        "12 months before and after entry",
    )  # fmt: skip


@data.cache.memoize()
def costs_card(run: data.PublishedRun) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id, unit = "legal_cost_per_person_year", "US dollars per person-year"
    frame = _cohort_period_frame(run, indicator_id)
    summary = summaries.before_after_rate_summary(frame, unit, threshold, prefix="$")
    return _cohort_period_card(
        run, indicator_id, frame, unit, summary, "Legal system cost per person-year (US dollars)",
        "12 months before and after entry", "{:,.0f}",
    )  # fmt: skip


@data.cache.memoize()
def outcomes_card(run: data.PublishedRun, outcome: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id = f"{outcome}_share"
    frame = data.observations(run.run_id, indicator_id)
    frame = frame.assign(month=frame["breakdown_value"].astype(int), series="lead")
    figure = interval_figures.band_lines_figure(
        frame,
        "month",
        "series",
        lambda _s: OUTCOMES[outcome],
        "months since referral (-1 = month before)",
        "% of assessed participants",
    )
    summary = summaries.trajectory_summary(frame, OUTCOME_PHRASES[outcome], threshold)
    summary += " " + effect_text(run, f"{outcome}_odds_vs_baseline", threshold)
    summary += " " + followed_up_sentence(frame)
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
