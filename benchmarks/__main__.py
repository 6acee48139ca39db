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
    http_load,
    page_load,
    pdf,
    refresh,
)
from benchmarks.site import Site, running_site
from etl import settings

logger = logging.getLogger("benchmarks")

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BENCHMARKS = ("etl", "etl_scale", "page", "callback", "load", "pdf", "refresh")
SITE_BENCHMARKS = ("page", "callback", "load", "pdf", "refresh")
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
    parser.add_argument("--loads", type=int, default=10, help="page loads measured")
    parser.add_argument("--toggles", type=int, default=10, help="measure toggles each way")
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--pdf-repeats", type=int, default=10, help="cached PDF requests")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests")
    parser.add_argument(
        "--time-limit", type=float, default=180.0, help="seconds allowed per load test"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default WEB_CONCURRENCY)"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "latest.json", help="JSON results file"
    )
    args = parser.parse_args(argv)
    for name in (
        "replicas", "repeats", "loads", "toggles", "requests", "concurrency", "pdf_repeats"
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
                with running_site(Path(tmp), args.workers) as site:
                    results["site"] = _site_notes(site)
                    if "page" in selected:
                        attempt("page", lambda: page_load.run(site, args.loads))
                    if "callback" in selected:
                        attempt("callback", lambda: callback_latency.run(site, args.toggles))
                    if "pdf" in selected:
                        attempt("pdf", lambda: pdf.run(site, args.pdf_repeats))
                    if "refresh" in selected:
                        attempt("refresh", lambda: refresh.run(site, Path(tmp)))
                    if "load" in selected:
                        attempt(
                            "load",
                            lambda: http_load.run(
                                site, args.requests, args.concurrency, args.time_limit
                            ),
                        )
            except Exception as exc:  # e.g. gunicorn did not start
                failed = True
                logger.error("site benchmarks failed:\n%s", traceback.format_exc())
                results.setdefault("site", {})["error"] = f"{type(exc).__name__}: {exc}"
    results["failed"] = failed
    return results


def table(results: dict[str, Any]) -> str:
    """The headline figures as a plain-text table."""
    rows: list[tuple[str, str, str]] = []
    etl = results.get("etl")
    if etl:
        if "error" in etl:
            rows.append(("ETL throughput", "error", etl["error"]))
        else:
            for key, label in (
                ("sample", "bundled sample"),
                ("sample_with_program", "sample + demo program extract"),
                ("synthetic", "synthetic"),
            ):
                part = etl[key]
                name = f"ETL, {label}"
                if key == "synthetic":
                    name += f" (x{part['replicas']})"
                rows.append(
                    (
                        name,
                        f"{part['rows_read']:,} rows, best of {part['repeats']}",
                        f"{part['best_seconds']:.3f} s = {part['rows_per_second']:,.0f} rows/s",
                    )
                )
    scale = results.get("etl_scale")
    if scale:
        if "error" in scale:
            rows.append(("ETL at scale", "error", scale["error"]))
        for part in scale.get("sizes", []):
            rows.append(
                (
                    f"ETL at scale, {part['rows']:,} NIBRS rows",
                    f"{part['input_megabytes']} MB; read_csv {part['read_csv_seconds']} s, "
                    f"{part['read_csv_peak_rss_mb']:,} MB",
                    f"{part['etl_seconds']} s ({part['time_ratio']}x), peak "
                    f"{part['etl_peak_rss_mb']:,} MB ({part['memory_ratio']}x)",
                )
            )
    page = results.get("page")
    if page:
        rows.extend(
            _ms_rows("Page load /quality-of-life", page, "chart_drawn_ms", "chart drawn (in page)")
        )
        if "wall_ms" in page:
            rows.extend(_ms_rows("", page, "wall_ms", "wait_for_selector done (wall)"))
            rows.extend(_ms_rows("", page, "callbacks_done_ms", "last callback response"))
        if "cold" in page:
            rows.append(
                ("", "cold first load: chart drawn", f"{page['cold']['chart_drawn_ms']:,.0f} ms")
            )
    callback = results.get("callback")
    if callback:
        rows.extend(_ms_rows("Callback latency", callback, "to_index_ms", "count -> index"))
        if "to_count_ms" in callback:
            rows.extend(_ms_rows("", callback, "to_count_ms", "index -> count"))
            rows.extend(_ms_rows("", callback, "request_round_trip_ms", "of which request"))
    load = results.get("load")
    if load:
        if "error" in load:
            rows.append(("Requests per second", "error", load["error"]))
        else:
            for key in ("page", "callback"):
                part = load[key]
                latency = part["latency_ms"]
                rows.append(
                    (
                        f"Load {part['request']}",
                        f"{part['requests_completed']} req, {part['concurrency']} concurrent",
                        f"{part['requests_per_second']:,.1f} req/s; median "
                        f"{latency.get('median', 0):,.1f} ms, p95 {latency.get('p95', 0):,.1f}"
                        f" ms; {part['errors']} errors",
                    )
                )
    briefing = results.get("pdf")
    if briefing:
        if "error" in briefing:
            rows.append(("Briefing PDF", "error", briefing["error"]))
        else:
            for paper in pdf.PAPERS:
                part = briefing[paper]
                rows.append(
                    (
                        f"Briefing PDF, {paper}",
                        "first request (printed), then cached",
                        f"{part['cold_seconds']:.2f} s; cached median "
                        f"{part['warm_ms'].get('median', 0):,.1f} ms, {part['bytes']:,} bytes",
                    )
                )
    fresh = results.get("refresh")
    if fresh:
        if "error" in fresh:
            rows.append(("First request after a run", "error", fresh["error"]))
        for case, label in (("not_warmed", "not warmed"), ("warmed", "warmed after the run")):
            part = fresh.get(case)
            if part:
                rows.append(
                    (
                        f"First request after a run, {label}",
                        "trend callback: first vs warm median",
                        f"{part['first_ms']:,.1f} ms vs {part['warm_ms']['median']:,.1f} ms "
                        f"({part['first_over_warm']}x)",
                    )
                )
    site = results.get("site", {})
    if "error" in site:
        rows.append(("Site", "error", site["error"]))
    widths = [
        max(len(row[i]) for row in [("Benchmark", "Figure", "Value"), *rows]) for i in range(3)
    ]
    lines = []
    for number, row in enumerate([("Benchmark", "Figure", "Value"), *rows]):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"


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
    document = {
        "machine": notes,
        "settings": {
            "replicas": args.replicas,
            "repeats": args.repeats,
            "loads": args.loads,
            "toggles": args.toggles,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "time_limit_seconds": args.time_limit,
            "cache_type": settings.get("CACHE_TYPE"),
        },
        "total_seconds": round(time.perf_counter() - started, 1),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    sys.stdout.write(table(results))
    sys.stdout.write(
        f"\n{notes['cpu_model']}, {notes['usable_cpus']} CPUs, {notes['memory_gb']} GB; "
        f"Python {notes['python']}; {notes['code_version']}\n"
        f"Full results: {args.output}\n"
    )
    return 1 if results["failed"] else 0


def _ms_rows(
    benchmark: str, result: dict[str, Any], key: str, label: str
) -> list[tuple[str, str, str]]:
    if "error" in result:
        return [(benchmark, "error", str(result["error"]))]
    stats = result[key]
    return [
        (
            benchmark,
            f"{label} (n={stats['n']})",
            f"median {stats['median']:,.0f} ms, p95 {stats['p95']:,.0f} ms",
        )
    ]


def _site_notes(site: Site) -> dict[str, Any]:
    return {
        "server": "gunicorn --config gunicorn.conf.py app:server (sync workers)",
        "workers": site.workers,
        "bind": site.base_url,
        "startup_seconds": site.startup_seconds,
        "database": (
            "temporary SQLite filled by the ETL from the bundled sample and the demonstration "
            "program extract"
        ),
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
