"""The page a reader gets before any script runs, and the interactive page that takes its
place: same content, same boxes, and no callback fired to show a default view."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from dashboard.layout import NAV_ITEMS
from tests.browser.test_site import axe_violations

CHART_PAGES = ("/", "/enrollment", "/recidivism", "/drug-use", "/quality-of-life", "/briefing")
# What is compared between the served and the interactive page: headings, chart cards,
# each chart's box, captions, the footer.
BOXES = "h1, h2, .chart-card, .dash-graph, figcaption, .site-footer"
MEASURE = f"""() => [...document.querySelectorAll('{BOXES}')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => {{
        const r = e.getBoundingClientRect();
        return [e.tagName, e.id, Math.round(r.x), Math.round(r.y + scrollY),
                Math.round(r.width), Math.round(r.height)];
    }})"""


@pytest.fixture
def served(browser: object) -> Iterator[Page]:
    """The page exactly as served, its scripts failing to load (so none of the site's code
    runs, while tests may still measure the page and run axe in it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
    page = context.new_page()
    page.scripts_off = True  # type: ignore[attr-defined]  # visits do not wait for scripts
    yield page
    context.close()


def test_with_javascript_off_the_page_reads_the_same(browser: object, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.scripts_off = True  # type: ignore[attr-defined]
        page.goto(base_url + "/quality-of-life")
        expect(page.locator("h1")).to_have_text("Quality of life")
        expect(page.locator("#qol-trend-summary")).to_contain_text("Belltown had")
        assert page.locator(".ssr-chart__svg--wide svg.main-svg").count() >= 4
    finally:
        context.close()


@pytest.mark.parametrize("path", CHART_PAGES)
def test_without_javascript_the_page_has_its_content_and_static_charts(
    served: Page, base_url: str, path: str
) -> None:
    served.goto(base_url + path)
    expect(served.locator("#ssr h1")).to_be_visible()
    expect(served.locator("#ssr .site-nav a.is-current")).to_have_count(1)
    expect(served.locator("#ssr .site-footer")).to_contain_text("Data last refreshed")
    charts = served.locator("#ssr .dash-graph:visible")
    drawn = served.locator("#ssr .dash-graph:visible .ssr-chart__svg--wide svg.main-svg")
    if path != "/":
        assert charts.count() > 0
        # Every visible chart is drawn as an SVG of plotted marks, not an empty box.
        assert drawn.count() == charts.count()
        assert served.locator("#ssr .dash-graph:visible .ssr-chart--pending").count() == 0
    assert served.locator("#react-entry-point").is_hidden()


def test_without_javascript_a_card_has_its_data_table_and_share_links(
    served: Page, base_url: str
) -> None:
    served.goto(base_url + "/quality-of-life")
    served.locator("#ssr #qol-trend-table-details > summary").click()
    table = served.locator("#ssr #qol-trend-table table")
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("Robbery")
    assert table.locator("tbody tr").count() > 100
    served.locator("#ssr #qol-trend-share-details > summary").click()
    expect(served.locator("#ssr #qol-trend-share a", has_text="CSV").first).to_be_visible()


@pytest.mark.parametrize("path", CHART_PAGES)
def test_the_interactive_page_takes_the_served_pages_place_without_moving_anything(
    browser: object, served: Page, base_url: str, path: str
) -> None:
    served.goto(base_url + path)
    before = served.evaluate(MEASURE)
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.add_init_script(
            """window.__shifts = 0;
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) {
                if (!entry.hadRecentInput) { window.__shifts += entry.value; }
              }
            }).observe({type: 'layout-shift', buffered: true});"""
        )
        callbacks: list[str] = []
        page.on(
            "request",
            lambda r: callbacks.append(r.url) if "_dash-update-component" in r.url else None,
        )
        page.goto(base_url + path)  # waits until the interactive page is in place
        page.wait_for_timeout(300)  # let any late redraw happen
        after = page.evaluate(MEASURE)
        assert callbacks == [], "a default view must need no callback"
        assert after == before
        assert page.evaluate("window.__shifts") <= 0.02
    finally:
        context.close()


@pytest.mark.parametrize(("path", "_label"), NAV_ITEMS)
def test_the_served_page_passes_axe_before_any_script(
    served: Page, base_url: str, path: str, _label: str
) -> None:
    served.goto(base_url + path)
    expect(served.locator("#ssr h1")).to_be_visible()
    assert axe_violations(served) == []
