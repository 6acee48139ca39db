"""One ETL run, start to finish: extract -> validate -> indicators -> check -> publish.

``run()`` reads like the table of contents of a run. Each step reports progress through a
callback so the CLI can show it; nothing here prints.
"""

from __future__ import annotations

import logging
import subprocess  # noqa: S404 -- only to read the git commit for the run's code_version
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pandas as pd
from sqlalchemy import Engine

from etl import settings
from etl.db import migrate, writer_engine
from etl.indicators import catalog, effects_catalog, evaluation_catalog, neighbourhood
from etl.indicators import evaluation as evaluation_indicators
from etl.indicators import finance as finance_indicators
from etl.indicators import program as program_indicators
from etl.load import begin_run, fail_run, publish
from etl.lock import advisory_key, postgres_advisory_lock, run_lock
from etl.sources import (
    dates,
    program,
    seattle_csr,
    soda,
    soda_sync,
    spd_911,
    spd_legacy,
    spd_nibrs,
)
from etl.sources.common import SourceError, SourceResult, display_name, rejections_frame

logger = logging.getLogger(__name__)

# A file with more bad rows than this share is treated as corrupt, not as a few bad rows.
MAX_REJECTED_SHARE = 0.05
RETAIN_RUNS = 20
NO_PROGRAM_DATA = "none"

Reporter = Callable[[str], None]
# A source module's ``run`` (location, timeout in seconds, now).
SourceReader = Callable[[str, int, datetime | None], SourceResult]


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
) -> RunSummary:
    """Run the whole ETL once. Raises :class:`RunFailed` (after recording it) on failure.

    ``program_extract_dir`` defaults to the PROGRAM_EXTRACT_DIR setting; ``"none"`` (or an
    empty string passed here) means no program data: only the neighborhood indicators
    are published.
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
) -> RunSummary:
    steps = 6
    _step(say, 1, steps, "Preparing database (migrations)")
    migrate(engine)
    run_id = begin_run(engine, code_version())
    summary = RunSummary(run_id=run_id, status="running", message="")
    staging = Staging(soda_sync.staging_folder(settings.get("RAW_CACHE_DIR"), run_id), full_refresh)
    try:
        nibrs_live = _live_dataset(NIBRS_LIVE) if live else None
        if nibrs_live is not None:
            _step(say, 2, steps, f"Fetching SPD NIBRS from {live}")
            summary.sources = [
                _read_live(spd_nibrs.run_for_indicators, nibrs_live, live, staging, say, now)
            ]
        else:
            _step(say, 2, steps, f"Reading {len(nibrs_sources)} SPD NIBRS file(s)")
            summary.sources = [_read_nibrs(location, say, now) for location in nibrs_sources]
        summary.quarantine_files = write_quarantine(run_id, summary.sources)
        check_rejection_rates(summary.sources)
        _step(say, 3, steps, "Reading other neighborhood sources and computing indicators")
        indicators, observations = neighbourhood.build_incident_indicators(summary.sources)
        other = [
            _read_live(source.module.run, dataset, live, staging, say, now)
            if isinstance(dataset, LiveDataset)
            else _read_other(source.module, dataset, say, now)
            for source, dataset in _other_sources(live)
        ]
        summary.quarantine_files += write_quarantine(run_id, other)
        check_rejection_rates(other)
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
                run_id, program_dir, summary, say, now
            )
            indicators += program_indicators
            observations = pd.concat([observations, program_observations], ignore_index=True)
        else:
            _step(say, 4, steps, "No program extract configured (PROGRAM_EXTRACT_DIR=none)")
        _step(say, 5, steps, f"Checking and publishing {len(observations)} observations")
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


def _program_step(
    run_id: str, folder: str, summary: RunSummary, say: Reporter, now: datetime | None
) -> tuple[list[dict[str, str]], pd.DataFrame]:
    """Program extract -> de-identified frames (in memory only) -> suppressed aggregates."""
    try:
        extract = program.read_program_extract(folder, settings.get("PROGRAM_ID_SECRET"), now=now)
    except program.ProgramExtractError as error:
        summary.quarantine_files += write_program_quarantine(run_id, error)
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
    cells = program_indicators.build_cells(
        extract.participants, extract.services, pd.Timestamp(extract.extract_date)
    )
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    evaluation_indicators.add_evaluation(cells, extract, threshold)
    evaluation_indicators.add_drug_use(cells, extract)
    finance_indicators.add_finance(cells, extract)
    observations, counts = program_indicators.suppressed_observations(cells, threshold)
    summary.suppression_counts = counts
    say(
        f"      suppression (threshold {threshold}): {counts['published']} figures published, "
        f"{counts['withheld']} withheld"
    )
    published_ids = set(observations["indicator_id"])
    rule = catalog.program_suppression_rule(threshold)
    all_specs = (
        *catalog.PROGRAM_INDICATORS,
        *evaluation_catalog.EVALUATION_INDICATORS,
        *effects_catalog.EFFECT_INDICATORS,
        *evaluation_catalog.OUTCOME_INDICATORS,
        *evaluation_catalog.OUTCOME_ODDS_INDICATORS,
        *evaluation_catalog.DRUG_INDICATORS,
        *catalog.FINANCE_INDICATORS,
    )
    specs = [
        {**spec.as_row(), "suppression_rule": rule}
        for spec in all_specs
        if spec.indicator_id in published_ids
    ]
    for spec in specs:
        if spec["indicator_id"] == "legal_cost_per_person_year":
            spec["methodology"] += " " + evaluation_indicators.unit_cost_methodology()
    return specs, observations


def _read_nibrs(location: str, say: Reporter, now: datetime | None) -> SourceResult:
    started = time.perf_counter()
    # Only the columns the indicators use are kept: a city-wide file's others cost memory.
    result = spd_nibrs.run_for_indicators(location, settings.get("HTTP_TIMEOUT_SECONDS"), now)
    say(
        f"      {display_name(location)}: read {result.rows_read}, accepted "
        f"{result.rows_accepted}, rejected {result.rows_rejected} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return result


def _read_live(
    read: SourceReader,
    live: LiveDataset,
    base_url: str,
    staging: Staging,
    say: Reporter,
    now: datetime | None,
) -> SourceResult:
    """Fetch new, corrected and reconciled records of one source from the portal into a
    staged copy of its raw cache, then read that copy like any other export. The cache
    itself is replaced only after the run publishes (:class:`Staging`)."""
    started = time.perf_counter()
    sync = soda_sync.sync_to_stage(
        base_url,
        live.dataset,
        Path(settings.get("RAW_CACHE_DIR")) / f"{live.dataset.source_id}.csv",
        staging.folder,
        lookback_days=settings.get("SODA_LOOKBACK_DAYS"),
        full_refresh=staging.full_refresh,
        full_refresh_days=settings.get("SODA_FULL_REFRESH_DAYS"),
        base_where=live.where or None,
        page_size=settings.get("SODA_PAGE_SIZE"),
        timeout_seconds=settings.get("HTTP_TIMEOUT_SECONDS"),
        max_retries=settings.get("SODA_MAX_RETRIES"),
        app_token=settings.get("SODA_APP_TOKEN") or None,
    )
    staging.synced.append(sync)
    result = read(str(sync.staged_path), settings.get("HTTP_TIMEOUT_SECONDS"), now)
    result.location = sync.url  # provenance names the portal, not the server's cache path
    say(
        f"      {sync.url}: {sync.describe()}; accepted {result.rows_accepted}, rejected "
        f"{result.rows_rejected} ({time.perf_counter() - started:.2f} s)"
    )
    return result


@dataclass
class Staging:
    """This run's fetched copies of the live caches, moved over them only after publishing."""

    folder: Path
    full_refresh: bool
    synced: list[soda_sync.SyncResult] = field(default_factory=list)


def check_rejection_rates(sources: list[SourceResult]) -> None:
    """Fail the run when any file has more than :data:`MAX_REJECTED_SHARE` of its rows
    rejected, naming every such file and what went wrong in it (one message for all)."""
    problems = [
        _rejection_problem(result)
        for result in sources
        if result.rows_read and result.rows_rejected / result.rows_read > MAX_REJECTED_SHARE
    ]
    if problems:
        raise SourceError("; ".join(problems))


def _rejection_problem(result: SourceResult) -> str:
    """Why a file lost too many rows: a date format it does not read, or its commonest reason."""
    name = display_name(result.location)
    reasons = Counter((r.column, r.reason) for r in result.rejections)
    (column, reason), count = reasons.most_common(1)[0]
    if reason == dates.REASON and count * 2 >= result.rows_read:  # most of the file
        example = next(r.value for r in result.rejections if r.reason == dates.REASON)
        return (
            f"{dates.format_problem(name, column, example)} ({count} of {result.rows_read} "
            "rows could not be read)"
        )
    return (
        f"{name}: {result.rows_rejected} of {result.rows_read} rows rejected (more than "
        f"{MAX_REJECTED_SHARE:.0%}), most often {column}: {reason} ({count} rows); see the "
        "quarantine report"
    )


@dataclass(frozen=True)
class LiveSource:
    """A public source: its module, its file setting and its portal dataset."""

    module: ModuleType
    files_setting: str
    dataset: soda.SodaDataset
    soda_prefix: str  # settings {prefix}_DATASET and {prefix}_WHERE


@dataclass(frozen=True)
class LiveDataset:
    dataset: soda.SodaDataset
    where: str


NIBRS_LIVE = LiveSource(spd_nibrs, "NIBRS_SOURCES", soda.NIBRS, "SODA_NIBRS")
OTHER_SOURCES = (
    LiveSource(spd_legacy, "LEGACY_CRIME_SOURCES", soda.LEGACY_CRIME, "SODA_LEGACY_CRIME"),
    LiveSource(spd_911, "CALLS_911_SOURCES", soda.CALLS_911, "SODA_CALLS_911"),
    LiveSource(seattle_csr, "CSR_SOURCES", soda.CSR, "SODA_CSR"),
)


def _live_dataset(source: LiveSource) -> LiveDataset | None:
    """The portal dataset to fetch ``source`` from, or None when its id setting is none."""
    dataset_id = settings.get(f"{source.soda_prefix}_DATASET").strip()
    if dataset_id.lower() == NO_PROGRAM_DATA:
        return None
    return LiveDataset(
        soda.with_dataset_id(source.dataset, dataset_id),
        settings.get(f"{source.soda_prefix}_WHERE").strip(),
    )


def _other_sources(live: str) -> list[tuple[LiveSource, str | LiveDataset]]:
    """(source, file location or portal dataset) for every non-NIBRS public source.

    With a portal (``live``), a source is fetched from its dataset unless that dataset's
    setting is ``none``; then, and without a portal, its files are read (``none`` = none).
    """
    pairs: list[tuple[LiveSource, str | LiveDataset]] = []
    for source in OTHER_SOURCES:
        dataset = _live_dataset(source) if live else None
        if dataset is not None:
            pairs.append((source, dataset))
            continue
        locations = [x for x in settings.get(source.files_setting) if x.lower() != NO_PROGRAM_DATA]
        pairs += [(source, location) for location in locations]
    return pairs


def _read_other(
    module: ModuleType, location: str, say: Reporter, now: datetime | None
) -> SourceResult:
    result: SourceResult = module.run(location, settings.get("HTTP_TIMEOUT_SECONDS"), now=now)
    say(
        f"      {display_name(location)}: read {result.rows_read}, accepted "
        f"{result.rows_accepted}, rejected {result.rows_rejected}"
    )
    return result


def write_quarantine(run_id: str, sources: list[SourceResult]) -> list[Path]:
    """Write each source's rejected rows to ``QUARANTINE_DIR/<run id>/<source>.csv``."""
    written: list[Path] = []
    rejections = [r for s in sources for r in s.rejections]
    if not rejections:
        return written
    folder = Path(settings.get("QUARANTINE_DIR")) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[SourceResult]] = {}
    for result in sources:
        by_source.setdefault(result.info.source_id, []).append(result)
    for source_id, results in by_source.items():
        # In file and row order (each file's rejections are collected step by step).
        rows = [
            rejection
            for result in results
            for rejection in sorted(result.rejections, key=lambda r: r.row_number)
        ]
        if rows:
            path = folder / f"{source_id}.csv"
            rejections_frame(rows).to_csv(path, index=False)
            written.append(path)
    return written


def write_program_quarantine(run_id: str, error: program.ProgramExtractError) -> list[Path]:
    """The rejected program extract's violations: file, row, column and rule, no values."""
    folder = Path(settings.get("QUARANTINE_DIR")) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "program_extract.csv"
    rejections_frame(program.quarantine_rows(error)).to_csv(path, index=False)
    return [path]


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
