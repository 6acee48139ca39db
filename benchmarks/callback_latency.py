"""Callback latency: from choosing a measure on Quality of life to the redrawn chart.

One page is loaded and left open. Each toggle clicks a ``#qol-measure`` radio input, in
the page, and times (``performance.now()``) until the figure's y-axis title shows the new
measure: it contains "index" after choosing "Index (baseline year = 100)" and no longer
does after choosing "Number of offenses". Toggles alternate, starting with the index, so
half the samples are each direction; ``to_index_ms`` is the headline figure.

The time covers the whole round trip a visitor waits for: Dash's request to
``/_dash-update-component``, the server's callback (query layer and figure), the
response, and Plotly's redraw. The browser's resource timing of the callback request
splits it in three (both directions pooled): ``click_to_request_sent_ms`` (Dash in the
browser), ``request_round_trip_ms`` (network and server) and ``response_to_redrawn_ms``
(Dash applying the five outputs and Plotly redrawing, until the new title is in the DOM).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from playwright.sync_api import Page

from benchmarks.browser import (
    CALLBACK_PATH,
    CHART_SELECTOR,
    MEASURE_INPUT,
    QOL_PATH,
    VIEWPORT,
    Y_TITLE_SELECTOR,
    chromium,
)
from benchmarks.site import Site, require_loopback
from benchmarks.stats import summarize

logger = logging.getLogger(__name__)

LOAD_TIMEOUT_MS = 30_000
TOGGLE_TIMEOUT_MS = 15_000

# Click the radio input and resolve with the milliseconds until the y-axis title agrees.
TOGGLE_SCRIPT = """
([inputSelector, titleSelector, graphSelector, callbackPath, wantIndex, timeoutMs]) => {
  const input = document.querySelector(inputSelector);
  if (!input) { throw new Error('no element ' + inputSelector); }
  const graph = document.querySelector(graphSelector);
  const done = () => {
    const title = document.querySelector(titleSelector);
    const text = title ? title.textContent.toLowerCase() : '';
    return text !== '' && text.includes('index') === wantIndex;
  };
  return new Promise((resolve, reject) => {
    let observer = null;
    let timer = null;
    const started = performance.now();
    const finish = () => {
      if (!done()) { return; }
      const elapsed = performance.now() - started;
      observer.disconnect();
      clearTimeout(timer);
      const requests = performance.getEntriesByType('resource').filter(
        (e) => e.name.includes(callbackPath) && e.startTime >= started);
      const last = requests.length ? requests[requests.length - 1] : null;
      resolve({
        total: elapsed,
        request_sent: last ? last.startTime - started : null,
        response_received: last ? last.responseEnd - started : null,
        requests: requests.length,
      });
    };
    observer = new MutationObserver(finish);
    observer.observe(graph, { childList: true, subtree: true, characterData: true });
    timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('the y-axis title did not change within ' + timeoutMs + ' ms'));
    }, timeoutMs);
    input.click();
    finish();
  });
}
"""


def toggle(page: Page, value: str) -> dict[str, float]:
    """Choose measure ``value`` ("index" or "count"); milliseconds from the click to the
    new y-axis title (``total``), to the callback request being sent and to its response
    being received."""
    timing: dict[str, Any] = page.evaluate(
        TOGGLE_SCRIPT,
        [
            MEASURE_INPUT.format(value=value),
            Y_TITLE_SELECTOR,
            "#qol-trend-graph",
            CALLBACK_PATH,
            value == "index",
            TOGGLE_TIMEOUT_MS,
        ],
    )
    return {
        key: float(number) if isinstance(number, int | float) else math.nan
        for key, number in timing.items()
    }


def run(site: Site, toggles: int = 10) -> dict[str, Any]:
    """``toggles`` measured measure changes per direction, alternating, on one open page."""
    url = site.url(QOL_PATH)
    require_loopback(url)
    to_index: list[dict[str, float]] = []
    to_count: list[dict[str, float]] = []
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_selector(CHART_SELECTOR, state="visible", timeout=LOAD_TIMEOUT_MS)
            # The interactive page, once it has replaced the served one (it loads on a first
            # interaction, assets/interactive.js).
            page.evaluate("window.leadHydrate()")
            page.wait_for_function(
                "document.documentElement.classList.contains('hydrated')",
                timeout=LOAD_TIMEOUT_MS,
            )
            title = page.text_content(Y_TITLE_SELECTOR) or ""
            # One unmeasured round trip each way first (the index query is not cached yet).
            warmup = [toggle(page, "index")["total"], toggle(page, "count")["total"]]
            for number in range(toggles):
                to_index.append(toggle(page, "index"))
                to_count.append(toggle(page, "count"))
                logger.info(
                    "toggle %s/%s: to index %.0f ms, back to counts %.0f ms",
                    number + 1,
                    toggles,
                    to_index[-1]["total"],
                    to_count[-1]["total"],
                )
        finally:
            context.close()
    both = to_index + to_count
    return {
        "url_path": QOL_PATH,
        "initial_y_title": title.strip(),
        "warmup_ms": [round(w, 1) for w in warmup],
        "to_index_ms": summarize([t["total"] for t in to_index]),
        "to_count_ms": summarize([t["total"] for t in to_count]),
        "both_directions_ms": summarize([t["total"] for t in both]),
        "click_to_request_sent_ms": summarize([t["request_sent"] for t in both]),
        "request_round_trip_ms": summarize(
            [t["response_received"] - t["request_sent"] for t in both]
        ),
        "response_to_redrawn_ms": summarize([t["total"] - t["response_received"] for t in both]),
        "callback_requests_per_toggle": max(t["requests"] for t in both),
    }
