"""The sentence that answers "did crime go down after LEAD began?" from a trend chart's data.

It compares the 12 months before LEAD's start with the 12 months from it, for the focus area
and then each comparison area, as monthly averages. From a 12-month-average series the two
numbers are points on the chart (the month before the start and eleven months after it);
from a monthly series they are the means of the twelve months each side. A side with a
month missing or withheld is not compared (never averaged short).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from dashboard.narrative import FLAT_SHARE


def year_each_side(
    frame: pd.DataFrame, area: str, event: pd.Timestamp, rolling: bool
) -> tuple[float, float] | None:
    """(before, after) monthly averages for one area, or None when a side is incomplete."""
    rows = frame[frame["area"] == area].set_index("period_start_date")
    before_months = pd.date_range(event - pd.DateOffset(months=12), periods=12, freq="MS")
    after_months = pd.date_range(event, periods=12, freq="MS")
    # A 12-month average: its two points; monthly figures: all 24 months.
    wanted = [before_months[-1], after_months[-1]] if rolling else [*before_months, *after_months]
    if not set(wanted) <= set(rows.index):
        return None
    picked = rows.loc[wanted]
    if picked["is_suppressed"].any() or picked["value"].isna().any():
        return None
    if rolling:
        return float(picked["value"].iloc[0]), float(picked["value"].iloc[1])
    values = picked["value"].astype(float)
    return float(values.iloc[:12].mean()), float(values.iloc[12:].mean())


def _change(before: float, after: float) -> str:
    if before == 0:
        return "no change" if after == 0 else "up from zero"
    share = (after - before) / before
    if abs(share) < FLAT_SHARE:
        return "about the same"
    return f"{'up' if share > 0 else 'down'} {abs(share):.0%}"


def lead_start_sentence(
    frame: pd.DataFrame,
    focus_area: str,
    event: pd.Timestamp,
    noun: str,
    area_name: Callable[[str], str],
    rolling: bool,
) -> str:
    """``"Belltown had 5.6 robberies a month in the year before LEAD began (October 2010 to
    September 2011). In the year after, to September 2012, it had 4.9 (down 12%). Over the
    same two years, Capitol Hill went from 3.0 to 3.5 (up 17%)."`` Empty when the focus area
    lacks either year."""
    focus = year_each_side(frame, focus_area, event, rolling)
    if focus is None:
        return ""
    first = event - pd.DateOffset(months=12)
    last = event + pd.DateOffset(months=11)
    before, after = focus
    sentences = [
        f"{area_name(focus_area)} had {before:,.1f} {noun} a month in the year before LEAD "
        f"began ({first:%B %Y} to {event - pd.DateOffset(months=1):%B %Y}).",
        f"In the year after, to {last:%B %Y}, it had {after:,.1f} ({_change(before, after)}).",
    ]
    others: list[str] = []
    for area in sorted(set(frame["area"]) - {focus_area}):
        pair = year_each_side(frame, str(area), event, rolling)
        if pair is not None:
            verb = "went" if not others else ""
            others.append(
                f"{area_name(str(area))}{' ' + verb if verb else ''} from {pair[0]:,.1f} to "
                f"{pair[1]:,.1f} ({_change(*pair)})"
            )
    if others:
        joined = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
        sentences.append(f"Over the same two years, {joined}.")
    return " ".join(sentences)
