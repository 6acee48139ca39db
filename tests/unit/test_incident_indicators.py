"""Unit tests of the neighborhood incident indicators (pure functions on small frames)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.indicators.incidents import (
    COUNT_COLUMNS,
    area_slug,
    coverage_months,
    covered_cells,
    file_coverage,
    monthly_offense_counts,
    offense_index,
)
from etl.sources.common import Coverage

DATASET_START = pd.Timestamp("2008-01-01")
T = pd.Timestamp


def times(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"), dtype="datetime64[ns]")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("BELLTOWN", "belltown"),
        ("DOWNTOWN COMMERCIAL", "downtown-commercial"),
        ("  CAPITOL HILL ", "capitol-hill"),
        ("SLU/CASCADE", "slu-cascade"),
        ("QUEEN ANNE - NORTH", "queen-anne-north"),
        ("Belltown", "belltown"),
    ],
)
def test_area_slug(name: str, slug: str) -> None:
    assert area_slug(name) == slug


# --- coverage_months -------------------------------------------------------------------


def test_coverage_drops_a_partial_last_month() -> None:
    # The Belltown extract: first report 2008-01-07, last 2021-09-06.
    reports = times("2021-09-06 12:00", "2008-01-07 10:00", "2015-05-05")
    assert coverage_months(reports, DATASET_START) == (T("2008-01-01"), T("2021-08-01"))


@pytest.mark.parametrize(
    ("latest", "last_month"),
    [
        ("2021-08-31 00:00:01", "2021-08-01"),  # on the month's last day: complete
        ("2021-08-31 23:59:59", "2021-08-01"),
        ("2021-08-30 23:59:59", "2021-07-01"),  # a day short: partial
        ("2020-02-29 08:00", "2020-02-01"),  # leap-year February
        ("2020-02-28 08:00", "2020-01-01"),
        ("2021-01-01 00:00", "2020-12-01"),  # partial January falls back across the year
        ("2020-12-31 12:00", "2020-12-01"),
    ],
)
def test_coverage_last_month(latest: str, last_month: str) -> None:
    covered = coverage_months(times("2019-03-01", latest), DATASET_START)
    assert covered == (T("2019-03-01"), T(last_month))


def test_coverage_starts_no_earlier_than_the_dataset() -> None:
    reports = times("2001-01-01 01:00", "2007-12-16", "2009-06-30 10:00")
    assert coverage_months(reports, DATASET_START) == (T("2008-01-01"), T("2009-06-01"))


def test_coverage_dataset_start_inside_a_month_gives_that_month() -> None:
    reports = times("2007-11-02", "2008-03-31 10:00")
    covered = coverage_months(reports, T("2008-01-15"))
    assert covered == (T("2008-01-01"), T("2008-03-01"))


@pytest.mark.parametrize(
    ("earliest", "first_month"),
    [
        ("2012-04-01 00:00", "2012-04-01"),  # on the month's first day: complete
        ("2012-04-01 23:59", "2012-04-01"),
        ("2012-04-02 00:00", "2012-05-01"),  # a day late: partial, the next month is first
        ("2012-04-30 23:00", "2012-05-01"),
        ("2008-01-07 15:30", "2008-01-01"),  # the dataset's first month: nothing is earlier
    ],
)
def test_coverage_first_month(earliest: str, first_month: str) -> None:
    covered = coverage_months(times(earliest, "2012-06-30 01:00"), DATASET_START)
    assert covered == (T(first_month), T("2012-06-01"))


def test_coverage_of_nothing_is_none() -> None:
    assert coverage_months(pd.Series([], dtype="datetime64[ns]"), DATASET_START) is None


def test_coverage_of_one_partial_month_is_none() -> None:
    assert coverage_months(times("2020-03-01", "2020-03-20"), DATASET_START) is None
    assert coverage_months(times("2020-03-02", "2020-03-31 10:00"), DATASET_START) is None


def test_coverage_of_one_complete_month() -> None:
    covered = coverage_months(times("2020-03-01", "2020-03-31 09:00"), DATASET_START)
    assert covered == (T("2020-03-01"), T("2020-03-01"))


# --- monthly_offense_counts ------------------------------------------------------------


def window_counts(
    offenses: pd.DataFrame, areas: list[str], first: pd.Timestamp, last: pd.Timestamp
) -> pd.DataFrame:
    """Counts as one file covering ``first`` to ``last`` with the areas and groups it holds."""
    coverage = Coverage(
        "one.csv",
        first,
        last,
        tuple(sorted(set(offenses["area"]))),
        tuple(sorted(set(offenses["offense_parent_group"]))),
    )
    return monthly_offense_counts(offenses, covered_cells([coverage], areas))


def offenses_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [r[0] for r in rows],
            "report_datetime": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype(
                "datetime64[ns]"
            ),
            "offense_parent_group": [r[2] for r in rows],
        }
    )


OFFENSES = offenses_frame(
    [
        ("BELLTOWN", "2020-01-05 10:00", "ROBBERY"),
        ("BELLTOWN", "2020-01-31 23:59:59", "ROBBERY"),
        ("BELLTOWN", "2020-03-01 00:00", "LARCENY-THEFT"),
        ("BELLTOWN", "2019-12-31 23:59:59", "ROBBERY"),  # before the window
        ("BELLTOWN", "2020-04-01 00:00", "ROBBERY"),  # after the window
        ("CAPITOL HILL", "2020-02-10 12:00", "LARCENY-THEFT"),
        ("UNKNOWN", "2020-01-10 12:00", "ARSON"),  # area not asked for
    ]
)
AREAS = ["BELLTOWN", "CAPITOL HILL", "DOWNTOWN COMMERCIAL"]


def test_monthly_counts_exact() -> None:
    counts = window_counts(OFFENSES, AREAS, T("2020-01-01"), T("2020-03-01"))
    assert list(counts.columns) == COUNT_COLUMNS
    assert counts["offense_count"].dtype == "int64"
    assert str(counts["period_start_date"].dtype).startswith("datetime64")
    nonzero = {
        ("BELLTOWN", T("2020-01-01"), "ROBBERY"): 2,
        ("BELLTOWN", T("2020-03-01"), "LARCENY-THEFT"): 1,
        ("CAPITOL HILL", T("2020-02-01"), "LARCENY-THEFT"): 1,
    }
    expected = [
        (area, month, group, nonzero.get((area, month, group), 0))
        for area in ["BELLTOWN", "CAPITOL HILL"]
        for month in [T("2020-01-01"), T("2020-02-01"), T("2020-03-01")]
        for group in ["ARSON", "LARCENY-THEFT", "ROBBERY"]
    ]
    assert list(counts.itertuples(index=False, name=None)) == expected
    assert int(counts["offense_count"].sum()) == 4


def test_area_with_no_rows_is_left_out_but_empty_months_are_zero() -> None:
    counts = window_counts(OFFENSES, AREAS, T("2020-01-01"), T("2020-03-01"))
    assert "DOWNTOWN COMMERCIAL" not in set(counts["area"])
    capitol = counts[counts["area"] == "CAPITOL HILL"]
    assert len(capitol) == 9
    assert capitol["offense_count"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_area_with_rows_only_outside_the_window_is_all_zero() -> None:
    counts = window_counts(OFFENSES, ["BELLTOWN"], T("2020-05-01"), T("2020-06-01"))
    assert len(counts) == 2 * 3
    assert counts["offense_count"].tolist() == [0] * 6


def test_areas_come_in_name_order() -> None:
    counts = window_counts(OFFENSES, ["CAPITOL HILL", "BELLTOWN"], T("2020-02-01"), T("2020-02-01"))
    assert counts["area"].tolist() == ["BELLTOWN"] * 3 + ["CAPITOL HILL"] * 3
    assert counts["offense_count"].tolist() == [0, 0, 0, 0, 1, 0]


def test_no_wanted_area_gives_an_empty_frame() -> None:
    counts = window_counts(OFFENSES, ["MAGNOLIA"], T("2020-01-01"), T("2020-03-01"))
    assert list(counts.columns) == COUNT_COLUMNS
    assert counts.empty


AREA_POOL = ["BELLTOWN", "CAPITOL HILL", "UNKNOWN"]
GROUP_POOL = ["ROBBERY", "ARSON", "LARCENY-THEFT"]
WINDOW = (T("2020-01-01"), T("2020-06-01"))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(AREA_POOL),
            st.datetimes(
                min_value=pd.Timestamp("2019-10-01").to_pydatetime(),
                max_value=pd.Timestamp("2020-09-30 23:59:59").to_pydatetime(),
            ),
            st.sampled_from(GROUP_POOL),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_monthly_counts_total_equals_rows_in_scope(rows: list[tuple[str, datetime, str]]) -> None:
    frame = offenses_frame([(a, str(pd.Timestamp(t)), g) for a, t, g in rows])
    wanted = ["BELLTOWN", "CAPITOL HILL"]
    counts = window_counts(frame, wanted, *WINDOW)
    end = WINDOW[1] + pd.DateOffset(months=1)
    in_scope = frame[
        frame["area"].isin(wanted)
        & (frame["report_datetime"] >= WINDOW[0])
        & (frame["report_datetime"] < end)
    ]
    present = [a for a in wanted if (frame["area"] == a).any()]
    groups = frame["offense_parent_group"].nunique()
    assert int(counts["offense_count"].sum()) == len(in_scope)
    assert len(counts) == len(present) * 6 * groups
    assert (counts["offense_count"] >= 0).all()
    assert not counts.duplicated(["area", "period_start_date", "offense_group"]).any()


# --- offense_index ---------------------------------------------------------------------


def counts_frame(area: str, group: str, start: str, values: list[int]) -> pd.DataFrame:
    months = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame(
        {
            "area": area,
            "period_start_date": months,
            "offense_group": group,
            "offense_count": pd.Series(values, dtype="int64"),
        }
    )


def test_index_of_a_baseline_averaging_five() -> None:
    baseline = [4, 6] * 6  # 2010 average: 5
    counts = counts_frame("BELLTOWN", "ROBBERY", "2010-01-01", [*baseline, 10, 3, 7, 0, 1])
    index = offense_index(counts, 2010)
    assert list(index.columns) == ["area", "period_start_date", "offense_group", "index_value"]
    assert index["index_value"].tolist() == [80.0, 120.0] * 6 + [200.0, 60.0, 140.0, 0.0, 20.0]
    assert index["period_start_date"].tolist() == list(counts["period_start_date"])
    assert set(index["area"]) == {"BELLTOWN"}
    assert set(index["offense_group"]) == {"ROBBERY"}


def test_index_is_rounded_to_one_decimal() -> None:
    counts = counts_frame("BELLTOWN", "ROBBERY", "2010-01-01", [6] * 12 + [1, 7, 13])
    index = offense_index(counts, 2010)
    assert index["index_value"].tolist()[12:] == [16.7, 116.7, 216.7]


def test_index_uses_the_given_baseline_year() -> None:
    counts = counts_frame("BELLTOWN", "ROBBERY", "2010-01-01", [5] * 12 + [10] * 12)
    index = offense_index(counts, 2011)
    assert index["index_value"].tolist() == [50.0] * 12 + [100.0] * 12


def test_series_without_full_or_nonzero_baseline_get_no_index() -> None:
    counts = pd.concat(
        [
            # Full 2010 with mean 2: indexed.
            counts_frame("BELLTOWN", "ROBBERY", "2010-01-01", [2] * 12 + [3]),
            # 2010 covered from February only: no index.
            counts_frame("CAPITOL HILL", "ROBBERY", "2010-02-01", [5] * 11 + [5, 5]),
            # Full 2010 but never an offence: no index.
            counts_frame("BELLTOWN", "ARSON", "2010-01-01", [0] * 12 + [4]),
            # Same area and group names but a different pairing: indexed on its own mean 1.
            counts_frame("CAPITOL HILL", "ARSON", "2010-01-01", [1] * 12 + [2]),
        ],
        ignore_index=True,
    )
    index = offense_index(counts, 2010)
    series = {
        key: group["index_value"].tolist()
        for key, group in index.groupby(["area", "offense_group"], sort=True)
    }
    assert series == {
        ("BELLTOWN", "ROBBERY"): [100.0] * 12 + [150.0],
        ("CAPITOL HILL", "ARSON"): [100.0] * 12 + [200.0],
    }


def test_index_of_no_counts_is_empty() -> None:
    empty = pd.DataFrame(columns=COUNT_COLUMNS)
    index = offense_index(empty, 2010)
    assert list(index.columns) == ["area", "period_start_date", "offense_group", "index_value"]
    assert index.empty


def test_index_without_baseline_year_in_range_is_empty() -> None:
    counts = counts_frame("BELLTOWN", "ROBBERY", "2012-01-01", [3] * 24)
    assert offense_index(counts, 2010).empty


def test_counts_feed_the_index_end_to_end() -> None:
    """Two reports a month through 2010, then four in January 2011: index 200."""
    rows = [
        ("BELLTOWN", f"2010-{m:02d}-{d:02d} 12:00", "ROBBERY")
        for m in range(1, 13)
        for d in (3, 17)
    ]
    rows += [("BELLTOWN", f"2011-01-{d:02d} 08:00", "ROBBERY") for d in (1, 2, 3, 31)]
    counts = window_counts(offenses_frame(rows), ["BELLTOWN"], T("2010-01-01"), T("2011-01-01"))
    index = offense_index(counts, 2010)
    assert counts["offense_count"].tolist() == [2] * 12 + [4]
    assert index["index_value"].tolist() == [100.0] * 12 + [200.0]


def test_before_after_rate_ratio_is_the_ratio_of_ratios() -> None:
    from etl.indicators.incidents import before_after_rate_ratios

    months = pd.date_range("2009-10-01", periods=48, freq="MS")
    before = months < pd.Timestamp("2011-10-01")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "area": "BELLTOWN",
                    "period_start_date": months,
                    "offense_group": "ROBBERY",
                    "offense_count": [
                        (10 if b else 5) + (1 if i % 2 else -1) for i, b in enumerate(before)
                    ],
                }
            ),
            pd.DataFrame(
                {
                    "area": "CAPITOL HILL",
                    "period_start_date": months,
                    "offense_group": "ROBBERY",
                    "offense_count": [8 + (1 if i % 2 else -1) for i in range(48)],
                }
            ),
        ],
        ignore_index=True,
    )
    result = before_after_rate_ratios(frame, "BELLTOWN", pd.Timestamp("2011-10-01"))
    row = result.iloc[0]
    assert (row["offense_group"], row["comparison_area"]) == ("ROBBERY", "CAPITOL HILL")
    assert row["rate_ratio"] == pytest.approx(0.5)
    assert row["lower"] < 0.5 < row["upper"]
    assert (row["focus_before"], row["focus_after"]) == (240, 120)
    assert (row["comparison_before"], row["comparison_after"]) == (192, 192)


def test_before_after_needs_every_month_of_both_windows() -> None:
    from etl.indicators.incidents import before_after_rate_ratios

    months = pd.date_range("2010-10-01", periods=36, freq="MS")  # only 12 months before
    frame = pd.DataFrame(
        {
            "area": ["BELLTOWN"] * 36 + ["CAPITOL HILL"] * 36,
            "period_start_date": list(months) * 2,
            "offense_group": "ROBBERY",
            "offense_count": 4,
        }
    )
    assert before_after_rate_ratios(frame, "BELLTOWN", pd.Timestamp("2011-10-01")).empty


def test_grid_counts_bins_located_offences_by_cell_centre() -> None:
    from etl.indicators.incidents import grid_counts

    offenses = pd.DataFrame(
        {
            "area": ["BELLTOWN", "BELLTOWN", "BELLTOWN", "BELLTOWN", "CAPITOL HILL"],
            "offense_parent_group": ["ROBBERY"] * 5,
            "latitude": [47.6151, 47.6159, 47.6181, float("nan"), 47.62],
            "longitude": [-122.3491, -122.3499, -122.3491, float("nan"), -122.32],
        }
    )
    cells = grid_counts(offenses, "BELLTOWN", grid_degrees=0.003)
    assert cells.to_dict("records") == [
        {
            "offense_group": "ROBBERY",
            "cell_latitude": 47.6145,
            "cell_longitude": -122.3505,
            "offense_count": 2,
        },
        {
            "offense_group": "ROBBERY",
            "cell_latitude": 47.6175,
            "cell_longitude": -122.3505,
            "offense_count": 1,
        },
    ]


# --- coverage per file and area ------------------------------------------------------------


def test_two_files_with_different_periods_and_areas_publish_nothing_outside_their_coverage() -> (
    None
):
    """One file: Belltown and Capitol Hill, 2008-09. Another: Downtown, 2018-19. Every
    published cell is inside one file's coverage; no Belltown 2018 figure, not even 0."""
    old = Coverage(
        "crime_2008-09.csv",
        T("2008-01-01"),
        T("2009-12-01"),
        ("BELLTOWN", "CAPITOL HILL"),
        ("ROBBERY",),
    )
    new = Coverage(
        "crime_2018-19.csv",
        T("2018-01-01"),
        T("2019-12-01"),
        ("DOWNTOWN COMMERCIAL",),
        ("ROBBERY", "BURGLARY"),
    )
    offenses = offenses_frame(
        [
            ("BELLTOWN", "2008-03-04 10:00", "ROBBERY"),
            ("CAPITOL HILL", "2009-12-31 10:00", "ROBBERY"),
            ("DOWNTOWN COMMERCIAL", "2018-05-05 10:00", "BURGLARY"),
            ("DOWNTOWN COMMERCIAL", "2019-01-01 10:00", "ROBBERY"),
        ]
    )
    areas = ["BELLTOWN", "CAPITOL HILL", "DOWNTOWN COMMERCIAL"]
    counts = monthly_offense_counts(offenses, covered_cells([old, new], areas))

    per_area = counts.groupby("area")["period_start_date"].agg(["min", "max", "size"])
    assert per_area.to_dict("index") == {
        "BELLTOWN": {"min": T("2008-01-01"), "max": T("2009-12-01"), "size": 24},
        "CAPITOL HILL": {"min": T("2008-01-01"), "max": T("2009-12-01"), "size": 24},
        "DOWNTOWN COMMERCIAL": {"min": T("2018-01-01"), "max": T("2019-12-01"), "size": 48},
    }
    belltown = counts[counts["area"] == "BELLTOWN"]
    assert not (belltown["period_start_date"].dt.year == 2018).any()
    assert set(belltown["offense_group"]) == {"ROBBERY"}  # the old file held no burglary
    assert int(counts["offense_count"].sum()) == 4
    assert (
        counts.set_index(["area", "period_start_date", "offense_group"]).loc[
            ("DOWNTOWN COMMERCIAL", T("2018-05-01"), "BURGLARY"), "offense_count"
        ]
        == 1
    )


def test_file_coverage_takes_areas_and_groups_from_the_file_itself() -> None:
    dates = times("2018-01-01 00:10", "2018-06-30 22:00", "2018-03-03")
    coverage = file_coverage(
        "f.csv",
        dates,
        pd.Series(["BELLTOWN", "UNKNOWN", "BELLTOWN"]),
        pd.Series(["robbery", "burglary", "robbery"]),
        DATASET_START,
        frozenset({"UNKNOWN"}),
    )
    assert coverage == Coverage(
        "f.csv", T("2018-01-01"), T("2018-06-01"), ("BELLTOWN",), ("burglary", "robbery")
    )
    assert (
        file_coverage(
            "g.csv",
            times("2018-01-05", "2018-01-20"),
            pd.Series(["A", "A"]),
            pd.Series(["x", "x"]),
            DATASET_START,
        )
        is None
    )


def test_twelve_month_averages_need_twelve_covered_months_and_never_bridge_a_gap() -> None:
    from etl.indicators import catalog
    from etl.indicators.neighbourhood import rolling_indicator

    months = [*pd.date_range("2011-01-01", periods=12, freq="MS"), pd.Timestamp("2012-02-01")]
    counts = pd.DataFrame(
        {
            "area": "BELLTOWN",
            "offense_group": "robbery",
            "period_start_date": months,
            "offense_count": [*range(1, 13), 13],  # January 2012: no file covers it
        }
    )
    observations, row = rolling_indicator(
        counts, "offense_count", catalog.REPORTED_OFFENSES.as_row()
    )
    assert row["indicator_id"] == "reported_offenses_12mo"
    assert row["title"] == "Reported offenses per month, 12-month average"
    assert observations["period_start_date"].tolist() == [pd.Timestamp("2011-12-01")]
    assert observations["value"].tolist() == [6.5]
    assert observations["area"].tolist() == ["belltown"]
