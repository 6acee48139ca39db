"""``/embed/<card>``: one chart card alone, for an ``<iframe>`` on another site.

The card is rendered inside its own page's layout (so every control its callbacks read is
there, set from the query string like a permalink); everything else on that page is hidden
and the site's header and footer are hidden by ``assets/site.css``. A credit line links to
the full page. An unknown card is a 404 (``app_factory``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from dash import html
from dash.development.base_component import Component

from dashboard.components.card_callbacks import BUILDERS
from dashboard.components.chart_card import CARDS
from dashboard.components.share import page_path
from dashboard.pages import drug_use, enrollment, funding, quality_of_life, recidivism

PATH = "/embed"
PATH_TEMPLATE = "/embed/<card>"
TITLE = "Embedded chart"
DESCRIPTION = "One chart from the Belltown LEAD transparency dashboard, for embedding."
PAGE_LAYOUTS: dict[str, Callable[..., Component]] = {
    quality_of_life.PATH: quality_of_life.layout,
    enrollment.PATH: enrollment.layout,
    recidivism.PATH: recidivism.layout,
    drug_use.PATH: drug_use.layout,
    funding.PATH: funding.layout,
}


def is_embeddable(card: str) -> bool:
    return card in CARDS and page_path(card) in PAGE_LAYOUTS


def layout(card: str | None = None, **query: str) -> Component:
    if card is None or not is_embeddable(card):
        return html.Div(
            className="embed-page",
            children=[html.P("There is no chart with this name.", className="notice")],
        )
    path = page_path(card)
    page = PAGE_LAYOUTS[path](**query)
    _show_only(page, card)
    link = f"{path}?{urlencode(query)}#{card}" if query else f"{path}#{card}"
    return html.Div(
        className="embed-page",
        children=[
            page,
            html.P(
                [
                    "From the ",
                    html.A("Belltown LEAD transparency dashboard", href=link, target="_blank"),
                    ", where the full page, methods and data downloads are.",
                ],
                className="embed-page__credit",
            ),
        ],
    )


def _show_only(page: Component, card: str, wanted: frozenset[str] | None = None) -> None:
    """Keep the card (and any notice about the link) and, hidden, the controls elsewhere on
    the page that set this card's view (``wanted``: its builder's inputs); leave the rest
    out, so the embed builds and draws one card, not a page's worth."""
    if wanted is None:
        builder = BUILDERS.get(card)
        wanted = frozenset(i for i, _prop in builder.inputs) if builder else frozenset()
    children: list[Any] = list(getattr(page, "children", None) or [])
    kept: list[Any] = []
    for child in children:
        if not isinstance(child, Component):
            kept.append(child)
            continue
        classes = str(getattr(child, "className", "") or "")
        if getattr(child, "id", None) == card:
            _collapse_controls(child)
            kept.append(child)
            continue
        if "page-notice" in classes:
            kept.append(child)
            continue
        if _contains(child, card):
            _show_only(child, card, wanted)
            kept.append(child)
            continue
        controls = [c for c in _controls_of(child) if getattr(c, "id", None) in wanted]
        if controls:
            kept.append(html.Div(controls, style={"display": "none"}))
    if children:
        page.children = kept


def _collapse_controls(card: Component) -> None:
    """The card's controls behind one "Change the view" button, so the chart comes first."""
    children: list[Any] = list(getattr(card, "children", None) or [])
    for position, child in enumerate(children):
        if "chart-card__controls" in str(getattr(child, "className", "") or ""):
            children[position] = html.Details(
                [html.Summary("Change the view"), child], className="embed-controls"
            )
    card.children = children


def _controls_of(node: object) -> list[Component]:
    """Every input component (one with options or a value) inside ``node``."""
    if isinstance(node, list | tuple):
        return [found for child in node for found in _controls_of(child)]
    if not isinstance(node, Component):
        return []
    if getattr(node, "id", None) is not None and hasattr(node, "value"):
        return [node]
    return _controls_of(getattr(node, "children", None))


def _contains(node: object, card: str) -> bool:
    if isinstance(node, list | tuple):
        return any(_contains(child, card) for child in node)
    if not isinstance(node, Component):
        return False
    if getattr(node, "id", None) == card:
        return True
    return _contains(getattr(node, "children", None), card)
