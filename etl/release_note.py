"""The sentence that dates a program release's whole-period figures, and its reader.

Shared by the ETL (which writes it into the caveats of every whole-period program
indicator, etl.releases) and the site (which dates its footers with it). Imports nothing
person-level.
"""

from __future__ import annotations

import re
from datetime import date

# A quarter, never a day: an exact date could be someone's referral or exit date.
NOTE = (
    "Figures for the whole period count people referred to the end of {year}-Q{quarter} "
    "({month}). They are brought up to date only when no published figure would change by "
    "fewer than {threshold} people, so that comparing two versions of these figures "
    "identifies no one."
)
_PATTERN = re.compile(r"count people referred to the end of (\d{4})-Q([1-4]) ")


def note(through: date, threshold: int) -> str:
    """The sentence for a release whose whole-period figures run to ``through`` (any day
    in its last quarter)."""
    quarter = (through.month - 1) // 3 + 1
    month = date(through.year, quarter * 3, 1)
    return NOTE.format(
        year=through.year, quarter=quarter, month=f"{month:%B %Y}", threshold=threshold
    )


def through(caveats: str | None) -> date | None:
    """The last day of the quarter a whole-period release runs to, from an indicator's
    caveats (None if they do not say)."""
    found = _PATTERN.search(caveats or "")
    if not found:
        return None
    year, quarter = int(found.group(1)), int(found.group(2))
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1)
    return date.fromordinal(after.toordinal() - 1)


def period_text(period: str, caveats: str | None) -> str:
    """A footer's period with "to date" replaced by the release's own end."""
    end = through(caveats)
    if end is None or not period.endswith("to date"):
        return period
    return f"{period.removesuffix('to date')}to the end of {end:%B %Y}"
