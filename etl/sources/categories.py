"""Each source's own categories mapped to the public indicators, from ``category_map.csv``.

``category_map.csv`` (next to this module) is a data file read both by the ETL and by the
site's Methods page, so it is kept tidy: exactly the columns ``source_id, source_category,
indicator, indicator_label``; no blank cells or stray spaces; one row per (source,
category); rows sorted by source then category; one label per indicator. Categories are
written exactly as the source publishes them after trimming (SPD upper case, Customer
Service Requests in mixed case). :func:`load_category_map` checks all of this.

Indicator names are shared across sources only where the meaning matches: the NIBRS and
pre-NIBRS crime datasets share ``robbery``, ``burglary``, ``larceny_theft``,
``motor_vehicle_theft``, ``arson``, ``drug_narcotic``, ``prostitution``, ``trespass`` and
``other_offenses``. The pre-NIBRS set has aggravated assaults only, so it feeds
``aggravated_assault``, not NIBRS's ``assault`` (which includes simple assault and
intimidation). 911 events are calls and officer-initiated (on-view) events, not offenses,
so their indicators end in ``_calls`` and never share a name with an offense indicator.

Where the categories come from:

* ``spd_crime_nibrs``: every parent group in :data:`etl.sources.spd_nibrs.OFFENSE_PARENT_GROUPS`.
* ``spd_crime_legacy``: the 30 ``Crime Subcategory`` values that public analyses of full
  "Crime Data" exports list (one logs 30 values over 481,376 rows; repositories not
  recorded); the bundled 2018-19 extracts hold 13 of them.
* ``spd_911_incident_response``: the 43 non-blank ``Event Clearance Group`` values of a
  public 2015-16 group-by over a 1,157,100-row export of ``3k2p-39jp`` (repository not
  recorded; it also shows ``NUISANCE, MISCHIEF`` with a trailing space, which trimming
  absorbs, and blank or ``NULL`` groups, which the source module rejects as blank); the
  bundled extracts hold 26 of them. Assigning ``BIKE`` to ``other_calls`` is a judgment:
  what the group holds is UNCONFIRMED.
* ``seattle_csr``: the request types listed in ``etl/sample_data/seattle/FORMATS.md`` §2d.
  The portal has about 47 request types (``FORMATS.md`` mentions "5 of 47"), so a real
  export will stop the run, naming every unlisted type, until each is added here (by
  design). ``Illegal Dumping`` (older label) and ``Illegal Dumping / Needles`` both feed
  ``illegal_dumping_needles``; ``Abandoned Vehicle`` and its 2021 successor
  ``Abandoned Vehicle/72hr Parking Ordinance`` both feed ``abandoned_vehicle``.

An unmapped category is never dropped or guessed: :func:`map_categories` raises
:class:`SourceError` naming the file, the source and every unmapped category, and the run fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from etl.sources.common import SourceError, read_csv_as_text

CATEGORY_MAP_PATH = Path(__file__).with_name("category_map.csv")
COLUMNS = ("source_id", "source_category", "indicator", "indicator_label")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def load_category_map(path: Path = CATEGORY_MAP_PATH) -> pd.DataFrame:
    """The category map as a frame of strings; a malformed file raises :class:`SourceError`.

    Read afresh on every call (it is small), so a long-running worker never serves a stale map.
    """
    name = path.name
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{name}: could not read file: {exc.strerror}") from exc
    table, rejections = read_csv_as_text(content, str(path))
    if rejections:
        first = rejections[0]
        raise SourceError(f"{name}, line {first.row_number}: {first.reason}")
    if tuple(table.columns) != COLUMNS:
        raise SourceError(f"{name}: the columns must be {', '.join(COLUMNS)}")
    for column in COLUMNS:
        for line, value in table[column].items():
            if not value or value != value.strip() or "  " in value:
                raise SourceError(
                    f"{name}, line {line}: {column} {value!r} is blank or badly spaced"
                )
    for column in ("source_id", "indicator"):
        for line, value in table[column].items():
            if not IDENTIFIER.fullmatch(value):
                raise SourceError(f"{name}, line {line}: {column} {value!r} is not snake_case")
    keys = list(zip(table["source_id"], table["source_category"], strict=True))
    repeated = table.index[pd.Series(keys, index=table.index).duplicated()]
    if len(repeated):
        raise SourceError(f"{name}, line {repeated[0]}: repeats a source_id and source_category")
    if keys != sorted(keys):
        raise SourceError(f"{name}: rows must be sorted by source_id, then source_category")
    labels = table.groupby("indicator")["indicator_label"].nunique()
    if (labels > 1).any():
        indicator = labels.index[labels > 1][0]
        raise SourceError(f"{name}: indicator {indicator!r} has more than one indicator_label")
    return table.reset_index(drop=True)


def map_categories(frame: pd.DataFrame, source_id: str, file_name: str) -> pd.Series:
    """The indicator of each row of ``frame["source_category"]`` (same index).

    Raises :class:`SourceError` naming ``file_name``, the source and every category that
    ``category_map.csv`` does not list for ``source_id``, with its number of rows.
    """
    table = load_category_map()
    rows = table[table["source_id"] == source_id]
    lookup = dict(zip(rows["source_category"], rows["indicator"], strict=True))
    indicators = frame["source_category"].map(lookup)
    missing = indicators.isna()
    if missing.any():
        counts = frame.loc[missing, "source_category"].astype(str).value_counts().sort_index()
        listed = "; ".join(
            f"{category!r} ({count} row{'s' if count != 1 else ''})"
            for category, count in counts.items()
        )
        raise SourceError(
            f"{file_name}: source {source_id}: {len(counts)} categor"
            f"{'y' if len(counts) == 1 else 'ies'} not in {CATEGORY_MAP_PATH.name}: {listed}. "
            "Add each with its indicator before the data can be published."
        )
    return indicators.astype(str).rename("indicator")


def map_categorical(values: pd.Series, source_id: str, file_name: str) -> pd.Series:
    """:func:`map_categories` of one column, by its categories when it is categorical.

    Looking each category up once, not each row, keeps millions of rows at a byte or two
    each, never as text: the result is categorical, its categories the indicators in name
    order (so grouping by it orders as grouping the text would). Values and errors are
    those of :func:`map_categories`, which maps any other column (or one with a blank).
    """
    codes = values.cat.codes.to_numpy() if isinstance(values.dtype, pd.CategoricalDtype) else None
    if codes is None or (codes < 0).any():
        rows = pd.DataFrame({"source_category": values}, index=values.index)
        return map_categories(rows, source_id, file_name)
    present = np.unique(codes)
    found = pd.DataFrame({"source_category": values.cat.categories[present]})
    try:
        mapped = map_categories(found, source_id, file_name).tolist()
    except SourceError:
        # Raised again with each unmapped category's number of rows, as for any column.
        map_categories(pd.DataFrame({"source_category": values}), source_id, file_name)
        raise
    indicators = sorted(set(mapped))
    position = {indicator: number for number, indicator in enumerate(indicators)}
    new_code = np.full(len(values.cat.categories), -1, dtype=codes.dtype)  # fewer indicators
    new_code[present] = [position[indicator] for indicator in mapped]
    mapped_values = pd.Categorical.from_codes(new_code[codes], categories=pd.Index(indicators))
    return pd.Series(mapped_values, index=values.index, name="indicator")
