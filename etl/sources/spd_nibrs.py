"""SPD Crime Data: 2008-Present (NIBRS), data.seattle.gov dataset ``tazs-3rd5``.

One row per offense (``Offense ID`` is the key; a report can hold several offenses).
The City republished the dataset with new column names (about 2025); both the old and the
new schema are accepted, as portal CSV exports (display names) or API CSV (field names).

Quirks handled, all seen in the real extracts (``etl/sample_data/seattle/SOURCES.md``):
UTF-8 byte-order mark on the header; ``0,0`` (and ``REDACTED``/``-1.0``) coordinates mean
"missing"; datetimes in every format the portal has used (``MM/DD/YYYY hh:mm:ss AM/PM``,
``YYYY Mon DD hh:mm:ss AM/PM``, ISO from the API: :mod:`etl.sources.dates`); report numbers
kept as strings; blank or pre-2008 offense start dates (the reporting period uses
``Report DateTime``, which is always set); ``UNKNOWN`` areas; rows in arbitrary order.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pandera.pandas as pa

from etl.sources import dates, reading
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceInfo,
    SourceResult,
    display_name,
    drop_repeated_keys,
    match_layout,
    validate_rows,
)

INFO = SourceInfo(
    source_id="spd_crime_nibrs",
    title="SPD Crime Data: 2008-Present (NIBRS)",
    publisher="City of Seattle, Seattle Police Department",
    url="https://data.seattle.gov/Public-Safety/SPD-Crime-Data-2008-Present/tazs-3rd5",
    licence=(
        "City of Seattle open data (data.seattle.gov). No license text was found in the "
        "copies used; the City describes its open data as free to reuse. Check the "
        "dataset's About page before republishing."
    ),
)

# Old schema (the bundled extracts), portal CSV headers and SODA API field names.
RENAME_OLD_CSV = {
    "Report Number": "report_number",
    "Offense ID": "offense_id",
    "Offense Start DateTime": "offense_start_datetime",
    "Offense End DateTime": "offense_end_datetime",
    "Report DateTime": "report_datetime",
    "Group A B": "group_a_b",
    "Crime Against Category": "crime_against_category",
    "Offense Parent Group": "offense_parent_group",
    "Offense": "offense",
    "Offense Code": "offense_code",
    "Precinct": "precinct",
    "Sector": "sector",
    "Beat": "beat",
    "MCPP": "area",
    "100 Block Address": "block_address",
    "Longitude": "longitude",
    "Latitude": "latitude",
}
RENAME_OLD_API = {
    "report_number": "report_number",
    "offense_id": "offense_id",
    "offense_start_datetime": "offense_start_datetime",
    "offense_end_datetime": "offense_end_datetime",
    "report_datetime": "report_datetime",
    "group_a_b": "group_a_b",
    "crime_against_category": "crime_against_category",
    "offense_parent_group": "offense_parent_group",
    "offense": "offense",
    "offense_code": "offense_code",
    "precinct": "precinct",
    "sector": "sector",
    "beat": "beat",
    "mcpp": "area",
    "_100_block_address": "block_address",
    "longitude": "longitude",
    "latitude": "latitude",
}
# New schema (republished about 2025). The mapping of "Offense Sub Category" to the old
# parent group is inferred from public clients, not from City documentation.
RENAME_NEW_CSV = {
    "Report Number": "report_number",
    "Report DateTime": "report_datetime",
    "Offense ID": "offense_id",
    "Offense Date": "offense_start_datetime",
    "NIBRS Group AB": "group_a_b",
    "NIBRS Crime Against Category": "crime_against_category",
    "Offense Sub Category": "offense_parent_group",
    "Shooting Type Group": "shooting_type_group",
    "Block Address": "block_address",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Beat": "beat",
    "Precinct": "precinct",
    "Sector": "sector",
    "Neighborhood": "area",
    "Reporting Area": "reporting_area",
    "Offense Category": "offense_category",
    "NIBRS Offense Code Description": "offense",
    "NIBRS_offense_code": "offense_code",
}
RENAME_NEW_API = {
    "report_number": "report_number",
    "report_date_time": "report_datetime",
    "offense_id": "offense_id",
    "offense_date": "offense_start_datetime",
    "nibrs_group_a_b": "group_a_b",
    "nibrs_crime_against_category": "crime_against_category",
    "offense_sub_category": "offense_parent_group",
    "shooting_type_group": "shooting_type_group",
    "block_address": "block_address",
    "latitude": "latitude",
    "longitude": "longitude",
    "beat": "beat",
    "precinct": "precinct",
    "sector": "sector",
    "neighborhood": "area",
    "reporting_area": "reporting_area",
    "offense_category": "offense_category",
    "nibrs_offense_code_description": "offense",
    "nibrs_offense_code": "offense_code",
}
SCHEMAS = {
    "old portal CSV": RENAME_OLD_CSV,
    "old API": RENAME_OLD_API,
    "new portal CSV": RENAME_NEW_CSV,
    "new API": RENAME_NEW_API,
}
REQUIRED = ("report_number", "offense_id", "report_datetime", "offense_parent_group", "area")

# SPD's NIBRS offence parent groups (upper case, as SPD publishes them).
OFFENSE_PARENT_GROUPS = frozenset(
    {
        "ANIMAL CRUELTY",
        "ARSON",
        "ASSAULT OFFENSES",
        "BAD CHECKS",
        "BRIBERY",
        "BURGLARY/BREAKING&ENTERING",
        "COUNTERFEITING/FORGERY",
        "CURFEW/LOITERING/VAGRANCY VIOLATIONS",
        "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY",
        "DISORDERLY CONDUCT",
        "DRIVING UNDER THE INFLUENCE",
        "DRUG/NARCOTIC OFFENSES",
        "DRUNKENNESS",
        "EMBEZZLEMENT",
        "EXTORTION/BLACKMAIL",
        "FAMILY OFFENSES, NONVIOLENT",
        "FRAUD OFFENSES",
        "GAMBLING OFFENSES",
        "HOMICIDE OFFENSES",
        "HUMAN TRAFFICKING",
        "KIDNAPPING/ABDUCTION",
        "LARCENY-THEFT",
        "LIQUOR LAW VIOLATIONS",
        "MOTOR VEHICLE THEFT",
        "PEEPING TOM",
        "PORNOGRAPHY/OBSCENE MATERIAL",
        "PROSTITUTION OFFENSES",
        "ROBBERY",
        "RUNAWAY",
        "SEX OFFENSES",
        "SEX OFFENSES, CONSENSUAL",
        "STOLEN PROPERTY OFFENSES",
        "TRESPASS OF REAL PROPERTY",
        "WEAPON LAW VIOLATIONS",
        "ALL OTHER",
    }
)

# What the indicators, coverage and provenance use of each accepted row; the rest of a
# city-wide file is validated and then let go (:func:`run_for_indicators`).
INDICATOR_COLUMNS = (
    "offense_id",
    "report_datetime",
    "offense_parent_group",
    "area",
    "latitude",
    "longitude",
)

DATASET_START = pd.Timestamp("2008-01-01")
DUPLICATE_REASON = "duplicate Offense ID (first occurrence kept)"
# Seattle's bounding box, generously; coordinates outside it are treated as missing.
LATITUDE_RANGE = (47.3, 47.9)
LONGITUDE_RANGE = (-122.6, -122.1)


def normalized_schema(now: pd.Timestamp) -> pa.DataFrameSchema:
    """Rules every accepted row must meet (pandera); a failing row is quarantined."""
    return pa.DataFrameSchema(
        {
            "offense_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "report_number": pa.Column(str, pa.Check.str_length(min_value=1)),
            "report_datetime": pa.Column(
                "datetime64[ns]",
                [
                    pa.Check.ge(DATASET_START, error="before the dataset starts (2008-01-01)"),
                    pa.Check.le(now, error="in the future"),
                ],
                nullable=False,
            ),
            "offense_start_datetime": pa.Column("datetime64[ns]", nullable=True),
            "offense_parent_group": pa.Column(
                str, pa.Check.isin(OFFENSE_PARENT_GROUPS, error="unknown offense parent group")
            ),
            "offense": pa.Column(str),
            "area": pa.Column(str, pa.Check.str_length(min_value=1)),
            "beat": pa.Column(str),
            "latitude": pa.Column(float, nullable=True),
            "longitude": pa.Column(float, nullable=True),
        },
        strict="filter",
        coerce=False,
    )


def run(
    location: str,
    timeout_seconds: int,
    now: datetime | None = None,
    *,
    indicators_only: bool = False,
) -> SourceResult:
    """Read, validate and normalize one NIBRS export; bad rows are quarantined, not lost.

    The file is read in chunks (:mod:`etl.sources.reading`), so all of Seattle's offenses
    fit in bounded memory. ``indicators_only`` keeps only :data:`INDICATOR_COLUMNS` of
    each validated chunk, and the Offense IDs as int64 when every one in the file is a
    plain integer (:func:`etl.sources.common.plain_integers`); validation, rejections and
    every kept value are the same.
    """
    checked_now = pd.Timestamp(now or datetime.now())
    checked = reading.read_checked(
        location,
        timeout_seconds,
        reading.Steps(
            rename=rename_columns,
            parse_types=parse_types,
            check=lambda frame, context: validate(frame, context, checked_now),
            key="offense_id",
            duplicate_reason=DUPLICATE_REASON,
            categorical=("offense_parent_group", "offense", "area", "beat"),
            keep=INDICATOR_COLUMNS if indicators_only else (),
            integer_key=indicators_only,
        ),
    )
    result = SourceResult(
        info=INFO,
        location=location,
        sha256=checked.sha256,
        rows_read=checked.rows_read,
        frame=checked.frame.reset_index(drop=True),
        rejections=checked.rejections,
        watermark=_watermark(checked.frame),
    )
    error = f"{display_name(location)}: rows read != accepted + rejected"
    assert result.rows_read == result.rows_accepted + result.rows_rejected, error
    return result


def run_for_indicators(
    location: str, timeout_seconds: int, now: datetime | None = None
) -> SourceResult:
    """:func:`run` keeping only what the indicators use (the pipeline's reader)."""
    return run(location, timeout_seconds, now, indicators_only=True)


def rename_columns(raw: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map any known header layout to our names; unknown or missing columns fail loudly.

    Returns the renamed frame and, for messages, our column name -> the file's header.
    """
    renamed, headers = match_layout(raw, name, SCHEMAS, REQUIRED)
    for optional in ("offense", "beat", "latitude", "longitude", "offense_start_datetime"):
        if optional not in renamed.columns:
            renamed[optional] = ""
    return renamed, headers


def parse_datetime(values: pd.Series) -> pd.Series:
    """SPD datetimes in any format the portal has used (:mod:`etl.sources.dates`); blank -> NaT."""
    return dates.parse_datetimes(values)


def parse_coordinate(values: pd.Series, valid: tuple[float, float]) -> pd.Series:
    """Coordinates as floats; ``0``, ``-1.0``, ``REDACTED``, blank or outside Seattle -> NaN."""
    numbers = pd.to_numeric(values.str.strip(), errors="coerce").astype(float)
    inside = numbers.between(valid[0], valid[1])
    return numbers.where(inside)


def parse_types(frame: pd.DataFrame, context: FileContext) -> tuple[pd.DataFrame, list[Rejection]]:
    """Type the string columns; unparsable or blank required datetimes are quarantined."""
    typed = frame.copy()
    for column in ("report_number", "offense_id", "offense_parent_group", "offense", "beat"):
        typed[column] = typed[column].str.strip()
    typed["area"] = typed["area"].str.strip().str.upper()
    typed["offense_parent_group"] = typed["offense_parent_group"].str.upper()
    rejections: list[Rejection] = []
    for column in ("report_datetime", "offense_start_datetime"):
        parsed = parse_datetime(typed[column])
        text = typed[column].str.strip()
        for index in typed.index[parsed.isna() & (text != "")]:
            rejections.append(context.rejection(index, column, dates.REASON))
        if column in REQUIRED:
            for index in typed.index[text == ""]:
                rejections.append(context.rejection(index, column, "blank"))
        typed[column] = parsed
    typed["latitude"] = parse_coordinate(typed["latitude"], LATITUDE_RANGE)
    typed["longitude"] = parse_coordinate(typed["longitude"], LONGITUDE_RANGE)
    missing_point = typed["latitude"].isna() | typed["longitude"].isna()
    typed.loc[missing_point, ["latitude", "longitude"]] = float("nan")
    rejected = {r.row_number for r in rejections}
    return typed.drop(index=sorted(rejected)), rejections


def validate(
    frame: pd.DataFrame, context: FileContext, now: pd.Timestamp
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Check every row against :func:`normalized_schema`; failing rows are quarantined."""
    return validate_rows(frame, context, normalized_schema(now), _reason)


def drop_duplicate_offenses(
    frame: pd.DataFrame, context: FileContext
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Keep the first row of each ``Offense ID``; later repeats are quarantined."""
    return drop_repeated_keys(frame, context, "offense_id", DUPLICATE_REASON)


def _watermark(frame: pd.DataFrame) -> datetime | None:
    if frame.empty:
        return None
    latest: pd.Timestamp = frame["report_datetime"].max()
    return latest.to_pydatetime()


def _reason(check: str) -> str:
    if check.startswith("isin"):
        return "unknown offense parent group"
    if check.startswith("str_length"):
        return "blank"
    if "not_nullable" in check:
        return "blank"
    return check
