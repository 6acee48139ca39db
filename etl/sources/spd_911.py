"""Seattle Police Department 911 Incident Response (older CAD), data.seattle.gov ``3k2p-39jp``.

One row per CAD event, from 911 calls and officer-initiated (on-view) events such as
traffic stops; ``CAD CDW ID`` is the key (a repeated id is quarantined). The dataset covers
about 2010-2017 and was later replaced by "Call Data" (``33kz-ixgy``). Portal CSV exports
(display names) and API CSV (field names, from the recorded Socrata metadata in
``etl/sample_data/seattle/FORMATS.md`` §2c) are both accepted.

Period: ``event_datetime`` is **Event Clearance Date**, the only date every cleared event
has (``At Scene Time`` is blank in most rows and there is no call-received time). An event
is counted when SPD cleared it: in the bundled extracts, a median of about two hours after
the officer arrived (49 events with an At Scene Time; at most 19 hours). A blank clearance
date (an event not cleared) is rejected as blank.

Area: this dataset has no MCPP or neighborhood column, so ``area`` is derived and the
areas **differ from the MCPP neighborhoods** of the crime datasets:

* ``Census Tract`` in 2000/2010 tracts 80.01 or 80.02 (``8001.xxxx``, ``8002.xxxx``) ->
  :data:`BELLTOWN_TRACTS_AREA`. The BELLTOWN MCPP is larger: it reaches south into tract 81
  (beat M1) toward Pike Place (``SOURCES.md``, source 3).
* otherwise by ``Zone/Beat`` (:data:`BEAT_AREAS`): E1, E2 -> Capitol Hill; M2, M3, K1, K2 ->
  Downtown Commercial. These beats are mostly, not only, in those MCPPs, and the 2015 and
  2018 redistricting changed beat boundaries.
* anything else -> :data:`OTHER_AREA`.

Quirks handled, all seen in the real extracts (``SOURCES.md``): ``Event Clearance Code``
is zero-padded (``063``) and every value stays text, though the code is not published;
``Census Tract`` (``8100.2000``: tract x 100, then block) is only ever read as text;
``Incident Location`` repeats the point as ``"(47.61, -122.34)"`` and is used when
``Latitude``/``Longitude`` are unusable; ``At Scene Time`` is often blank and is not used;
12-hour ``MM/DD/YYYY hh:mm:ss AM/PM`` datetimes (ISO from the API); quoted fields holding
commas (``"DISTURBANCE, OTHER"``); ``0``, ``REDACTED`` or out-of-Seattle coordinates ->
NaN; a literal ``NULL`` or blank ``Event Clearance Group`` (seen in a public group-by of a
full export, UNCONFIRMED in a current download) is rejected as blank.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pandera.pandas as pa

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
    source_id="spd_911_incident_response",
    title="Seattle Police Department 911 Incident Response (about 2010-2017)",
    publisher="City of Seattle, Seattle Police Department",
    url=(
        "https://data.seattle.gov/Public-Safety/"
        "Seattle-Police-Department-911-Incident-Response/3k2p-39jp"
    ),
    licence=(
        "City of Seattle open data (data.seattle.gov). No license text was found in the "
        "copies used; the City describes its open data as free to reuse. Check the "
        "dataset's About page before republishing."
    ),
)

RENAME_CSV = {
    "CAD CDW ID": "record_id",
    "CAD Event Number": "cad_event_number",
    "General Offense Number": "general_offense_number",
    "Event Clearance Code": "event_clearance_code",
    "Event Clearance Description": "event_clearance_description",
    "Event Clearance SubGroup": "event_clearance_subgroup",
    "Event Clearance Group": "source_category",
    "Event Clearance Date": "event_datetime",
    "Hundred Block Location": "hundred_block_location",
    "District/Sector": "district_sector",
    "Zone/Beat": "beat",
    "Census Tract": "census_tract",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Incident Location": "incident_location",
    "Initial Type Description": "initial_type_description",
    "Initial Type Subgroup": "initial_type_subgroup",
    "Initial Type Group": "initial_type_group",
    "At Scene Time": "at_scene_time",
}
RENAME_API = {
    "cad_cdw_id": "record_id",
    "cad_event_number": "cad_event_number",
    "general_offense_number": "general_offense_number",
    "event_clearance_code": "event_clearance_code",
    "event_clearance_description": "event_clearance_description",
    "event_clearance_subgroup": "event_clearance_subgroup",
    "event_clearance_group": "source_category",
    "event_clearance_date": "event_datetime",
    "hundred_block_location": "hundred_block_location",
    "district_sector": "district_sector",
    "zone_beat": "beat",
    "census_tract": "census_tract",
    "longitude": "longitude",
    "latitude": "latitude",
    "incident_location": "incident_location",
    "initial_type_description": "initial_type_description",
    "initial_type_subgroup": "initial_type_subgroup",
    "initial_type_group": "initial_type_group",
    "at_scene_time": "at_scene_time",
}
SCHEMAS = {"portal CSV": RENAME_CSV, "API": RENAME_API}
REQUIRED = ("record_id", "event_datetime", "source_category", "beat", "census_tract")
OPTIONAL = ("latitude", "longitude", "incident_location")

# Expected categories: every Event Clearance Group is listed in category_map.csv (source_id
# spd_911_incident_response); an unlisted one stops the run.
BLANK_CATEGORY_TEXTS = frozenset({"", "NULL"})

# Derived areas (not MCPP neighbourhoods; see the module docstring).
BELLTOWN_TRACTS = ("8001", "8002")  # 2000/2010 Census tracts 80.01 and 80.02
BELLTOWN_TRACTS_AREA = "BELLTOWN (TRACTS 80.01-80.02)"
BEAT_AREAS = {
    "CAPITOL HILL (BEATS E1-E2)": ("E1", "E2"),
    "DOWNTOWN COMMERCIAL (BEATS M2-M3, K1-K2)": ("M2", "M3", "K1", "K2"),
}
OTHER_AREA = "OTHER"
TRACT_PATTERN = r"(?P<tract>\d{4})(?:\.\d*)?"

# Loose sanity bound: catches placeholder dates such as 1900-01-01. The dataset is said to
# start about 2010; its exact first date is UNCONFIRMED, so no tighter bound is claimed.
EARLIEST_EVENT = pd.Timestamp("2000-01-01")
NUMBER = r"(-?\d+(?:\.\d+)?)"
LOCATION_PAIR = rf"^\(\s*{NUMBER}\s*,\s*{NUMBER}\s*\)$"  # "(lat, lon)", portal export
LOCATION_POINT = rf"^POINT\s*\(\s*{NUMBER}\s+{NUMBER}\s*\)$"  # WKT "POINT (lon lat)", UNCONFIRMED
# SODA JSON sends a location column as an object; the live reader keeps it as compact JSON:
# the 2.0 form {"latitude": "47.6", "longitude": "-122.3", ...} or GeoJSON coordinates.
LOCATION_JSON_LATITUDE = rf'"latitude":"?{NUMBER}"?'
LOCATION_JSON_LONGITUDE = rf'"longitude":"?{NUMBER}"?'
LOCATION_GEOJSON = rf'"coordinates":\[\s*{NUMBER}\s*,\s*{NUMBER}\s*\]'


def normalized_schema(now: pd.Timestamp) -> pa.DataFrameSchema:
    """Rules every accepted row must meet (pandera); a failing row is quarantined."""
    return event_schema(
        pa.Check.str_matches(r"^\d+$", error="not a CAD CDW ID (expected digits)"),
        EARLIEST_EVENT,
        "before 2000-01-01 (a placeholder date)",
        now,
    )


def run(location: str, timeout_seconds: int, now: datetime | None = None) -> SourceResult:
    """Read, validate and normalize one export; bad rows are quarantined, not lost."""
    return read_event_export(
        location,
        timeout_seconds,
        now,
        info=INFO,
        rename_columns=rename_columns,
        parse_types=parse_types,
        schema_for=normalized_schema,
        duplicate_reason="duplicate CAD CDW ID (first occurrence kept)",
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


def derive_area(census_tract: pd.Series, beat: pd.Series) -> pd.Series:
    """Belltown by Census tract, else the comparison areas by beat, else ``OTHER``."""
    tract = census_tract.str.strip().str.extract(f"^{TRACT_PATTERN}$", expand=False)
    beats = beat.str.strip().str.upper()
    area = pd.Series(OTHER_AREA, index=census_tract.index, dtype=str)
    for label, members in BEAT_AREAS.items():
        area = area.mask(beats.isin(members), label)
    return area.mask(tract.isin(BELLTOWN_TRACTS), BELLTOWN_TRACTS_AREA)


def parse_incident_location(values: pd.Series) -> pd.DataFrame:
    """``"(lat, lon)"``, WKT ``"POINT (lon lat)"`` or a SODA JSON location object as float
    ``latitude``/``longitude``; anything else is NaN."""
    text = values.str.strip()
    pair = text.str.extract(LOCATION_PAIR).astype(float)
    point = text.str.extract(LOCATION_POINT).astype(float)
    geojson = text.str.extract(LOCATION_GEOJSON).astype(float)
    json_latitude = text.str.extract(LOCATION_JSON_LATITUDE)[0].astype(float)
    json_longitude = text.str.extract(LOCATION_JSON_LONGITUDE)[0].astype(float)
    return pd.DataFrame(
        {
            "latitude": pair[0].fillna(point[1]).fillna(geojson[1]).fillna(json_latitude),
            "longitude": pair[1].fillna(point[0]).fillna(geojson[0]).fillna(json_longitude),
        },
        index=values.index,
    )


def parse_types(frame: pd.DataFrame, context: FileContext) -> tuple[pd.DataFrame, list[Rejection]]:
    """Type the text columns; a blank or unparsable clearance date is quarantined."""
    typed = pd.DataFrame(index=frame.index)
    typed["record_id"] = frame["record_id"].str.strip()
    category = frame["source_category"].str.strip().str.upper()
    typed["source_category"] = category.where(~category.isin(BLANK_CATEGORY_TEXTS), "")
    typed["area"] = derive_area(frame["census_tract"], frame["beat"])
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
    usable = typed["latitude"].notna() & typed["longitude"].notna()
    fallback = parse_incident_location(frame["incident_location"])
    typed.loc[~usable, "latitude"] = fallback["latitude"].where(
        fallback["latitude"].between(*LATITUDE_RANGE)
    )
    typed.loc[~usable, "longitude"] = fallback["longitude"].where(
        fallback["longitude"].between(*LONGITUDE_RANGE)
    )
    missing_point = typed["latitude"].isna() | typed["longitude"].isna()
    typed.loc[missing_point, ["latitude", "longitude"]] = float("nan")
    rejected = {r.row_number for r in rejections}
    return typed.drop(index=sorted(rejected)), rejections
