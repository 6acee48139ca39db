"""The Recidivism page on demonstration data, in headless Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_site import axe_violations

CARDS = ["shares", "effects", "survival", "jail", "costs", "outcomes"]


def open_recidivism(page: Page, base_url: str) -> None:
    page.goto(base_url + "/recidivism")
    for card in CARDS:
        expect(page.locator(f"#rec-{card}-graph .main-svg").first).to_be_visible(timeout=20_000)
        expect(page.locator(f"#rec-{card}-summary")).not_to_be_empty(timeout=10_000)


def test_recidivism_renders_the_headline_every_chart_and_the_published_panel(
    page: Page, base_url: str
) -> None:
    open_recidivism(page, base_url)

    expect(page.locator("#rec-headline")).to_have_text(
        re.compile(
            r"^For people referred to LEAD, the odds of arrest in the six months after entry were "
            r"about \d+% (lower|higher) than for the comparison group"
        )
    )
    expect(page.locator(".headline")).to_contain_text("not a randomised trial")
    expect(page.locator(".demo-banner")).to_contain_text(
        "Demonstration data, not real participants"
    )
    panel = page.locator("section[aria-labelledby='rec-published-title']")
    expect(panel).to_contain_text("60% lower odds of arrest")
    expect(panel).to_contain_text("doi:10.1016/j.evalprogplan.2017.05.008")
    expect(page.locator("#rec-effects-graph")).to_contain_text("Arrest (odds ratio)")
    assert page.console_errors == []


def test_recidivism_toggles_redraw_their_cards(page: Page, base_url: str) -> None:
    open_recidivism(page, base_url)
    page.get_by_label("Charged with a felony").check()
    expect(page.locator("#rec-shares-summary")).to_contain_text("charged with a felony")
    page.get_by_label("Days in jail").check()
    expect(page.locator("#rec-jail-summary")).to_contain_text("days per person-year")
    page.get_by_label("Employed or in training").check()
    expect(page.locator("#rec-outcomes-summary")).to_contain_text("employed or in training")
    assert page.console_errors == []


def test_recidivism_has_no_wcag_aa_violations_with_tables_open(page: Page, base_url: str) -> None:
    open_recidivism(page, base_url)
    for summary in page.locator("details.chart-card__table summary").all():
        summary.click()
    assert axe_violations(page) == []
