"""Pages by path: each page's layout, built whole on the server with its default view drawn.

The site does not use Dash Pages' router, which sends an empty shell and then fills the
page by a callback after the first paint. Here the layout Dash receives is the shell with
the page in it, every chart card already drawn (:func:`card_callbacks.prefill`), so the
browser fires no callback on load; and the same tree is written as the served HTML
(:mod:`dashboard.page_html`). Links between pages are plain links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

from dash.development.base_component import Component
from flask import has_request_context, request

from dashboard import i18n, layout
from dashboard.components.card_callbacks import prefill
from dashboard.pages import (
    about,
    accessibility,
    api_docs,
    briefing,
    data_page,
    drug_use,
    embed,
    enrollment,
    funding,
    glossary_page,
    methods,
    overview,
    problems,
    quality_of_life,
    recidivism,
)

SITE_NAME = "Belltown LEAD transparency dashboard"
PAGE_MODULES: tuple[ModuleType, ...] = (
    overview,
    enrollment,
    recidivism,
    drug_use,
    quality_of_life,
    data_page,
    briefing,
    methods,
    about,
    funding,
    glossary_page,
    api_docs,
    problems,
    accessibility,
)
EMBED_PREFIX = f"{embed.PATH}/"
# The query parameter that names the page when the browser asks for a layout itself
# (``/_dash-layout?page=/quality-of-life%3Fqol-measure%3Dindex``); pages served by this
# site carry their layout in the HTML and never ask.
PAGE_PARAMETER = "page"
# The reader's language (dashboard/i18n.py), on every page.
LANGUAGE_PARAMETER = "lang"


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    description: str
    build: Callable[..., Component]
    module: ModuleType

    @property
    def document_title(self) -> str:
        return f"{self.title} | {SITE_NAME}"


PAGES: dict[str, Page] = {
    module.PATH: Page(module.PATH, module.TITLE, module.DESCRIPTION, module.layout, module)
    for module in PAGE_MODULES
}
EMBED = Page(embed.PATH, embed.TITLE, embed.DESCRIPTION, embed.layout, embed)


@dataclass(frozen=True)
class PageView:
    """One page as served: the layout Dash renders and, for the served HTML, what goes
    inside the parts the interactive page builds when opened (tables, share panels)."""

    page: Page
    path: str
    layout: Component
    slots: dict[str, str | Component]
    language: i18n.Language = i18n.ENGLISH


def normal_path(path: str) -> str:
    return path.rstrip("/") or "/"


def find(path: str) -> tuple[Page, dict[str, str]] | None:
    """The page at ``path`` and its path arguments (an embed's card), or None."""
    path = normal_path(path)
    if path in PAGES:
        return PAGES[path], {}
    if path.startswith(EMBED_PREFIX):
        card = path[len(EMBED_PREFIX) :]
        if embed.is_embeddable(card):
            return EMBED, {"card": card}
    return None


def query_arguments(query_string: str) -> dict[str, str | list[str]]:
    """A query string as page arguments: one value as text, a repeated one as a list (which
    every page treats as invalid, with a notice)."""
    parsed = parse_qs(query_string, keep_blank_values=True)
    return {name: values[0] if len(values) == 1 else values for name, values in parsed.items()}


def view(path: str, query_string: str = "") -> PageView | None:
    """The page at ``path?query_string`` with every card drawn, inside the site's shell."""
    found = find(path)
    if found is None:
        return None
    page, arguments = found
    # A query parameter named like a path argument (``/embed/x?card=y``) is not a setting.
    query = {k: v for k, v in query_arguments(query_string).items() if k not in arguments}
    # The language is the site's, not the page's: an unknown one is English.
    chosen = query.pop(LANGUAGE_PARAMETER, None)
    language = i18n.by_code(chosen if isinstance(chosen, str) else None) or i18n.ENGLISH
    content = page.build(**arguments, **query)
    slots = prefill(content)
    shell = layout.shell(normal_path(path), content, language)
    return PageView(page, normal_path(path), shell, slots, language)


def serve_layout() -> Component:
    """``app.layout``: the page a request names (``?page=``), else the Overview."""
    target = "/"
    if has_request_context():
        target = request.args.get(PAGE_PARAMETER, "/")[:2000] or "/"
    parts = urlsplit(target)
    page_view = view(parts.path or "/", parts.query) or view("/")
    assert page_view is not None, "the Overview is always a page"  # noqa: S101
    return page_view.layout
