"""The site in headless Chromium: every page, the chart, the data table, keyboard, axe."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from dashboard.layout import NAV_ITEMS
from tests.browser.conftest import wait_until_interactive

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TREND = "#qol-trend-graph"


def open_quality_of_life(page: Page, base_url: str) -> None:
    page.goto(base_url + "/quality-of-life")
    expect(page.locator(f"{TREND} .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    expect(page.locator("#qol-trend-summary")).to_contain_text("Belltown", timeout=10_000)


def open_table(page: Page, card_id: str) -> None:
    """Open a card's data table and wait for its rows (it is built when opened)."""
    details = page.locator(f"#{card_id}-table-details")
    if not details.evaluate("d => d.open"):
        details.locator("> summary").click()
    expect(page.locator(f"#{card_id}-table table, #{card_id}-table p").first).to_be_visible(
        timeout=10_000
    )


def open_share(page: Page, card_id: str) -> None:
    """Open a card's download, link, embed and cite panel and wait for its content."""
    details = page.locator(f"#{card_id}-share-details")
    if not details.evaluate("d => d.open"):
        details.locator("> summary").click()
    expect(page.locator(f"#{card_id}-share .share-panel__content")).to_be_attached(timeout=10_000)


def open_all_tables(page: Page) -> None:
    """Open every data table on the page and wait until each is filled."""
    for summary in page.locator("details.chart-card__table:visible > summary").all():
        summary.click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('details.chart-card__table[open]')]
              .every((d) => d.querySelector('.table-scroll').children.length > 0)""",
        timeout=15_000,
    )


def axe_violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(("path", "label"), NAV_ITEMS)
def test_every_page_loads_without_console_errors(
    page: Page, base_url: str, path: str, label: str
) -> None:
    page.goto(base_url + path)
    expect(page.locator("#main h1")).to_be_visible(timeout=15_000)
    expect(page).to_have_title(re.compile(re.escape(label)))
    expect(page.locator("#site-footer")).to_contain_text("Data last refreshed")
    current = page.locator(".site-nav a.is-current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(label)
    assert page.console_errors == []


@pytest.mark.parametrize(("path", "_label"), NAV_ITEMS)
def test_every_page_has_no_wcag_aa_violations(
    page: Page, base_url: str, path: str, _label: str
) -> None:
    page.goto(base_url + path)
    expect(page.locator("#main h1")).to_be_visible(timeout=15_000)
    if path == "/quality-of-life":
        expect(page.locator(f"{TREND} .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    assert axe_violations(page) == []


def test_quality_of_life_chart_shows_three_areas_and_the_lead_start(
    page: Page, base_url: str
) -> None:
    open_quality_of_life(page, base_url)
    legend = page.locator(f"{TREND} .legend .traces")
    expect(legend).to_have_count(3)
    expect(page.locator(f"{TREND} .legend")).to_contain_text("Belltown")
    expect(page.locator(f"{TREND} .annotation")).to_contain_text("LEAD begins, Oct 2011")
    expect(page.locator("#qol-trend-summary")).to_have_text(
        re.compile(r"^Each point is the average .* year before LEAD began .* in 2008.* in 2020")
    )
    expect(page.locator("#qol-trend-footer")).to_contain_text("SPD Crime Data: 2008-Present")
    expect(page.locator("#qol-trend-footer")).to_contain_text(
        "December 2008 to August 2021, 12-month averages, by month"
    )
    assert page.console_errors == []


def test_data_table_toggle_shows_the_numbers_behind_the_chart(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    table = page.locator("#qol-trend-table table")
    expect(table).to_be_hidden()

    page.locator("#qol-trend-table").locator("xpath=..").locator("summary").click()

    expect(table).to_be_visible()
    headers = table.locator("thead th")
    expect(headers).to_have_text(["Month", "Belltown", "Capitol Hill", "Downtown Commercial"])
    expect(table.locator("tbody tr")).to_have_count(153)  # 12-month averages: Dec 2008 on
    expect(table.locator("tbody tr").first.locator("th")).to_have_text("August 2021")
    expect(table.locator("caption")).to_contain_text("Robbery")
    assert axe_violations(page) == []

    page.locator("#qol-trend-table").locator("xpath=..").locator("summary").click()
    expect(table).to_be_hidden()


def test_switching_to_the_index_redraws_the_chart(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)

    page.get_by_label("Index (baseline year = 100)").check()

    expect(page.locator(f"{TREND} .ytitle")).to_have_text("index (2010 = 100)", timeout=10_000)
    expect(page.locator("#qol-trend-summary")).to_contain_text(
        "With each area's 2010 average set to 100"
    )
    assert page.console_errors == []


def test_keyboard_reaches_skip_link_navigation_and_table_toggle(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    toggle = page.locator("#qol-trend-table").locator("xpath=..").locator("summary")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#qol-trend-table table")).to_be_visible()

    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Methods")
    nav_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/methods")  # pages are plain links: the Methods page is loaded
    wait_until_interactive(page)
    expect(page.locator("#main h1")).to_have_text("Methods")


def test_phone_width_has_no_horizontal_scrolling(browser: object, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        open_quality_of_life(page, base_url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        expect(page.locator(".site-nav")).to_be_visible()
    finally:
        context.close()


def test_unknown_page_is_a_real_404(page: Page, base_url: str) -> None:
    response = page.goto(base_url + "/quality-of-lief")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("404: Not Found")


def test_the_yearly_view_totals_complete_years_and_marks_the_partial_one(
    page: Page, base_url: str
) -> None:
    """Belltown's 67 robberies in 2011, as a journalist would cite them; 2021 (January to
    August in the bundled extract) is marked, not totaled; the download is the yearly one."""
    open_quality_of_life(page, base_url)
    open_table(page, "qol-trend")
    open_share(page, "qol-trend")
    page.get_by_label("Yearly totals").check()
    table = page.locator("#qol-trend-table")
    expect(table.locator("tbody tr").first).to_contain_text(
        "2021partial year (Jan–Aug, 8 of 12 months): not totaled", timeout=10_000
    )
    row_2011 = table.locator("tbody tr", has=page.locator("th", has_text="2011"))
    expect(row_2011.locator("td").first).to_have_text("67")
    expect(page.locator("#qol-trend-summary")).to_contain_text(
        "2021 is not totaled: it has only 8 of 12 months (Jan–Aug)."
    )
    expect(page.locator("#qol-trend-share a[href*='reported_offenses_yearly.csv']")).to_have_count(
        1
    )
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_smoothing_areas_and_years_change_the_chart(page: Page, base_url: str) -> None:
    """The page opens on the view that answers "did crime go down after LEAD began?": the
    12-month average, the offense group in the title, the year before against the year after."""
    open_quality_of_life(page, base_url)
    expect(page.get_by_role("radio", name="12-month average")).to_be_checked()
    expect(page.locator("#qol-trend-title")).to_have_text(
        "Reported offenses: Belltown and comparison neighborhoods — Robbery, 12-month average"
    )
    summary = page.locator("#qol-trend-summary")
    expect(summary).to_contain_text(
        "Belltown had 5.6 reported robbery offenses a month in the year before LEAD began"
    )
    open_share(page, "qol-trend")
    open_table(page, "qol-trend")
    expect(page.locator("#qol-trend-share .share-panel__content")).to_have_attribute(
        "data-title",
        "Reported offenses: Belltown and comparison neighborhoods — Robbery, 12-month average",
    )
    page.get_by_role("radio", name="Each month").check()
    expect(page.locator("#qol-trend-title")).to_contain_text("Robbery, each month")
    expect(summary).not_to_contain_text("Each point is the average")

    page.get_by_role("checkbox", name="Capitol Hill").uncheck()
    expect(page.locator(f"{TREND} .legend .traces")).to_have_count(2)
    page.select_option("#qol-from-year", "2012")
    page.select_option("#qol-to-year", "2013")
    expect(page.locator("#qol-trend-table tbody tr")).to_have_count(24)

    page.get_by_role("checkbox", name="Belltown").uncheck()
    page.get_by_role("checkbox", name="Downtown Commercial").uncheck()
    expect(page.locator("#qol-trend-summary")).to_have_text(
        "No data for this period in the current extract."
    )
    assert page.console_errors == []


def test_other_sources_show_their_data_or_say_there_is_none(page: Page, base_url: str) -> None:
    page.goto(base_url + "/quality-of-life")
    for card in ("qol-legacy", "qol-requests"):
        expect(page.locator(f"#{card}-graph .main-svg").first).to_be_visible(timeout=20_000)
    expect(page.locator("#qol-legacy-summary")).to_contain_text("in 2018")
    # The bundled 911 sample covers no complete month: one line, not an empty chart.
    expect(page.locator("#qol-calls .chart-card__empty")).to_contain_text(
        "No data in this data version"
    )
    expect(page.locator("#qol-requests-footer")).to_contain_text(
        "Synthetic sample data, not real records"
    )
    assert page.console_errors == []


def test_before_after_card_states_the_estimate_and_that_it_is_descriptive(
    page: Page, base_url: str
) -> None:
    open_quality_of_life(page, base_url)
    summary = page.locator("#qol-before-after-summary")
    expect(summary).to_contain_text("reported robbery offenses in Belltown changed")
    expect(summary).to_contain_text("than in Capitol Hill")
    expect(summary).to_contain_text("This compares areas, not people")
    expect(summary).to_contain_text("The test for a trend already under way")
    graph = page.locator("#qol-before-after-graph")
    rows = page.evaluate(
        "document.querySelector('#qol-before-after-graph .js-plotly-plot').data[0].y"
    )
    assert "vs Downtown Commercial, 36 months each side" in rows  # drawn wrapped
    expect(graph).to_contain_text("← Belltown changedless")  # wrapped: two lines
    expect(graph).not_to_contain_text("LEAD lower")
    for card in ("qol-event-study", "qol-placebo"):
        expect(page.locator(f"#{card}-graph .main-svg").first).to_be_visible(timeout=20_000)
    expect(page.locator("#qol-event-study-graph")).to_contain_text("LEAD begins")
    expect(page.locator("#qol-event-study-summary")).to_contain_text("Before LEAD, reported")
    expect(page.locator("#qol-placebo-summary")).to_contain_text("false start dates")
    expect(page.locator("#qol-placebo-graph")).to_contain_text("Real start, October 2011")
    assert page.console_errors == []


def test_methods_page_lists_the_category_map_the_pipeline_uses(page: Page, base_url: str) -> None:
    page.goto(base_url + "/methods")
    expect(page.locator("#main h2", has_text="How source categories are grouped")).to_be_visible(
        timeout=15_000
    )
    page.locator("summary", has_text="Customer Service Requests").click()
    expect(
        page.get_by_role("rowheader", name="Abandoned Vehicle/72hr Parking Ordinance")
    ).to_be_visible()
    assert axe_violations(page) == []


def test_map_shows_grid_cells_and_withheld_ones(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    # The Belltown outline, the shown cells and the withheld ones.
    expect(page.locator("#qol-map-graph .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    expect(page.locator("#qol-map-graph .legendtext").first).to_have_text(
        "Belltown boundary (SPD MCPP area)"
    )
    expect(page.locator("#qol-map-summary")).to_contain_text("cells had fewer than 11 reports")
    expect(page.locator("#qol-map-summary")).to_contain_text("dashed line is the Belltown")
    expect(page.locator("#qol-map-footer")).to_contain_text("cannot point at one address")
    expect(page.locator("#qol-map-footer")).to_contain_text("seattle-boundaries-data (CC0)")
    assert page.console_errors == []
