"""Sharing from a chart card in headless Chromium: image and data downloads, the
permalink, the embed route, and axe on the open panel."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_site import axe_violations, open_quality_of_life, open_share

PANEL = "#qol-trend-share"


def open_share_panel(page: Page) -> None:
    open_share(page, "qol-trend")
    expect(page.locator(f"{PANEL} [data-export=png][data-preset=web]")).to_be_visible()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_download_png_has_the_preset_size_and_was_drawn_with_title_and_source(
    page: Page, base_url: str
) -> None:
    open_quality_of_life(page, base_url)
    open_share_panel(page)
    for preset, size in {"web": (1920, 1200), "square": (2160, 2160)}.items():
        with page.expect_download() as download:
            page.locator(f"{PANEL} [data-export=png][data-preset={preset}]").click()
        assert download.value.suggested_filename == f"belltown-lead_qol-trend_{preset}.png"
        assert png_size(Path(download.value.path())) == size
        exported = page.evaluate("window.leadLastExport")
        assert exported["title"] == (
            "<b>Reported offenses: Belltown and comparison neighborhoods — Robbery, 12-month "
            "average</b>"
        )
        assert exported["footer"][0].startswith(
            "Source: City of Seattle, Seattle Police Department"
        )
        assert any("Last refreshed:" in line for line in exported["footer"])
        assert exported["footer"][-1].startswith(f"{base_url}/quality-of-life?")
        # Drawn wrapped to the image: the long permalink is broken, not cut at the edge.
        lines = exported["footer_lines"]
        assert max(len(line) for line in lines) <= exported["footer_limit"]
        url = exported["footer"][-1]
        assert url in "".join(lines) or len(url) <= exported["footer_limit"]
        assert " ".join(exported["subtitle_lines"]).split() == exported["subtitle"].split()
    expect(page.locator(f"{PANEL} .share-panel__status")).to_have_text(
        "Image downloaded (PNG, square)."
    )
    assert page.console_errors == []


def test_download_svg_carries_title_source_and_address_as_text(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    open_share_panel(page)
    with page.expect_download() as download:
        page.locator(f"{PANEL} [data-export=svg]").click()
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "Reported offenses: Belltown and comparison neighborhoods" in svg
    assert "Source: City of Seattle, Seattle Police Department" in svg
    assert "/quality-of-life?" in svg


def test_download_csv_has_the_rows_of_the_current_view(page: Page, base_url: str) -> None:
    page.goto(
        base_url + "/quality-of-life?qol-areas=belltown&qol-from-year=2011&qol-to-year=2011"
        "&qol-smoothing=month"
    )
    expect(page.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(1, timeout=20_000)
    open_share_panel(page)
    with page.expect_download() as download:
        page.locator(f"{PANEL} a", has_text="CSV").click()
    assert download.value.suggested_filename.startswith("belltown-lead_reported_offenses_")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# Reported offenses per month (reported_offenses)")
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    assert [r["period_start"] for r in rows] == [f"2011-{m:02d}-01" for m in range(1, 13)]
    assert {r["area"] for r in rows} == {"belltown"}
    assert {r["breakdown_value"] for r in rows} == {"robbery"}
    shown = page.locator("#qol-trend-summary").inner_text()
    assert "Belltown" in shown


def test_a_permalink_restores_the_view(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    page.get_by_label("Index (baseline year = 100)").check()
    page.get_by_label("Downtown Commercial").uncheck()
    expect(page.locator("#qol-trend-graph .ytitle")).to_contain_text("index", timeout=20_000)
    expect(page.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(2)
    open_share_panel(page)
    expect(page.locator("#qol-trend-share-link")).to_have_value(
        re.compile(r"qol-measure=index"), timeout=10_000
    )
    link = page.locator("#qol-trend-share-link").input_value()
    assert "qol-areas=belltown%2Ccapitol-hill" in link and link.endswith("#qol-trend")

    fresh = page.context.new_page()
    fresh.goto(link)
    expect(fresh.locator("#qol-trend-graph .ytitle")).to_contain_text("index", timeout=20_000)
    expect(fresh.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(2)
    expect(fresh.get_by_label("Downtown Commercial")).not_to_be_checked()
    expect(fresh.get_by_label("Index (baseline year = 100)")).to_be_checked()
    expect(fresh.locator(".page-notice")).to_have_count(0)


def test_an_invalid_permalink_falls_back_with_a_visible_notice(page: Page, base_url: str) -> None:
    page.goto(base_url + "/quality-of-life?qol-measure=per-capita&qol-areas=mars")
    notice = page.locator(".page-notice")
    expect(notice).to_contain_text("“per-capita” is not a choice for “qol-measure”")
    expect(page.locator("#qol-trend-graph .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    expect(page.get_by_label("Number of offenses")).to_be_checked()


def test_the_embed_route_renders_the_card_alone_and_passes_axe(page: Page, base_url: str) -> None:
    page.goto(base_url + "/embed/qol-map")
    expect(page.locator("#qol-map-graph .scatterlayer .trace")).to_have_count(3, timeout=20_000)
    visible = [h.inner_text() for h in page.locator("h2:visible").all()]
    assert visible == ["Where offenses were reported in Belltown — Robbery"]
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".embed-page__credit a")).to_have_attribute(
        "href", "/quality-of-life#qol-map"
    )
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_the_share_panel_is_keyboard_reachable_and_passes_axe(page: Page, base_url: str) -> None:
    open_quality_of_life(page, base_url)
    summary = page.locator("#qol-trend-share-details > summary")
    expect(summary).to_be_visible(timeout=20_000)
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"{PANEL} [data-export=svg]")).to_be_visible()
    expect(page.locator("#qol-trend-share-embed")).to_have_value(
        re.compile(r'^<iframe src="http://127\.0\.0\.1:\d+/embed/qol-trend\?')
    )
    expect(page.locator("#qol-trend-share-short")).to_have_value(
        re.compile("^Belltown LEAD transparency dashboard, “Reported offenses")
    )
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    ("path", "heading"), [("/data", "Download everything"), ("/api", "Endpoints")]
)
def test_data_and_api_pages_pass_axe(page: Page, base_url: str, path: str, heading: str) -> None:
    page.goto(base_url + path)
    expect(page.locator("h2", has_text=heading)).to_be_visible(timeout=20_000)
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_the_bundle_downloads_from_the_data_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/data")
    with page.expect_download() as download:
        page.get_by_role("link", name="All indicators (zip)").click()
    archive = zipfile.ZipFile(download.value.path())
    names = archive.namelist()
    assert "datapackage.json" in names and "README.md" in names
    assert "data/reported_offenses.csv" in names
