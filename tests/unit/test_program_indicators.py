"""Program indicators on a tiny hand-made cohort, with hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.indicators.program import build_cells, complete_quarters, suppressed_observations

NaT = pd.NaT


def _participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": ["p1", "p2", "p3", "c1"],
            "cohort": ["lead", "lead", "lead", "control"],
            "referral_date": pd.to_datetime(
                ["2012-01-15", "2012-02-10", "2012-04-03", "2012-01-20"]
            ),
            "referral_type": ["arrest_diversion", "social_contact", "arrest_diversion", None],
            "age_band": ["35-44", "45-54", "35-44", "25-34"],
            "gender": ["female", "male", "male", "male"],
            "race_ethnicity": ["black", "white", "black", "black"],
            "housing_status_at_referral": ["homeless_unsheltered"] * 4,
            "enrollment_status": ["active", "exited", "referred_not_enrolled", "not_applicable"],
            "exit_date": pd.to_datetime([NaT, "2012-05-20", NaT, NaT]),
            "exit_reason": [None, "completed", None, None],
        }
    )


def _services() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": ["p1", "p1", "p2", "c1"],
            "contact_date": pd.to_datetime(
                ["2012-01-20", "2012-02-05", "2012-04-01", "2012-02-01"]
            ),
            "service_type": ["case_management", "housing", "case_management", "housing"],
            "cost_usd": [100.0, float("nan"), 50.0, 999.0],
        }
    )


def _value(cells, indicator_id: str, period: str, breakdown_value: str = "") -> float:  # type: ignore[no-untyped-def]
    matches = [
        cell.value
        for key, cell in cells.rows.items()
        if key[0] == indicator_id and key[2] == period and key[5] == breakdown_value
    ]
    assert len(matches) == 1, (indicator_id, period, breakdown_value, matches)
    return float(matches[0])


def test_complete_quarters_drops_a_partial_last_quarter() -> None:
    assert list(complete_quarters(pd.Timestamp("2012-01-15"), pd.Timestamp("2012-06-30"))) == [
        pd.Timestamp("2012-01-01"),
        pd.Timestamp("2012-04-01"),
    ]
    assert list(complete_quarters(pd.Timestamp("2012-01-15"), pd.Timestamp("2012-06-29"))) == [
        pd.Timestamp("2012-01-01")
    ]


def test_hand_computed_values_before_suppression() -> None:
    cells = build_cells(_participants(), _services(), pd.Timestamp("2012-06-30"))
    q1, q2 = "2012-01-01", "2012-04-01"
    assert _value(cells, "referrals", q1, "arrest_diversion") == 1
    assert _value(cells, "referrals", q1, "social_contact") == 1
    assert _value(cells, "referrals", q1) == 2
    assert _value(cells, "referrals", q2) == 1
    assert _value(cells, "referrals_cumulative", q2) == 3  # latest quarter only
    assert not [k for k in cells.rows if k[0] == "referrals_cumulative" and k[2] == q1]
    assert _value(cells, "participants_active", q1) == 2  # p1, p2 (p3 never enrolled)
    assert _value(cells, "participants_active", q2) == 1  # p2 left on 20 May
    assert _value(cells, "exits", q1, "completed") == 1  # whole period, grain "all"
    assert _value(cells, "exits", q1) == 1
    assert _value(cells, "exits_in_quarter", q2) == 1  # hidden
    assert ("exits_in_quarter", "belltown", q2, "quarter", "", "") in cells.hidden
    assert _value(cells, "participants_by_cohort", q1, "lead") == 3
    assert _value(cells, "participants_by_cohort", q1, "control") == 1
    assert _value(cells, "participants_by_gender", q1, "lead|male") == 2
    assert _value(cells, "participants_by_gender_pct", q1, "lead|male") == pytest.approx(66.7)
    # Control person's services are not program services.
    assert _value(cells, "service_contacts", q1) == 2
    assert _value(cells, "service_contacts", q1, "housing") == 1
    assert _value(cells, "service_contacts", q2, "case_management") == 1
    # Participant-months: p1 Jan-Jun (3 + 3), p2 Feb-May (2 + 2); known costs 100 and 50.
    assert _value(cells, "program_cost_per_participant_month", q1) == 20
    assert _value(cells, "program_cost_per_participant_month", q2) == 10
    # p1: 15 Jan -> 30 Jun = 167 days; p2: 10 Feb -> 20 May = 100 days; median 133.5 days.
    assert _value(cells, "months_enrolled_median", q1) == pytest.approx(4.4)


def test_relations_hold_on_the_true_values() -> None:
    cells = build_cells(_participants(), _services(), pd.Timestamp("2012-06-30"))
    for relation in cells.relations:
        assert sum(c * cells.rows[k].value for k, c in relation.terms) == 0, relation


def test_with_the_real_threshold_a_tiny_cohort_publishes_nothing_small() -> None:
    cells = build_cells(_participants(), _services(), pd.Timestamp("2012-06-30"))
    frame, counts = suppressed_observations(cells, threshold=11)
    assert counts["published"] == int((~frame["is_suppressed"]).sum())
    assert frame.loc[frame["is_suppressed"], "value"].isna().all()
    assert frame.loc[frame["is_suppressed"], "denominator_n"].isna().all()
    assert not frame["indicator_id"].isin(["enrolments", "referrals_not_enrolled"]).any()
    published = frame[~frame["is_suppressed"]]
    assert published.empty, published


def test_survival_points_are_shown_only_where_a_step_counts_enough_people() -> None:
    from etl.indicators.effects import publishable_survival
    from etl.indicators.evaluation import add_survival
    from etl.indicators.program import CellSet

    # Month 1 adds 10 arrests (< 11): not shown alone; month 2 brings the step to 14: shown.
    # Someone stops being followed in month 2, so from then on the number at risk is not
    # published. Month 3 adds 11: shown. Month 4 adds 2: not shown; at month 5 only 10 are
    # at risk: the curve stops.
    survival = pd.DataFrame(
        {
            "cohort": ["lead"] * 6,
            "month": [0, 1, 2, 3, 4, 5],
            "at_risk": [40, 30, 25, 14, 12, 10],
            "survival": [1.0, 0.9, 0.75, 0.6, 0.5, 0.4],
            "lower": [np.nan, 0.8, 0.62, 0.45, 0.35, 0.25],
            "upper": [np.nan, 0.95, 0.85, 0.72, 0.64, 0.55],
            "events": [0, 10, 4, 11, 2, 2],
            "censored": [0, 0, 1, 0, 0, 0],
        }
    )
    shown = publishable_survival(survival, threshold=11)
    assert shown["month"].tolist() == [0, 2, 3]
    assert shown["show_at_risk"].tolist() == [True, False, False]
    cells = CellSet()
    add_survival(cells, shown)
    frame, _counts = suppressed_observations(cells, threshold=11)
    assert frame["is_suppressed"].tolist() == [False, False, False]
    assert frame["value"].tolist() == [100.0, 75.0, 60.0]
    assert frame["lower_bound"].tolist()[1:] == [62.0, 45.0]
    assert frame["denominator_n"].iloc[0] == 40 and frame["denominator_n"].iloc[1:].isna().all()
