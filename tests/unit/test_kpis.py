"""Periods of the briefing and the totals of key figures (withheld parts withhold the sum)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import kpis


@pytest.mark.parametrize(
    ("key", "label", "long_label", "prior"),
    [
        ("2014-Q3", "Q3 2014", "July to September 2014", "2013-Q3"),
        ("2014-Q1", "Q1 2014", "January to March 2014", "2013-Q1"),
        ("2014", "2014", "January to December 2014", "2013"),
    ],
)
def test_periods(key: str, label: str, long_label: str, prior: str) -> None:
    period = kpis.parse_period(key)
    assert period is not None
    assert (period.key, period.label, period.long_label, period.year_before().key) == (
        key,
        label,
        long_label,
        prior,
    )


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (12.0, 18.0, "against 18 in Q4 2015"),  # small counts: no percentage
        (12.0, 24.0, "down 50% from 24 in Q4 2015"),
        (150.0, 100.0, "up 50% from 100 in Q4 2015"),
        (102.0, 100.0, "about the same as 100 in Q4 2015"),
        (5.0, 0.0, "none in Q4 2015"),
        (6.0, 6.0, "the same as 6 in Q4 2015"),
        (None, 30.0, "fewer than the privacy threshold"),
    ],
)
def test_tile_changes_name_both_counts(now: float | None, before: float, expected: str) -> None:
    assert kpis._change_words(now, before, "Q4 2015") == expected


@pytest.mark.parametrize("key", ["2014-Q5", "2014-Q0", "14", "1999", "2014-Q3x", "", None, "Q3"])
def test_unreadable_periods_are_none(key: str | None) -> None:
    assert kpis.parse_period(key) is None


def quarters(values: list[float | None]) -> pd.DataFrame:
    starts = pd.date_range("2014-01-01", periods=len(values), freq="QS")
    return pd.DataFrame(
        {
            "period_start_date": starts,
            "value": [float("nan") if v is None else v for v in values],
            "is_suppressed": [v is None for v in values],
        }
    )


def test_a_year_total_is_the_sum_of_its_quarters_unless_one_is_withheld() -> None:
    year = kpis.parse_period("2014")
    assert year is not None
    assert kpis.period_total(quarters([10, 20, 30, 40]), year) == 100
    assert kpis.period_total(quarters([10, None, 30, 40]), year) is None
    assert kpis.period_total(quarters([10, 20, 30]), year) is None  # a quarter is missing
    q3 = kpis.parse_period("2014-Q3")
    assert q3 is not None
    assert kpis.period_total(quarters([10, None, 30, 40]), q3) == 30


def test_a_period_is_written_in_ascii_digits_only() -> None:
    from dashboard.kpis import parse_period

    assert parse_period("2014-Q3") is not None
    assert parse_period("\u0662\u0660\u0661\u0664-Q3") is None  # Arabic-Indic digits
    assert parse_period("\uff12\uff10\uff11\uff14") is None  # full-width digits
