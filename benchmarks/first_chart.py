"""The first drawn chart, this site's pages against the bare Dash app, A/B interleaved.

Each load is a first visit: a fresh browser context (empty cache), viewport 1280x900,
headless Chromium. Loads alternate: the bare app, then each of the site's chart pages and
one embed, round after round, so a slow moment of the machine falls on both.

In the page, before any of its scripts (an init script):

* ``chart_drawn_ms``, the headline: from navigation start to the first animation frame in
  which a plotted trace (``.scatterlayer .trace`` or ``.barlayer .trace``) is on screen
  (has a box, and is not hidden). On this site that is the chart the server rendered as
  SVG into the HTML; on the bare app, the chart its callback drew.
* ``interactive_ms``: when the page is interactive: on this site when the interactive
  page has replaced the served one (``html.hydrated``), for a reader whose first
  interaction comes as soon as the page is parsed (the interactive page loads on a first
  interaction; here it is started at ``DOMContentLoaded``, the earliest a reader could);
  on the bare app the same moment as its chart (its chart is its interactive page).
* ``fcp_ms``, ``lcp_ms``: first and largest contentful paint (the browser's own).
* ``transfer_kilobytes``: bytes on the wire (compressed), the page and all it loaded.

``ratio``: the site's median ÷ the bare app's median (goal for the first chart: 0.5 or
less).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from playwright.sync_api import Browser

from benchmarks.browser import VIEWPORT, chromium
from benchmarks.site import Site, require_loopback
from benchmarks.stats import summarize

logger = logging.getLogger(__name__)

SITE_PATHS = (
    "/enrollment",
    "/recidivism",
    "/drug-use",
    "/quality-of-life",
    "/funding",
    "/briefing",
    "/embed/qol-trend",
)
LOAD_TIMEOUT_MS = 30_000
MEASURED = ("chart_drawn_ms", "interactive_ms", "fcp_ms", "lcp_ms", "transfer_kilobytes")

WATCH = """
(() => {
  const marks = window.__bench = {};
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === 'visible';
  };
  const frame = () => {
    const now = performance.now();
    if (marks.chart === undefined) {
      const traces = document.querySelectorAll('.scatterlayer .trace, .barlayer .trace');
      for (const trace of traces) { if (visible(trace)) { marks.chart = now; break; } }
    }
    if (marks.interactive === undefined
        && document.documentElement.classList.contains('hydrated')) {
      marks.interactive = now;
    }
    if (marks.chart === undefined || (window.__benchHydrates && !marks.interactive)) {
      requestAnimationFrame(frame);
    }
  };
  requestAnimationFrame(frame);
  if (window.__benchHydrates) {
    document.addEventListener('DOMContentLoaded', () => window.leadHydrate && window.leadHydrate());
  }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === 'first-contentful-paint') { marks.fcp = entry.startTime; }
    }
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    marks.lcp = entries[entries.length - 1].startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
})();
"""

READ = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const bytes = performance.getEntriesByType('resource')
    .reduce((sum, e) => sum + (e.transferSize || 0), nav ? nav.transferSize || 0 : 0);
  return {...window.__bench, bytes};
}"""


def load_once(browser: Browser, url: str, hydrates: bool) -> dict[str, float]:
    """One first visit; milliseconds of each milestone since navigation start."""
    require_loopback(url)
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    try:
        context.add_init_script(f"window.__benchHydrates = {'true' if hydrates else 'false'};")
        context.add_init_script(WATCH)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        condition = "window.__bench && window.__bench.chart !== undefined" + (
            " && window.__bench.interactive !== undefined" if hydrates else ""
        )
        page.wait_for_function(condition, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(100)  # the largest paint may come just after
        marks: dict[str, Any] = page.evaluate(READ)
    finally:
        context.close()
    chart = _number(marks.get("chart"))
    return {
        "chart_drawn_ms": chart,
        "interactive_ms": _number(marks.get("interactive")) if hydrates else chart,
        "fcp_ms": _number(marks.get("fcp")),
        "lcp_ms": _number(marks.get("lcp")),
        "transfer_kilobytes": _number(marks.get("bytes")) / 1000,
    }


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def run(site: Site, bare: Site, loads: int = 10) -> dict[str, Any]:
    """``loads`` rounds; each loads the bare app, then every site path, in fresh contexts."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in ("bare", *SITE_PATHS)}
    started = time.perf_counter()
    with chromium() as browser:
        # One unmeasured round: each server's first requests (imports, caches, compression).
        load_once(browser, bare.url("/"), hydrates=False)
        for path in SITE_PATHS:
            load_once(browser, site.url(path), hydrates=True)
        for number in range(loads):
            samples["bare"].append(load_once(browser, bare.url("/"), hydrates=False))
            for path in SITE_PATHS:
                samples[path].append(load_once(browser, site.url(path), hydrates=True))
            logger.info(
                "first chart round %s/%s: bare %.0f ms, quality of life %.0f ms",
                number + 1,
                loads,
                samples["bare"][-1]["chart_drawn_ms"],
                samples["/quality-of-life"][-1]["chart_drawn_ms"],
            )
        version = browser.version
    summary: dict[str, dict[str, Any]] = {
        name: {key: summarize([s[key] for s in runs]) for key in MEASURED}
        for name, runs in samples.items()
    }
    bare_median = summary["bare"]["chart_drawn_ms"]["median"]
    for path in SITE_PATHS:
        for key in ("chart_drawn_ms", "interactive_ms", "lcp_ms"):
            base = summary["bare"][key]["median"]
            summary[path][f"{key.removesuffix('_ms')}_ratio"] = (
                round(summary[path][key]["median"] / base, 2) if base else None
            )
    return {
        "browser": f"Chromium {version} (headless)",
        "viewport": VIEWPORT,
        "loads": loads,
        "bare_chart_drawn_median_ms": bare_median,
        "pages": summary,
        "seconds": round(time.perf_counter() - started, 1),
    }
