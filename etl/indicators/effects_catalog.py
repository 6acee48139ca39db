"""The effect indicators of the evaluation, each with its estimand (:mod:`etl.estimands`).

* After entry (the headline): the groups compared with each other in the window after
  entry, unadjusted, adjusted with the baseline covariates as model terms, and weighted
  by the inverse probability of being in the LEAD group (the headline). Each is published
  for 6, 12 and 18-month windows (breakdown ``window_months``).
* Change in change (secondary): each group's after-entry odds or rate relative to its own
  before-entry figure, LEAD's ratio relative to the comparison group's.
* How fragile: covariate balance (standardized mean differences before and after
  weighting, with the group counts behind them) and E-values of the adjusted estimates.
"""

from __future__ import annotations

from etl.estimands import AFTER_ENTRY, CHANGE_IN_CHANGE, Estimand
from etl.indicators.catalog import IndicatorSpec
from etl.indicators.evaluation_catalog import EVALUATION_CAVEATS

GROUPS = (
    "people referred to LEAD (entered October 2011 to July 2014) and the comparison group "
    "processed as usual"
)
ADJUSTED_FOR = "age, gender, race/ethnicity, housing at referral, and past arrests and bookings"
WINDOWS = (6, 12, 18)
HEADLINE_WINDOW = {"arrest": 6, "booking": 12, "jail_days": 12, "felony": 18}
"""The window of each headline figure: six months for arrests (as the published evaluation's
shorter-term result), twelve for jail use, eighteen (the longest here) for felony charges,
whose published result is longer-term."""
ADJUSTMENT_WORDS = {
    "after_entry": ("unadjusted", "nothing (unadjusted)"),
    "adjusted": (
        "adjusted for baseline differences",
        f"{ADJUSTED_FOR}, in the outcome model",
    ),
    "weighted": (
        "weighted to resemble the LEAD group",
        f"{ADJUSTED_FOR}, by weighting the comparison group",
    ),
}
MEASURES = {
    "arrest": ("odds_ratio", "odds ratio", "the odds of any arrest", "arrest"),
    "booking": ("rate_ratio", "rate ratio", "jail bookings per year out of jail", "bookings"),
    "jail_days": ("rate_ratio", "rate ratio", "days in jail per year", "jail days"),
    "felony": ("odds_ratio", "odds ratio", "the odds of a felony charge", "felony charges"),
}
"""measure -> (id suffix, unit, outcome phrase, short name)."""
MODEL_WORDS = {
    "odds_ratio": "Logistic generalized estimating equations (GEE), one row per person",
    "rate_ratio": (
        "Poisson generalized estimating equations (GEE) with log person-years as offset, one "
        "row per person"
    ),
}


def _window_phrase(months: int) -> str:
    return f"the {months} months after entry"


def after_entry_id(measure: str, adjustment: str) -> str:
    """``arrest_odds_ratio_weighted``, ``booking_rate_ratio_after_entry``, ..."""
    return f"{measure}_{MEASURES[measure][0]}_{adjustment}"


def _after_entry(measure: str, adjustment: str) -> IndicatorSpec:
    _suffix, unit, what, short = MEASURES[measure]
    headline, adjusted_for = ADJUSTMENT_WORDS[adjustment]
    months = HEADLINE_WINDOW[measure]
    how = {
        "after_entry": "the LEAD indicator only",
        "adjusted": "the LEAD indicator and the baseline covariates",
        "weighted": (
            "the LEAD indicator only, each comparison person weighted by e / (1 - e), where e "
            "is their probability of being in the LEAD group from a logistic model on the "
            "baseline covariates (ATT weights, propensity clipped to 0.01-0.99)"
        ),
    }[adjustment]
    return IndicatorSpec(
        indicator_id=after_entry_id(measure, adjustment),
        title=f"LEAD vs comparison after entry, {short}: {unit}, {headline}",
        unit=unit,
        description=(
            f"{what[0].upper()}{what[1:]} of the LEAD group after entry divided by the "
            "comparison group's, "
            f"{headline}. Below 1 means fewer for LEAD. Published for windows of 6, 12 and 18 "
            f"months after entry (breakdown window_months; the main figure uses {months})."
        ),
        methodology=(
            f"{MODEL_WORDS[MEASURES[measure][0]]}, on {how}; robust (sandwich) 95% interval. "
            "Only people followed for the whole window count for arrests; follow-up ends at "
            "the extract date, a death, an exit to incarceration or a prison admission, and "
            "days in jail are not time at risk of a booking."
        ),
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind="forest",
        caveats=EVALUATION_CAVEATS
        + " Adjustment removes only the measured differences listed; see the E-value for how "
        "strong an unmeasured difference would have to be to explain the estimate away.",
        estimand=Estimand(AFTER_ENTRY, what, _window_phrase(months), GROUPS, adjusted_for),
    )


def _change_in_change(indicator_id: str, measure: str, before: str, after: str) -> IndicatorSpec:
    kind, unit, what, short = MEASURES[measure]
    model = MODEL_WORDS[kind].replace("one row per person", "two rows per person (before, after)")
    return IndicatorSpec(
        indicator_id=indicator_id,
        title=f"Change in change, {short}: LEAD's before-to-after {unit} relative to the "
        "comparison group's",
        unit=unit,
        description=(
            f"Each group's {what.removeprefix('the ')} in {after} divided by its own in "
            f"{before}; then LEAD's "
            "ratio divided by the comparison group's. Below 1 means LEAD's figure moved down "
            "more (or up less) than the comparison group's. It compares changes, not the "
            "groups after entry."
        ),
        methodology=(
            f"{model}, clusters = people, robust errors: y ~ LEAD + after + LEAD x after; the "
            "estimate is exp(LEAD x after). Not adjusted for other differences."
        ),
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind="forest",
        caveats=EVALUATION_CAVEATS
        + " A secondary estimate: the comparison group entered through an arrest, so its "
        "before window may hold unusually many arrests; its change then looks better than it "
        "otherwise would, and LEAD's relative change smaller.",
        estimand=Estimand(CHANGE_IN_CHANGE, what, f"{before} to {after}", GROUPS),
    )


SIX = ("the six months before entry", "the six months after entry")
TWELVE = ("the 12 months before entry", "the 12 months after entry")

EFFECT_INDICATORS: tuple[IndicatorSpec, ...] = (
    *(_after_entry(measure, adjustment) for measure in MEASURES for adjustment in ADJUSTMENT_WORDS),
    _change_in_change("arrest_odds_ratio", "arrest", *SIX),
    _change_in_change("felony_odds_ratio", "felony", *SIX),
    _change_in_change("booking_rate_ratio", "booking", *TWELVE),
    _change_in_change("jail_days_rate_ratio", "jail_days", *TWELVE),
    IndicatorSpec(
        indicator_id="evaluation_covariate_count",
        title="People in the evaluation groups by their characteristics at entry",
        unit="people",
        description=(
            "Number of people in each evaluation group (LEAD, comparison) at each level of the "
            "characteristics the adjusted estimates account for: age band, gender, "
            "race/ethnicity and housing at referral (levels are grouped so each holds enough "
            "people to be shown)."
        ),
        methodology="Counted once each, as recorded at referral or evaluation entry.",
        source_ids="program_participants",
        suppression_rule="{suppression_rule}",
        chart_kind="table",
        caveats=EVALUATION_CAVEATS,
    ),
    IndicatorSpec(
        indicator_id="evaluation_prior_history_mean",
        title="Arrests and bookings before entry, per person, by evaluation group",
        unit="events per person",
        description=(
            "Average number of arrests and of jail bookings per person in the 6 and in the 12 "
            "months before entry, for the LEAD group, the comparison group, and the "
            "comparison group weighted to resemble the LEAD group."
        ),
        methodology="Events in [entry - 6 or 12 months, entry) per person; weighted means use "
        "the inverse-probability weights of the weighted estimates.",
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind="table",
        caveats=EVALUATION_CAVEATS,
    ),
    IndicatorSpec(
        indicator_id="covariate_balance_smd",
        title="How alike the groups are at entry: standardized differences",
        unit="standardized mean difference",
        description=(
            "For each characteristic, the LEAD group's share (or mean) minus the comparison "
            "group's, in standard deviations, before and after weighting the comparison group. "
            "Within -0.1 to 0.1 is usually called well balanced."
        ),
        methodology=(
            "SMD = (LEAD - comparison) / sqrt((variance in LEAD + variance in comparison) / 2); "
            "after weighting, the comparison mean and variance are weighted."
        ),
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind="balance",
        caveats="Balance on these characteristics says nothing about differences that were "
        "not measured.",
    ),
    IndicatorSpec(
        indicator_id="effect_e_value",
        title="E-value: how strong an unmeasured difference would have to be",
        unit="risk ratio",
        description=(
            "For each adjusted estimate, the smallest risk ratio that an unmeasured difference "
            "between the groups would need with both being in the LEAD group and the outcome, "
            "beyond the characteristics adjusted for, to explain the estimate away (limit "
            "'estimate') or to make its 95% interval include no difference (limit "
            "'interval'; 1 when it already does)."
        ),
        methodology=(
            "VanderWeele & Ding (2017), Annals of Internal Medicine 167:268: E = RR + sqrt(RR x "
            "(RR - 1)) with RR the ratio (or its inverse when below 1); an odds ratio of an "
            "outcome more than 15% of the comparison group had is first taken to the risk-ratio "
            "scale by its square root; a rate ratio is used as a risk ratio."
        ),
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind="table",
        caveats="An E-value is a yardstick, not a test: it does not say whether such a "
        "difference exists.",
    ),
)
