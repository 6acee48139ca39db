"""Glossary: the words the site uses, in plain language."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.glossary import GLOSSARY_PATH, TERMS

PATH = GLOSSARY_PATH
TITLE = "Glossary"
DESCRIPTION = (
    "Plain-language meanings of the words this site uses: arrest, booking, diversion, "
    "comparison group, confidence interval, withheld figures and more."
)


def layout(**_query: str) -> Component:
    entries: list[Component] = []
    for key, (name, meaning) in sorted(TERMS.items(), key=lambda item: item[1][0]):
        entries += [html.Dt(name, id=key), html.Dd(meaning)]
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(
                "What the words on this site mean. Words linked like this on other pages "
                "lead here.",
                className="lede",
            ),
            html.Dl(entries, className="glossary"),
        ],
    )
