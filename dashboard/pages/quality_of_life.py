"""Quality of life: reported offenses in Belltown against comparison neighborhoods."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import boundaries, data, figures, summaries
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    CardIds,
    CardParts,
    TableContent,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import (
    apply_view_state,
    indicator_footer,
    published_run_or_stop,
    radio_group,
    select_control,
)
from dashboard.components.share import Share
from dashboard.labels import area_label, category_label, offense_phrase
from dashboard.pages import quality_of_life_areas as areas
from dashboard.pages.placeholder import not_yet_published
from dashboard.pages.quality_of_life_sources import other_source_sections
from dashboard.pages.quality_of_life_trend import (
    DEFAULT_GROUP,
    DEFAULT_SMOOTHING,
    MEASURE_LABELS,
    MEASURES,
    NO_DATA,
    SMOOTHING,
    drawn_indicator,
    trend_parts,
    trend_view_label,
)
from dashboard.validation import choose
from etl import settings

PATH = "/quality-of-life"
TITLE = "Quality of life"
DESCRIPTION = (
    "Reported offenses in Belltown, where LEAD began in October 2011, compared with nearby "
    "neighborhoods, from Seattle Police Department open data."
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
        "Reported offenses: Belltown and comparison neighborhoods",
        "Offenses reported to Seattle Police each month, by neighborhood. "
        "The dashed line marks LEAD's start in October 2011.",
    )
    BEFORE_AFTER = CardIds(
        "qol-before-after",
        "Before and after LEAD began: Belltown compared with each comparison area",
        "12, 24 and 36 months before October 2011 against as many after; the offense group "
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
        "Where offenses were reported in Belltown",
        "Reports per grid cell (about 330 by 225 meters) over all months in the "
        "extract; the offense group chosen above. Exact locations are never shown.",
    )


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
        select_control(
            Ids.GROUP, "Offense group", {g: category_label(g) for g in groups}, default_group
        ),
        radio_group(Ids.MEASURE, "Show", MEASURE_LABELS, "count"),
        radio_group(Ids.SMOOTHING, "Period", SMOOTHING, DEFAULT_SMOOTHING),
        html.Fieldset(
            className="control",
            children=[
                html.Legend("Neighborhoods"),
                dbc.Checklist(
                    id=Ids.AREAS,
                    options=[{"label": area_label(a), "value": a} for a in areas],
                    value=areas,
                    inline=True,
                    className="radio-group",
                ),
            ],
        ),
        select_control(
            Ids.FROM_YEAR, "From", {str(y): str(y) for y in years}, str(years[0]) if years else ""
        ),
        select_control(
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


@card_callback(
    Ids.TREND,
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
) -> CardParts:
    run = published_run_or_stop()
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    if not groups:
        raise PreventUpdate
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else groups[0]
    group_value, group_notice = choose(
        group, groups, default_group, "offense group", category_label
    )
    measure_value, measure_notice = choose(
        measure, list(MEASURES), "count", "measure", MEASURE_LABELS.__getitem__
    )
    smoothing_value, smoothing_notice = choose(
        smoothing, list(SMOOTHING), DEFAULT_SMOOTHING, "smoothing", SMOOTHING.__getitem__
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
    # The download is what the chart draws: monthly, 12-month average or yearly indicator.
    shown, _measure = drawn_indicator(run, group_value, measure_value, smoothing_value)
    view = f"{category_label(group_value)}, {trend_view_label(smoothing_value, _measure)}"
    share = Share(Ids.TREND.card_id, Ids.TREND.heading, (shown,), filters, view=view)
    return card_parts(figure, summary, table, footer, notice, share)


def _group_or_default(run: data.PublishedRun, group: object) -> tuple[str, str | None]:
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else (groups or [""])[0]
    return choose(group, groups, default_group, "offense group", category_label)


def _register_group_card(
    ids: CardIds,
    indicator_ids: tuple[str, ...],
    parts: Callable[[data.PublishedRun, str], areas.Parts],
) -> None:
    """One callback per card drawn for the offense group chosen above (its rows are keyed
    "group|...", so its data links select the group's rows by prefix)."""

    @card_callback(ids, Input(Ids.GROUP, "value"))
    def _update(group: object) -> CardParts:
        run = published_run_or_stop()
        value, notice = _group_or_default(run, group)
        share = Share(
            ids.card_id,
            ids.heading,
            indicator_ids,
            {"breakdown_prefix": f"{value}|"},
            view=category_label(value),
        )
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
def map_parts(
    run: data.PublishedRun, group: str
) -> tuple[object, str, TableContent, list[Component]]:
    meta = data.indicator(run.run_id, GRID_ID)
    frame = data.observations(run.run_id, GRID_ID)
    frame = frame[frame["breakdown_value"].str.startswith(f"{group}|")]
    if meta is None or frame.empty:
        footer: list[Component] = [html.P("No located records for this offense group.")]
        return figures.empty_figure(NO_DATA), NO_DATA, html.P(NO_DATA), footer
    centres = frame["breakdown_value"].str.split("|").str[1].str.split(",", expand=True)
    frame = frame.assign(
        cell_latitude=centres[0].astype(float), cell_longitude=centres[1].astype(float)
    )
    area = boundaries.outline(settings.get("FOCUS_AREA"))
    figure = figures.grid_map_figure(frame, "reports", area)
    summary = summaries.grid_summary(
        frame, offense_phrase(group), settings.get("SUPPRESSION_THRESHOLD")
    )
    if area is not None:
        summary += f" The dashed line is the {area.mcpp.title()} SPD policing-plan area."
    ordered = frame.sort_values("value", ascending=False, na_position="last")
    table_frame = pd.DataFrame(
        {
            "Cell center (latitude, longitude)": [
                f"{lat:.4f}, {lon:.4f}"
                for lat, lon in zip(
                    ordered["cell_latitude"], ordered["cell_longitude"], strict=True
                )
            ],
            "Reports": ordered["value"],
        }
    )
    table_frame.attrs["withheld"] = pd.DataFrame(
        {"Cell center (latitude, longitude)": False, "Reports": ordered["is_suppressed"].to_numpy()}
    )
    table = data_table(table_frame, caption=f"{meta['title']}: {category_label(group)}")
    first = frame["period_start_date"].min()
    footer = indicator_footer(run, GRID_ID, f"from {first:%B %Y}, all months in the extract", frame)
    if area is not None:
        footer.append(html.P([html.Strong("Map outline: "), boundaries.SOURCE_NOTE]))
    return figure, summary, table, footer


_register_group_card(Ids.MAP, (GRID_ID,), map_parts)
