"""Shared pieces of the evaluation statistics: constants, errors, intervals, model fitting.

Pure functions; no error raised here holds a value from the data (only column names,
argument names and fixed texts).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypedDict

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import ConvergenceWarning, IterationLimitWarning

EVALUATION_END = pd.Timestamp("2014-07-31")
"""Default end of evaluation entry: the published evaluation enrolled October 2011 - July 2014."""
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # 30.4375
ALPHA = 0.05  # two-sided: 95% intervals
COHORTS = ("lead", "control")
PERIODS = ("before", "after")


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


def not_estimable(method: str, reason: str, n_lead: int, n_control: int) -> EffectEstimate:
    """An effect that could not be estimated: NaN values, the reason in ``method``."""
    return EffectEstimate(
        estimate=np.nan,
        lower=np.nan,
        upper=np.nan,
        p_value=np.nan,
        n_lead=n_lead,
        n_control=n_control,
        method=f"{method} Not estimable: {reason}.",
    )


def wilson_pct(count: int, people: int) -> tuple[float, float, float]:
    """Share ``count / people`` and its Wilson score 95% interval, all in percent.

    NaN for all three when ``people`` is 0 (no denominator).
    """
    if people <= 0:
        return (np.nan, np.nan, np.nan)
    lower, upper = proportion_confint(count, people, alpha=ALPHA, method="wilson")
    return (100.0 * count / people, 100.0 * float(lower), 100.0 * float(upper))


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
    with model_warnings() as problems:
        fit = model.fit(cov_type="HC0")
    if problems:
        return (rate, np.nan, np.nan)
    lower, upper = np.exp(np.asarray(fit.conf_int(alpha=ALPHA))[0])
    return (rate, float(lower), float(upper))


def fit_last_coefficient(
    model: Any, exponentiate: bool = True
) -> tuple[float, float, float, float] | str:
    """Fit a GEE and return its last coefficient, 95% Wald interval and p-value, as ratios
    (``exp``, for log and logit links) or as they are (identity link); or the reason there
    is none: the fit failed, warned or did not converge, or the numbers are not finite.
    Every GEE estimate of the evaluation goes through this."""
    with model_warnings() as problems:
        fit = model.fit(maxiter=200)
    if fit is None or problems or not bool(getattr(fit, "converged", True)):
        return "the model did not converge"
    values = [float(np.asarray(fit.params)[-1]), *np.asarray(fit.conf_int(alpha=ALPHA))[-1]]
    estimate, lower, upper = (float(v) for v in (np.exp(values) if exponentiate else values))
    p_value = float(np.asarray(fit.pvalues)[-1])
    if not np.all(np.isfinite([estimate, lower, upper, p_value])):
        return "the estimate or its interval is not finite"
    return estimate, lower, upper, p_value


@contextmanager
def model_warnings() -> Iterator[list[warnings.WarningMessage]]:
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


def require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise EvaluationError(f"{name} lacks column(s): {', '.join(missing)}")


def timestamp(value: date | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise EvaluationError("a date argument is missing")
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
