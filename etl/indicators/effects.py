"""The evaluation's effect figures as cells for the suppression step, with their disclosure
closure: a model output is published only if what it reveals with other figures is.

* After-entry effects (unadjusted, covariate-adjusted, weighted; 6, 12 and 18 months) and
  change-in-change effects. An effect that is an exact function of published cells (the
  unadjusted after-entry odds ratio of two shares; a change-in-change ratio of four shares
  or rates) is **linked** from them: if any of them is withheld, so is the effect, so a
  withheld count can never be solved back from the ratio and the other cells.
* The balance table: counts of each evaluation group at each covariate level (related to
  their group's size and to the published demographics of everyone referred, through
  hidden cells for the people in one set and not the other), standardized differences
  linked from those counts, and the groups' mean prior arrests and bookings.
* E-values, linked from the estimate they describe.
* Kaplan-Meier points only at months where at least ``threshold`` people were arrested
  since the last point shown, and the number at risk only while nobody has stopped being
  followed, so the difference of two published points never counts 1 to ``threshold - 1``
  people (neither arrests nor deaths, exits to incarceration or prison admissions).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from etl.evaluation import adjusted
from etl.evaluation import windows as evaluation_windows
from etl.evaluation.common import EffectEstimate
from etl.indicators import effects_catalog
from etl.indicators.program import AREA, CellSet, Key
from etl.privacy import Relation
from etl.sources.program import ProgramExtract

EVALUATION_START = pd.Timestamp("2011-10-01")
GRAIN = "evaluation"
OUTCOME_OF = {
    "arrest": "arrest",
    "felony": "felony",
    "booking": "bookings",
    "jail_days": "jail_days",
}
ADJUSTMENT_OF = {"after_entry": "unadjusted", "adjusted": "covariates", "weighted": "weighted"}
DEMOGRAPHIC_INDICATORS = {
    "gender": "participants_by_gender",
    "age_band": "participants_by_age_band",
    "race_ethnicity": "participants_by_race_ethnicity",
    "housing_status_at_referral": "participants_by_housing_at_referral",
}


def evaluation_key(indicator_id: str, breakdown_name: str, breakdown_value: str) -> Key:
    """The cell key of an evaluation figure (period = the evaluation's start)."""
    period = EVALUATION_START.strftime("%Y-%m-%d")
    return (indicator_id, AREA, period, GRAIN, breakdown_name, breakdown_value)


def add_cell(
    cells: CellSet,
    indicator_id: str,
    breakdown_name: str,
    breakdown_value: str,
    value: float,
    people: float,
    lower: float | None = None,
    upper: float | None = None,
    denominator_n: int | None = None,
    hidden: bool = False,
) -> Key:
    key = cells.add(
        indicator_id,
        EVALUATION_START,
        GRAIN,
        breakdown_name,
        breakdown_value,
        value,
        people,
        denominator_n=denominator_n,
        hidden=hidden,
    )
    cells.bounds[key] = (lower, upper)
    return key


def _finite(effect: Mapping[str, Any]) -> bool:
    return all(math.isfinite(float(effect[k])) for k in ("estimate", "lower", "upper"))


def add_effect_cell(
    cells: CellSet,
    indicator_id: str,
    effect: EffectEstimate,
    breakdown_name: str = "",
    breakdown_value: str = "",
    inputs: tuple[Key, ...] = (),
) -> Key | None:
    """One effect with its interval; withheld with any of ``inputs`` (cells it is an exact
    function of) and when either group is smaller than the threshold."""
    if not _finite(effect):
        return None
    smallest = min(int(effect["n_lead"]), int(effect["n_control"]))
    key = add_cell(
        cells,
        indicator_id,
        breakdown_name,
        breakdown_value,
        float(effect["estimate"]),
        float(smallest),
        float(effect["lower"]),
        float(effect["upper"]),
        int(effect["n_lead"]) + int(effect["n_control"]),
    )
    cells.links.extend((source, key) for source in inputs if source in cells.rows)
    return key


def share_keys(
    indicator_id: str, periods: tuple[str, ...] = ("before", "after")
) -> tuple[Key, ...]:
    return tuple(
        evaluation_key(indicator_id, "cohort|period", f"{cohort}|{period}")
        for cohort in ("lead", "control")
        for period in periods
    )


def add_after_entry_effects(
    cells: CellSet, extract: ProgramExtract, threshold: int
) -> dict[str, Key]:
    """Every after-entry effect, its E-values and the balance table. Returns the effect
    keys of the headline windows, by indicator id."""
    as_of = pd.Timestamp(extract.extract_date)
    by_window = {
        months: evaluation_windows.person_windows(
            extract.participants,
            extract.legal_events,
            as_of,
            short_months=months,
            rate_months=months,
        )
        for months in effects_catalog.WINDOWS
    }
    first = by_window[effects_catalog.WINDOWS[0]]
    if first.empty or first["cohort"].nunique() < 2:
        return {}
    covariates = adjusted.baseline_covariates(first, extract.participants, threshold)
    weights = adjusted.att_weights(covariates)
    exact_inputs = {
        ("arrest", 6): share_keys("arrest_share_6m", ("after",)),
        ("felony", 6): share_keys("felony_charge_share_6m", ("after",)),
        ("booking", 12): share_keys("bookings_per_person_year", ("after",)),
        ("jail_days", 12): share_keys("jail_days_per_person_year", ("after",)),
    }
    headline: dict[str, Key] = {}
    estimates: dict[str, EffectEstimate] = {}
    for measure, months_default in effects_catalog.HEADLINE_WINDOW.items():
        for adjustment, method in ADJUSTMENT_OF.items():
            indicator_id = effects_catalog.after_entry_id(measure, adjustment)
            for months, frame in by_window.items():
                effect = adjusted.after_entry_effect(
                    frame, covariates, OUTCOME_OF[measure], method, weights
                )
                inputs = exact_inputs.get((measure, months), ()) if method == "unadjusted" else ()
                key = add_effect_cell(
                    cells, indicator_id, effect, "window_months", str(months), inputs
                )
                if key is not None and months == months_default:
                    headline[indicator_id] = key
                    estimates[indicator_id] = effect
    shares = {
        measure: _comparison_share(by_window[months], measure)
        for measure, months in effects_catalog.HEADLINE_WINDOW.items()
        if measure in ("arrest", "felony")
    }
    add_e_values(cells, headline, estimates, shares)
    add_balance(cells, extract, covariates, weights)
    return headline


def _comparison_share(frame: pd.DataFrame, outcome: str) -> float:
    """Share of the comparison group with the outcome after entry (for the E-value rule)."""
    observed = frame.loc[frame["cohort"] == "control", f"{outcome}_after"].dropna().astype(bool)
    return float(observed.mean()) if len(observed) else math.nan


def add_e_values(
    cells: CellSet,
    headline: Mapping[str, Key],
    estimates: Mapping[str, EffectEstimate],
    outcome_shares: Mapping[str, float],
) -> None:
    """E-values of the adjusted and weighted headline estimates, linked from each."""
    for indicator_id, key in headline.items():
        if indicator_id.endswith("_after_entry"):
            continue
        effect = estimates[indicator_id]
        point, interval = adjusted.e_values(
            float(effect["estimate"]),
            float(effect["lower"]),
            float(effect["upper"]),
            odds_ratio="_odds_ratio_" in indicator_id,
            outcome_share=outcome_shares.get(indicator_id.split("_")[0], 1.0),
        )
        for limit, value in (("estimate", point), ("interval", interval)):
            if not math.isfinite(value):
                continue
            target = add_cell(
                cells,
                "effect_e_value",
                "effect|limit",
                f"{indicator_id}|{limit}",
                value,
                cells.rows[key].people,
                denominator_n=cells.rows[key].denominator_n,
            )
            cells.links.append((key, target))


# --- balance -----------------------------------------------------------------------------


def add_balance(
    cells: CellSet,
    extract: ProgramExtract,
    covariates: adjusted.Covariates,
    weights: np.ndarray,
) -> None:
    """Group counts per covariate level, SMDs linked from them, and prior-history means."""
    table = adjusted.balance_table(covariates, weights)
    sizes = {"lead": int(covariates.lead.sum()), "control": int((1 - covariates.lead).sum())}
    counts: dict[tuple[str, str, str], Key] = {}
    for covariate in covariates.levels.columns:
        rows = table[table["covariate"] == covariate]
        for cohort, column in (("lead", "lead_n"), ("control", "control_n")):
            parts = []
            for row in rows.to_dict("records"):
                n = int(row[column])
                key = add_cell(
                    cells,
                    "evaluation_covariate_count",
                    "cohort|covariate|level",
                    f"{cohort}|{covariate}|{row['level']}",
                    n,
                    n,
                    denominator_n=sizes[cohort],
                )
                counts[(cohort, covariate, str(row["level"]))] = key
                parts.append(key)
            total = evaluation_key("evaluation_group_size", "cohort", cohort)
            if total in cells.rows:
                cells.relations.append(Relation.total(total, parts))
        relate_to_demographics(cells, extract, covariates, covariate, counts)
    for row in table.to_dict("records"):
        level = str(row["level"])
        for weighting, column in (("unweighted", "smd_unweighted"), ("weighted", "smd_weighted")):
            if not math.isfinite(float(row[column])):
                continue
            if level:
                people = min(
                    int(row["lead_n"]),
                    int(row["control_n"]),
                    sizes["lead"] - int(row["lead_n"]),
                    sizes["control"] - int(row["control_n"]),
                )
            else:
                people = min(sizes.values())
            target = add_cell(
                cells,
                "covariate_balance_smd",
                "covariate|level|weighting",
                f"{row['covariate']}|{level or 'mean'}|{weighting}",
                float(row[column]),
                people,
                denominator_n=sum(sizes.values()),
            )
            if level:
                for cohort in ("lead", "control"):
                    cells.links.append((counts[(cohort, str(row["covariate"]), level)], target))
        if not level:
            for cohort, column in (
                ("lead", "lead_value"),
                ("control", "control_value"),
                ("control_weighted", "control_weighted_value"),
            ):
                size = sizes["lead" if cohort == "lead" else "control"]
                add_cell(
                    cells,
                    "evaluation_prior_history_mean",
                    "cohort|covariate",
                    f"{cohort}|{row['covariate']}",
                    float(row[column]),
                    size,
                    denominator_n=size,
                )


def relate_to_demographics(
    cells: CellSet,
    extract: ProgramExtract,
    covariates: adjusted.Covariates,
    covariate: str,
    counts: Mapping[tuple[str, str, str], Key],
) -> None:
    """Tie each evaluation count to the published demographics of everyone referred.

    The demographics count the people referred by the end of the last complete quarter (set
    A); the evaluation counts its cohort (set B). For each level L of the covariate:
    sum over L's categories of A's counts + (B not A at L) = B's count at L + (A not B at L),
    the differences being hidden cells, so a small difference group is protected too.
    """
    indicator_id = DEMOGRAPHIC_INDICATORS[covariate]
    demographic = {key: cell for key, cell in cells.rows.items() if key[0] == indicator_id}
    referral_starts = [pd.Timestamp(k[2]) for k in cells.rows if k[0] == "referrals"]
    if not demographic or not referral_starts:
        return
    participants = extract.participants
    end = max(referral_starts) + pd.offsets.QuarterEnd(0)  # the last published quarter
    in_a = participants["referral_date"] <= end
    in_b = participants["referral_date"] <= evaluation_windows.EVALUATION_END
    level_of = _level_of(covariates, covariate)
    for cohort in ("lead", "control"):
        mine = participants["cohort"] == cohort
        a_not_b = participants[mine & in_a & ~in_b]
        b_not_a = participants[mine & in_b & ~in_a]
        for level in sorted({lvl for (c, cov, lvl) in counts if c == cohort and cov == covariate}):
            terms: list[tuple[Hashable, int]] = [(counts[(cohort, covariate, level)], -1)]
            for key in demographic:
                category = key[5].split("|", 1)[1]
                if key[5].startswith(f"{cohort}|") and level_of(category) == level:
                    terms.append((key, 1))
            for name, group, sign in (("a_not_b", a_not_b, -1), ("b_not_a", b_not_a, 1)):
                if group.empty:
                    continue
                n = int(sum(level_of(str(v)) == level for v in group[covariate].fillna("")))
                hidden = add_cell(
                    cells,
                    "evaluation_cohort_difference",
                    "set|cohort|covariate|level",
                    f"{name}|{cohort}|{covariate}|{level}",
                    n,
                    n,
                    hidden=True,
                )
                terms.append((hidden, sign))
            cells.relations.append(Relation(tuple(terms)))


def _level_of(covariates: adjusted.Covariates, covariate: str) -> Any:
    """A recorded category -> its (coarsened) level in ``covariates``."""
    spec = adjusted.COVARIATE_LEVELS[covariate]
    merged = covariates.merged.get(covariate, {})

    def level(category: str) -> str:
        name = adjusted.level_names(np.array([category]), spec)[0]
        while name in merged:
            name = merged[name]
        return name

    return level


# --- Kaplan-Meier ------------------------------------------------------------------------------


def publishable_survival(survival: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The Kaplan-Meier rows that may be published (see the module docstring).

    Per cohort, month 0 is kept; a later month is kept when at least ``threshold`` people
    were arrested since the last kept month and at least ``threshold`` are still at risk;
    the curve stops at the first month that fails the second test. Other rows are dropped
    (the curve simply has fewer steps). ``show_at_risk`` is true only while nobody has yet
    stopped being followed: after that, the difference of two at-risk counts would mix
    arrests with a few deaths, exits to incarceration or prison admissions, so the number
    at risk is not published (survival itself is published to 0.1 percentage point).
    """
    kept = []
    for _cohort, curve in survival.groupby("cohort", sort=False):
        events = censored = 0
        for row in curve.sort_values("month").to_dict("records"):
            censored += int(row["censored"])
            row["show_at_risk"] = censored == 0
            if int(row["month"]) == 0:
                kept.append(row)
                continue
            events += int(row["events"])
            if not math.isfinite(float(row["survival"])) or int(row["at_risk"]) < threshold:
                break
            if events >= threshold:
                kept.append(row)
                events = 0
    return pd.DataFrame(kept, columns=[*survival.columns, "show_at_risk"])
