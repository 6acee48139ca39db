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

import re
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class DateFormat:
    label: str  # as shown in messages
    strptime: str  # as given to pandas (month names are turned into numbers first)


FORMATS = (
    DateFormat("MM/DD/YYYY hh:mm:ss AM/PM", "%m/%d/%Y %I:%M:%S %p"),
    DateFormat("YYYY Mon DD hh:mm:ss AM/PM", "%Y %m %d %I:%M:%S %p"),
    DateFormat("YYYY-MM-DDTHH:MM:SS.fff", "%Y-%m-%dT%H:%M:%S.%f"),
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


def _month_numbers(text: pd.Series) -> pd.Series:
    """``2020 Jan 25 ...`` -> ``2020 01 25 ...`` (English month names, any case)."""

    def number(match: re.Match[str]) -> str:
        month = MONTHS.get(match.group(2).lower())
        return match.group(0) if month is None else f"{match.group(1)} {month} {match.group(3)}"

    return text.str.replace(_MONTH_NAME, number, regex=True)


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Every value as a timestamp, by the first of :data:`FORMATS` that reads it; else NaT.

    Surrounding spaces and repeated inner spaces are ignored; a blank value is NaT.
    """
    text = _month_numbers(values.astype(str).str.strip().str.replace(r"\s+", " ", regex=True))
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for date_format in FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        parsed.loc[todo] = pd.to_datetime(text[todo], format=date_format.strptime, errors="coerce")
    return parsed.astype("datetime64[ns]")


def format_problem(file: str, column: str, example: str) -> str:
    """The message for a file whose ``column`` holds dates in no accepted format."""
    return (
        f"{file}: column {column!r} holds dates in a format this ETL does not read (for "
        f"example {example[:60]!r}); accepted formats: {ACCEPTED}. This is a date-format "
        "problem, not a damaged file: export with one of these formats, or add the new "
        "format to etl/sources/dates.py"
    )
