"""The site in Spanish and Traditional Chinese in Chromium: the language is the page's,
axe finds nothing, a phone does not scroll sideways, and the menu works by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_site import axe_violations


@pytest.mark.parametrize(
    ("code", "overview", "enrollment"),
    [("es", "Resumen", "Inscripción"), ("zh-Hant", "概覽", "參與人數")],
)
def test_a_page_in_another_language_passes_axe_and_fits_a_phone(
    page: Page, base_url: str, code: str, overview: str, enrollment: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}/enrollment?lang={code}")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator(".site-nav a.is-current")).to_contain_text(enrollment)
    expect(page.locator(".site-nav")).to_contain_text(overview)
    expect(page.locator(".translation-notice")).to_be_visible()
    assert axe_violations(page) == []
    sideways = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0
    assert page.console_errors == []


def test_the_language_menu_works_by_keyboard(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/recidivism")
    link = page.locator("#site-languages a", has_text="Español")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/recidivism?lang=es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".site-nav a.is-current")).to_contain_text("Reincidencia")
