"""Evaluation statistics (``etl/evaluation``) on tiny hand-made cohorts with hand-computed values.

Every expected number below is worked out by hand in the comments next to it; interval
checks compare with statsmodels (Wilson) or with the textbook formula written out here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from etl import demo
from etl.evaluation import (
    EvaluationError,
    UnitCost,
    arrest_odds_ratio,
    booking_rate_ratio,
    felony_odds_ratio,
    jail_days_rate_ratio,
    legal_costs,
    load_unit_costs,
    monthly_outcome_shares,
    outcome_odds_vs_baseline,
    person_windows,
    rates_per_person_year,
    share_with_event,
    time_to_first_arrest,
)
from etl.evaluation.common import ratio_interval
from etl.evaluation.costs import COST_COLUMNS
from etl.evaluation.recidivism import (
    RATE_COLUMNS,
    SHARE_COLUMNS,
    SURVIVAL_COLUMNS,
    kaplan_meier_by_month,
)
from etl.evaluation.windows import WINDOW_COLUMNS
from etl.sources.program import read_program_extract

T = pd.Timestamp
NaN = float("nan")
YEAR = 365.25
EXTRACT = T("2013-06-30")
Z = 1.959963984540054  # standard normal 97.5% quantile


# --- the hand-made cohort -------------------------------------------------------------
#
# A (lead) entry 2012-03-15: short windows [2011-09-15, 2012-03-15), (2012-03-15, 2012-09-15];
#   rate windows [2011-03-15, 2012-03-15) = 366 days (29 Feb 2012), (2012-03-15, 2013-03-15]
#   = 365 days. Observable (2012-09-15 <= extract date).
# B (lead) entry 2013-02-10: six months end 2013-08-10 > extract date 2013-06-30, so the
#   after values are NA. Rate windows [2012-02-10, 2013-02-10) = 366 days and
#   (2013-02-10, 2013-06-30] = 140 days (censored at the extract date).
# C (control) entry 2012-08-31: 31 Aug - 6 months = 29 Feb 2012, + 6 months = 28 Feb 2013
#   (clipped). Rate windows 366 days before; after censored: 2012-08-31 .. 2013-06-30 = 303.
# D (control) entry 2012-01-05, no events: 365 days before, 366 after.
# E (control) entry 2013-03-05: after evaluation_end (2013-03-01), not in the cohort.


def participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": ["A", "B", "C", "D", "E"],
            "cohort": ["lead", "lead", "control", "control", "control"],
            "referral_date": pd.to_datetime(
                ["2012-03-15", "2013-02-10", "2012-08-31", "2012-01-05", "2013-03-05"]
            ),
        }
    )


def legal_events() -> pd.DataFrame:
    rows = [
        # person, date, type, level, jail_days
        ("A", "2011-09-15", "arrest", "misdemeanor", NaN),  # first day of short before: in
        ("A", "2011-03-15", "booking", "misdemeanor", 10.0),  # first day of rate before: in
        # One day too early: not a booking of the window, but its stay (2011-03-14 to
        # 2011-06-20) covers 98 days of it, overlapping the 10-day stay above.
        ("A", "2011-03-14", "booking", "misdemeanor", 99.0),
        ("A", "2012-03-15", "arrest", "misdemeanor", NaN),  # entry day: neither window
        # Entry day: not a booking of either window; its stay runs 15-19 March 2012, so 4
        # jail days (16-19 March) fall in the after window.
        ("A", "2012-03-15", "booking", "misdemeanor", 5.0),
        ("A", "2012-09-15", "charge", "felony", NaN),  # last day of short after: in
        ("A", "2013-03-15", "booking", "felony", NaN),  # last day of rate after; days unknown
        ("A", "2013-03-16", "booking", "felony", 7.0),  # one day too late: out
        ("B", "2012-08-09", "arrest", "misdemeanor", NaN),  # before short window, in rate
        ("B", "2012-12-01", "charge", "misdemeanor", NaN),  # charge before (not a felony)
        ("B", "2013-04-01", "arrest", "misdemeanor", NaN),  # after, but window not observed
        ("B", "2013-04-01", "booking", "misdemeanor", 3.0),  # rate after (censored window)
        ("C", "2012-02-28", "arrest", "misdemeanor", NaN),  # day before short window: out
        ("C", "2012-02-29", "charge", "felony", NaN),  # first day of short before: in
        ("C", "2012-08-31", "arrest", "misdemeanor", NaN),  # entry day: neither
        ("C", "2012-08-31", "booking", "misdemeanor", 2.0),  # entry day; 1 jail day after
        ("C", "2013-02-28", "arrest", "misdemeanor", NaN),  # last day of short after: in
        # On the extract date: a booking after; 1 of its 20 jail days is inside follow-up.
        ("C", "2013-06-30", "booking", "misdemeanor", 20.0),
        ("E", "2013-04-01", "arrest", "felony", NaN),  # not an evaluation person
    ]
    frame = pd.DataFrame(
        rows, columns=["person_key", "event_date", "event_type", "charge_level", "jail_days"]
    )
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    return frame


@pytest.fixture
def windows() -> pd.DataFrame:
    return person_windows(participants(), legal_events(), EXTRACT, T("2013-03-01"))


def test_person_windows_hand_placed_events(windows: pd.DataFrame) -> None:
    na = pd.NA
    expected = pd.DataFrame(
        {
            "person_key": ["A", "B", "C", "D"],
            "cohort": ["lead", "lead", "control", "control"],
            "entry_date": pd.to_datetime(["2012-03-15", "2013-02-10", "2012-08-31", "2012-01-05"]),
            "arrest_before": pd.array([True, False, False, False], dtype="boolean"),
            "arrest_after": pd.array([False, na, True, False], dtype="boolean"),
            "felony_before": pd.array([False, False, True, False], dtype="boolean"),
            "felony_after": pd.array([True, na, False, False], dtype="boolean"),
            "bookings_before": [1, 0, 0, 0],
            "bookings_after": [1, 1, 1, 0],
            # A before: the union of the two stays, 15 March to 20 June 2011 = 98 days.
            # A after: 4 days of the entry-day stay (its 2013-03-15 booking: days unknown).
            "jail_days_before": [98.0, 0.0, 0.0, 0.0],
            "jail_days_after": [4.0, 3.0, 2.0, 0.0],
            "years_before": [366 / YEAR, 366 / YEAR, 366 / YEAR, 365 / YEAR],
            "years_after": [365 / YEAR, 140 / YEAR, 303 / YEAR, 366 / YEAR],
            "years_free_before": [268 / YEAR, 366 / YEAR, 366 / YEAR, 365 / YEAR],
            "years_free_after": [361 / YEAR, 137 / YEAR, 301 / YEAR, 366 / YEAR],
            "charges_before": [0, 1, 1, 0],
            "charges_after": [1, 0, 0, 0],
            # A: the 2011-09-15 arrest and the 2011-03-15 booking; B and C: an arrest 7 and
            # 6 months before entry (outside 6 months, inside 12).
            "prior_arrests_6m": [1, 0, 0, 0],
            "prior_arrests_12m": [1, 1, 1, 0],
            "prior_bookings_6m": [0, 0, 0, 0],
            "prior_bookings_12m": [1, 0, 0, 0],
        }
    )
    assert list(windows.columns) == list(WINDOW_COLUMNS)
    pd.testing.assert_frame_equal(windows, expected, check_dtype=False)
    assert str(windows["arrest_after"].dtype) == "boolean"
    assert windows["bookings_after"].dtype.kind == "i"
    assert windows["years_after"].dtype.kind == "f"


def test_person_windows_default_evaluation_end_and_censoring_at_a_later_extract() -> None:
    windows = person_windows(participants(), legal_events(), T("2014-12-31"))
    assert list(windows["person_key"]) == ["A", "B", "C", "D", "E"]  # all by 2014-07-31
    b = windows.set_index("person_key").loc["B"]
    assert bool(b["arrest_after"]) is True  # now observable: the 2013-04-01 arrest counts
    assert b["years_after"] == pytest.approx(365 / YEAR)  # 2013-02-10 .. 2014-02-10


def test_share_with_event_exact_counts_and_wilson_bounds(windows: pd.DataFrame) -> None:
    arrests = share_with_event(windows, "arrest")
    assert list(arrests.columns) == list(SHARE_COLUMNS)
    # lead before: A yes, B no; lead after: A no (B not observable); control before: C no,
    # D no; control after: C yes, D no.
    assert arrests[["cohort", "period", "people", "people_with_event"]].to_dict("list") == {
        "cohort": ["lead", "lead", "control", "control"],
        "period": ["before", "after", "before", "after"],
        "people": [2, 1, 2, 2],
        "people_with_event": [1, 0, 0, 1],
    }
    assert list(arrests["share_pct"]) == [50.0, 0.0, 0.0, 50.0]
    for row in arrests.itertuples():
        low, high = proportion_confint(row.people_with_event, row.people, method="wilson")
        assert row.lower_pct == pytest.approx(100 * low, abs=1e-12)
        assert row.upper_pct == pytest.approx(100 * high, abs=1e-12)
    # Wilson for 1 of 2 by hand: centre 1/2, half-width z*sqrt(1/8 + z^2/16)/(1 + z^2/2).
    half = Z * math.sqrt(0.25 / 2 + Z**2 / 16) / (1 + Z**2 / 2)
    assert arrests.loc[0, "lower_pct"] == pytest.approx(100 * (0.5 - half), abs=1e-9)
    felonies = share_with_event(windows, "felony")
    assert list(felonies["people_with_event"]) == [0, 1, 1, 0]
    assert list(felonies["people"]) == [2, 1, 2, 2]


def test_share_with_event_on_larger_counts_matches_statsmodels() -> None:
    frame = pd.DataFrame(
        {
            "cohort": ["lead"] * 20 + ["control"] * 9,
            "arrest_before": pd.array([True] * 7 + [False] * 13 + [True] * 9, dtype="boolean"),
            "arrest_after": pd.array([True] * 3 + [False] * 16 + [pd.NA] + [False] * 9, "boolean"),
        }
    )
    shares = share_with_event(frame, "arrest")
    assert list(shares["people"]) == [20, 19, 9, 9]
    assert list(shares["people_with_event"]) == [7, 3, 9, 0]
    assert shares.loc[0, "share_pct"] == pytest.approx(35.0)
    low, high = proportion_confint(7, 20, alpha=0.05, method="wilson")
    assert (shares.loc[0, "lower_pct"], shares.loc[0, "upper_pct"]) == (100 * low, 100 * high)
    assert shares.loc[2, "upper_pct"] == pytest.approx(100.0)  # 9 of 9
    assert shares.loc[3, "lower_pct"] == pytest.approx(0.0, abs=1e-12)  # 0 of 9


def test_share_with_event_rejects_unknown_event_without_values(windows: pd.DataFrame) -> None:
    with pytest.raises(EvaluationError, match="event must be"):
        share_with_event(windows, "booking")
    with pytest.raises(EvaluationError) as caught:
        person_windows(participants().drop(columns="cohort"), legal_events(), EXTRACT)
    assert str(caught.value) == "participants lacks column(s): cohort"


def test_rates_per_person_year_are_events_over_person_years(windows: pd.DataFrame) -> None:
    bookings = rates_per_person_year(windows, "bookings")
    assert list(bookings.columns) == list(RATE_COLUMNS)
    # Bookings per year at liberty (days in jail are not at risk): lead before A 1 booking
    # in 268 free days, B 0 in 366; lead after A 1 in 361, B 1 in 137; control before none;
    # control after C 1 in 301, D 0 in 366.
    assert list(bookings["people"]) == [2, 2, 2, 2]
    assert list(bookings["events_total"]) == [1, 2, 0, 1]
    free = [634 / YEAR, 498 / YEAR, 731 / YEAR, 667 / YEAR]
    assert list(bookings["person_years"]) == pytest.approx(free)
    assert list(bookings["rate"]) == pytest.approx([1 / free[0], 2 / free[1], 0.0, 1 / free[3]])
    # No bookings: rate 0, lower 0, no upper bound from the robust method.
    assert bookings.loc[2, "lower"] == 0.0 and math.isnan(bookings.loc[2, "upper"])
    # Jail days per calendar person-year of follow-up (jail time is in the denominator).
    jail = rates_per_person_year(windows, "jail_days")
    years = [732 / YEAR, 505 / YEAR, 731 / YEAR, 669 / YEAR]
    assert list(jail["person_years"]) == pytest.approx(years)
    assert list(jail["events_total"]) == [98.0, 7.0, 0.0, 2.0]
    assert list(jail["rate"]) == pytest.approx([98 / years[0], 7 / years[1], 0.0, 2 / years[3]])
    with pytest.raises(EvaluationError):
        rates_per_person_year(windows, "arrests")


def test_rate_interval_is_the_robust_ratio_interval_written_out() -> None:
    # Robust (HC0) variance of log(total / exposure) for an intercept-only Poisson GLM:
    # sum((y_i - R t_i)^2) / (R T)^2. Written out here and compared.
    values = np.array([0.0, 3.0, 1.0, 7.0, 2.0])
    years = np.array([1.0, 0.5, 1.0, 1.0, 0.25])
    rate, lower, upper = ratio_interval(values, years)
    total, exposure = values.sum(), years.sum()
    assert rate == total / exposure  # 13 / 3.75
    se = math.sqrt(((values - rate * years) ** 2).sum()) / total
    assert lower == pytest.approx(rate * math.exp(-Z * se), rel=1e-9)
    assert upper == pytest.approx(rate * math.exp(Z * se), rel=1e-9)


# --- effects ----------------------------------------------------------------------------


def _binary_windows(cells: dict[tuple[str, bool, bool], int]) -> pd.DataFrame:
    """People with given (cohort, before, after) arrest patterns; felony = arrest."""
    rows = []
    for (cohort, before, after), count in cells.items():
        rows += [(cohort, before, after)] * count
    frame = pd.DataFrame(rows, columns=["cohort", "arrest_before", "arrest_after"])
    frame.insert(0, "person_key", [f"p{i:03d}" for i in range(len(frame))])
    for column in ("arrest_before", "arrest_after"):
        frame[column] = frame[column].astype("boolean")
    frame["felony_before"] = frame["arrest_before"]
    frame["felony_after"] = frame["arrest_after"]
    return frame


def test_arrest_odds_ratio_is_the_difference_in_differences_of_crude_odds() -> None:
    # Complete data, saturated model: GEE reproduces the four cell proportions exactly.
    # LEAD (10): before 6 of 10, after 3 of 10; comparison (8): before 4, after 5.
    # OR = [(3/7) / (6/4)] / [(5/3) / (4/4)] = (2/7) / (5/3) = 6/35.
    windows = _binary_windows(
        {
            ("lead", True, True): 2,
            ("lead", True, False): 4,
            ("lead", False, True): 1,
            ("lead", False, False): 3,
            ("control", True, True): 3,
            ("control", True, False): 1,
            ("control", False, True): 2,
            ("control", False, False): 2,
        }
    )
    effect = arrest_odds_ratio(windows)
    assert effect["estimate"] == pytest.approx(6 / 35, rel=1e-6)
    assert effect["lower"] < effect["estimate"] < effect["upper"]
    assert 0 < effect["p_value"] < 1
    assert (effect["n_lead"], effect["n_control"]) == (10, 8)
    assert "GEE" in effect["method"] and "exchangeable" in effect["method"]
    assert felony_odds_ratio(windows)["estimate"] == pytest.approx(6 / 35, rel=1e-6)
    # Deterministic, and independent of row order.
    shuffled = windows.sample(frac=1.0, random_state=3)
    assert arrest_odds_ratio(shuffled) == effect
    assert arrest_odds_ratio(windows) == effect


def test_odds_ratio_is_not_estimable_when_a_cell_has_no_events() -> None:
    windows = _binary_windows(
        {
            ("lead", True, False): 5,
            ("lead", False, False): 5,
            ("control", True, True): 4,
            ("control", False, False): 4,
        }
    )  # LEAD after: nobody arrested
    effect = arrest_odds_ratio(windows)
    assert math.isnan(effect["estimate"]) and math.isnan(effect["upper"])
    assert (effect["n_lead"], effect["n_control"]) == (10, 8)
    assert "Not estimable" in effect["method"]


def test_booking_rate_ratio_equals_the_ratio_of_crude_rate_ratios() -> None:
    # Independence working correlation, saturated means: exp(lead:after) equals
    # (LEAD after / LEAD before) / (comparison after / comparison before) of crude rates.
    windows = pd.DataFrame(
        {
            "person_key": ["l1", "l2", "l3", "c1", "c2", "c3"],
            "cohort": ["lead"] * 3 + ["control"] * 3,
            "bookings_before": [3, 1, 4, 2, 0, 3],
            "bookings_after": [1, 0, 1, 2, 3, 1],
            "jail_days_before": [30.0, 2.0, 11.0, 9.0, 0.0, 14.0],
            "jail_days_after": [4.0, 0.0, 1.0, 10.0, 12.0, 3.0],
            "years_before": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "years_after": [1.0, 0.5, 0.25, 1.0, 0.75, 0.0],  # c3 has no follow-up yet
        }
    )
    windows["years_free_before"] = windows["years_before"]  # nobody in jail: same exposure
    windows["years_free_after"] = windows["years_after"]
    lead_ratio = (2 / 1.75) / (8 / 3.0)
    control_ratio = (5 / 1.75) / (5 / 3.0)  # c3's after row has no exposure: left out
    effect = booking_rate_ratio(windows)
    assert effect["estimate"] == pytest.approx(lead_ratio / control_ratio, rel=1e-6)
    assert effect["lower"] < effect["estimate"] < effect["upper"]
    assert (effect["n_lead"], effect["n_control"]) == (3, 3)
    jail = jail_days_rate_ratio(windows)
    jail_expected = ((5 / 1.75) / (43 / 3.0)) / ((22 / 1.75) / (23 / 3.0))
    assert jail["estimate"] == pytest.approx(jail_expected, rel=1e-6)
    rates = rates_per_person_year(windows, "bookings").set_index(["cohort", "period"])["rate"]
    from_table = (rates["lead", "after"] / rates["lead", "before"]) / (
        rates["control", "after"] / rates["control", "before"]
    )
    assert effect["estimate"] == pytest.approx(from_table, rel=1e-6)


# --- Kaplan-Meier -------------------------------------------------------------------------
#
# Source: the remission times in weeks of the 6-MP group of Freireich et al. (1963), as
# tabulated in Kleinbaum & Klein, "Survival Analysis: A Self-Learning Text", chapter 2
# (* = censored): 6, 6, 6, 6*, 7, 9*, 10, 10*, 11*, 13, 16, 17*, 19*, 20*, 22, 23, 25*,
# 32*, 32*, 34*, 35*. Product-limit values (n at risk, events) by hand:
# S(6) = 18/21; S(7) = S(6) * 16/17; S(10) = S(7) * 14/15; S(13) = S(10) * 11/12;
# S(16) = S(13) * 10/11; S(22) = S(16) * 6/7; S(23) = S(22) * 5/6 (0.8571, 0.8067, 0.7529,
# 0.6902, 0.6275, 0.5378, 0.4482 in the book's table). Here the weeks are read as months.

SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENTS = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def _six_mp_survival() -> dict[int, float]:
    s6 = 18 / 21
    s7 = s6 * 16 / 17
    s10 = s7 * 14 / 15
    s13 = s10 * 11 / 12
    s16 = s13 * 10 / 11
    s22 = s16 * 6 / 7
    s23 = s22 * 5 / 6
    steps = {0: 1.0, 6: s6, 7: s7, 10: s10, 13: s13, 16: s16, 22: s22, 23: s23}
    out, current = {}, 1.0
    for month in range(36):
        current = steps.get(month, current)
        out[month] = current
    return out


def test_kaplan_meier_on_the_6mp_remission_data() -> None:
    curve = kaplan_meier_by_month(np.array(SIX_MP_TIMES, float), np.array(SIX_MP_EVENTS), 35)
    expected = _six_mp_survival()
    assert list(curve["month"]) == list(range(36))
    assert list(curve["survival"]) == pytest.approx([expected[m] for m in range(36)], abs=1e-12)
    assert curve.loc[6, "survival"] == pytest.approx(0.8571, abs=5e-5)
    assert curve.loc[23, "survival"] == pytest.approx(0.4482, abs=5e-5)
    at_risk = dict(zip(curve["month"], curve["at_risk"], strict=True))
    assert [at_risk[m] for m in (0, 6, 7, 10, 13, 16, 22, 23, 35)] == [
        21,
        21,
        17,
        15,
        12,
        11,
        7,
        6,
        1,
    ]
    # Pointwise log(-log) interval with Greenwood's variance, written out for month 6 and 7.
    for month, greenwood in ((6, 3 / (21 * 18)), (7, 3 / (21 * 18) + 1 / (17 * 16))):
        s = expected[month]
        spread = Z * math.sqrt(greenwood) / abs(math.log(s))
        assert curve.loc[month, "lower"] == pytest.approx(s ** math.exp(spread), abs=1e-9)
        assert curve.loc[month, "upper"] == pytest.approx(s ** math.exp(-spread), abs=1e-9)
    assert math.isnan(curve.loc[0, "lower"])  # survival 1: interval not defined


def test_kaplan_meier_reaching_zero_and_beyond_follow_up() -> None:
    # Freireich placebo group (all relapsed): 1,1,2,2,3,4,4,5,5,8,8,8,8,11,11,12,12,15,17,22,23.
    times = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    curve = kaplan_meier_by_month(np.array(times, float), np.ones(len(times)), 24)
    assert curve.loc[8, "survival"] == pytest.approx(8 / 21)
    assert curve.loc[22, "survival"] == pytest.approx(1 / 21)
    assert list(curve.loc[23:24, "survival"]) == [0.0, 0.0]  # stays 0 after everyone relapsed
    censored = kaplan_meier_by_month(np.array([2.0, 3.5]), np.array([1, 0]), 5)
    assert list(censored["survival"][:4]) == [1.0, 1.0, 0.5, 0.5]
    assert censored["survival"][4:].isna().all()  # after the last observed time (3.5)


def test_time_to_first_arrest_measures_months_from_entry_and_censors_at_extract() -> None:
    # Extract date 2013-06-30. Times (days / 30.4375):
    # A: entry 2012-03-15; no arrest after entry (the entry-day arrest does not count):
    #    censored at 472 days. B: entry 2013-02-10, arrest 2013-04-01 = 50 days, event.
    # C: entry 2012-08-31, first later arrest 2013-02-28 = 181 days, event.
    # D: entry 2012-01-05, no arrest: censored at 542 days.
    curve = time_to_first_arrest(participants(), legal_events(), EXTRACT, T("2013-03-01"), 24)
    assert list(curve.columns) == list(SURVIVAL_COLUMNS)
    lead = curve[curve["cohort"] == "lead"].reset_index(drop=True)
    control = curve[curve["cohort"] == "control"].reset_index(drop=True)
    assert list(lead["month"]) == list(range(25))
    # LEAD: event at 1.64 months (2 at risk) -> 1/2; A censored at 15.5 months.
    assert list(lead["survival"][:16]) == [1.0, 1.0] + [0.5] * 14
    assert lead["survival"][16:].isna().all()
    assert list(lead["at_risk"][:3]) == [2, 2, 1] and lead.loc[16, "at_risk"] == 0
    # Control: event at 5.95 months (2 at risk) -> 1/2; D censored at 17.8 months.
    assert list(control["survival"][:18]) == [1.0] * 6 + [0.5] * 12
    assert control["survival"][18:].isna().all()
    same = kaplan_meier_by_month(np.array([181 / 30.4375, 542 / 30.4375]), np.array([1, 0]), 24)
    pd.testing.assert_frame_equal(control.drop(columns="cohort"), same)


# --- costs --------------------------------------------------------------------------------


def _unit_costs() -> dict[str, UnitCost]:
    amounts = {"booking": 100.0, "jail_day": 10.0, "prosecution": 1.0, "defense": 2.0, "court": 3.0}
    return {
        name: UnitCost(name, amount, "unit", 2016, "ASSUMPTION (test)", "")
        for name, amount in amounts.items()
    }


def test_legal_costs_roll_up_hand_computed(windows: pd.DataFrame) -> None:
    costs = legal_costs(windows, _unit_costs())
    assert list(costs.columns) == list(COST_COLUMNS)
    # Per charge 1 + 2 + 3 = 6. Before: A 1 booking + 98 jail days = 1,080; B 1 charge = 6;
    # C 1 charge = 6; D 0. After: A 1 booking + 4 days + 1 charge = 146;
    # B 1 booking + 3 days = 130; C 1 booking + 2 days = 120; D 0.
    lead_before, lead_after = 1086 / (732 / YEAR), 276 / (505 / YEAR)
    control_before, control_after = 6 / (731 / YEAR), 120 / (669 / YEAR)
    assert costs[["cohort", "period", "people"]].to_dict("list") == {
        "cohort": ["lead"] * 3 + ["control"] * 3,
        "period": ["before", "after", "change"] * 2,
        "people": [2, 2, 2, 2, 2, 2],
    }
    expected = [
        lead_before,
        lead_after,
        lead_after - lead_before,
        control_before,
        control_after,
        control_after - control_before,
    ]
    assert list(costs["cost_per_person_year"]) == pytest.approx(expected, rel=1e-12)
    assert list(costs["person_years"][:2]) == pytest.approx([732 / YEAR, 505 / YEAR])
    assert math.isnan(costs.loc[2, "person_years"])
    level = costs[costs["period"] != "change"]
    assert (level["lower"] <= level["cost_per_person_year"]).all()
    assert (level["cost_per_person_year"] <= level["upper"]).all()


def test_default_unit_costs_cite_a_source_or_say_assumption() -> None:
    costs = load_unit_costs()
    assert set(costs) == {"booking", "jail_day", "prosecution", "defense", "court"}
    jail = costs["jail_day"]
    assert jail.amount_usd == 42.0 and "Huffington Post" in jail.source
    assert not jail.is_assumption and "unverified" in jail.source
    for name in ("booking", "prosecution", "defense", "court"):
        assert costs[name].source.startswith(
            "ASSUMPTION (no published source available to this project):"
        )
        assert costs[name].is_assumption


def test_unit_costs_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "costs.toml"
    bad.write_text('[booking]\namount_usd = "lots"\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"\[booking\] amount_usd"):
        load_unit_costs(bad)


# --- monthly outcomes ---------------------------------------------------------------------


def _status_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        {
            "person_key": ["L1", "L2", "C1"],
            "cohort": ["lead", "lead", "control"],
            "referral_date": pd.to_datetime(["2013-03-10", "2013-04-02", "2013-03-01"]),
        }
    )
    rows = [
        # person, month, housing, employment, income
        ("L1", "2013-02", "homeless_unsheltered", "unemployed", False),  # month -1
        ("L1", "2013-03", "temporary_housing", "unknown", None),  # month 0
        ("L1", "2013-04", "unknown", "employed_full_time", True),  # month 1
        ("L2", "2013-03", "permanent_housing", "in_training", None),  # month -1
        ("L2", "2013-04", "homeless_sheltered", "unemployed", False),  # month 0
        ("L2", "2013-05", "permanent_housing", "employed_part_time", True),  # incomplete month
        ("C1", "2013-03", "permanent_housing", "employed_full_time", True),  # control: ignored
    ]
    status = pd.DataFrame(
        rows,
        columns=[
            "person_key",
            "month",
            "housing_status",
            "employment_status",
            "has_income_or_benefits",
        ],
    )
    status["month"] = pd.to_datetime(status["month"], format="%Y-%m")
    status["has_income_or_benefits"] = status["has_income_or_benefits"].astype("boolean")
    return people, status


def test_monthly_outcome_shares_exclude_unknown_and_incomplete_months() -> None:
    people, status = _status_frames()
    shares = monthly_outcome_shares(people, status, T("2013-05-20"), months=range(-1, 2))
    table = shares.set_index(["outcome", "month_since_referral"])
    counts = {key: (row.people, row.people_with_outcome) for key, row in table.iterrows()}
    assert counts == {
        # housed: -1 L1 no, L2 yes; 0 both yes; 1 L1 unknown (not "no"), L2's May incomplete.
        ("housed", -1): (2, 1),
        ("housed", 0): (2, 2),
        ("housed", 1): (0, 0),
        # employed: in_training counts; unknown is left out of the denominator.
        ("employed", -1): (2, 1),
        ("employed", 0): (1, 0),
        ("employed", 1): (1, 1),
        ("income_or_benefits", -1): (1, 0),
        ("income_or_benefits", 0): (1, 0),
        ("income_or_benefits", 1): (1, 1),
    }
    assert table.loc[("housed", -1), "share_pct"] == 50.0
    assert math.isnan(table.loc[("housed", 1), "share_pct"])
    low, high = proportion_confint(1, 2, method="wilson")
    assert table.loc[("housed", -1), "lower_pct"] == pytest.approx(100 * low)
    assert table.loc[("housed", -1), "upper_pct"] == pytest.approx(100 * high)
    # With a later extract date L2's May (month 1) counts.
    later = monthly_outcome_shares(people, status, T("2013-05-31"), months=[1])
    assert later.set_index("outcome").loc["housed", "people"] == 1


def test_outcome_odds_vs_baseline_on_balanced_data_equals_crude_odds_ratio() -> None:
    # 10 people, each assessed at baseline and month 3: housed 3 of 10 then 6 of 10.
    # Complete, balanced clusters and a saturated mean: OR = (6/4) / (3/7) = 3.5.
    keys = [f"p{i}" for i in range(10)]
    people = pd.DataFrame({"person_key": keys, "cohort": "lead", "referral_date": T("2013-05-15")})
    baseline = ["permanent_housing"] * 3 + ["homeless_unsheltered"] * 7
    later = ["permanent_housing"] * 2 + ["homeless_sheltered"] * 4 + ["homeless_unsheltered"] * 4
    status = pd.DataFrame(
        {
            "person_key": keys * 2,
            "month": [T("2013-04-01")] * 10 + [T("2013-08-01")] * 10,
            "housing_status": baseline + later,
            "employment_status": "unknown",
            "has_income_or_benefits": pd.array([pd.NA] * 20, dtype="boolean"),
        }
    )
    odds = outcome_odds_vs_baseline(people, status, "housed")
    assert odds["estimate"] == pytest.approx(3.5, rel=1e-6)
    assert odds["lower"] < 3.5 < odds["upper"] and odds["n"] == 10
    employed = outcome_odds_vs_baseline(people, status, "employed")
    assert math.isnan(employed["estimate"]) and employed["n"] == 0  # nobody assessed
    assert "Not estimable" in employed["method"]
    with pytest.raises(EvaluationError):
        outcome_odds_vs_baseline(people, status, "sheltered")


# --- the demonstration extract ------------------------------------------------------------


def test_statistics_on_the_demonstration_extract(tmp_path: Path) -> None:
    demo.write_demo_extract(tmp_path)
    extract = read_program_extract(str(tmp_path), "")
    windows = person_windows(extract.participants, extract.legal_events, extract.extract_date)
    assert windows["cohort"].value_counts().to_dict() == {"lead": 203, "control": 115}
    effect = arrest_odds_ratio(windows)
    assert effect["estimate"] < 1 and effect["upper"] < 1  # published: 60% lower odds
    assert (effect["n_lead"], effect["n_control"]) == (203, 115)
    assert booking_rate_ratio(windows)["upper"] < 1
    rates = rates_per_person_year(windows, "bookings").set_index(["cohort", "period"])
    fewer = rates.loc[("control", "after"), "rate"] - rates.loc[("lead", "after"), "rate"]
    assert 1.0 <= fewer <= 1.8  # published: 1.4 fewer bookings per person-year
    survival = time_to_first_arrest(
        extract.participants, extract.legal_events, extract.extract_date
    ).set_index(["cohort", "month"])["survival"]
    assert survival["lead", 12] > survival["control", 12]
    costs = legal_costs(windows, load_unit_costs()).set_index(["cohort", "period"])
    assert costs.loc[("lead", "change"), "cost_per_person_year"] < 0
    housed = outcome_odds_vs_baseline(extract.participants, extract.monthly_status, "housed")
    assert housed["lower"] > 1  # published: over twice as likely to be sheltered


# --- end of follow-up: deaths, exits to incarceration, prison ---------------------------


def test_follow_up_ends_at_death_incarceration_exit_or_prison_admission() -> None:
    # P (lead) died 2012-06-01, 78 days after entry 2012-03-15: 78 days of follow-up, the
    # six-month arrest window is not observed, and nothing after the death counts (the
    # data error of an arrest dated after death is simply outside follow-up).
    # Q (lead) exited to incarceration 2012-05-14 (60 days after entry 2012-03-15).
    # R (control, no exits in the contract) was admitted to prison 2012-04-14, 30 days
    # after entry 2012-03-15, after a booking on 2012-04-04 with 5 jail days.
    # S (lead) completed the programme 2012-04-01: a completed exit does not end follow-up.
    people = pd.DataFrame(
        {
            "person_key": ["P", "Q", "R", "S"],
            "cohort": ["lead", "lead", "control", "lead"],
            "referral_date": pd.to_datetime(["2012-03-15"] * 4),
            "exit_date": pd.to_datetime(["2012-06-01", "2012-05-14", None, "2012-04-01"]),
            "exit_reason": ["died", "incarcerated", "", "completed"],
        }
    )
    events = pd.DataFrame(
        [
            ("P", "2012-07-01", "arrest", "misdemeanor", NaN),
            ("R", "2012-04-04", "booking", "felony", 5.0),
            ("R", "2012-04-14", "prison_admission", "felony", NaN),
            ("R", "2012-05-01", "arrest", "misdemeanor", NaN),
        ],
        columns=["person_key", "event_date", "event_type", "charge_level", "jail_days"],
    )
    events["event_date"] = pd.to_datetime(events["event_date"])
    windows = person_windows(people, events, T("2016-12-31")).set_index("person_key")
    assert windows["years_after"].to_dict() == pytest.approx(
        {"P": 78 / YEAR, "Q": 60 / YEAR, "R": 30 / YEAR, "S": 365 / YEAR}
    )
    assert windows.loc["R", "years_free_after"] == pytest.approx(25 / YEAR)  # 5 days in jail
    assert windows.loc["R", "jail_days_after"] == 5.0
    assert windows["arrest_after"].isna().to_dict() == {"P": True, "Q": True, "R": True, "S": False}
    assert int(windows.loc["P", "bookings_after"]) == 0
    curve = time_to_first_arrest(people, events, T("2016-12-31"), max_months=3)
    control = curve[curve["cohort"] == "control"].set_index("month")
    lead = curve[curve["cohort"] == "lead"].set_index("month")
    # R is censored at 30 days (0.99 months): the arrest after prison admission never counts.
    assert control.loc[0, "survival"] == 1.0 and control["survival"][1:].isna().all()
    assert int(control["censored"].sum()) == 1 and int(control["events"].sum()) == 0
    # LEAD: Q censored at 60 days (month 1.97), P at 78 days (2.56); S followed on.
    assert list(lead["at_risk"]) == [3, 3, 2, 1]
    assert list(lead["censored"]) == [0, 0, 1, 1] and int(lead["events"].sum()) == 0
