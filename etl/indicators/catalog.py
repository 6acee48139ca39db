"""Definitions of the published indicators (the ``indicator`` table's rows).

Text here is what the site shows beside each chart and what downloads carry, so it is
written for the public: what is counted, from where, and what to keep in mind.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from etl.estimands import NO_ESTIMAND_FIELDS, Estimand

PUBLIC_RECORD_RULE = (
    "Not suppressed: counts of police incident reports that the City of Seattle already "
    "publishes record by record on data.seattle.gov. No program participant data are used. "
    "Small-cell suppression applies to every figure derived from program records."
)

INCIDENT_CAVEATS = (
    "Reported crime depends on whether people report and on where police patrol, not only "
    "on how much crime happens. An offense is counted in the month it was reported. Areas "
    "are SPD's Micro-Community Policing Plan (MCPP) neighborhoods, which the City applies "
    "to all years, so boundaries are consistent over time."
)


@dataclass(frozen=True)
class IndicatorSpec:
    indicator_id: str
    title: str
    unit: str
    description: str
    methodology: str
    source_ids: str
    suppression_rule: str
    chart_kind: str
    caveats: str
    estimand: Estimand | None = None

    def as_row(self) -> dict[str, str]:
        """The ``indicator`` row: every text field, the estimand flattened into its columns."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "estimand"}
        return row | (self.estimand.as_fields() if self.estimand else NO_ESTIMAND_FIELDS)


REPORTED_OFFENSES = IndicatorSpec(
    indicator_id="reported_offenses",
    title="Reported offenses per month",
    unit="offenses",
    description=(
        "Number of offenses reported to Seattle Police in the area in the month, by offense "
        "category (SPD's NIBRS parent groups grouped with etl/sources/category_map.csv: drug "
        "and narcotic, prostitution, robbery, assault, larceny-theft, burglary, vandalism, "
        "trespass and others)."
    ),
    methodology=(
        "One SPD NIBRS record is one offense (a report can list several offenses). Records "
        "are counted by the month of 'Report DateTime' and by MCPP area. A figure is "
        "published only for a month, area and category that an input file covers "
        "completely (see the caveats); there, a month with no reports is a zero."
    ),
    source_ids="spd_crime_nibrs",
    suppression_rule=PUBLIC_RECORD_RULE,
    chart_kind="line",
    caveats=INCIDENT_CAVEATS,
)

REPORTED_OFFENSES_INDEX = IndicatorSpec(
    indicator_id="reported_offenses_index",
    title="Reported offenses per month, index (baseline year = 100)",
    unit="index ({baseline_year} = 100)",
    description=(
        "Monthly reported offenses divided by the area's average month in the baseline "
        "year, times 100, so areas of different size can be compared."
    ),
    methodology=(
        "Index = monthly count / mean monthly count in the baseline year x 100, per area and "
        "offense group. The baseline year is {baseline_year}, the last full year before LEAD "
        "began in October 2011. Not published for a series whose baseline year averages zero "
        "or is not fully covered."
    ),
    source_ids="spd_crime_nibrs",
    suppression_rule=PUBLIC_RECORD_RULE,
    chart_kind="line",
    caveats=INCIDENT_CAVEATS,
)


# --- Program indicators (from de-identified program records, always suppressed) ---

PROGRAM_SOURCES = (
    "program_participants,program_legal_events,program_services,program_monthly_status"
)
PROGRAM_CAVEATS = (
    "Counts are of people, by calendar quarter; only complete quarters up to the extract "
    "date are shown. The comparison (control) group is people arrested in the same period "
    "and processed as usual; it was not chosen at random."
)


def program_suppression_rule(threshold: int) -> str:
    return (
        f"Withheld when based on fewer than {threshold} people (including zero), with "
        "complementary suppression: enough other figures are withheld that a withheld value "
        "cannot be recomputed from totals, other categories, cumulative counts or "
        "neighboring quarters. Shares are withheld with their counts."
    )


def _program(
    indicator_id: str,
    title: str,
    unit: str,
    description: str,
    methodology: str,
    chart_kind: str = "bar",
) -> IndicatorSpec:
    return IndicatorSpec(
        indicator_id=indicator_id,
        title=title,
        unit=unit,
        description=description,
        methodology=methodology,
        source_ids=PROGRAM_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind=chart_kind,
        caveats=PROGRAM_CAVEATS,
    )


_DEMOGRAPHIC_TITLES = {
    "gender": "gender",
    "age_band": "age at referral",
    "race_ethnicity": "race and ethnicity",
    "housing_at_referral": "housing status at referral",
}

PROGRAM_INDICATORS: tuple[IndicatorSpec, ...] = (
    _program(
        "referrals",
        "Referrals to LEAD per quarter",
        "people",
        "People referred to LEAD in the quarter, by referral type: arrest diversion (at the "
        "point of arrest) or social contact (outside an arrest, for people known to police).",
        "Each participant counted once, in the quarter of their referral date.",
    ),
    _program(
        "referrals_cumulative",
        "People referred to LEAD since October 2011",
        "people",
        "Total number of people referred to LEAD up to the end of the quarter.",
        "Running total of quarterly referrals.",
        chart_kind="line",
    ),
    _program(
        "participants_active",
        "Active LEAD participants at the end of each quarter",
        "people",
        "People enrolled in LEAD who had not left the program by the quarter's last day.",
        "Enrolled (not 'referred, never enrolled'), referred on or before the quarter's end, "
        "and no exit date on or before it.",
        chart_kind="line",
    ),
    _program(
        "exits",
        "People leaving LEAD per quarter",
        "people",
        "Participants whose enrolment ended in the quarter, by the reason recorded.",
        "Counted in the quarter of the exit date.",
    ),
    _program(
        "participants_by_cohort",
        "People in the LEAD and comparison groups",
        "people",
        "Number of people in the LEAD group (all referrals to date) and in the comparison group.",
        "Counted once each, by cohort.",
    ),
    *(
        spec
        for dimension, words in _DEMOGRAPHIC_TITLES.items()
        for spec in (
            _program(
                f"participants_by_{dimension}",
                f"Participants by {words}",
                "people",
                f"People in the LEAD and comparison groups by {words}.",
                "Counted once each, as recorded at referral (age in bands).",
            ),
            _program(
                f"participants_by_{dimension}_pct",
                f"Participants by {words} (percent)",
                "percent of group",
                f"Share of each group (LEAD, comparison) by {words}.",
                "Count in the category divided by the group's total, times 100.",
            ),
        )
    ),
    _program(
        "service_contacts",
        "LEAD service contacts per quarter",
        "contacts",
        "Contacts between participants and LEAD staff or partners, by type of service.",
        "Every recorded contact counts; a figure is withheld when fewer than the threshold "
        "number of people had such contacts in the quarter.",
    ),
    _program(
        "program_cost_per_participant_month",
        "Program cost per participant-month",
        "USD",
        "Recorded service costs in the quarter divided by the months participants were "
        "enrolled in it.",
        "Only contacts with a recorded cost count; a participant-month is a calendar month "
        "in which a participant was enrolled for at least one day.",
        chart_kind="line",
    ),
    _program(
        "months_enrolled_median",
        "Median months enrolled",
        "months",
        "Half of the people ever enrolled stayed longer than this, half shorter.",
        "From referral date to exit date, or to the end of the last complete quarter for "
        "people still enrolled (so ongoing enrolments are counted short).",
        chart_kind="kpi",
    ),
)


# --- Funding and spending (contract 1.2, optional finance.csv) ------------------------------

FINANCE_SOURCES = "program_participants,program_finance"
FINANCE_CAVEAT = (
    "From the program's own finance records; amounts are as recorded in the month money was "
    "received or spent, not audited accounts."
)
FINANCE_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        indicator_id="funding_received",
        title="Funding received, by source",
        unit="US dollars",
        description="Money LEAD received each quarter, by fund source (private foundations, "
        "city, county, state, federal, other).",
        methodology="Sum of the finance extract's received rows per quarter and source.",
        source_ids=FINANCE_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="stacked_bars",
        caveats=FINANCE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="spending",
        title="Spending, by category",
        unit="US dollars",
        description="Money LEAD spent each quarter on case management, housing, treatment, "
        "administration and evaluation.",
        methodology="Sum of the finance extract's spent rows per quarter and category.",
        source_ids=FINANCE_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="stacked_bars",
        caveats=FINANCE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="public_funding_share",
        title="Share of funding from public sources",
        unit="percent of funding received",
        description="City, county, state and federal funding as a share of all funding "
        "received in the quarter.",
        methodology="Public sources divided by all sources, per quarter.",
        source_ids=FINANCE_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=FINANCE_CAVEAT,
    ),
    IndicatorSpec(
        indicator_id="finance_cost_per_participant_month",
        title="Program spending per participant-month",
        unit="US dollars per participant-month",
        description="Spending in every category but evaluation divided by the months enrolled "
        "participants were active in the quarter.",
        methodology="Finance extract spending (evaluation excluded) / participant-months from "
        "participants.csv (referral month to exit month).",
        source_ids=FINANCE_SOURCES,
        suppression_rule="{suppression_rule}",
        chart_kind="line",
        caveats=FINANCE_CAVEAT + " The University of Washington's cost report found about $899 "
        "per person per month on average, falling to $532 toward the end of the evaluation.",
    ),
)


# --- Other neighbourhood sources (public records; the service-request sample is synthetic) ---

OTHER_NEIGHBOURHOOD_INDICATORS: dict[str, IndicatorSpec] = {
    "spd_crime_legacy": IndicatorSpec(
        indicator_id="reported_offenses_legacy",
        title="Reported offenses per month (SPD's older 'Crime Data' format)",
        unit="offenses",
        description=(
            "Offenses reported to Seattle Police per month and neighborhood, from the "
            "pre-NIBRS 'Crime Data' dataset, grouped into public categories."
        ),
        methodology=(
            "One record is one report. Counted by the month of 'Reported Date'; categories "
            "mapped from 'Crime Subcategory' with etl/sources/category_map.csv (from 'Primary "
            "Offense Description' where the subcategory is blank). Only months, areas and "
            "categories an input file covers completely are published."
        ),
        source_ids="spd_crime_legacy",
        suppression_rule=PUBLIC_RECORD_RULE,
        chart_kind="line",
        caveats="Categories differ from NIBRS, so do not add the two series together.",
    ),
    "spd_911_incident_response": IndicatorSpec(
        indicator_id="calls_for_service",
        title="911 calls and officer-initiated events per month",
        unit="events",
        description="CAD events cleared per month, by event clearance group.",
        methodology=(
            "Counted by the month of 'Event Clearance Date'. Belltown is census tracts 80.01 "
            "and 80.02; comparison areas are beats E1-E2 and M2-M3, K1-K2."
        ),
        source_ids="spd_911_incident_response",
        suppression_rule=PUBLIC_RECORD_RULE,
        chart_kind="line",
        caveats=(
            "Areas here are census tracts and police beats, not the MCPP neighborhoods used "
            "elsewhere; SPD redrew beat boundaries in 2015 and 2018, so beat-based series are "
            "not comparable across those years. Calls reflect demand for police, not crime."
        ),
    ),
    "seattle_csr": IndicatorSpec(
        indicator_id="service_requests",
        title="Service requests per month (Find It, Fix It)",
        unit="requests",
        description=(
            "Customer service requests per month and neighborhood: illegal dumping and "
            "needles, graffiti, unauthorized encampments, abandoned vehicles."
        ),
        methodology="Counted by the month of 'Created Date'; request types mapped to categories.",
        source_ids="seattle_csr",
        suppression_rule=PUBLIC_RECORD_RULE,
        chart_kind="line",
        caveats="Requests reflect who reports and how, not only conditions on the street.",
    ),
}


REPORTED_OFFENSES_GRID = IndicatorSpec(
    indicator_id="reported_offenses_grid",
    title="Where offenses were reported in Belltown (map grid)",
    unit="offenses",
    description=(
        "Offenses reported in Belltown over the covered months, counted per grid cell of about "
        "330 by 225 meters. Exact locations are never shown."
    ),
    methodology=(
        "SPD's block-level coordinates (records without coordinates left out) are binned into "
        "a 0.003-degree grid; each cell is shown at its center. The area is SPD's MCPP "
        "'BELLTOWN' as assigned to each record."
    ),
    source_ids="spd_crime_nibrs",
    suppression_rule=(
        "A cell with fewer than {threshold} reports is withheld, so a sparse cell cannot point "
        "at one address."
    ),
    chart_kind="map",
    caveats=INCIDENT_CAVEATS,
)


ROLLING_MONTHS = 12


def rolling_spec(monthly: dict[str, str]) -> dict[str, str]:
    """The 12-month average indicator of a monthly indicator (``<id>_12mo``): what the trend
    chart's "12-month average" view draws, published so its download equals the chart."""
    return {
        **monthly,
        "indicator_id": f"{monthly['indicator_id']}_12mo",
        "title": f"{monthly['title']}, 12-month average",
        "unit": f"{monthly['unit']} (12-month average)",
        "methodology": (
            f"{monthly['methodology']} Each month's 12-month average is the mean of that "
            f"month and the {ROLLING_MONTHS - 1} before it, given only where all "
            f"{ROLLING_MONTHS} months are covered, so no average spans a month no file covers."
        ),
    }


def yearly_spec(monthly: dict[str, str]) -> dict[str, str]:
    """The yearly-totals indicator of a monthly count indicator (``<id>_yearly``)."""
    return {
        **monthly,
        "indicator_id": f"{monthly['indicator_id']}_yearly",
        "title": monthly["title"].replace("per month", "per year"),
        "description": monthly["description"].replace("per month", "per year"),
        "methodology": (
            f"{monthly['methodology']} Yearly totals are the sum of a calendar year's 12 "
            "monthly counts, given only for years every month of which is covered; a partial "
            "year is not totaled (the caveats name each one)."
        ),
        "chart_kind": "bar",
    }
