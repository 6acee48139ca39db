"""Requests per second: a bounded load from Python against a page and a Dash callback.

A fixed number of requests (default 2000 per endpoint) is sent by a fixed number of
threads (default 8), each with its own ``requests.Session``, to 127.0.0.1 only. Each
request has a timeout and the whole run a time limit; requests not started by then are
counted as ``skipped``. Two endpoints:

* ``GET /quality-of-life``: the page's HTML shell (Dash's index page).
* ``POST /_dash-update-component`` with the trend chart's callback payload (counts of
  robbery by month for the three neighborhoods): the query layer and the figure,
  table, summary and footer built on the server. The payload is captured from a real
  page load in Chromium; if that fails it is constructed from the page's component ids.

Reported: requests per second (completed requests / wall time), latency percentiles of
each request, a count per HTTP status and error type, and how many times gunicorn
recycled a worker meanwhile (``max_requests`` in gunicorn.conf.py).

The load generator runs on the same machine as the server and competes with it for the
CPUs, so these figures are a floor, not what a separate client would see.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from benchmarks.browser import CALLBACK_PATH, QOL_PATH, TREND_OUTPUT, VIEWPORT, chromium
from benchmarks.site import Site, require_loopback, worker_restarts
from benchmarks.stats import summarize

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
WARMUP_REQUESTS = 16
CAPTURE_TIMEOUT_MS = 30_000


def capture_callback_payload(site: Site) -> dict[str, Any]:
    """The JSON body Chromium posts for the trend chart's callback on a real page load."""
    url = site.url(QOL_PATH)
    require_loopback(url)
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            with page.expect_request(
                lambda r: (
                    r.method == "POST"
                    and CALLBACK_PATH in r.url
                    and TREND_OUTPUT in (r.post_data or "")
                ),
                timeout=CAPTURE_TIMEOUT_MS,
            ) as captured:
                page.goto(url, wait_until="commit", timeout=CAPTURE_TIMEOUT_MS)
            payload = captured.value.post_data_json
        finally:
            context.close()
    if not isinstance(payload, dict):
        raise ValueError(f"the captured callback body is not a JSON object: {payload!r}")
    return payload


def constructed_callback_payload() -> dict[str, Any]:
    """The same payload built from the page's ids (used only if capturing fails)."""
    from dashboard.pages.quality_of_life import (
        DEFAULT_GROUP,
        Ids,
    )  # imported late: registers callbacks

    outputs = Ids.TREND.outputs()
    return {
        "output": ".."
        + "...".join(f"{o.component_id}.{o.component_property}" for o in outputs)
        + "..",
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs],
        "inputs": [
            {"id": Ids.GROUP, "property": "value", "value": DEFAULT_GROUP},
            {"id": Ids.MEASURE, "property": "value", "value": "count"},
        ],
        "changedPropIds": [],
        "parsedChangedPropsIds": [],
        "state": [],
    }


def hammer(
    method: str,
    url: str,
    total: int,
    concurrency: int,
    time_limit_seconds: float,
    body: bytes | None = None,
) -> dict[str, Any]:
    """Send ``total`` requests from ``concurrency`` threads; stop starting new ones at the
    time limit. Returns throughput, latency percentiles and outcome counts."""
    require_loopback(url)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    local = threading.local()
    sessions: list[requests.Session] = []
    sessions_lock = threading.Lock()
    deadline = time.monotonic() + time_limit_seconds

    def one(_number: int) -> tuple[str, float, int]:
        if time.monotonic() > deadline:
            return "skipped", 0.0, 0
        session: requests.Session | None = getattr(local, "session", None)
        if session is None:
            session = requests.Session()
            local.session = session
            with sessions_lock:
                sessions.append(session)
        started = time.perf_counter()
        try:
            response = session.request(
                method, url, data=body, headers=headers, timeout=REQUEST_TIMEOUT
            )
            size = len(response.content)
            outcome = str(response.status_code)
        except requests.RequestException as exc:
            size = 0
            outcome = type(exc).__name__
        return outcome, (time.perf_counter() - started) * 1000, size

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(one, range(total)))
    finally:
        for session in sessions:
            session.close()
    elapsed = time.perf_counter() - started
    outcomes = Counter(outcome for outcome, _ms, _size in results)
    done = [(ms, size) for outcome, ms, size in results if outcome != "skipped"]
    ok_sizes = [size for outcome, _ms, size in results if outcome == "200"]
    return {
        "requests_planned": total,
        "requests_completed": len(done),
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(done) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": summarize([ms for ms, _size in done]),
        "outcomes": dict(sorted(outcomes.items())),
        "errors": sum(
            count for outcome, count in outcomes.items() if outcome not in ("200", "skipped")
        ),
        "response_bytes_mean": round(sum(ok_sizes) / len(ok_sizes)) if ok_sizes else 0,
    }


def run(
    site: Site, total: int = 2000, concurrency: int = 8, time_limit_seconds: float = 180.0
) -> dict[str, Any]:
    """Load ``GET /quality-of-life`` and then the trend callback, one after the other."""
    try:
        payload = capture_callback_payload(site)
        payload_source = "captured from Chromium"
    except Exception as exc:  # any failure here only means: build it instead
        logger.warning("could not capture the callback payload (%s); constructing it", exc)
        payload = constructed_callback_payload()
        payload_source = "constructed from component ids"
    body = json.dumps(payload).encode("utf-8")
    endpoints: list[tuple[str, str, str, bytes | None]] = [
        ("page", "GET", site.url(QOL_PATH), None),
        ("callback", "POST", site.url(CALLBACK_PATH), body),
    ]
    results: dict[str, Any] = {
        "callback_payload_source": payload_source,
        "callback_inputs": {i["id"]: i.get("value") for i in payload.get("inputs", [])},
        "callback_payload_bytes": len(body),
    }
    for name, method, url, data in endpoints:
        warm = hammer(method, url, WARMUP_REQUESTS, 1, time_limit_seconds, data)
        restarts_before = worker_restarts(site)
        measured = hammer(method, url, total, concurrency, time_limit_seconds, data)
        measured["worker_restarts"] = worker_restarts(site) - restarts_before
        measured["warmup_outcomes"] = warm["outcomes"]
        measured["request"] = f"{method} {url.removeprefix(site.base_url)}"
        results[name] = measured
        logger.info(
            "%s: %.1f req/s, median %.1f ms, p95 %.1f ms, %s errors",
            measured["request"],
            measured["requests_per_second"],
            measured["latency_ms"].get("median", float("nan")),
            measured["latency_ms"].get("p95", float("nan")),
            measured["errors"],
        )
    return results
