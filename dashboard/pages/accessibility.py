"""Accessibility statement: the target, how it is tested, known limitations, how to report."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from etl import settings

PATH = "/accessibility"
TITLE = "Accessibility statement"
DESCRIPTION = "How this site meets WCAG 2.1 AA, how that is tested, and its known limitations."


def layout(**_query: str) -> Component:
    return html.Div(
        className="page",
        children=[
            html.H1(TITLE),
            html.P(
                "This site aims to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at "
                "level AA, the level expected of public-sector web content.",
                className="lede",
            ),
            html.H2("What we do"),
            html.Ul(
                [
                    html.Li(
                        "Every chart has a sentence saying what it shows, generated from the "
                        "same numbers, and a data table you can open with the keyboard."
                    ),
                    html.Li(
                        "Colors come from a palette that people with color-blindness can "
                        "tell apart, lines also differ by dash pattern, and text meets AA "
                        "contrast."
                    ),
                    html.Li(
                        "Everything works with a keyboard: a skip link, visible focus, native "
                        "controls (radio buttons, selects, checkboxes), and the presentation "
                        "mode of the briefing moves with the arrow keys."
                    ),
                    html.Li(
                        "Pages work on a phone without sideways scrolling, and print without "
                        "navigation."
                    ),
                ]
            ),
            html.H2("How it is tested"),
            html.P(
                "Every change is tested in a real browser (headless Chromium) before it is "
                "published: axe-core checks every page against the WCAG 2.0 and 2.1 A and AA "
                "rules, with the data tables and the download panels open; the tests also check "
                "keyboard access, the phone layout and that no page logs an error."
            ),
            html.H2("Known limitations"),
            html.Ul(
                [
                    html.Li(
                        "Charts are drawn with Plotly. Their hover labels and zoom controls are "
                        "not fully reachable by keyboard or screen reader; the summary sentence "
                        "and the data table give the same information."
                    ),
                    html.Li(
                        "Downloaded images (PNG, SVG) carry their title and source as text in "
                        "the image, but have no text alternative of their own: use the CSV or "
                        "the summary sentence alongside them."
                    ),
                    html.Li(
                        "The briefing PDF is a printed page: it is not a tagged PDF, so screen "
                        "readers read it less well than the web page it is made from."
                    ),
                    html.Li("The site is in English only for now."),
                ]
            ),
            html.H2("Report a barrier"),
            html.P(
                [
                    "If something on this site is hard or impossible for you to use, ",
                    html.A("tell us", href=settings.get("PROBLEM_REPORT_URL")),
                    ". We log every report on the Data problems page and answer it there.",
                ]
            ),
        ],
    )
