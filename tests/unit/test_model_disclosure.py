"""Attacks on model outputs (property tests): a published ratio or survival curve must not
give back a withheld count, or a monthly count of 1 to threshold - 1 people.

1. Odds ratio plus shares. The attacker knows every published share (with its group size)
   and the published odds ratios, and for each withheld share tries every possible count,
   keeping those that reproduce the published ratios. Recovery = exactly one count left.
2. Kaplan-Meier. The attacker differences consecutive published points: the number at
   risk, and the survival times the group size while nobody has been censored (then it is
   exactly the number not yet arrested). No difference may be 1 to threshold - 1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.evaluation import recidivism
from etl.evaluation.adjusted import after_entry_effect, baseline_covariates
from etl.indicators import effects
from etl.indicators.evaluation import add_shares, add_survival
from etl.indicators.program import CellSet, suppressed_observations

THRESHOLD = 11
CELLS = ("lead|before", "lead|after", "control|before", "control|after")


def _windows(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """People whose before/after arrests give the (events, people) of each cell exactly.

    After windows have as many people as before (everyone observed), so each cohort's
    ``people`` is the before count; events are assigned independently in each window.
    """
    rows = []
    for cohort in ("lead", "control"):
        before_events, people = counts[f"{cohort}|before"]
        after_events, _ = counts[f"{cohort}|after"]
        for i in range(people):
            rows.append((cohort, i < before_events, i >= people - after_events))
    frame = pd.DataFrame(rows, columns=["cohort", "arrest_before", "arrest_after"])
    frame.insert(0, "person_key", [f"p{i:04d}" for i in range(len(frame))])
    for column in ("arrest_before", "arrest_after"):
        frame[column] = frame[column].astype("boolean")
    for column in ("prior_arrests_6m", "prior_arrests_12m", "prior_bookings_6m"):
        frame[column] = 0
    frame["prior_bookings_12m"] = 0
    return frame


def _odds(events: float, people: float) -> float:
    return events / (people - events)


def _crude(counts: dict[str, tuple[int, int]]) -> tuple[float, float]:
    """(after-entry odds ratio, change-in-change odds ratio) from the four cells."""
    odds = {cell: _odds(*counts[cell]) for cell in CELLS}
    after = odds["lead|after"] / odds["control|after"]
    change = after / (odds["lead|before"] / odds["control|before"])
    return after, change


def _published(cells: CellSet) -> pd.DataFrame:
    frame, _counts = suppressed_observations(cells, THRESHOLD)
    return frame.set_index(["indicator_id", "breakdown_value"])


group = st.integers(min_value=12, max_value=60)


@st.composite
def cohorts(draw: st.DrawFn) -> dict[str, tuple[int, int]]:
    counts = {}
    for cohort in ("lead", "control"):
        people = draw(group)
        for period in ("before", "after"):
            # Between 1 and people - 1 events so every odds is finite and positive.
            counts[f"{cohort}|{period}"] = (draw(st.integers(1, people - 1)), people)
    return counts


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_no_withheld_share_can_be_solved_back_from_published_odds_ratios(
    counts: dict[str, tuple[int, int]],
) -> None:
    windows = _windows(counts)
    cells = CellSet()
    add_shares(cells, "arrest_share_6m", recidivism.share_with_event(windows, "arrest"))
    inputs = effects.share_keys("arrest_share_6m")
    change = recidivism.arrest_odds_ratio(windows)
    effects.add_effect_cell(cells, "arrest_odds_ratio", change, inputs=inputs)
    participants = windows[["person_key"]].assign(
        age_band="35-44", gender="female", race_ethnicity="black",
        housing_status_at_referral="homeless_unsheltered",
    )  # fmt: skip
    covariates = baseline_covariates(windows, participants, THRESHOLD)
    after = after_entry_effect(windows, covariates, "arrest", "unadjusted")
    effects.add_effect_cell(
        cells, "arrest_odds_ratio_after_entry", after, "window_months", "6",
        effects.share_keys("arrest_share_6m", ("after",)),
    )  # fmt: skip
    published = _published(cells)
    ratios = {
        name: published.loc[(name, key), "value"]
        for name, key in (("arrest_odds_ratio", ""), ("arrest_odds_ratio_after_entry", "6"))
        if not bool(published.loc[(name, key), "is_suppressed"])
    }
    for cell in CELLS:
        if not bool(published.loc[("arrest_share_6m", cell), "is_suppressed"]):
            continue
        people = counts[cell][1]
        consistent = []
        for guess in range(1, people):
            trial = {**counts, cell: (guess, people)}
            after_ratio, change_ratio = _crude(trial)
            fits = all(
                math.isclose(value, after_ratio if "after" in name else change_ratio, rel_tol=1e-3)
                for name, value in ratios.items()
            )
            if fits:
                consistent.append(guess)
        assert len(consistent) != 1, (cell, counts, ratios)


def _curve(times: np.ndarray, arrested: np.ndarray) -> pd.DataFrame:
    return recidivism.kaplan_meier_by_month(times, arrested, 24).assign(cohort="lead")


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=15, max_value=250),
    st.floats(min_value=0.02, max_value=0.4),
    st.floats(min_value=0.0, max_value=0.05),
    st.integers(min_value=0, max_value=2**31 - 1),
)
def test_no_monthly_arrest_or_censoring_count_comes_out_of_the_survival_curve(
    people: int, monthly_risk: float, monthly_censoring: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    arrest_time = rng.exponential(1 / monthly_risk, people)
    censor_time = rng.exponential(1 / monthly_censoring, people) if monthly_censoring else None
    censor_time = np.full(people, 40.0) if censor_time is None else np.minimum(censor_time, 40.0)
    times = np.minimum(arrest_time, censor_time)
    curve = _curve(times, arrest_time <= censor_time)
    cells = CellSet()
    add_survival(cells, effects.publishable_survival(curve, THRESHOLD))
    frame, _counts = suppressed_observations(cells, THRESHOLD)
    frame = frame[~frame["is_suppressed"]].copy()
    frame["month"] = frame["breakdown_value"].str.split("|").str[1].astype(int)
    frame = frame.sort_values("month")
    at_risk = frame["denominator_n"].dropna()
    drops = -at_risk.diff().dropna()
    assert not ((drops > 0) & (drops < THRESHOLD)).any(), drops.tolist()
    uncensored = frame[frame["denominator_n"].notna()]
    remaining = (uncensored["value"] / 100 * people).round()
    steps = -remaining.diff().dropna()
    assert not ((steps > 0) & (steps < THRESHOLD)).any(), steps.tolist()
