"""Unit tests of the generated plain-language chart summaries."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from dashboard.labels import area_label
from dashboard.pages.quality_of_life_sources import subject
from dashboard.summaries import (
    complete_years,
    count_trend_summary,
    describe_change,
    flow_summary,
    index_trend_summary,
    trajectory_summary,
)


def monthly(
    area: str, year: int, values: Sequence[float], suppressed: list[bool] | None = None
) -> pd.DataFrame:
    """Observations for the first ``len(values)`` months of ``year``."""
    return pd.DataFrame(
        {
            "area": area,
            "period_start_date": pd.date_range(f"{year}-01-01", periods=len(values), freq="MS"),
            "value": [float(v) for v in values],
            "is_suppressed": suppressed if suppressed is not None else [False] * len(values),
        }
    )


def frame_of(*parts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True)


# --- complete_years --------------------------------------------------------------------


def test_complete_years_keeps_only_full_unsuppressed_years() -> None:
    suppressed = [False] * 12
    suppressed[5] = True
    frame = frame_of(
        monthly("belltown", 2019, list(range(1, 13))),  # complete: total 78, mean 6.5
        monthly("belltown", 2020, [1] * 12, suppressed),  # one month withheld
        monthly("belltown", 2021, [1] * 11),  # November onwards missing
        monthly("capitol-hill", 2019, [2] * 12),  # complete: total 24, mean 2
    )
    years = complete_years(frame)
    assert list(years.columns) == ["area", "year", "total", "mean"]
    assert list(years.itertuples(index=False, name=None)) == [
        ("belltown", 2019, 78.0, 6.5),
        ("capitol-hill", 2019, 24.0, 2.0),
    ]


def test_complete_years_accepts_date_strings() -> None:
    frame = monthly("belltown", 2019, [3] * 12)
    frame["period_start_date"] = frame["period_start_date"].dt.strftime("%Y-%m-%d")
    assert list(complete_years(frame).itertuples(index=False, name=None)) == [
        ("belltown", 2019, 36.0, 3.0)
    ]


def test_complete_years_of_nothing_complete_is_empty() -> None:
    assert complete_years(monthly("belltown", 2019, [3] * 6)).empty


# --- describe_change -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "sentence"),
    [
        (84, 41, "fell from 84 in 2011 to 41 in 2014 (down 51%)"),
        (84, 100, "rose from 84 in 2011 to 100 in 2014 (up 19%)"),
        (100, 104, "stayed about the same (100 in 2011, 104 in 2014)"),
        (100, 96, "stayed about the same (100 in 2011, 96 in 2014)"),
        (100, 100, "stayed about the same (100 in 2011, 100 in 2014)"),
        (100, 105, "rose from 100 in 2011 to 105 in 2014 (up 5%)"),  # 5% is not "flat"
        (100, 95, "fell from 100 in 2011 to 95 in 2014 (down 5%)"),
        (10, 30, "rose from 10 in 2011 to 30 in 2014 (up 200%)"),
        (40, 0, "fell from 40 in 2011 to 0 in 2014 (down 100%)"),
        (1200, 2500, "rose from 1,200 in 2011 to 2,500 in 2014 (up 108%)"),
        (0, 7, "rose from 0 in 2011 to 7 in 2014"),
        (0, 0, "was 0 in both 2011 and 2014"),
        (84.4, 41.6, "fell from 84 in 2011 to 42 in 2014 (down 51%)"),
    ],
)
def test_describe_change(start: float, end: float, sentence: str) -> None:
    assert describe_change(start, end, 2011, 2014) == sentence


# --- count_trend_summary ---------------------------------------------------------------

TWO_AREAS = frame_of(
    monthly("belltown", 2019, [10] * 12),  # 120
    monthly("belltown", 2020, [5] * 12),  # 60
    monthly("capitol-hill", 2019, [2] * 12),  # 24
    monthly("capitol-hill", 2020, [3] * 12),  # 36
    monthly("capitol-hill", 2021, [3] * 5),  # partial year: ignored
)


def test_count_trend_summary_focus_first() -> None:
    assert count_trend_summary(TWO_AREAS, "belltown", "Reported robbery offenses", area_label) == (
        "Reported robbery offenses in Belltown fell from 120 in 2019 to 60 in 2020 (down 50%). "
        "Over the same years, Capitol Hill rose from 24 in 2019 to 36 in 2020 (up 50%)."
    )


def test_count_trend_summary_other_focus() -> None:
    assert count_trend_summary(TWO_AREAS, "capitol-hill", "Robberies", area_label) == (
        "Robberies in Capitol Hill rose from 24 in 2019 to 36 in 2020 (up 50%). "
        "Over the same years, Belltown fell from 120 in 2019 to 60 in 2020 (down 50%)."
    )


def test_count_trend_summary_without_the_focus_area_joins_the_others() -> None:
    frame = frame_of(
        TWO_AREAS,
        monthly("downtown-commercial", 2019, [20] * 12),  # 240
        monthly("downtown-commercial", 2020, [20] * 12),  # 240
    )
    assert count_trend_summary(frame, "magnolia", "Robberies", area_label) == (
        "Robberies: Belltown fell from 120 in 2019 to 60 in 2020 (down 50%). "
        "Capitol Hill rose from 24 in 2019 to 36 in 2020 (up 50%). "
        "Downtown Commercial stayed about the same (240 in 2019, 240 in 2020)."
    )


def test_count_trend_summary_compares_first_and_last_complete_year() -> None:
    frame = frame_of(
        monthly("belltown", 2018, [1] * 12),  # 12
        monthly("belltown", 2019, [50] * 12),
        monthly("belltown", 2020, [2] * 12),  # 24
    )
    assert count_trend_summary(frame, "belltown", "Robberies", area_label) == (
        "Robberies in Belltown rose from 12 in 2018 to 24 in 2020 (up 100%)."
    )


def test_count_trend_summary_gives_an_area_missing_an_end_year_its_own_years() -> None:
    frame = frame_of(
        monthly("belltown", 2019, [10] * 12),
        monthly("belltown", 2020, [5] * 12),
        monthly("capitol-hill", 2020, [3] * 12),  # no complete 2019
    )
    assert count_trend_summary(frame, "belltown", "Robberies", area_label) == (
        "Robberies in Belltown fell from 120 in 2019 to 60 in 2020 (down 50%). "
        "Over the years it has data for, Capitol Hill 36 in 2020."
    )


def test_count_trend_summary_single_year_lists_totals() -> None:
    frame = frame_of(
        monthly("capitol-hill", 2019, [2] * 12),
        monthly("belltown", 2019, [100] * 12),
    )
    assert count_trend_summary(frame, "belltown", "Robberies", area_label) == (
        "Robberies in 2019: Belltown had 1,200. Capitol Hill had 24."
    )


def test_count_trend_summary_without_complete_year() -> None:
    frame = monthly("belltown", 2019, [1] * 11)
    assert count_trend_summary(frame, "belltown", "Robberies", area_label) == (
        "Robberies: no full calendar year of data to compare yet."
    )


def test_count_trend_summary_ignores_a_year_with_a_withheld_month() -> None:
    suppressed = [False] * 11 + [True]
    frame = frame_of(
        monthly("belltown", 2019, [10] * 12),
        monthly("belltown", 2020, [5] * 12),
        monthly("belltown", 2021, [1] * 12, suppressed),
    )
    assert count_trend_summary(frame, "belltown", "Robberies", area_label) == (
        "Robberies in Belltown fell from 120 in 2019 to 60 in 2020 (down 50%)."
    )


# --- index_trend_summary ---------------------------------------------------------------


def test_index_trend_summary_two_areas() -> None:
    frame = frame_of(
        monthly("capitol-hill", 2019, [80] * 12),
        monthly("capitol-hill", 2020, [90] * 12),
        monthly("belltown", 2019, [100] * 12),
        monthly("belltown", 2020, [100] * 6 + [110] * 6),  # mean 105
        monthly("belltown", 2021, [500] * 3),  # partial year: ignored
    )
    assert index_trend_summary(frame, "belltown", 2010, area_label) == (
        "With each area's 2010 average set to 100, the average month in 2020 stood at: "
        "Belltown 105 and Capitol Hill 90. Above 100 means more reports than in 2010; "
        "below 100, fewer."
    )


def test_index_trend_summary_rounds_means() -> None:
    frame = frame_of(
        monthly("belltown", 2020, [120.4] * 12),
        monthly("capitol-hill", 2020, [1234.6] * 12),
    )
    assert index_trend_summary(frame, "capitol-hill", 2010, area_label) == (
        "With each area's 2010 average set to 100, the average month in 2020 stood at: "
        "Capitol Hill 1,235 and Belltown 120. Above 100 means more reports than in 2010; "
        "below 100, fewer."
    )


def test_index_trend_summary_without_complete_year() -> None:
    frame = monthly("belltown", 2020, [100] * 12, [True] + [False] * 11)
    assert index_trend_summary(frame, "belltown", 2010, area_label) == (
        "Index: no full calendar year of data to compare yet."
    )


def test_a_change_in_a_small_count_is_given_without_a_percentage() -> None:
    from dashboard.summaries import describe_change

    assert describe_change(1, 0, 2019, 2020) == "fell from 1 in 2019 to 0 in 2020"
    assert describe_change(12, 6, "Q3 2016", "Q4 2016") == "fell from 12 in Q3 2016 to 6 in Q4 2016"
    assert describe_change(4, 4, 2019, 2020) == "was 4 in both 2019 and 2020"
    assert describe_change(40, 20, 2011, 2014) == "fell from 40 in 2011 to 20 in 2014 (down 50%)"
    assert describe_change(8.0, 4.0, 2011, 2014, prefix="$", is_count=False) == (
        "fell from $8 in 2011 to $4 in 2014 (down 50%)"
    )


def _referral_quarters(values: list[float | None]) -> pd.DataFrame:
    starts = pd.date_range("2011-10-01", periods=len(values), freq="QS")
    return pd.DataFrame(
        {
            "period_start_date": starts,
            "value": [float("nan") if v is None else v for v in values],
            "is_suppressed": [v is None for v in values],
            "breakdown_value": "",
        }
    )


def test_flow_summary_gives_the_published_total_and_what_the_shown_quarters_add_up_to() -> None:
    totals = _referral_quarters([20, None, 30, 12])
    parts = totals.iloc[0:0]
    assert flow_summary(totals, parts, "people were referred", str, 11, period_total=70) == (
        "From Q4 2011 to Q3 2012, 70 people were referred (the running total). The totals of "
        "1 of 4 quarters are withheld to protect privacy (fewer than 11 people). So the "
        "quarters shown add up to 62."
    )
    assert flow_summary(totals, parts, "people were referred", str, 11) == (
        "From Q4 2011 to Q3 2012, 62 people were referred. The totals of 1 of 4 quarters are "
        "withheld to protect privacy (fewer than 11 people). They are not included."
    )
    complete = _referral_quarters([20, 15, 30, 12])
    assert flow_summary(complete, parts, "people were referred", str, 11, period_total=77) == (
        "From Q4 2011 to Q3 2012, 77 people were referred."
    )


def test_trajectory_sentences_are_short_and_say_what_the_share_had() -> None:
    frame = pd.DataFrame(
        {
            "month": [-1, 12],
            "value": [47.0, 61.0],
            "lower_bound": [42.0, 55.0],
            "upper_bound": [53.0, 66.0],
            "is_suppressed": [False, False],
        }
    )
    assert trajectory_summary(frame, "had income or benefits", 11) == (
        "In the month before referral, 47% of assessed participants had income or benefits. "
        "12 months after, 61% had income or benefits. The likely ranges are 42% to 53% and "
        "55% to 66% (95% confidence intervals)."
    )


def test_other_source_subjects_name_the_unit_once() -> None:
    assert subject("Robbery", "offenses") == "Reported robbery offenses"
    assert subject("Graffiti (service requests)", "requests") == "Graffiti (service requests)"
    assert subject("Traffic", "calls") == "Traffic (calls)"
