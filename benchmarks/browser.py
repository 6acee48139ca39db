"""Headless Chromium for the browser benchmarks (the system browser; nothing is downloaded)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playwright.sync_api import Browser, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

QOL_PATH = "/quality-of-life"
CHART_SELECTOR = "#qol-trend-graph .scatterlayer .trace"
Y_TITLE_SELECTOR = "#qol-trend-graph .g-ytitle"
MEASURE_INPUT = '#qol-measure input[value="{value}"]'
CALLBACK_PATH = "/_dash-update-component"
TREND_OUTPUT = "qol-trend-graph.figure"


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A launched headless Chromium, closed (with its driver) on the way out."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
