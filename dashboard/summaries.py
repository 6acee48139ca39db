"""Plain-language sentences generated from exactly the data a chart shows.

Pure functions of DataFrames; every number in a sentence comes from the frame passed in,
never from hand-written text. They double as the charts' text alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard import narrative

# A change smaller than this share is described as "about the same".
FLAT_SHARE = narrative.FLAT_SHARE  # one meaning of 'about the same' site-wide
SMALL_COUNT = narrative.SMALL_COUNT  # below this, a count's change gets no percentage


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


def describe_change(
    start: float,
    end: float,
    start_when: object,
    end_when: object,
    prefix: str = "",
    is_count: bool = True,
) -> str:
    """``"fell from 84 in 2011 to 41 in 2014 (down 51%)"`` and the like.

    ``start_when``/``end_when`` are printed as given (a year, "Q4 2011", ...); ``prefix``
    goes before each number (e.g. ``"$"``). A count under :data:`SMALL_COUNT` at both ends
    gets no percentage ("fell from 1 to 0", never "down 100%"): a few events more or less
    would swing it.
    """
    start_text, end_text = prefix + _number(start), prefix + _number(end)
    if is_count and max(start, end) < SMALL_COUNT:
        if start == end:
            return f"was {start_text} in both {start_when} and {end_when}"
        verb = "rose" if end > start else "fell"
        return f"{verb} from {start_text} in {start_when} to {end_text} in {end_when}"
    if start == 0:
        if end == 0:
            return f"was {prefix}0 in both {start_when} and {end_when}"
        return f"rose from {prefix}0 in {start_when} to {end_text} in {end_when}"
    share = (end - start) / start
    if abs(share) < FLAT_SHARE:
        return f"stayed about the same ({start_text} in {start_when}, {end_text} in {end_when})"
    verb, word = ("rose", "up") if share > 0 else ("fell", "down")
    return (
        f"{verb} from {start_text} in {start_when} to {end_text} in {end_when} "
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
        return f"{subject}: no full calendar year of data to compare yet."
    # Each area from its own first to its own last complete year: areas covered by
    # different files (different years) are each described over the years they have.
    if (years["year"] == years["year"].iloc[0]).all():
        year = int(years["year"].iloc[0])
        parts = [
            f"{area_name(str(row.area))} had {_number(_float(row.total))}."
            for row in _ordered(years, focus_area).itertuples()
        ]
        return f"{subject} in {year}: {' '.join(parts)}"
    grouped = years.groupby("area")["year"].agg(["min", "max"])
    spans = {
        str(area): (int(low), int(high))
        for area, low, high in zip(grouped.index, grouped["min"], grouped["max"], strict=True)
    }
    totals = years.set_index(["area", "year"])["total"]
    focus_span = spans.get(focus_area)
    sentences = []
    same: list[str] = []
    different: list[str] = []
    for area in _ordered_areas(pd.Index(list(spans)), focus_area):
        first_year, last_year = spans[area]
        start = _float(totals.loc[(area, first_year)])
        end = _float(totals.loc[(area, last_year)])
        if first_year == last_year:
            change = f"{_number(start)} in {first_year}"
        else:
            change = describe_change(start, end, first_year, last_year)
        if area == focus_area:
            joiner = ": " if first_year == last_year else " "
            sentences.append(f"{subject} in {area_name(area)}{joiner}{change}.")
        elif focus_span is None or (first_year, last_year) == focus_span:
            same.append(f"{area_name(area)} {change}")
        else:
            different.append(f"{area_name(area)} {change}")
    if same:
        lead = "Over the same years, " if sentences else f"{subject}: "
        sentences.append(lead + same[0] + ".")
        sentences += [f"{part}." for part in same[1:]]
    if different:
        lead = (
            "Over the years it has data for, "
            if len(different) == 1
            else ("Over the years each has data for, ")
        )
        sentences.append(lead + different[0] + ".")
        sentences += [f"{part}." for part in different[1:]]
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
        return "Index: no full calendar year of data to compare yet."
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


WITHHELD_PHRASE = "withheld to protect privacy (fewer than {threshold} people)"


def quarter_label(value: pd.Timestamp) -> str:
    """``2011-10-01`` -> ``"Q4 2011"``."""
    return f"Q{value.quarter} {value.year}"


def flow_summary(
    totals: pd.DataFrame,
    parts: pd.DataFrame,
    what: str,
    category_name: Callable[[str], str],
    threshold: int,
    period_total: float | None = None,
) -> str:
    """``"From Q4 2011 to Q2 2014, 203 people were referred: 120 arrest diversion, ..."``.

    ``period_total`` is the period's published total where one exists (the running total's
    change): the sentence gives it, and says that the quarters shown add up to less when
    some are withheld, so a reader never meets two totals for one period unexplained.

    ``totals`` has one row per quarter (``period_start_date``, ``value``,
    ``is_suppressed``); ``parts`` the same plus ``breakdown_value``. Only published figures
    are added up, and the sentence says how many quarters were left out.
    """
    if totals.empty:
        return f"No quarters of {what} in the current extract for this selection."
    first = quarter_label(pd.Timestamp(totals["period_start_date"].min()))
    last = quarter_label(pd.Timestamp(totals["period_start_date"].max()))
    shown = totals[~totals["is_suppressed"].astype(bool)]
    withheld_quarters = len(totals) - len(shown)
    total = _number(float(shown["value"].sum()))
    if period_total is not None and withheld_quarters:
        return (
            f"From {first} to {last}, {_number(period_total)} {what} (the running total). "
            f"The totals of {withheld_quarters} of {len(totals)} quarters are "
            f"{WITHHELD_PHRASE.format(threshold=threshold)}. So the quarters shown add up to "
            f"{total}."
        )
    sentence = f"From {first} to {last}, {total} {what}"
    published_parts = parts[~parts["is_suppressed"].astype(bool)]
    published_parts = published_parts[
        published_parts["period_start_date"].isin(shown["period_start_date"])
    ]
    if not published_parts.empty and withheld_quarters == 0 and not parts["is_suppressed"].any():
        by_category = published_parts.groupby("breakdown_value")["value"].sum()
        items = [f"{_number(float(n))} {category_name(str(c))}" for c, n in by_category.items()]
        sentence += f": {_join(items)}"
    sentence += "."
    if withheld_quarters:
        sentence += (
            f" The totals of {withheld_quarters} of {len(totals)} quarters are "
            f"{WITHHELD_PHRASE.format(threshold=threshold)}. They are not included."
        )
    return sentence


def latest_value_sentence(frame: pd.DataFrame, template: str, threshold: int) -> str:
    """Fill ``template`` (``{value}``, ``{period}``) with the latest quarter's figure."""
    if frame.empty:
        return "No figure in the current extract."
    latest = frame.sort_values("period_start_date").iloc[-1]
    period = quarter_label(pd.Timestamp(latest["period_start_date"]))
    if bool(latest["is_suppressed"]):
        return f"The figure for {period} is {WITHHELD_PHRASE.format(threshold=threshold)}."
    return template.format(value=_number(float(latest["value"])), period=period)


def share_summary(
    frame: pd.DataFrame,
    dimension_words: str,
    category_name: Callable[[str], str],
    threshold: int,
) -> str:
    """Largest category of the LEAD group and the comparison group's share of it.

    ``frame`` has ``cohort``, ``category``, ``value`` (percent) and ``is_suppressed``.
    """
    lead = frame[(frame["cohort"] == "lead") & ~frame["is_suppressed"].astype(bool)]
    if lead.empty:
        return f"Figures by {dimension_words} are {WITHHELD_PHRASE.format(threshold=threshold)}."
    top = lead.sort_values(["value", "category"], ascending=[False, True]).iloc[0]
    name = category_name(str(top["category"]))
    sentence = (
        f"By {dimension_words}, the biggest group in LEAD is {name} "
        f"({_number(float(top['value']))}%)."
    )
    control = frame[(frame["cohort"] == "control") & (frame["category"] == top["category"])]
    if control.empty or bool(control["is_suppressed"].iloc[0]):
        sentence += " The comparison group's figure is withheld."
    else:
        sentence += (
            f" In the comparison group, the share is {_number(float(control['value'].iloc[0]))}%."
        )
    withheld = int(frame["is_suppressed"].astype(bool).sum())
    if withheld:
        sentence += f" {_figures(withheld)} {WITHHELD_PHRASE.format(threshold=threshold)}."
    return sentence


def _figures(count: int, noun: str = "figure") -> str:
    """``1 figure is``, ``2 figures are``."""
    return f"1 {noun} is" if count == 1 else f"{count} {noun}s are"


def change_summary(
    frame: pd.DataFrame, subject: str, prefix: str = "", is_count: bool = False
) -> str:
    """``"<subject> fell from $899 in Q4 2011 to $532 in Q4 2016 (down 41%)."``, using the
    first and last published quarters."""
    shown = frame[~frame["is_suppressed"].astype(bool)].sort_values("period_start_date")
    if len(shown) < 2:
        return f"{subject}: not enough published quarters to describe a change."
    first, last = shown.iloc[0], shown.iloc[-1]
    change = describe_change(
        float(first["value"]),
        float(last["value"]),
        quarter_label(pd.Timestamp(first["period_start_date"])),
        quarter_label(pd.Timestamp(last["period_start_date"])),
        prefix=prefix,
        is_count=is_count,
    )
    return f"{subject} {change}."


def total_with_top_category(
    total: pd.DataFrame,
    parts: pd.DataFrame,
    what: str,
    category_name: Callable[[str], str],
    threshold: int,
) -> str:
    """``"98 people left LEAD; the most common reason was completed (30)."``"""
    if total.empty:
        return f"No figures on how many {what} in the current extract."
    if bool(total["is_suppressed"].iloc[0]):
        return f"The number of {what} is {WITHHELD_PHRASE.format(threshold=threshold)}."
    sentence = f"{_number(float(total['value'].iloc[0]))} {what}"
    shown = parts[~parts["is_suppressed"].astype(bool)]
    if not shown.empty:
        top = shown.sort_values(["value", "breakdown_value"], ascending=[False, True]).iloc[0]
        sentence += (
            f"; the most common reason was {category_name(str(top['breakdown_value']))} "
            f"({_number(float(top['value']))})"
        )
    sentence += "."
    withheld = int(parts["is_suppressed"].astype(bool).sum())
    if withheld:
        sentence += (
            f" {_figures(withheld, 'reason')} {WITHHELD_PHRASE.format(threshold=threshold)}."
        )
    return sentence


def percent_change(ratio: float) -> tuple[int, str]:
    """0.4 -> (60, "lower"); 1.25 -> (25, "higher")."""
    if ratio < 1:
        return round((1 - ratio) * 100), "lower"
    return round((ratio - 1) * 100), "higher"


def _cells(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (str(r["cohort"]), str(r["period"])): {str(k): v for k, v in r.items()}
        for r in frame.to_dict("records")
    }


def before_after_summary(frame: pd.DataFrame, event: str, threshold: int) -> str:
    """``"In the six months after entry, 30% of the LEAD group were arrested, against 52% of
    the comparison group. In the six months before, it was 60% and 58%."``"""
    cells = _cells(frame)
    keys = [("lead", "after"), ("control", "after"), ("lead", "before"), ("control", "before")]
    if any(k not in cells or bool(cells[k]["is_suppressed"]) for k in keys):
        return (
            f"Some of these figures are {WITHHELD_PHRASE.format(threshold=threshold)}; see the "
            "data table for those shown."
        )
    la, ca, lb, cb = (f"{float(cells[k]['value']):.0f}%" for k in keys)
    return (
        f"In the six months after entry, {la} of the LEAD group were {event}, against {ca} of "
        f"the comparison group. In the six months before, it was {lb} and {cb}."
    )


def before_after_rate_summary(
    frame: pd.DataFrame, unit: str, threshold: int, prefix: str = ""
) -> str:
    """Before and after figures per group: ``"LEAD group: 2.1 before, 0.9 after ..."``."""
    cells = _cells(frame)
    parts = []
    for cohort, name in (("lead", "LEAD group"), ("control", "comparison group")):
        before, after = cells.get((cohort, "before")), cells.get((cohort, "after"))
        if (
            before is None
            or after is None
            or bool(before["is_suppressed"])
            or bool(after["is_suppressed"])
        ):
            parts.append(f"The {name}'s figures are withheld (fewer than {threshold} people).")
            continue
        form = "{:,.0f}" if prefix == "$" else "{:,.1f}"  # money in whole dollars
        parts.append(
            f"The {name} went from {prefix}{form.format(float(before['value']))} in the year "
            f"before entry to {prefix}{form.format(float(after['value']))} in the year after."
        )
    return f"Figures are in {unit}. {' '.join(parts)}"


def survival_summary(frame: pd.DataFrame, names: dict[str, str], threshold: int) -> str:
    """Share not yet arrested six and twelve months after entry, per group: ``"In the LEAD
    group, 62% had not been arrested 6 months after entry, and 44% after 12 months."``"""
    parts = []
    for cohort, name in names.items():
        rows = {int(r["month"]): r for r in frame[frame["cohort"] == cohort].to_dict("records")}
        shown = [m for m in (6, 12) if m in rows and not bool(rows[m]["is_suppressed"])]
        group = _group_name(name)
        if not shown:
            parts.append(
                f"The {group}'s curve is withheld (fewer than {threshold} people at risk)."
            )
            continue
        first, *rest = shown
        sentence = (
            f"In the {group}, {float(rows[first]['value']):.0f}% had not been arrested "
            f"{first} months after entry"
        )
        for m in rest:
            sentence += f", and {float(rows[m]['value']):.0f}% after {m} months"
        parts.append(sentence + ".")
    return " ".join(parts)


def _group_name(name: str) -> str:
    """``LEAD group`` and ``comparison group`` as written in a sentence."""
    words = name.split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def trajectory_summary(frame: pd.DataFrame, outcome: str, threshold: int) -> str:
    """Month before referral vs 12 (or the latest shown) months after, in short sentences.

    ``outcome`` is a verb phrase: ``"were sheltered or housed"``, ``"had income or
    benefits"``."""
    shown_frame = frame[~frame["is_suppressed"].astype(bool)]
    shown = {int(r["month"]): r for r in shown_frame.to_dict("records")}
    if -1 not in shown:
        return f"The month-before-referral figure is {WITHHELD_PHRASE.format(threshold=threshold)}."
    later = [m for m in (12, 18, 6) if m in shown]
    if not later:
        return f"Later months are {WITHHELD_PHRASE.format(threshold=threshold)}."
    month = later[0]
    before = shown[-1]
    after = shown[month]
    return (
        f"In the month before referral, {float(before['value']):.0f}% of assessed participants "
        f"{outcome}. {month} months after, {float(after['value']):.0f}% {outcome}. The likely "
        f"ranges are {float(before['lower_bound']):.0f}% to {float(before['upper_bound']):.0f}% "
        f"and {float(after['lower_bound']):.0f}% to {float(after['upper_bound']):.0f}% (95% "
        "confidence intervals)."
    )


def grid_summary(frame: pd.DataFrame, what: str, threshold: int) -> str:
    """Where the most reports were, and how many cells are withheld."""
    shown = frame[~frame["is_suppressed"].astype(bool)]
    withheld = len(frame) - len(shown)
    if shown.empty:
        return f"Every cell has fewer than {threshold} reported {what} and is withheld."
    top = shown.sort_values("value", ascending=False).iloc[0]
    total = float(shown["value"].sum())
    sentence = (
        f"Of the {_number(total)} reported {what} in cells shown, the most "
        f"({_number(float(top['value']))}) were in the cell centered at "
        f"{float(top['cell_latitude']):.4f}, {float(top['cell_longitude']):.4f}."
    )
    if withheld:
        sentence += (
            f" {withheld} of {len(frame)} cells had fewer than {threshold} reports and are "
            "withheld."
        )
    return sentence
