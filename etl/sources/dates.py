"""One date parser for every neighborhood source, in every format the portal has used.

data.seattle.gov has written the same timestamp several ways (``FORMATS.md`` §1.5 and
current exports):

* the SODA API: ISO floating timestamps, ``2020-01-25T00:58:07.000`` (also without the
  milliseconds, and with a space instead of the ``T``);
* portal CSV exports: ``01/25/2020 12:58:07 AM``, hours padded or not (``6:08:26 PM``);
* current portal CSV exports of SPD Crime Data: ``2020 Jan 25 12:58:07 AM``;
* date-only forms of each: ``01/25/2020``, ``2020-01-25``, ``2020 Jan 25``.

:func:`parse_datetimes` reads any mix of these (each value by the first format that fits);
blank or unreadable values are ``NaT``, for the source module to quarantine row by row.
:func:`format_problem` words the run's error when a file's dates are mostly in no accepted
format: that is a format problem (an export setting, a new portal layout), not a corrupt
file, and the message says so, naming the file, the column, an example value and the
formats accepted. Month names are matched in English whatever the machine's locale.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class DateFormat:
    label: str  # as shown in messages
    strptime: str  # as given to pandas (month names are turned into numbers first)
    arrow: bool = True  # Arrow's strptime reads it too (it has no %f)


FORMATS = (
    DateFormat("MM/DD/YYYY hh:mm:ss AM/PM", "%m/%d/%Y %I:%M:%S %p"),
    DateFormat("YYYY Mon DD hh:mm:ss AM/PM", "%Y %m %d %I:%M:%S %p"),
    DateFormat("YYYY-MM-DDTHH:MM:SS.fff", "%Y-%m-%dT%H:%M:%S.%f", arrow=False),
    DateFormat("YYYY-MM-DDTHH:MM:SS", "%Y-%m-%dT%H:%M:%S"),
    DateFormat("YYYY-MM-DD HH:MM:SS", "%Y-%m-%d %H:%M:%S"),
    DateFormat("MM/DD/YYYY", "%m/%d/%Y"),
    DateFormat("YYYY-MM-DD", "%Y-%m-%d"),
    DateFormat("YYYY Mon DD", "%Y %m %d"),
)
ACCEPTED = ", ".join(f.label for f in FORMATS)
# The per-row reason in quarantine reports: short, as it repeats on every bad row.
REASON = "not a date (expected MM/DD/YYYY, YYYY Mon DD or YYYY-MM-DD, with or without a time)"

MONTHS = {
    name: f"{number:02d}"
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_MONTH_NAME = re.compile(r"^(\d{4}) ([A-Za-z]{3}) (\d{1,2})\b")
_SPACES = re.compile(r"\s+")
# Below this many values pandas alone is as quick, and small files keep its exact path.
_ARROW_MIN_ROWS = 1_000


def _month_numbers(text: pd.Series) -> pd.Series:
    """``2020 Jan 25 ...`` -> ``2020 01 25 ...`` (English month names, any case)."""
    named = text.str.contains(r"\d{4} [A-Za-z]{3} |[^ -~]", regex=True)
    if not named.any():
        return text
    subset = text[named]
    ascii_only = ~subset.str.contains(r"[^ -~]", regex=True)
    parts = [subset[~ascii_only].str.replace(_MONTH_NAME, _month_number, regex=True)]
    plain = subset[ascii_only]
    for name, number in MONTHS.items():  # one vectorized pass a month, no Python per value
        plain = plain.str.replace(
            rf"^(\d{{4}}) (?i:{name}) (\d{{1,2}})\b", rf"\1 {number} \2", regex=True
        )
    parts.append(plain)
    result = text.copy()
    for part in parts:
        result.loc[part.index] = part
    return result


def _month_number(match: re.Match[str]) -> str:
    month = MONTHS.get(match.group(2).lower())
    return match.group(0) if month is None else f"{match.group(1)} {month} {match.group(3)}"


def _single_spaced(values: pd.Series) -> pd.Series:
    """Surrounding white space dropped and inner runs of it made one space."""
    text = values.astype(str).str.strip()
    messy = text.str.contains(r"[^ -~]|  ", regex=True)  # tabs, doubled or non-ASCII space
    if messy.any():
        text.loc[messy] = text[messy].str.replace(_SPACES, " ", regex=True)
    return text


# Each directive as a canonical (zero-padded, in-range) value, and its width.
_CANONICAL = {
    "%m": ("(?:0[1-9]|1[0-2])", 2),
    "%d": ("(?:0[1-9]|[12][0-9]|3[01])", 2),
    "%Y": ("(?:[0-9]{4})", 4),
    "%I": ("(?:0[1-9]|1[0-2])", 2),
    "%H": ("(?:[01][0-9]|2[0-3])", 2),
    "%M": ("(?:[0-5][0-9])", 2),
    "%S": ("(?:[0-5][0-9])", 2),
    "%p": ("(?:AM|PM)", 2),
}


def canonical_form(strptime: str) -> tuple[str, int]:
    """The regular expression of ``strptime``'s canonical texts, and where the day starts.

    A canonical text (``01/05/2020 12:58:07 AM``: every number zero-padded and in range,
    AM/PM in capitals) reads the same in Arrow's parser as in pandas', except for a day
    past the month's end (30 February), which Arrow carries into the next month; the
    day's position lets the caller catch that.
    """
    pattern, offset, day_at = "^", 0, -1
    for part in re.findall(r"%.|[^%]", strptime):
        literal = "\\." if part == "." else part  # the formats' other literals: / : - T space
        regex, width = _CANONICAL.get(part, (literal, 1))
        if part == "%d":
            day_at = offset
        pattern, offset = pattern + regex, offset + width
    return pattern + "$", day_at


def _to_datetime(text: pd.Series, date_format: DateFormat) -> pd.Series:
    """``pandas.to_datetime(text, format=..., errors="coerce")``, faster.

    Arrow's parser reads the canonical texts (:func:`canonical_form`; nearly every value
    the portal writes), keeping its result only where the day it read is the day written;
    pandas reads the rest (unpadded numbers, a lower-case "pm", 30 February, years at the
    ends of pandas' range), so every value means what pandas makes of it.
    """
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if date_format.arrow and len(text) >= _ARROW_MIN_ROWS:
        array = pa.array(text, type=pa.string())  # Arrow-backed text: no Python strings
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        pattern, day_at = canonical_form(date_format.strptime)
        stamps = pc.strptime(array, format=date_format.strptime, unit="s", error_is_null=True)
        canonical = pc.match_substring_regex(array, pattern)
        day_text = pc.utf8_slice_codeunits(array, day_at, day_at + 2)
        written_day = pc.if_else(canonical, day_text, pa.scalar(None, pa.string()))
        years = pc.year(stamps)
        checks = [
            canonical,
            pc.equal(pc.day(stamps), pc.cast(written_day, pa.int64())),
            # pandas' nanosecond timestamps span the years 1677 to 2262; near the ends, pandas.
            pc.greater(years, 1678),
            pc.less(years, 2261),
        ]
        exact_array = pc.fill_null(functools.reduce(pc.and_, checks), False)
        exact = exact_array.to_numpy(zero_copy_only=False)
        kept = pc.if_else(exact_array, stamps, pa.scalar(None, stamps.type))
        values = kept.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
        parsed.loc[exact] = values[exact]
        text = text[~exact]
    if len(text):
        parsed.loc[text.index] = in_nanosecond_range(
            pd.to_datetime(text, format=date_format.strptime, errors="coerce")
        )
    return parsed


def in_nanosecond_range(stamps: pd.Series) -> pd.Series:
    """Timestamps as ``datetime64[ns]``; a year outside 1677-2262 (``01/01/1500``) becomes
    the nearest end of that range, so the source's range rule rejects the row with its
    real reason ("before the dataset starts", "in the future") instead of a crash."""
    if stamps.dtype == "datetime64[ns]":
        return stamps
    low, high = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")
    clipped = stamps.where(stamps.isna() | (stamps >= low), low).where(
        stamps.isna() | (stamps <= high), high
    )
    return clipped.astype("datetime64[ns]")


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Every value as a timestamp, by the first of :data:`FORMATS` that reads it; else NaT.

    Surrounding spaces and repeated inner spaces are ignored; a blank value is NaT.
    """
    text = _month_numbers(_single_spaced(values))
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for date_format in FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        parsed.loc[todo] = _to_datetime(text[todo], date_format)
    return parsed.astype("datetime64[ns]")


def format_problem(file: str, column: str, example: str) -> str:
    """The message for a file whose ``column`` holds dates in no accepted format."""
    return (
        f"{file}: column {column!r} holds dates in a format this ETL does not read (for "
        f"example {example[:60]!r}); accepted formats: {ACCEPTED}. This is a date-format "
        "problem, not a damaged file: export with one of these formats, or add the new "
        "format to etl/sources/dates.py"
    )
