"""One ETL run, start to finish: extract -> validate -> indicators -> check -> publish.

``run()`` reads like the table of contents of a run. Each step reports progress through a
callback so the CLI can show it; nothing here prints.
"""

from __future__ import annotations

import logging
import subprocess  # noqa: S404 -- only to read the git commit for the run's code_version
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from etl import quarantine, release_note, releases, sanity, settings, source_reads
from etl.db import migrate, writer_engine
from etl.indicators import catalog, effects_catalog, evaluation_catalog, neighbourhood
from etl.indicators import evaluation as evaluation_indicators
from etl.indicators import finance as finance_indicators
from etl.indicators import program as program_indicators
from etl.indicators.program import CellSet
from etl.load import abandon_interrupted_runs, begin_run, fail_run, publish
from etl.lock import advisory_key, postgres_advisory_lock, run_lock
from etl.sources import (
    program,
    soda_sync,
    spd_nibrs,
)
from etl.sources.common import SourceError, SourceResult, display_name

logger = logging.getLogger(__name__)

RETAIN_RUNS = 20
NO_PROGRAM_DATA = "none"

Reporter = Callable[[str], None]


@dataclass
class RunSummary:
    run_id: str
    status: str
    message: str
    sources: list[SourceResult] = field(default_factory=list)
    quarantine_files: list[Path] = field(default_factory=list)
    observation_count: int = 0
    suppression_counts: dict[str, int] = field(default_factory=dict)
    reconciled_months: int | None = None  # live runs: months re-fetched by reconciliation


class RunFailed(Exception):
    def __init__(self, summary: RunSummary) -> None:
        super().__init__(summary.message)
        self.summary = summary


def run(
    database_url: str | None = None,
    nibrs_sources: list[str] | None = None,
    report: Reporter | None = None,
    now: datetime | None = None,
    program_extract_dir: str | None = None,
    full_refresh: bool = False,
    allow_shrink: bool | None = None,
) -> RunSummary:
    """Run the whole ETL once. Raises :class:`RunFailed` (after recording it) on failure.

    ``program_extract_dir`` defaults to the PROGRAM_EXTRACT_DIR setting; ``"none"`` (or an
    empty string passed here) means no program data: only the neighborhood indicators
    are published. ``allow_shrink`` (default: the ALLOW_SHRINK setting) publishes even if
    a source shrank against the published run (:mod:`etl.sanity`).
    """
    say = report or (lambda _message: None)
    engine = writer_engine(database_url or settings.get("DATABASE_URL"))
    program_dir = (
        settings.get("PROGRAM_EXTRACT_DIR") if program_extract_dir is None else program_extract_dir
    )
    if program_dir.strip().lower() == NO_PROGRAM_DATA:
        program_dir = ""
    live = "" if nibrs_sources else settings.get("SODA_BASE_URL")
    try:
        # Both locks are taken before the run is recorded: a refused run changes nothing.
        with run_lock(settings.get("ETL_LOCK_FILE")), _database_lock(engine):
            return _run(
                engine,
                nibrs_sources or settings.get("NIBRS_SOURCES"),
                program_dir,
                say,
                now,
                live,
                full_refresh,
                settings.get("ALLOW_SHRINK") if allow_shrink is None else allow_shrink,
            )
    finally:
        engine.dispose()


def _database_lock(engine: Engine) -> AbstractContextManager[None]:
    """On PostgreSQL, an advisory lock so ETL workers on several machines never overlap."""
    if engine.dialect.name == "postgresql":
        return postgres_advisory_lock(engine, advisory_key("belltown-lead-etl"))
    return nullcontext()


def _run(
    engine: Engine,
    nibrs_sources: list[str],
    program_dir: str,
    say: Reporter,
    now: datetime | None,
    live: str = "",
    full_refresh: bool = False,
    allow_shrink: bool = False,
) -> RunSummary:
    steps = 6
    _step(say, 1, steps, "Preparing database (migrations)")
    migrate(engine)
    abandoned = abandon_interrupted_runs(engine)
    if abandoned:
        say(f"      {abandoned} earlier run(s) had been interrupted: marked abandoned")
    run_id = begin_run(engine, code_version())
    summary = RunSummary(run_id=run_id, status="running", message="")
    staging = source_reads.Staging(
        soda_sync.staging_folder(settings.get("RAW_CACHE_DIR"), run_id), full_refresh
    )
    try:
        nibrs_live = source_reads.live_dataset(source_reads.NIBRS_LIVE) if live else None
        if nibrs_live is not None:
            _step(say, 2, steps, f"Fetching SPD NIBRS from {live}")
            summary.sources = [
                source_reads.read_live(
                    spd_nibrs.run_for_indicators, nibrs_live, live, staging, say, now
                )
            ]
        else:
            _step(say, 2, steps, f"Reading {len(nibrs_sources)} SPD NIBRS file(s)")
            summary.sources = [
                source_reads.read_nibrs(location, say, now) for location in nibrs_sources
            ]
        summary.quarantine_files = quarantine.write_quarantine(run_id, summary.sources)
        quarantine.check_rejection_rates(summary.sources)
        _step(say, 3, steps, "Reading other neighborhood sources and computing indicators")
        indicators, observations = neighbourhood.build_incident_indicators(summary.sources)
        other = [
            source_reads.read_live(source.module.run, dataset, live, staging, say, now)
            if isinstance(dataset, source_reads.LiveDataset)
            else source_reads.read_other(source.module, dataset, say, now)
            for source, dataset in source_reads.other_sources(live)
        ]
        summary.quarantine_files += quarantine.write_quarantine(run_id, other)
        quarantine.check_rejection_rates(other)
        summary.sources += other
        more_indicators, more_observations = neighbourhood.build_other_indicators(other, say)
        indicators += more_indicators
        observations = pd.concat([observations, more_observations], ignore_index=True)
        if program_dir:
            _step(
                say,
                4,
                steps,
                f"Reading, de-identifying and aggregating {display_name(program_dir)}",
            )
            program_indicators, program_observations = _program_step(
                engine, run_id, program_dir, summary, say, now
            )
            indicators += program_indicators
            observations = pd.concat([observations, program_observations], ignore_index=True)
        else:
            _step(say, 4, steps, "No program extract configured (PROGRAM_EXTRACT_DIR=none)")
        _step(say, 5, steps, f"Checking and publishing {len(observations)} observations")
        _check_shrinkage(engine, summary.sources, allow_shrink, say)
        summary.observation_count = len(observations)
        if staging.synced:
            summary.reconciled_months = sum(len(s.reconciled_months) for s in staging.synced)
        summary.message = _success_message(summary)
        publish(
            engine, run_id, indicators, observations, summary.sources, RETAIN_RUNS, summary.message
        )
        _step(say, 6, steps, "Done")
    except Exception as exc:  # any failure must be recorded in etl_run, then re-raised
        summary.status = "failed"
        summary.message = f"Run {run_id} failed: {_describe(exc)}"
        fail_run(engine, run_id, summary.message)
        logger.error("%s", summary.message)
        raise RunFailed(summary) from exc
    else:
        # Only now, with the run published, do the fetched copies replace the raw caches.
        try:
            soda_sync.commit_staged(staging.synced)
        except OSError as exc:  # published already: the next run simply fetches again
            logger.error("run %s: could not replace the raw caches: %s", run_id, exc)
    finally:
        soda_sync.discard_staged(staging.folder)
    summary.status = "succeeded"
    return summary


def _check_shrinkage(
    engine: Engine, sources: list[SourceResult], allow: bool, say: Reporter
) -> None:
    """Fail the run if a source shrank sharply against the published run (etl.sanity)."""
    previous_run, previous = sanity.published_shapes(engine)
    limits = sanity.Thresholds(
        settings.get("SANITY_MAX_ROW_DROP"), settings.get("SANITY_MAX_MONTHS_DROP")
    )
    found = sanity.problems(previous, sanity.current_shapes(sources), limits, previous_run)
    if not found:
        return
    if allow:
        say("      Published although sources shrank (allowed): " + "; ".join(found))
        return
    raise SourceError(
        "; ".join(found) + ". If this is intended, run again with --allow-shrink "
        "(ALLOW_SHRINK=true)"
    )


PROGRAM_SPECS = (
    *catalog.PROGRAM_INDICATORS,
    *evaluation_catalog.EVALUATION_INDICATORS,
    *effects_catalog.EFFECT_INDICATORS,
    *evaluation_catalog.OUTCOME_INDICATORS,
    *evaluation_catalog.OUTCOME_ODDS_INDICATORS,
    *evaluation_catalog.DRUG_INDICATORS,
    *catalog.FINANCE_INDICATORS,
)


def _program_step(
    engine: Engine,
    run_id: str,
    folder: str,
    summary: RunSummary,
    say: Reporter,
    now: datetime | None,
) -> tuple[list[dict[str, str]], pd.DataFrame]:
    """Program extract -> de-identified frames (in memory only) -> suppressed aggregates,
    released on top of the published release (etl.releases)."""
    try:
        extract = program.read_program_extract(folder, settings.get("PROGRAM_ID_SECRET"), now=now)
    except program.ProgramExtractError as error:
        summary.quarantine_files += quarantine.write_program_quarantine(run_id, error)
        raise
    summary.sources += extract.sources
    for result in extract.sources:
        say(
            f"      {display_name(result.location)}: read {result.rows_read}, accepted "
            f"{result.rows_accepted}, rejected {result.rows_rejected}"
        )
    for file_name, columns in sorted(extract.dropped_columns.items()):
        if columns:
            say(f"      {file_name}: dropped columns not in the contract: {', '.join(columns)}")
    threshold = settings.get("SUPPRESSION_THRESHOLD")

    def build(as_of: pd.Timestamp | None, cumulative_at: list[pd.Timestamp]) -> CellSet:
        date = pd.Timestamp(extract.extract_date) if as_of is None else as_of
        cells = program_indicators.build_cells(
            extract.participants, extract.services, date, cumulative_at
        )
        if as_of is None:
            evaluation_indicators.add_evaluation(cells, extract, threshold)
            evaluation_indicators.add_drug_use(cells, extract)
            finance_indicators.add_finance(cells, extract)
        return cells

    ids = {spec.indicator_id for spec in PROGRAM_SPECS}
    fresh = settings.get("PROGRAM_NEW_RELEASE_SERIES")
    ledger = releases.Ledger({}) if fresh else releases.read_ledger(engine, ids)
    cells, outcome = releases.plan(build, ledger, threshold, ids)
    say(f"      release: {outcome.describe()}")
    observations, counts = program_indicators.suppressed_observations(cells, threshold)
    summary.suppression_counts = counts
    say(
        f"      suppression (threshold {threshold}): {counts['published']} figures published, "
        f"{counts['withheld']} withheld"
    )
    published_ids = set(observations["indicator_id"])
    rule = catalog.program_suppression_rule(threshold)
    whole_period = set(observations.loc[observations["period_grain"] == "all", "indicator_id"])
    specs = [
        {**spec.as_row(), "suppression_rule": rule}
        for spec in PROGRAM_SPECS
        if spec.indicator_id in published_ids
    ]
    if outcome.through is not None:
        dated = release_note.note(outcome.through.date(), threshold)
        for spec in specs:
            if spec["indicator_id"] in whole_period:
                spec["caveats"] = f"{dated} {spec['caveats']}".strip()
    for spec in specs:
        if spec["indicator_id"] == "legal_cost_per_person_year":
            spec["methodology"] += " " + evaluation_indicators.unit_cost_methodology()
    return specs, observations


def code_version() -> str:
    version = metadata.version("belltown-lead-dashboard")
    try:
        commit = subprocess.run(  # noqa: S603 -- fixed argument list, no user input
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 -- git from PATH is fine here
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=settings.PROJECT_ROOT,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+{commit}"


def _describe(exc: Exception) -> str:
    """A failure message for logs and ``etl_run``: our own errors verbatim, others by type.

    Database driver errors can quote the parameters of the failed statement, so only
    their type and first line are kept.
    """
    if isinstance(exc, SourceError | AssertionError | ValueError):
        return str(exc)
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line[:300]}"


def _success_message(summary: RunSummary) -> str:
    read = sum(s.rows_read for s in summary.sources)
    rejected = sum(s.rows_rejected for s in summary.sources)
    message = (
        f"{len(summary.sources)} file(s), {read} rows read, {rejected} rejected, "
        f"{summary.observation_count} observations published"
    )
    if summary.reconciled_months is not None:
        message += f"; live sources: {summary.reconciled_months} month(s) reconciled"
    if summary.suppression_counts:
        message += (
            f"; program figures: {summary.suppression_counts['published']} shown, "
            f"{summary.suppression_counts['withheld']} withheld"
        )
    return message


def _step(say: Reporter, number: int, total: int, text: str) -> None:
    say(f"[{number}/{total}] {text} ({datetime.now(UTC).strftime('%H:%M:%S')} UTC)")
