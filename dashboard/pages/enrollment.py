"""Enrollment page (not yet published: see the project's open issues)."""

from __future__ import annotations

from dash import html

from dashboard.pages.placeholder import not_yet_published

PATH = "/enrollment"
TITLE = "Enrollment"
DESCRIPTION = (
    "Who has been referred to LEAD, how many take part now, and for how long: referrals by "
    "month and type, active participants, and the make-up of the LEAD and comparison "
    "groups."
)


def layout(**_query: str) -> html.Div:
    return not_yet_published(TITLE, DESCRIPTION)
