"""Text that a spreadsheet would run as a formula, made inert (CSV and Excel outputs).

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is a
formula to Excel and LibreOffice, so a value copied from a source file into a quarantine
report or a download could run there (``=HYPERLINK(...)``). Such text gets a leading
apostrophe, as OWASP advises for CSV injection: it shows as written and never runs.
Pure, with nothing person-level: the site's downloads use it too.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-122.33", "+1e5") is not a formula: it stays as written.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralized(value: object) -> object:
    """``value`` as a spreadsheet shows it but never runs: text that starts like a formula
    gets a leading apostrophe (OWASP's advice for CSV injection); a plain number and
    anything else are unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell :func:`neutralized` (numbers stay numbers)."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(neutralized) for column in text})
