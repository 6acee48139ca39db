"""Evaluation figures (LEAD vs comparison group) as cells for the suppression step.

The statistics come from :mod:`etl.evaluation` (statsmodels); this module only turns
their tidy outputs into candidate observations with the number of people behind each, so
that the same suppression step as every other program figure decides what is shown:

* a share is withheld unless at least ``threshold`` people have the event, at least
  ``threshold`` do not, and the group has at least ``threshold`` people;
* a rate or cost per person-year is withheld when its group has fewer than ``threshold``;
* an effect estimate (odds or rate ratio) is withheld when either group is smaller than
  ``threshold``, and with any published cell it is an exact function of
  (:mod:`etl.indicators.effects`);
* a Kaplan-Meier point is shown only at months that keep every step between shown points
  at ``threshold`` or more people (:func:`etl.indicators.effects.publishable_survival`).

Periods that are not calendar dates (before/after entry, months since entry) are written
as breakdowns, e.g. ``cohort|period`` = ``lead|after``; ``period_start_date`` is the start
of the evaluation (October 2011) and the grain ``evaluation``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from etl.evaluation import costs, drug_use, outcomes, recidivism
from etl.evaluation import windows as evaluation_windows
from etl.evaluation.common import EVALUATION_END
from etl.indicators import effects
from etl.indicators.effects import add_cell, evaluation_key
from etl.indicators.program import ALL, CellSet, cell_key, quarter_of
from etl.privacy import Relation
from etl.sources.program import ProgramExtract


def add_shares(cells: CellSet, indicator_id: str, shares: pd.DataFrame) -> None:
    """``share_with_event`` output: cohort x period shares with Wilson intervals."""
    for row in _records(shares):
        protected = min(row["people_with_event"], row["people"] - row["people_with_event"])
        add_cell(
            cells,
            indicator_id,
            "cohort|period",
            f"{row['cohort']}|{row['period']}",
            float(row["share_pct"]),
            float(protected),
            float(row["lower_pct"]),
            float(row["upper_pct"]),
            int(row["people"]),
        )


def add_rates(
    cells: CellSet,
    indicator_id: str,
    rates: pd.DataFrame,
    value_column: str = "rate",
    lower: str = "lower",
    upper: str = "upper",
) -> None:
    """Per-person-year figures (rates, costs) by cohort and period."""
    for row in _records(rates):
        add_cell(
            cells,
            indicator_id,
            "cohort|period",
            f"{row['cohort']}|{row['period']}",
            float(row[value_column]),
            float(row["people"]),
            float(row[lower]),
            float(row[upper]),
            int(row["people"]),
        )


def add_group_sizes(cells: CellSet, windows: pd.DataFrame) -> None:
    """People in each evaluation group."""
    for cohort, size in windows.groupby("cohort").size().items():
        add_cell(cells, "evaluation_group_size", "cohort", str(cohort), float(size), float(size))


def relate_group_to_referrals(cells: CellSet, windows: pd.DataFrame) -> None:
    """Give the suppression step what a reader can work out from the site's own words: the
    LEAD group is everyone referred from the program's start to the end of its entry window
    (July 2014), so its published size is the sum of those quarters' referrals, plus the
    part of the last quarter inside the window (a hidden cell, as is the rest of that
    quarter). Without it, the size and the window could narrow withheld quarters."""
    size_key = evaluation_key("evaluation_group_size", "cohort", "lead")
    if size_key not in cells.rows:
        return
    entries = pd.to_datetime(windows.loc[windows["cohort"] == "lead", "entry_date"])
    end = EVALUATION_END
    last_quarter = end.to_period("Q").start_time
    full = sorted({q for q in quarter_of(entries) if q < last_quarter})
    keys = [cell_key("referrals", q, "quarter", "referral_type", ALL) for q in full]
    tail = int((entries >= last_quarter).sum())
    last_key = cell_key("referrals", last_quarter, "quarter", "referral_type", ALL)
    if any(k not in cells.rows for k in keys) or last_key not in cells.rows:
        return
    in_full = sum(cells.rows[k].value for k in keys)
    if in_full + tail != cells.rows[size_key].value:
        return  # the group is not exactly those referrals: no such relation to give
    inside = cells.add(
        "referrals_in_entry_window", last_quarter, "quarter", "", ALL, tail, tail, hidden=True
    )
    after = cells.rows[last_key].value - tail
    outside = cells.add(
        "referrals_after_entry_window", last_quarter, "quarter", "", ALL, after, after, hidden=True
    )
    cells.relations.append(Relation.total(last_key, [inside, outside]))
    cells.relations.append(Relation.total(size_key, [*keys, inside]))


def add_survival(cells: CellSet, survival: pd.DataFrame) -> None:
    """Kaplan-Meier curves as percent not yet re-arrested, by month since entry (the rows
    :func:`etl.indicators.effects.publishable_survival` keeps; percent to 0.1 point)."""
    for row in _records(survival):
        add_cell(
            cells,
            "no_arrest_since_entry_pct",
            "cohort|month_since_entry",
            f"{row['cohort']}|{int(row['month'])}",
            round(100.0 * float(row["survival"]), 1),
            float(row["at_risk"]),
            _rounded_pct(row["lower"]),
            _rounded_pct(row["upper"]),
            int(row["at_risk"]) if bool(row["show_at_risk"]) else None,
        )


def _rounded_pct(value: object) -> float | None:
    share = _finite(value)
    return None if share is None else round(100.0 * share, 1)


def add_outcome_shares(cells: CellSet, shares: pd.DataFrame, suffix: str = "share") -> None:
    """Monthly shares of LEAD participants around referral (housing, employment, income,
    treatment, assessment): ``<outcome>_<suffix>`` by month since referral."""
    for row in _records(shares):
        protected = min(row["people_with_outcome"], row["people"] - row["people_with_outcome"])
        add_cell(
            cells,
            f"{row['outcome']}_{suffix}",
            "month_since_referral",
            str(int(row["month_since_referral"])),
            float(row["share_pct"]),
            float(protected),
            float(row["lower_pct"]),
            float(row["upper_pct"]),
            int(row["people"]),
        )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def add_evaluation(cells: CellSet, extract: ProgramExtract, threshold: int) -> None:
    """Every evaluation figure of an extract, added to ``cells`` (suppressed with the rest)."""
    as_of = pd.Timestamp(extract.extract_date)
    windows = evaluation_windows.person_windows(extract.participants, extract.legal_events, as_of)
    if windows.empty:
        return
    add_group_sizes(cells, windows)
    relate_group_to_referrals(cells, windows)
    add_shares(cells, "arrest_share_6m", recidivism.share_with_event(windows, "arrest"))
    add_shares(cells, "felony_charge_share_6m", recidivism.share_with_event(windows, "felony"))
    add_rates(
        cells, "bookings_per_person_year", recidivism.rates_per_person_year(windows, "bookings")
    )
    add_rates(
        cells, "jail_days_per_person_year", recidivism.rates_per_person_year(windows, "jail_days")
    )
    # A change-in-change ratio is an exact function of its four cells: withheld with any.
    for indicator_id, estimate, inputs in (
        ("arrest_odds_ratio", recidivism.arrest_odds_ratio(windows), "arrest_share_6m"),
        ("felony_odds_ratio", recidivism.felony_odds_ratio(windows), "felony_charge_share_6m"),
        ("booking_rate_ratio", recidivism.booking_rate_ratio(windows), "bookings_per_person_year"),
        (
            "jail_days_rate_ratio",
            recidivism.jail_days_rate_ratio(windows),
            "jail_days_per_person_year",
        ),
    ):
        effects.add_effect_cell(cells, indicator_id, estimate, inputs=effects.share_keys(inputs))
    effects.add_after_entry_effects(cells, extract, threshold)
    survival = recidivism.time_to_first_arrest(extract.participants, extract.legal_events, as_of)
    add_survival(cells, effects.publishable_survival(survival, threshold))
    table = costs.legal_costs(windows, costs.load_unit_costs())
    add_rates(
        cells,
        "legal_cost_per_person_year",
        table[table["period"].isin(["before", "after"])],
        value_column="cost_per_person_year",
    )
    add_outcome_shares(
        cells,
        outcomes.monthly_outcome_shares(extract.participants, extract.monthly_status, as_of),
    )
    for outcome in ("housed", "employed", "income_or_benefits"):
        odds = outcomes.outcome_odds_vs_baseline(
            extract.participants, extract.monthly_status, outcome, as_of
        )
        if all(math.isfinite(float(odds[k])) for k in ("estimate", "lower", "upper")):
            add_cell(
                cells,
                f"{outcome}_odds_vs_baseline",
                "",
                "",
                float(odds["estimate"]),
                float(odds["n"]),
                float(odds["lower"]),
                float(odds["upper"]),
                int(odds["n"]),
            )


def add_drug_use(cells: CellSet, extract: ProgramExtract) -> None:
    """Drug use, treatment and health-event figures, when the extract has the data."""
    as_of = pd.Timestamp(extract.extract_date)
    if drug_use.has_drug_use_data(extract.monthly_status):
        status = drug_use.assessed_status(extract.participants, extract.monthly_status, as_of)
        assessed = drug_use.assessed_shares(status).assign(outcome="drug_use_assessed")
        add_outcome_shares(cells, assessed, suffix="share")
        add_outcome_shares(cells, drug_use.treatment_shares(status))
        for row in _records(drug_use.days_of_use(status)):
            if not row["people"]:
                continue
            # A mean of 0 or 30 days tells every assessed person's value: withheld.
            extreme = float(row["mean_days"]) in (0.0, 30.0)
            add_cell(
                cells,
                "days_of_use",
                "substance|month_since_referral",
                f"{row['substance']}|{int(row['month_since_referral'])}",
                float(row["mean_days"]),
                0.0 if extreme else float(row["people"]),
                _finite(row["lower"]),
                _finite(row["upper"]),
                int(row["people"]),
            )
        for substance in drug_use.SUBSTANCES:
            trend = drug_use.days_of_use_trend(status, substance)
            if all(math.isfinite(float(trend[k])) for k in ("estimate", "lower", "upper")):
                add_cell(
                    cells,
                    "days_of_use_change_12m",
                    "substance",
                    substance,
                    float(trend["estimate"]),
                    float(trend["n"]),
                    float(trend["lower"]),
                    float(trend["upper"]),
                    int(trend["n"]),
                )
    if "health_events.csv" not in extract.provided:
        return
    windows = drug_use.health_person_windows(
        extract.participants, extract.monthly_status, extract.health_events, as_of
    )
    rates = drug_use.health_event_rates(windows)
    # A rate (or its interval) gives away how many events there were, and 0 says nobody had
    # one: protect the smaller of the people with and without such an event.
    protected = {
        (r["event_type"], r["period"]): min(
            int(r["people_with_events"]), int(r["people"]) - int(r["people_with_events"])
        )
        for r in _records(rates)
    }
    for row in _records(rates):
        if not math.isfinite(float(row["rate"])):
            continue
        add_cell(
            cells,
            "health_events_per_person_year",
            "event_type|period",
            f"{row['event_type']}|{row['period']}",
            float(row["rate"]),
            float(protected[(row["event_type"], row["period"])]),
            float(row["lower"]),
            float(row["upper"]),
            int(row["people"]),
        )
    for event_type in drug_use.HEALTH_EVENT_TYPES:
        ratio = drug_use.health_rate_ratio(windows, event_type)
        if all(math.isfinite(float(ratio[k])) for k in ("estimate", "lower", "upper")):
            smallest = min(protected[(event_type, "before")], protected[(event_type, "after")])
            add_cell(
                cells,
                "health_event_rate_ratio",
                "event_type",
                event_type,
                float(ratio["estimate"]),
                float(smallest),
                float(ratio["lower"]),
                float(ratio["upper"]),
                int(ratio["n"]),
            )


def _finite(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def unit_cost_methodology() -> str:
    """The unit costs and their sources, for the legal-cost indicator's methodology text."""
    parts = [
        f"{cost.name.replace('_', ' ')}: ${cost.amount_usd:,.0f} per "
        f"{cost.unit.removeprefix('USD per ')} ({cost.year}; "
        f"source: {cost.source})"
        for cost in costs.load_unit_costs().values()
    ]
    return "Unit costs: " + "; ".join(parts) + "."
