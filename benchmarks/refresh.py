"""The first request after a new ETL run, against a warm one (``--only refresh``).

Every cached result is keyed by run, so a new run starts cold. With the site running
(gunicorn, as in production), the ETL publishes a new run into its database twice:

* **not warmed**: nothing else happens; the run lookup's few seconds of caching
  (``data.RUN_LOOKUP_SECONDS``) are waited out so the site serves the new run;
* **warmed**: ``python -m dashboard.warm`` runs right after, as ``python -m etl run`` does
  (``WARM_AFTER_RUN``), into the site's shared cache.

Then the Quality of life page (``GET``, its default view) and the page's slowest callback
(a body captured from the page in Chromium, as ``benchmarks.load`` does) are each
requested once (the first request after the refresh) and ``repeats`` more times (warm);
the ratio first ÷ median warm is reported for each (goal: 1.5 or less when warmed), as is
the warming's own time.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks.browser import CALLBACK_PATH, QOL_PATH
from benchmarks.load import capture_payloads, slowest
from benchmarks.site import Site, require_loopback, scoped_environ, site_environment, warm_site
from benchmarks.stats import summarize
from etl import pipeline
from etl.demo import write_demo_extract

logger = logging.getLogger(__name__)

LOOKUP_WAIT_SECONDS = 16.0  # data.RUN_LOOKUP_SECONDS (15) and a margin
TIMEOUT = (5.0, 60.0)


def _timed(url: str, payload: dict[str, Any] | None) -> float:
    """One request's milliseconds (a POST of ``payload``, else a GET as a browser sends)."""
    started = time.perf_counter()
    if payload is None:
        response = requests.get(url, headers={"Accept-Encoding": "br, gzip"}, timeout=TIMEOUT)
    else:
        response = requests.post(url, json=payload, timeout=TIMEOUT)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def _publish(site: Site, folder: Path) -> str:
    extract = folder / "demo_program_extract"
    if not extract.exists():
        write_demo_extract(extract)
    with scoped_environ({"QUARANTINE_DIR": str(folder / "quarantine")}):
        summary = pipeline.run(database_url=site.database_url, program_extract_dir=str(extract))
    return summary.run_id


def run(site: Site, folder: Path, repeats: int = 10) -> dict[str, Any]:
    page_url, callback_url = site.url(QOL_PATH), site.url(CALLBACK_PATH)
    require_loopback(page_url)
    payload, _median = slowest(site, capture_payloads(site, QOL_PATH))
    requests_to_time = {"page": (page_url, None), "callback": (callback_url, payload)}
    for url, body in requests_to_time.values():
        _timed(url, body)  # the served run is warm before we start
    results: dict[str, Any] = {"repeats": repeats, "callback_output": payload["output"][:120]}
    env = site_environment(folder, site.database_url, site.port, site.workers)
    for case in ("not_warmed", "warmed"):
        run_id = _publish(site, folder)
        case_result: dict[str, Any] = {"run_id": run_id}
        if case == "warmed":
            case_result["warming_seconds"] = round(warm_site(env), 2)
        else:
            time.sleep(LOOKUP_WAIT_SECONDS)
        for name, (url, body) in requests_to_time.items():
            first = _timed(url, body)
            warm = summarize([_timed(url, body) for _ in range(repeats)])
            case_result[name] = {
                "first_ms": round(first, 1),
                "warm_ms": warm,
                "first_over_warm": round(first / warm["median"], 2) if warm["median"] else None,
            }
            logger.info(
                "refresh %s, %s: first %.1f ms, warm median %.1f ms",
                case,
                name,
                first,
                warm["median"],
            )
        results[case] = case_result
    return results
