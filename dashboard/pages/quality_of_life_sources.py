"""Quality of life: one card per other neighborhood source (older crime format, 911
events, service requests), each saying so when its files cover no complete month and
naming the months no file covers."""

from __future__ import annotations

from dash import Input, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import data, figures, summaries
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    CardIds,
    CardParts,
    TableContent,
    aria,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import (
    indicator_footer,
    published_run_or_stop,
    select_control,
)
from dashboard.components.share import Share
from dashboard.labels import area_label, category_label
from dashboard.pages.quality_of_life_trend import (
    DEFAULT_GROUP,
    NO_DATA,
    gap_sentence,
    missing_months,
    no_data_parts,
    wide_table,
    with_gaps,
)
from dashboard.validation import choose
from etl import settings
from etl.indicators.incidents import area_slug

# Other neighbourhood sources: (card id, indicator, title, subtitle)
OTHER_SOURCES = (
    (
        CardIds(
            "qol-legacy",
            "Reported offenses in SPD's older 'Crime Data' format",
            "Offenses reported each month by neighborhood, older dataset; the files read and "
            "what each covers are listed under Source.",
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


# What would fill an empty source card: its settings (README, "Settings").
FILL_WITH = {
    "reported_offenses_legacy": ("LEGACY_CRIME_SOURCES", "SODA_LEGACY_CRIME_DATASET"),
    "calls_for_service": ("CALLS_911_SOURCES", "SODA_CALLS_911_DATASET"),
    "service_requests": ("CSR_SOURCES", "SODA_CSR_DATASET"),
}


def other_source_sections(run: data.PublishedRun) -> list[Component]:
    """A card per other neighborhood source; a source with no data in this version is one
    line saying so, why, and what would fill it (not an empty chart)."""
    sections: list[Component] = []
    for ids, indicator_id in OTHER_SOURCES:
        categories = data.breakdown_values(run.run_id, indicator_id)
        if not categories:
            sections.append(empty_source_card(ids, indicator_id))
            continue
        sections.append(
            chart_card(
                ids,
                controls=[
                    select_control(
                        f"{ids.card_id}-category",
                        "Category",
                        {c: category_label(c) for c in categories},
                        default_category(run, indicator_id, categories),
                    )
                ],
            )
        )
    return sections


def default_category(run: data.PublishedRun, indicator_id: str, categories: list[str]) -> str:
    """The category a card opens on: robbery where the source has it (the trend card's
    group), else the one with the most records (never just the first alphabetically)."""
    if DEFAULT_GROUP in categories:
        return DEFAULT_GROUP
    frame = data.observations(run.run_id, indicator_id)
    totals = frame[frame["breakdown_value"].isin(categories)].groupby("breakdown_value")["value"]
    ranked = totals.sum().sort_values(ascending=False, kind="stable")
    return str(ranked.index[0]) if not ranked.empty else categories[0]


def empty_source_card(ids: CardIds, indicator_id: str) -> Component:
    """One line in place of an empty chart: there is no data, why, and what would fill it."""
    files, dataset = FILL_WITH[indicator_id]
    # The card's parts stay in the page, hidden and never filled (its callback stops), so
    # the callback's ids exist on every page that registers it.
    shell = chart_card(
        ids, controls=[select_control(f"{ids.card_id}-category", "Category", {}, "")]
    )
    return html.Section(
        id=ids.card_id,
        className="chart-card chart-card--empty",
        **aria(labelledby=ids.title),
        children=[
            html.H2(ids.heading, id=ids.title, className="chart-card__title"),
            html.P(
                [
                    html.Strong("No data in this data version: "),
                    "no file or live feed of this source covering a complete month for these "
                    "areas was read. It fills from an export of the City's open-data portal "
                    f"({files}) or from the portal itself ({dataset}); see “Live data” in "
                    "the README.",
                ],
                className="chart-card__empty",
            ),
            html.Div(shell.children[1:], hidden=True),
        ],
    )


def subject(label: str, unit: str) -> str:
    """The sentence's subject: "Reported robbery offenses", "Graffiti (service requests)",
    never a unit twice ("... (service requests) (requests)")."""
    if "offense" in unit:
        words = label.lower()
        return f"Reported {words if 'offense' in words else words + ' offenses'}"
    if unit.rstrip("s").lower() in label.lower():
        return label
    return f"{label} ({unit})"


def other_source_parts(
    run: data.PublishedRun, indicator_id: str, category: str
) -> tuple[object, str, TableContent, list[Component]]:
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
    figure = figures.trend_figure(with_gaps(frame), focus, meta["unit"], area_label)
    summary = summaries.count_trend_summary(frame, focus, subject(label, meta["unit"]), area_label)
    summary = " ".join(part for part in (summary, gap_sentence(missing_months(frame))) if part)
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"{first:%B %Y} to {last:%B %Y}, by month"
    table = data_table(wide_table(frame, focus), caption=f"{meta['title']}: {label}, {period}")
    return figure, summary, table, indicator_footer(run, indicator_id, period, frame)


def _register_other_source_callback(ids: CardIds, indicator_id: str) -> None:
    @card_callback(ids, Input(f"{ids.card_id}-category", "value"))
    def _update(category: object) -> CardParts:
        run = published_run_or_stop()
        categories = data.breakdown_values(run.run_id, indicator_id)
        if not categories:  # the page shows the empty-source line, not this card
            raise PreventUpdate
        value, notice = choose(
            category, categories, default_category(run, indicator_id, categories), "category"
        )
        share = Share(
            ids.card_id,
            ids.heading,
            (indicator_id,),
            {"breakdown": value},
            view=category_label(value),
        )
        return card_parts(*other_source_parts(run, indicator_id, value), notice, share)


for _ids, _indicator_id in OTHER_SOURCES:
    _register_other_source_callback(_ids, _indicator_id)
