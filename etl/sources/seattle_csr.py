"""Customer Service Requests (Find It, Fix It / 311), data.seattle.gov dataset ``5ngg-rpne``.

**No real extract has been seen.** The module is written against the columns the portal
publishes as reported by public clients (``etl/sample_data/seattle/FORMATS.md`` §2d) and is
tested on a synthetic fixture written in that format
(``etl/sample_data/seattle_csr_fixture/``); rows read from that folder carry
:data:`SYNTHETIC_INFO` (``is_synthetic=True``), so the site labels them synthetic, while a
real export or the live dataset carries :data:`INFO`.
Check a real download (``?$limit=1``) before relying on it; headers marked UNCONFIRMED
below have not been seen in any export.

One row per service request; ``Service Request Number`` (e.g. ``26-00200215``) is the key
(a repeated number is quarantined). Portal CSV exports (display names) and API CSV (field
names) are both accepted.

Period: ``event_datetime`` is **Created Date**, when the resident made the request. It is
the only date the dataset has (there is no closed date), so a request is counted in the
month it was made, whatever happened to it.

Area: ``Neighborhood`` as published, upper-cased. Whether its values are the same names as
SPD's MCPP neighborhoods (``BELLTOWN``, ``CAPITOL HILL``, ``DOWNTOWN COMMERCIAL``) is
UNCONFIRMED; a blank neighborhood (about 1-2% of rows according to one client) is
rejected as blank, since the row cannot be placed.

Category: ``Service Request Type`` exactly as published (mixed case, trimmed). The 2021
rename ``Abandoned Vehicle`` -> ``Abandoned Vehicle/72hr Parking Ordinance`` is merged in
``category_map.csv``, not here. Quirks handled: 12-hour ``MM/DD/YYYY hh:mm:ss AM/PM`` dates
(ISO floating timestamps from the API); ``0`` or empty coordinates -> NaN.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from etl.settings import SAMPLE_DATA_DIR
from etl.sources import dates
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceInfo,
    SourceResult,
    match_layout,
)
from etl.sources.events import event_schema, read_event_export
from etl.sources.spd_nibrs import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    parse_coordinate,
    parse_datetime,
)

INFO = SourceInfo(
    source_id="seattle_csr",
    title="Customer Service Requests (Find It, Fix It)",
    publisher="City of Seattle (Customer Service Bureau)",
    url="https://data.seattle.gov/City-Administration/Customer-Service-Requests/5ngg-rpne",
    licence="City of Seattle open data (data.seattle.gov); see the dataset's About page.",
)
# The bundled fixture is synthetic, and everything read from its folder says so.
FIXTURE_DIR = SAMPLE_DATA_DIR / "seattle_csr_fixture"
SYNTHETIC_INFO = SourceInfo(
    source_id=INFO.source_id,
    title="Customer Service Requests (Find It, Fix It) (synthetic fixture)",
    publisher=(
        "Synthetic: written for this project in the format of the City of Seattle's "
        "Customer Service Requests dataset; not City data"
    ),
    url=INFO.url,
    licence=(
        "The synthetic fixture is part of this project. The real dataset is City of Seattle "
        "open data (data.seattle.gov); check its About page before republishing."
    ),
    is_synthetic=True,
)


def info_for(location: str) -> SourceInfo:
    """:data:`SYNTHETIC_INFO` for a file of the bundled fixture, else :data:`INFO`."""
    if location.startswith(("http://", "https://")):
        return INFO
    return SYNTHETIC_INFO if Path(location).resolve().is_relative_to(FIXTURE_DIR) else INFO


# Portal CSV export (display names). "Service Request Number" is UNCONFIRMED; the headers
# after "Neighborhood" were never seen in an export and are guesses (UNCONFIRMED).
RENAME_CSV = {
    "Service Request Number": "record_id",
    "Service Request Type": "source_category",
    "City Department": "department",
    "Created Date": "event_datetime",
    "Method Received": "method_received",
    "Status": "status",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "ZIP Code": "zipcode",
    "Neighborhood": "area",
    "Location": "location",  # UNCONFIRMED
    "X Value": "x_value",  # UNCONFIRMED
    "Y Value": "y_value",  # UNCONFIRMED
    "Council District": "council_district",  # UNCONFIRMED
    "Police Precinct": "police_precinct",  # UNCONFIRMED
    "Community Reporting Area": "community_reporting_area",  # UNCONFIRMED
}
# API field names, reported by several clients. Whether neighborhood and
# community_reporting_area both exist today is UNCONFIRMED.
RENAME_API = {
    "servicerequestnumber": "record_id",
    "webintakeservicerequests": "source_category",
    "departmentname": "department",
    "createddate": "event_datetime",
    "methodreceivedname": "method_received",
    "servicerequeststatusname": "status",
    "location": "location",
    "x_value": "x_value",
    "y_value": "y_value",
    "latitude": "latitude",
    "longitude": "longitude",
    "latitude_longitude": "latitude_longitude",
    "zipcode": "zipcode",
    "councildistrict": "council_district",
    "policeprecinct": "police_precinct",
    "neighborhood": "area",
    "community_reporting_area": "community_reporting_area",
}
SCHEMAS = {"portal CSV": RENAME_CSV, "API": RENAME_API}
REQUIRED = ("record_id", "source_category", "event_datetime", "area")
OPTIONAL = ("latitude", "longitude")

# Expected categories: the request types listed in category_map.csv (source_id seattle_csr);
# an unlisted one stops the run. The five the dashboard publishes on their own:
FOCUS_REQUEST_TYPES = (
    "Abandoned Vehicle",
    "Abandoned Vehicle/72hr Parking Ordinance",
    "Graffiti",
    "Illegal Dumping / Needles",
    "Unauthorized Encampment",
)

# Loose sanity bound: catches placeholder dates. The dataset is said to start in 2013
# (UNCONFIRMED), so no tighter bound is claimed.
EARLIEST_REQUEST = pd.Timestamp("2000-01-01")


def normalized_schema(now: pd.Timestamp) -> pa.DataFrameSchema:
    """Rules every accepted row must meet (pandera); a failing row is quarantined."""
    return event_schema(
        pa.Check.str_length(min_value=1, error="blank"),
        EARLIEST_REQUEST,
        "before 2000-01-01 (a placeholder date)",
        now,
    )


def run(location: str, timeout_seconds: int, now: datetime | None = None) -> SourceResult:
    """Read, validate and normalize one export; bad rows are quarantined, not lost."""
    return read_event_export(
        location,
        timeout_seconds,
        now,
        info=info_for(location),
        rename_columns=rename_columns,
        parse_types=parse_types,
        schema_for=normalized_schema,
        duplicate_reason="duplicate Service Request Number (first occurrence kept)",
    )


def rename_columns(raw: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map a known header layout to our names; unknown or missing columns fail loudly.

    Returns the renamed frame and, for messages, our column name -> the file's header.
    """
    renamed, headers = match_layout(raw, name, SCHEMAS, REQUIRED)
    for optional in OPTIONAL:
        if optional not in renamed.columns:
            renamed[optional] = ""
    return renamed, headers


def parse_types(frame: pd.DataFrame, context: FileContext) -> tuple[pd.DataFrame, list[Rejection]]:
    """Type the text columns; a blank or unparsable created date is quarantined."""
    typed = pd.DataFrame(index=frame.index)
    typed["record_id"] = frame["record_id"].str.strip()
    typed["source_category"] = frame["source_category"].str.strip()
    typed["area"] = frame["area"].str.strip().str.upper()
    rejections: list[Rejection] = []
    parsed = parse_datetime(frame["event_datetime"])
    text = frame["event_datetime"].str.strip()
    for index in frame.index[text == ""]:
        rejections.append(context.rejection(index, "event_datetime", "blank"))
    for index in frame.index[parsed.isna() & (text != "")]:
        rejections.append(context.rejection(index, "event_datetime", dates.REASON))
    typed["event_datetime"] = parsed
    typed["latitude"] = parse_coordinate(frame["latitude"], LATITUDE_RANGE)
    typed["longitude"] = parse_coordinate(frame["longitude"], LONGITUDE_RANGE)
    missing_point = typed["latitude"].isna() | typed["longitude"].isna()
    typed.loc[missing_point, ["latitude", "longitude"]] = float("nan")
    rejected = {r.row_number for r in rejections}
    return typed.drop(index=sorted(rejected)), rejections
