"""Belltown against each comparison area around LEAD's start, done so a reader can judge it.

Pure functions of the monthly counts of :func:`etl.indicators.incidents.monthly_offense_counts`
(columns area, period_start_date, offense_group, offense_count). All compare **areas**
(reported counts), not people, and none can show that LEAD caused a difference.

* :func:`event_study`: for each LEAD year (the 12 months from October of each year; year
  0 starts at LEAD's start), Belltown's count relative to the comparison area's, relative to
  the same ratio in the year before LEAD (year -1). The model is a Poisson regression of
  monthly counts with a fixed effect for every calendar month (shared by both areas:
  seasons and city-wide shocks), an area term and area x year terms. It is fitted in its
  exact conditional form: given each month's total of the two areas, Belltown's count is
  binomial with log-odds = area term + year term, so the month effects drop out and
  exp(year term) is the ratio. Overdispersion is allowed for by the quasi-likelihood scale
  (Pearson chi-square / degrees of freedom) and t intervals. (A Poisson fit with robust HC0
  errors and 36+ month effects, tried first, rejected a true "no pre-trend" in 24 of 100
  simulations: too many parameters for a sandwich estimate.) A ratio away from 1 in the
  years *before* LEAD is a pre-trend: Belltown was already moving differently, and a
  before/after ratio mixes that in.
* :func:`pre_trend`: the same conditional model on the months before LEAD only, with a
  straight-line time term: how much faster (ratio per year) Belltown's count grew than the
  comparison area's before LEAD, with its 95% interval and two-sided p-value. The test
  "rejects" parallel trends when p < 0.05; in simulations of parallel noisy series it
  did so about one time in twenty, as a 5% test should.
* :func:`placebo_ratios`: the before/after ratio (12 months each side; point estimates
  only) at false start dates, each month of the two calendar years before LEAD's start
  year whose windows the data cover and end before LEAD starts: the spread of these is
  what ordinary variation produces, and the real estimate can be read against it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

from etl.indicators.incidents import before_after_rate_ratios

EVENT_COLUMNS = [
    "offense_group", "comparison_area", "lead_year", "year_start", "rate_ratio", "lower",
    "upper", "focus_count", "comparison_count",
]  # fmt: skip
TREND_COLUMNS = ["offense_group", "comparison_area", "ratio_per_year", "lower", "upper",
                 "p_value", "months"]  # fmt: skip
PLACEBO_COLUMNS = ["offense_group", "comparison_area", "placebo_start", "rate_ratio", "lower",
                   "upper"]  # fmt: skip
WINDOWS = (12, 24, 36)
PLACEBO_MONTHS = 12


def _pairs(counts: pd.DataFrame, focus: str):  # type: ignore[no-untyped-def]
    """(offense group, comparison area, the pair's monthly rows) for every pair."""
    for group, by_group in counts.groupby("offense_group"):
        focus_rows = by_group[by_group["area"] == focus]
        if focus_rows.empty:
            continue
        for area, other in by_group[by_group["area"] != focus].groupby("area"):
            pair = pd.concat([focus_rows, other], ignore_index=True)
            common = set(focus_rows["period_start_date"]) & set(other["period_start_date"])
            pair = pair[pair["period_start_date"].isin(common)]
            yield str(group), str(area), pair


def _conditional(pair: pd.DataFrame, focus: str) -> pd.DataFrame:
    """One row per month: Belltown's count and the two areas' total."""
    wide = pair.assign(is_focus=pair["area"] == focus).pivot_table(
        index="period_start_date", columns="is_focus", values="offense_count", aggfunc="sum"
    )
    frame = pd.DataFrame(
        {"focus": wide.get(True, 0.0), "total": wide.get(True, 0.0) + wide.get(False, 0.0)}
    ).reset_index()
    return frame[frame["total"] > 0].reset_index(drop=True)


def _binomial_fit(frame: pd.DataFrame, design: pd.DataFrame) -> object | None:
    """Quasi-binomial GLM of Belltown's share of each month's total (see the module doc)."""
    share = (frame["focus"] / frame["total"]).to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        try:
            return sm.GLM(
                share, design, family=sm.families.Binomial(), var_weights=frame["total"]
            ).fit(scale="X2", use_t=True)
        except (ValueError, np.linalg.LinAlgError):
            return None


def _lead_year(months: pd.Series, start: pd.Timestamp) -> pd.Series:
    return ((months.dt.year - start.year) * 12 + months.dt.month - start.month) // 12


def event_study(counts: pd.DataFrame, focus: str, start: pd.Timestamp) -> pd.DataFrame:
    """Yearly Belltown / comparison ratios relative to the year before LEAD (module doc).

    Only complete LEAD years (12 months of both areas) are used; year -1 must be among
    them. Returns :data:`EVENT_COLUMNS`, the reference year with ratio 1 and no interval.
    """
    rows: list[tuple[object, ...]] = []
    for group, area, pair in _pairs(counts, focus):
        year = _lead_year(pair["period_start_date"], start).astype(int)
        pair = pair.assign(lead_year=year)
        complete = pair.groupby("lead_year")["period_start_date"].nunique()
        years = sorted(int(k) for k, n in complete.items() if n == 12)
        if -1 not in years or len(years) < 2:
            continue
        pair = pair[pair["lead_year"].isin(years)]
        if pair.groupby("area")["offense_count"].sum().min() <= 0:
            continue
        frame = _conditional(pair, focus)
        frame["lead_year"] = _lead_year(frame["period_start_date"], start).astype(int)
        design = pd.DataFrame({"const": 1.0}, index=frame.index)
        for k in years:
            if k != -1:
                design[f"year_{k}"] = (frame["lead_year"] == k).astype(float)
        fit = _binomial_fit(frame, design)
        totals = pair.groupby(["lead_year", "area"])["offense_count"].sum()
        for k in years:
            start_k = start + pd.DateOffset(years=k)
            focus_n, other_n = int(totals.get((k, focus), 0)), int(totals.get((k, area), 0))
            if k == -1:
                rows.append((group, area, k, start_k, 1.0, None, None, focus_n, other_n))
                continue
            if fit is None:
                continue
            name = f"year_{k}"
            coefficient = float(fit.params[name])  # type: ignore[attr-defined]
            low, high = fit.conf_int(alpha=0.05).loc[name]  # type: ignore[attr-defined]
            if not all(math.isfinite(v) for v in (coefficient, low, high)):
                continue
            rows.append(
                (
                    group, area, k, start_k, math.exp(coefficient), math.exp(low),
                    math.exp(high), focus_n, other_n,
                )
            )  # fmt: skip
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def pre_trend(counts: pd.DataFrame, focus: str, start: pd.Timestamp) -> pd.DataFrame:
    """Belltown's growth relative to the comparison area's before LEAD (module doc).

    Uses every published month before ``start`` (at least 24); returns
    :data:`TREND_COLUMNS`, ``ratio_per_year`` = exp(slope of the time term).
    """
    rows = []
    before = counts[counts["period_start_date"] < start]
    for group, area, pair in _pairs(before, focus):
        months = pair["period_start_date"].nunique()
        if months < 24 or pair.groupby("area")["offense_count"].sum().min() <= 0:
            continue
        frame = _conditional(pair, focus)
        elapsed = (
            (frame["period_start_date"].dt.year - start.year) * 12
            + frame["period_start_date"].dt.month
            - start.month
        ) / 12.0
        design = pd.DataFrame({"const": 1.0, "trend": elapsed.astype(float)})
        fit = _binomial_fit(frame, design)
        if fit is None:
            continue
        slope = float(fit.params["trend"])  # type: ignore[attr-defined]
        low, high = fit.conf_int(alpha=0.05).loc["trend"]  # type: ignore[attr-defined]
        p_value = float(fit.pvalues["trend"])  # type: ignore[attr-defined]
        if not all(math.isfinite(v) for v in (slope, low, high, p_value)):
            continue
        rows.append((group, area, math.exp(slope), math.exp(low), math.exp(high), p_value, months))
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def placebo_starts(start: pd.Timestamp, months: int = PLACEBO_MONTHS) -> list[pd.Timestamp]:
    """Each month of the two calendar years before the start year whose after window ends
    by the real start (so no placebo window holds any month after LEAD began)."""
    candidates = pd.date_range(pd.Timestamp(start.year - 2, 1, 1), periods=24, freq="MS")
    return [s for s in candidates if s + pd.DateOffset(months=months) <= start]


def placebo_ratios(
    counts: pd.DataFrame, focus: str, start: pd.Timestamp, months: int = PLACEBO_MONTHS
) -> pd.DataFrame:
    """Before/after ratios at false start dates (module doc); :data:`PLACEBO_COLUMNS`.

    The ratio of the before/after Poisson model is exactly the ratio of the two areas'
    after/before totals, so placebos are computed from window sums (no intervals: they are
    read as a distribution, each one against the real estimate). A false start whose
    window is not fully covered, or has no reports in a cell, is left out.
    """
    rows = []
    starts = placebo_starts(start, months)
    for group, area, pair in _pairs(counts, focus):
        series = pair.pivot_table(
            index="period_start_date", columns="area", values="offense_count", aggfunc="sum"
        )
        for placebo in starts:
            before = series[
                (series.index >= placebo - pd.DateOffset(months=months)) & (series.index < placebo)
            ]
            after = series[
                (series.index >= placebo) & (series.index < placebo + pd.DateOffset(months=months))
            ]
            if len(before) != months or len(after) != months:
                continue
            sums = [before[focus].sum(), after[focus].sum(), before[area].sum(), after[area].sum()]
            if min(sums) <= 0:
                continue
            ratio = (sums[1] / sums[0]) / (sums[3] / sums[2])
            rows.append((group, area, placebo, float(ratio), None, None))
    return pd.DataFrame(rows, columns=PLACEBO_COLUMNS)


def window_ratios(counts: pd.DataFrame, focus: str, start: pd.Timestamp) -> pd.DataFrame:
    """The before/after ratio with 12, 24 and 36 months each side (``window_months``)."""
    frames = [
        before_after_rate_ratios(counts, focus, start, months).assign(window_months=months)
        for months in WINDOWS
    ]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
