"""The page shell: skip link, header with navigation, main content, footer with provenance.

Built with the page on the server (:mod:`dashboard.router`), navigation and footer
included, so no callback fills them after the first paint. Links between pages are plain
links: every page is served whole, from the cache, with its content already in the HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import data
from dashboard.components.chart_card import aria
from etl import settings

PROGRAM_NAME = "Belltown LEAD transparency dashboard"
URL_ID = "url"
NAV_ID = "site-nav"
FOOTER_ID = "site-footer"
STALE_ID = "stale-notice"

# (path, label) of the footer's links to reference pages.
FOOTER_LINKS: tuple[tuple[str, str], ...] = (
    ("/data", "Data downloads"),
    ("/api", "Open-data API"),
    ("/methods", "Methods"),
    ("/glossary", "Glossary"),
    ("/about", "About LEAD"),
    ("/funding", "Funding"),
    ("/accessibility", "Accessibility"),
)
# (path, label) for the navigation, in reading order.
NAV_ITEMS: tuple[tuple[str, str], ...] = (
    ("/", "Overview"),
    ("/enrollment", "Enrollment"),
    ("/recidivism", "Recidivism"),
    ("/drug-use", "Drug use"),
    ("/quality-of-life", "Quality of life"),
    ("/data", "Data"),
    ("/briefing", "Briefing"),
    ("/methods", "Methods"),
    ("/about", "About"),
)


def shell(pathname: str, content: Component) -> html.Div:
    """The app layout around one page's ``content``, for the page at ``pathname``."""
    run = data.published_run()
    return html.Div(
        className="site",
        children=[
            # Set by a callback only to load another view of the page (the briefing's period).
            dcc.Location(id=URL_ID, refresh=True),
            html.A("Skip to main content", href="#main", className="skip-link"),
            html.Header(
                className="site-header",
                children=[
                    html.Div(
                        className="site-header__inner",
                        children=[
                            html.A(PROGRAM_NAME, href="/", className="site-title"),
                            html.P(
                                "Law Enforcement Assisted Diversion in Seattle: what the "
                                "public data show",
                                className="site-tagline",
                            ),
                        ],
                    ),
                    html.Nav(
                        navigation(pathname),
                        id=NAV_ID,
                        className="site-nav",
                        **aria(label="Main"),
                    ),
                ],
            ),
            html.Div(
                stale_notice(run, datetime.now(UTC)),
                id=STALE_ID,
                className="stale-notice",
                role="status",
            ),
            html.Main(content, id="main", className="site-main", tabIndex="-1"),
            html.Footer(footer_contents(run), id=FOOTER_ID, className="site-footer"),
        ],
    )


def navigation(pathname: str | None) -> html.Ul:
    items = []
    for path, label in NAV_ITEMS:
        if path == (pathname or "/").rstrip("/") or (path == "/" and pathname in (None, "", "/")):
            link = html.A(
                [label, html.Span(" (current page)", className="visually-hidden")],
                href=path,
                className="is-current",
            )
        else:
            link = html.A(label, href=path)
        items.append(html.Li(link))
    return html.Ul(items)


def stale_notice(run: data.PublishedRun | None, now: datetime) -> Component | None:
    """A visible notice when the published data are old or the latest refresh failed."""
    if run is None:
        return None
    refreshed = run.finished_at.strftime("%B %-d, %Y")
    hours = settings.get("STALE_AFTER_HOURS")
    if data.latest_run_failed_after_publication():
        return html.P(
            f"The latest data refresh did not complete; the figures shown are from the "
            f"refresh of {refreshed}."
        )
    if now - run.finished_at > timedelta(hours=hours):
        return html.P(
            f"These figures were last refreshed on {refreshed}, more than {hours} hours ago. "
            "Newer data may be available."
        )
    return None


def footer_contents(run: data.PublishedRun | None) -> list[Component]:
    if run is None:
        refresh: Component = html.Span("No data published yet.")
    else:
        refresh = html.Span(
            [
                "Data last refreshed ",
                html.Time(
                    run.finished_at.strftime("%B %-d, %Y"), dateTime=run.finished_at.isoformat()
                ),
                f" (data version {run.run_id}).",
            ]
        )
    return [
        html.P(
            [
                "Sources: Seattle Police Department open data (data.seattle.gov); LEAD "
                "evaluation reports by the University of Washington LEAD Evaluation Team. ",
                refresh,
            ],
        ),
        html.P(
            "Figures from program records are aggregates only; any figure based on fewer "
            "people than the suppression threshold is withheld."
        ),
        html.P(_separated([html.A(label, href=path) for path, label in FOOTER_LINKS])),
        html.P(
            [
                html.A(
                    "Report a data problem",
                    href=settings.get("PROBLEM_REPORT_URL"),
                    className="report-problem",
                ),
                " · ",
                html.A("Problems reported and what was done", href="/data-problems"),
            ]
        ),
    ]


def _separated(parts: list[Component]) -> list[Component | str]:
    """``a · b · c``"""
    out: list[Component | str] = []
    for part in parts:
        if out:
            out.append(" · ")
        out.append(part)
    return out
