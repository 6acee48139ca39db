"""About LEAD, funding and spending, the data-problem log and the accessibility statement in
headless Chromium; axe on each; the problem-report link on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from etl import settings
from tests.browser.test_site import axe_violations


@pytest.mark.parametrize(
    ("path", "heading", "text"),
    [
        ("/about", "About LEAD", "Who runs it: the Policy Coordinating Group"),
        ("/data-problems", "Data problems", "Problems reported"),
        ("/accessibility", "Accessibility statement", "Known limitations"),
    ],
)
def test_content_pages_render_and_pass_axe(
    page: Page, base_url: str, path: str, heading: str, text: str
) -> None:
    page.goto(base_url + path)
    expect(page.locator("#main h1")).to_have_text(heading, timeout=20_000)
    expect(page.locator("#main")).to_contain_text(text)
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_about_cites_its_facts_and_marks_unconfirmed_ones(page: Page, base_url: str) -> None:
    page.goto(base_url + "/about")
    history = page.locator("ol.history li")
    expect(history.first).to_contain_text("2011-10", timeout=20_000)
    expect(history.first).to_contain_text("Source: Seattle Times")
    expect(page.locator("table")).to_contain_text("(not yet confirmed by a public source)")
    expect(page.get_by_role("link", name="Funding and spending")).to_have_attribute(
        "href", "/funding"
    )


def test_funding_page_draws_its_three_charts(page: Page, base_url: str) -> None:
    page.goto(base_url + "/funding")
    for card in ("fin-funding", "fin-spending"):
        expect(page.locator(f"#{card}-graph .barlayer .trace").first).to_be_attached(timeout=20_000)
    expect(page.locator("#fin-cost-graph .scatterlayer .trace")).to_have_count(1)
    expect(page.locator("#fin-cost-summary")).to_contain_text("about $899 on average")
    expect(page.locator(".demo-banner")).to_contain_text("Demonstration data")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_every_page_footer_links_to_report_a_data_problem(page: Page, base_url: str) -> None:
    for path in ("/", "/quality-of-life", "/briefing"):
        page.goto(base_url + path)
        link = page.locator(".site-footer a.report-problem")
        expect(link).to_have_attribute("href", settings.get("PROBLEM_REPORT_URL"), timeout=20_000)
        expect(page.locator(".site-footer")).to_contain_text("Problems reported and what was done")
