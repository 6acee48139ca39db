"""The shared reader for neighborhood event sources (older crime format, 911, requests).

Each source module supplies what differs (its header layouts, typing and schema); this
module runs the same steps for all of them, in this order: read and decode the CSV, match
the header layout, type the values, validate every row (these four chunk by chunk:
:mod:`etl.sources.reading`), quarantine repeated keys, map the source's categories to
public indicators, and check that no row went missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import pandera.pandas as pa

from etl.sources import reading
from etl.sources.categories import map_categories
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceInfo,
    SourceResult,
    display_name,
    validate_rows,
)

OUTPUT_COLUMNS = [
    "record_id",
    "event_datetime",
    "area",
    "source_category",
    "indicator",
    "latitude",
    "longitude",
]


def event_schema(
    record_id: pa.Check, earliest: pd.Timestamp, earliest_rule: str, now: pd.Timestamp
) -> pa.DataFrameSchema:
    """The rules every accepted event row meets (pandera), whatever its source: a record id
    passing ``record_id``, a datetime from ``earliest`` to ``now``, a non-blank area and
    category, optional coordinates. A failing row is quarantined."""
    return pa.DataFrameSchema(
        {
            "record_id": pa.Column(str, record_id),
            "event_datetime": pa.Column(
                "datetime64[ns]",
                [
                    pa.Check.ge(earliest, error=earliest_rule),
                    pa.Check.le(now, error="in the future"),
                ],
                nullable=False,
            ),
            "area": pa.Column(str, pa.Check.str_length(min_value=1, error="blank")),
            "source_category": pa.Column(str, pa.Check.str_length(min_value=1, error="blank")),
            "latitude": pa.Column(float, nullable=True),
            "longitude": pa.Column(float, nullable=True),
            # Which category_map.csv source maps the row (when a module uses more than one).
            "category_source": pa.Column(str, required=False),
        },
        strict="filter",
        coerce=False,
    )


Renamer = Callable[[pd.DataFrame, str], tuple[pd.DataFrame, dict[str, str]]]
Typer = Callable[[pd.DataFrame, FileContext], tuple[pd.DataFrame, list[Rejection]]]


def read_event_export(
    location: str,
    timeout_seconds: int,
    now: datetime | None,
    *,
    info: SourceInfo,
    rename_columns: Renamer,
    parse_types: Typer,
    schema_for: Callable[[pd.Timestamp], pa.DataFrameSchema],
    duplicate_reason: str,
) -> SourceResult:
    """Read, validate and normalize one export; bad rows are quarantined, not lost.

    The frame has :data:`OUTPUT_COLUMNS`; an unmapped category fails the run (SourceError).
    """
    schema = schema_for(pd.Timestamp(now or datetime.now()))
    checked = reading.read_checked(
        location,
        timeout_seconds,
        reading.Steps(
            rename=rename_columns,
            parse_types=parse_types,
            check=lambda frame, context: validate_rows(frame, context, schema),
            key="record_id",
            duplicate_reason=duplicate_reason,
            categorical=("area", "source_category", "category_source"),
        ),
    )
    name = display_name(location)
    kept = checked.frame
    indicators = _indicators(kept, info.source_id, name)
    frame = kept.assign(indicator=indicators)[OUTPUT_COLUMNS].reset_index(drop=True)
    result = SourceResult(
        info=info,
        location=location,
        sha256=checked.sha256,
        rows_read=checked.rows_read,
        frame=frame,
        rejections=checked.rejections,
        watermark=None if frame.empty else frame["event_datetime"].max().to_pydatetime(),
    )
    error = f"{name}: rows read != accepted + rejected"
    assert result.rows_read == result.rows_accepted + result.rows_rejected, error
    return result


def _indicators(frame: pd.DataFrame, source_id: str, name: str) -> pd.Series:
    """Each row's indicator from category_map.csv, under its ``category_source`` if set."""
    if "category_source" not in frame.columns or frame.empty:
        return map_categories(frame, source_id, name)
    parts = [
        map_categories(group, str(source), name)
        for source, group in frame.groupby("category_source", sort=True, observed=True)
    ]
    return pd.concat(parts).reindex(frame.index)
