"""Legal-system costs of the evaluation groups, before and after entry (illustrative).

A person's cost in a rate window prices their bookings, jail days and charges
(:func:`etl.evaluation.windows.person_windows`) with the unit costs in
``etl/evaluation/unit_costs.toml``, each with its source or an ASSUMPTION label. Pure
functions; nothing here is suppressed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from etl.evaluation.common import (
    ALPHA,
    COHORTS,
    PERIODS,
    EvaluationError,
    model_warnings,
    ratio_interval,
    require,
)

COST_PERIODS = ("before", "after", "change")
UNIT_COST_NAMES = ("booking", "jail_day", "prosecution", "defense", "court")
DEFAULT_UNIT_COSTS = Path(__file__).with_name("unit_costs.toml")
ASSUMPTION_PREFIX = "ASSUMPTION"
COST_COLUMNS = (
    "cohort",
    "period",
    "people",
    "person_years",
    "cost_per_person_year",
    "lower",
    "upper",
)


@dataclass(frozen=True)
class UnitCost:
    """One unit cost of the legal-cost roll-up, with where its amount comes from."""

    name: str
    amount_usd: float
    unit: str
    year: int
    source: str
    note: str

    @property
    def is_assumption(self) -> bool:
        """True when no published source backs the amount (``source`` starts ASSUMPTION)."""
        return self.source.startswith(ASSUMPTION_PREFIX)


def load_unit_costs(path: str | Path = DEFAULT_UNIT_COSTS) -> dict[str, UnitCost]:
    """Read the unit costs (``etl/evaluation/unit_costs.toml`` by default) with ``tomllib``.

    Each table (``booking``, ``jail_day``, ``prosecution``, ``defense``, ``court``) holds
    ``amount_usd`` (US dollars of ``year``, not inflation-adjusted), ``unit``, ``year``,
    ``source`` (citation text, or a text starting ``ASSUMPTION`` when no published source
    is available) and ``note``. Raises :class:`EvaluationError` naming the missing or
    mistyped entry.
    """
    with Path(path).open("rb") as handle:
        document = tomllib.load(handle)
    costs: dict[str, UnitCost] = {}
    for name in UNIT_COST_NAMES:
        entry = document.get(name)
        if not isinstance(entry, dict):
            raise EvaluationError(f"unit costs: table [{name}] missing")
        amount = entry.get("amount_usd")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            raise EvaluationError(f"unit costs: [{name}] amount_usd must be a number >= 0")
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise EvaluationError(f"unit costs: [{name}] year must be a whole number")
        texts = {}
        for field in ("unit", "source", "note"):
            text = entry.get(field)
            if not isinstance(text, str) or (field != "note" and not text.strip()):
                raise EvaluationError(f"unit costs: [{name}] {field} must be text")
            texts[field] = text
        costs[name] = UnitCost(
            name=name,
            amount_usd=float(amount),
            unit=texts["unit"],
            year=year,
            source=texts["source"],
            note=texts["note"],
        )
    return costs


def person_costs(windows: pd.DataFrame, unit_costs: dict[str, UnitCost], period: str) -> pd.Series:
    """Each person's legal-system cost (USD) in one rate window (``before`` or ``after``).

    cost = bookings x booking + jail days x jail_day + charges x (prosecution + defense +
    court), with the counts of :func:`person_windows`. Person-level: never publish.
    """
    if period not in PERIODS:
        raise EvaluationError("period must be 'before' or 'after'")
    missing = [name for name in UNIT_COST_NAMES if name not in unit_costs]
    if missing:
        raise EvaluationError(f"unit costs missing: {', '.join(missing)}")
    per_charge = sum(unit_costs[name].amount_usd for name in ("prosecution", "defense", "court"))
    return (
        windows[f"bookings_{period}"].astype(float) * unit_costs["booking"].amount_usd
        + windows[f"jail_days_{period}"].astype(float) * unit_costs["jail_day"].amount_usd
        + windows[f"charges_{period}"].astype(float) * per_charge
    )


def legal_costs(windows: pd.DataFrame, unit_costs: dict[str, UnitCost]) -> pd.DataFrame:
    """Legal-system cost per person-year in the 12-month rate windows, and its change.

    A person's cost in a window is :func:`person_costs` (bookings, jail days and charges
    priced with ``unit_costs``: see :func:`load_unit_costs`; several amounts are
    assumptions, so these figures are illustrative).

    Returns:
        Six rows (lead before/after/change, control before/after/change) with columns
        ``cohort``, ``period`` (``before``, ``after`` or ``change`` = after minus before),
        ``people`` (people with positive exposure; for ``change``, people in either
        window), ``person_years`` (NaN for ``change``), ``cost_per_person_year`` (USD per
        person-year: total cost / total person-years) and ``lower`` / ``upper`` (95%):

        * before / after: as :func:`rates_per_person_year` (intercept-only Poisson
          quasi-likelihood GLM, log person-years offset, HC0 robust errors: the
          linearised variance of a ratio estimator, no distributional assumption about the
          skewed costs; interval on the log scale).
        * change: weighted least squares of each person-window's cost per person-year on
          an ``after`` indicator with person-years as weights (its coefficient is exactly
          the after-minus-before difference of the two ratios), cluster-robust (CR1)
          errors with people as clusters, since the two windows of one person are
          correlated; interval on the dollar scale (NaN with fewer than two people or no
          cost in either window).
    """
    columns = (
        "person_key",
        "cohort",
        "years_before",
        "years_after",
        *(
            f"{stem}_{period}"
            for stem in ("bookings", "jail_days", "charges")
            for period in PERIODS
        ),
    )
    require(windows, columns, "windows")
    rows = []
    for cohort in COHORTS:
        group = windows[windows["cohort"] == cohort].reset_index(drop=True)
        parts = []
        for after, period in enumerate(PERIODS):
            frame = pd.DataFrame(
                {
                    "person_key": group["person_key"],
                    "cost": person_costs(group, unit_costs, period),
                    "years": group[f"years_{period}"].astype(float),
                    "after": float(after),
                }
            )
            frame = frame[frame["years"] > 0]
            rate, lower, upper = ratio_interval(frame["cost"].to_numpy(), frame["years"].to_numpy())
            rows.append(
                (cohort, period, len(frame), float(frame["years"].sum()), rate, lower, upper)
            )
            parts.append(frame)
        both = pd.concat(parts, ignore_index=True)
        change, lower, upper = _cost_change(both)
        people = int(both["person_key"].nunique())
        rows.append((cohort, "change", people, np.nan, change, lower, upper))
    return pd.DataFrame(rows, columns=list(COST_COLUMNS))


def _cost_change(both: pd.DataFrame) -> tuple[float, float, float]:
    """After-minus-before cost per person-year with a person-clustered 95% interval."""
    periods = set(both["after"])
    if periods != {0.0, 1.0}:
        return (np.nan, np.nan, np.nan)
    before = both[both["after"] == 0.0]
    after = both[both["after"] == 1.0]
    change = float(after["cost"].sum() / after["years"].sum()) - float(
        before["cost"].sum() / before["years"].sum()
    )
    groups = pd.factorize(both["person_key"], sort=True)[0]
    if len(set(groups)) < 2 or float(both["cost"].sum()) <= 0:
        return (change, np.nan, np.nan)
    design = np.column_stack([np.ones(len(both)), both["after"].to_numpy()])
    model = sm.WLS(
        (both["cost"] / both["years"]).to_numpy(dtype=float),
        design,
        weights=both["years"].to_numpy(dtype=float),
    )
    with model_warnings() as problems:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    if problems:
        return (change, np.nan, np.nan)
    lower, upper = np.asarray(fit.conf_int(alpha=ALPHA))[1]
    return (change, float(lower), float(upper))
