"""The groups compared *after* entry, adjusted for who was referred; and how fragile that is.

LEAD and comparison people were not assigned at random, so the after-entry comparison is
adjusted for what the groups looked like at entry (**baseline covariates**): age band,
gender, race/ethnicity, housing at referral, and arrests and bookings in the 6 and 12
months before entry. Two adjustments, published side by side with the unadjusted figure:

* ``covariates``: the baseline covariates as terms of the outcome model (logistic GEE for
  any arrest, Poisson GEE with a log person-years offset for bookings and jail days; one
  row per person, robust sandwich errors). For an odds ratio this is a *conditional* odds
  ratio (the comparison among people with the same covariates).
* ``weighted``: inverse-probability weighting. A propensity model (logistic regression of
  being in the LEAD group on the same covariates) gives each comparison person the weight
  e / (1 - e), LEAD people weight 1 (the "average effect on the treated", ATT): the
  comparison group is reweighted to resemble the LEAD group. The outcome model then has
  the LEAD indicator only, so its estimate is a *marginal* effect for people like those
  referred. Its robust interval treats the weights as known (it does not add the
  uncertainty of the propensity model); the seeded simulations in
  ``tests/unit/test_adjusted_simulation.py`` measure how well it covers.

Neither adjustment removes differences the covariates do not capture (for example, a
comparison person being picked right after a burst of arrests); the **E-value** (VanderWeele
& Ding 2017, Annals of Internal Medicine 167:268) says how strong such an unmeasured
difference would have to be, on the risk-ratio scale, with both group membership and the
outcome, to explain the estimate away.

Covariate levels are coarse (``COVARIATE_LEVELS``) so that every level holds enough people
in each group to be published in the balance table; a level with fewer than ``min_people``
in either group is merged into the covariate's largest level (:func:`coarsen`).
Everything here is person-level in memory and returns aggregates only; nothing is
suppressed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from etl.evaluation.common import (
    EffectEstimate,
    EvaluationError,
    fit_last_coefficient,
    model_warnings,
    not_estimable,
    require,
)
from etl.evaluation.recidivism import RATE_EXPOSURE

ADJUSTMENTS = ("unadjusted", "covariates", "weighted")
OUTCOMES = ("arrest", "felony", "bookings", "jail_days")
BINARY_OUTCOMES = ("arrest", "felony")
COVARIATE_LEVELS: dict[str, dict[str, tuple[str, ...]]] = {
    "age_band": {
        "under_35": ("18-24", "25-34"),
        "35_44": ("35-44",),
        "45_and_over": ("45-54", "55-64", "65+"),
        "unknown": (),
    },
    "gender": {"female": ("female",), "not_female": ()},
    "race_ethnicity": {"black": ("black",), "white": ("white",), "other": ()},
    "housing_status_at_referral": {
        "unsheltered": ("homeless_unsheltered",),
        "other": (),
    },
}
"""Each covariate's levels and the recorded values they hold; ``()`` = every other value
(including unknown). The first level is the model's reference."""
PRIOR_COUNTS = ("prior_arrests_6m", "prior_arrests_12m", "prior_bookings_6m", "prior_bookings_12m")
PROPENSITY_LIMITS = (0.01, 0.99)
"""Propensity scores are clipped here so no comparison person gets an extreme weight."""
COMMON_OUTCOME_SHARE = 0.15
"""Above this share with the outcome an odds ratio is not close to a risk ratio; the E-value
then uses the square root of the odds ratio (VanderWeele & Ding 2017)."""


@dataclass(frozen=True)
class Covariates:
    """Baseline covariates of the people of a windows frame, in the same order.

    ``levels`` maps covariate -> per-person level name (after :func:`coarsen`); ``counts``
    holds :data:`PRIOR_COUNTS`; ``lead`` is 1.0 for the LEAD group; ``merged`` records, per
    covariate, each level merged away and the level it went into.
    """

    levels: pd.DataFrame
    counts: pd.DataFrame
    lead: np.ndarray
    merged: dict[str, dict[str, str]]

    def design(self) -> np.ndarray:
        """Dummy columns (reference level dropped) then the prior counts; no intercept.
        Columns that do not vary (a count nobody has) are left out: they carry nothing."""
        parts = []
        for covariate in self.levels.columns:
            names = list(dict.fromkeys(self.levels[covariate]))
            reference = _reference(covariate, names)
            for name in sorted(n for n in names if n != reference):
                parts.append((self.levels[covariate] == name).to_numpy(dtype=float))
        parts += [self.counts[c].to_numpy(dtype=float) for c in self.counts.columns]
        parts = [column for column in parts if np.ptp(column) > 0]
        return np.column_stack(parts) if parts else np.empty((len(self.lead), 0))


def _reference(covariate: str, names: list[str]) -> str:
    ordered = [level for level in COVARIATE_LEVELS[covariate] if level in names]
    return ordered[0] if ordered else sorted(names)[0]


def baseline_covariates(
    windows: pd.DataFrame, participants: pd.DataFrame, min_people: int
) -> Covariates:
    """The coarsened covariates of every person of ``windows`` (see the module docstring)."""
    require(windows, ("person_key", "cohort", *PRIOR_COUNTS), "windows")
    require(participants, ("person_key", *COVARIATE_LEVELS), "participants")
    recorded = participants.set_index("person_key").reindex(windows["person_key"])
    lead = (windows["cohort"] == "lead").to_numpy(dtype=float)
    levels = pd.DataFrame(index=windows.index)
    merged: dict[str, dict[str, str]] = {}
    for covariate, spec in COVARIATE_LEVELS.items():
        values = recorded[covariate].astype("string").fillna("").to_numpy()
        named = pd.Series(level_names(values, spec), index=windows.index)
        levels[covariate], merged[covariate] = coarsen(named, lead, min_people)
    counts = windows[list(PRIOR_COUNTS)].astype(float)
    return Covariates(levels=levels, counts=counts, lead=lead, merged=merged)


def level_names(values: np.ndarray, spec: dict[str, tuple[str, ...]]) -> list[str]:
    catch_all = next((name for name, held in spec.items() if not held), None)
    lookup = {value: name for name, held in spec.items() for value in held}
    fallback = catch_all or next(iter(spec))
    return [lookup.get(str(v), fallback) for v in values]


def coarsen(
    levels: pd.Series, lead: np.ndarray, min_people: int
) -> tuple[pd.Series, dict[str, str]]:
    """Merge every level with fewer than ``min_people`` in either group (LEAD, comparison)
    into the largest level, smallest first, until every remaining level is large enough.

    Returns the coarsened levels and the merges (level -> the level it went into)."""
    current = levels.copy()
    merges: dict[str, str] = {}
    while True:
        table = pd.crosstab(current, pd.Series(lead == 1.0, index=current.index))
        for group in (False, True):
            if group not in table.columns:
                table[group] = 0
        smallest = table.min(axis=1)
        sizes = table.sum(axis=1)
        small = [str(n) for n in table.index if int(smallest[n]) < min_people]
        if not small or len(table) == 1:
            return current, merges
        largest = str(sizes.idxmax())
        victim = min(small, key=lambda n: (int(sizes[n]), n))
        if victim == largest:
            others = [str(n) for n in table.index if str(n) != largest]
            victim = min(others, key=lambda n: (int(sizes[n]), n))
        merges[str(victim)] = largest
        current = current.where(current != victim, largest)


# --- propensity and weights ---------------------------------------------------------------


def att_weights(covariates: Covariates) -> np.ndarray:
    """Weight 1 for LEAD people and e / (1 - e) for comparison people, e the propensity.

    The propensity is a logistic GLM of being in the LEAD group on :meth:`Covariates.design`
    (with an intercept), clipped to :data:`PROPENSITY_LIMITS`. Comparison weights are
    scaled to sum to the comparison group's size (a scale that changes no estimate).
    """
    lead = covariates.lead
    if lead.sum() == 0 or lead.sum() == len(lead):
        raise EvaluationError("both groups are needed for a propensity model")
    design = sm.add_constant(covariates.design(), has_constant="add")
    with model_warnings() as problems:
        fit = sm.GLM(lead, design, family=sm.families.Binomial()).fit()
    if problems or not bool(getattr(fit, "converged", True)):
        raise EvaluationError("the propensity model did not converge")
    score = np.clip(np.asarray(fit.fittedvalues, dtype=float), *PROPENSITY_LIMITS)
    weights = np.where(lead == 1.0, 1.0, score / (1.0 - score))
    control = lead == 0.0
    weights[control] *= control.sum() / weights[control].sum()
    return weights


# --- the after-entry effect -----------------------------------------------------------------


def after_entry_effect(
    windows: pd.DataFrame,
    covariates: Covariates,
    outcome: str,
    adjustment: str,
    weights: np.ndarray | None = None,
) -> EffectEstimate:
    """LEAD vs comparison after entry: an odds ratio (``arrest``) or a rate ratio.

    Args:
        windows: :func:`etl.evaluation.windows.person_windows` (any window length).
        covariates: :func:`baseline_covariates` of the same rows.
        outcome: ``arrest`` or ``felony`` (any arrest, any felony charge in the short after
            window; people whose window is not observed are left out), ``bookings`` (per
            person-year at liberty) or
            ``jail_days`` (per person-year of follow-up) in the rate after window; people
            with no exposure are left out.
        adjustment: ``unadjusted``, ``covariates`` or ``weighted`` (module docstring).
        weights: :func:`att_weights` (computed when needed and not given).

    Returns:
        An :class:`EffectEstimate`: ``estimate`` = exp(coefficient of LEAD), 95% Wald
        interval from robust (sandwich) errors, two-sided p-value, the people in the model;
        NaN with the reason in ``method`` when a group has no events (or only events), or
        the fit fails.
    """
    if outcome not in OUTCOMES or adjustment not in ADJUSTMENTS:
        raise EvaluationError("unknown outcome or adjustment")
    lead = covariates.lead
    if outcome in BINARY_OUTCOMES:
        y = windows[f"{outcome}_after"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(y)
        offset = None
        family: sm.families.Family = sm.families.Binomial()
    else:
        y = windows[f"{outcome}_after"].to_numpy(dtype=float)
        exposure = windows[f"{RATE_EXPOSURE[outcome]}_after"].to_numpy(dtype=float)
        keep = exposure > 0
        offset = np.log(exposure[keep])
        family = sm.families.Poisson()
    method = _method(outcome, adjustment)
    n_lead, n_control = int(lead[keep].sum()), int((1 - lead[keep]).sum())
    reason = _degenerate(y[keep], lead[keep], outcome)
    if reason:
        return not_estimable(method, reason, n_lead, n_control)
    columns = [np.ones(int(keep.sum()))]
    if adjustment == "covariates":
        columns.append(covariates.design()[keep])
    design = np.column_stack([*columns, lead[keep]])
    model_weights = None
    if adjustment == "weighted":
        chosen = att_weights(covariates) if weights is None else weights
        model_weights = chosen[keep]
    model = sm.GEE(
        y[keep],
        design,
        groups=np.arange(int(keep.sum())),
        family=family,
        offset=offset,
        weights=model_weights,
        cov_struct=sm.cov_struct.Independence(),
    )
    result = fit_last_coefficient(model)
    if isinstance(result, str):
        return not_estimable(method, result, n_lead, n_control)
    estimate, lower, upper, p_value = result
    return EffectEstimate(
        estimate=estimate,
        lower=lower,
        upper=upper,
        p_value=p_value,
        n_lead=n_lead,
        n_control=n_control,
        method=method,
    )


def _degenerate(y: np.ndarray, lead: np.ndarray, outcome: str) -> str:
    for group in (1.0, 0.0):
        values = y[lead == group]
        if len(values) == 0:
            return "a group has nobody with an observed window"
        if float(values.sum()) <= 0:
            return "a group has no events"
        if outcome in BINARY_OUTCOMES and float(values.sum()) >= len(values):
            return "everybody in a group had the event"
    return ""


def _method(outcome: str, adjustment: str) -> str:
    model = (
        "Logistic GEE (binomial, logit link)"
        if outcome in BINARY_OUTCOMES
        else "Poisson GEE (log link, offset log person-years)"
    )
    how = {
        "unadjusted": "LEAD indicator only, unadjusted",
        "covariates": "LEAD indicator and the baseline covariates as terms (conditional)",
        "weighted": (
            "LEAD indicator only, comparison people weighted by e / (1 - e) from a logistic "
            "propensity model on the baseline covariates (ATT, marginal)"
        ),
    }[adjustment]
    return (
        f"{model}, one row per person, independence, robust sandwich errors; {how}; "
        "estimate = exp(LEAD coefficient); 95% Wald interval."
    )


# --- balance ---------------------------------------------------------------------------------


def balance_table(covariates: Covariates, weights: np.ndarray) -> pd.DataFrame:
    """Standardized mean differences (LEAD minus comparison) before and after weighting.

    One row per covariate level (every level, reference included) and per prior count:
    ``covariate``, ``level`` (``""`` for a count), ``lead_n`` / ``control_n`` (people at the
    level, for levels; group sizes for counts), ``lead_value``, ``control_value``,
    ``control_weighted_value`` (shares in percent for levels, means for counts),
    ``smd_unweighted`` and ``smd_weighted``. SMD = difference / sqrt((var_lead +
    var_comparison) / 2), with weighted means and variances for the weighted comparison
    group (Austin & Stuart 2015 call |SMD| below 0.1 good balance).
    """
    lead = covariates.lead == 1.0
    rows = []
    columns: list[tuple[str, str, np.ndarray]] = []
    for covariate in covariates.levels.columns:
        for level in sorted(dict.fromkeys(covariates.levels[covariate])):
            values = (covariates.levels[covariate] == level).to_numpy(dtype=float)
            columns.append((covariate, level, values))
    columns += [(c, "", covariates.counts[c].to_numpy(dtype=float)) for c in PRIOR_COUNTS]
    for covariate, level, values in columns:
        treated, control, w = values[lead], values[~lead], weights[~lead]
        m1, m0 = float(treated.mean()), float(control.mean())
        mw = float(np.average(control, weights=w))
        v1, v0 = float(treated.var()), float(control.var())
        vw = float(np.average((control - mw) ** 2, weights=w))
        scale = 100.0 if level else 1.0
        rows.append(
            {
                "covariate": covariate,
                "level": level,
                "lead_n": int(treated.sum()) if level else int(lead.sum()),
                "control_n": int(control.sum()) if level else int((~lead).sum()),
                "lead_value": scale * m1,
                "control_value": scale * m0,
                "control_weighted_value": scale * mw,
                "smd_unweighted": _smd(m1, m0, v1, v0),
                "smd_weighted": _smd(m1, mw, v1, vw),
            }
        )
    return pd.DataFrame(rows)


def _smd(m1: float, m0: float, v1: float, v0: float) -> float:
    spread = math.sqrt((v1 + v0) / 2)
    if spread == 0:
        return 0.0 if m1 == m0 else math.nan
    return (m1 - m0) / spread


# --- fragility -------------------------------------------------------------------------------


def e_value(ratio: float) -> float:
    """The E-value of a risk (or rate) ratio: RR + sqrt(RR x (RR - 1)), RR taken >= 1."""
    if not math.isfinite(ratio) or ratio <= 0:
        return math.nan
    rr = ratio if ratio >= 1 else 1 / ratio
    return rr + math.sqrt(rr * (rr - 1))


def e_values(
    estimate: float, lower: float, upper: float, odds_ratio: bool, outcome_share: float
) -> tuple[float, float]:
    """E-values of an estimate and of its confidence limit closest to 1 (1 when the
    interval includes 1).

    An odds ratio of a common outcome (more than :data:`COMMON_OUTCOME_SHARE` of the
    comparison group with it) is first taken to the risk-ratio scale by its square root;
    a rate ratio is used as a risk ratio (VanderWeele & Ding 2017).
    """

    def scale(value: float) -> float:
        return math.sqrt(value) if odds_ratio and outcome_share > COMMON_OUTCOME_SHARE else value

    point = e_value(scale(estimate))
    if lower <= 1 <= upper:
        return point, 1.0
    closest = upper if estimate < 1 else lower
    return point, e_value(scale(closest))
