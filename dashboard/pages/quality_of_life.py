"""Quality of life: reported offences in Belltown against comparison neighbourhoods."""

from __future__ import annotations

import re
from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, callback, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import boundaries, data, figures, summaries
from dashboard.components.chart_card import (
    CardIds,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import (
    apply_view_state,
    indicator_footer,
    published_run_or_stop,
    radio_group,
)
from dashboard.components.share import Share
from dashboard.labels import area_label, category_label, offence_phrase
from dashboard.pages import quality_of_life_areas as areas
from dashboard.pages.placeholder import not_yet_published
from dashboard.validation import choose
from etl import settings
from etl.indicators.incidents import area_slug

PATH = "/quality-of-life"
TITLE = "Quality of life"
DESCRIPTION = (
    "Reported offences in Belltown, where LEAD began in October 2011, compared with nearby "
    "neighbourhoods, from Seattle Police Department open data."
)


class Ids:
    GROUP = "qol-offense-group"
    MEASURE = "qol-measure"
    SMOOTHING = "qol-smoothing"
    AREAS = "qol-areas"
    FROM_YEAR = "qol-from-year"
    TO_YEAR = "qol-to-year"
    TREND = CardIds(
        "qol-trend",
        "Reported offences: Belltown and comparison neighbourhoods",
        "Offences reported to Seattle Police each month, by neighbourhood. "
        "The dashed line marks LEAD's start in October 2011.",
    )
    BEFORE_AFTER = CardIds(
        "qol-before-after",
        "Before and after LEAD began: Belltown compared with each comparison area",
        "12, 24 and 36 months before October 2011 against as many after; the offence group "
        "chosen above. Compares areas, not people; descriptive, not proof of cause.",
    )
    EVENT_STUDY = CardIds(
        "qol-event-study",
        "Year by year: was Belltown already changing before LEAD?",
        "Belltown relative to each comparison area in each October-to-September year, against "
        "the year before LEAD (= 1), with 95% confidence intervals and a test for a trend "
        "before LEAD.",
    )
    PLACEBO = CardIds(
        "qol-placebo",
        "False start dates: how big a change does ordinary variation give?",
        "The same before/after ratio as if LEAD had started in a month of the two years before "
        "it, beside the real one (12 months each side).",
    )
    MAP = CardIds(
        "qol-map",
        "Where offences were reported in Belltown",
        "Reports per grid cell (about 330 by 225 metres) over all months in the "
        "extract; the offence group chosen above. Exact locations are never shown.",
    )


MEASURES: dict[str, str] = {
    "count": "reported_offenses",
    "index": "reported_offenses_index",
}
MEASURE_LABELS = {"count": "Number of offences", "index": "Index (baseline year = 100)"}
DEFAULT_GROUP = "robbery"
SMOOTHING = {"month": "Each month", "rolling": "12-month average"}
NO_DATA = "No data for this period in the current extract."


def layout(**query: str) -> Component:
    """The page, its controls set from a permalink's query string when it has one."""
    return apply_view_state(page(), query)


def page() -> Component:
    run = data.published_run()
    if run is None:
        return not_yet_published(TITLE, DESCRIPTION)
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else (groups or [""])[0]
    areas = data.areas(run.run_id, MEASURES["count"])
    years = data.years(run.run_id, MEASURES["count"])
    controls = [
        _select(Ids.GROUP, "Offence group", {g: category_label(g) for g in groups}, default_group),
        radio_group(Ids.MEASURE, "Show", MEASURE_LABELS, "count"),
        radio_group(Ids.SMOOTHING, "Smoothing", SMOOTHING, "month"),
        html.Fieldset(
            className="control",
            children=[
                html.Legend("Neighbourhoods"),
                dbc.Checklist(
                    id=Ids.AREAS,
                    options=[{"label": area_label(a), "value": a} for a in areas],
                    value=areas,
                    inline=True,
                    className="radio-group",
                ),
            ],
        ),
        _select(
            Ids.FROM_YEAR, "From", {str(y): str(y) for y in years}, str(years[0]) if years else ""
        ),
        _select(
            Ids.TO_YEAR, "To", {str(y): str(y) for y in years}, str(years[-1]) if years else ""
        ),
    ]
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(DESCRIPTION, className="lede"),
            chart_card(Ids.TREND, controls=controls),
            chart_card(Ids.BEFORE_AFTER),
            chart_card(Ids.EVENT_STUDY),
            chart_card(Ids.PLACEBO),
            chart_card(
                Ids.MAP,
            ),
            *other_source_sections(run),
        ],
    )


def _select(component_id: str, label: str, options: dict[str, str], value: str) -> Component:
    return html.Div(
        className="control control--narrow" if label in ("From", "To") else "control",
        children=[
            html.Label(label, htmlFor=component_id),
            dbc.Select(
                id=component_id,
                options=[{"label": text, "value": key} for key, text in options.items()],
                value=value,
                className="select",
            ),
        ],
    )


@callback(
    *Ids.TREND.outputs(),
    Input(Ids.GROUP, "value"),
    Input(Ids.MEASURE, "value"),
    Input(Ids.SMOOTHING, "value"),
    Input(Ids.AREAS, "value"),
    Input(Ids.FROM_YEAR, "value"),
    Input(Ids.TO_YEAR, "value"),
)
def update_trend(
    group: object,
    measure: object,
    smoothing: object,
    areas: object,
    from_year: object,
    to_year: object,
) -> tuple[object, ...]:
    run = published_run_or_stop()
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    if not groups:
        raise PreventUpdate
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else groups[0]
    group_value, group_notice = choose(
        group, groups, default_group, "offence group", category_label
    )
    measure_value, measure_notice = choose(
        measure, list(MEASURES), "count", "measure", MEASURE_LABELS.__getitem__
    )
    smoothing_value, smoothing_notice = choose(
        smoothing, list(SMOOTHING), "month", "smoothing", SMOOTHING.__getitem__
    )
    known_areas = data.areas(run.run_id, MEASURES["count"])
    chosen_areas = tuple(a for a in (areas if isinstance(areas, list) else []) if a in known_areas)
    years = [str(y) for y in data.years(run.run_id, MEASURES["count"])]
    first, first_notice = choose(from_year, years, years[0], "year")
    last, last_notice = choose(to_year, years, years[-1], "year")
    if int(first) > int(last):
        first, last = last, first
    figure, summary, table, footer, fallback_notice = trend_parts(
        run, group_value, measure_value, smoothing_value, chosen_areas, int(first), int(last)
    )
    notice = (
        group_notice
        or measure_notice
        or smoothing_notice
        or first_notice
        or last_notice
        or fallback_notice
    )
    filters = {"breakdown": group_value, "from": first, "to": last}
    if chosen_areas:
        filters["area"] = ",".join(chosen_areas)
    share = Share(
        Ids.TREND.card_id,
        Ids.TREND.heading,
        (MEASURES[measure_value],),
        filters,
        "The chart shows 12-month averages of these monthly figures."
        if smoothing_value == "rolling"
        else "",
    )
    return card_parts(figure, summary, table, footer, notice, share)


@data.cache.memoize()
def trend_parts(
    run: data.PublishedRun,
    group: str,
    measure: str,
    smoothing: str = "month",
    areas: tuple[str, ...] = (),
    first_year: int = 0,
    last_year: int = 9999,
) -> tuple[object, str, Component, list[Component], str | None]:
    """The card's contents for one validated view of one run (cached: runs never change)."""
    indicator_id = MEASURES[measure]
    meta = data.indicator(run.run_id, indicator_id)
    frame = data.observations(run.run_id, indicator_id, breakdown_value=group)
    notice = None
    if meta is None or frame.empty:
        meta = data.indicator(run.run_id, MEASURES["count"])
        frame = data.observations(run.run_id, MEASURES["count"], breakdown_value=group)
        measure = "count"
        notice = "The index is not available for this offence group; showing counts."
    if meta is None:
        raise PreventUpdate
    if smoothing == "rolling":
        frame = rolling_average(frame)
    frame = frame[frame["area"].isin(areas)] if areas else frame.iloc[0:0]
    years = frame["period_start_date"].dt.year
    frame = frame[(years >= first_year) & (years <= last_year)]
    if frame.empty:
        return no_data_parts(run, meta, first_year, last_year) + (notice,)
    figure, summary, table, footer = build_trend_parts(frame, meta, run, group, measure)
    if smoothing == "rolling":
        summary = (
            "12-month averages (each point is the average of that month and the 11 before). "
            + summary
        )
    return figure, summary, table, footer, notice


def rolling_average(frame: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Each month's value replaced by the mean of it and the ``months - 1`` before it.

    A month without a full window, or whose window includes a withheld value, has no
    average (it is dropped, not shown as zero).
    """
    parts = []
    for _area, series in frame.sort_values("period_start_date").groupby("area"):
        values = series["value"].where(~series["is_suppressed"].astype(bool))
        averaged = values.rolling(months, min_periods=months).mean()
        parts.append(series.assign(value=averaged.round(2)).dropna(subset=["value"]))
    if not parts:
        return frame.iloc[0:0]
    return pd.concat(parts, ignore_index=True)


def no_data_parts(
    run: data.PublishedRun, meta: dict[str, str], first_year: int, last_year: int
) -> tuple[object, str, Component, list[Component]]:
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
) -> tuple[object, str, Component, list[Component]]:
    focus = area_slug(settings.get("FOCUS_AREA"))
    group_text = offence_phrase(group)
    lead_start = pd.Timestamp(settings.get("LEAD_START_MONTH"))
    if measure == "index":
        baseline_year = _baseline_year(meta["unit"])
        figure = figures.trend_figure(
            frame,
            focus,
            f"index ({baseline_year} = 100)",
            area_label,
            event_month=lead_start,
            event_label="LEAD begins, Oct 2011",
            reference_value=100,
        )
        summary = summaries.index_trend_summary(frame, focus, baseline_year, area_label)
        value_format = "{:,.1f}"
    else:
        figure = figures.trend_figure(
            frame,
            focus,
            "offences",
            area_label,
            event_month=lead_start,
            event_label="LEAD begins, Oct 2011",
        )
        summary = summaries.count_trend_summary(frame, focus, f"Reported {group_text}", area_label)
        value_format = "{:,.0f}"
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"{first:%B %Y} to {last:%B %Y}, by month"
    table = data_table(
        wide_table(frame, focus),
        caption=f"{meta['title']}: {category_label(group)}, {period}",
        value_format=value_format,
    )
    footer = indicator_footer(run, meta["indicator_id"], period, frame)
    return figure, summary, table, footer


def wide_table(frame: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Month rows, one column per area (focus area first), newest month first."""
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
    table = wide.reset_index()
    table.columns = ["Month", *[area_label(a) for a in order]]
    table["Month"] = table["Month"].dt.strftime("%B %Y")
    flags = withheld.reset_index(drop=True).fillna(False).astype(bool)
    flags.columns = [area_label(a) for a in order]
    table.attrs["withheld"] = flags
    return table


def _baseline_year(unit: str) -> int:
    match = re.search(r"(\d{4}) = 100", unit)
    return int(match.group(1)) if match else int(settings.get("INDEX_BASELINE_YEAR"))


# Other neighbourhood sources: (card id, indicator, title, subtitle)
OTHER_SOURCES = (
    (
        CardIds(
            "qol-legacy",
            "Reported offences in SPD's older 'Crime Data' format",
            "Offences reported each month by neighbourhood, older dataset (property crime and "
            "robbery in the bundled extract).",
        ),
        "reported_offenses_legacy",
    ),
    (
        CardIds(
            "qol-calls",
            "911 calls and officer-initiated events",
            "Events cleared each month, by clearance group (Belltown = census tracts 80.01-80.02).",
        ),
        "calls_for_service",
    ),
    (
        CardIds(
            "qol-requests",
            "Service requests (Find It, Fix It)",
            "Requests each month: illegal dumping and needles, graffiti, encampments, abandoned "
            "vehicles.",
        ),
        "service_requests",
    ),
)


def other_source_sections(run: data.PublishedRun) -> list[Component]:
    """A card per other neighbourhood source (the card says so when it has no data)."""
    sections: list[Component] = []
    for ids, indicator_id in OTHER_SOURCES:
        categories = data.breakdown_values(run.run_id, indicator_id)
        sections.append(
            chart_card(
                ids,
                controls=[
                    _select(
                        f"{ids.card_id}-category",
                        "Category",
                        {c: category_label(c) for c in categories},
                        categories[0] if categories else "",
                    )
                ],
            )
        )
    return sections


def other_source_parts(
    run: data.PublishedRun, indicator_id: str, category: str
) -> tuple[object, str, Component, list[Component]]:
    meta = data.indicator(run.run_id, indicator_id)
    if meta is None:
        footer: list[Component] = [
            html.P(
                "This source is not in the current data version, or its files cover no "
                "complete month."
            )
        ]
        return figures.empty_figure(NO_DATA), NO_DATA, html.P(NO_DATA), footer
    frame = data.observations(run.run_id, indicator_id, breakdown_value=category)
    if frame.empty:
        return no_data_parts(run, meta, 0, 0)
    focus = area_slug(settings.get("FOCUS_AREA"))
    label = category_label(category)
    figure = figures.trend_figure(frame, focus, meta["unit"], area_label)
    summary = summaries.count_trend_summary(frame, focus, f"{label} ({meta['unit']})", area_label)
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"{first:%B %Y} to {last:%B %Y}, by month"
    table = data_table(wide_table(frame, focus), caption=f"{meta['title']}: {label}, {period}")
    return figure, summary, table, indicator_footer(run, indicator_id, period, frame)


def _register_other_source_callback(ids: CardIds, indicator_id: str) -> None:
    @callback(*ids.outputs(), Input(f"{ids.card_id}-category", "value"))
    def _update(category: object) -> tuple[object, ...]:
        run = published_run_or_stop()
        categories = data.breakdown_values(run.run_id, indicator_id)
        value, notice = choose(
            category, categories, categories[0] if categories else "", "category"
        )
        share = Share(ids.card_id, ids.heading, (indicator_id,), {"breakdown": value})
        return card_parts(*other_source_parts(run, indicator_id, value), notice, share)


for _ids, _indicator_id in OTHER_SOURCES:
    _register_other_source_callback(_ids, _indicator_id)


def _group_or_default(run: data.PublishedRun, group: object) -> tuple[str, str | None]:
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else (groups or [""])[0]
    return choose(group, groups, default_group, "offence group", category_label)


def _register_group_card(
    ids: CardIds,
    indicator_ids: tuple[str, ...],
    parts: Callable[[data.PublishedRun, str], areas.Parts],
) -> None:
    """One callback per card drawn for the offence group chosen above (its rows are keyed
    "group|...", so its data links select the group's rows by prefix)."""

    @callback(*ids.outputs(), Input(Ids.GROUP, "value"))
    def _update(group: object) -> tuple[object, ...]:
        run = published_run_or_stop()
        value, notice = _group_or_default(run, group)
        share = Share(ids.card_id, ids.heading, indicator_ids, {"breakdown_prefix": f"{value}|"})
        return card_parts(*parts(run, value), notice, share)


_register_group_card(
    Ids.BEFORE_AFTER,
    (areas.BEFORE_AFTER_ID, areas.PRETREND_ID, areas.PRETREND_P_ID),
    areas.before_after_parts,
)
_register_group_card(
    Ids.EVENT_STUDY,
    (areas.EVENT_STUDY_ID, areas.PRETREND_ID, areas.PRETREND_P_ID),
    areas.event_study_parts,
)
_register_group_card(Ids.PLACEBO, (areas.PLACEBO_ID, areas.BEFORE_AFTER_ID), areas.placebo_parts)


GRID_ID = "reported_offenses_grid"


@data.cache.memoize()
def map_parts(run: data.PublishedRun, group: str) -> tuple[object, str, Component, list[Component]]:
    meta = data.indicator(run.run_id, GRID_ID)
    frame = data.observations(run.run_id, GRID_ID)
    frame = frame[frame["breakdown_value"].str.startswith(f"{group}|")]
    if meta is None or frame.empty:
        footer: list[Component] = [html.P("No located records for this offence group.")]
        return figures.empty_figure(NO_DATA), NO_DATA, html.P(NO_DATA), footer
    centres = frame["breakdown_value"].str.split("|").str[1].str.split(",", expand=True)
    frame = frame.assign(
        cell_latitude=centres[0].astype(float), cell_longitude=centres[1].astype(float)
    )
    area = boundaries.outline(settings.get("FOCUS_AREA"))
    figure = figures.grid_map_figure(frame, "reports", area)
    summary = summaries.grid_summary(
        frame, offence_phrase(group), settings.get("SUPPRESSION_THRESHOLD")
    )
    if area is not None:
        summary += f" The dashed line is the {area.mcpp.title()} SPD policing-plan area."
    ordered = frame.sort_values("value", ascending=False, na_position="last")
    table_frame = pd.DataFrame(
        {
            "Cell centre (latitude, longitude)": [
                f"{lat:.4f}, {lon:.4f}"
                for lat, lon in zip(
                    ordered["cell_latitude"], ordered["cell_longitude"], strict=True
                )
            ],
            "Reports": ordered["value"],
        }
    )
    table_frame.attrs["withheld"] = pd.DataFrame(
        {"Cell centre (latitude, longitude)": False, "Reports": ordered["is_suppressed"].to_numpy()}
    )
    table = data_table(table_frame, caption=f"{meta['title']}: {category_label(group)}")
    first = frame["period_start_date"].min()
    footer = indicator_footer(run, GRID_ID, f"from {first:%B %Y}, all months in the extract", frame)
    if area is not None:
        footer.append(html.P([html.Strong("Map outline: "), boundaries.SOURCE_NOTE]))
    return figure, summary, table, footer


_register_group_card(Ids.MAP, (GRID_ID,), map_parts)
