"""De-identification helpers for person-level program records (pure functions, no I/O).

Person-level rows live only inside the ETL process. These functions turn the identifying
parts of a program extract into the coarser forms the indicators need: a keyed hash
instead of the producer's person id, month starts instead of days, age bands instead of
ages, and an allowlist of columns instead of whatever the producer sent.

Nothing here logs, and no error raised here carries a value from the data in its message:
messages name the argument and the rule only, so they are safe to show in a run report.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import numpy as np
import pandas as pd

PERSON_KEY_HEX_CHARS = 16
"""Hex characters kept from the HMAC-SHA256 digest: 16 hex characters = 64 bits.

With ``n`` distinct people the chance that any two share a key is about
``n * (n - 1) / 2 / 2**64``: about 3 in 10^12 for 10,000 people, about 3 in 10^8 for
one million. :func:`etl.sources.program.read_program_extract` still checks that the keys
of an extract are unique and rejects the extract if they are not.
"""

AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 64, "55-64"),
    (65, None, "65+"),
)
UNKNOWN_AGE_BAND = "unknown"
AGE_BAND_ORDER: tuple[str, ...] = (*(band[2] for band in AGE_BANDS), UNKNOWN_AGE_BAND)

_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def person_key(person_id: str, secret: bytes) -> str:
    """A stable pseudonym for one person id: HMAC-SHA256(secret, id), first 16 hex chars.

    The id is stripped of surrounding spaces and encoded as UTF-8. The same id and secret
    always give the same key; a different secret gives unrelated keys, and without the
    secret a key cannot be recomputed from a guessed id (unlike a plain hash, which can be
    reversed by hashing every plausible id). Collision odds: see
    :data:`PERSON_KEY_HEX_CHARS`.

    Raises ``ValueError`` (without the id in the message) if the id is blank or the
    secret is empty.
    """
    if not secret:
        raise ValueError("the secret for the keyed hash is empty")
    text = person_id.strip()
    if not text:
        raise ValueError("person_id is blank")
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:PERSON_KEY_HEX_CHARS]


def pseudonymise(person_ids: pd.Series, secret: bytes) -> pd.Series:
    """:func:`person_key` of every id in a Series of strings; same index, string dtype.

    Each distinct id is hashed once (an extract repeats ids across many event rows).
    Raises ``ValueError`` (no value in the message) if any id is blank or missing.
    """
    text = person_ids.astype("string").str.strip()
    if text.isna().any() or (text == "").any():
        raise ValueError("person_id is blank in at least one row")
    keys = {person_id: person_key(person_id, secret) for person_id in text.unique()}
    return pd.Series([keys[person_id] for person_id in text], index=person_ids.index, dtype=str)


def month_start(dates: pd.Series) -> pd.Series:
    """The first day of each date's calendar month, as ``datetime64[ns]`` at midnight.

    ``NaT`` stays ``NaT``. Time of day and time zone are ignored (a tz-aware input is
    converted to local wall time by dropping the zone). Same index as the input.
    """
    stamps = pd.Series(pd.to_datetime(dates), index=dates.index)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    starts = stamps.dt.to_period("M").dt.to_timestamp()
    return pd.Series(starts, index=dates.index).astype("datetime64[ns]")


def age_band(age: pd.Series) -> pd.Series:
    """Age in whole years -> band label: 18-24, 25-34, 35-44, 45-54, 55-64, 65+.

    Ages below 18, missing ages and non-numeric values give ``"unknown"`` (an adult
    program: an age under 18 is a data error, not a band to publish). Fractional ages are
    floored (44.9 is 44). Returns strings (dtype object), same index.
    """
    numbers = pd.to_numeric(age, errors="coerce").astype(float)
    edges = [float(band[0]) for band in AGE_BANDS] + [np.inf]
    labels = [band[2] for band in AGE_BANDS]
    bands = pd.cut(numbers, bins=edges, right=False, labels=labels)
    return pd.Series(bands.astype(object), index=age.index).fillna(UNKNOWN_AGE_BAND).astype(str)


def age_at(birth_year: pd.Series, on_date: pd.Series) -> pd.Series:
    """Approximate age in whole years: ``year(on_date) - birth_year`` (nullable ``Int64``).

    Only the birth year is known, so the result can be **one year too high** (for someone
    whose birthday falls after ``on_date`` in that year) and is never too low: the true
    age is the result or the result minus one. Missing year or date gives ``<NA>``.
    """
    years = pd.to_numeric(birth_year, errors="coerce").astype("Float64")
    on_years = pd.to_datetime(on_date).dt.year.astype("Float64")
    return (on_years - years).round().astype("Int64")


def safe_column_label(name: str, position: int) -> str:
    """A column header as it may appear in a report: the name if it looks like one.

    A header that is not a snake_case name (lower-case letters, digits and ``_``, at most
    64 characters) may be a data row mistaken for a header (a file exported without its
    header line), so it is shown as ``column <position> (header not shown)`` instead.
    ``position`` counts from 1.
    """
    if _SNAKE_CASE.match(name):
        return name
    return f"column {position} (header not shown)"


def drop_unlisted_columns(
    frame: pd.DataFrame, allowlist: tuple[str, ...] | list[str] | frozenset[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Keep only allowlisted columns; return the kept frame and the dropped column names.

    Dropped columns are reported by name only (via :func:`safe_column_label`), in file
    order, never with any of their values. Allowlisted columns that are absent are simply
    absent from the result (checking required columns is the caller's job).
    """
    allowed = set(allowlist)
    kept = [column for column in frame.columns if column in allowed]
    dropped = [
        safe_column_label(str(column), position)
        for position, column in enumerate(frame.columns, start=1)
        if column not in allowed
    ]
    return frame.loc[:, kept].copy(), dropped
