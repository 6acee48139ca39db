"""The site under its own Content Security Policy in Chromium: every page becomes
interactive, a control redraws its chart, a chart downloads as an image, and the policy
blocks nothing the site does; other sites cannot frame a page, but can frame an embed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pytest_httpserver import HTTPServer

from dashboard.layout import NAV_ITEMS

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@pytest.fixture
def policed(browser: object) -> Iterator[Page]:
    """A page that enforces the site's Content Security Policy (no bypass), recording
    every violation."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, bypass_csp=False, accept_downloads=True
    )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.scripts_off = True  # type: ignore[attr-defined]  # waited for below, without eval
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    yield page
    context.close()


def _become_interactive(page: Page) -> None:
    """Start the interactive page and poll until it is in place (a string wait would be
    eval, which the policy forbids)."""
    page.evaluate("window.leadHydrate && window.leadHydrate()")
    for _attempt in range(300):
        if page.evaluate(
            "!document.getElementById('ssr') || "
            "document.documentElement.classList.contains('hydrated')"
        ):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the interactive page did not take the served page's place")


@pytest.mark.parametrize(
    "path", [path for path, _label in NAV_ITEMS] + ["/embed/qol-trend", "/funding"]
)
def test_every_page_runs_under_the_policy_without_a_violation(
    policed: Page, base_url: str, path: str
) -> None:
    policed.goto(base_url + path)
    _become_interactive(policed)
    expect(policed.locator("h1, h2").first).to_be_visible()
    assert policed.evaluate("window.__violations") == []
    assert policed.errors == []  # type: ignore[attr-defined]


def test_controls_redraw_and_images_download_under_the_policy(policed: Page, base_url: str) -> None:
    policed.goto(base_url + "/quality-of-life")
    _become_interactive(policed)
    policed.get_by_label("Index (baseline year = 100)").check()
    expect(policed.locator("#qol-trend-graph .ytitle")).to_contain_text("index")
    policed.locator("#qol-trend-share-details > summary").click()
    with policed.expect_download() as download:
        policed.locator("#qol-trend-share [data-export=png][data-preset=web]").click()
    assert download.value.suggested_filename == "belltown-lead_qol-trend_web.png"
    policed.locator("#qol-trend-table-details > summary").click()
    expect(policed.locator("#qol-trend-table tbody tr").first).to_be_visible()
    assert policed.evaluate("window.__violations") == []


def _framed(page: Page, newsroom: HTTPServer, base_url: str, path: str) -> None:
    """Open a page of another site (a server of the test's, another origin) that frames
    ``path``."""
    html = (
        "<!doctype html><html lang='en'><body>"
        f"<iframe id='f' src='{base_url}{path}' title='framed' width='800' height='600'>"
        "</iframe></body></html>"
    )
    newsroom.clear()
    newsroom.expect_request("/story").respond_with_data(html, content_type="text/html")
    page.goto(newsroom.url_for("/story"))


def test_another_site_may_frame_an_embed_but_no_page(
    policed: Page, httpserver: HTTPServer, base_url: str
) -> None:
    _framed(policed, httpserver, base_url, "/embed/qol-trend")
    expect(policed.frame_locator("#f").locator("#qol-trend-title")).to_be_visible(timeout=20_000)
    _framed(policed, httpserver, base_url, "/quality-of-life")
    policed.wait_for_timeout(2000)
    # Chromium refuses to show a page whose policy forbids framing (its error page instead).
    framed = policed.frames[1]
    assert framed.url.startswith("chrome-error://")
    assert policed.frame_locator("#f").locator("#main, .site-header").count() == 0
