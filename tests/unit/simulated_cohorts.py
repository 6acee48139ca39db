"""Simulated evaluation cohorts with a known after-entry effect, for the adjusted estimators.

Harder than the change-in-change simulations: people differ (a gamma frailty multiplies each
person's arrest rate: heterogeneity and overdispersion), the groups differ at entry on
measured covariates that drive arrests (LEAD is younger and more often unsheltered and
Black, so it has more arrests before entry), follow-up is unequal (a share of people are
censored early), and jail stays are lognormal. Group membership depends on the measured
covariates only, unless ``selection`` says otherwise:

* ``selection="measured"``: confounding by the measured covariates only (the case the
  adjusted estimators must get right);
* ``selection="burst_control"``: each comparison person entered right after a burst of
  arrests (their arrest rate in the 12 months before entry was doubled, a temporary
  burst that then subsides: the comparison group "entered through an arrest");
* ``selection="burst_lead"``: the same for LEAD people (officers refer someone after a
  run of contacts).

Truth: the **marginal effect on the treated** (ATT). For the odds of any arrest in six
months, p(m) = mean over LEAD people of 1 - (1 + 0.5 m rate_i theta)^-k (gamma frailty
with shape k and scale theta integrated out), with m the group's rate multiplier; the true
odds ratio is odds(p(m_lead)) / odds(p(m_control)). For jail days the effect is
multiplicative for everybody, so the true rate ratio is the ratio of expected jail days per
year, (m_lead b_lead J_lead) / (m_control b_control J_control).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

N_LEAD, N_CONTROL = 200, 120
BASE_RATE = 1.6  # arrests per person-year at the reference covariates
FRAILTY_SHAPE = 1.5
COVARIATE_EFFECTS = {"young": 0.35, "unsheltered": 0.45, "black": 0.15, "female": -0.2}
LEAD_SHARES = {"young": 0.45, "unsheltered": 0.75, "black": 0.55, "female": 0.39}
CONTROL_SHARES = {"young": 0.25, "unsheltered": 0.50, "black": 0.45, "female": 0.35}
CONTROL_MULTIPLIER = 1.1
LEAD_MULTIPLIER = 0.45
BOOKING_SHARE = {"lead": 0.55, "control": 0.85}
JAIL_MEAN = {"lead": 6.0, "control": 20.0}
JAIL_SIGMA = 0.9
EARLY_CENSORED = 0.15  # share followed for only 1-6 months after entry
BURST = 2.0


@dataclass(frozen=True)
class Cohort:
    windows: pd.DataFrame
    participants: pd.DataFrame
    true_odds_ratio: float
    true_jail_ratio: float


def _odds(p: float) -> float:
    return p / (1 - p)


def simulate(seed: int, selection: str = "measured") -> Cohort:
    rng = np.random.default_rng(seed)
    n = N_LEAD + N_CONTROL
    lead = np.arange(n) < N_LEAD
    covariates = {
        name: rng.random(n) < np.where(lead, LEAD_SHARES[name], CONTROL_SHARES[name])
        for name in COVARIATE_EFFECTS
    }
    linear = sum(COVARIATE_EFFECTS[name] * covariates[name] for name in COVARIATE_EFFECTS)
    rate = BASE_RATE * np.exp(linear)
    theta = 1 / FRAILTY_SHAPE
    frailty = rng.gamma(FRAILTY_SHAPE, theta, size=n)
    before_rate = rate * frailty
    burst = {
        "measured": np.zeros(n, bool),
        "burst_control": ~lead,
        "burst_lead": lead,
    }[selection]
    prior_12 = rng.poisson(before_rate * np.where(burst, BURST, 1.0) * 1.0)
    prior_6 = rng.binomial(prior_12, 0.5)
    booked_prior = rng.binomial(prior_12, 0.85)
    booked_prior_6 = rng.binomial(booked_prior, 0.5)
    multiplier = np.where(lead, LEAD_MULTIPLIER, CONTROL_MULTIPLIER)
    follow_years = np.where(rng.random(n) < EARLY_CENSORED, rng.uniform(1, 6, n) / 12, 1.0)
    after_rate = before_rate * multiplier
    arrests_6 = rng.poisson(after_rate * np.minimum(follow_years, 0.5))
    arrests_12 = arrests_6 + rng.poisson(after_rate * np.clip(follow_years - 0.5, 0, None))
    arrest_after = pd.array(arrests_6 > 0, dtype="boolean")
    arrest_after[follow_years < 0.5] = pd.NA
    booking_share = np.where(lead, BOOKING_SHARE["lead"], BOOKING_SHARE["control"])
    bookings = rng.binomial(arrests_12, booking_share)
    jail_mean = np.where(lead, JAIL_MEAN["lead"], JAIL_MEAN["control"])
    jail_days = np.array(
        [
            rng.lognormal(np.log(m) - JAIL_SIGMA**2 / 2, JAIL_SIGMA, size=b).sum()
            for m, b in zip(jail_mean, bookings, strict=True)
        ]
    )
    windows = pd.DataFrame(
        {
            "person_key": [f"s{i:04d}" for i in range(n)],
            "cohort": np.where(lead, "lead", "control"),
            "arrest_after": arrest_after,
            "bookings_after": bookings,
            "jail_days_after": jail_days,
            "years_after": follow_years,
            "years_free_after": np.clip(follow_years - jail_days / 365.25, 1e-3, None),
            "prior_arrests_6m": prior_6,
            "prior_arrests_12m": prior_12,
            "prior_bookings_6m": booked_prior_6,
            "prior_bookings_12m": booked_prior,
        }
    )
    participants = pd.DataFrame(
        {
            "person_key": windows["person_key"],
            "age_band": np.where(covariates["young"], "25-34", "45-54"),
            "gender": np.where(covariates["female"], "female", "male"),
            "race_ethnicity": np.where(covariates["black"], "black", "white"),
            "housing_status_at_referral": np.where(
                covariates["unsheltered"], "homeless_unsheltered", "homeless_sheltered"
            ),
        }
    )
    true_jail = (LEAD_MULTIPLIER * BOOKING_SHARE["lead"] * JAIL_MEAN["lead"]) / (
        CONTROL_MULTIPLIER * BOOKING_SHARE["control"] * JAIL_MEAN["control"]
    )
    return Cohort(windows, participants, true_odds_ratio(), true_jail)


def true_odds_ratio() -> float:
    """The population ATT odds ratio: over the LEAD covariate mix (independent binary
    covariates, 16 combinations), with the frailty integrated out."""
    theta = 1 / FRAILTY_SHAPE
    names = list(COVARIATE_EFFECTS)
    combos = np.array(np.meshgrid(*[[0, 1]] * len(names))).T.reshape(-1, len(names))
    probability = np.prod(
        [
            np.where(combos[:, i] == 1, LEAD_SHARES[n], 1 - LEAD_SHARES[n])
            for i, n in enumerate(names)
        ],
        axis=0,
    )
    rates = BASE_RATE * np.exp(combos @ np.array([COVARIATE_EFFECTS[n] for n in names]))

    def share(m: float) -> float:
        risk = 1 - (1 + 0.5 * m * rates * theta) ** -FRAILTY_SHAPE
        return float(np.sum(probability * risk))

    return _odds(share(LEAD_MULTIPLIER)) / _odds(share(CONTROL_MULTIPLIER))
