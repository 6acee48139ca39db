"""Charts as static SVG, rendered once per data version, for the served HTML.

Each default chart is drawn by plotly.js itself (the vendored bundle the site ships, in
headless Chromium through Playwright, as the briefing PDF is) when the data are published
(:mod:`dashboard.warm`), at two widths: a desktop card's and a phone's. The SVGs are kept in
the shared cache under a hash of the figure, so any page, embed or view that draws the same
figure finds them; the served page shows the one for the reader's width in the place where
the interactive chart mounts, the same height, so nothing moves when it does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from plotly.utils import PlotlyJSONEncoder

from dashboard import data
from etl import settings

logger = logging.getLogger(__name__)

# CSS pixels: a chart card's plot on a desktop page (72rem less the paddings) and on a
# 390-pixel phone.
WIDTHS = {"wide": 1078, "narrow": 340}
DEFAULT_HEIGHT = 450
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
RENDER_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class ChartSource:
    """A figure ready to draw: its JSON (for plotly.js) and its key in the cache."""

    figure: dict[str, Any]
    key: str

    @property
    def height(self) -> int:
        return int((self.figure.get("layout") or {}).get("height") or DEFAULT_HEIGHT)


def chart_source(figure: object) -> ChartSource | None:
    """``figure`` (a plotly Figure or its dict) as JSON with its content hash; None for an
    empty chart (nothing drawn, nothing to show before the script)."""
    if figure is None:
        return None
    text = json.dumps(figure, cls=PlotlyJSONEncoder, sort_keys=True, separators=(",", ":"))
    as_dict: dict[str, Any] = json.loads(text)
    if not as_dict.get("data"):
        return None
    return ChartSource(as_dict, hashlib.sha256(text.encode()).hexdigest()[:32])


def _cache_key(key: str, width: str) -> str:
    return f"svg:{key}:{width}"


def cached_svgs(source: ChartSource) -> dict[str, str] | None:
    """The SVGs of a figure by width name, if they have been rendered."""
    found = {name: data.cache.get(_cache_key(source.key, name)) for name in WIDTHS}
    if any(svg is None for svg in found.values()):
        return None
    return {name: str(svg) for name, svg in found.items()}


def markup(source: ChartSource) -> str | None:
    """The chart's static markup for the served page, or None if not rendered yet."""
    svgs = cached_svgs(source)
    if svgs is None:
        return None
    return "".join(
        f'<div class="ssr-chart__svg ssr-chart__svg--{name}">{svg}</div>'
        for name, svg in svgs.items()
    )


def responsive(svg: str, width: int, height: int) -> str:
    """plotly.js's SVG scaled to its box: a view box instead of a fixed size; hidden from
    screen readers (the chart's text alternative is the caption and the table)."""
    svg = re.sub(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    return svg.replace(
        "<svg",
        f'<svg viewBox="0 0 {width} {height}" width="100%" height="100%" '
        'preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false"',
        1,
    )


def render(sources: Iterable[ChartSource]) -> int:
    """Render every figure not yet in the cache, at each width; returns how many SVGs were
    rendered. Needs headless Chromium (``CHROMIUM_PATH``); without it, renders none (the
    pages then show each chart when the script draws it)."""
    pending = {s.key: s for s in sources if cached_svgs(s) is None}
    chromium = settings.get("CHROMIUM_PATH")
    if not pending:
        return 0
    if not Path(chromium).exists():
        logger.warning("static charts not rendered: no Chromium at %s", chromium)
        return 0
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- heavy, only here

    from dashboard.app_factory import PLOTLY_BUNDLE  # noqa: PLC0415 -- avoid a cycle

    bundle = settings.PROJECT_ROOT / "assets" / PLOTLY_BUNDLE
    rendered = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(RENDER_TIMEOUT_MS)
            page.set_content("<!DOCTYPE html><html><body></body></html>")
            page.add_script_tag(path=str(bundle))
            for source in pending.values():
                for name, width in WIDTHS.items():
                    url = page.evaluate(
                        "([figure, width, height]) => Plotly.toImage(figure, "
                        "{format: 'svg', width: width, height: height})",
                        [source.figure, width, source.height],
                    )
                    svg = unquote(str(url).split(",", 1)[1])
                    data.cache.set(
                        _cache_key(source.key, name),
                        responsive(svg, width, source.height),
                        timeout=settings.get("PAGE_CACHE_SECONDS"),
                    )
                    rendered += 1
        finally:
            browser.close()
    return rendered
