"""The page shell: skip link, header with navigation, main content, footer with provenance.

Built with the page on the server (:mod:`dashboard.router`), navigation and footer
included, so no callback fills them after the first paint. Links between pages are plain
links: every page is served whole, from the cache, with its content already in the HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import data, i18n
from dashboard.components.chart_card import aria
from dashboard.i18n import ENGLISH, Language, gettext
from etl import settings

URL_ID = "url"
NAV_ID = "site-nav"
FOOTER_ID = "site-footer"
STALE_ID = "stale-notice"
LANGUAGES_ID = "site-languages"


def N_(message: str) -> str:  # noqa: N802 -- gettext's name for "mark for translation"
    """Marks a message for ``pybabel extract`` where it is defined; translated where shown."""
    return message


PROGRAM_NAME = N_("Belltown LEAD transparency dashboard")
# (path, label) of the footer's links to reference pages.
FOOTER_LINKS: tuple[tuple[str, str], ...] = (
    ("/data", N_("Data downloads")),
    ("/api", N_("Open-data API")),
    ("/methods", N_("Methods")),
    ("/glossary", N_("Glossary")),
    ("/about", N_("About LEAD")),
    ("/funding", N_("Funding")),
    ("/accessibility", N_("Accessibility")),
)
# (path, label) for the navigation, in reading order.
NAV_ITEMS: tuple[tuple[str, str], ...] = (
    ("/", N_("Overview")),
    ("/enrollment", N_("Enrollment")),
    ("/recidivism", N_("Recidivism")),
    ("/drug-use", N_("Drug use")),
    ("/quality-of-life", N_("Quality of life")),
    ("/data", N_("Data")),
    ("/briefing", N_("Briefing")),
    ("/methods", N_("Methods")),
    ("/about", N_("About")),
)


def shell(pathname: str, content: Component, language: Language = ENGLISH) -> html.Div:
    """The app layout around one page's ``content``, for the page at ``pathname``, with
    the site's own words in ``language``."""
    run = data.published_run()
    return html.Div(
        className="site",
        children=[
            # Set by a callback only to load another view of the page (the briefing's period).
            dcc.Location(id=URL_ID, refresh=True),
            html.A(gettext(language, "Skip to main content"), href="#main", className="skip-link"),
            *unreviewed_notice(pathname, language),
            html.Header(
                className="site-header",
                children=[
                    html.Div(
                        className="site-header__inner",
                        children=[
                            html.A(
                                gettext(language, PROGRAM_NAME),
                                href=localized("/", language),
                                className="site-title",
                            ),
                            html.P(
                                gettext(
                                    language,
                                    "Law Enforcement Assisted Diversion in Seattle: what "
                                    "the public data show",
                                ),
                                className="site-tagline",
                            ),
                            language_menu(pathname, language),
                        ],
                    ),
                    html.Nav(
                        navigation(pathname, language),
                        id=NAV_ID,
                        className="site-nav",
                        **aria(label=gettext(language, "Main")),
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
            html.Footer(footer_contents(run, language), id=FOOTER_ID, className="site-footer"),
        ],
    )


def localized(path: str, language: Language) -> str:
    """A link to ``path`` that keeps the reader's language."""
    return path if language == ENGLISH else f"{path}?lang={language.code}"


def language_menu(pathname: str, current: Language) -> html.Nav:
    """Every language, each named in itself, linking to this page in it."""
    items = []
    for language in i18n.LANGUAGES:
        name = html.Span(language.name, lang=language.code)
        if language == current:
            link: Component = html.A(
                name, href=f"{pathname}?lang={language.code}", className="is-current",
                **aria(current="true"),
            )  # fmt: skip
        else:
            link = html.A(name, href=f"{pathname}?lang={language.code}", hrefLang=language.code)
        items.append(html.Li(link))
    return html.Nav(
        html.Ul(items),
        id=LANGUAGES_ID,
        className="site-languages",
        **aria(label=gettext(current, "Language") + ("" if current == ENGLISH else " / Language")),
    )


def unreviewed_notice(pathname: str, language: Language) -> list[Component]:
    """For a language whose catalog no fluent reviewer has checked: a notice in it and in
    English, with a link to the English page."""
    if i18n.reviewed_by(language):
        return []
    return [
        html.P(
            [
                html.Span(
                    gettext(
                        language,
                        "This translation has not yet been checked by a fluent reviewer.",
                    ),
                    lang=language.code,
                ),
                " ",
                html.Span(
                    "This translation has not yet been checked by a fluent reviewer.", lang="en"
                ),
                " ",
                html.A("Read this page in English", href=f"{pathname}?lang=en", hrefLang="en"),
            ],
            className="translation-notice",
            role="note",
        )
    ]


def navigation(pathname: str | None, language: Language = ENGLISH) -> html.Ul:
    items = []
    for path, label in NAV_ITEMS:
        text = gettext(language, label)
        if path == (pathname or "/").rstrip("/") or (path == "/" and pathname in (None, "", "/")):
            link = html.A(
                [
                    text,
                    html.Span(gettext(language, " (current page)"), className="visually-hidden"),
                ],
                href=localized(path, language),
                className="is-current",
            )
        else:
            link = html.A(text, href=localized(path, language))
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


def footer_contents(run: data.PublishedRun | None, language: Language = ENGLISH) -> list[Component]:
    if run is None:
        refresh: Component = html.Span(gettext(language, "No data published yet."))
    else:
        refresh = html.Span(
            [
                gettext(language, "Data last refreshed "),
                html.Time(
                    i18n.day(run.finished_at.date(), language),
                    dateTime=run.finished_at.isoformat(),
                ),
                gettext(language, " (data version {version}).", version=run.run_id),
            ]
        )
    links: list[Component] = [
        html.A(gettext(language, label), href=localized(path, language))
        for path, label in FOOTER_LINKS
    ]
    return [
        html.P(
            [
                gettext(
                    language,
                    "Sources: Seattle Police Department open data (data.seattle.gov); LEAD "
                    "evaluation reports by the University of Washington LEAD Evaluation Team. ",
                ),
                refresh,
            ],
        ),
        html.P(
            gettext(
                language,
                "Figures from program records are aggregates only; any figure based on fewer "
                "people than the suppression threshold is withheld.",
            )
        ),
        html.P(_separated(links)),
        html.P(
            [
                html.A(
                    gettext(language, "Report a data problem"),
                    href=settings.get("PROBLEM_REPORT_URL"),
                    className="report-problem",
                ),
                " · ",
                html.A(
                    gettext(language, "Problems reported and what was done"),
                    href=localized("/data-problems", language),
                ),
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
