"""Pieces every page with chart cards shares: a radio group, a card footer built from the
published indicator, and the published run (or no update)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import data
from dashboard.components.chart_card import source_footer
from etl import settings


def radio_group(component_id: str, legend: str, options: dict[str, str], value: str) -> Component:
    """Native radio buttons in a fieldset with a legend (keyboard and screen-reader ready)."""
    return html.Fieldset(
        className="control",
        children=[
            html.Legend(legend),
            dbc.RadioItems(
                id=component_id,
                options=[{"label": label, "value": key} for key, label in options.items()],
                value=value,
                inline=True,
                className="radio-group",
            ),
        ],
    )


def indicator_footer(
    run: data.PublishedRun, indicator_id: str, period: str, frame: pd.DataFrame
) -> list[Component]:
    """A card footer from the published indicator's own sources, caveats and rule."""
    meta = data.indicator(run.run_id, indicator_id)
    if meta is None:
        raise PreventUpdate
    sources = [s for s in run.sources if s.source_id in meta["source_ids"].split(",")]
    return source_footer(
        sources,
        period,
        run.finished_at,
        meta["caveats"],
        meta["suppression_rule"],
        run.run_id,
        settings.get("SUPPRESSION_THRESHOLD"),
        has_withheld=bool(frame["is_suppressed"].any()),
    )


def published_run_or_stop() -> data.PublishedRun:
    """The published run, or no update at all when nothing is published yet."""
    run = data.published_run()
    if run is None:
        raise PreventUpdate
    return run
