"""Briefing page (not yet published: see the project's open issues)."""

from __future__ import annotations

from dash import html

from dashboard.pages.placeholder import not_yet_published

PATH = "/briefing"
TITLE = "Briefing"
DESCRIPTION = (
    "A one-page, printable brief for council members: the key figures for a chosen quarter, "
    "with sources and caveats."
)


def layout(**_query: str) -> html.Div:
    return not_yet_published(TITLE, DESCRIPTION)
