"""After-entry effects, propensity weights, balance and E-values on small hand-made inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etl.evaluation import adjusted
from etl.evaluation.common import EvaluationError


def _cohort(cells: dict[tuple[str, bool, bool], int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People by (cohort, unsheltered, arrested after); one binary covariate, no history."""
    rows = [key for key, count in cells.items() for _ in range(count)]
    frame = pd.DataFrame(rows, columns=["cohort", "unsheltered", "arrest_after"])
    frame.insert(0, "person_key", [f"p{i:03d}" for i in range(len(frame))])
    windows = frame[["person_key", "cohort"]].copy()
    windows["arrest_after"] = frame["arrest_after"].astype("boolean")
    for column in adjusted.PRIOR_COUNTS:
        windows[column] = 0
    participants = pd.DataFrame(
        {
            "person_key": frame["person_key"],
            "age_band": "35-44",
            "gender": "female",
            "race_ethnicity": "black",
            "housing_status_at_referral": np.where(
                frame["unsheltered"], "homeless_unsheltered", "permanent_housing"
            ),
        }
    )
    return windows, participants


# LEAD: 60 unsheltered (24 arrested after), 20 other (4 arrested).
# Comparison: 20 unsheltered (12 arrested), 40 other (12 arrested).
CELLS = {
    ("lead", True, True): 24,
    ("lead", True, False): 36,
    ("lead", False, True): 4,
    ("lead", False, False): 16,
    ("control", True, True): 12,
    ("control", True, False): 8,
    ("control", False, True): 12,
    ("control", False, False): 28,
}


def _odds(p: float) -> float:
    return p / (1 - p)


def test_unadjusted_effect_is_the_crude_odds_ratio_after_entry() -> None:
    windows, participants = _cohort(CELLS)
    covariates = adjusted.baseline_covariates(windows, participants, min_people=5)
    effect = adjusted.after_entry_effect(windows, covariates, "arrest", "unadjusted")
    # LEAD 28 / 80 arrested, comparison 24 / 60.
    assert effect["estimate"] == pytest.approx(_odds(28 / 80) / _odds(24 / 60), rel=1e-6)
    assert effect["lower"] < effect["estimate"] < effect["upper"]
    assert (effect["n_lead"], effect["n_control"]) == (80, 60)


def test_weights_reweight_the_comparison_group_to_the_lead_mix() -> None:
    windows, participants = _cohort(CELLS)
    covariates = adjusted.baseline_covariates(windows, participants, min_people=5)
    weights = adjusted.att_weights(covariates)
    lead = covariates.lead == 1.0
    assert (weights[lead] == 1.0).all()
    # Saturated propensity: e = 60/80 among unsheltered, 20/60 among the others, so the
    # comparison weights are 3 and 0.5 before scaling to sum to 60: 120 / 80 = 1.5 times.
    unsheltered = (participants["housing_status_at_referral"] == "homeless_unsheltered").to_numpy()
    assert weights[~lead & unsheltered] == pytest.approx(3 * 60 / 80)
    assert weights[~lead & ~unsheltered] == pytest.approx(0.5 * 60 / 80)
    assert weights[~lead].sum() == pytest.approx(60)
    # The weighted comparison group is 75% unsheltered, like LEAD.
    share = np.average(unsheltered[~lead], weights=weights[~lead])
    assert share == pytest.approx(0.75)
    effect = adjusted.after_entry_effect(windows, covariates, "arrest", "weighted", weights)
    # Standardised to the LEAD mix: 0.75 x 12/20 + 0.25 x 12/40 = 0.525 for the comparison.
    assert effect["estimate"] == pytest.approx(_odds(28 / 80) / _odds(0.525), rel=1e-6)
    table = adjusted.balance_table(covariates, weights).set_index(["covariate", "level"])
    row = table.loc[("housing_status_at_referral", "unsheltered")]
    assert (row["lead_n"], row["control_n"]) == (60, 20)
    assert row["lead_value"] == pytest.approx(75.0) and row["control_value"] == pytest.approx(
        100 / 3
    )
    pooled = math.sqrt((0.75 * 0.25 + (1 / 3) * (2 / 3)) / 2)
    assert row["smd_unweighted"] == pytest.approx((0.75 - 1 / 3) / pooled)
    assert row["smd_weighted"] == pytest.approx(0.0, abs=1e-9)


def test_covariate_adjustment_gives_the_common_conditional_odds_ratio() -> None:
    # Within each stratum LEAD's odds ratio is exactly 0.5 (unsheltered: 1/1.5 ... built so):
    # unsheltered LEAD 20/60 (odds 0.5) vs comparison 10/20 (odds 1); others LEAD 5/25
    # (odds 0.25) vs comparison 10/30 (odds 0.5). A logistic model with the covariate
    # fits the strata exactly, so its LEAD odds ratio is 0.5.
    cells = {
        ("lead", True, True): 20,
        ("lead", True, False): 40,
        ("lead", False, True): 5,
        ("lead", False, False): 20,
        ("control", True, True): 10,
        ("control", True, False): 10,
        ("control", False, True): 10,
        ("control", False, False): 20,
    }
    windows, participants = _cohort(cells)
    covariates = adjusted.baseline_covariates(windows, participants, min_people=5)
    effect = adjusted.after_entry_effect(windows, covariates, "arrest", "covariates")
    assert effect["estimate"] == pytest.approx(0.5, rel=1e-6)


def test_a_group_without_events_is_not_estimable() -> None:
    cells = {("lead", True, False): 20, ("control", True, True): 5, ("control", True, False): 5}
    windows, participants = _cohort(cells)
    covariates = adjusted.baseline_covariates(windows, participants, min_people=1)
    effect = adjusted.after_entry_effect(windows, covariates, "arrest", "unadjusted")
    assert math.isnan(effect["estimate"]) and "no events" in effect["method"]
    with pytest.raises(EvaluationError):
        adjusted.after_entry_effect(windows, covariates, "arrests", "unadjusted")


def test_small_levels_are_merged_into_the_largest() -> None:
    levels = pd.Series(["black", "black", "white", "other", "other", "black", "white"])
    lead = np.array([1, 0, 1, 1, 0, 1, 0], dtype=float)
    # black: 2 LEAD, 1 comparison; white: 1 and 1; other: 1 and 1. With min 1 nothing moves.
    same, merges = adjusted.coarsen(levels, lead, 1)
    assert same.tolist() == levels.tolist() and merges == {}
    # With min 2 every level is short in some group: the smallest (other, then white, ties
    # by name) go into the largest (black) until one level is left.
    merged, merges = adjusted.coarsen(levels, lead, 2)
    assert set(merged) == {"black"} and merges == {"other": "black", "white": "black"}


def test_e_values_match_vanderweele_and_ding() -> None:
    # Their leukaemia example: RR 0.80 (0.71 to 0.91) -> E-value 1.81, interval 1.43.
    point, interval = adjusted.e_values(0.80, 0.71, 0.91, odds_ratio=False, outcome_share=0.5)
    assert round(point, 2) == 1.81 and round(interval, 2) == 1.43
    assert adjusted.e_value(1 / 0.80) == pytest.approx(adjusted.e_value(0.80))
    # A common outcome's odds ratio is taken to the risk-ratio scale by its square root.
    point, interval = adjusted.e_values(0.64, 0.49, 0.81, odds_ratio=True, outcome_share=0.4)
    assert point == pytest.approx(adjusted.e_value(0.8))
    assert interval == pytest.approx(adjusted.e_value(math.sqrt(0.81)))
    # A rare outcome's odds ratio is used as it is; an interval that includes 1 gives 1.
    point, interval = adjusted.e_values(0.64, 0.4, 1.1, odds_ratio=True, outcome_share=0.1)
    assert point == pytest.approx(adjusted.e_value(0.64)) and interval == 1.0
