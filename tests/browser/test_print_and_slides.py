"""The briefing where council members read it: printed (Letter width, print stylesheet) and
projected (1920 x 1080 slides). Checked on what the browser draws: no two text boxes of a
chart overlap (tick labels, legend, annotations, titles, numbers on bars), no text is cut
at a chart's edge, every text is at least 9 pt printed and 24 px on a slide, each slide
fits the screen and each chart slide carries the demonstration label and its source."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from playwright.sync_api import Page, expect

TEXT_BOXES = (Path(__file__).with_name("text_boxes.js")).read_text(encoding="utf-8")
READY = (
    "() => [...document.querySelectorAll('#brief .brief__graph')]"
    ".every((g) => g.querySelector('.main-svg'))"
)
SMALL_TEXT = """(limit) => {
  const root = document.querySelector('.brief-slide.is-current')
    || document.querySelector('#brief');
  const small = [];
  root.querySelectorAll('*').forEach((node) => {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    const box = node.getBoundingClientRect();
    if (!own || box.width === 0 || getComputedStyle(node).display === 'none') { return; }
    const size = parseFloat(getComputedStyle(node).fontSize);
    if (size < limit) { small.push(`${size}px: ${node.textContent.trim().slice(0, 40)}`); }
  });
  return small;
}"""


def _open_brief(page: Page, base_url: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(base_url + "/briefing")
    page.wait_for_function(READY, timeout=20_000)
    page.wait_for_load_state("networkidle")  # the page's last callbacks have answered


def test_the_printed_brief_has_no_overlapping_or_small_text(page: Page, base_url: str) -> None:
    _open_brief(page, base_url, 816, 1056)  # US Letter at 96 px per inch
    page.emulate_media(media="print")
    # Charts redrawn at their printed width, as the browser does before it prints.
    page.evaluate(
        "() => Promise.all([...document.querySelectorAll('#brief .js-plotly-plot')]"
        ".map((g) => window.Plotly.Plots.resize(g)))"
    )
    page.wait_for_timeout(300)
    assert page.evaluate(TEXT_BOXES, "#brief") == []
    # 9 pt = 12 px at 100% scale.
    assert page.evaluate(SMALL_TEXT, 12) == []
    # The offense chart's time axis ends at its last month, not at a later date.
    axis_end = page.evaluate(
        "() => { const g = [...document.querySelectorAll('#brief .js-plotly-plot')].pop();"
        " return g.layout.xaxis.range[1]; }"
    )
    last_x = page.evaluate(
        "() => { const g = [...document.querySelectorAll('#brief .js-plotly-plot')].pop();"
        " return g.data[0].x[g.data[0].x.length - 1]; }"
    )
    assert pd.Timestamp(axis_end) == pd.Timestamp(last_x)


def test_every_slide_fits_the_screen_with_large_text_and_its_provenance(
    page: Page, base_url: str
) -> None:
    _open_brief(page, base_url, 1920, 1080)
    page.get_by_role("button", name="Present").click()
    slides = page.locator("#brief .brief-slide")
    count = slides.count()
    assert count == 5  # key figures, in brief, three charts
    for number in range(count):
        current = page.locator(".brief-slide.is-current")
        expect(current).to_have_count(1)
        page.wait_for_timeout(600)  # the chart is restyled for the screen
        box = current.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1080, f"slide {number + 1}"
        assert page.evaluate(SMALL_TEXT, 24) == [], f"slide {number + 1}"
        if current.locator(".js-plotly-plot").count():
            assert page.evaluate(TEXT_BOXES, ".brief-slide.is-current") == []
            source = current.locator(".brief__slide-source")
            expect(source).to_be_visible()
            expect(source).to_contain_text("Source:")
        if number < 4:  # the last chart (reported offenses) is real police data
            expect(current.locator(".demo-label").first).to_be_visible()
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    expect(page.locator("#brief")).not_to_have_class(re.compile(r"\bis-presenting\b"))
