"""The 'did crime go down after LEAD began?' sentence, on small known series."""

from __future__ import annotations

import pandas as pd

from dashboard.lead_start_summary import lead_start_sentence, year_each_side

EVENT = pd.Timestamp("2011-10-01")
NAMES = {"belltown": "Belltown", "capitol-hill": "Capitol Hill"}.__getitem__


def monthly(area: str, before: list[float], after: list[float]) -> pd.DataFrame:
    months = pd.date_range("2010-10-01", periods=24, freq="MS")
    return pd.DataFrame(
        {
            "area": area,
            "period_start_date": months,
            "value": [*before, *after],
            "is_suppressed": False,
        }
    )


def test_monthly_series_compares_the_means_of_the_twelve_months_each_side() -> None:
    frame = pd.concat(
        [
            monthly("belltown", [6.0] * 6 + [4.0] * 6, [4.0] * 12),
            monthly("capitol-hill", [2.0] * 12, [3.0] * 12),
        ]
    )
    assert year_each_side(frame, "belltown", EVENT, rolling=False) == (5.0, 4.0)
    assert lead_start_sentence(frame, "belltown", EVENT, "robberies", NAMES, rolling=False) == (
        "Belltown had 5.0 robberies a month in the year before LEAD began (October 2010 to "
        "September 2011). In the year after, to September 2012, it had 4.0 (down 20%). Over "
        "the same two years, Capitol Hill went from 2.0 to 3.0 (up 50%)."
    )


def test_a_rolling_series_reads_the_two_points_on_the_chart() -> None:
    values = [9.0] * 11 + [5.5] + [7.0] * 11 + [5.5]
    frame = monthly("belltown", values[:12], values[12:])
    assert year_each_side(frame, "belltown", EVENT, rolling=True) == (5.5, 5.5)
    sentence = lead_start_sentence(frame, "belltown", EVENT, "thefts", NAMES, rolling=True)
    assert sentence.endswith("it had 5.5 (about the same).")


def test_a_missing_or_withheld_month_means_no_comparison_not_a_short_average() -> None:
    frame = monthly("belltown", [5.0] * 12, [4.0] * 12)
    assert lead_start_sentence(frame.drop(index=3), "belltown", EVENT, "x", NAMES, False) == ""
    withheld = frame.assign(is_suppressed=frame.index == 20)
    assert year_each_side(withheld, "belltown", EVENT, rolling=False) is None
    other = pd.concat([frame, monthly("capitol-hill", [1.0] * 12, [1.0] * 12).iloc[1:]])
    assert "Capitol Hill" not in lead_start_sentence(other, "belltown", EVENT, "x", NAMES, False)
