"""``python -m benchmarks``: run every benchmark, print a table, write JSON results.

Results go to ``benchmarks/results/latest.json`` (git-ignored) with notes on the machine
they were measured on. A benchmark that fails is recorded with its error and the others
still run; the exit status is then 1. Nothing here checks a threshold.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import (
    callback_latency,
    etl_scale,
    etl_throughput,
    first_chart,
    lighthouse,
    load,
    pdf,
    refresh,
    report,
)
from benchmarks.site import Site, running_bare, running_site
from etl import settings

logger = logging.getLogger("benchmarks")

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_MARKDOWN = Path(__file__).resolve().parent / "RESULTS.md"
BENCHMARKS = (
    "etl",
    "etl_scale",
    "first_chart",
    "lighthouse",
    "load",
    "callback",
    "pdf",
    "refresh",
)
SITE_BENCHMARKS = ("first_chart", "lighthouse", "load", "callback", "pdf", "refresh")
# Measured against the bare Dash app in the same run.
COMPARED = ("first_chart", "lighthouse", "load")
PACKAGES = ("dash", "plotly", "pandas", "sqlalchemy", "gunicorn", "flask-compress", "playwright")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, help="run only this benchmark (repeatable)"
    )
    parser.add_argument("--replicas", type=int, default=20, help="ETL synthetic input: copies")
    parser.add_argument("--repeats", type=int, default=3, help="ETL: repeats (best is kept)")
    parser.add_argument(
        "--scale-rows",
        type=int,
        action="append",
        help="ETL at scale: rows of a generated NIBRS file (repeatable; default 100k, 1M, 5M)",
    )
    parser.add_argument("--loads", type=int, default=10, help="first-chart rounds measured")
    parser.add_argument("--toggles", type=int, default=10, help="measure toggles each way")
    parser.add_argument("--load-seconds", type=int, default=60, help="seconds per load test")
    parser.add_argument("--connections", type=int, default=20, help="load test connections")
    parser.add_argument("--pdf-repeats", type=int, default=10, help="cached PDF requests")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default WEB_CONCURRENCY)"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "latest.json", help="JSON results file"
    )
    parser.add_argument(
        "--markdown", type=Path, default=RESULTS_MARKDOWN, help="results as Markdown"
    )
    args = parser.parse_args(argv)
    for name in (
        "replicas", "repeats", "loads", "toggles", "load_seconds", "connections", "pdf_repeats"
    ):  # fmt: skip
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def machine_notes() -> dict[str, Any]:
    """What the numbers were measured on."""
    notes: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": _memory_gb(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "code_version": _git_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }
    return notes


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    selected = args.only or list(BENCHMARKS)
    results: dict[str, Any] = {}
    failed = False

    def attempt(name: str, function: Callable[[], dict[str, Any]]) -> None:
        nonlocal failed
        logger.info("running %s", name)
        started = time.perf_counter()
        try:
            results[name] = function()
        except Exception as exc:  # report it and go on with the others
            failed = True
            logger.error("%s failed:\n%s", name, traceback.format_exc())
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        results[name]["benchmark_seconds"] = round(time.perf_counter() - started, 1)

    if "etl" in selected:
        attempt("etl", lambda: etl_throughput.run(args.replicas, args.repeats))
    if "etl_scale" in selected:
        sizes = tuple(args.scale_rows or etl_scale.SIZES)
        attempt("etl_scale", lambda: etl_scale.run(sizes))
    if any(name in selected for name in SITE_BENCHMARKS):
        with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
            try:
                with (
                    running_site(Path(tmp), args.workers) as site,
                    running_bare(Path(tmp)) as bare,
                ):
                    results["site"] = _site_notes(site, bare)
                    if "first_chart" in selected:
                        attempt("first_chart", lambda: first_chart.run(site, bare, args.loads))
                    if "lighthouse" in selected:
                        attempt("lighthouse", lambda: lighthouse.run(site, bare))
                    if "callback" in selected:
                        attempt("callback", lambda: callback_latency.run(site, args.toggles))
                    if "pdf" in selected:
                        attempt("pdf", lambda: pdf.run(site, args.pdf_repeats))
                    if "refresh" in selected:
                        attempt("refresh", lambda: refresh.run(site, Path(tmp)))
                    if "load" in selected:
                        attempt(
                            "load",
                            lambda: load.run(site, bare, args.load_seconds, args.connections),
                        )
            except Exception as exc:  # e.g. gunicorn did not start
                failed = True
                logger.error("site benchmarks failed:\n%s", traceback.format_exc())
                results.setdefault("site", {})["error"] = f"{type(exc).__name__}: {exc}"
    results["failed"] = failed
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The ETL's migration chatter would drown the progress lines.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    notes = machine_notes()
    logger.info("machine: %s, %s logical CPUs", notes["cpu_model"], notes["logical_cpus"])
    started = time.perf_counter()
    results = run_all(args)
    document: dict[str, Any] = {
        "machine": notes,
        "settings": {
            "replicas": args.replicas,
            "repeats": args.repeats,
            "first_chart_rounds": args.loads,
            "toggles": args.toggles,
            "load_seconds": args.load_seconds,
            "load_connections": args.connections,
            "cache_type": settings.get("CACHE_TYPE"),
        },
        "total_seconds": round(time.perf_counter() - started, 1),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    sys.stdout.write(report.table(results))
    if args.markdown:
        args.markdown.write_text(
            report.markdown(results, notes, document["settings"]), encoding="utf-8"
        )
    sys.stdout.write(
        f"\n{notes['cpu_model']}, {notes['usable_cpus']} CPUs, {notes['memory_gb']} GB; "
        f"Python {notes['python']}; {notes['code_version']}\n"
        f"Full results: {args.output}\n"
    )
    return 1 if results["failed"] else 0


def _site_notes(site: Site, bare: Site) -> dict[str, Any]:
    return {
        "server": "gunicorn --config gunicorn.conf.py app:server (gthread workers)",
        "workers": site.workers,
        "bind": site.base_url,
        "startup_seconds": site.startup_seconds,
        "database": (
            "temporary SQLite filled by the ETL from the bundled sample and the demonstration "
            "program extract, pages built by python -m dashboard.warm as after every run"
        ),
        "bare_app": f"gunicorn benchmarks.bare_app:server, {bare.workers} sync workers",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except (OSError, ValueError):
        pass
    return None


def _git_version() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=settings.PROJECT_ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=settings.PROJECT_ROOT,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"git {commit}" + (" (uncommitted changes)" if dirty else "")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
