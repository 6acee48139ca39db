"""Building every page for a newly published run, so its first visitor is not its slowest.

Every cached result (queries, figures, page HTML) is keyed by the run it comes from, so a
new run starts with an empty cache. ``python -m dashboard.warm`` (run by ``python -m etl
run`` and the scheduler right after a run publishes; ``WARM_AFTER_RUN``) does, once, what
the first visitor of each page would otherwise wait for:

1. builds each page's and each embeddable card's default view (every card drawn);
2. renders each chart of those views as static SVG, at a desktop and a phone width
   (:mod:`dashboard.static_charts`: plotly.js in headless Chromium);
3. asks the site for each page, in-process through Flask's test client, which writes the
   page's HTML, static charts included, into the shared cache (``CACHE_TYPE=
   FileSystemCache`` for the workers of one machine, ``RedisCache`` for several).

It reads only the published database, like the site; it is a separate process, so the ETL's
memory (which holds person-level records while it runs) never meets the site's code.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import dash
from dash import dcc
from dash.development.base_component import Component

from dashboard import data, page_html, router, static_charts
from dashboard.components.chart_card import CARDS
from dashboard.pages import embed

logger = logging.getLogger("dashboard.warm")  # also when run as __main__


@dataclass
class WarmReport:
    pages: int = 0
    charts: int = 0
    svgs_rendered: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def page_paths() -> list[str]:
    """Every page's path, then every embeddable card's (``/embed/<card_id>``)."""
    embeds = [f"{router.EMBED_PREFIX}{card}" for card in sorted(CARDS) if embed.is_embeddable(card)]
    return [*router.PAGES, *embeds]


def graphs(node: object) -> Iterator[dcc.Graph]:
    """Every chart in a layout."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from graphs(child)
    elif isinstance(node, dcc.Graph):
        yield node
    elif isinstance(node, Component):
        yield from graphs(getattr(node, "children", None))


def warm(app: dash.Dash, paths: list[str] | None = None) -> WarmReport:
    """Build and cache every page's default view of the newest run, static charts included."""
    started = time.perf_counter()
    report = WarmReport()
    paths = paths if paths is not None else page_paths()
    server = app.server
    # The run lookup is cached for a few seconds (data.RUN_LOOKUP_SECONDS), in the shared
    # cache too: forget it, so the new run is the one warmed, and the web workers sharing
    # the cache see it at once.
    with server.app_context():
        data.cache.delete_memoized(data.published_run)
    sources: dict[str, static_charts.ChartSource] = {}
    for path in paths:
        with server.test_request_context(path):
            view = router.view(path)
            if view is None:
                report.failures.append(f"{path}: no such page")
                continue
            for graph in graphs(view.layout):
                source = static_charts.chart_source(getattr(graph, "figure", None))
                if source is not None:
                    sources[source.key] = source
    report.charts = len(sources)
    with server.app_context():
        try:
            report.svgs_rendered = static_charts.render(sources.values())
        except Exception as exc:  # noqa: BLE001 -- pages are still built, without static charts
            report.failures.append(f"static charts: {type(exc).__name__}: {exc}"[:300])
    for path in paths:
        with server.test_request_context(path):
            data.cache.delete(page_html.page_cache_key(path))
    client = server.test_client()
    for path in paths:
        answer = client.get(path)
        if answer.status_code == 200:
            report.pages += 1
        else:
            report.failures.append(f"{path}: the page answered {answer.status_code}")
    report.seconds = time.perf_counter() - started
    return report


def main() -> int:
    """``python -m dashboard.warm``: build the published run's pages; exit 1 on failures."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from app import app  # noqa: PLC0415 - building the site is the slow part; only here

    report = warm(app)
    logger.info(
        "cache warmed: %d pages, %d charts (%d static images rendered) in %.1f s",
        report.pages,
        report.charts,
        report.svgs_rendered,
        report.seconds,
    )
    for failure in report.failures:
        logger.error("warming: %s", failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
