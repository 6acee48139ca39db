"""Each chart card's "Download, link, embed, cite" panel, built for the view just drawn.

What a journalist needs from one chart (Our World in Data's grapher is the model): the
image with its title and source line drawn in (PNG at 2x for print, SVG; web, slide and
square sizes; drawn in the browser by ``assets/share.js`` from the chart on screen plus the
texts this panel carries), exactly the rows shown as CSV/Excel/JSON (the API with the
card's filters, pinned to the data version), a link that restores the view, embed code,
and citation text.
"""

from __future__ import annotations

import html as html_text
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import data
from dashboard.api import API_PREFIX, DOWNLOAD_PREFIX
from dashboard.citation import citation_texts
from etl import settings

# Width x height in CSS pixels; PNGs are drawn at PNG_SCALE times that (for print).
IMAGE_PRESETS: dict[str, tuple[int, int]] = {
    "web": (960, 600),
    "slide": (1280, 720),
    "square": (1080, 1080),
}
PNG_SCALE = 2
PRESET_LABELS = {"web": "web", "slide": "slide, 16:9", "square": "square, for social media"}
# Which page a card lives on, by its id's prefix (permalinks point at the page).
PAGE_OF_PREFIX = {
    "qol": "/quality-of-life",
    "enr": "/enrollment",
    "rec": "/recidivism",
    "du": "/drug-use",
    "fin": "/funding",
}
FOOTER_LABELS = ("Source: ", "Period: ", "Last refreshed: ", "Privacy: ")
EMBED_HEIGHT = 1100  # the iframe's height until embed-host.js fits it to the card
# Cards measured taller than that at 720 px wide (the script fits every card regardless).
EMBED_HEIGHTS = {"rec-balance": 1900, "qol-before-after": 1700, "rec-effects": 1500}


@dataclass(frozen=True)
class Share:
    """What a card shows: its card, the indicators drawn and the API filters that select
    exactly the rows drawn (``area``, ``breakdown``, ``from``, ``to``)."""

    card_id: str
    title: str
    indicators: tuple[str, ...]
    filters: Mapping[str, str] = field(default_factory=dict)
    note: str = ""  # how the chart derives what it draws from these rows, if it does
    view: str = ""  # the selected view in words ("robbery, 12-month average"), if any

    @property
    def heading(self) -> str:
        """The card's title naming the view drawn: on the page, the image, the embed and
        the citation, so a figure never travels under another view's name."""
        return f"{self.title} — {self.view}" if self.view else self.title


def base_url() -> str:
    """The site's public address (``PUBLIC_BASE_URL``, else ``http://HOST:PORT``), never the
    request's ``Host`` header: pages and panels are cached and shared between readers."""
    return settings.public_base_url()


def page_path(card_id: str) -> str:
    return PAGE_OF_PREFIX.get(card_id.split("-", 1)[0], "/")


def view_state(inputs: Sequence[tuple[str, str]], values: Sequence[object]) -> dict[str, str]:
    """A card's control values as URL parameters (control id -> value): the view's full
    state, which a page restores from its query string. ``inputs`` are the card's
    (component id, property) pairs; only ``value`` properties are state."""
    state: dict[str, str] = {}
    for (identifier, prop), value in zip(inputs, values, strict=True):
        if prop != "value" or value is None:
            continue
        if isinstance(value, list):
            state[identifier] = ",".join(str(v) for v in value)
        elif isinstance(value, str | int | float):
            state[identifier] = str(value)
    return state


def permalink(card_id: str, state: Mapping[str, str]) -> str:
    query = f"?{urlencode(dict(state))}" if state else ""
    return f"{base_url()}{page_path(card_id)}{query}#{card_id}"


def embed_url(card_id: str, state: Mapping[str, str]) -> str:
    query = f"?{urlencode(dict(state))}" if state else ""
    return f"{base_url()}/embed/{card_id}{query}"


def embed_code(url: str, title: str, card_id: str = "") -> str:
    """The ``<iframe>`` a newsroom pastes (responsive width, titled for screen readers, at
    the card's default height), and the script that then fits the iframe to the card."""
    origin = url.split("/embed/", 1)[0]
    height = EMBED_HEIGHTS.get(card_id, EMBED_HEIGHT)
    return (
        f'<iframe src="{html_text.escape(url)}" title="{html_text.escape(title)}" '
        f'width="100%" height="{height}" style="border:0;max-width:100%" '
        f'loading="lazy"></iframe>\n<script src="{html_text.escape(origin)}'
        '/assets/embed-host.js" async></script>'
    )


def data_links(share: Share, run_id: str) -> list[tuple[str, str]]:
    """(label, URL) of the rows drawn: CSV and Excel per indicator, and the JSON API."""
    params = {**share.filters, "run": run_id}
    links: list[tuple[str, str]] = []
    several = len(share.indicators) > 1
    for indicator_id in share.indicators:
        query = urlencode(params)
        suffix = f" ({indicator_id})" if several else ""
        links += [
            (f"CSV{suffix}", f"{DOWNLOAD_PREFIX}/{indicator_id}.csv?{query}"),
            (f"Excel{suffix}", f"{DOWNLOAD_PREFIX}/{indicator_id}.xlsx?{query}"),
            (
                f"JSON{suffix}",
                f"{API_PREFIX}/observations?{urlencode({'indicator': indicator_id, **params})}",
            ),
        ]
    return links


def footer_texts(footer: Sequence[Component]) -> dict[str, str]:
    """The card footer's labeled lines ("Source: ...") as plain text, by label."""
    found: dict[str, str] = {}
    for part in footer:
        children = getattr(part, "children", None)
        if not isinstance(children, list) or not children:
            continue
        first = children[0]
        label = getattr(first, "children", None)
        if isinstance(label, str) and label in FOOTER_LABELS:
            found[label.rstrip(": ")] = "".join(_text(c) for c in children[1:]).strip()
    return found


def _text(node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


def image_footer(texts: Mapping[str, str], link: str, synthetic: bool) -> list[str]:
    """The lines drawn under an exported image: source, period and refresh, privacy, URL."""
    lines = []
    if synthetic:
        lines.append("SYNTHETIC DEMONSTRATION DATA: not real people or records.")
    lines.append(f"Source: {texts.get('Source', '–')}")
    lines.append(
        f"Period: {texts.get('Period', '–')}. Last refreshed: {texts.get('Last refreshed', '–')}"
    )
    if texts.get("Privacy"):
        lines.append(f"Privacy: {texts['Privacy']}")
    lines.append(link)
    return lines


def is_synthetic(run: data.PublishedRun, indicators: Sequence[str]) -> bool:
    """Whether any source behind these indicators is synthetic."""
    wanted: set[str] = set()
    for indicator_id in indicators:
        meta = data.indicator(run.run_id, indicator_id)
        if meta is not None:
            wanted |= set(meta["source_ids"].split(","))
    return any(s.is_synthetic for s in run.sources if s.source_id in wanted)


def share_panel(
    share: Share, footer: Sequence[Component], state: Mapping[str, str]
) -> Component | None:
    """The body of a card's "Download, link, embed or cite" panel for the view drawn (the
    ``<details>`` around it is the card's own, so the panel is built only when opened)."""
    run = data.published_run()
    if run is None:
        return None
    link = permalink(share.card_id, state)
    embed = embed_url(share.card_id, state)
    synthetic = is_synthetic(run, share.indicators)
    citations = citation_texts(share.heading, link, run, synthetic=synthetic)
    texts = footer_texts(footer)
    ids = {name: f"{share.card_id}-share-{name}" for name in ("link", "embed", "short", "full")}
    image_buttons = [
        html.Button(
            f"PNG ({PRESET_LABELS[preset]}, {w * PNG_SCALE}×{h * PNG_SCALE})",
            type="button",
            className="share-button",
            **data_attributes(export="png", preset=preset, card=share.card_id),
        )
        for preset, (w, h) in IMAGE_PRESETS.items()
    ]
    image_buttons.append(
        html.Button(
            "SVG (web)",
            type="button",
            className="share-button",
            **data_attributes(export="svg", preset="web", card=share.card_id),
        )
    )
    return html.Div(
        className="share-panel__content",
        **data_attributes(
            title=share.heading,
            footer="\n".join(image_footer(texts, link, synthetic)),
            presets=";".join(f"{k}:{w}x{h}" for k, (w, h) in IMAGE_PRESETS.items()),
            scale=str(PNG_SCALE),
        ),
        children=[
            html.H3("Image", className="share-panel__heading"),
            html.P(
                "The image includes the title, source, period, refresh time and this "
                "chart's address.",
                className="share-panel__hint",
            ),
            html.Div(image_buttons, className="share-panel__buttons"),
            html.P(className="share-panel__status", role="status"),
            html.H3("Data shown in this chart", className="share-panel__heading"),
            html.Ul(
                [
                    html.Li(html.A(label, href=url, download="", className="share-link"))
                    for label, url in data_links(share, run.run_id)
                ],
                className="share-panel__links",
            ),
            html.P(
                f"{share.note} "
                * bool(share.note)
                + "Withheld values are empty cells with is_suppressed = true; the files name "
                f"their source, license and data version ({run.run_id}). These links keep "
                "working for neighborhood figures while the version is retained (the latest "
                "20), and for program figures while it is the published version.",
                className="share-panel__hint",
            ),
            _copyable("Link to this view", ids["link"], link, multiline=False),
            _copyable(
                "Embed code",
                ids["embed"],
                embed_code(embed, share.heading, share.card_id),
                multiline=True,
            ),
            html.H3("Cite", className="share-panel__heading"),
            _copyable("Short citation", ids["short"], citations["short"], multiline=True),
            _copyable("Full citation", ids["full"], citations["full"], multiline=True),
        ],
    )


def _copyable(label: str, identifier: str, value: str, multiline: bool) -> Component:
    return html.Div(
        className="share-panel__copy",
        children=[
            html.Label(label, htmlFor=identifier),
            dcc.Textarea(
                id=identifier,
                value=value,
                readOnly=True,
                rows=3 if multiline else 2,
                className="share-field",
            ),
            html.Button(
                f"Copy {label.lower()}",
                type="button",
                className="share-button",
                **data_attributes(copy=identifier),
            ),
        ],
    )


def data_attributes(**attributes: str) -> dict[str, Any]:
    """``data_attributes(card="x")`` -> ``{"data-card": "x"}``, for ``**`` into a component."""
    return {f"data-{name}": value for name, value in attributes.items()}
