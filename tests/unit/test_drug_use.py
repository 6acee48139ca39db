"""Drug use, treatment and health events on a tiny hand-made cohort (hand-computed values),
and the trend interval's coverage on simulated cohorts with a known decline."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etl.evaluation import drug_use

EXTRACT = pd.Timestamp("2014-12-31")


def participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": ["A", "B", "C", "X"],
            "cohort": ["lead", "lead", "lead", "control"],
            "referral_date": pd.to_datetime(["2012-03-15"] * 4),
            "exit_date": pd.to_datetime([None, "2012-09-15", None, None]),
        }
    )


def status_rows() -> pd.DataFrame:
    nan = float("nan")
    rows = [
        # person, month, opioids, stimulants, treatment, source
        ("A", "2012-02", 20.0, 0.0, "none", "case_manager"),
        ("A", "2012-03", 10.0, 0.0, "medication", "case_manager"),
        ("B", "2012-02", 10.0, 5.0, "outpatient", "self_report"),
        ("B", "2012-03", nan, nan, "", ""),  # not assessed: never 0
        ("C", "2012-02", nan, nan, "", ""),
        ("C", "2012-03", 0.0, 0.0, "none", "case_manager"),  # assessed, zero use
    ]
    frame = pd.DataFrame(
        rows,
        columns=["person_key", "month", "days_use_opioids", "days_use_stimulants",
                 "treatment", "assessment_source"],
    )  # fmt: skip
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m")
    frame["days_use_alcohol"] = nan
    frame["days_use_other"] = nan
    frame["housing_status"] = "homeless_sheltered"
    frame["employment_status"] = "unemployed"
    frame["has_income_or_benefits"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    return frame


@pytest.fixture
def status() -> pd.DataFrame:
    return drug_use.assessed_status(participants(), status_rows(), EXTRACT)


def test_assessed_share_counts_everyone_followed(status: pd.DataFrame) -> None:
    shares = drug_use.assessed_shares(status, months=[-1, 0]).set_index("month_since_referral")
    assert shares.loc[-1, "people"] == 3 and shares.loc[-1, "people_with_outcome"] == 2
    assert shares.loc[0, "people"] == 3 and shares.loc[0, "people_with_outcome"] == 2
    assert shares.loc[-1, "share_pct"] == pytest.approx(200 / 3)


def test_treatment_shares_among_the_assessed(status: pd.DataFrame) -> None:
    shares = drug_use.treatment_shares(status, months=[-1, 0])
    got = {
        (r.outcome, r.month_since_referral): (r.people, r.people_with_outcome)
        for r in shares.itertuples()
    }
    assert got == {
        ("any_treatment", -1): (2, 1),  # A none, B outpatient
        ("any_treatment", 0): (2, 1),  # A medication, C none (B not assessed)
        ("medication_treatment", -1): (2, 0),
        ("medication_treatment", 0): (2, 1),
    }


def test_days_of_use_mean_and_interval_never_count_not_assessed_as_zero(
    status: pd.DataFrame,
) -> None:
    days = drug_use.days_of_use(status, months=[-1, 0])
    opioids = days[days["substance"] == "opioids"].set_index("month_since_referral")
    assert opioids.loc[-1, "people"] == 2 and opioids.loc[-1, "mean_days"] == 15.0
    # sd of (20, 10) = 7.0711, se = 5, interval 15 -/+ 1.96 x 5
    assert opioids.loc[-1, "lower"] == pytest.approx(15 - 1.959964 * 5, abs=1e-4)
    assert opioids.loc[-1, "upper"] == pytest.approx(15 + 1.959964 * 5, abs=1e-4)
    assert opioids.loc[0, "people"] == 2 and opioids.loc[0, "mean_days"] == 5.0  # not 10/3
    alcohol = days[days["substance"] == "alcohol"]
    assert (alcohol["people"] == 0).all() and alcohol["mean_days"].isna().all()


def test_health_windows_rates_and_ratio_on_hand_computed_person_time() -> None:
    events = pd.DataFrame(
        {
            "person_key": ["A", "A", "B", "X"],
            "event_date": pd.to_datetime(["2011-06-01", "2012-06-01", "2011-04-01", "2012-06-01"]),
            "event_type": ["overdose_nonfatal"] * 4,
        }
    )
    windows = drug_use.health_person_windows(participants(), status_rows(), events, EXTRACT)
    assert sorted(set(windows["person_key"])) == ["A", "B", "C"]  # X is a control person
    years = windows.set_index(["person_key", "period"])["years"]
    assert years[("A", "before")] == pytest.approx(366 / 365.25)  # 2011-03-15 to 2012-03-15
    assert years[("A", "after")] == pytest.approx(549 / 365.25)  # 18 months to 2013-09-15
    assert years[("B", "after")] == pytest.approx(184 / 365.25)  # to the exit, 2012-09-15
    rates = drug_use.health_event_rates(windows).set_index(["event_type", "period"])
    before = rates.loc[("overdose_nonfatal", "before")]
    assert (before["events"], before["people"]) == (2, 3)
    assert before["rate"] == pytest.approx(2 / (3 * 366 / 365.25))
    after = rates.loc[("overdose_nonfatal", "after")]
    assert after["events"] == 1
    assert after["rate"] == pytest.approx(1 / ((549 + 184 + 549) / 365.25))
    ratio = drug_use.health_rate_ratio(windows, "emergency_department_visit")
    assert math.isnan(ratio["estimate"]) and "Not estimable: no events" in ratio["method"]


def test_without_assessments_there_is_no_drug_use_data() -> None:
    rows = status_rows().assign(assessment_source="")
    assert not drug_use.has_drug_use_data(rows)
    assert drug_use.has_drug_use_data(status_rows())


def simulated_status(seed: int, people: int = 120, slope: float = -0.5) -> pd.DataFrame:
    """Days of use that fall by ``slope`` a month, person effects, 30% months unassessed."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(people):
        level = 15 + rng.normal(0, 3)
        for month in range(0, 19):
            if rng.random() < 0.3:
                continue
            rows.append((f"p{person}", month, level + slope * month + rng.normal(0, 4)))
    frame = pd.DataFrame(rows, columns=["person_key", "month_since_referral", "days_use_opioids"])
    return frame.assign(assessed=True)


def test_the_trend_interval_covers_a_known_decline_in_at_least_90_of_100_seeds() -> None:
    truth = -0.5 * 12
    covered = 0
    for seed in range(100):
        trend = drug_use.days_of_use_trend(simulated_status(seed), "opioids")
        covered += trend["lower"] <= truth <= trend["upper"]
    assert covered >= 90, covered


def test_an_assessed_month_without_a_treatment_value_is_not_no_treatment() -> None:
    rows = status_rows()
    rows.loc[5, "treatment"] = ""  # C assessed in month 0, treatment left blank
    status = drug_use.assessed_status(participants(), rows, EXTRACT)
    shares = drug_use.treatment_shares(status, months=[0])
    got = {r.outcome: (r.people, r.people_with_outcome) for r in shares.itertuples()}
    assert got == {"any_treatment": (1, 1), "medication_treatment": (1, 1)}


def test_health_rates_count_the_people_with_an_event_for_the_privacy_check() -> None:
    events = pd.DataFrame(
        {
            "person_key": ["A", "A", "B"],
            "event_date": pd.to_datetime(["2011-06-01", "2012-06-01", "2011-04-01"]),
            "event_type": ["overdose_nonfatal"] * 3,
        }
    )
    windows = drug_use.health_person_windows(participants(), status_rows(), events, EXTRACT)
    rates = drug_use.health_event_rates(windows).set_index(["event_type", "period"])
    assert rates.loc[("overdose_nonfatal", "before"), "people_with_events"] == 2
    assert rates.loc[("overdose_nonfatal", "after"), "people_with_events"] == 1
    assert rates.loc[("detox_admission", "after"), "people_with_events"] == 0
