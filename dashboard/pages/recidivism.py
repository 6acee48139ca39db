"""Recidivism page (not yet published: see the project's open issues)."""

from __future__ import annotations

from dash import html

from dashboard.pages.placeholder import not_yet_published

PATH = "/recidivism"
TITLE = "Recidivism"
DESCRIPTION = (
    "Whether people referred to LEAD were arrested and charged less often than a comparable "
    "group processed as usual, with confidence intervals."
)


def layout(**_query: str) -> html.Div:
    return not_yet_published(TITLE, DESCRIPTION)
