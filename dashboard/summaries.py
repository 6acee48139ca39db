"""Plain-language sentences generated from exactly the data a chart shows.

Pure functions of DataFrames; every number in a sentence comes from the frame passed in,
never from hand-written text. They double as the charts' text alternatives.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# A change smaller than this share is described as "about the same".
FLAT_SHARE = 0.05


def complete_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Yearly totals and means per area, for calendar years with all 12 months published.

    ``frame`` needs ``area``, ``period_start_date``, ``value`` and ``is_suppressed``. A year
    with a missing or withheld month is left out rather than summed short.
    """
    usable = frame.assign(year=pd.to_datetime(frame["period_start_date"]).dt.year)
    grouped = usable.groupby(["area", "year"]).agg(
        months=("value", "size"),
        withheld=("is_suppressed", "sum"),
        total=("value", "sum"),
        mean=("value", "mean"),
    )
    complete = grouped[(grouped["months"] == 12) & (grouped["withheld"] == 0)]
    return complete.reset_index()[["area", "year", "total", "mean"]]


def describe_change(start: float, end: float, start_year: int, end_year: int) -> str:
    """``"fell from 84 in 2011 to 41 in 2014 (down 51%)"`` and the like."""
    start_text, end_text = _number(start), _number(end)
    if start == 0:
        if end == 0:
            return f"was 0 in both {start_year} and {end_year}"
        return f"rose from 0 in {start_year} to {end_text} in {end_year}"
    share = (end - start) / start
    if abs(share) < FLAT_SHARE:
        return f"stayed about the same ({start_text} in {start_year}, {end_text} in {end_year})"
    verb, word = ("rose", "up") if share > 0 else ("fell", "down")
    return (
        f"{verb} from {start_text} in {start_year} to {end_text} in {end_year} "
        f"({word} {abs(share):.0%})"
    )


def count_trend_summary(
    frame: pd.DataFrame,
    focus_area: str,
    subject: str,
    area_name: Callable[[str], str],
) -> str:
    """Sentence comparing the first and last complete years, focus area first."""
    years = complete_years(frame)
    if years.empty:
        return f"{subject}: no complete calendar year in the current extract to compare."
    first_year, last_year = int(years["year"].min()), int(years["year"].max())
    if first_year == last_year:
        parts = [
            f"{area_name(str(row.area))} {_number(_float(row.total))}"
            for row in _ordered(years, focus_area).itertuples()
        ]
        return f"{subject} in {first_year}: {', '.join(parts)}."
    totals = years[years["year"].isin([first_year, last_year])].pivot_table(
        index="area", columns="year", values="total"
    )
    sentences = []
    others = []
    for area in _ordered_areas(totals.index, focus_area):
        start = _float(totals.loc[area, first_year])
        end = _float(totals.loc[area, last_year])
        if pd.isna(start) or pd.isna(end):
            continue
        change = describe_change(start, end, first_year, last_year)
        if area == focus_area:
            sentences.append(f"{subject} in {area_name(area)} {change}.")
        else:
            others.append(f"{area_name(area)} {change}")
    if others:
        lead = "Over the same years, " if sentences else f"{subject}: "
        sentences.append(lead + _join(others) + ".")
    return " ".join(sentences)


def index_trend_summary(
    frame: pd.DataFrame,
    focus_area: str,
    baseline_year: int,
    area_name: Callable[[str], str],
) -> str:
    """Sentence on the latest complete year's average index value per area."""
    years = complete_years(frame)
    if years.empty:
        return "Index: no complete calendar year in the current extract to compare."
    last_year = int(years["year"].max())
    latest = _ordered(years[years["year"] == last_year], focus_area)
    parts = [
        f"{area_name(str(row.area))} {_number(_float(row.mean))}" for row in latest.itertuples()
    ]
    return (
        f"With each area's {baseline_year} average set to 100, the average month in "
        f"{last_year} stood at: {_join(parts)}. Above 100 means more reports than in "
        f"{baseline_year}; below 100, fewer."
    )


def _ordered(frame: pd.DataFrame, focus_area: str) -> pd.DataFrame:
    order = _ordered_areas(frame["area"], focus_area)
    return frame.set_index("area").loc[order].reset_index()


def _ordered_areas(areas: pd.Index | pd.Series, focus_area: str) -> list[str]:
    unique = sorted(set(areas))
    return [a for a in unique if a == focus_area] + [a for a in unique if a != focus_area]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _float(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}"
