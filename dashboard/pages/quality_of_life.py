"""Quality of life: reported offences in Belltown against comparison neighbourhoods."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, callback, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import data, figures, summaries
from dashboard.components.chart_card import (
    CardIds,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import indicator_footer, radio_group
from dashboard.labels import area_label, offense_group_label
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
    TREND = CardIds("qol-trend")


MEASURES: dict[str, str] = {
    "count": "reported_offenses",
    "index": "reported_offenses_index",
}
MEASURE_LABELS = {"count": "Number of offences", "index": "Index (baseline year = 100)"}
DEFAULT_GROUP = "ROBBERY"


def layout(**_query: str) -> Component:
    run = data.published_run()
    if run is None:
        return not_yet_published(TITLE, DESCRIPTION)
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else (groups or [""])[0]
    controls = [
        html.Div(
            className="control",
            children=[
                html.Label("Offence group", htmlFor=Ids.GROUP, id=f"{Ids.GROUP}-label"),
                dbc.Select(
                    id=Ids.GROUP,
                    options=[{"label": offense_group_label(g), "value": g} for g in groups],
                    value=default_group,
                    className="select",
                ),
            ],
        ),
        radio_group(Ids.MEASURE, "Show", MEASURE_LABELS, "count"),
    ]
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(DESCRIPTION, className="lede"),
            chart_card(
                Ids.TREND,
                title="Reported offences: Belltown and comparison neighbourhoods",
                subtitle=(
                    "Offences reported to Seattle Police each month, by neighbourhood. "
                    "The dashed line marks LEAD's start in October 2011."
                ),
                controls=controls,
            ),
        ],
    )


@callback(*Ids.TREND.outputs(), Input(Ids.GROUP, "value"), Input(Ids.MEASURE, "value"))
def update_trend(group: object, measure: object) -> tuple[object, ...]:
    run = data.published_run()
    if run is None:
        raise PreventUpdate
    groups = data.breakdown_values(run.run_id, MEASURES["count"])
    if not groups:
        raise PreventUpdate
    default_group = DEFAULT_GROUP if DEFAULT_GROUP in groups else groups[0]
    group_value, group_notice = choose(
        group, groups, default_group, "offence group", offense_group_label
    )
    measure_value, measure_notice = choose(
        measure, list(MEASURES), "count", "measure", MEASURE_LABELS.__getitem__
    )
    figure, summary, table, footer, fallback_notice = trend_parts(run, group_value, measure_value)
    return card_parts(
        figure, summary, table, footer, group_notice or measure_notice or fallback_notice
    )


@data.cache.memoize()
def trend_parts(
    run: data.PublishedRun, group: str, measure: str
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
    figure, summary, table, footer = build_trend_parts(frame, meta, run, group, measure)
    return figure, summary, table, footer, notice


def build_trend_parts(
    frame: pd.DataFrame,
    meta: dict[str, str],
    run: data.PublishedRun,
    group: str,
    measure: str,
) -> tuple[object, str, Component, list[Component]]:
    focus = area_slug(settings.get("FOCUS_AREA"))
    group_text = offense_group_label(group).lower()
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
        summary = summaries.count_trend_summary(
            frame, focus, f"Reported {group_text} offences", area_label
        )
        value_format = "{:,.0f}"
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"{first:%B %Y} to {last:%B %Y}, by month"
    table = data_table(
        wide_table(frame, focus),
        caption=f"{meta['title']}: {offense_group_label(group)}, {period}",
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
