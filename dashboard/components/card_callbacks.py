"""Chart cards drawn on the server: no callback for a default view.

Each card has one *builder*: a pure function of its controls' values that returns the
card's :class:`CardParts`. :func:`card_callback` registers it, and :func:`prefill` calls it
while the page's layout is built, so the layout a browser receives (and the HTML served
before it, :mod:`dashboard.page_html`) already holds every card's figure, summary, footer
and title. The browser then fires no callback on load. Callbacks run only when a reader:

* changes a control: the view's outputs (and the table or share panel, if open);
* opens the data table: its plain-HTML markup, written into the box by ``assets/lazy.js``;
* opens the share panel: the panel for the view drawn.

``<details>`` elements do not tell Dash when they open; ``assets/lazy.js`` passes each
toggle of a ``details[data-lazy]`` to Dash (``dash_clientside.set_props``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    no_update,
)
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard.components.chart_card import CardIds, CardParts
from dashboard.components.share import share_panel, view_state

Builder = Callable[..., CardParts]
B = TypeVar("B", bound=Builder)


@dataclass(frozen=True)
class CardBuilder:
    ids: CardIds
    inputs: tuple[tuple[str, str], ...]  # (component id, property) the view depends on
    build: Builder

    @property
    def has_controls(self) -> bool:
        """Whether a reader can change the view (``id`` inputs never change)."""
        return any(prop != "id" for _component, prop in self.inputs)

    def share_content(self, parts: CardParts, values: Sequence[object]) -> Component | None:
        if parts.share is None:
            return None
        return share_panel(parts.share, parts.footer, view_state(self.inputs, values))


BUILDERS: dict[str, CardBuilder] = {}


def card_callback(ids: CardIds, *inputs: Input) -> Callable[[B], B]:
    """Register ``build(*values) -> CardParts`` as the card's builder, with its callbacks."""

    def register(build: B) -> B:
        spec = tuple((str(i.component_id), str(i.component_property)) for i in inputs)
        builder = CardBuilder(ids, spec, build)
        BUILDERS[ids.card_id] = builder
        _register_callbacks(builder, list(inputs))
        return build

    return register


def _register_callbacks(builder: CardBuilder, inputs: list[Input]) -> None:
    ids, build = builder.ids, builder.build
    states = [State(component, prop) for component, prop in builder.inputs]
    if builder.has_controls:

        @callback(
            *ids.outputs(),
            Output(ids.table_store, "data", allow_duplicate=True),
            Output(ids.share, "children", allow_duplicate=True),
            *inputs,
            State(ids.table_details, "open"),
            State(ids.share_details, "open"),
            prevent_initial_call=True,
        )
        def _view(*values: object) -> tuple[object, ...]:
            *controls, table_open, share_open = values
            parts = build(*controls)
            return (
                *parts.view(),
                parts.table_html() if table_open else None,
                builder.share_content(parts, controls) if share_open else None,
            )

    @callback(
        Output(ids.table_store, "data"),
        Input(ids.table_details, "open"),
        *states,
        prevent_initial_call=True,
    )
    def _table(is_open: object, *controls: object) -> object:
        if not is_open:
            raise PreventUpdate
        return build(*controls).table_html()

    @callback(
        Output(ids.share, "children"),
        Input(ids.share_details, "open"),
        *states,
        prevent_initial_call=True,
    )
    def _share(is_open: object, *controls: object) -> object:
        if not is_open:
            raise PreventUpdate
        return builder.share_content(build(*controls), controls)

    clientside_callback(
        ClientsideFunction(namespace="lead", function_name="fillTable"),
        Output(ids.table, "role"),
        Input(ids.table_store, "data"),
        State(ids.table, "id"),
        prevent_initial_call=True,
    )


# --- Drawing the default view into a layout ----------------------------------------------


def components_by_id(node: object) -> dict[str, Component]:
    """Every component with a string id in a layout."""
    return {identifier: component for identifier, component in _walk(node)}


def _walk(node: object) -> Iterator[tuple[str, Component]]:
    if isinstance(node, list | tuple):
        for child in node:
            yield from _walk(child)
        return
    if not isinstance(node, Component):
        return
    identifier = getattr(node, "id", None)
    if isinstance(identifier, str):
        yield identifier, node
    yield from _walk(getattr(node, "children", None))


def prefill(layout: Component) -> dict[str, str | Component]:
    """Draw every card in ``layout`` for the values its controls hold (the page's defaults,
    or a permalink's), in place. Returns what the served HTML shows inside the parts the
    interactive page builds when opened: component id -> table HTML or share panel."""
    found = components_by_id(layout)
    slots: dict[str, str | Component] = {}
    for builder in BUILDERS.values():
        ids = builder.ids
        if ids.graph not in found:
            continue
        values = _values(builder.inputs, found)
        if values is None:
            continue
        try:
            parts = builder.build(*values)
        except PreventUpdate:
            continue
        _apply(ids, parts, found)
        slots[ids.table] = parts.table_html()
        share = builder.share_content(parts, values)
        if share is None:
            _hide(found[ids.share_details])
        else:
            slots[ids.share] = share
    return slots


def _values(inputs: Sequence[tuple[str, str]], found: Mapping[str, Component]) -> list[Any] | None:
    values: list[Any] = []
    for identifier, prop in inputs:
        component = found.get(identifier)
        if component is None:
            return None
        values.append(getattr(component, prop, None))
    return values


def _apply(ids: CardIds, parts: CardParts, found: Mapping[str, Component]) -> None:
    targets = [(o.component_id, o.component_property) for o in ids.outputs()]
    for (identifier, prop), value in zip(targets, parts.view(), strict=True):
        if value is no_update:
            continue
        setattr(found[str(identifier)], str(prop), value)


def _hide(component: Component) -> None:
    style = dict(getattr(component, "style", None) or {})
    style["display"] = "none"
    component.style = style  # type: ignore[attr-defined]
