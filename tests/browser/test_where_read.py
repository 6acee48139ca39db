"""Each chart where it is read: on a phone (320 and 390 px), alone in another site's iframe,
and without Plotly's own mode bar (its camera and cloud bypass the card's labelled download);
no chart text overlapping or cut, and no time axis running past its data, at phone and
desktop widths. Also the words: every rendered page in US spelling."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_httpserver import HTTPServer

from dashboard.layout import NAV_ITEMS
from tests.text_checks import british_spellings

PAGES = [path for path, _label in NAV_ITEMS] + ["/api", "/glossary", "/accessibility"]


def _wait_for_page(page: Page) -> None:
    expect(page.locator("#main h1")).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [320, 390])
def test_no_page_scrolls_sideways_on_a_phone(browser: object, base_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    wide = {}
    try:
        for path in PAGES:
            page.goto(base_url + path)
            _wait_for_page(page)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide[path] = overflow
    finally:
        context.close()
    assert wide == {}


def test_no_chart_has_plotly_s_mode_bar_camera_or_cloud(page: Page, base_url: str) -> None:
    for path in ("/quality-of-life", "/recidivism", "/enrollment"):
        page.goto(base_url + path)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=20_000)
        # Charts are drawn as their callbacks answer: wait for three (slow under load).
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=20_000
        )
        page.wait_for_load_state("networkidle")
        assert page.locator(".modebar, .modebar-btn, [data-title*='Download plot']").count() == 0


def test_every_page_reads_in_us_spelling(page: Page, base_url: str) -> None:
    found = {}
    for path in PAGES:
        page.goto(base_url + path)
        _wait_for_page(page)
        words = british_spellings(page.locator("main").inner_text())
        if words:
            found[path] = words
    assert found == {}


def _host_page(base_url: str, card: str) -> str:
    return (
        "<!doctype html><html lang='en'><body style='margin:0'>"
        f"<iframe id='chart' src='{base_url}/embed/{card}' title='chart' width='100%' "
        "height='400' style='border:0'></iframe>"
        f"<script src='{base_url}/assets/embed-host.js'></script></body></html>"
    )


def test_an_embed_says_demonstration_and_source_first_and_its_iframe_fits_it(
    page: Page, base_url: str, httpserver: HTTPServer
) -> None:
    page.set_viewport_size({"width": 720, "height": 700})
    # A newsroom's page on another origin (a page with no origin may not frame the site).
    httpserver.expect_request("/story").respond_with_data(
        _host_page(base_url, "rec-effects"), content_type="text/html"
    )
    page.goto(httpserver.url_for("/story"))
    frame = page.frame_locator("#chart")
    # The embed is read as served (its scripts wait for a reader's first interaction): the
    # chart is the static SVG drawn when the data were published.
    expect(frame.locator("#rec-effects-graph svg.main-svg").first).to_be_visible(timeout=30_000)
    label = frame.locator("#rec-effects-provenance .demo-label")
    expect(label).to_contain_text("Demonstration data")
    expect(frame.locator("#rec-effects-provenance")).to_contain_text("Source:")
    # In the first screenful of the iframe, above the chart.
    label_top = label.evaluate("e => e.getBoundingClientRect().top")
    chart_top = frame.locator("#rec-effects-graph").evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= label_top < chart_top < 400
    # embed-host.js grows the iframe to the card (no scrolling inside the frame).
    page.wait_for_function(
        "() => document.getElementById('chart').getBoundingClientRect().height > 600",
        timeout=15_000,
    )
    inner = page.frames[1].evaluate("document.documentElement.scrollHeight")
    outer = page.evaluate("document.getElementById('chart').getBoundingClientRect().height")
    assert abs(outer - inner) <= 24


def test_an_embed_of_real_police_data_is_not_labelled_synthetic(page: Page, base_url: str) -> None:
    page.goto(base_url + "/embed/qol-trend")
    expect(page.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    expect(page.locator("#qol-trend-provenance")).to_contain_text("Seattle Police Department")
    assert page.locator("#qol-trend-provenance .demo-label").count() == 0
    expect(page.locator(".embed-controls summary")).to_have_text("Change the view")
    expect(page.locator("#qol-areas")).to_be_hidden()  # collapsed until asked for


def test_an_empty_source_is_one_line_with_its_reason_not_an_empty_chart(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/quality-of-life")
    expect(page.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    empty = page.locator("#qol-calls.chart-card--empty")  # the bundled 911 sample is partial
    expect(empty).to_contain_text("No data in this data version")
    expect(empty).to_contain_text("CALLS_911_SOURCES")
    assert empty.locator(".js-plotly-plot:visible").count() == 0
    assert empty.evaluate("e => e.getBoundingClientRect().height") < 250


CHART_PAGES = ["/", "/enrollment", "/recidivism", "/drug-use", "/quality-of-life", "/funding"]
TEXT_BOXES = (Path(__file__).with_name("text_boxes.js")).read_text(encoding="utf-8")
CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart-card__graph')]
  .filter((graph) => graph.offsetParent !== null)
  .every((graph) => {
    const card = graph.closest('.chart-card');
    const summary = card && card.querySelector('.chart-card__summary');
    return graph.querySelector('.main-svg') && summary && summary.textContent.trim();
  })"""
TIME_AXIS_ENDS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter((g) => g._fullLayout && g._fullLayout.xaxis && g._fullLayout.xaxis.type === 'date')
  .map((g) => {
    const xs = g.data.flatMap((t) => (t.x || []).filter((x, i) => t.y && t.y[i] !== null))
      .map((x) => new Date(x).getTime()).filter((x) => !Number.isNaN(x));
    const end = new Date(g._fullLayout.xaxis.range[1]).getTime();
    return { id: (g.closest('[id]') || g).id, end, last: Math.max(...xs) };
  })
  .filter((axis) => axis.end > axis.last + 86400000)"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_no_chart_text_overlaps_or_is_cut_on_a_phone_or_a_desktop(
    browser: object, base_url: str, width: int, height: int
) -> None:
    """Every chart of every page, as drawn: tick labels, legend, annotations, titles and
    numbers compared by bounding box (text_boxes.js); time axes end at the last figure."""
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page = context.new_page()
    found: dict[str, object] = {}
    try:
        for path in CHART_PAGES:
            page.goto(base_url + path)
            _wait_for_page(page)
            page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
            page.wait_for_load_state("networkidle")
            # Every chart redrawn at its settled width (a chart first drawn while the page
            # was still laying out is resized once), then map labels placed.
            page.evaluate(
                "() => Promise.all([...document.querySelectorAll('.js-plotly-plot')]"
                ".map((g) => window.Plotly.Plots.resize(g)))"
            )
            page.wait_for_timeout(500)
            clashes = page.evaluate(TEXT_BOXES, None)
            late = page.evaluate(TIME_AXIS_ENDS)
            if clashes or late:
                found[path] = {"overlapping or cut": clashes[:8], "axis past the data": late}
    finally:
        context.close()
    assert found == {}


def _embeddable_cards() -> list[str]:
    from dashboard.components.chart_card import CARDS
    from dashboard.pages import embed

    return sorted(card for card in CARDS if embed.is_embeddable(card))


PROGRAM_PREFIXES = ("enr-", "rec-", "du-", "fin-")  # the bundled program extract is synthetic
FIRST_VIEW = """(card) => {
  const label = document.querySelector(`#${card}-provenance .demo-label`);
  const graph = document.querySelector(`#${card}-graph`);
  if (!label) { return null; }
  const top = label.getBoundingClientRect().top;
  return { top, bottom: label.getBoundingClientRect().bottom,
           chart: graph ? graph.getBoundingClientRect().top : null };
}"""


def test_every_embed_labels_synthetic_data_first_and_draws_its_chart_cleanly_on_a_phone(
    browser: object, base_url: str
) -> None:
    """Each card alone at a phone's size (390 by 600, a short iframe): where its sources are
    synthetic, the demonstration label is in the first screenful, above the chart; its
    chart text neither overlaps nor is cut."""
    context = browser.new_context(viewport={"width": 390, "height": 600})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: dict[str, object] = {}
    cards = _embeddable_cards()
    try:
        for card in cards:
            page.goto(f"{base_url}/embed/{card}")
            page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
            page.wait_for_load_state("networkidle")
            label = page.evaluate(FIRST_VIEW, card)
            if card.startswith(PROGRAM_PREFIXES) and label is None:
                problems[card] = "no demonstration label"
            elif label is not None and not (
                label["top"] >= 0 and label["bottom"] <= 600
                and (label["chart"] is None or label["bottom"] <= label["chart"])
            ):  # fmt: skip
                problems[card] = {"label not first": label}
            clashes = page.evaluate(TEXT_BOXES, None)
            if clashes:
                problems[card] = {"overlapping or cut": clashes[:6]}
    finally:
        context.close()
    assert len(cards) >= 25
    assert problems == {}
