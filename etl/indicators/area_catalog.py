"""Definitions of the neighborhood comparisons around LEAD's start (public records, areas
not people): before/after ratios for three windows, the event study, the pre-trend test and
placebo start dates. Computed by :mod:`etl.indicators.area_effects`."""

from __future__ import annotations

from etl.estimands import AREA_CHANGE_IN_CHANGE, AREA_EVENT_STUDY, Estimand
from etl.indicators.catalog import INCIDENT_CAVEATS, PUBLIC_RECORD_RULE, IndicatorSpec

AREAS = "Belltown and each comparison area (areas, not people)"
DESCRIPTIVE = (
    "Descriptive, not proof of cause: reported crime also moves with policing, reporting and "
    "events that differ between neighborhoods. " + INCIDENT_CAVEATS
)


def _area(
    indicator_id: str,
    title: str,
    unit: str,
    description: str,
    methodology: str,
    chart_kind: str,
    estimand: Estimand | None = None,
) -> IndicatorSpec:
    return IndicatorSpec(
        indicator_id=indicator_id,
        title=title,
        unit=unit,
        description=description,
        methodology=methodology,
        source_ids="spd_crime_nibrs",
        suppression_rule=PUBLIC_RECORD_RULE,
        chart_kind=chart_kind,
        caveats=DESCRIPTIVE,
        estimand=estimand,
    )


REPORTED_OFFENSES_BEFORE_AFTER = _area(
    "reported_offenses_before_after",
    "Change in reported offenses after LEAD began: Belltown relative to each comparison area",
    "rate ratio",
    "Belltown's change in monthly reported offenses from the months before October 2011 to "
    "the months after, divided by the same change in a comparison area, with 12, 24 and 36 "
    "months each side (breakdown window_months). Below 1 means reports fell more (or rose "
    "less) in Belltown.",
    "Difference-in-differences on monthly counts: Poisson regression (statsmodels GLM) on "
    "area, period and area x period with robust (HC0) errors; the estimate is exp(area x "
    "period) with a 95% interval. Only computed where every month of the window is published.",
    "forest",
    Estimand(
        AREA_CHANGE_IN_CHANGE,
        "reported offenses",
        "the 24 months before October 2011 to the 24 months after",
        AREAS,
    ),
)

REPORTED_OFFENSES_EVENT_STUDY = _area(
    "reported_offenses_event_study",
    "Belltown relative to each comparison area, year by year, against the year before LEAD",
    "rate ratio",
    "For each year from October to September, Belltown's reported offenses relative to the "
    "comparison area's, divided by the same ratio in October 2010 to September 2011 (the year "
    "before LEAD began, = 1). Years before LEAD show whether Belltown was already moving "
    "differently (a pre-trend).",
    "Poisson regression of monthly counts on a fixed effect per calendar month (shared by both "
    "areas), an area term and area x year terms (the year before LEAD left out), robust (HC0) "
    "errors; the estimate for each year is exp(area x year) with a 95% interval. Complete "
    "October-September years only.",
    "event_study",
    Estimand(
        AREA_EVENT_STUDY,
        "reported offenses",
        "each October-to-September year, against October 2010 to September 2011",
        AREAS,
    ),
)

REPORTED_OFFENSES_PRETREND = _area(
    "reported_offenses_pretrend",
    "Before LEAD: how much faster Belltown's reports grew than each comparison area's",
    "ratio per year",
    "Belltown's yearly growth in reported offenses relative to the comparison area's, in the "
    "months before October 2011 (1 = the same trend; above 1 = Belltown rising faster).",
    "Poisson regression of monthly counts before October 2011 on a fixed effect per calendar "
    "month, an area term and an area x time (years) term, robust (HC0) errors; the estimate "
    "is exp(area x time) with a 95% interval. Its two-sided p-value is published as "
    "reported_offenses_pretrend_p_value; below 0.05 the test rejects parallel trends.",
    "table",
)

REPORTED_OFFENSES_PRETREND_P = _area(
    "reported_offenses_pretrend_p_value",
    "Before LEAD: p-value of the test that Belltown and each comparison area moved in parallel",
    "p-value",
    "The two-sided p-value of the pre-trend ratio (reported_offenses_pretrend) against 1. "
    "Below 0.05, the trends before LEAD were not parallel, and before/after ratios mix that "
    "earlier trend in.",
    "Wald test of the area x time term, robust (HC0) errors.",
    "table",
)

REPORTED_OFFENSES_PLACEBO = _area(
    "reported_offenses_placebo",
    "Placebo start dates: the same before/after ratio at false starts before LEAD",
    "rate ratio",
    "The before/after ratio (12 months each side) computed as if LEAD had started in each "
    "month of 2009 and 2010 whose window ends by October 2011. Their spread is what ordinary "
    "variation between the areas produces; the real 12-month estimate can be read against it.",
    "The ratio of Belltown's and the comparison area's after/before totals (what the "
    "before/after model estimates), 12 months each side of each false start month "
    "(period_start_date); point estimates only, read as a distribution.",
    "placebo",
    Estimand(
        AREA_CHANGE_IN_CHANGE,
        "reported offenses",
        "the 12 months before a false start date to the 12 months after",
        AREAS,
    ),
)

AREA_INDICATORS = (
    REPORTED_OFFENSES_BEFORE_AFTER,
    REPORTED_OFFENSES_EVENT_STUDY,
    REPORTED_OFFENSES_PRETREND,
    REPORTED_OFFENSES_PRETREND_P,
    REPORTED_OFFENSES_PLACEBO,
)
