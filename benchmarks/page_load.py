"""Page load: time until the Quality of life trend chart is drawn in headless Chromium.

Each load uses a fresh browser context (empty cache, no cookies), so every load fetches
the Dash bundles, the layout and the callback result again, as a first-time visitor
would. The chart counts as drawn when ``#qol-trend-graph .scatterlayer .trace`` (a
plotted line) exists and is visible.

Two clocks are reported:

* ``chart_drawn_ms``: in-page, ``performance.now()`` (milliseconds since navigation
  start) when a MutationObserver first sees the trace element. This is the headline.
* ``wall_ms``: Python's clock from ``page.goto`` until Playwright's wait for the visible
  selector returns (adds Playwright's own round trips, a few ms).

For context, also from the browser's timing APIs (milliseconds since navigation start):
``ttfb_ms`` (first byte of the HTML), ``dom_content_loaded_ms``, ``callbacks_done_ms``
(the last ``/_dash-update-component`` response before the chart appeared) and
``plotly_js_loaded_ms`` (plotly.js, which dcc.Graph loads on demand, fully received).
What lies between the last of these and ``chart_drawn_ms`` is work in the browser.

The very first load after the server starts (cold worker imports, empty query cache) is
reported separately as ``cold`` and left out of the statistics.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from playwright.sync_api import Browser

from benchmarks.browser import CALLBACK_PATH, CHART_SELECTOR, QOL_PATH, VIEWPORT, chromium
from benchmarks.site import Site, require_loopback
from benchmarks.stats import summarize

logger = logging.getLogger(__name__)

LOAD_TIMEOUT_MS = 30_000
SUMMARIZED = (
    "chart_drawn_ms",
    "wall_ms",
    "ttfb_ms",
    "dom_content_loaded_ms",
    "callbacks_done_ms",
    "plotly_js_loaded_ms",
)

# Runs before any page script: note when the chart's first trace appears.
MARK_CHART_SCRIPT = """
(() => {
  const selector = __SELECTOR__;
  const mark = () => {
    if (window.__benchChartDrawnAt === undefined && document.querySelector(selector)) {
      window.__benchChartDrawnAt = performance.now();
    }
    return window.__benchChartDrawnAt !== undefined;
  };
  if (!mark()) {
    const observer = new MutationObserver(() => { if (mark()) observer.disconnect(); });
    observer.observe(document, { childList: true, subtree: true });
  }
})();
""".replace("__SELECTOR__", json.dumps(CHART_SELECTOR))

NAVIGATION_TIMING = """
([callbackPath]) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const drawn = window.__benchChartDrawnAt ?? null;
  const callbacks = resources.filter(
    (e) => e.name.includes(callbackPath) && (drawn === null || e.responseEnd <= drawn));
  const plotly = resources.filter((e) => /plotly[^/]*[.]js/.test(e.name));
  return {
    ttfb: nav ? nav.responseStart : null,
    dom_content_loaded: nav ? nav.domContentLoadedEventEnd : null,
    chart_drawn: drawn,
    callbacks_done: callbacks.length ? Math.max(...callbacks.map((e) => e.responseEnd)) : null,
    callback_requests: callbacks.length,
    plotly_js_loaded: plotly.length ? Math.max(...plotly.map((e) => e.responseEnd)) : null,
    resources: resources.length,
    transfer_bytes: resources.reduce((sum, e) => sum + (e.transferSize || 0), 0)
      + (nav ? nav.transferSize || 0 : 0),
  };
}
"""


def load_once(browser: Browser, url: str) -> dict[str, float]:
    """One load in a fresh context; milliseconds of each milestone."""
    require_loopback(url)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(MARK_CHART_SCRIPT)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(CHART_SELECTOR, state="visible", timeout=LOAD_TIMEOUT_MS)
        wall_ms = (time.perf_counter() - started) * 1000
        timing: dict[str, Any] = page.evaluate(NAVIGATION_TIMING, [CALLBACK_PATH])
    finally:
        context.close()
    return {
        "chart_drawn_ms": _number(timing["chart_drawn"]),
        "wall_ms": wall_ms,
        "ttfb_ms": _number(timing["ttfb"]),
        "dom_content_loaded_ms": _number(timing["dom_content_loaded"]),
        "callbacks_done_ms": _number(timing["callbacks_done"]),
        "plotly_js_loaded_ms": _number(timing["plotly_js_loaded"]),
        "callback_requests": _number(timing["callback_requests"]),
        "resources": _number(timing["resources"]),
        "transfer_kilobytes": _number(timing["transfer_bytes"]) / 1000,
    }


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def run(site: Site, loads: int = 10) -> dict[str, Any]:
    """``loads`` measured page loads (after one cold load), each in a fresh context."""
    url = site.url(QOL_PATH)
    samples: list[dict[str, float]] = []
    with chromium() as browser:
        cold = load_once(browser, url)
        logger.info("cold page load: chart drawn at %.0f ms", cold["chart_drawn_ms"])
        for number in range(loads):
            samples.append(load_once(browser, url))
            logger.info(
                "page load %s/%s: chart drawn at %.0f ms",
                number + 1,
                loads,
                samples[-1]["chart_drawn_ms"],
            )
        browser_version = browser.version
    return {
        "url_path": QOL_PATH,
        "browser": f"Chromium {browser_version} (headless)",
        "viewport": VIEWPORT,
        "cold": {key: round(value, 1) for key, value in cold.items()},
        **{key: summarize([s[key] for s in samples]) for key in SUMMARIZED},
        "callback_requests_per_load": samples[-1]["callback_requests"],
        "resources_per_load": samples[-1]["resources"],
        "transfer_kilobytes_per_load": round(samples[-1]["transfer_kilobytes"], 1),
    }
