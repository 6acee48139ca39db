"""The Quality of life trend card: monthly counts or an index, 12-month averages or yearly
totals, with months no input file covers shown as "no data" (never as zero, never bridged
by a line).

Shared with the other neighborhood-source cards (:mod:`quality_of_life_sources`), the
Briefing and the benchmarks; the callback that drives it lives with the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
from dash import html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import data, figures, summaries
from dashboard.components.chart_card import TableContent, data_table
from dashboard.components.controls import indicator_footer
from dashboard.labels import area_label, category_label, offense_phrase
from dashboard.lead_start_summary import lead_start_sentence
from etl import settings
from etl.indicators.incidents import area_slug

MEASURES: dict[str, str] = {
    "count": "reported_offenses",
    "index": "reported_offenses_index",
}
MEASURE_LABELS = {"count": "Number of offenses", "index": "Index (baseline year = 100)"}
DEFAULT_GROUP = "robbery"
SMOOTHING = {"month": "Each month", "rolling": "12-month average", "year": "Yearly totals"}
# The view the page opens on answers "did crime go down after LEAD began?": a 12-month
# average (a month's count is too noisy to read a change from), with a summary that compares
# the year before October 2011 with the year after, Belltown beside each comparison area.
DEFAULT_SMOOTHING = "rolling"
NO_DATA = "No data for this period in the current extract."
NO_DATA_CELL = "no data"


def trend_view_label(smoothing: str, measure: str) -> str:
    """The view in words, for the card's title: "12-month average of the index"."""
    what = {"month": "each month", "rolling": "12-month average", "year": "yearly totals"}
    label = what.get(smoothing, smoothing)
    return f"{label}, index" if measure == "index" else label


def yearly_id(indicator_id: str) -> str:
    """The published yearly-totals indicator of a monthly count indicator."""
    return f"{indicator_id}_yearly"


def rolling_id(indicator_id: str) -> str:
    """The published 12-month-average indicator of a monthly indicator (the ETL computes
    it, so the chart and its download hold the same numbers)."""
    return f"{indicator_id}_12mo"


@data.cache.memoize()
def trend_parts(
    run: data.PublishedRun,
    group: str,
    measure: str,
    smoothing: str = "month",
    areas: tuple[str, ...] = (),
    first_year: int = 0,
    last_year: int = 9999,
) -> tuple[object, str, TableContent, list[Component], str | None]:
    """The card's contents for one validated view of one run (cached: runs never change)."""
    notice = None
    if smoothing == "year" and measure == "index":
        notice = "Yearly totals are counts of offenses; showing counts."
    indicator_id, drawn_measure = drawn_indicator(run, group, measure, smoothing)
    if drawn_measure != measure and notice is None:
        notice = "The index is not available for this offense group; showing counts."
    measure = drawn_measure
    if smoothing == "rolling" and not indicator_id.endswith("_12mo") and notice is None:
        notice = "12-month averages are not in this data version; showing each month."
    meta = data.indicator(run.run_id, indicator_id)
    frame = data.observations(run.run_id, indicator_id, breakdown_value=group)
    if smoothing == "year" and (meta is None or frame.empty):
        return _no_yearly(run, group, measure, areas, first_year, last_year)
    if meta is None:
        raise PreventUpdate
    frame = frame[frame["area"].isin(areas)] if areas else frame.iloc[0:0]
    years = frame["period_start_date"].dt.year
    frame = frame[(years >= first_year) & (years <= last_year)]
    if frame.empty:
        return no_data_parts(run, meta, first_year, last_year) + (notice,)
    if smoothing == "year":
        monthly = _monthly_for(run, group, areas, first_year, last_year)
        return yearly_parts(frame, monthly, meta, run, group) + (notice,)
    rolling = smoothing == "rolling" and indicator_id.endswith("_12mo")
    # Yearly comparisons are of the months themselves, not of their rolling averages.
    monthly = _monthly_for(run, group, areas, first_year, last_year, MEASURES[measure])
    figure, summary, table, footer = build_trend_parts(
        frame, meta, run, group, measure, summary_frame=monthly if rolling else None
    )
    if measure == "count":
        answer = lead_start_sentence(
            frame,
            area_slug(settings.get("FOCUS_AREA")),
            pd.Timestamp(settings.get("LEAD_START_MONTH")),
            f"reported {offense_phrase(group)}",
            area_label,
            rolling,
        )
        summary = " ".join(part for part in (answer, summary) if part)
    if rolling:
        summary = "Each point is the average of that month and the 11 before. " + summary
    return figure, summary, table, footer, notice


def drawn_indicator(
    run: data.PublishedRun, group: str, measure: str, smoothing: str
) -> tuple[str, str]:
    """(indicator id, measure) a view draws, and so downloads: yearly totals are counts, and
    the index falls back to counts for a group it is not published for."""
    if smoothing == "year":
        measure = "count"
    indicator_id = shown_indicator(measure, smoothing)
    if measure == "index" and data.observations(run.run_id, indicator_id, (), group).empty:
        measure, indicator_id = "count", shown_indicator("count", smoothing)
    if smoothing == "rolling" and data.indicator(run.run_id, indicator_id) is None:
        # A data version published before 12-month averages were: its monthly figures.
        return MEASURES[measure], measure
    return indicator_id, measure


def shown_indicator(measure: str, smoothing: str) -> str:
    """The published indicator a view of the trend card draws (and downloads)."""
    monthly = MEASURES[measure]
    if smoothing == "year":
        return yearly_id(monthly)
    if smoothing == "rolling":
        return rolling_id(monthly)
    return monthly


def no_data_parts(
    run: data.PublishedRun, meta: dict[str, str], first_year: int, last_year: int
) -> tuple[object, str, TableContent, list[Component]]:
    """An honest empty card: says there is no data rather than drawing zeros."""
    figure = figures.empty_figure(NO_DATA)
    empty = pd.DataFrame({"is_suppressed": pd.Series([], dtype=bool)})
    period = f"{first_year} to {last_year}"
    footer = indicator_footer(run, meta["indicator_id"], period, empty)
    return figure, NO_DATA, html.P(NO_DATA), footer


def build_trend_parts(
    frame: pd.DataFrame,
    meta: dict[str, str],
    run: data.PublishedRun,
    group: str,
    measure: str,
    summary_frame: pd.DataFrame | None = None,
) -> tuple[object, str, TableContent, list[Component]]:
    """Figure, summary, table and footer of ``frame``; the first-and-last-year sentence is
    of ``summary_frame`` when given (the monthly figures behind a 12-month average)."""
    focus = area_slug(settings.get("FOCUS_AREA"))
    described = frame if summary_frame is None or summary_frame.empty else summary_frame
    group_text = offense_phrase(group)
    lead_start = pd.Timestamp(settings.get("LEAD_START_MONTH"))
    gaps = missing_months(frame)
    frame_with_gaps = with_gaps(frame)
    if measure == "index":
        baseline_year = _baseline_year(meta["unit"])
        figure = figures.trend_figure(
            frame_with_gaps,
            focus,
            f"index ({baseline_year} = 100)",
            area_label,
            event_month=lead_start,
            event_label="LEAD begins, Oct 2011",
            reference_value=100,
        )
        summary = summaries.index_trend_summary(described, focus, baseline_year, area_label)
        value_format = "{:,.1f}"
    else:
        figure = figures.trend_figure(
            frame_with_gaps,
            focus,
            "offenses",
            area_label,
            event_month=lead_start,
            event_label="LEAD begins, Oct 2011",
        )
        summary = summaries.count_trend_summary(
            described, focus, f"Reported {group_text}", area_label
        )
        value_format = "{:,.0f}"
    summary = " ".join(part for part in (summary, gap_sentence(gaps)) if part)
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    by = "12-month averages, by month" if meta["indicator_id"].endswith("_12mo") else "by month"
    period = f"{first:%B %Y} to {last:%B %Y}, {by}"
    table = data_table(
        wide_table(frame, focus),
        caption=f"{meta['title']}: {category_label(group)}, {period}",
        value_format=value_format,
    )
    footer = indicator_footer(run, meta["indicator_id"], period, frame)
    return figure, summary, table, footer


def wide_table(frame: pd.DataFrame, focus: str, label: str = "Month") -> pd.DataFrame:
    """Period rows (``label``: Month or Year), one column per area (focus area first),
    newest first. A period an area has no figure for (no file covers it) says "no data";
    a withheld one is flagged in ``attrs["withheld"]``."""
    wide = frame.pivot_table(
        index="period_start_date", columns="area", values="value", aggfunc="first", dropna=False
    ).sort_index(ascending=False)
    order = [focus] if focus in wide.columns else []
    order += [a for a in wide.columns if a != focus]
    wide = wide[order]
    withheld = frame.pivot_table(
        index="period_start_date", columns="area", values="is_suppressed", aggfunc="first"
    )
    withheld = withheld.reindex(index=wide.index, columns=order)
    present = frame.pivot_table(
        index="period_start_date", columns="area", values="is_suppressed", aggfunc="size"
    ).reindex(index=wide.index, columns=order)
    wide = wide.astype(object).mask(present.isna(), NO_DATA_CELL)
    table = wide.reset_index()
    table.columns = [label, *[area_label(a) for a in order]]
    table[label] = table[label].dt.strftime("%B %Y" if label == "Month" else "%Y")
    flags = withheld.reset_index(drop=True).fillna(False).astype(bool)
    flags.columns = [area_label(a) for a in order]
    table.attrs["withheld"] = flags
    return table


def _baseline_year(unit: str) -> int:
    match = re.search(r"(\d{4}) = 100", unit)
    return int(match.group(1)) if match else int(settings.get("INDEX_BASELINE_YEAR"))


# --- Months no file covers -------------------------------------------------------------------


def missing_months(frame: pd.DataFrame) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(area, first, last) for each run of months, between the frame's first and last month,
    that an area has no figure for (no input file covers it)."""
    if frame.empty:
        return []
    months = pd.date_range(
        frame["period_start_date"].min(), frame["period_start_date"].max(), freq="MS"
    )
    spans = []
    for area, rows in frame.groupby("area", sort=True):
        absent = months.difference(pd.DatetimeIndex(rows["period_start_date"]))
        run_start: pd.Timestamp | None = None
        previous: pd.Timestamp | None = None
        for month in absent:
            if previous is None or month != previous + pd.DateOffset(months=1):
                if run_start is not None and previous is not None:
                    spans.append((str(area), run_start, previous))
                run_start = month
            previous = month
        if run_start is not None and previous is not None:
            spans.append((str(area), run_start, previous))
    return spans


def with_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with an empty row (no value) for each month an area has no figure for, so a
    chart's line breaks there instead of joining the months either side."""
    rows = [
        {"area": area, "period_start_date": month, "value": float("nan"), "is_suppressed": False}
        for area, first, last in missing_months(frame)
        for month in pd.date_range(first, last, freq="MS")
    ]
    if not rows:
        return frame
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).sort_values(
        ["area", "period_start_date"], kind="stable"
    )


def gap_sentence(spans: list[tuple[str, pd.Timestamp, pd.Timestamp]]) -> str:
    """``"No data for Belltown from January 2010 to December 2017: no file read covers
    those months (see Source)."``"""
    if not spans:
        return ""
    parts = [
        f"{area_label(area)} "
        + (f"in {first:%B %Y}" if first == last else f"from {first:%B %Y} to {last:%B %Y}")
        for area, first, last in spans[:6]
    ]
    more = f" and {len(spans) - 6} more period(s)" if len(spans) > 6 else ""
    return (
        f"No data for {'; '.join(parts)}{more}: no file read for this data version covers "
        "those months (see Source), so nothing is shown there, not a zero."
    )


# --- Yearly totals ----------------------------------------------------------------------------


def _monthly_for(
    run: data.PublishedRun,
    group: str,
    areas: tuple[str, ...],
    first_year: int,
    last_year: int,
    indicator_id: str = MEASURES["count"],
) -> pd.DataFrame:
    frame = data.observations(run.run_id, indicator_id, breakdown_value=group)
    frame = frame[frame["area"].isin(areas)] if areas else frame.iloc[0:0]
    years = frame["period_start_date"].dt.year
    return frame[(years >= first_year) & (years <= last_year)]


def partial_years(monthly: pd.DataFrame) -> pd.DataFrame:
    """Area-years with some but not all 12 months published: not totaled, but named."""
    if monthly.empty:
        return pd.DataFrame(columns=["area", "year", "months", "first", "last"])
    frame = monthly.assign(year=monthly["period_start_date"].dt.year)
    per = frame.groupby(["area", "year"])["period_start_date"].agg(["size", "min", "max"])
    per = per[per["size"] < 12].reset_index()
    return per.rename(columns={"size": "months", "min": "first", "max": "last"})


def yearly_parts(
    frame: pd.DataFrame,
    monthly: pd.DataFrame,
    meta: dict[str, str],
    run: data.PublishedRun,
    group: str,
) -> tuple[object, str, TableContent, list[Component]]:
    """Yearly totals (complete years only) with each partial year named, in the chart's
    summary and as marked rows of the table."""
    focus = area_slug(settings.get("FOCUS_AREA"))
    figure = figures.trend_figure(frame, focus, "offenses a year", area_label, reference_value=None)
    summary = summaries.count_trend_summary(
        monthly, focus, f"Reported {offense_phrase(group)}", area_label
    )
    partial = partial_years(monthly)
    table_frame = wide_table(frame, focus, label="Year")
    marks = {
        (str(row.year), area_label(str(row.area))): (
            f"partial year ({row.first:%b}–{row.last:%b}, {row.months} of 12 months): not totaled"
        )
        for row in partial.itertuples()
    }
    if marks:
        summary += " " + partial_years_sentence(partial, area_label)
        table_frame = _with_partial_rows(table_frame, marks)
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"{first:%Y} to {last:%Y}, complete calendar years"
    table = data_table(table_frame, caption=f"{meta['title']}: {category_label(group)}, {period}")
    footer = indicator_footer(run, meta["indicator_id"], period, frame)
    return figure, summary, table, footer


def partial_years_sentence(partial: pd.DataFrame, area_name: Callable[[str], str]) -> str:
    """``"2021 is not totaled: it has only 8 of 12 months (Jan–Aug)."``, per year, naming the
    areas when their partial years differ."""
    sentences = []
    for year in sorted(set(partial["year"])):
        rows = partial[partial["year"] == year].sort_values("area")
        spans = [
            (str(area), int(months), f"{pd.Timestamp(first):%b}–{pd.Timestamp(last):%b}")
            for area, months, first, last in zip(
                rows["area"], rows["months"], rows["first"], rows["last"], strict=True
            )
        ]
        if len({(months, span) for _area, months, span in spans}) == 1:
            _area, months, span = spans[0]
            sentences.append(f"{year} is not totaled: it has only {months} of 12 months ({span}).")
            continue
        sentences += [
            f"{area_name(area)} {year} is not totaled: it has only {months} of 12 months ({span})."
            for area, months, span in spans
        ]
    return " ".join(sentences)


def _with_partial_rows(table: pd.DataFrame, marks: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The yearly table with each partial year's cells saying so (a row is added for a
    year no area has a total for), newest year first."""
    withheld = table.attrs.get("withheld")
    flags = (
        withheld.copy()
        if withheld is not None
        else pd.DataFrame(False, index=table.index, columns=table.columns[1:])
    )
    years = sorted({year for year, _ in marks} - set(table["Year"]))
    extra = pd.DataFrame({"Year": years, **{c: NO_DATA_CELL for c in table.columns[1:]}})
    merged = pd.concat([table, extra], ignore_index=True)
    flags = pd.concat(
        [flags, pd.DataFrame(False, index=range(len(extra)), columns=flags.columns)],
        ignore_index=True,
    )
    for (year, column), text in marks.items():
        merged.loc[merged["Year"] == year, column] = text
    order = merged["Year"].sort_values(ascending=False, kind="stable").index
    merged = merged.loc[order].reset_index(drop=True)
    merged.attrs["withheld"] = flags.loc[order].reset_index(drop=True).astype(bool)
    return merged


def _no_yearly(
    run: data.PublishedRun,
    group: str,
    measure: str,
    areas: tuple[str, ...],
    first_year: int,
    last_year: int,
) -> tuple[object, str, TableContent, list[Component], str | None]:
    """No complete year to total: say so, naming the partial years there are."""
    meta = data.indicator(run.run_id, MEASURES["count"])
    if meta is None:
        raise PreventUpdate
    figure, _summary, table, footer = no_data_parts(run, meta, first_year, last_year)
    partial = partial_years(_monthly_for(run, group, areas, first_year, last_year))
    text = "No complete calendar year to total for this selection."
    if not partial.empty:
        text += (
            " Partial years: "
            + "; ".join(
                f"{area_label(str(r.area))} {r.year} ({r.months} of 12 months)"
                for r in partial.itertuples()
            )
            + "."
        )
    return figure, text, html.P(text), footer, None
