"""The Recidivism page on demonstration data, in headless Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_site import axe_violations, open_all_tables

CARDS = [
    "effects",
    "sensitivity",
    "balance",
    "shares",
    "change",
    "survival",
    "jail",
    "costs",
    "outcomes",
]


def open_recidivism(page: Page, base_url: str) -> None:
    page.goto(base_url + "/recidivism")
    for card in CARDS:
        expect(page.locator(f"#rec-{card}-graph .main-svg").first).to_be_visible(timeout=20_000)
        expect(page.locator(f"#rec-{card}-summary")).not_to_be_empty(timeout=10_000)


def test_recidivism_renders_the_headline_every_chart_and_the_published_panel(
    page: Page, base_url: str
) -> None:
    open_recidivism(page, base_url)

    # The headline compares the groups after entry, weighted for who was referred.
    expect(page.locator("#rec-headline")).to_have_text(
        re.compile(
            r"^In the 6 months after entry, the LEAD group's odds of any arrest were about "
            r"\d+% (lower|higher) than the comparison group's\. .* This compares the groups "
            r"after entry\. It is adjusted for age, .* by weighting the comparison group\.$"
        )
    )
    fragility = page.locator(".headline__fragility")
    expect(fragility).to_contain_text(re.compile(r"about \d+\.\d times as likely \(the E-value\)"))
    expect(fragility).to_contain_text("Over 12 months, it is")
    expect(fragility).to_contain_text("Without adjustment: In the 6 months after entry")
    expect(page.locator(".headline")).to_contain_text("not a randomized trial")
    # The change-in-change card words changes, never a difference between the groups.
    change = page.locator("#rec-change-summary")
    expect(change).to_contain_text("This compares each group with itself")
    expect(change).to_contain_text("This does not compare the groups after entry")
    expect(change).not_to_contain_text(
        re.compile(r"LEAD group's [a-z ]+ (were|was) about .* (than|as) the comparison group's")
    )
    expect(page.locator("#rec-change-graph")).to_contain_text(
        "← LEAD's changelower"
    )  # wrapped: two lines
    expect(page.locator("#rec-balance-summary")).to_contain_text("After weighting the comparison")
    expect(page.locator("#rec-balance-graph")).to_contain_text("Arrests, 6 months before entry")
    expect(page.locator(".demo-banner")).to_contain_text(
        "Demonstration data, not real participants"
    )
    panel = page.locator("section[aria-labelledby='rec-published-title']")
    expect(panel).to_contain_text("60% lower odds of arrest")
    expect(panel).to_contain_text("doi:10.1016/j.evalprogplan.2017.05.008")
    expect(panel).to_contain_text("Same comparison?")
    expect(panel).not_to_contain_text("agreement is by construction")
    # Row names are drawn wrapped to the chart's width: read them from the figure's rows.
    rows = page.evaluate("document.querySelector('#rec-effects-graph .js-plotly-plot').data[0].y")
    assert "Any arrest, 6 months: weighted to resemble LEAD (headline)" in rows
    methods = page.locator("section[aria-labelledby='rec-methods-title']")
    expect(methods).to_contain_text("Comparison picked after a burst of arrests")
    assert page.console_errors == []


def test_recidivism_toggles_redraw_their_cards(page: Page, base_url: str) -> None:
    open_recidivism(page, base_url)
    page.get_by_label("Charged with a felony").check()
    expect(page.locator("#rec-shares-summary")).to_contain_text("charged with a felony")
    page.locator("#rec-jail").get_by_label("Days in jail").check()
    expect(page.locator("#rec-jail-summary")).to_contain_text("days per person-year")
    page.get_by_label("Employed or in training").check()
    expect(page.locator("#rec-outcomes-summary")).to_contain_text("employed or in training")
    expect(page.locator("#rec-outcomes-summary")).to_contain_text("no comparison group")
    page.locator("#rec-sensitivity").get_by_label("Jail bookings").check()
    expect(page.locator("#rec-sensitivity-summary")).to_contain_text(
        "In the 12 months after entry, the LEAD group's jail bookings per year out of jail"
    )
    assert page.console_errors == []


def test_recidivism_has_no_wcag_aa_violations_with_tables_open(page: Page, base_url: str) -> None:
    open_recidivism(page, base_url)
    open_all_tables(page)
    assert axe_violations(page) == []
