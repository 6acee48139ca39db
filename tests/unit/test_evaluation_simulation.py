"""Coverage of the effect estimates' 95% intervals on seeded simulated cohorts (slow).

Each seed (0..99) draws a cohort of 200 LEAD and 120 comparison people whose true
difference-in-differences effect is known, fits the estimator and records whether its 95%
interval covers the truth. A correct interval covers in about 95 of 100 seeds; the tests
ask for at least 90 (for a true coverage of 95%, fewer than 90 happens with probability
about 1%). The counts are in the assertion messages; nothing is printed.

Simulation of the arrest odds ratio: **marginal** probabilities are set exactly (a
Gaussian copula with latent correlation 0.5 links a person's before and after outcomes),
because the GEE estimates a marginal (population-averaged) odds ratio: a random-intercept
simulation would have a different, attenuated marginal effect. Both cohorts have the same
baseline odds (p = 0.55 before entry); the comparison group's odds change by 0.9 after
entry and LEAD's by 0.9 x the true interaction odds ratio. 5% of after windows are missing
at random (not yet observable).

Simulation of the booking rate ratio: each person has a gamma-distributed booking rate
(shape 1.5, mean 2 per person-year) shared by both periods; counts are Poisson given the
rate and exposure (12 months before; 0.3-1 years after). The rate ratio after/before is 1
for the comparison group and the true ratio (0.6) for LEAD, so the marginal mean is
log-linear and the true interaction rate ratio is 0.6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from etl.evaluation import arrest_odds_ratio, booking_rate_ratio

SEEDS = range(100)
N_LEAD, N_CONTROL = 200, 120
BASELINE_P = 0.55
AFTER_ODDS_CHANGE = 0.9
LATENT_CORRELATION = 0.5
MISSING_AFTER = 0.05
REQUIRED_COVERAGE = 90


def _odds_to_p(odds: float) -> float:
    return odds / (1 + odds)


def simulate_arrests(seed: int, true_or: float) -> pd.DataFrame:
    """Windows with known marginal probabilities (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = N_LEAD + N_CONTROL
    lead = np.arange(n) < N_LEAD
    odds_before = BASELINE_P / (1 - BASELINE_P)
    p_after = np.where(
        lead,
        _odds_to_p(odds_before * AFTER_ODDS_CHANGE * true_or),
        _odds_to_p(odds_before * AFTER_ODDS_CHANGE),
    )
    first = rng.standard_normal(n)
    second = LATENT_CORRELATION * first + np.sqrt(1 - LATENT_CORRELATION**2) * rng.standard_normal(
        n
    )
    before = first < norm.ppf(BASELINE_P)
    after = pd.array(second < norm.ppf(p_after), dtype="boolean")
    after[rng.random(n) < MISSING_AFTER] = pd.NA
    return pd.DataFrame(
        {
            "person_key": [f"s{i:04d}" for i in range(n)],
            "cohort": np.where(lead, "lead", "control"),
            "arrest_before": pd.array(before, dtype="boolean"),
            "arrest_after": after,
        }
    )


def simulate_bookings(seed: int, true_irr: float) -> pd.DataFrame:
    """Windows with gamma-Poisson booking counts (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = N_LEAD + N_CONTROL
    lead = np.arange(n) < N_LEAD
    rate = rng.gamma(1.5, 2.0 / 1.5, size=n)
    years_before = np.full(n, 365 / 365.25)
    years_after = rng.uniform(0.3, 1.0, size=n)
    multiplier = np.where(lead, true_irr, 1.0)
    return pd.DataFrame(
        {
            "person_key": [f"s{i:04d}" for i in range(n)],
            "cohort": np.where(lead, "lead", "control"),
            "bookings_before": rng.poisson(rate * years_before),
            "bookings_after": rng.poisson(rate * multiplier * years_after),
            "years_free_before": years_before,  # bookings are counted per year at liberty
            "years_free_after": years_after,
        }
    )


def _coverage_of_arrest_or(true_or: float) -> tuple[int, int]:
    covered = estimable = 0
    for seed in SEEDS:
        effect = arrest_odds_ratio(simulate_arrests(seed, true_or))
        if np.isfinite(effect["estimate"]):
            estimable += 1
            covered += int(effect["lower"] <= true_or <= effect["upper"])
    return covered, estimable


@pytest.mark.slow
@pytest.mark.parametrize("true_or", [0.42, 1.0])
def test_arrest_odds_ratio_interval_covers_the_true_effect(true_or: float) -> None:
    covered, estimable = _coverage_of_arrest_or(true_or)
    message = (
        f"true OR {true_or}: 95% interval covered it in {covered} of {len(SEEDS)} seeds "
        f"({estimable} estimable); at least {REQUIRED_COVERAGE} required"
    )
    assert estimable == len(SEEDS), message
    assert covered >= REQUIRED_COVERAGE, message


@pytest.mark.slow
def test_booking_rate_ratio_interval_covers_the_true_effect() -> None:
    true_irr = 0.6
    covered = 0
    for seed in SEEDS:
        effect = booking_rate_ratio(simulate_bookings(seed, true_irr))
        covered += int(effect["lower"] <= true_irr <= effect["upper"])
    message = (
        f"true IRR {true_irr}: 95% interval covered it in {covered} of {len(SEEDS)} seeds; "
        f"at least {REQUIRED_COVERAGE} required"
    )
    assert covered >= REQUIRED_COVERAGE, message
