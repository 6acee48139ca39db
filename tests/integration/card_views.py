"""Every chart card as a reader gets it, without a browser: each card's callback is found in
the app's callback map, each of its controls' values in the pages' layouts, and a view is
rendered by posting to Dash's own update route, exactly as the page does."""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dash
import numpy as np
from dash._callback import GLOBAL_CALLBACK_MAP
from dash._utils import split_callback_id
from dash.development.base_component import Component
from flask.testing import FlaskClient

from dashboard.app_factory import PAGE_MODULES
from dashboard.components.card_callbacks import BUILDERS
from dashboard.components.chart_card import CardIds
from dashboard.components.share import page_path
from tests.integration.helpers import find_component, render_layout


@dataclass(frozen=True)
class Card:
    card_id: str
    inputs: tuple[tuple[str, str], ...]  # (component id, property)
    view_output: str | None  # the view callback's key in the callback map (None: no control)
    page: str


VIEW_PARTS = ("graph", "summary", "footer", "notice", "provenance", "title")


@dataclass(frozen=True)
class Control:
    default: Any
    values: tuple[Any, ...]  # every value a reader can choose (for a checklist: each alone)


def view_output(card_id: str) -> str:
    """The key of a card's view callback (a control changed) in Dash's callback map."""
    known = [*GLOBAL_CALLBACK_MAP, *dash.get_app().callback_map]
    keys = sorted({k for k in known if k.startswith(f"..{card_id}-graph.figure.")})
    assert len(keys) == 1, (card_id, keys)
    return keys[0]


def view_request(
    card_id: str, inputs: list[dict[str, Any]], opened: bool = False
) -> dict[str, Any]:
    """The request a browser sends when a reader changes a control of a card, with its
    table and share panel closed (or ``opened``)."""
    ids = CardIds(card_id)
    output = view_output(card_id)
    return {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": inputs,
        "state": [
            {"id": ids.table_details, "property": "open", "value": opened or None},
            {"id": ids.share_details, "property": "open", "value": opened or None},
        ],
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


def cards(app: dash.Dash) -> list[Card]:
    """Every chart card with a builder, its inputs and its view callback (if a reader can
    change the view)."""
    found = []
    for card_id, builder in BUILDERS.items():
        view = [key for key in app.callback_map if key.startswith(f"..{card_id}-graph.figure.")]
        found.append(Card(card_id, builder.inputs, view[0] if view else None, page_path(card_id)))
    return sorted(found, key=lambda c: c.card_id)


def _walk(node: object) -> Iterator[Component]:
    if isinstance(node, list | tuple):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, Component):
        yield node
        yield from _walk(getattr(node, "children", None))


def _option_values(options: object) -> list[Any]:
    if isinstance(options, dict):
        return list(options)
    values = []
    for option in options or []:
        values.append(option["value"] if isinstance(option, dict) else option)
    return values


def controls(app: dash.Dash) -> dict[str, Control]:
    """Every control on every page, by id: its default value and the values offered."""
    found: dict[str, Control] = {}
    with app.server.test_request_context("/"):
        for module in PAGE_MODULES:
            for component in _walk(module.layout()):
                identifier = getattr(component, "id", None)
                if not isinstance(identifier, str) or not hasattr(component, "options"):
                    continue
                values = _option_values(component.options)
                default = getattr(component, "value", None)
                if isinstance(default, list):  # a checklist: each choice alone, and all
                    choices = tuple([[v] for v in values] + [values])
                else:
                    choices = tuple(values)
                found[identifier] = Control(default, choices)
    return found


def views(card: Card, known: dict[str, Control]) -> list[dict[str, Any]]:
    """The default view, then each value of each control with the others at their default."""
    default = {
        identifier: (known[identifier].default if identifier in known else identifier)
        for identifier, _prop in card.inputs
    }
    found = [default]
    for identifier, _prop in card.inputs:
        for value in known[identifier].values if identifier in known else ():
            view = {**default, identifier: value}
            if view not in found:
                found.append(view)
    return found


def _post(
    client: FlaskClient, output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]]
) -> dict[str, Any] | None:
    request = {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    response = client.post("/_dash-update-component", json=request)
    if response.status_code == 204:  # PreventUpdate: nothing to draw
        return None
    assert response.status_code == 200, (output, inputs, response.get_data(as_text=True))
    return dict(response.get_json()["response"])


def render(client: FlaskClient, card: Card, view: dict[str, Any]) -> dict[str, Any]:
    """A card's view as a reader gets it, table and share panel opened: component id ->
    props (the table as ``{"children": <its HTML>}``). The default view of a card without
    controls comes from the page's layout, as in the browser; any other view from the
    card's callback, as when a reader changes a control."""
    ids = CardIds(card.card_id)
    values = [
        {"id": identifier, "property": prop, "value": view[identifier]}
        for identifier, prop in card.inputs
    ]
    payload: dict[str, Any] = {}
    if card.view_output is not None:
        opened = [
            {"id": ids.table_details, "property": "open", "value": True},
            {"id": ids.share_details, "property": "open", "value": True},
        ]
        answer = _post(client, card.view_output, values, opened)
        if answer is None:
            return {}
        payload.update(answer)
        table = payload.pop(ids.table_store, {}).get("data")
    else:
        layout = render_layout(client, card.page)
        for part in VIEW_PARTS:
            component = find_component(layout, f"{card.card_id}-{part}")
            if component is None:
                return {}
            payload[f"{card.card_id}-{part}"] = component["props"]
        state = values
        opened_table = {"id": ids.table_details, "property": "open", "value": True}
        opened_share = {"id": ids.share_details, "property": "open", "value": True}
        table_answer = _post(client, f"{ids.table_store}.data", [opened_table], state)
        share_answer = _post(client, f"{ids.share}.children", [opened_share], state)
        table = (table_answer or {}).get(ids.table_store, {}).get("data")
        payload[ids.share] = (share_answer or {}).get(ids.share, {"children": None})
    payload[ids.table] = {"children": table}
    return payload


def values(array: object) -> list[Any]:
    """A figure array as a list: Plotly sends numeric arrays as base64 typed arrays."""
    if array is None:
        return []
    if isinstance(array, dict) and "bdata" in array:
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        return flat.tolist()
    assert isinstance(array, list), array
    return array


def links(component: object) -> list[str]:
    """Every href in a rendered component tree (the JSON a callback returns)."""
    found: list[str] = []
    if isinstance(component, list):
        for child in component:
            found += links(child)
    elif isinstance(component, dict):
        props = component.get("props", {})
        if isinstance(props.get("href"), str):
            found.append(props["href"])
        found += links(props.get("children"))
    return found


def csv_rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.get_data(as_text=True)
    return list(
        csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if x[:1] != "#")))
    )


def finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _numeric(array: list[Any]) -> bool:
    return any(finite(v) for v in array)


def drawn_values(figure: dict[str, Any]) -> list[float]:
    """The numbers a chart plots: each trace's value axis (the numeric one when the other
    holds labels or dates; y when both are numeric, x for horizontal bars), with the ends of
    its error bars. Withheld markers (their own 0-1 axis) and map cell positions are not
    values; a map's values are its cell labels."""
    found: list[float] = []
    for trace in figure.get("data", []):
        if trace.get("yaxis") == "y9":
            continue
        name = str(trace.get("name", ""))
        if "withheld" in name or "boundary" in name:  # markers and outlines, not values
            continue
        labels = [str(t).replace(",", "") for t in trace.get("text") or []]
        if (
            "text" in str(trace.get("mode", ""))
            and labels
            and all(t.replace(".", "", 1).isdigit() for t in labels)
        ):  # a map: cells at coordinates, labelled with their values
            found += [float(t) for t in labels]
            continue
        xs, ys = values(trace.get("x")), values(trace.get("y"))
        if trace.get("orientation") == "h" or (_numeric(xs) and not _numeric(ys)):
            axis, points = "x", xs
        else:
            axis, points = "y", ys
        found += [float(v) for v in points if finite(v)]
        error = trace.get(f"error_{axis}") or {}
        if error.get("array") is not None:
            up = values(error["array"])
            down = values(error.get("arrayminus")) or up
            for value, plus, minus in zip(points, up, down, strict=False):
                if finite(value) and finite(plus) and finite(minus):
                    found += [value + plus, value - minus]
    return found


def close_to_any(value: float, pool: list[float]) -> bool:
    return any(abs(value - other) <= 1e-6 * max(1.0, abs(value)) for other in pool)


def quoted(value: float, text: str) -> bool:
    """Whether ``text`` (a card's caption and data table) shows ``value`` at some rounding."""
    forms = {f"{value:,.{d}f}" for d in range(4)} | {f"{value:.{d}f}" for d in range(4)}
    forms |= {f"{value * 100:.0f}%", f"{value * 100:.1f}%"}
    return any(form in text for form in forms)
