"""Neighborhood comparisons on hand-made monthly counts whose answers are known exactly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etl.indicators import area_effects

START = pd.Timestamp("2011-10-01")


def _counts(focus_factor, first: str = "2008-10-01", last: str = "2013-09-01") -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Comparison area: 20-28 a month (a seasonal pattern); Belltown: twice that, times
    ``focus_factor(month)``. Multiplicative by construction, so a Poisson model with month
    effects recovers the factors exactly."""
    months = pd.date_range(first, last, freq="MS")
    base = 20.0 + 2.0 * (np.arange(len(months)) % 5)
    rows = []
    for month, comparison in zip(months, base, strict=True):
        rows.append(("COMPARISON", month, "robbery", comparison))
        rows.append(("BELLTOWN", month, "robbery", 2 * comparison * focus_factor(month)))
    return pd.DataFrame(
        rows, columns=["area", "period_start_date", "offense_group", "offense_count"]
    )


def _halved_from_start(month: pd.Timestamp) -> float:
    return 0.5 if month >= START else 1.0


def test_event_study_recovers_the_yearly_ratios_against_the_year_before() -> None:
    result = area_effects.event_study(_counts(_halved_from_start), "BELLTOWN", START)
    by_year = result.set_index("lead_year")
    assert list(by_year.index) == [-3, -2, -1, 0, 1]
    assert by_year.loc[-1, "rate_ratio"] == 1.0 and pd.isna(by_year.loc[-1, "lower"])
    for year, expected in ((-3, 1.0), (-2, 1.0), (0, 0.5), (1, 0.5)):
        assert by_year.loc[year, "rate_ratio"] == pytest.approx(expected, rel=1e-6)
    assert by_year.loc[0, "year_start"] == pd.Timestamp("2011-10-01")
    assert set(result["comparison_area"]) == {"COMPARISON"}


def test_an_incomplete_year_is_left_out() -> None:
    counts = _counts(_halved_from_start, last="2013-06-01")  # year 1 lacks Jul-Sep 2013
    result = area_effects.event_study(counts, "BELLTOWN", START)
    assert list(result["lead_year"]) == [-3, -2, -1, 0]


def test_pre_trend_measures_growth_per_year_and_rejects_a_real_trend() -> None:
    def growing(month: pd.Timestamp) -> float:
        elapsed = ((month.year - START.year) * 12 + month.month - START.month) / 12
        return 1.2**elapsed

    trend = area_effects.pre_trend(_counts(growing), "BELLTOWN", START).iloc[0]
    assert trend["ratio_per_year"] == pytest.approx(1.2, rel=1e-6)
    assert trend["lower"] <= 1.2 <= trend["upper"]  # exact data: no noise, no width
    assert trend["p_value"] < 0.001 and trend["months"] == 36
    flat = area_effects.pre_trend(_counts(lambda _m: 1.0), "BELLTOWN", START).iloc[0]
    assert flat["ratio_per_year"] == pytest.approx(1.0, abs=1e-9)


def test_the_pre_trend_test_rejects_parallel_noisy_series_about_one_time_in_twenty() -> None:
    # Poisson noise around parallel series: the test's false alarm rate over 100 seeds.
    rejected = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        counts = _counts(lambda _m: 1.0)
        counts["offense_count"] = rng.poisson(counts["offense_count"])
        rejected += area_effects.pre_trend(counts, "BELLTOWN", START).iloc[0]["p_value"] < 0.05
    assert 1 <= rejected <= 12, rejected


def test_placebo_starts_are_the_two_years_before_whose_windows_end_by_the_start() -> None:
    starts = area_effects.placebo_starts(START)
    assert starts[0] == pd.Timestamp("2009-01-01")
    assert starts[-1] == pd.Timestamp("2010-10-01")
    assert len(starts) == 22


def test_placebos_show_no_change_where_there_was_none_and_windows_give_the_real_one() -> None:
    counts = _counts(_halved_from_start, first="2008-01-01")
    placebos = area_effects.placebo_ratios(counts, "BELLTOWN", START)
    assert len(placebos) == 22
    assert placebos["rate_ratio"].to_numpy() == pytest.approx(np.ones(22), rel=1e-6)
    windows = area_effects.window_ratios(counts, "BELLTOWN", START).set_index("window_months")
    # 36 months each side needs October 2008 to September 2014: not covered, not computed.
    assert list(windows.index) == [12, 24]
    assert windows["rate_ratio"].to_numpy() == pytest.approx([0.5, 0.5], rel=1e-6)
    assert all(math.isfinite(v) for v in windows["lower"])
