"""A Dash component tree as HTML: the page a reader gets before (or without) JavaScript.

The served HTML of every page holds its default view, written from the same component tree
that Dash then renders in the browser (:mod:`dashboard.page_html`): headings, key figures,
summaries, data tables and each chart as the static SVG rendered when the data were
published (:mod:`dashboard.static_charts`). The markup mirrors what the browser renders
for each component (Dash's ``html`` components are their tags; the few ``dcc`` and
dash-bootstrap-components used here are written as the elements they render), so the
first paint is the real page and nothing moves when the interactive page replaces it.

Pure functions: no request, no database.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc
from dash.development.base_component import Component

# React prop names that differ from their HTML attribute.
ATTRIBUTE_NAMES = {
    "className": "class",
    "htmlFor": "for",
    "tabIndex": "tabindex",
    "dateTime": "datetime",
    "colSpan": "colspan",
    "rowSpan": "rowspan",
    "readOnly": "readonly",
    "accessKey": "accesskey",
    "contentEditable": "contenteditable",
    "spellCheck": "spellcheck",
    "autoComplete": "autocomplete",
    "crossOrigin": "crossorigin",
    "maxLength": "maxlength",
    "minLength": "minlength",
    "srcSet": "srcset",
    "useMap": "usemap",
    "referrerPolicy": "referrerpolicy",
}
# Props Dash keeps for itself; never attributes.
DASH_PROPS = frozenset(
    {
        "children",
        "style",
        "n_clicks",
        "n_clicks_timestamp",
        "loading_state",
        "disable_n_clicks",
        "key",
        "setProps",
        "n_blur",
        "n_blur_timestamp",
        "n_submit",
        "n_submit_timestamp",
        "persistence",
        "persisted_props",
        "persistence_type",
    }
)
BOOLEAN_ATTRIBUTES = frozenset(
    {"open", "hidden", "disabled", "readonly", "checked", "selected", "required", "multiple"}
)
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# CSS properties React writes without "px" when given a number.
UNITLESS = frozenset(
    {
        "opacity",
        "zIndex",
        "fontWeight",
        "lineHeight",
        "flex",
        "flexGrow",
        "flexShrink",
        "order",
        "zoom",
        "columnCount",
        "fillOpacity",
        "strokeOpacity",
    }
)
DEFAULT_GRAPH_HEIGHT = 450  # plotly.js's default when a figure sets none

# A chart as static markup: given the graph component, its figure's SVG (or None).
ChartMarkup = Callable[[dcc.Graph], str | None]


def escape(text: object) -> str:
    return html_text.escape(str(text), quote=True)


def css(style: Mapping[str, object] | None) -> str:
    """A React style object as a CSS declaration list (``fontSize: 12`` -> ``font-size:12px``)."""
    if not style:
        return ""
    parts = []
    for name, value in style.items():
        if value is None or value == "":
            continue
        prop = re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()
        if isinstance(value, int | float) and not isinstance(value, bool) and name not in UNITLESS:
            text = f"{value}px" if value != 0 else "0"
        else:
            text = str(value)
        parts.append(f"{prop}:{text}")
    return ";".join(parts)


def attributes(props: Mapping[str, object], extra_class: str = "") -> str:
    """HTML attributes from component props (ids, classes, ARIA, data-*, the rest as named)."""
    out: list[str] = []
    classes = " ".join(c for c in (extra_class, str(props.get("className") or "")) if c)
    for name, value in props.items():
        if name in DASH_PROPS or name == "className" or value is None:
            continue
        attribute = ATTRIBUTE_NAMES.get(name, name)
        if not re.fullmatch(r"[A-Za-z_:][-A-Za-z0-9_:.]*", attribute):
            continue
        if isinstance(value, bool):
            if value and attribute.lower() in BOOLEAN_ATTRIBUTES:
                out.append(f" {attribute}")
            elif attribute.startswith(("aria-", "data-")):
                out.append(f' {attribute}="{str(value).lower()}"')
            continue
        if isinstance(value, dict | list | tuple):
            continue
        out.append(f' {attribute}="{escape(value)}"')
    if classes:
        out.insert(0, f' class="{escape(classes)}"')
    style = css(props.get("style"))  # type: ignore[arg-type]
    if style:
        out.append(f' style="{escape(style)}"')
    return "".join(out)


def _props(component: Component) -> dict[str, Any]:
    """The props set on ``component``: its declared ones, then ``aria-*`` and ``data-*``."""
    props: dict[str, Any] = {
        name: getattr(component, name)
        for name in component._prop_names  # noqa: SLF001 - Dash's own list of a component's props
        if getattr(component, name, None) is not None
    }
    for name, value in vars(component).items():
        if name.startswith(("aria-", "data-")) and value is not None:
            props[name] = value
    return props


class Renderer:
    """Writes a component tree as HTML. ``slots`` fills components (by id) whose content the
    interactive page builds on demand (a card's data table and share panel): raw HTML or a
    component. ``chart`` gives a graph's static SVG."""

    def __init__(
        self,
        chart: ChartMarkup | None = None,
        slots: Mapping[str, str | Component] | None = None,
    ) -> None:
        self.chart = chart or (lambda _graph: None)
        self.slots = slots or {}

    def render(self, node: object) -> str:
        if node is None or isinstance(node, bool):
            return ""
        if isinstance(node, str | int | float):
            return escape(node)
        if isinstance(node, list | tuple):
            return "".join(self.render(child) for child in node)
        if not isinstance(node, Component):
            raise TypeError(f"cannot render {type(node).__name__} as HTML")
        special = self._special(node)
        if special is not None:
            return special
        if node._namespace != "dash_html_components":  # noqa: SLF001
            raise TypeError(f"no HTML form for {node._namespace}.{node._type}")  # noqa: SLF001
        return self._element(node._type.lower(), node)  # noqa: SLF001

    def _children(self, node: Component) -> str:
        identifier = getattr(node, "id", None)
        if isinstance(identifier, str) and identifier in self.slots:
            slot = self.slots[identifier]
            return slot if isinstance(slot, str) else self.render(slot)
        return self.render(getattr(node, "children", None))

    def _element(self, tag: str, node: Component, extra_class: str = "") -> str:
        props = _props(node)
        if tag in VOID_ELEMENTS:
            return f"<{tag}{attributes(props, extra_class)}>"
        return f"<{tag}{attributes(props, extra_class)}>{self._children(node)}</{tag}>"

    def _special(self, node: Component) -> str | None:  # noqa: PLR0911 - one branch per type
        if isinstance(node, dcc.Store | dcc.Location):
            return ""
        if isinstance(node, dcc.Graph):
            return self._graph(node)
        if isinstance(node, dcc.Loading):
            return f'<div class="dash-loading-wrapper">{self.render(node.children)}</div>'
        if isinstance(node, dcc.Link):
            props = {k: v for k, v in _props(node).items() if k in {"id", "href", "className"}}
            return f"<a{attributes(props)}>{self.render(node.children)}</a>"
        if isinstance(node, dcc.Textarea):
            props = _props(node)
            value = props.pop("value", "")
            return f"<textarea{attributes(props)}>{escape(value or '')}</textarea>"
        if isinstance(node, dbc.Select):
            return self._select(node)
        if isinstance(node, dbc.RadioItems | dbc.Checklist):
            return self._choices(node)
        return None

    def _graph(self, node: dcc.Graph) -> str:
        raw = getattr(node, "figure", None)
        figure = raw if isinstance(raw, dict) else _figure_dict(raw)
        height = (figure.get("layout") or {}).get("height") or DEFAULT_GRAPH_HEIGHT
        svg = self.chart(node)
        props = {k: v for k, v in _props(node).items() if k in {"id", "className", "style"}}
        inner = (
            f'<div class="ssr-chart" style="height:{int(height)}px">{svg}</div>'
            if svg
            else f'<div class="ssr-chart ssr-chart--pending" style="height:{int(height)}px"></div>'
        )
        return f"<div{attributes(props, 'dash-graph')}>{inner}</div>"

    def _select(self, node: dbc.Select) -> str:
        props = {
            k: v
            for k, v in _props(node).items()
            if k in {"id", "className", "style", "disabled", "name", "required", "title"}
        }
        options = []
        for option in _options(node):
            selected = " selected" if str(option["value"]) == str(node.value) else ""
            options.append(
                f'<option value="{escape(option["value"])}"{selected}>'
                f"{escape(option['label'])}</option>"
            )
        return f"<select{attributes(props, 'form-select')}>{''.join(options)}</select>"

    def _choices(self, node: dbc.RadioItems | dbc.Checklist) -> str:
        kind, prefix = (
            ("radio", "radioitems")
            if isinstance(node, dbc.RadioItems)
            else ("checkbox", "checklist")
        )
        chosen = node.value if isinstance(node.value, list) else [node.value]
        chosen_text = {str(v) for v in chosen if v is not None}
        inline = " form-check-inline" if getattr(node, "inline", False) else ""
        items = []
        for position, option in enumerate(_options(node)):
            item_id = f"_dbcprivate_{prefix}_{node.id}_input_{option['value']}"
            checked = " checked" if str(option["value"]) in chosen_text else ""
            items.append(
                f'<div class="form-check{inline}">'
                f'<input type="{kind}" id="{escape(item_id)}" class="form-check-input" '
                f'name="{escape(node.id)}" value="{escape(option["value"])}"{checked}'
                f' data-position="{position}">'
                f'<label class="form-check-label" for="{escape(item_id)}">'
                f"{self.render(option['label'])}</label></div>"
            )
        props = {k: v for k, v in _props(node).items() if k in {"id", "className", "style"}}
        return f"<div{attributes(props)}>{''.join(items)}</div>"


def _options(node: Component) -> list[dict[str, Any]]:
    options = getattr(node, "options", None) or []
    if isinstance(options, dict):
        return [{"label": label, "value": value} for value, label in options.items()]
    return [
        option if isinstance(option, dict) else {"label": option, "value": option}
        for option in options
    ]


def _figure_dict(figure: object) -> dict[str, Any]:
    to_dict = getattr(figure, "to_plotly_json", None)
    return to_dict() if callable(to_dict) else {}


def to_html(node: object, **options: Any) -> str:
    """``node`` (a component tree, text or a list of them) as HTML."""
    return Renderer(**options).render(node)
