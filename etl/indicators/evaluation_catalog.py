"""Definitions of the evaluation indicators: LEAD vs comparison group, outcomes of LEAD
participants over time, drug use and health events (the ``indicator`` table's rows).

Every effect declares its estimand (:mod:`etl.estimands`): what it compares, the window, the
groups and what it is adjusted for. The site's sentences are generated from those fields.
"""

from __future__ import annotations

from etl.estimands import WITHIN_PERSON, Estimand
from etl.indicators.catalog import IndicatorSpec

# --- Evaluation indicators: LEAD vs comparison group (statsmodels, then suppression) ---

WITHIN_PERSON_CAVEAT = (
    "Within-person change, no comparison group: LEAD participants are compared with "
    "themselves before referral. The change may reflect time, regression to the mean (people "
    "are often referred at a low point, so some improvement would come anyway) or who stays "
    "in follow-up (people no longer followed may be doing worse), not only LEAD."
)

EVALUATION_CAVEATS = (
    "Not a randomized trial: police shifts, not people, were assigned to LEAD or usual "
    "processing, so the groups may differ in ways the comparison cannot remove. Covers people "
    "who entered the evaluation from October 2011 to July 2014. 95% confidence intervals "
    "show the uncertainty from the number of people, not from the design."
)


def _evaluation(
    indicator_id: str,
    title: str,
    unit: str,
    description: str,
    methodology: str,
    chart_kind: str = "interval",
) -> IndicatorSpec:
    return IndicatorSpec(
        indicator_id=indicator_id,
        title=title,
        unit=unit,
        description=description,
        methodology=methodology,
        source_ids="program_participants,program_legal_events",
        suppression_rule="{suppression_rule}",
        chart_kind=chart_kind,
        caveats=EVALUATION_CAVEATS,
    )


EVALUATION_INDICATORS: tuple[IndicatorSpec, ...] = (
    _evaluation(
        "arrest_share_6m",
        "People arrested in the six months before and after entry",
        "percent of group",
        "Share of each group arrested at least once in the six months before, and in the six "
        "months after, evaluation entry.",
        "Arrest = being taken into custody (legal_events event_type 'arrest'). The after "
        "window counts only people followed for the whole six months (to the extract date, "
        "and before any death, exit to incarceration or prison admission). 95% Wilson "
        "interval.",
    ),
    _evaluation(
        "felony_charge_share_6m",
        "People charged with a felony, six months before and after",
        "percent of group",
        "Share of each group with at least one felony charge in the six months before and after "
        "entry.",
        "Charge = a criminal case filed in court with charge level 'felony'. 95% Wilson interval.",
    ),
    _evaluation(
        "bookings_per_person_year",
        "Jail bookings per person-year at liberty, before and after entry",
        "bookings per person-year",
        "Jail bookings per year spent out of jail in the 12 months before and up to 12 months "
        "after entry.",
        "Bookings / person-years at liberty: follow-up ends at the extract date, a death, an "
        "exit to incarceration or a prison admission, and days spent in jail are not counted "
        "as time at risk. 95% interval from a Poisson model with robust errors.",
    ),
    _evaluation(
        "jail_days_per_person_year",
        "Days in jail per person-year, before and after entry",
        "days per person-year",
        "Days spent in jail per year of follow-up in the 12 months before and up to 12 months "
        "after entry.",
        "Days of jail stays that fall inside the window (a stay counts from its booking date "
        "for its recorded days; unknown days count 0) / person-years of follow-up (ending at "
        "the extract date, a death, an exit to incarceration or a prison admission). 95% "
        "interval from a Poisson model with robust errors.",
    ),
    _evaluation(
        "evaluation_group_size",
        "People in the evaluation groups",
        "people",
        "Number of people in the LEAD and comparison groups of the evaluation.",
        "Entered the evaluation from October 2011 to July 2014.",
        chart_kind="kpi",
    ),
    _evaluation(
        "no_arrest_since_entry_pct",
        "Not re-arrested since entry (Kaplan-Meier)",
        "percent of group",
        "Estimated share of each group not yet arrested, by months since entry.",
        "Kaplan-Meier estimate, censored at the extract date, a death, an exit to "
        "incarceration or a prison admission; pointwise 95% band. Shown only at months where "
        "at least the suppression threshold of people were arrested since the last month "
        "shown (and none or at least that many stopped being followed), so a month-to-month "
        "difference never counts fewer people; the curve stops where fewer are at risk.",
        chart_kind="line",
    ),
    _evaluation(
        "legal_cost_per_person_year",
        "Criminal legal system cost per person-year",
        "USD per person-year",
        "Cost of bookings, jail days, prosecution, defense and court per person-year, before and "
        "after entry.",
        "Events x unit costs (each unit cost with its source on the Methods page) / person-years "
        "of follow-up; jail days are the days of stays inside the window.",
    ),
)

OUTCOME_LABELS = {
    "housed": "sheltered or housed",
    "employed": "employed or in training",
    "income_or_benefits": "with income or benefits",
}
ODDS_WORDS = {
    "housed": "being sheltered or housed",
    "employed": "being employed or in training",
    "income_or_benefits": "having income or benefits",
}
OUTCOME_INDICATORS: tuple[IndicatorSpec, ...] = tuple(
    IndicatorSpec(
        indicator_id=f"{outcome}_share",
        title=f"LEAD participants {words}, by month since referral",
        unit="percent of assessed participants",
        description=(
            f"Share of LEAD participants {words} in each month from the month before referral "
            "to 18 months after."
        ),
        methodology=(
            "Monthly status records; people not assessed in a month are left out of that month "
            "(never counted as 'no'). 95% Wilson interval."
        ),
        source_ids="program_participants,program_monthly_status",
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=WITHIN_PERSON_CAVEAT + " The number assessed each month is published beside "
        "each share.",
    )
    for outcome, words in OUTCOME_LABELS.items()
)

OUTCOME_ODDS_INDICATORS: tuple[IndicatorSpec, ...] = tuple(
    IndicatorSpec(
        indicator_id=f"{outcome}_odds_vs_baseline",
        title=f"Odds of being {words} after referral vs the month before",
        unit="odds ratio",
        description=(
            f"How many times higher a LEAD participant's odds of being {words} are in a month "
            "after referral (0 to 18) than in the month before."
        ),
        methodology=(
            "Logistic generalized estimating equations over months 0-18 against month -1, "
            "person clusters, exchangeable correlation; people assessed in the month before "
            "referral."
        ),
        source_ids="program_participants,program_monthly_status",
        suppression_rule="{suppression_rule}",
        chart_kind="forest",
        caveats=WITHIN_PERSON_CAVEAT,
        estimand=Estimand(
            WITHIN_PERSON,
            f"the odds of {ODDS_WORDS[outcome]}",
            "in the 18 months after referral, against the month before",
            "LEAD participants assessed in the month before referral (no comparison group)",
        ),
    )
    for outcome, words in OUTCOME_LABELS.items()
)


# --- Drug use, treatment and health events (contract 1.1) -----------------------------------

DRUG_USE_CAVEAT = (
    WITHIN_PERSON_CAVEAT + " Only assessed months count; if people who use more are assessed "
    "less often, the trend looks better than it is, so the share assessed is published "
    "beside it."
)
DRUG_SOURCES = "program_participants,program_monthly_status"
HEALTH_SOURCES = "program_participants,program_monthly_status,program_health_events"
DRUG_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        indicator_id="drug_use_assessed_share",
        title="LEAD participants whose drug use was assessed, by month since referral",
        unit="percent of participants followed",
        description=(
            "Share of LEAD participants followed in each month whose drug use and treatment "
            "were assessed (by a case manager or by self-report)."
        ),
        methodology="Monthly status records with an assessment source. 95% Wilson interval.",
        source_ids=DRUG_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats="A month without an assessment is left out of the drug-use figures.",
    ),
    IndicatorSpec(
        indicator_id="any_treatment_share",
        title="LEAD participants in any drug treatment, by month since referral",
        unit="percent of assessed participants",
        description=(
            "Share of assessed LEAD participants in medication treatment, outpatient treatment "
            "or residential treatment/detox in each month from the month before referral to 18 "
            "months after."
        ),
        methodology="Assessed months only (never counted as no treatment). 95% Wilson interval.",
        source_ids=DRUG_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=DRUG_USE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="medication_treatment_share",
        title="LEAD participants on medication for opioid use disorder, by month",
        unit="percent of assessed participants",
        description=(
            "Share of assessed LEAD participants receiving medication for opioid use disorder "
            "in each month from the month before referral to 18 months after."
        ),
        methodology="Assessed months only. 95% Wilson interval.",
        source_ids=DRUG_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=DRUG_USE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="days_of_use",
        title="Days of drug or alcohol use in the past 30, by substance and month",
        unit="days in the past 30",
        description=(
            "Mean days of use in the past 30 among assessed LEAD participants, by substance "
            "class (opioids, stimulants, alcohol, other) and month since referral."
        ),
        methodology=(
            "Assessed months with a value only (blank is never zero use). 95% interval: mean "
            "plus or minus 1.96 standard errors."
        ),
        source_ids=DRUG_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=DRUG_USE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="days_of_use_change_12m",
        title="Change in days of use over 12 months after referral",
        unit="days in the past 30",
        description=(
            "How much the days of use in the past 30 changed over 12 months after referral, by "
            "substance class (negative = less use)."
        ),
        methodology=(
            "Linear generalized estimating equations of days of use on months since referral "
            "(0-18), person clusters, exchangeable correlation; estimate = 12 times the monthly "
            "change; 95% Wald interval."
        ),
        source_ids=DRUG_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="forest",
        caveats=DRUG_USE_CAVEAT,
        estimand=Estimand(
            WITHIN_PERSON,
            "days of use in the past 30",
            "over the 12 months after referral",
            "assessed LEAD participants (no comparison group)",
        ),
    ),
    IndicatorSpec(
        indicator_id="health_events_per_person_year",
        title="Overdoses, emergency visits and detox admissions per person-year",
        unit="events per person-year",
        description=(
            "Non-fatal overdoses, emergency department visits and detox admissions of LEAD "
            "participants in the 12 months before referral and in the months after it (up to "
            "18, exit or the extract date), per person-year."
        ),
        methodology=(
            "Events divided by person-years. 95% interval from a Poisson model with robust "
            "(sandwich) errors over people, so a few frequent users widen it as they should."
        ),
        source_ids=HEALTH_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="interval_bars",
        caveats=WITHIN_PERSON_CAVEAT + " Health records only hold events the program "
        "learned of; overdoses outside care are missed.",
    ),
    IndicatorSpec(
        indicator_id="health_event_rate_ratio",
        title="Health events after referral vs the year before (rate ratio)",
        unit="rate ratio",
        description=(
            "How the rate of each kind of health event after referral compares with the 12 "
            "months before (below 1 = fewer events after)."
        ),
        methodology=(
            "Poisson generalized estimating equations, person clusters, log person-years as "
            "offset; 95% Wald interval."
        ),
        source_ids=HEALTH_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="forest",
        caveats=WITHIN_PERSON_CAVEAT,
        estimand=Estimand(
            WITHIN_PERSON,
            "the rate of each kind of health event",
            "in the months after referral (up to 18), against the 12 months before",
            "LEAD participants with monthly status records (no comparison group)",
        ),
    ),
)
