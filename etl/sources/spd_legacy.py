"""SPD "Crime Data" (pre-NIBRS), data.seattle.gov dataset ``4fs7-3vj5``.

One row per report (``Report Number`` is the key; a repeated number is quarantined). The
dataset was replaced by the NIBRS dataset (``spd_nibrs``); it still matters for the years
around LEAD's start. Portal CSV exports (display names) and API CSV (field names) are both
accepted; of the API names only ``crime_subcategory`` and ``neighborhood`` are confirmed
(``etl/sample_data/seattle/FORMATS.md`` §2e), the rest are the snake_case of the headers
(UNCONFIRMED).

Period: ``event_datetime`` is **Reported Date + Reported Time**. ``Occurred Date`` can be
years before the report (up to six years in the 2008-09 copy, occurrences back to 1975),
so counting by occurrence would keep changing old months as late reports arrive; counting
by report matches the NIBRS source, which uses ``Report DateTime``. Occurred date and time
are not used and not checked.

Quirks handled, all seen in the real extracts (``etl/sample_data/seattle/SOURCES.md``):
times are HHMM integers without zero padding (``0``, ``1``, ``40``, ``2351``), combined
with the ``MM/DD/YYYY`` date (an API floating timestamp is also read); report numbers of 9
to 14 digits kept as strings (a number mangled by a spreadsheet, ``2.018E+11``, is
rejected); ``UNKNOWN`` neighborhoods are kept (area ``UNKNOWN``); an empty ``Crime
Subcategory`` (183 rows in the full 2008-09 copy) is read from ``Primary Offense
Description`` where the category map lists it (``ROBBERY-OTHER`` -> robbery) and is
otherwise rejected; an optional UTF-8 byte-order mark; rows in any order.
There are no coordinates in this dataset, so ``latitude``/``longitude`` are always NaN.
``area`` is the ``Neighborhood`` as published (SPD MCPP names such as ``BELLTOWN``).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pandera.pandas as pa

from etl.sources import dates
from etl.sources.categories import load_category_map
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceInfo,
    SourceResult,
    match_layout,
)
from etl.sources.events import event_schema, read_event_export

INFO = SourceInfo(
    source_id="spd_crime_legacy",
    title='SPD "Crime Data" (pre-NIBRS, 2008 to 2019 reports)',
    publisher="City of Seattle, Seattle Police Department",
    url="https://data.seattle.gov/Public-Safety/Crime-Data/4fs7-3vj5",
    licence=(
        "City of Seattle open data (data.seattle.gov). No license text was found in the "
        "copies used; the City describes its open data as free to reuse. Check the "
        "dataset's About page before republishing."
    ),
)

RENAME_CSV = {
    "Report Number": "record_id",
    "Occurred Date": "occurred_date",
    "Occurred Time": "occurred_time",
    "Reported Date": "reported_date",
    "Reported Time": "reported_time",
    "Crime Subcategory": "source_category",
    "Primary Offense Description": "primary_offense_description",
    "Precinct": "precinct",
    "Sector": "sector",
    "Beat": "beat",
    "Neighborhood": "area",
}
# Only crime_subcategory and neighborhood are confirmed API names; the rest are UNCONFIRMED.
RENAME_API = {
    "report_number": "record_id",
    "occurred_date": "occurred_date",
    "occurred_time": "occurred_time",
    "reported_date": "reported_date",
    "reported_time": "reported_time",
    "crime_subcategory": "source_category",
    "primary_offense_description": "primary_offense_description",
    "precinct": "precinct",
    "sector": "sector",
    "beat": "beat",
    "neighborhood": "area",
}
SCHEMAS = {"portal CSV": RENAME_CSV, "API": RENAME_API}
REQUIRED = ("record_id", "reported_date", "reported_time", "source_category", "area")

# Expected categories: the 30 Crime Subcategory values of the full export are listed in
# category_map.csv (source_id spd_crime_legacy); an unlisted one stops the run.
# A blank Crime Subcategory is read from Primary Offense Description (ROBBERY-OTHER,
# BURGLARY-OTHER...) with these rows of category_map.csv.
DESCRIPTION_SOURCE = "spd_crime_legacy_offense_description"
BLANK_UNMAPPED_REASON = "blank, and its Primary Offense Description is not in category_map.csv"
UNKNOWN_AREA = "UNKNOWN"
# Reports start in 2008 (the dataset is "2008-present" by report; occurrences go further back).
# UNCONFIRMED for the full export: the bundled extracts hold 2018-2019 reports only.
DATASET_START = pd.Timestamp("2008-01-01")
REPORT_NUMBER_PATTERN = r"^\d{9,14}$"
EVENT_HEADER = "Reported Date + Reported Time"
TIME_REASON = "not a time (expected HHMM from 0 to 2359)"


def normalized_schema(now: pd.Timestamp) -> pa.DataFrameSchema:
    """Rules every accepted row must meet (pandera); a failing row is quarantined."""
    return event_schema(
        pa.Check.str_matches(
            REPORT_NUMBER_PATTERN, error="not a report number (expected 9 to 14 digits)"
        ),
        DATASET_START,
        "before the dataset starts (2008-01-01)",
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
        duplicate_reason="duplicate Report Number (first occurrence kept)",
    )


def rename_columns(raw: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map a known header layout to our names; unknown or missing columns fail loudly.

    Returns the renamed frame (still text, plus ``event_datetime`` as the date and time
    joined, for messages) and, for messages, our column name -> the file's header.
    """
    renamed, headers = match_layout(raw, name, SCHEMAS, REQUIRED)
    renamed["event_datetime"] = (
        renamed["reported_date"].str.strip() + " " + renamed["reported_time"].str.strip()
    )
    headers["event_datetime"] = EVENT_HEADER
    return renamed, headers


def parse_date(values: pd.Series) -> pd.Series:
    """The day of a date in any format the portal has used (``MM/DD/YYYY``, ``YYYY Mon DD``,
    an ISO date or floating timestamp, a date with a midnight time), at midnight; else NaT."""
    return dates.parse_datetimes(values).dt.normalize()


def parse_hhmm(values: pd.Series) -> pd.Series:
    """Unpadded ``HHMM`` integers (``0`` = 00:00, ``40`` = 00:40, ``2351`` = 23:51) as offsets.

    Anything else (blank, ``2400``, ``1260``, ``-5``, ``12.5``, five digits) -> NaT.
    """
    text = values.str.strip()
    digits = text.str.fullmatch(r"\d{1,4}")
    numbers = pd.to_numeric(text.where(digits, "-1")).astype("int64")
    hours, minutes = numbers // 100, numbers % 100
    valid = digits & (numbers >= 0) & (hours <= 23) & (minutes <= 59)
    offsets = pd.to_timedelta(hours * 60 + minutes, unit="min")
    return offsets.where(valid).astype("timedelta64[ns]")


def categories(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each row's category, the category_map.csv source that maps it, and which rows have
    no usable category.

    ``Crime Subcategory`` when given; when it is blank, ``Primary Offense Description``
    (mapped under :data:`DESCRIPTION_SOURCE`) if the category map lists it; otherwise the
    row cannot be categorized (the third series is True) and is quarantined.
    """
    subcategory = frame["source_category"].str.strip().str.upper()
    if "primary_offense_description" in frame.columns:
        description = frame["primary_offense_description"].str.strip().str.upper()
    else:
        description = pd.Series("", index=frame.index)
    table = load_category_map()
    listed = set(table.loc[table["source_id"] == DESCRIPTION_SOURCE, "source_category"])
    blank = subcategory == ""
    by_description = blank & description.isin(listed)
    category = subcategory.mask(by_description, description)
    source = pd.Series(INFO.source_id, index=frame.index).mask(by_description, DESCRIPTION_SOURCE)
    return category, source, blank & ~by_description


def parse_types(frame: pd.DataFrame, context: FileContext) -> tuple[pd.DataFrame, list[Rejection]]:
    """Type the text columns; blank or unparsable report dates and times are quarantined."""
    typed = pd.DataFrame(index=frame.index)
    typed["record_id"] = frame["record_id"].str.strip()
    typed["area"] = frame["area"].str.strip().str.upper()
    rejections: list[Rejection] = []
    typed["source_category"], typed["category_source"], unmapped = categories(frame)
    for index in frame.index[unmapped]:
        rejections.append(context.rejection(index, "source_category", BLANK_UNMAPPED_REASON))
    date = parse_date(frame["reported_date"])
    time = parse_hhmm(frame["reported_time"])
    for column, parsed, reason in (
        ("reported_date", date, dates.REASON),
        ("reported_time", time, TIME_REASON),
    ):
        text = frame[column].str.strip()
        for index in frame.index[text == ""]:
            rejections.append(context.rejection(index, column, "blank"))
        for index in frame.index[parsed.isna() & (text != "")]:
            rejections.append(context.rejection(index, column, reason))
    typed["event_datetime"] = (date + time).astype("datetime64[ns]")
    typed["latitude"] = float("nan")
    typed["longitude"] = float("nan")
    rejected = {r.row_number for r in rejections}
    return typed.drop(index=sorted(rejected)), rejections
