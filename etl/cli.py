"""Command line: ``python -m etl run | status | schedule | migrate``."""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
)
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from etl import pipeline, settings
from etl.db import migrate, writer_engine
from etl.lock import LockHeld
from etl.models import EtlRun, EtlRunSource

logger = logging.getLogger("etl")
JOB_ID = "etl-run"
WARM_TIMEOUT_SECONDS = 600


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def cmd_run(args: argparse.Namespace) -> int:
    sources = args.nibrs or None
    if args.new_release_series:
        os.environ["PROGRAM_NEW_RELEASE_SERIES"] = "true"
    try:
        summary = pipeline.run(
            nibrs_sources=sources,
            report=_out,
            full_refresh=args.full_refresh,
            allow_shrink=args.allow_shrink or None,
        )
    except LockHeld as held:
        _out(str(held))
        return 75  # EX_TEMPFAIL: try again later
    except pipeline.RunFailed as failed:
        _print_summary(failed.summary)
        return 1
    _print_summary(summary)
    warm_site(_out)
    return 0


def warm_site(say: Callable[[str], None]) -> bool:
    """Fill the site's cache for the run just published (``WARM_AFTER_RUN``), in a process
    of its own that reads only the published database. A failure is reported and
    otherwise ignored: the run is published, and the site computes what it needs."""
    if not settings.get("WARM_AFTER_RUN"):
        return False
    command = [sys.executable, "-m", "dashboard.warm"]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            command, capture_output=True, text=True, timeout=WARM_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        say(f"  Cache not warmed: {type(exc).__name__}")
        return False
    lines = [line for line in done.stderr.splitlines() if "dashboard.warm" in line]
    say(f"  {lines[-1].split(': ', 1)[-1] if lines else 'cache warming said nothing'}")
    if done.returncode != 0:
        say(f"  Cache warming reported problems (exit {done.returncode}); see its log")
        logger.warning("cache warming failed:\n%s", done.stderr[-2000:])
    return done.returncode == 0


def _print_summary(summary: pipeline.RunSummary) -> None:
    _out()
    _out(f"Run {summary.run_id}: {summary.status.upper()}")
    if summary.sources:
        _out(f"  {'source file':<72} {'read':>7} {'accepted':>9} {'rejected':>9}")
        for s in summary.sources:
            name = s.location.rsplit("/", 1)[-1]
            _out(f"  {name:<72} {s.rows_read:>7} {s.rows_accepted:>9} {s.rows_rejected:>9}")
    for path in summary.quarantine_files:
        _out(f"  Rejected rows: {path}")
    _out(f"  {summary.message}")


def cmd_status(args: argparse.Namespace) -> int:
    engine = writer_engine(settings.get("DATABASE_URL"))
    try:
        with engine.connect() as conn:
            runs = conn.execute(
                select(EtlRun).order_by(EtlRun.started_at.desc()).limit(args.limit)
            ).all()
            latest_ok = next((r for r in runs if r.status == "succeeded"), None)
            sources = (
                conn.execute(
                    select(EtlRunSource).where(EtlRunSource.run_id == latest_ok.run_id)
                ).all()
                if latest_ok
                else []
            )
    except (OperationalError, ProgrammingError):
        _out("No published database yet: run `python -m etl run` first.")
        return 1
    finally:
        engine.dispose()
    if not runs:
        _out("No ETL runs recorded yet: run `python -m etl run`.")
        return 1
    _out(f"{'run id':<26} {'status':<10} {'started (UTC)':<20} {'finished (UTC)':<20} message")
    for r in runs:
        finished = r.finished_at.strftime("%Y-%m-%d %H:%M:%S") if r.finished_at else "-"
        started = r.started_at.strftime("%Y-%m-%d %H:%M:%S")
        _out(f"{r.run_id:<26} {r.status:<10} {started:<20} {finished:<20} {r.message or ''}")
    if latest_ok is None or latest_ok.finished_at is None:
        _out("\nNo successful run: nothing is published.")
        return 1
    finished_at = latest_ok.finished_at
    if finished_at.tzinfo is None:
        finished_at = finished_at.replace(tzinfo=UTC)
    age = datetime.now(UTC) - finished_at
    _out(f"\nPublished: run {latest_ok.run_id}, refreshed {age.total_seconds() / 3600:.1f} h ago")
    for s in sources:
        watermark = s.watermark.strftime("%Y-%m-%d %H:%M") if s.watermark else "-"
        _out(f"  {s.source_id}: {s.location} (latest record {watermark}, sha256 {s.sha256[:12]})")
    return 0


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a standard crontab expression (weekday 0 or 7 = Sunday).

    APScheduler 3 numbers weekdays from Monday = 0, so a numeric weekday field is expanded
    with crontab's meaning and passed on as day names.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    if not re.search(r"[a-zA-Z]", fields[4]):
        days = sorted(_crontab_weekdays(fields[4]))
        fields[4] = ",".join(_WEEKDAYS[day] for day in days)
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def _crontab_weekdays(field: str) -> set[int]:
    """``"1-5"`` -> {1..5}; ``"*/2"`` -> {0, 2, 4, 6}; 7 is Sunday (0)."""
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            first_text, last_text = base.split("-", 1)
            first, last = int(first_text), int(last_text)
        else:
            first = int(base)
            last = 6 if step_text else first
        if not (0 <= first <= 7 and 0 <= last <= 7 and step >= 1):
            raise ValueError(f"weekday {part!r} is out of range 0-7")
        days.update(day % 7 for day in range(first, last + 1, step))
    return days


def build_scheduler() -> BlockingScheduler:
    """A scheduler with one job: the whole ETL on ``ETL_SCHEDULE`` in ``ETL_TIMEZONE``.

    ``max_instances=1`` and ``coalesce=True``: a run that is still going when the next is
    due is not doubled, and missed runs collapse into one.
    """
    expression = settings.get("ETL_SCHEDULE")
    timezone = settings.get("ETL_TIMEZONE")
    scheduler = BlockingScheduler(timezone=timezone)
    try:
        trigger = crontab_trigger(expression, timezone)
    except ValueError as exc:
        message = f"setting ETL_SCHEDULE={expression!r} is not a cron expression: {exc}"
        raise ValueError(message) from exc
    scheduler.add_job(_scheduled_run, trigger, max_instances=1, coalesce=True, id=JOB_ID)
    scheduler.add_listener(
        lambda _event: log_next_run(scheduler),
        EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED,
    )
    return scheduler


def log_next_run(scheduler: BaseScheduler) -> None:
    """Say (at INFO) when the ETL runs next: on start and after every run."""
    job = scheduler.get_job(JOB_ID)
    # From the trigger, not job.next_run_time: a run's "executed" event can arrive before
    # the scheduler has moved next_run_time on.
    now = datetime.now(scheduler.timezone)
    when = None if job is None else job.trigger.get_next_fire_time(None, now)
    if when is None:
        logger.info("no further ETL run is scheduled")
        return
    logger.info("next ETL run: %s", when.strftime("%Y-%m-%d %H:%M %Z (UTC%z)"))


def cmd_schedule(_args: argparse.Namespace) -> int:
    scheduler = build_scheduler()
    logger.info(
        "ETL scheduled with cron '%s' (%s); Ctrl-C stops it",
        settings.get("ETL_SCHEDULE"),
        settings.get("ETL_TIMEZONE"),
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")
    return 0


def _scheduled_run() -> None:
    try:
        summary = pipeline.run(report=logger.info)
    except LockHeld as held:
        logger.warning("scheduled run skipped: %s", held)
        return
    except pipeline.RunFailed as failed:
        logger.error("scheduled run %s failed: %s", failed.summary.run_id, failed.summary.message)
        return
    logger.info("scheduled run %s succeeded: %s", summary.run_id, summary.message)
    warm_site(logger.info)


def cmd_migrate(_args: argparse.Namespace) -> int:
    engine = writer_engine(settings.get("DATABASE_URL"))
    try:
        migrate(engine)
    finally:
        engine.dispose()
    _out("Database schema is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the seeded demonstration program extract (synthetic, never real people)."""
    from etl import demo

    out = args.out or settings.get("PROGRAM_EXTRACT_DIR")
    if not out:
        _out("PROGRAM_EXTRACT_DIR is empty: pass --out DIR to say where to write the extract.")
        return 1
    seed = demo.DEFAULT_SEED if args.seed is None else args.seed
    counts = demo.write_demo_extract(out, seed=seed)
    _out(f"Demonstration program extract (synthetic, seed {seed}) written to {out}:")
    for name, rows in counts.items():
        _out(f"  {name:<20} {rows:>7} rows")
    _out("  PROVENANCE.json      is_synthetic: true")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the ETL once and publish")
    run.add_argument(
        "--nibrs",
        action="append",
        metavar="PATH_OR_URL",
        help="SPD NIBRS CSV to read (repeatable); default: the NIBRS_SOURCES setting",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="re-download live sources completely instead of incrementally",
    )
    run.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even though a source shrank against the published run (an intended "
        "change: a source retired or a file replaced); default: the ALLOW_SHRINK setting",
    )
    run.add_argument(
        "--new-release-series",
        action="store_true",
        help="publish the program figures afresh instead of on top of the published release "
        "(see PROGRAM_NEW_RELEASE_SERIES)",
    )
    run.set_defaults(func=cmd_run)
    status = commands.add_parser("status", help="show recent runs and data freshness")
    status.add_argument("--limit", type=int, default=10)
    status.set_defaults(func=cmd_status)
    schedule = commands.add_parser("schedule", help="run the ETL on the ETL_SCHEDULE cron")
    schedule.set_defaults(func=cmd_schedule)
    migrate_cmd = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate_cmd.set_defaults(func=cmd_migrate)
    demo_cmd = commands.add_parser("demo", help="write the synthetic demonstration program extract")
    demo_cmd.add_argument(
        "--out", metavar="DIR", help="folder to write; default: the PROGRAM_EXTRACT_DIR setting"
    )
    demo_cmd.add_argument(
        "--seed", type=int, help="random seed (default 2011; the same seed gives the same bytes)"
    )
    demo_cmd.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=settings.get("LOG_LEVEL"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    return int(args.func(args))
