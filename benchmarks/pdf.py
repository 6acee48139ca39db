"""Briefing PDF: the first request of a data version (printed by headless Chromium) and
the requests after it (served from the PDF cache), for Letter and A4.

For each paper size, ``GET /briefing.pdf?paper=...`` is timed once cold (nothing printed
yet for this data version) and then ``repeats`` times warm. Reported: seconds per request,
the PDF's size in bytes and whether every warm answer was byte-for-byte the cold one.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import requests

from benchmarks.site import Site, require_loopback
from benchmarks.stats import summarize

PAPERS = ("letter", "a4")
TIMEOUT = (5.0, 120.0)


def run(site: Site, repeats: int = 10) -> dict[str, Any]:
    results: dict[str, Any] = {"repeats": repeats}
    with requests.Session() as session:
        for paper in PAPERS:
            url = site.url(f"/briefing.pdf?paper={paper}")
            require_loopback(url)
            started = time.perf_counter()
            cold = session.get(url, timeout=TIMEOUT)
            cold_seconds = time.perf_counter() - started
            cold.raise_for_status()
            digest = hashlib.sha256(cold.content).hexdigest()
            warm_ms: list[float] = []
            identical = True
            for _ in range(repeats):
                started = time.perf_counter()
                warm = session.get(url, timeout=TIMEOUT)
                warm_ms.append((time.perf_counter() - started) * 1000)
                warm.raise_for_status()
                identical &= hashlib.sha256(warm.content).hexdigest() == digest
            results[paper] = {
                "cold_seconds": round(cold_seconds, 2),
                "warm_ms": summarize(warm_ms),
                "bytes": len(cold.content),
                "warm_identical_to_cold": identical,
            }
    return results
