"""The first request after a new ETL run, against a warm one (``--only refresh``).

Every cached result is keyed by run, so a new run starts cold. With the site running
(gunicorn, as in production), the ETL publishes a new run into its database twice:

* **not warmed**: nothing else happens; the run lookup's few seconds of caching
  (``data.RUN_LOOKUP_SECONDS``) are waited out so the site serves the new run;
* **warmed**: ``python -m dashboard.warm`` runs right after, as ``python -m etl run`` does
  (``WARM_AFTER_RUN``), into the site's shared cache.

Then the Quality of life trend callback (the payload ``benchmarks.http_load`` uses) is
requested once (the first request after the refresh) and ``repeats`` more times (warm);
the ratio first ÷ median warm is reported for each case, as is the warming's own time.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks.browser import CALLBACK_PATH
from benchmarks.http_load import capture_callback_payload, constructed_callback_payload
from benchmarks.site import Site, require_loopback, scoped_environ
from benchmarks.stats import summarize
from etl import pipeline
from etl.demo import write_demo_extract

logger = logging.getLogger(__name__)

LOOKUP_WAIT_SECONDS = 16.0  # data.RUN_LOOKUP_SECONDS (15) and a margin
TIMEOUT = (5.0, 60.0)


def _timed_post(url: str, payload: dict[str, Any]) -> float:
    started = time.perf_counter()
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


def _warm(site: Site, cache_dir: Path) -> float:
    env = dict(os.environ, DATABASE_URL=site.database_url, CACHE_DIR=str(cache_dir))
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "dashboard.warm"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - started


def run(site: Site, folder: Path, repeats: int = 10) -> dict[str, Any]:
    url = site.url(CALLBACK_PATH)
    require_loopback(url)
    try:
        payload = capture_callback_payload(site)
    except Exception:  # noqa: BLE001 - fall back as the load benchmark does
        payload = constructed_callback_payload()
    _timed_post(url, payload)  # the served run is warm before we start
    results: dict[str, Any] = {"repeats": repeats}
    for case in ("not_warmed", "warmed"):
        run_id = _publish(site, folder)
        case_result: dict[str, Any] = {"run_id": run_id}
        if case == "warmed":
            case_result["warming_seconds"] = round(_warm(site, folder / "cache"), 2)
        else:
            time.sleep(LOOKUP_WAIT_SECONDS)
        first = _timed_post(url, payload)
        warm = [_timed_post(url, payload) for _ in range(repeats)]
        summary = summarize(warm)
        case_result.update(
            first_ms=round(first, 1),
            warm_ms=summary,
            first_over_warm=round(first / summary["median"], 2) if summary["median"] else None,
        )
        logger.info(
            "refresh %s: first %.1f ms, warm median %.1f ms", case, first, summary["median"]
        )
        results[case] = case_result
    return results
