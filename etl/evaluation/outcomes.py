"""Housing, employment and income/benefits of LEAD participants by month since referral.

Pure functions of the de-identified, in-memory frames ``participants`` and
``monthly_status`` of :class:`etl.sources.program.ProgramExtract`. Nothing here is
suppressed: the caller must pass every figure through the small-cell suppression step.
No function logs anything, and no error holds a value from the data.

Definitions (cited on the site)
-------------------------------
* **People**: LEAD participants (``cohort == "lead"``, any referral date, whether or not
  they enrolled; in practice only enrolled participants have monthly status rows). The
  comparison cohort has no monthly status.
* **Month since referral**: the calendar month of a status row minus the calendar month of
  ``referral_date``: ``-1`` is the month before referral (the baseline of the published
  design), ``0`` the referral month, ``18`` the last month of the published 18-month
  follow-up.
* **Housed** (as "sheltered" in the 2016 evaluation report, "over twice as likely to be
  sheltered (e.g., permanent housing, temporary housing, emergency shelter)"):
  ``housing_status`` is ``homeless_sheltered``, ``temporary_housing`` or
  ``permanent_housing``; ``homeless_unsheltered`` is not housed.
* **Employed** ("on the employment continuum"): ``employment_status`` is
  ``employed_part_time``, ``employed_full_time`` or ``in_training``; ``unemployed`` is not.
* **Income or benefits**: ``has_income_or_benefits`` is true.
* **Not assessed is never "no"**: a status of ``unknown`` (NA for income) and a month with
  no status row are left out of that month's denominator.
* **Complete months only**: a month is counted only once it has ended by the extract date
  (a status for the month that holds the extract date may still be updated).

Methods (statsmodels): Wilson score 95% intervals for shares; logistic GEE (binomial,
exchangeable working correlation, robust sandwich errors, people as clusters) for the odds
in follow-up months against the baseline month.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypedDict

import numpy as np
import pandas as pd
import statsmodels.api as sm

from etl.evaluation.common import (
    EvaluationError,
    fit_last_coefficient,
    require,
    timestamp,
    wilson_pct,
)

OUTCOMES = ("housed", "employed", "income_or_benefits")
HOUSED_STATUSES = ("homeless_sheltered", "temporary_housing", "permanent_housing")
NOT_HOUSED_STATUSES = ("homeless_unsheltered",)
EMPLOYED_STATUSES = ("employed_part_time", "employed_full_time", "in_training")
NOT_EMPLOYED_STATUSES = ("unemployed",)
BASELINE_MONTH = -1
FOLLOW_UP_MONTHS = range(0, 19)
OUTCOME_COLUMNS = (
    "outcome",
    "month_since_referral",
    "people",
    "people_with_outcome",
    "share_pct",
    "lower_pct",
    "upper_pct",
)


class BaselineOdds(TypedDict):
    """Odds of an outcome in follow-up months vs the baseline month (NaN if not estimable)."""

    estimate: float
    lower: float
    upper: float
    p_value: float
    n: int
    method: str


def outcome_values(monthly_status: pd.DataFrame, outcome: str) -> pd.Series:
    """The outcome of each status row as pandas ``boolean``: NA where not assessed.

    ``outcome`` is ``housed``, ``employed`` or ``income_or_benefits`` (module docstring).
    """
    if outcome == "housed":
        status = monthly_status["housing_status"]
        return _category_flag(status, HOUSED_STATUSES, NOT_HOUSED_STATUSES)
    if outcome == "employed":
        status = monthly_status["employment_status"]
        return _category_flag(status, EMPLOYED_STATUSES, NOT_EMPLOYED_STATUSES)
    if outcome == "income_or_benefits":
        return monthly_status["has_income_or_benefits"].astype("boolean")
    raise EvaluationError("outcome must be one of: " + ", ".join(OUTCOMES))


def _category_flag(status: pd.Series, yes: tuple[str, ...], no: tuple[str, ...]) -> pd.Series:
    values = pd.Series(pd.NA, index=status.index, dtype="boolean")
    values[status.isin(yes)] = True
    values[status.isin(no)] = False
    return values


def status_by_month(
    participants: pd.DataFrame,
    monthly_status: pd.DataFrame,
    extract_date: date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """LEAD status rows with ``person_key`` and ``month_since_referral`` (person-level).

    Drops rows of people who are not LEAD participants and, if ``extract_date`` is given,
    months that had not ended by it. Never publish this frame.
    """
    require(participants, ("person_key", "cohort", "referral_date"), "participants")
    require(
        monthly_status,
        ("person_key", "month", "housing_status", "employment_status", "has_income_or_benefits"),
        "monthly_status",
    )
    lead = participants.loc[participants["cohort"] == "lead", ["person_key", "referral_date"]]
    status = monthly_status.merge(lead, on="person_key", how="inner")
    if extract_date is not None:
        month_end = status["month"] + pd.offsets.MonthEnd(0)
        status = status[month_end <= timestamp(extract_date)]
    month, referral = status["month"], status["referral_date"]
    offset = (month.dt.year - referral.dt.year) * 12 + (month.dt.month - referral.dt.month)
    status = status.assign(month_since_referral=offset.astype(int))
    return status.reset_index(drop=True)


def monthly_outcome_shares(
    participants: pd.DataFrame,
    monthly_status: pd.DataFrame,
    extract_date: date | pd.Timestamp,
    months: Iterable[int] = range(-1, 19),
) -> pd.DataFrame:
    """Share of assessed LEAD participants housed, employed, with income, per month.

    Args:
        participants: ``ProgramExtract.participants``.
        monthly_status: ``ProgramExtract.monthly_status``.
        extract_date: only months that had ended by this date are counted.
        months: months since referral to report (default -1 = baseline, 0..18).

    Returns:
        One row per outcome (``housed``, ``employed``, ``income_or_benefits``) and month,
        with ``outcome``, ``month_since_referral``, ``people`` (LEAD participants assessed
        that month: unknown / NA statuses and missing months excluded),
        ``people_with_outcome``, ``share_pct`` (percent) and ``lower_pct`` /
        ``upper_pct`` (Wilson score 95% interval, percent). NaN shares where ``people`` is
        0. People differ between months (follow-up ends at exit or the extract date), so
        month-to-month changes mix change within people with change in who is assessed;
        :func:`outcome_odds_vs_baseline` compares within people.
    """
    status = status_by_month(participants, monthly_status, extract_date)
    wanted = [int(month) for month in months]
    rows = []
    for outcome in OUTCOMES:
        values = outcome_values(status, outcome)
        for month in wanted:
            assessed = values[(status["month_since_referral"] == month) & values.notna()]
            people, hits = len(assessed), int(assessed.astype(bool).sum())
            share, lower, upper = wilson_pct(hits, people)
            rows.append((outcome, month, people, hits, share, lower, upper))
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))


def outcome_odds_vs_baseline(
    participants: pd.DataFrame,
    monthly_status: pd.DataFrame,
    outcome: str,
    extract_date: date | pd.Timestamp | None = None,
) -> BaselineOdds:
    """Odds ratio of an outcome in any follow-up month (0..18) vs the month before referral.

    In plain words: how many times higher a LEAD participant's odds of being housed
    (employed, with income or benefits) are in a month after referral than in the month
    before it.

    Model: logistic GEE (statsmodels ``GEE``, binomial family, logit link, exchangeable
    working correlation, robust sandwich errors), clusters = people, one row per assessed
    person-month in months -1..18 since referral: ``outcome ~ followup`` where
    ``followup`` is 1 for months 0..18. Within-subjects, as the published design: only
    people assessed at baseline (month -1, status known) are included. ``n`` = people in
    the model. Unknown statuses are left out (never "no"). If ``extract_date`` is given,
    months not ended by it are left out. NaN (with the reason in ``method``) if baseline or
    follow-up has no outcome or only the outcome, or the fit does not converge. Unadjusted
    for calendar time or exits (people who leave the program stop being assessed).
    """
    if outcome not in OUTCOMES:
        raise EvaluationError("outcome must be one of: " + ", ".join(OUTCOMES))
    status = status_by_month(participants, monthly_status, extract_date)
    values = outcome_values(status, outcome)
    month = status["month_since_referral"]
    window = (month >= BASELINE_MONTH) & (month <= FOLLOW_UP_MONTHS[-1]) & values.notna()
    frame = pd.DataFrame(
        {
            "person_key": status["person_key"],
            "month": month,
            "y": values.astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        }
    )[window.to_numpy()]
    with_baseline = set(frame.loc[frame["month"] == BASELINE_MONTH, "person_key"])
    frame = frame[frame["person_key"].isin(with_baseline)]
    frame = frame.sort_values(["person_key", "month"], kind="stable").reset_index(drop=True)
    frame["followup"] = (frame["month"] >= 0).astype(float)
    method = (
        f"Logistic GEE (binomial, logit link, exchangeable working correlation, robust "
        f"sandwich errors, clusters = people) of {outcome.replace('_', ' ')} in each "
        f"assessed month 0-18 after referral against the month before referral, people "
        f"assessed at baseline only: {outcome} ~ followup; estimate = exp(followup); 95% "
        f"Wald interval; unknown statuses excluded; unadjusted."
    )
    n = int(frame["person_key"].nunique())
    cells = frame.groupby("followup")["y"].agg(["sum", "count"])
    if len(cells) < 2 or bool(((cells["sum"] == 0) | (cells["sum"] == cells["count"])).any()):
        reason = "baseline or follow-up has no people, no outcome or only the outcome"
        return _not_estimable(n, method, reason)
    groups = pd.factorize(frame["person_key"], sort=True)[0]
    design = np.column_stack([np.ones(len(frame)), frame["followup"].to_numpy()])
    model = sm.GEE(
        frame["y"].to_numpy(),
        design,
        groups=groups,
        family=sm.families.Binomial(),
        cov_struct=sm.cov_struct.Exchangeable(),
    )
    result = fit_last_coefficient(model)
    if isinstance(result, str):
        return _not_estimable(n, method, result)
    estimate, lower, upper, p_value = result
    return BaselineOdds(
        estimate=estimate,
        lower=lower,
        upper=upper,
        p_value=p_value,
        n=n,
        method=method,
    )


def _not_estimable(n: int, method: str, reason: str) -> BaselineOdds:
    return BaselineOdds(
        estimate=np.nan,
        lower=np.nan,
        upper=np.nan,
        p_value=np.nan,
        n=n,
        method=f"{method} Not estimable: {reason}.",
    )
