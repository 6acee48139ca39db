"""The Overview and the Briefing in headless Chromium: key figures, print to exactly one
US Letter and one A4 page, the server-side PDF, presentation mode, axe."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.test_site import axe_violations

BRIEF = "/briefing?period=2014-Q3"


def open_brief(page: Page, base_url: str, path: str = BRIEF) -> None:
    page.goto(base_url + path)
    expect(page.locator("#brief h1")).to_be_visible(timeout=20_000)
    page.wait_for_function(
        """() => {
          const graphs = [...document.querySelectorAll('#brief .brief__graph')];
          return graphs.length === 3 && graphs.every((g) => g.querySelector('.main-svg'));
        }""",
        timeout=30_000,
    )


def page_text(reader: PdfReader) -> str:
    """The first page's text, ligatures (ﬁ) unfolded and whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())


def pdf_pages(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(content))


def test_overview_shows_key_figures_linked_to_their_pages_and_whats_new(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/")
    tiles = page.locator(".kpi-tiles .kpi-tile")
    expect(tiles).to_have_count(6, timeout=20_000)
    expect(page.locator("h2", has_text="Key figures: Q4 2016")).to_be_visible()
    expect(tiles.first.locator("a")).to_have_attribute("href", "/enrollment#enr-referrals")
    expect(page.locator("h2", has_text="What's new since the last refresh")).to_be_visible()
    expect(page.locator(".lede a.term").first).to_have_attribute("href", "/glossary#diversion")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_the_brief_has_its_parts_and_passes_axe(page: Page, base_url: str) -> None:
    open_brief(page, base_url)
    expect(page.locator("#brief h1")).to_have_text("LEAD in Belltown: council briefing, Q3 2014")
    run_id = page.locator("#brief").get_attribute("data-run")
    assert run_id and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_id)
    expect(page.locator(".brief__asof")).to_contain_text(f"data version {run_id}")
    expect(page.locator(".brief__kpi")).to_have_count(6)
    expect(page.locator(".brief__narrative li")).to_have_count(6)
    expect(page.locator(".brief__qr")).to_have_attribute("alt", re.compile("QR code"))
    expect(page.locator(".brief__url")).to_have_text(f"{base_url}/briefing?period=2014-Q3")
    assert axe_violations(page) == []
    assert page.console_errors == []


@pytest.mark.parametrize(
    ("paper", "path"),
    [
        ("Letter", BRIEF),
        ("A4", BRIEF),
        ("Letter", "/briefing?period=2012&chart=overdoses"),
        ("A4", "/briefing?period=2016-Q4&chart=treatment"),
    ],
)
def test_printing_the_brief_gives_exactly_one_page(
    page: Page, base_url: str, paper: str, path: str
) -> None:
    open_brief(page, base_url, path)
    page.emulate_media(media="print")
    reader = pdf_pages(page.pdf(format=paper, print_background=True))
    assert len(reader.pages) == 1
    text = page_text(reader)
    assert "council briefing, " in text
    assert "Belltown LEAD transparency dashboard" not in text  # no site chrome on the sheet


def test_the_pdf_download_is_one_page_with_the_as_of_date_and_data_version(
    page: Page, base_url: str, pdf_cache: Path
) -> None:
    open_brief(page, base_url)
    run_id = page.locator("#brief").get_attribute("data-run")
    as_of = page.locator(".brief__asof").inner_text().split("As of ")[1].split(";")[0]
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "belltown-lead-briefing_2014-Q3_letter.pdf"
    with open(download.value.path(), "rb") as handle:
        reader = pdf_pages(handle.read())
    assert len(reader.pages) == 1
    text = page_text(reader)
    assert f"As of {as_of}" in text
    assert str(run_id) in text
    a4 = requests.get(f"{base_url}/briefing.pdf?period=2014&paper=a4", timeout=90)
    assert a4.status_code == 200 and a4.headers["Content-Type"] == "application/pdf"
    assert len(pdf_pages(a4.content).pages) == 1
    # Printed once per data version, period and paper size; served from the cache after.
    kept = {p.name.split("_", 2)[2]: p for p in pdf_cache.glob(f"{run_id}_*.pdf")}
    assert {"2014-Q3_letter_all.pdf", "2014_a4_all.pdf"} <= set(kept)
    again = requests.get(f"{base_url}/briefing.pdf?period=2014&paper=a4", timeout=90)
    assert again.content == a4.content == kept["2014_a4_all.pdf"].read_bytes()
    assert requests.get(f"{base_url}/briefing.pdf?paper=legal", timeout=30).status_code == 400


def test_choosing_a_period_reloads_the_brief_for_it(page: Page, base_url: str) -> None:
    open_brief(page, base_url)
    page.locator("#brief-period").select_option("2014")
    expect(page.locator("#brief h1")).to_have_text(
        "LEAD in Belltown: council briefing, 2014", timeout=20_000
    )
    assert page.url.endswith("/briefing?period=2014")


def test_presentation_mode_moves_with_the_arrow_keys(page: Page, base_url: str) -> None:
    open_brief(page, base_url)
    page.get_by_role("button", name="Present").click()
    slides = page.locator("#brief .brief-slide")
    expect(page.locator("#brief")).to_have_class(re.compile("is-presenting"))
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(1)).to_be_hidden()
    page.keyboard.press("ArrowRight")
    expect(slides.nth(1)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()
    expect(page.locator(".present-status")).to_have_text(
        "Slide 2 of 5 (arrow keys to move, Escape to end)"
    )
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # the last one stays on the last slide
    expect(slides.nth(4)).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(slides.nth(3)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#brief")).not_to_have_class(re.compile("is-presenting"))
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(4)).to_be_visible()


def test_the_glossary_page_passes_axe(page: Page, base_url: str) -> None:
    page.goto(base_url + "/glossary#confidence-interval")
    expect(page.locator("#confidence-interval")).to_have_text("Confidence interval (likely range)")
    assert axe_violations(page) == []


def test_the_drug_use_page_answers_with_intervals_and_passes_axe(page: Page, base_url: str) -> None:
    page.goto(base_url + "/drug-use")
    expect(page.locator("#du-days-graph .scatterlayer .trace").first).to_be_attached(timeout=20_000)
    expect(page.locator("#du-health-graph .barlayer .trace").first).to_be_attached(timeout=20_000)
    expect(page.locator(".headline")).to_contain_text("95% interval")
    expect(page.locator(".demo-banner")).to_contain_text("Demonstration data, not real")
    expect(page.locator("#du-days-summary")).to_contain_text("were assessed 12 months after")
    page.get_by_label("Stimulants").check()
    expect(page.locator("#du-days-summary")).to_contain_text("stimulants", timeout=20_000)
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_the_brief_can_show_a_drug_use_chart(page: Page, base_url: str) -> None:
    open_brief(page, base_url)
    page.locator("#brief-chart").select_option("treatment")
    expect(page.locator(".brief__chart h2").nth(2)).to_have_text(
        "Drug treatment by month since referral", timeout=20_000
    )
    assert page.url.endswith("/briefing?period=2014-Q3&chart=treatment")
