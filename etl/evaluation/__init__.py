"""Evaluation statistics (issue 4): recidivism, legal-system use and costs, and outcomes.

Pure, deterministic functions of the in-memory frames of a program extract
(:class:`etl.sources.program.ProgramExtract`); definitions, windows and methods are in the
docstrings of :mod:`etl.evaluation.recidivism` and :mod:`etl.evaluation.outcomes`. Their
results are **not** suppressed: every figure must go through the small-cell suppression
step before it is published.
"""

from etl.evaluation.common import EffectEstimate, EvaluationError
from etl.evaluation.costs import UnitCost, legal_costs, load_unit_costs
from etl.evaluation.outcomes import (
    BaselineOdds,
    monthly_outcome_shares,
    outcome_odds_vs_baseline,
)
from etl.evaluation.recidivism import (
    arrest_odds_ratio,
    booking_rate_ratio,
    felony_odds_ratio,
    jail_days_rate_ratio,
    rates_per_person_year,
    share_with_event,
    time_to_first_arrest,
)
from etl.evaluation.windows import person_windows

__all__ = [
    "BaselineOdds",
    "EffectEstimate",
    "EvaluationError",
    "UnitCost",
    "arrest_odds_ratio",
    "booking_rate_ratio",
    "felony_odds_ratio",
    "jail_days_rate_ratio",
    "legal_costs",
    "load_unit_costs",
    "monthly_outcome_shares",
    "outcome_odds_vs_baseline",
    "person_windows",
    "rates_per_person_year",
    "share_with_event",
    "time_to_first_arrest",
]
