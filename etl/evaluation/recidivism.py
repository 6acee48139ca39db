"""Recidivism and legal-system use for the evaluation question (legal costs: costs.py).

Pure functions of the de-identified, in-memory frames of a program extract
(:class:`etl.sources.program.ProgramExtract`). They return small frames of figures per
cohort and period, or effect estimates; **nothing here is suppressed**: the caller must pass
every figure through the small-cell suppression step before it is published. No function
logs anything, and no error raised here contains a value from the data (only column names,
argument names and fixed texts).

Windows and exposure are defined in :mod:`etl.evaluation.windows` (cited on the site).

Methods (statsmodels)
---------------------
* Shares: Wilson score 95% intervals (``proportion_confint(method="wilson")``).
* Rates per person-year: the ratio of total events to total person-years, with a 95%
  interval from an intercept-only Poisson GLM with a log person-years offset and HC0
  (robust, sandwich) errors, one row per person. Its point estimate is exactly the ratio;
  the robust variance is the linearised (delta-method) variance of a ratio estimator, so
  it does not assume Poisson variation (people differ a lot in how often they are booked)
  and it also serves non-count outcomes (jail days, dollars). The interval is computed on
  the log scale, so it stays positive.
* Odds ratios (arrest, felony charge): logistic GEE (binomial, logit link, exchangeable
  working correlation, robust sandwich errors, clusters = people) on two rows per person
  (before, after): ``y ~ lead + after + lead:after``. The effect is ``exp(lead:after)``.
* Rate ratios (bookings, jail days): Poisson GEE (log link, log person-years offset,
  independence working correlation, robust sandwich errors, clusters = people) with the
  same terms. With independence the point estimate equals the ratio of the crude rate
  ratios shown by :func:`rates_per_person_year`, so the table and the effect agree; the
  sandwich errors account for the two periods of one person being correlated.
* Kaplan-Meier: ``SurvfuncRight`` (Greenwood standard errors), with pointwise 95% intervals
  on the log(-log) scale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight

from etl.evaluation.common import (
    ALPHA,
    COHORTS,
    DAYS_PER_MONTH,
    EVALUATION_END,
    PERIODS,
    EffectEstimate,
    EvaluationError,
    fit_last_coefficient,
    not_estimable,
    ratio_interval,
    require,
    wilson_pct,
)
from etl.evaluation.windows import evaluation_people, follow_up_end

BINARY_EVENTS = ("arrest", "felony")
RATE_MEASURES = ("bookings", "jail_days")
RATE_EXPOSURE = {"bookings": "years_free", "jail_days": "years"}
"""Bookings are counted per year at liberty (jail time is not at risk); jail days per year."""

SHARE_COLUMNS = (
    "cohort",
    "period",
    "people",
    "people_with_event",
    "share_pct",
    "lower_pct",
    "upper_pct",
)
RATE_COLUMNS = (
    "cohort",
    "period",
    "people",
    "events_total",
    "person_years",
    "rate",
    "lower",
    "upper",
)
SURVIVAL_COLUMNS = (
    "cohort",
    "month",
    "at_risk",
    "survival",
    "lower",
    "upper",
    "events",
    "censored",
)


def share_with_event(windows: pd.DataFrame, event: str) -> pd.DataFrame:
    """Share of people with at least one arrest (or felony charge) in each short window.

    Args:
        windows: the frame of :func:`person_windows`.
        event: ``"arrest"`` or ``"felony"`` (felony charge).

    Returns:
        Four rows (lead before, lead after, control before, control after) with columns
        ``cohort``, ``period`` (``before`` / ``after``), ``people`` (denominator: people
        whose window is observed; the after window excludes people whose six months had not
        ended by the extract date), ``people_with_event`` (numerator), ``share_pct``
        (percent) and ``lower_pct`` / ``upper_pct`` (Wilson score 95% interval, percent,
        statsmodels ``proportion_confint``). All NaN where ``people`` is 0.
    """
    if event not in BINARY_EVENTS:
        raise EvaluationError("event must be 'arrest' or 'felony'")
    require(windows, ("cohort", f"{event}_before", f"{event}_after"), "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort]
        for period in PERIODS:
            observed = group[f"{event}_{period}"].dropna().astype(bool)
            people, hits = len(observed), int(observed.sum())
            share, lower, upper = wilson_pct(hits, people)
            rows.append((cohort, period, people, hits, share, lower, upper))
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))


def rates_per_person_year(windows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Bookings (or jail days) per person-year in the 12-month rate windows, per cohort.

    Args:
        windows: the frame of :func:`person_windows`.
        measure: ``"bookings"`` (bookings per person-year at liberty: days in jail are not
            at risk) or ``"jail_days"`` (days in jail in the window per person-year of
            follow-up; unknown jail days count as 0).

    Returns:
        Four rows (lead before/after, control before/after) with columns ``cohort``,
        ``period``, ``people`` (people with positive exposure in the window),
        ``events_total`` (bookings, or jail days), ``person_years``, ``rate`` (=
        events_total / person_years, exactly) and ``lower`` / ``upper``: the 95% interval
        from an intercept-only Poisson GLM with a log person-years offset and HC0 robust
        errors (see the module docstring). With no events the rate is 0, ``lower`` 0 and
        ``upper`` NaN (no robust interval exists); with no exposure everything but the
        counts is NaN.
    """
    if measure not in RATE_MEASURES:
        raise EvaluationError("measure must be 'bookings' or 'jail_days'")
    exposure = RATE_EXPOSURE[measure]
    columns = (f"{measure}_before", f"{measure}_after", f"{exposure}_before", f"{exposure}_after")
    require(windows, ("cohort", *columns), "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort]
        for period in PERIODS:
            values, years = _exposed(group, f"{measure}_{period}", f"{exposure}_{period}")
            rate, lower, upper = ratio_interval(values, years)
            total = float(values.sum())
            events: float | int = int(total) if measure == "bookings" else total
            rows.append(
                (cohort, period, len(values), events, float(years.sum()), rate, lower, upper)
            )
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def _exposed(group: pd.DataFrame, value: str, exposure: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and exposures (person-years) of the people with positive exposure."""
    years = group[exposure].astype(float).to_numpy()
    keep = years > 0
    return group[value].astype(float).to_numpy()[keep], years[keep]


# --- effects: difference in differences ------------------------------------------------


def arrest_odds_ratio(windows: pd.DataFrame) -> EffectEstimate:
    """Difference-in-differences odds ratio of any arrest in six months, LEAD vs comparison.

    In plain words: how many times the LEAD group's odds of being arrested in the six
    months after entry, compared with the six months before, changed relative to the same
    before-to-after change in the comparison group (below 1 = LEAD's odds fell more).

    Model: logistic GEE (statsmodels ``GEE``, binomial family, logit link, exchangeable
    working correlation, robust sandwich errors), clusters = people, on two rows per person
    (before; after when observable: people whose six months after entry had not ended by
    the extract date contribute their before row only; GEE then assumes the missing after
    rows are unrelated to arrest risk, which is plausible as only the entry date decides
    it) with ``arrest ~ lead + after + lead:after``. ``estimate`` = exp(lead:after
    coefficient), ``lower`` / ``upper`` its 95% Wald interval, ``p_value`` the two-sided
    Wald p-value, ``n_lead`` / ``n_control`` the people in the model. Not adjusted for
    covariates and not weighted (a secondary summary says the published models used
    propensity-score weighting).

    If any cohort-period cell has no arrests or only arrests, or the fit does not converge,
    the effect is not estimable: estimate, interval and p-value are NaN and ``method`` says
    why.
    """
    return _binary_did(windows, "arrest", "arrest (any, six-month windows)")


def felony_odds_ratio(windows: pd.DataFrame) -> EffectEstimate:
    """Difference-in-differences odds ratio of any felony charge in six months.

    In plain words: how many times the LEAD group's odds of a felony charge in the six
    months after entry, compared with the six months before, changed relative to the same
    change in the comparison group.

    Same model and rules as :func:`arrest_odds_ratio`, with the outcome "at least one
    charge with ``charge_level == "felony"``" in the short windows. (The published felony
    result used a longer window, so this is not the same estimand.)
    """
    return _binary_did(windows, "felony", "felony charge (any, six-month windows)")


def booking_rate_ratio(windows: pd.DataFrame) -> EffectEstimate:
    """Difference-in-differences incidence rate ratio of jail bookings (12-month windows).

    In plain words: how many times LEAD's booking rate per person-year after entry,
    relative to before, changed compared with the same ratio in the comparison group.

    Model: Poisson GEE (statsmodels ``GEE``, log link, offset log person-years,
    independence working correlation, robust sandwich errors), clusters = people, rows with
    positive exposure (12 months before; up to 12 after, censored at the extract date),
    ``bookings ~ lead + after + lead:after``; ``estimate`` = exp(lead:after). The point
    estimate equals (LEAD after rate / LEAD before rate) / (comparison after rate /
    comparison before rate) of :func:`rates_per_person_year`. Not estimable (NaN) when a
    cohort-period cell has no bookings or the fit does not converge.
    """
    return _rate_did(windows, "bookings", "jail bookings")


def jail_days_rate_ratio(windows: pd.DataFrame) -> EffectEstimate:
    """Difference-in-differences ratio of jail days per person-year (12-month windows).

    In plain words: how many times LEAD's jail days per person-year after entry, relative
    to before, changed compared with the same ratio in the comparison group.

    Same model and rules as :func:`booking_rate_ratio` (a Poisson quasi-likelihood for a
    non-negative outcome: only the mean model matters, the robust errors take care of the
    variance). Unknown jail days count as 0.
    """
    return _rate_did(windows, "jail_days", "jail days")


def _binary_did(windows: pd.DataFrame, event: str, label: str) -> EffectEstimate:
    require(windows, ("person_key", "cohort", f"{event}_before", f"{event}_after"), "windows")
    long = _long_frame(windows, event)
    long = long[long["y"].notna()]
    long["y"] = long["y"].astype(float)
    method = (
        f"Logistic GEE (binomial, logit link, exchangeable working correlation, robust "
        f"sandwich errors, clusters = people) of {label} on two rows per person (before, "
        f"after entry): {event} ~ lead + after + lead:after; estimate = exp(lead:after), "
        f"the LEAD group's before-to-after change in the odds relative to the comparison "
        f"group's; 95% Wald interval; unadjusted."
    )
    cells = long.groupby(["lead", "after"])["y"].agg(["sum", "count"])
    degenerate = len(cells) < 4 or bool(
        ((cells["sum"] == 0) | (cells["sum"] == cells["count"])).any()
    )
    if degenerate:
        reason = "a cohort and period has no people, no events or only events"
        return _not_estimable(long, method, reason)
    model = sm.GEE(
        long["y"].to_numpy(),
        _did_design(long),
        groups=long["group"].to_numpy(),
        family=sm.families.Binomial(),
        cov_struct=sm.cov_struct.Exchangeable(),
    )
    return _gee_effect(model, long, method)


def _rate_did(windows: pd.DataFrame, measure: str, label: str) -> EffectEstimate:
    exposure = RATE_EXPOSURE[measure]
    columns = ("person_key", "cohort", f"{measure}_before", f"{measure}_after")
    require(windows, (*columns, f"{exposure}_before", f"{exposure}_after"), "windows")
    long = _long_frame(windows, measure, exposure=exposure)
    long = long[long["years"] > 0]
    long["y"] = long["y"].astype(float)
    method = (
        f"Poisson GEE (log link, offset log person-years, independence working correlation, "
        f"robust sandwich errors, clusters = people) of {label} in the 12 months before and "
        f"up to 12 months after entry: {measure} ~ lead + after + lead:after; estimate = "
        f"exp(lead:after), the LEAD group's before-to-after rate ratio divided by the "
        f"comparison group's; 95% Wald interval; unadjusted."
    )
    cells = long.groupby(["lead", "after"])["y"].sum()
    if len(cells) < 4 or bool((cells <= 0).any()):
        return _not_estimable(long, method, "a cohort and period has no people or no events")
    model = sm.GEE(
        long["y"].to_numpy(),
        _did_design(long),
        groups=long["group"].to_numpy(),
        offset=np.log(long["years"].to_numpy()),
        family=sm.families.Poisson(),
        cov_struct=sm.cov_struct.Independence(),
    )
    return _gee_effect(model, long, method)


def _long_frame(windows: pd.DataFrame, stem: str, exposure: str = "") -> pd.DataFrame:
    """Two rows per person (before, after): group code, lead, after, y (and years)."""
    known = windows[windows["cohort"].isin(COHORTS)]
    codes = pd.factorize(known["person_key"], sort=True)[0]
    lead = (known["cohort"] == "lead").astype(float).to_numpy()
    parts = []
    for after, period in enumerate(PERIODS):
        part = pd.DataFrame(
            {
                "group": codes,
                "lead": lead,
                "after": float(after),
                "y": known[f"{stem}_{period}"]
                .astype("Float64")
                .to_numpy(dtype=float, na_value=np.nan),
            }
        )
        if exposure:
            part["years"] = known[f"{exposure}_{period}"].astype(float).to_numpy()
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    return long.sort_values(["group", "after"], kind="stable").reset_index(drop=True)


def _did_design(long: pd.DataFrame) -> np.ndarray:
    """Columns: intercept, lead, after, lead x after (the effect is the last)."""
    lead, after = long["lead"].to_numpy(), long["after"].to_numpy()
    return np.column_stack([np.ones(len(long)), lead, after, lead * after])


def _gee_effect(model: Any, long: pd.DataFrame, method: str) -> EffectEstimate:
    result = fit_last_coefficient(model)
    if isinstance(result, str):
        return _not_estimable(long, method, result)
    estimate, lower, upper, p_value = result
    n_lead, n_control = _cluster_counts(long)
    return EffectEstimate(
        estimate=float(estimate),
        lower=float(lower),
        upper=float(upper),
        p_value=p_value,
        n_lead=n_lead,
        n_control=n_control,
        method=method,
    )


def _not_estimable(long: pd.DataFrame, method: str, reason: str) -> EffectEstimate:
    return not_estimable(method, reason, *_cluster_counts(long))


def _cluster_counts(long: pd.DataFrame) -> tuple[int, int]:
    people = long.drop_duplicates("group")
    n_lead = int((people["lead"] == 1.0).sum())
    return n_lead, int(len(people) - n_lead)


# --- time to first arrest ---------------------------------------------------------------


def time_to_first_arrest(
    participants: pd.DataFrame,
    legal_events: pd.DataFrame,
    extract_date: date | pd.Timestamp,
    evaluation_end: date | pd.Timestamp = EVALUATION_END,
    max_months: int = 24,
) -> pd.DataFrame:
    """Kaplan-Meier probability of no arrest since entry, per cohort, at each whole month.

    Time is months from entry (days / 30.4375) to the first arrest strictly after the entry
    date (an arrest on the entry date itself does not count). People with none are
    censored at the end of follow-up (:func:`etl.evaluation.windows.follow_up_end`: the
    extract date, a death or an exit to incarceration, or a prison admission). Evaluation
    cohort as in :func:`etl.evaluation.windows.person_windows`. Assumes censoring is
    unrelated to the risk of arrest; time in jail is not removed (someone in jail cannot be
    arrested, so the curve is a little flatter than time at liberty would make it).

    Returns:
        Rows for each cohort (lead, control) and ``month`` 0..``max_months`` with
        :data:`SURVIVAL_COLUMNS`: ``at_risk`` (people whose time is at least ``month``),
        ``survival`` (the product-limit estimate of statsmodels ``SurvfuncRight`` sampled
        as the step function's value at time ``month``), ``lower`` / ``upper`` (pointwise
        95% interval, Greenwood SE on the log(-log) scale; NaN where survival is 1 or 0),
        and, for the disclosure check only (never published), ``events`` and ``censored``:
        the arrests and censorings with time in ``(month - 1, month]`` (month 0: time 0).
        Beyond the last observed time survival is NaN (unless it has reached 0).
    """
    require(legal_events, ("person_key", "event_date", "event_type"), "legal_events")
    if max_months < 0:
        raise EvaluationError("max_months must be 0 or more")
    people = evaluation_people(participants, evaluation_end)
    stop = follow_up_end(people, legal_events, extract_date)
    arrests = legal_events.loc[
        legal_events["event_type"] == "arrest", ["person_key", "event_date"]
    ].merge(people[["person_key", "referral_date"]], on="person_key", how="inner")
    arrests = arrests[arrests["event_date"] > arrests["referral_date"]]
    first = arrests.groupby("person_key")["event_date"].min()
    first_arrest = pd.Series(
        pd.to_datetime(first.reindex(people["person_key"]).to_numpy()), index=people.index
    )
    arrested = (first_arrest.notna() & (first_arrest <= stop)).to_numpy()
    end = first_arrest.where(arrested, stop)
    days = (end - people["referral_date"]).dt.days.clip(lower=0)
    months_observed = (days / DAYS_PER_MONTH).astype(float).to_numpy()
    cohorts = people["cohort"].to_numpy()
    frames = []
    for cohort in COHORTS:
        mine = cohorts == cohort
        curve = kaplan_meier_by_month(months_observed[mine], arrested[mine], max_months)
        frames.append(curve.assign(cohort=cohort))
    return pd.concat(frames, ignore_index=True).loc[:, list(SURVIVAL_COLUMNS)]


def kaplan_meier_by_month(
    times: np.ndarray, events: np.ndarray, max_months: int = 24
) -> pd.DataFrame:
    """Kaplan-Meier estimate sampled at whole months 0..``max_months`` (one group).

    Args:
        times: time of each person in months (event or censoring), 0 or more.
        events: 1 (or True) where the time is an event (arrest), 0 where censored.
        max_months: last month reported.

    Returns:
        Columns ``month``, ``at_risk`` (number with time >= month), ``survival`` (the
        product-limit estimate of statsmodels ``SurvfuncRight`` at time ``month``: events
        at exactly that time are included, ties are events before censorings), ``lower``
        / ``upper`` (pointwise 95%, Greenwood SE on the log(-log) scale, NaN where survival
        is 1 or 0), ``events`` and ``censored`` (times in ``[month - 1, month)``, so that
        ``at_risk`` falls by ``events + censored`` from one month to the next; 0 at month 0).
        Survival is NaN after the last observed time unless it has reached 0.
    """
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=float)
    months = np.arange(max_months + 1)
    at_risk = np.array([int((times >= m).sum()) for m in months])
    in_month = [
        (times >= m - 1) & (times < m) if m > 0 else np.zeros(len(times), bool) for m in months
    ]
    event_counts = np.array([int((events[mask] > 0).sum()) for mask in in_month])
    censored_counts = np.array([int((events[mask] == 0).sum()) for mask in in_month])
    survival = np.full(len(months), np.nan)
    lower = np.full(len(months), np.nan)
    upper = np.full(len(months), np.nan)
    if len(times) > 0:
        fit = SurvfuncRight(times, events)
        steps = np.asarray(fit.surv_times, dtype=float)
        probabilities = np.asarray(fit.surv_prob, dtype=float)
        errors = np.asarray(fit.surv_prob_se, dtype=float)
        last_time = float(times.max())
        z = float(norm.ppf(1 - ALPHA / 2))
        for i, month in enumerate(months):
            index = int(np.searchsorted(steps, month, side="right")) - 1
            value = 1.0 if index < 0 else float(probabilities[index])
            error = 0.0 if index < 0 else float(errors[index])
            if month > last_time and value > 0:
                continue
            survival[i] = value
            if 0 < value < 1 and np.isfinite(error):
                spread = z * error / (value * abs(np.log(value)))
                lower[i] = value ** np.exp(spread)
                upper[i] = value ** np.exp(-spread)
    return pd.DataFrame(
        {
            "month": months.astype(int),
            "at_risk": at_risk.astype(int),
            "survival": survival,
            "lower": lower,
            "upper": upper,
            "events": event_counts,
            "censored": censored_counts,
        }
    )
