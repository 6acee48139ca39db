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
from etl import release_note, settings


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
        release_note.period_text(period, meta["caveats"]),
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


# --- The view's state in the URL (permalinks) -----------------------------------------------

QUERY_VALUE_LIMIT = 200


def apply_view_state(page: Component, query: dict[str, str]) -> Component:
    """Set the page's controls from a permalink's query string (control id -> value).

    A value a control does not offer, or a parameter naming no control, is ignored and the
    page says so at the top (a visible notice, never an error page). Lists (a checklist)
    are comma-separated.
    """
    controls: dict[str, Component] = {}
    _collect_controls(page, controls)
    problems: list[str] = []
    for name, raw in query.items():
        text = str(raw)[:QUERY_VALUE_LIMIT]
        control = controls.get(name)
        if control is None:
            problems.append(f"“{name[:40]}” is not a setting of this page")
            continue
        allowed = [str(option["value"]) for option in getattr(control, "options", [])]
        if isinstance(control, dbc.Checklist):
            chosen = [v for v in text.split(",") if v]
            if chosen and all(v in allowed for v in chosen):
                control.value = chosen
                continue
        elif text in allowed:
            control.value = text  # type: ignore[attr-defined]
            continue
        problems.append(f"“{text[:60]}” is not a choice for “{name[:40]}”")
    if problems:
        notice = html.Div(
            className="notice page-notice",
            role="status",
            children=[
                html.P(
                    "This link asked for settings this page does not have, so the default "
                    "view is shown for them: " + "; ".join(problems) + "."
                )
            ],
        )
        children = list(getattr(page, "children", None) or [])
        position = 1 if children and isinstance(children[0], html.H1) else 0
        children.insert(position, notice)
        page.children = children
    return page


def _collect_controls(node: object, found: dict[str, Component]) -> None:
    if isinstance(node, list | tuple):
        for child in node:
            _collect_controls(child, found)
        return
    if not isinstance(node, Component):
        return
    identifier = getattr(node, "id", None)
    if isinstance(identifier, str) and isinstance(
        node, dbc.Select | dbc.RadioItems | dbc.Checklist
    ):
        found[identifier] = node
    _collect_controls(getattr(node, "children", None), found)


def select_control(component_id: str, label: str, options: dict[str, str], value: str) -> Component:
    """A labeled drop-down (From/To years are narrow)."""
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
