"""The Recidivism page's effects: the headline after-entry comparison (unadjusted, adjusted
and weighted), how fragile it is (windows, E-values), how alike the groups were at entry,
and the published evaluation put beside like-for-like figures.

Every sentence comes from :mod:`dashboard.estimand_text`, i.e. from the estimand each
indicator publishes, so the words follow what the number compares.
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard import data, row_figures
from dashboard.components.chart_card import CardContent, TableContent, data_table
from dashboard.components.controls import indicator_footer
from dashboard.published_effects import (
    ADJUSTED_FOR,
    ADJUSTMENTS,
    HEADLINE_MONTHS,
    MEASURES,
    WINDOWS,
    e_value_sentence,
    effect,
    headline_effect,
    indicator_id,
    window_sentence,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"
COVARIATES = {
    "age_band": "Age",
    "gender": "Gender",
    "race_ethnicity": "Race/ethnicity",
    "housing_status_at_referral": "Housing at referral",
}
LEVELS = {
    "under_35": "under 35",
    "35_44": "35 to 44",
    "45_and_over": "45 and over",
    "female": "female",
    "not_female": "not female",
    "black": "Black",
    "white": "white",
    "other": "other or unknown",
    "unknown": "unknown",
    "unsheltered": "unsheltered",
}
PRIOR = {
    "prior_arrests_6m": "Arrests, 6 months before entry",
    "prior_arrests_12m": "Arrests, 12 months before entry",
    "prior_bookings_6m": "Jail bookings, 6 months before entry",
    "prior_bookings_12m": "Jail bookings, 12 months before entry",
}


# --- cards ------------------------------------------------------------------------------


def _rows(run: data.PublishedRun, pairs: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Forest rows: (indicator, window months, label) -> value, bounds, is_suppressed."""
    records = []
    for indicator, months, label in pairs:
        frame = data.observations(run.run_id, indicator)
        frame = frame[frame["breakdown_value"] == str(months)]
        if frame.empty:
            continue
        row = frame.iloc[0]
        records.append(
            {
                "indicator_id": label,
                "value": row["value"],
                "lower_bound": row["lower_bound"],
                "upper_bound": row["upper_bound"],
                "denominator_n": row["denominator_n"],
                "is_suppressed": bool(row["is_suppressed"]),
            }
        )
    return pd.DataFrame(
        records,
        columns=["indicator_id", "value", "lower_bound", "upper_bound", "denominator_n",
                 "is_suppressed"],
    )  # fmt: skip


def _forest_table(frame: pd.DataFrame, caption: str) -> TableContent:
    withheld = frame["is_suppressed"].astype(bool)
    table = pd.DataFrame(
        {
            "Estimate": frame["indicator_id"],
            "Ratio": frame["value"],
            "95% CI, lower": frame["lower_bound"],
            "95% CI, upper": frame["upper_bound"],
            "People in the model": frame["denominator_n"],
        }
    )
    table.attrs["withheld"] = pd.DataFrame(
        {column: (withheld if column != "Estimate" else False) for column in table.columns}
    )
    return data_table(table, caption=caption, value_format="{:,.2f}")


SHORT_ADJUSTMENTS = {"weighted": "weighted", "adjusted": "adjusted", "after_entry": "unadjusted"}


def after_entry_rows(
    run: data.PublishedRun,
    adjustments: tuple[str, ...] = tuple(ADJUSTMENTS),
    short: bool = False,
) -> pd.DataFrame:
    """Forest rows of the after-entry comparisons at each measure's main window (``short``
    labels for the printed brief)."""
    words, months = (SHORT_ADJUSTMENTS, "mo") if short else (ADJUSTMENTS, "months")
    pairs = [
        (
            indicator_id(measure, adjustment),
            HEADLINE_MONTHS[measure],
            f"{name}, {HEADLINE_MONTHS[measure]} {months}: {words[adjustment]}",
        )
        for measure, name in MEASURES.items()
        for adjustment in adjustments
    ]
    return _rows(run, pairs)


@data.cache.memoize()
def after_entry_card(run: data.PublishedRun, threshold: int) -> CardContent:
    frame = after_entry_rows(run)
    figure = row_figures.forest_figure(frame, lambda label: label)
    sentences = []
    for measure in MEASURES:
        found = headline_effect(run, measure)
        if found is not None:
            sentences.append(found.sentence(threshold, with_note=False))
    if sentences:
        sentences.append(
            "Each compares the groups after entry. The comparison group is weighted to match "
            f"the LEAD group on {ADJUSTED_FOR}."
        )
    unadjusted = effect(run, indicator_id("arrest", "after_entry"), 6)
    if unadjusted is not None:
        sentences.append("Without weighting: " + unadjusted.sentence(threshold))
    table = _forest_table(frame, "After-entry comparisons, LEAD vs comparison group")
    footer = indicator_footer(
        run,
        indicator_id("arrest", "weighted"),
        "6 months after entry (arrests), 12 months (jail use); entries Oct 2011 to Jul 2014",
        frame,
    )
    return figure, " ".join(sentences), table, footer


@data.cache.memoize()
def sensitivity_card(run: data.PublishedRun, measure: str, threshold: int) -> CardContent:
    pairs = [
        (indicator_id(measure, adjustment), months, f"{months} months: {words}")
        for months in WINDOWS
        for adjustment, words in ADJUSTMENTS.items()
        if adjustment != "after_entry"
    ]
    frame = _rows(run, pairs)
    figure = row_figures.forest_figure(frame, lambda label: label)
    headline = headline_effect(run, measure)
    sentences = [headline.sentence(threshold)] if headline is not None else []
    sentences += [
        window_sentence(run, measure),
        e_value_sentence(run, indicator_id(measure, "weighted")),
    ]
    table = _forest_table(frame, f"{MEASURES[measure]}: estimates by follow-up window")
    footer = indicator_footer(
        run, indicator_id(measure, "weighted"), "6, 12 and 18 months after entry", frame
    )
    return figure, " ".join(s for s in sentences if s), table, footer


def balance_frame(run: data.PublishedRun) -> pd.DataFrame:
    """One row per characteristic: shares or means of each group, and the SMDs."""
    smd = data.observations(run.run_id, "covariate_balance_smd")
    counts = data.observations(run.run_id, "evaluation_covariate_count")
    means = data.observations(run.run_id, "evaluation_prior_history_mean")
    smd_values = _values(smd)
    count_values = _values(counts, with_n=True)
    mean_values = _values(means)
    rows: list[dict[str, Any]] = []
    for covariate, name in COVARIATES.items():
        levels = sorted(
            {str(v).split("|")[1] for v in smd["breakdown_value"] if str(v).startswith(covariate)}
        )
        for level in levels:
            lead = count_values.get(f"lead|{covariate}|{level}")
            control = count_values.get(f"control|{covariate}|{level}")
            rows.append(
                {
                    "label": f"{name}: {LEVELS.get(level, level.replace('_', ' '))}",
                    "lead": None if lead is None else 100 * lead[0] / lead[1],
                    "control": None if control is None else 100 * control[0] / control[1],
                    "lead_n": None if lead is None else lead[0],
                    "control_n": None if control is None else control[0],
                    "control_weighted": None,
                    "unweighted": smd_values.get(f"{covariate}|{level}|unweighted"),
                    "weighted": smd_values.get(f"{covariate}|{level}|weighted"),
                }
            )
    for covariate, name in PRIOR.items():
        rows.append(
            {
                "label": name,
                "lead": mean_values.get(f"lead|{covariate}"),
                "control": mean_values.get(f"control|{covariate}"),
                "control_weighted": mean_values.get(f"control_weighted|{covariate}"),
                "lead_n": None,
                "control_n": None,
                "unweighted": smd_values.get(f"{covariate}|mean|unweighted"),
                "weighted": smd_values.get(f"{covariate}|mean|weighted"),
            }
        )
    return pd.DataFrame(rows)


def _values(frame: pd.DataFrame, with_n: bool = False) -> dict[str, Any]:
    shown = frame[~frame["is_suppressed"].astype(bool)]
    if with_n:
        return {
            str(b): (float(v), float(n))
            for b, v, n in zip(
                shown["breakdown_value"], shown["value"], shown["denominator_n"], strict=True
            )
        }
    return {str(b): float(v) for b, v in zip(shown["breakdown_value"], shown["value"], strict=True)}


@data.cache.memoize()
def balance_card(run: data.PublishedRun, threshold: int) -> CardContent:
    frame = balance_frame(run)
    marked = frame.assign(
        label=frame["label"].where(frame["unweighted"].notna(), frame["label"] + " (withheld)")
    )
    figure = row_figures.balance_figure(marked)
    known = frame.dropna(subset=["unweighted", "weighted"])
    outside = known[known["unweighted"].abs() >= row_figures.BALANCE_LIMIT]
    after = known[known["weighted"].abs() >= row_figures.BALANCE_LIMIT]
    withheld = int(frame["unweighted"].isna().sum())
    summary = (
        f"Before weighting, the groups differed by 0.1 standard deviations or more on "
        f"{len(outside)} of the {len(known)} characteristics shown. After weighting the "
        f"comparison group, they differed on {len(after)}."
    )
    if len(outside):
        biggest = outside.iloc[outside["unweighted"].abs().argmax()]
        summary += (
            f" The largest difference before weighting was {biggest['label'].lower()} "
            f"({float(biggest['unweighted']):+.2f})."
        )
    if withheld:
        summary += (
            f" {withheld} {'is' if withheld == 1 else 'are'} withheld. Showing "
            f"{'it' if withheld == 1 else 'them'} would reveal a group of fewer than "
            f"{threshold} people."
        )
    summary += " Balance on these says nothing about differences that were not measured."
    table = pd.DataFrame(
        {
            "Characteristic": frame["label"],
            "LEAD group": frame["lead"],
            "LEAD, people": frame["lead_n"].map(_whole),
            "Comparison group": frame["control"],
            "Comparison, people": frame["control_n"].map(_whole),
            "Comparison, weighted": frame["control_weighted"],
            "Difference before weighting (SMD)": frame["unweighted"],
            "Difference after weighting (SMD)": frame["weighted"],
        }
    )
    people = ("Comparison, weighted", "LEAD, people", "Comparison, people")
    table.attrs["withheld"] = table.isna() & ~table.columns.isin(people)
    for column, share in (
        ("LEAD, people", "LEAD group"),
        ("Comparison, people", "Comparison group"),
    ):
        table.attrs["withheld"][column] = table[share].isna()  # a withheld share, its count too
    table.attrs["withheld"]["Characteristic"] = False
    caption = "Characteristics at entry: % of group (or mean per person) and SMDs"
    smd = data.observations(run.run_id, "covariate_balance_smd")
    footer = indicator_footer(run, "covariate_balance_smd", "at evaluation entry", smd)
    return figure, summary, data_table(table, caption=caption, value_format="{:,.2f}"), footer


def _whole(value: float | None) -> str | None:
    """A count as text ("37"), so the table's two-decimal format is not applied to it."""
    return None if value is None or math.isnan(value) else f"{value:,.0f}"


@lru_cache(maxsize=1)
def simulations() -> tuple[dict[str, Any], ...]:
    """Simulated coverage and bias of the weighted estimators (content file, test-checked)."""
    with (CONTENT / "simulations.toml").open("rb") as handle:
        return tuple(tomllib.load(handle)["scenario"])
