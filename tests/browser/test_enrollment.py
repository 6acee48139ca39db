"""The Enrollment page on demonstration data, in headless Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_site import axe_violations, open_all_tables, open_table

CARDS = ["referrals", "participants", "exits", "demographics", "services", "cost"]


def open_enrollment(page: Page, base_url: str) -> None:
    page.goto(base_url + "/enrollment")
    for card in CARDS:
        expect(page.locator(f"#enr-{card}-graph .main-svg").first).to_be_visible(timeout=20_000)
        expect(page.locator(f"#enr-{card}-summary")).not_to_be_empty(timeout=10_000)


def test_enrollment_renders_every_chart_kpis_and_the_demo_label(page: Page, base_url: str) -> None:
    open_enrollment(page, base_url)

    expect(page.locator(".demo-banner")).to_contain_text(
        "Demonstration data, not real participants"
    )
    tiles = page.locator(".kpi-tile")
    expect(tiles).to_have_count(3)
    expect(tiles.nth(0)).to_contain_text("People referred since October 2011")
    expect(tiles.nth(0).locator(".kpi-tile__value")).to_have_text(
        re.compile(r"^(\d[\d,]*|withheld)$")
    )
    for card in CARDS:
        expect(page.locator(f"#enr-{card}-footer")).to_contain_text(
            "Demonstration data, not real participants"
        )
        expect(page.locator(f"#enr-{card}-footer")).to_contain_text("Privacy:")
    expect(page.locator("#enr-referrals-summary")).to_have_text(
        re.compile(r"^From Q4 2011 to Q\d \d{4}, [\d,]+ people were referred to LEAD")
    )
    assert page.console_errors == []


def test_referral_type_filter_and_period_selector(page: Page, base_url: str) -> None:
    open_enrollment(page, base_url)
    open_table(page, "enr-referrals")
    rows_all = page.locator("#enr-referrals-table tbody tr")
    expect(rows_all.first).to_be_attached()
    count_all = rows_all.count()

    page.select_option("#enr-referral-type", "social_contact")
    expect(page.locator("#enr-referrals-summary")).to_contain_text("by social contact")
    expect(page.locator("#enr-referrals-table thead th")).to_have_text(
        ["Quarter", "Social contact"]
    )

    page.get_by_label("Evaluation years (Q4 2011 to Q3 2014)").check()
    expect(page.locator("#enr-referrals-table tbody tr")).to_have_count(12)
    expect(page.locator("#enr-referrals-summary")).to_contain_text("From Q4 2011 to Q3 2014")
    assert count_all > 12
    assert page.console_errors == []


def test_demographics_comparison_switches_dimension(page: Page, base_url: str) -> None:
    open_enrollment(page, base_url)
    open_table(page, "enr-demographics")
    expect(page.locator("#enr-demographics-summary")).to_contain_text("By gender")
    page.get_by_label("Race and ethnicity").check()
    expect(page.locator("#enr-demographics-summary")).to_contain_text("By race and ethnicity")
    expect(page.locator("#enr-demographics-table caption")).to_contain_text("race and ethnicity")


def test_enrollment_has_no_wcag_aa_violations_with_tables_open(page: Page, base_url: str) -> None:
    open_enrollment(page, base_url)
    open_all_tables(page)
    assert axe_violations(page) == []
