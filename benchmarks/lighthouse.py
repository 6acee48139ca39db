"""Lighthouse scores, this site's chart pages and the bare Dash app, desktop and mobile.

Lighthouse comes from the npm registry (a pinned version, installed once into
``benchmarks/.node/``, which git ignores) and drives Debian's Chromium headless. Each page
is audited with Lighthouse's desktop preset and its default mobile emulation (a mid-range
phone on a slow 4G network, simulated), for the four categories: performance,
accessibility, best practices and SEO (0-100), with the performance metrics behind the
score (first and largest contentful paint, total blocking time, cumulative layout shift,
speed index).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.browser import CHROMIUM
from benchmarks.site import Site, require_loopback

logger = logging.getLogger(__name__)

VERSION = "12.8.2"  # the newest Lighthouse that runs on Node.js 20
NODE_FOLDER = Path(__file__).resolve().parent / ".node"
CLI = NODE_FOLDER / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "speed-index": "speed_index_ms",
}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync"
)
SITE_PATHS = (
    "/enrollment",
    "/recidivism",
    "/drug-use",
    "/quality-of-life",
    "/funding",
    "/briefing",
)
AUDIT_TIMEOUT_SECONDS = 180


def install() -> Path:
    """Lighthouse's command-line script, installed from npm if it is not there yet."""
    if not CLI.exists():
        logger.info("installing lighthouse@%s from npm into %s", VERSION, NODE_FOLDER)
        NODE_FOLDER.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_FOLDER),
                f"lighthouse@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return CLI


def audit(url: str, form_factor: str) -> dict[str, Any]:
    """One Lighthouse run on ``url`` (``desktop`` or ``mobile``): scores and metrics."""
    require_loopback(url)
    cli = install()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        report = Path(folder) / "report.json"
        command = [
            "node",
            str(cli),
            url,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        if form_factor == "desktop":
            command.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        subprocess.run(
            command, check=True, capture_output=True, timeout=AUDIT_TIMEOUT_SECONDS, env=env
        )
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(100 * (data["categories"][name]["score"] or 0)) for name in CATEGORIES}
    metrics = {
        label: round(data["audits"][audit_id]["numericValue"], 3 if label == "cls" else 0)
        for audit_id, label in METRICS.items()
    }
    return {"scores": scores, "metrics": metrics}


def run(site: Site, bare: Site) -> dict[str, Any]:
    """Every chart page of the site and the bare app, desktop then mobile."""
    started = time.perf_counter()
    targets = {"bare": bare.url("/")} | {path: site.url(path) for path in SITE_PATHS}
    results: dict[str, Any] = {"version": VERSION, "pages": {}}
    for form_factor in ("desktop", "mobile"):
        for name, url in targets.items():
            result = audit(url, form_factor)
            results["pages"].setdefault(name, {})[form_factor] = result
            logger.info(
                "lighthouse %s %s: %s, TBT %s ms, CLS %s",
                form_factor,
                name,
                result["scores"],
                result["metrics"]["tbt_ms"],
                result["metrics"]["cls"],
            )
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results
