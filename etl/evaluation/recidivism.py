"""Recidivism and legal-system statistics for the evaluation question (issue 4).

Pure functions of the de-identified, in-memory frames of a program extract
(:class:`etl.sources.program.ProgramExtract`). They return small frames of figures per
cohort and period, or effect estimates; **nothing here is suppressed**: the caller must pass
every figure through the small-cell suppression step before it is published. No function
logs anything, and no error raised here contains a value from the data (only column names,
argument names and fixed texts).

Definitions (cited on the site)
-------------------------------
* **Evaluation entry**: ``participants.referral_date``, the LEAD referral date; for the
  comparison (control) cohort it is the evaluation entry date (the arrest that made the
  person eligible).
* **Evaluation cohort**: every person, LEAD or control, with evaluation entry on or before
  ``evaluation_end`` (default 2014-07-31, the end of the published evaluation's enrolment).
  LEAD people are counted as referred (intention to treat), whether or not they enrolled.
* **Arrest**: a legal event with ``event_type == "arrest"``. **Felony charge**:
  ``event_type == "charge"`` and ``charge_level == "felony"``. **Charge** (for costs): any
  ``event_type == "charge"``. **Booking**: ``event_type == "booking"``; its ``jail_days``
  are the days in jail. A booking with unknown (blank) jail days **is counted as a
  booking, with 0 jail days**, so jail-day figures are lower bounds where days are unknown.
  Jail days are attributed to the window containing the booking date, even when the stay
  runs past the window's end. **Prison admission**: ``event_type == "prison_admission"``
  (not used by these figures yet).
* **The entry day itself belongs to neither window.** A comparison person's eligible
  arrest (and an arrest-diversion referral's arrest) happens on the entry date; counting
  it would inflate one period by construction.
* **Short windows** (arrest and felony-charge shares and odds ratios): the six calendar
  months before entry, ``[entry - 6 months, entry)``, and the six calendar months after,
  ``(entry, entry + 6 months]``. Calendar months are pandas ``DateOffset(months=6)`` (a day
  past the end of the target month is clipped to its last day). A person is included in
  the after window **only if the extract date is on or after entry + 6 months**; otherwise
  the after value is missing (NA) and the person counts in the before window only.
  (The published longer-term felony result used two years before the programme through
  July 2014, so the six-month felony figures here are not the same estimand.)
* **Rate windows** (bookings, jail days, charges, costs): the twelve calendar months before
  entry, ``[entry - 12 months, entry)``, and up to twelve after, ``(entry, min(entry + 12
  months, extract date)]`` (censored at the extract date). **Exposure** is in person-years:
  the window's length in days / 365.25 (so a 12-month window is 365/365.25 or 366/365.25
  years). Time in jail, in prison or after death is **not** removed from exposure (the
  extract does not hold release dates, and deaths are recorded for LEAD participants only,
  as an exit reason); the before window assumes the extract holds every event of at least
  the twelve months before each entry.
* **Time to first arrest**: months (days / 30.4375, i.e. 365.25 / 12) from entry to the
  first arrest strictly after the entry date; people with no such arrest by the extract
  date are censored at the extract date.

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

import tomllib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import ConvergenceWarning, IterationLimitWarning

EVALUATION_END = pd.Timestamp("2014-07-31")
"""Default end of evaluation entry: the published evaluation enrolled October 2011 - July 2014."""
SHORT_WINDOW_MONTHS = 6
RATE_WINDOW_MONTHS = 12
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # 30.4375
ALPHA = 0.05  # two-sided: 95% intervals
COHORTS = ("lead", "control")
PERIODS = ("before", "after")
COST_PERIODS = ("before", "after", "change")
BINARY_EVENTS = ("arrest", "felony")
RATE_MEASURES = ("bookings", "jail_days")
UNIT_COST_NAMES = ("booking", "jail_day", "prosecution", "defence", "court")
DEFAULT_UNIT_COSTS = Path(__file__).with_name("unit_costs.toml")
ASSUMPTION_PREFIX = "ASSUMPTION"

WINDOW_COLUMNS = (
    "person_key",
    "cohort",
    "entry_date",
    "arrest_before",
    "arrest_after",
    "felony_before",
    "felony_after",
    "bookings_before",
    "bookings_after",
    "jail_days_before",
    "jail_days_after",
    "years_before",
    "years_after",
    "charges_before",
    "charges_after",
)
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
SURVIVAL_COLUMNS = ("cohort", "month", "at_risk", "survival", "lower", "upper")
COST_COLUMNS = (
    "cohort",
    "period",
    "people",
    "person_years",
    "cost_per_person_year",
    "lower",
    "upper",
)


class EvaluationError(ValueError):
    """Inputs the evaluation statistics cannot use. The message never holds a data value."""


class EffectEstimate(TypedDict):
    """A difference-in-differences effect with its 95% interval (NaN if not estimable)."""

    estimate: float
    lower: float
    upper: float
    p_value: float
    n_lead: int
    n_control: int
    method: str


@dataclass(frozen=True)
class UnitCost:
    """One unit cost of the legal-cost roll-up, with where its amount comes from."""

    name: str
    amount_usd: float
    unit: str
    year: int
    source: str
    note: str

    @property
    def is_assumption(self) -> bool:
        """True when no published source backs the amount (``source`` starts ASSUMPTION)."""
        return self.source.startswith(ASSUMPTION_PREFIX)


# --- person-level windows ---------------------------------------------------------------


def person_windows(
    participants: pd.DataFrame,
    legal_events: pd.DataFrame,
    extract_date: date | pd.Timestamp,
    evaluation_end: date | pd.Timestamp = EVALUATION_END,
) -> pd.DataFrame:
    """One row per evaluation person with their events before and after entry (in memory only).

    Args:
        participants: ``ProgramExtract.participants`` (person_key, cohort, referral_date).
        legal_events: ``ProgramExtract.legal_events`` (person_key, event_date, event_type,
            charge_level, jail_days).
        extract_date: the extract date (``PROVENANCE.json``); after-windows are censored
            here, and a six-month after window must end by it to be observed.
        evaluation_end: last evaluation entry date included (default 2014-07-31).

    Returns:
        One row per person with entry on or before ``evaluation_end``, in participants
        order, with columns

        * ``person_key``, ``cohort``, ``entry_date``;
        * ``arrest_before``, ``arrest_after``, ``felony_before``, ``felony_after``
          (pandas ``boolean``): any arrest / felony charge in the six-month short windows;
          the after values are NA when ``extract_date < entry + 6 months``;
        * ``bookings_before``, ``bookings_after`` (int): bookings in the 12-month rate
          windows; ``jail_days_before``, ``jail_days_after`` (float, days; unknown jail days
          count as 0);
        * ``years_before``, ``years_after`` (float, person-years of exposure of the rate
          windows; the after window is censored at the extract date, never negative);
        * ``charges_before``, ``charges_after`` (int): charges of any level in the rate
          windows (for :func:`legal_costs`).

    See the module docstring for the exact window bounds. Person-level: never publish or
    log this frame.
    """
    _require(participants, ("person_key", "cohort", "referral_date"), "participants")
    _require(
        legal_events,
        ("person_key", "event_date", "event_type", "charge_level", "jail_days"),
        "legal_events",
    )
    extract = _timestamp(extract_date)
    last_entry = _timestamp(evaluation_end)
    people = participants.loc[
        participants["referral_date"] <= last_entry, ["person_key", "cohort", "referral_date"]
    ].reset_index(drop=True)
    entry = people["referral_date"]
    short_start = entry - pd.DateOffset(months=SHORT_WINDOW_MONTHS)
    short_end = entry + pd.DateOffset(months=SHORT_WINDOW_MONTHS)
    rate_start = entry - pd.DateOffset(months=RATE_WINDOW_MONTHS)
    full_rate_end = entry + pd.DateOffset(months=RATE_WINDOW_MONTHS)
    rate_end = full_rate_end.where(full_rate_end <= extract, extract)

    events = legal_events[["person_key", "event_date", "event_type", "charge_level", "jail_days"]]
    bounds = pd.DataFrame(
        {
            "person_key": people["person_key"],
            "entry": entry,
            "short_start": short_start,
            "short_end": short_end,
            "rate_start": rate_start,
            "rate_end": rate_end,
        }
    )
    joined = events.merge(bounds, on="person_key", how="inner")
    day = joined["event_date"]
    within_extract = day <= extract
    before_short = (day >= joined["short_start"]) & (day < joined["entry"])
    after_short = (day > joined["entry"]) & (day <= joined["short_end"]) & within_extract
    before_rate = (day >= joined["rate_start"]) & (day < joined["entry"])
    after_rate = (day > joined["entry"]) & (day <= joined["rate_end"])
    arrest = joined["event_type"] == "arrest"
    charge = joined["event_type"] == "charge"
    felony = charge & (joined["charge_level"] == "felony")
    booking = joined["event_type"] == "booking"
    jail_days = joined["jail_days"].astype(float).fillna(0.0).where(booking, 0.0)

    flags = pd.DataFrame(
        {
            "person_key": joined["person_key"],
            "arrest_before": arrest & before_short,
            "arrest_after": arrest & after_short,
            "felony_before": felony & before_short,
            "felony_after": felony & after_short,
            "bookings_before": (booking & before_rate).astype(int),
            "bookings_after": (booking & after_rate).astype(int),
            "jail_days_before": jail_days.where(before_rate, 0.0),
            "jail_days_after": jail_days.where(after_rate, 0.0),
            "charges_before": (charge & before_rate).astype(int),
            "charges_after": (charge & after_rate).astype(int),
        }
    )
    per_person = flags.groupby("person_key", sort=False).agg(
        {
            "arrest_before": "any",
            "arrest_after": "any",
            "felony_before": "any",
            "felony_after": "any",
            "bookings_before": "sum",
            "bookings_after": "sum",
            "jail_days_before": "sum",
            "jail_days_after": "sum",
            "charges_before": "sum",
            "charges_after": "sum",
        }
    )
    per_person = per_person.reindex(people["person_key"])
    observable = (short_end <= extract).to_numpy()

    def flag(column: str, observed: np.ndarray | None = None) -> pd.Series:
        values = pd.Series(per_person[column].eq(True).to_numpy(), dtype="boolean")
        if observed is not None:
            values = values.where(observed, pd.NA)
        return values

    def count(column: str) -> np.ndarray:
        return per_person[column].fillna(0).astype(int).to_numpy()

    def days(column: str) -> np.ndarray:
        return per_person[column].fillna(0.0).astype(float).to_numpy()

    years_after = ((rate_end - entry).dt.days.clip(lower=0) / DAYS_PER_YEAR).astype(float)
    windows = pd.DataFrame(
        {
            "person_key": people["person_key"],
            "cohort": people["cohort"],
            "entry_date": entry,
            "arrest_before": flag("arrest_before"),
            "arrest_after": flag("arrest_after", observable),
            "felony_before": flag("felony_before"),
            "felony_after": flag("felony_after", observable),
            "bookings_before": count("bookings_before"),
            "bookings_after": count("bookings_after"),
            "jail_days_before": days("jail_days_before"),
            "jail_days_after": days("jail_days_after"),
            "years_before": ((entry - rate_start).dt.days / DAYS_PER_YEAR).astype(float),
            "years_after": years_after,
            "charges_before": count("charges_before"),
            "charges_after": count("charges_after"),
        }
    )
    return windows.loc[:, list(WINDOW_COLUMNS)]


# --- shares and rates -------------------------------------------------------------------


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
    _require(windows, ("cohort", f"{event}_before", f"{event}_after"), "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort]
        for period in PERIODS:
            observed = group[f"{event}_{period}"].dropna().astype(bool)
            people, hits = len(observed), int(observed.sum())
            share, lower, upper = wilson_pct(hits, people)
            rows.append((cohort, period, people, hits, share, lower, upper))
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))


def wilson_pct(count: int, people: int) -> tuple[float, float, float]:
    """Share ``count / people`` and its Wilson score 95% interval, all in percent.

    NaN for all three when ``people`` is 0 (no denominator).
    """
    if people <= 0:
        return (np.nan, np.nan, np.nan)
    lower, upper = proportion_confint(count, people, alpha=ALPHA, method="wilson")
    return (100.0 * count / people, 100.0 * float(lower), 100.0 * float(upper))


def rates_per_person_year(windows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Bookings (or jail days) per person-year in the 12-month rate windows, per cohort.

    Args:
        windows: the frame of :func:`person_windows`.
        measure: ``"bookings"`` (bookings per person-year) or ``"jail_days"`` (days in jail
            per person-year; unknown jail days count as 0).

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
    columns = ("cohort", f"{measure}_before", f"{measure}_after", "years_before", "years_after")
    _require(windows, columns, "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort]
        for period in PERIODS:
            values, years = _exposed(group, f"{measure}_{period}", f"years_{period}")
            rate, lower, upper = ratio_interval(values, years)
            total = float(values.sum())
            events: float | int = int(total) if measure == "bookings" else total
            rows.append(
                (cohort, period, len(values), events, float(years.sum()), rate, lower, upper)
            )
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def ratio_interval(values: np.ndarray, years: np.ndarray) -> tuple[float, float, float]:
    """Total ``values`` per total ``years`` and its robust 95% interval.

    Intercept-only Poisson GLM (log link) with offset log(years) and HC0 errors, one
    observation per person; the interval is exp(intercept +/- 1.96 robust SE). Returns
    ``(rate, lower, upper)``; see :func:`rates_per_person_year` for the degenerate cases.
    Assumes every ``years`` is positive and every value non-negative.
    """
    if len(values) == 0 or float(years.sum()) <= 0:
        return (np.nan, np.nan, np.nan)
    rate = float(values.sum()) / float(years.sum())
    if rate <= 0:
        return (0.0, 0.0, np.nan)
    if len(values) < 2:
        return (rate, np.nan, np.nan)
    model = sm.GLM(
        values.astype(float),
        np.ones((len(values), 1)),
        family=sm.families.Poisson(),
        offset=np.log(years.astype(float)),
    )
    with _model_warnings() as problems:
        fit = model.fit(cov_type="HC0")
    if problems:
        return (rate, np.nan, np.nan)
    lower, upper = np.exp(np.asarray(fit.conf_int(alpha=ALPHA))[0])
    return (rate, float(lower), float(upper))


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
    _require(windows, ("person_key", "cohort", f"{event}_before", f"{event}_after"), "windows")
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
    columns = ("person_key", "cohort", f"{measure}_before", f"{measure}_after")
    _require(windows, (*columns, "years_before", "years_after"), "windows")
    long = _long_frame(windows, measure, exposure=True)
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


def _long_frame(windows: pd.DataFrame, stem: str, exposure: bool = False) -> pd.DataFrame:
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
            part["years"] = known[f"years_{period}"].astype(float).to_numpy()
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    return long.sort_values(["group", "after"], kind="stable").reset_index(drop=True)


def _did_design(long: pd.DataFrame) -> np.ndarray:
    """Columns: intercept, lead, after, lead x after (the effect is the last)."""
    lead, after = long["lead"].to_numpy(), long["after"].to_numpy()
    return np.column_stack([np.ones(len(long)), lead, after, lead * after])


def fit_last_coefficient(
    model: Any, exponentiate: bool = True
) -> tuple[float, float, float, float] | str:
    """Fit a GEE and return its last coefficient, 95% Wald interval and p-value, as ratios
    (``exp``, for log and logit links) or as they are (identity link); or the reason there
    is none: the fit failed, warned or did not converge, or the numbers are not finite.
    Every GEE estimate of the evaluation goes through this."""
    with _model_warnings() as problems:
        fit = model.fit(maxiter=200)
    if fit is None or problems or not bool(getattr(fit, "converged", True)):
        return "the model did not converge"
    values = [float(np.asarray(fit.params)[-1]), *np.asarray(fit.conf_int(alpha=ALPHA))[-1]]
    estimate, lower, upper = (float(v) for v in (np.exp(values) if exponentiate else values))
    p_value = float(np.asarray(fit.pvalues)[-1])
    if not np.all(np.isfinite([estimate, lower, upper, p_value])):
        return "the estimate or its interval is not finite"
    return estimate, lower, upper, p_value


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
    n_lead, n_control = _cluster_counts(long)
    return EffectEstimate(
        estimate=np.nan,
        lower=np.nan,
        upper=np.nan,
        p_value=np.nan,
        n_lead=n_lead,
        n_control=n_control,
        method=f"{method} Not estimable: {reason}.",
    )


def _cluster_counts(long: pd.DataFrame) -> tuple[int, int]:
    people = long.drop_duplicates("group")
    n_lead = int((people["lead"] == 1.0).sum())
    return n_lead, int(len(people) - n_lead)


@contextmanager
def _model_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Collect statsmodels convergence warnings (returned) instead of printing them.

    Other warnings are re-issued unchanged after the block (so test filters still see them).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", IterationLimitWarning)
        problems: list[warnings.WarningMessage] = []
        yield problems
    for item in caught:
        if issubclass(item.category, ConvergenceWarning | IterationLimitWarning):
            problems.append(item)
        else:
            warnings.warn(item.message, item.category, stacklevel=3)


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
    date; people with none by the extract date are censored at the extract date (an
    arrest on the entry date itself does not count). Evaluation cohort as in
    :func:`person_windows`. Assumes censoring (only by the extract date) is unrelated to
    the risk of arrest; deaths and time in custody are not removed.

    Returns:
        Rows for each cohort (lead, control) and ``month`` 0..``max_months``, with
        ``at_risk`` (people whose time is at least ``month``: still followed and not yet
        arrested at the start of that month), ``survival`` (the product-limit estimate
        from statsmodels ``SurvfuncRight``, sampled as the step function's value at time
        ``month``: arrests at exactly that time count) and ``lower`` / ``upper``
        (pointwise 95% interval from the Greenwood standard error on the log(-log) scale:
        S ** exp(+/- 1.96 * se / (S * |log S|)); NaN where survival is 1 or 0, where the
        interval is not defined). Beyond the last observed time survival is NaN (unless it
        has reached 0).
    """
    _require(participants, ("person_key", "cohort", "referral_date"), "participants")
    _require(legal_events, ("person_key", "event_date", "event_type"), "legal_events")
    if max_months < 0:
        raise EvaluationError("max_months must be 0 or more")
    extract = _timestamp(extract_date)
    people = participants.loc[
        participants["referral_date"] <= _timestamp(evaluation_end),
        ["person_key", "cohort", "referral_date"],
    ]
    arrests = legal_events.loc[
        (legal_events["event_type"] == "arrest") & (legal_events["event_date"] <= extract),
        ["person_key", "event_date"],
    ].merge(people[["person_key", "referral_date"]], on="person_key", how="inner")
    arrests = arrests[arrests["event_date"] > arrests["referral_date"]]
    first = arrests.groupby("person_key")["event_date"].min()
    first_arrest = pd.Series(
        pd.to_datetime(first.reindex(people["person_key"]).to_numpy()), index=people.index
    )
    arrested = first_arrest.notna().to_numpy()
    end = first_arrest.fillna(extract)
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
        is 1 or 0). Survival is NaN after the last observed time unless it has reached 0.
    """
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=float)
    months = np.arange(max_months + 1)
    at_risk = np.array([int((times >= m).sum()) for m in months])
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
        }
    )


# --- legal-system costs -----------------------------------------------------------------


def load_unit_costs(path: str | Path = DEFAULT_UNIT_COSTS) -> dict[str, UnitCost]:
    """Read the unit costs (``etl/evaluation/unit_costs.toml`` by default) with ``tomllib``.

    Each table (``booking``, ``jail_day``, ``prosecution``, ``defence``, ``court``) holds
    ``amount_usd`` (US dollars of ``year``, not inflation-adjusted), ``unit``, ``year``,
    ``source`` (citation text, or a text starting ``ASSUMPTION`` when no published source
    is available) and ``note``. Raises :class:`EvaluationError` naming the missing or
    mistyped entry.
    """
    with Path(path).open("rb") as handle:
        document = tomllib.load(handle)
    costs: dict[str, UnitCost] = {}
    for name in UNIT_COST_NAMES:
        entry = document.get(name)
        if not isinstance(entry, dict):
            raise EvaluationError(f"unit costs: table [{name}] missing")
        amount = entry.get("amount_usd")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            raise EvaluationError(f"unit costs: [{name}] amount_usd must be a number >= 0")
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise EvaluationError(f"unit costs: [{name}] year must be a whole number")
        texts = {}
        for field in ("unit", "source", "note"):
            text = entry.get(field)
            if not isinstance(text, str) or (field != "note" and not text.strip()):
                raise EvaluationError(f"unit costs: [{name}] {field} must be text")
            texts[field] = text
        costs[name] = UnitCost(
            name=name,
            amount_usd=float(amount),
            unit=texts["unit"],
            year=year,
            source=texts["source"],
            note=texts["note"],
        )
    return costs


def person_costs(windows: pd.DataFrame, unit_costs: dict[str, UnitCost], period: str) -> pd.Series:
    """Each person's legal-system cost (USD) in one rate window (``before`` or ``after``).

    cost = bookings x booking + jail days x jail_day + charges x (prosecution + defence +
    court), with the counts of :func:`person_windows`. Person-level: never publish.
    """
    if period not in PERIODS:
        raise EvaluationError("period must be 'before' or 'after'")
    missing = [name for name in UNIT_COST_NAMES if name not in unit_costs]
    if missing:
        raise EvaluationError(f"unit costs missing: {', '.join(missing)}")
    per_charge = sum(unit_costs[name].amount_usd for name in ("prosecution", "defence", "court"))
    return (
        windows[f"bookings_{period}"].astype(float) * unit_costs["booking"].amount_usd
        + windows[f"jail_days_{period}"].astype(float) * unit_costs["jail_day"].amount_usd
        + windows[f"charges_{period}"].astype(float) * per_charge
    )


def legal_costs(windows: pd.DataFrame, unit_costs: dict[str, UnitCost]) -> pd.DataFrame:
    """Legal-system cost per person-year in the 12-month rate windows, and its change.

    A person's cost in a window is :func:`person_costs` (bookings, jail days and charges
    priced with ``unit_costs``: see :func:`load_unit_costs`; several amounts are
    assumptions, so these figures are illustrative).

    Returns:
        Six rows (lead before/after/change, control before/after/change) with columns
        ``cohort``, ``period`` (``before``, ``after`` or ``change`` = after minus before),
        ``people`` (people with positive exposure; for ``change``, people in either
        window), ``person_years`` (NaN for ``change``), ``cost_per_person_year`` (USD per
        person-year: total cost / total person-years) and ``lower`` / ``upper`` (95%):

        * before / after: as :func:`rates_per_person_year` (intercept-only Poisson
          quasi-likelihood GLM, log person-years offset, HC0 robust errors: the
          linearised variance of a ratio estimator, no distributional assumption about the
          skewed costs; interval on the log scale).
        * change: weighted least squares of each person-window's cost per person-year on
          an ``after`` indicator with person-years as weights (its coefficient is exactly
          the after-minus-before difference of the two ratios), cluster-robust (CR1)
          errors with people as clusters, since the two windows of one person are
          correlated; interval on the dollar scale (NaN with fewer than two people or no
          cost in either window).
    """
    columns = (
        "person_key",
        "cohort",
        "years_before",
        "years_after",
        *(
            f"{stem}_{period}"
            for stem in ("bookings", "jail_days", "charges")
            for period in PERIODS
        ),
    )
    _require(windows, columns, "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort].reset_index(drop=True)
        parts = []
        for after, period in enumerate(PERIODS):
            frame = pd.DataFrame(
                {
                    "person_key": group["person_key"],
                    "cost": person_costs(group, unit_costs, period),
                    "years": group[f"years_{period}"].astype(float),
                    "after": float(after),
                }
            )
            frame = frame[frame["years"] > 0]
            rate, lower, upper = ratio_interval(frame["cost"].to_numpy(), frame["years"].to_numpy())
            rows.append(
                (cohort, period, len(frame), float(frame["years"].sum()), rate, lower, upper)
            )
            parts.append(frame)
        both = pd.concat(parts, ignore_index=True)
        change, lower, upper = _cost_change(both)
        people = int(both["person_key"].nunique())
        rows.append((cohort, "change", people, np.nan, change, lower, upper))
    return pd.DataFrame(rows, columns=list(COST_COLUMNS))


def _cost_change(both: pd.DataFrame) -> tuple[float, float, float]:
    """After-minus-before cost per person-year with a person-clustered 95% interval."""
    periods = set(both["after"])
    if periods != {0.0, 1.0}:
        return (np.nan, np.nan, np.nan)
    before = both[both["after"] == 0.0]
    after = both[both["after"] == 1.0]
    change = float(after["cost"].sum() / after["years"].sum()) - float(
        before["cost"].sum() / before["years"].sum()
    )
    groups = pd.factorize(both["person_key"], sort=True)[0]
    if len(set(groups)) < 2 or float(both["cost"].sum()) <= 0:
        return (change, np.nan, np.nan)
    design = np.column_stack([np.ones(len(both)), both["after"].to_numpy()])
    model = sm.WLS(
        (both["cost"] / both["years"]).to_numpy(dtype=float),
        design,
        weights=both["years"].to_numpy(dtype=float),
    )
    with _model_warnings() as problems:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    if problems:
        return (change, np.nan, np.nan)
    lower, upper = np.asarray(fit.conf_int(alpha=ALPHA))[1]
    return (change, float(lower), float(upper))


# --- helpers ------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise EvaluationError(f"{name} lacks column(s): {', '.join(missing)}")


def _timestamp(value: date | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise EvaluationError("a date argument is missing")
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
