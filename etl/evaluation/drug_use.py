"""Drug use, treatment and health events of LEAD participants around referral.

Pure functions of the de-identified, in-memory frames of
:class:`etl.sources.program.ProgramExtract`. Nothing here is suppressed: the caller passes
every figure through the small-cell suppression step. No error holds a value from the data.

Definitions (cited on the site)
-------------------------------
* **People**: LEAD participants with monthly status rows (enrolled participants), by
  month since referral (-1 = the month before referral, 0..18 after), complete months only.
* **Assessed**: a status row with an ``assessment_source``. A month without assessment is
  left out of that month's drug-use and treatment figures (never counted as no use or no
  treatment); the share of people assessed each month is published beside them.
* **Days of use**: days in the past 30 on which the person used the substance class.
* **In treatment**: ``treatment`` is ``medication``, ``outpatient`` or
  ``residential_detox``; **medication** is medication for opioid use disorder.
* **Health events**: non-fatal overdoses, emergency department visits and detox admissions
  in the 12 months before referral against the months after it (up to 18, exit or the
  extract date), per person-year.

Methods (statsmodels): Wilson 95% intervals for shares; normal 95% intervals for mean days
(mean ± 1.96 standard errors); the change in days of use per month from a linear GEE
(Gaussian, exchangeable working correlation, robust errors, people as clusters); health
event rates with robust (sandwich, over people) 95% intervals and the rate ratio after vs
before from a Poisson GEE with person clusters, robust errors and log person-years as offset.
Every figure compares participants with themselves: there is no comparison group.
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
    ratio_interval,
    wilson_pct,
)
from etl.evaluation.outcomes import status_by_month

SUBSTANCES = ("opioids", "stimulants", "alcohol", "other")
TREATMENT_OUTCOMES = {
    "any_treatment": ("medication", "outpatient", "residential_detox"),
    "medication_treatment": ("medication",),
}
HEALTH_EVENT_TYPES = ("overdose_nonfatal", "emergency_department_visit", "detox_admission")
MONTHS = range(-1, 19)
BEFORE_MONTHS = 12
AFTER_MONTHS = 18
Z = 1.959963984540054


class Estimate(TypedDict):
    """An estimate with its 95% interval and the people behind it (NaN if not estimable,
    the reason in ``method``): the 12-month change in days of use, or a rate ratio."""

    estimate: float
    lower: float
    upper: float
    n: int
    method: str


def assessed_status(
    participants: pd.DataFrame, monthly_status: pd.DataFrame, extract_date: date | pd.Timestamp
) -> pd.DataFrame:
    """LEAD status rows with ``month_since_referral`` and an ``assessed`` flag."""
    status = status_by_month(participants, monthly_status, extract_date)
    for column in ("assessment_source", "treatment", *(f"days_use_{s}" for s in SUBSTANCES)):
        if column not in status.columns:
            raise EvaluationError(f"monthly_status lacks the column {column}")
    return status.assign(assessed=status["assessment_source"].astype(str) != "")


def has_drug_use_data(monthly_status: pd.DataFrame) -> bool:
    """True when the extract recorded any drug-use assessment at all."""
    return bool(
        "assessment_source" in monthly_status.columns
        and (monthly_status["assessment_source"].astype(str) != "").any()
    )


def assessed_shares(status: pd.DataFrame, months: Iterable[int] = MONTHS) -> pd.DataFrame:
    """Share of people followed in each month whose drug use was assessed (Wilson 95%)."""
    rows = []
    for month in months:
        followed = status[status["month_since_referral"] == month]
        people, hits = len(followed), int(followed["assessed"].sum())
        rows.append((month, people, hits, *wilson_pct(hits, people)))
    return pd.DataFrame(
        rows,
        columns=["month_since_referral", "people", "people_with_outcome", "share_pct",
                 "lower_pct", "upper_pct"],
    )  # fmt: skip


def treatment_shares(status: pd.DataFrame, months: Iterable[int] = MONTHS) -> pd.DataFrame:
    """Share of assessed people in any treatment and in medication treatment, by month."""
    rows = []
    assessed = status[status["assessed"]]
    # A month with an assessment but no treatment value is not "no treatment": left out.
    assessed = assessed[assessed["treatment"].astype(str) != ""]
    for outcome, kinds in TREATMENT_OUTCOMES.items():
        for month in months:
            cell = assessed[assessed["month_since_referral"] == month]
            people = len(cell)
            hits = int(cell["treatment"].isin(kinds).sum())
            rows.append((outcome, month, people, hits, *wilson_pct(hits, people)))
    return pd.DataFrame(
        rows,
        columns=["outcome", "month_since_referral", "people", "people_with_outcome",
                 "share_pct", "lower_pct", "upper_pct"],
    )  # fmt: skip


def days_of_use(status: pd.DataFrame, months: Iterable[int] = MONTHS) -> pd.DataFrame:
    """Mean days of use in the past 30 per substance class and month, with 95% intervals.

    Only assessed people with a value for the substance count (blank is never 0); the
    interval is mean ± 1.96 standard errors, cut to 0..30; NaN for fewer than 2 people.
    """
    rows = []
    for substance in SUBSTANCES:
        column = f"days_use_{substance}"
        for month in months:
            values = status.loc[
                (status["month_since_referral"] == month) & status["assessed"], column
            ].dropna()
            n = len(values)
            mean = float(values.mean()) if n else np.nan
            if n >= 2:
                error = float(values.std(ddof=1)) / np.sqrt(n)
                lower, upper = max(0.0, mean - Z * error), min(30.0, mean + Z * error)
            else:
                lower = upper = np.nan
            rows.append((substance, month, n, mean, lower, upper))
    return pd.DataFrame(
        rows, columns=["substance", "month_since_referral", "people", "mean_days", "lower",
                       "upper"],
    )  # fmt: skip


def days_of_use_trend(status: pd.DataFrame, substance: str) -> Estimate:
    """Change in days of use per 30 over 12 months after referral (linear GEE).

    Model: days ~ month (months 0..18 since referral; assessed person-months with a value),
    Gaussian family, identity link, exchangeable working correlation, robust errors,
    clusters = people. Estimate = 12 x the month coefficient. Unadjusted; people leave
    follow-up at exit, so the trend mixes change within people with who stays assessed.
    """
    if substance not in SUBSTANCES:
        raise EvaluationError("substance must be one of: " + ", ".join(SUBSTANCES))
    column = f"days_use_{substance}"
    month = status["month_since_referral"]
    frame = status.loc[
        status["assessed"] & month.between(0, AFTER_MONTHS) & status[column].notna(),
        ["person_key", "month_since_referral", column],
    ].sort_values(["person_key", "month_since_referral"], kind="stable")
    method = (
        f"Linear GEE (Gaussian, identity link, exchangeable working correlation, robust "
        f"sandwich errors, clusters = people) of days of {substance} use in the past 30 on "
        "months since referral (0-18, assessed months only); estimate = change over 12 "
        "months; 95% Wald interval; unadjusted."
    )
    n = int(frame["person_key"].nunique())
    if n < 2 or frame["month_since_referral"].nunique() < 2:
        return _not_estimable(n, method, "too few people or months")
    groups = pd.factorize(frame["person_key"], sort=True)[0]
    design = np.column_stack([np.ones(len(frame)), frame["month_since_referral"].to_numpy()])
    model = sm.GEE(
        frame[column].to_numpy(dtype=float),
        design,
        groups=groups,
        family=sm.families.Gaussian(),
        cov_struct=sm.cov_struct.Exchangeable(),
    )
    result = fit_last_coefficient(model, exponentiate=False)
    if isinstance(result, str):
        return _not_estimable(n, method, result)
    slope, lower, upper, _p_value = result
    return Estimate(estimate=12 * slope, lower=12 * lower, upper=12 * upper, n=n, method=method)


def _not_estimable(n: int, method: str, reason: str) -> Estimate:
    nan = float("nan")
    return Estimate(
        estimate=nan, lower=nan, upper=nan, n=n, method=f"{method} Not estimable: {reason}."
    )


def health_person_windows(
    participants: pd.DataFrame,
    monthly_status: pd.DataFrame,
    health_events: pd.DataFrame,
    extract_date: date | pd.Timestamp,
) -> pd.DataFrame:
    """Per person and period (before / after referral): person-years and event counts.

    People: LEAD participants with monthly status rows (enrolled). Before = the 12 months
    before the referral date; after = from the referral date to 18 months later, the exit
    date or the extract date, whichever is first. Person-level: never publish.
    """
    end_of_data = pd.Timestamp(extract_date)
    enrolled = set(monthly_status["person_key"])
    people = participants[
        (participants["cohort"] == "lead") & participants["person_key"].isin(enrolled)
    ]
    rows = []
    exits = (
        people["exit_date"]
        .fillna(end_of_data)
        .where(people["exit_date"] < end_of_data, end_of_data)
    )
    for key, referral, exit_day in zip(
        people["person_key"], people["referral_date"], exits, strict=True
    ):
        before_start = referral - pd.DateOffset(months=BEFORE_MONTHS)
        after_end = min(referral + pd.DateOffset(months=AFTER_MONTHS), exit_day)
        mine = health_events[health_events["person_key"] == key]
        for period, start, end in (
            ("before", before_start, referral),
            ("after", referral, after_end),
        ):
            years = max((end - start).days, 0) / 365.25
            inside = mine[(mine["event_date"] >= start) & (mine["event_date"] < end)]
            counts = {t: int((inside["event_type"] == t).sum()) for t in HEALTH_EVENT_TYPES}
            rows.append({"person_key": key, "period": period, "years": years, **counts})
    columns = ["person_key", "period", "years", *HEALTH_EVENT_TYPES]
    return pd.DataFrame(rows, columns=columns)


def health_event_rates(windows: pd.DataFrame) -> pd.DataFrame:
    """Events per person-year by type and period, with robust 95% intervals.

    The interval is :func:`etl.evaluation.common.ratio_interval` (an intercept-only Poisson
    model with HC0 sandwich errors over people): a few frequent users make the counts far
    more variable than Poisson, and the sandwich widens the interval accordingly. With no
    events the lower bound is 0 and the upper is the exact one-sided 97.5% Poisson bound.
    """
    rows = []
    for event_type in HEALTH_EVENT_TYPES:
        for period in ("before", "after"):
            part = windows[(windows["period"] == period) & (windows["years"] > 0)]
            events, years = int(part[event_type].sum()), float(part["years"].sum())
            people = int(part["person_key"].nunique())
            with_events = int(part.loc[part[event_type] > 0, "person_key"].nunique())
            if years <= 0:
                rate = lower = upper = np.nan
            elif events > 0:
                rate, lower, upper = ratio_interval(
                    part[event_type].to_numpy(dtype=float), part["years"].to_numpy(dtype=float)
                )
            else:
                rate, lower, upper = 0.0, 0.0, 3.689 / years  # exact one-sided 97.5%
            rows.append(
                (event_type, period, people, with_events, events, years, rate, lower, upper)
            )
    return pd.DataFrame(
        rows,
        columns=["event_type", "period", "people", "people_with_events", "events",
                 "person_years", "rate", "lower", "upper"],
    )  # fmt: skip


def health_rate_ratio(windows: pd.DataFrame, event_type: str) -> Estimate:
    """Rate ratio after vs before referral (Poisson GEE, person clusters, log-time offset)."""
    if event_type not in HEALTH_EVENT_TYPES:
        raise EvaluationError("event type must be one of: " + ", ".join(HEALTH_EVENT_TYPES))
    frame = windows[windows["years"] > 0].sort_values(["person_key", "period"], kind="stable")
    method = (
        f"Poisson GEE (log link, exchangeable working correlation, robust sandwich errors, "
        f"clusters = people, offset = log person-years) of {event_type.replace('_', ' ')}s "
        "after referral against the 12 months before; 95% Wald interval; unadjusted."
    )
    n = int(frame["person_key"].nunique())
    totals = frame.groupby("period")[event_type].sum()
    if len(totals) < 2 or bool((totals == 0).any()):
        return _not_estimable(n, method, "no events before or after referral")
    groups = pd.factorize(frame["person_key"], sort=True)[0]
    after = (frame["period"] == "after").to_numpy(dtype=float)
    model = sm.GEE(
        frame[event_type].to_numpy(dtype=float),
        np.column_stack([np.ones(len(frame)), after]),
        groups=groups,
        family=sm.families.Poisson(),
        cov_struct=sm.cov_struct.Exchangeable(),
        offset=np.log(frame["years"].to_numpy(dtype=float)),
    )
    result = fit_last_coefficient(model)
    if isinstance(result, str):
        return _not_estimable(n, method, result)
    estimate, lower, upper, _p_value = result
    return Estimate(estimate=estimate, lower=lower, upper=upper, n=n, method=method)
