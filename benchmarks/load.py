"""Requests per second under load, this site against the bare Dash app (``--only load``).

`wrk` (Debian's package, a C load generator, so the client is not the bottleneck) opens
``--connections`` (20) connections for ``--load-seconds`` (60) on each endpoint, with a
browser's ``Accept-Encoding``:

* every page of the site (``GET``), and the bare app's page;
* the slowest callback of each chart page and the bare app's callback (``POST``), with
  bodies captured from a real page in Chromium: each control of the page is changed in
  turn and every callback request it sends is recorded; each captured body is timed (10
  requests) and the slowest is the one loaded.

Reported per endpoint: requests per second, latency p50/p95/p99 and max (wrk's own
histogram), errors (connection, read, write, timeouts and non-2xx/3xx answers), and how
many times gunicorn recycled a worker meanwhile (``max_requests``): at the site's rates a
60-second run sees several, and its errors show whether a recycle dropped requests.
Ratios: site ÷ bare app (requests per second: goal 1.0 or more; p95: 1.0 or less).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Request

from benchmarks.browser import CALLBACK_PATH, VIEWPORT, chromium
from benchmarks.site import Site, require_loopback, worker_restarts
from benchmarks.stats import summarize
from dashboard import router

logger = logging.getLogger(__name__)

CHART_PAGES = ("/enrollment", "/recidivism", "/drug-use", "/quality-of-life", "/funding")
TIMED_REQUESTS = 10
INTERACTIVE = (
    "!document.getElementById('ssr') || document.documentElement.classList.contains('hydrated')"
)
CHOICES = ", ".join(
    f"#react-entry-point input[type={kind}]:visible" for kind in ("radio", "checkbox")
)
SCRIPT = """
wrk.method = os.getenv("LOAD_METHOD") or "GET"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
local body = os.getenv("LOAD_BODY")
if body then
  local handle = io.open(body, "rb")
  wrk.body = handle:read("*a")
  handle:close()
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  io.write(string.format(
    "LOAD-RESULT {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, "
    .. "\\"p95_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d, \\"connect\\": %d, "
    .. "\\"read\\": %d, \\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def wrk(url: str, seconds: int, connections: int, body: bytes | None = None) -> dict[str, Any]:
    """One wrk run; its numbers as a dict."""
    require_loopback(url)
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("the load benchmark needs wrk (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        script = Path(folder) / "load.lua"
        script.write_text(SCRIPT, encoding="utf-8")
        env = {"LOAD_METHOD": "POST" if body is not None else "GET"}
        if body is not None:
            (Path(folder) / "body.json").write_bytes(body)
            env["LOAD_BODY"] = str(Path(folder) / "body.json")
        done = subprocess.run(
            [
                binary,
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
            env=env,
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOAD-RESULT "))
    raw = json.loads(line.removeprefix("LOAD-RESULT "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "latency_ms": {k: round(raw[f"{k}_us"] / 1000, 1) for k in ("p50", "p95", "p99", "max")},
        "errors": errors,
        "error_kinds": {
            k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]
        },
    }


def capture_payloads(server: Site, path: str) -> list[dict[str, Any]]:
    """Every distinct callback body a page sends when each of its controls is changed."""
    url = server.url(path)
    require_loopback(url)
    bodies: dict[str, Any] = {}
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
        try:
            page = context.new_page()

            def record(request: Request) -> None:
                if request.method == "POST" and CALLBACK_PATH in request.url:
                    bodies.setdefault(request.post_data or "", request.post_data_json)

            page.on("request", record)
            page.goto(url, timeout=30_000)
            page.evaluate("window.leadHydrate && window.leadHydrate()")  # a first interaction
            page.wait_for_function(INTERACTIVE, timeout=30_000)
            _change_every_control(page)
            page.wait_for_timeout(1000)
        finally:
            context.close()
    return [b for b in bodies.values() if isinstance(b, dict)]


def _change_every_control(page: Any) -> None:
    """Pick another value in each select, and click each radio and checkbox not checked."""
    for select in page.locator("#react-entry-point select:visible").all():
        values = select.locator("option").evaluate_all(
            "os => os.map((o) => o.value).filter(Boolean)"
        )
        current = select.input_value()
        other = next((v for v in values if v != current), None)
        if other is not None:
            select.select_option(other)
            page.wait_for_timeout(300)
    for box in page.locator(CHOICES).all():
        box.click()
        page.wait_for_timeout(300)
    dropdowns = page.locator(".dash-dropdown:visible")  # the bare app's dcc.Dropdown
    if dropdowns.count():
        dropdowns.first.click()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)


def slowest(server: Site, payloads: list[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """The payload with the slowest median of :data:`TIMED_REQUESTS` sequential requests."""
    url = server.url(CALLBACK_PATH)
    timed: list[tuple[float, dict[str, Any]]] = []
    with requests.Session() as session:
        for payload in payloads:
            samples = []
            for _ in range(TIMED_REQUESTS):
                started = time.perf_counter()
                response = session.post(url, json=payload, timeout=30)
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code not in (200, 204):
                    break
            else:
                timed.append((summarize(samples)["median"], payload))
    if not timed:
        raise RuntimeError(f"none of {len(payloads)} captured callbacks answered 200 or 204")
    median, payload = max(timed, key=lambda item: item[0])
    return payload, median


def _measure(
    server: Site, name: str, url: str, seconds: int, connections: int, body: bytes | None = None
) -> dict[str, Any]:
    restarts = worker_restarts(server)
    result = wrk(url, seconds, connections, body)
    result["worker_restarts"] = worker_restarts(server) - restarts
    logger.info(
        "load %s: %.0f req/s, p95 %.1f ms, %d errors %s, %d worker restarts",
        name,
        result["requests_per_second"],
        result["latency_ms"]["p95"],
        result["errors"],
        result["error_kinds"] or "",
        result["worker_restarts"],
    )
    return result


def run(site: Site, bare: Site, seconds: int = 60, connections: int = 20) -> dict[str, Any]:
    """Every page and each chart page's slowest callback, then the bare app's."""
    started = time.perf_counter()
    results: dict[str, Any] = {"seconds_each": seconds, "connections": connections}
    bare_payloads = capture_payloads(bare, "/")
    bare_payload, bare_ms = slowest(bare, bare_payloads)
    results["bare"] = {
        "page": _measure(bare, "bare GET /", bare.url("/"), seconds, connections),
        "callback": _measure(
            bare,
            "bare callback",
            bare.url(CALLBACK_PATH),
            seconds,
            connections,
            json.dumps(bare_payload).encode(),
        ),
    }
    results["bare"]["callback"]["median_alone_ms"] = bare_ms
    pages: dict[str, Any] = {}
    for path in router.PAGES:
        pages[path] = {"page": _measure(site, f"GET {path}", site.url(path), seconds, connections)}
    for path in CHART_PAGES:
        captured = capture_payloads(site, path)
        if not captured:  # a page without controls sends no callback
            logger.info("load %s: no callback to measure (the page has no controls)", path)
            continue
        payload, alone_ms = slowest(site, captured)
        result = _measure(
            site,
            f"callback of {path}",
            site.url(CALLBACK_PATH),
            seconds,
            connections,
            json.dumps(payload).encode(),
        )
        result["output"] = payload["output"][:120]
        result["median_alone_ms"] = alone_ms
        pages[path]["callback"] = result
    base_page = results["bare"]["page"]
    base_callback = results["bare"]["callback"]
    for entry in pages.values():
        for kind, base in (("page", base_page), ("callback", base_callback)):
            if kind in entry:
                entry[kind]["rps_ratio"] = round(
                    entry[kind]["requests_per_second"] / base["requests_per_second"], 2
                )
                entry[kind]["p95_ratio"] = round(
                    entry[kind]["latency_ms"]["p95"] / base["latency_ms"]["p95"], 2
                )
    results["pages"] = pages
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results
