"""The benchmark results as rows (a plain-text table on the console, ``RESULTS.md``)."""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str]


def _ratio(value: object) -> str:
    return f"{value:.2f}x" if isinstance(value, int | float) else "–"


def _error(name: str, part: dict[str, Any]) -> list[Row]:
    return [(name, "error", str(part["error"]))] if "error" in part else []


def etl_rows(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    etl = results.get("etl")
    if etl:
        rows += _error("ETL throughput", etl)
        for key, label in (
            ("sample", "bundled sample"),
            ("sample_with_program", "sample + demo program extract"),
            ("synthetic", "synthetic"),
        ):
            part = etl.get(key)
            if part:
                rows.append(
                    (
                        f"ETL, {label}",
                        f"{part['rows_read']:,} rows, best of {part['repeats']}",
                        f"{part['best_seconds']:.3f} s = {part['rows_per_second']:,.0f} rows/s",
                    )
                )
    scale = results.get("etl_scale")
    if scale:
        rows += _error("ETL at scale", scale)
        for part in scale.get("sizes", []):
            rows.append(
                (
                    f"ETL, {part['rows']:,} NIBRS rows",
                    f"read_csv floor {part['read_csv_seconds']} s, "
                    f"{part['read_csv_peak_rss_mb']:,} MB",
                    f"{part['etl_seconds']} s ({part['time_ratio']}x the floor), peak "
                    f"{part['etl_peak_rss_mb']:,} MB",
                )
            )
    return rows


def site_rows(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    first = results.get("first_chart")
    if first:
        rows += _error("First drawn chart", first)
        pages = first.get("pages", {})
        if "bare" in pages:
            bare = pages["bare"]
            rows.append(
                (
                    "First drawn chart, bare Dash app",
                    "median (ms): chart / LCP",
                    f"{bare['chart_drawn_ms']['median']:,.0f} / {bare['lcp_ms']['median']:,.0f}",
                )
            )
        for path, part in pages.items():
            if path == "bare":
                continue
            rows.append(
                (
                    f"First drawn chart, {path}",
                    "median (ms): chart / interactive",
                    f"{part['chart_drawn_ms']['median']:,.0f} ({_ratio(part['chart_drawn_ratio'])})"
                    f" / {part['interactive_ms']['median']:,.0f} "
                    f"({_ratio(part['interactive_ratio'])}); "
                    f"{part['transfer_kilobytes']['median']:,.0f} kB",
                )
            )
    lighthouse = results.get("lighthouse")
    if lighthouse:
        rows += _error("Lighthouse", lighthouse)
        for path, part in lighthouse.get("pages", {}).items():
            for form in ("desktop", "mobile"):
                if form not in part:
                    continue
                scores, metrics = part[form]["scores"], part[form]["metrics"]
                rows.append(
                    (
                        f"Lighthouse {form}, {path}",
                        "perf / a11y / best practices / SEO",
                        f"{scores['performance']} / {scores['accessibility']} / "
                        f"{scores['best-practices']} / {scores['seo']}; TBT "
                        f"{metrics['tbt_ms']:,.0f} ms, CLS {metrics['cls']}, LCP "
                        f"{metrics['lcp_ms']:,.0f} ms",
                    )
                )
    load = results.get("load")
    if load:
        rows += _error("Load", load)
        bare = load.get("bare", {})
        for kind in ("page", "callback"):
            if kind in bare:
                rows.append(_load_row(f"Load, bare app {kind}", bare[kind]))
        for path, entry in load.get("pages", {}).items():
            for kind in ("page", "callback"):
                if kind in entry:
                    rows.append(_load_row(f"Load, {path} {kind}", entry[kind]))
    rows += _refresh_rows(results.get("refresh"))
    callback = results.get("callback")
    if callback:
        rows += _error("Callback latency", callback)
        if "to_index_ms" in callback:
            stats = callback["to_index_ms"]
            rows.append(
                (
                    "Callback latency (browser)",
                    f"count -> index, n={stats['n']}",
                    f"median {stats['median']:,.0f} ms, p95 {stats['p95']:,.0f} ms",
                )
            )
    briefing = results.get("pdf")
    if briefing:
        rows += _error("Briefing PDF", briefing)
        for paper in ("letter", "a4"):
            part = briefing.get(paper)
            if part:
                rows.append(
                    (
                        f"Briefing PDF, {paper}",
                        "printed, then cached",
                        f"{part['cold_seconds']:.2f} s; cached median "
                        f"{part['warm_ms'].get('median', 0):,.1f} ms",
                    )
                )
    return rows


def _load_row(name: str, part: dict[str, Any]) -> Row:
    latency = part["latency_ms"]
    ratios = ""
    if "rps_ratio" in part:
        ratios = f" (req/s {_ratio(part['rps_ratio'])}, p95 {_ratio(part['p95_ratio'])})"
    return (
        name,
        f"{part['requests']:,} requests, {part['worker_restarts']} worker restarts",
        f"{part['requests_per_second']:,.0f} req/s; p50 {latency['p50']:,.1f} / p95 "
        f"{latency['p95']:,.1f} / p99 {latency['p99']:,.1f} ms; {part['errors']} errors" + ratios,
    )


def _refresh_rows(fresh: dict[str, Any] | None) -> list[Row]:
    if not fresh:
        return []
    rows = _error("First request after a run", fresh)
    for case, label in (("not_warmed", "not warmed"), ("warmed", "warmed after the run")):
        for kind in ("page", "callback"):
            part = (fresh.get(case) or {}).get(kind)
            if part:
                rows.append(
                    (
                        f"First request after a run, {label}",
                        f"{kind}: first vs warm median",
                        f"{part['first_ms']:,.1f} ms vs {part['warm_ms']['median']:,.1f} ms "
                        f"({part['first_over_warm']}x)",
                    )
                )
    return rows


HEADER: Row = ("Benchmark", "Figure", "Value")


def table(results: dict[str, Any]) -> str:
    """The headline figures as a plain-text table."""
    rows = [*etl_rows(results), *site_rows(results)]
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(3)]
    lines = []
    for number, row in enumerate([HEADER, *rows]):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def markdown(results: dict[str, Any], machine: dict[str, Any], settings: dict[str, Any]) -> str:
    """``benchmarks/RESULTS.md``: the machine, the settings and every headline figure."""
    rows = [*etl_rows(results), *site_rows(results)]
    packages = ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items() if v)
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); the full figures are in "
        "`benchmarks/results/latest.json` of the run. Ratios are this site ÷ the bare Dash "
        "app measured in the same run (`benchmarks/bare_app.py`). Figures, not pass/fail.",
        "",
        "## Machine",
        "",
        f"- Measured: {machine.get('measured_at')}",
        f"- CPU: {machine.get('cpu_model')}, {machine.get('usable_cpus')} usable CPUs; "
        f"memory {machine.get('memory_gb')} GB; load average at start "
        f"{machine.get('load_average_at_start')}",
        f"- {machine.get('platform')}; Python {machine.get('python')}; {packages}",
        f"- Code: {machine.get('code_version')}",
        "- The load generator (wrk), Chromium and gunicorn share the same CPUs.",
        "",
        "## Settings",
        "",
        *[f"- {name}: {value}" for name, value in settings.items()],
        "",
        "## Figures",
        "",
        "| benchmark | figure | value |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    return "\n".join(lines)
