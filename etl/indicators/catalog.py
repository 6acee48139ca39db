"""Definitions of the published indicators (the ``indicator`` table's rows).

Text here is what the site shows beside each chart and what downloads carry, so it is
written for the public: what is counted, from where, and what to keep in mind.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PUBLIC_RECORD_RULE = (
    "Not suppressed: counts of police incident reports that the City of Seattle already "
    "publishes record by record on data.seattle.gov. No program participant data are used. "
    "Small-cell suppression applies to every figure derived from program records."
)

INCIDENT_CAVEATS = (
    "Reported crime depends on whether people report and on where police patrol, not only "
    "on how much crime happens. An offence is counted in the month it was reported. Areas "
    "are SPD's Micro-Community Policing Plan (MCPP) neighbourhoods, which the City applies "
    "to all years, so boundaries are consistent over time. The bundled extract holds "
    "robbery only."
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

    def as_row(self) -> dict[str, str]:
        return asdict(self)


REPORTED_OFFENSES = IndicatorSpec(
    indicator_id="reported_offenses",
    title="Reported offences per month",
    unit="offences",
    description=(
        "Number of offences reported to Seattle Police in the area in the month, by NIBRS "
        "offence parent group."
    ),
    methodology=(
        "One SPD NIBRS record is one offence (a report can list several offences). Records "
        "are counted by the month of 'Report DateTime' and by MCPP area. Only months the "
        "extract covers completely are published; a month with no reports is a zero."
    ),
    source_ids="spd_crime_nibrs",
    suppression_rule=PUBLIC_RECORD_RULE,
    chart_kind="line",
    caveats=INCIDENT_CAVEATS,
)

REPORTED_OFFENSES_INDEX = IndicatorSpec(
    indicator_id="reported_offenses_index",
    title="Reported offences per month, index (baseline year = 100)",
    unit="index ({baseline_year} = 100)",
    description=(
        "Monthly reported offences divided by the area's average month in the baseline "
        "year, times 100, so areas of different size can be compared."
    ),
    methodology=(
        "Index = monthly count / mean monthly count in the baseline year x 100, per area and "
        "offence group. The baseline year is {baseline_year}, the last full year before LEAD "
        "began in October 2011. Not published for a series whose baseline year averages zero "
        "or is not fully covered."
    ),
    source_ids="spd_crime_nibrs",
    suppression_rule=PUBLIC_RECORD_RULE,
    chart_kind="line",
    caveats=INCIDENT_CAVEATS,
)
