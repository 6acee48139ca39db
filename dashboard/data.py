"""The site's only way to the published database: read-only, cached, fixed output schemas.

Every function takes explicit arguments and returns a DataFrame (or small record) with a
fixed set of columns. Results are memoised in the shared flask-caching backend (not in
process memory), keyed by their arguments, which include the ETL ``run_id``: a new run
is therefore visible as soon as :func:`published_run` sees it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Flask
from flask_caching import Cache
from sqlalchemy import Connection, Engine, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from etl import settings
from etl.db import reader_engine
from etl.estimands import ESTIMAND_FIELDS
from etl.models import (
    OBSERVATION_COLUMNS,
    PUBLIC_STATUSES,
    EtlRun,
    EtlRunSource,
    Indicator,
    Observation,
)

logger = logging.getLogger(__name__)
cache = Cache()

RUN_LOOKUP_SECONDS = 15
FILE_CACHE_ENTRIES = 50_000


@dataclass(frozen=True)
class SourceRecord:
    source_id: str
    title: str
    publisher: str
    location: str
    licence: str
    is_synthetic: bool
    rows_accepted: int
    watermark: datetime | None
    coverage_first_month: date | None = None
    coverage_last_month: date | None = None
    coverage_areas: str = ""

    @property
    def period_covered(self) -> str:
        """``"January 2008 to August 2021"`` (the complete months the file covers), or ""."""
        first, last = self.coverage_first_month, self.coverage_last_month
        if first is None or last is None:
            return ""
        return f"{first:%B %Y} to {last:%B %Y}"


@dataclass(frozen=True)
class PublishedRun:
    run_id: str
    finished_at: datetime
    sources: tuple[SourceRecord, ...]

    @property
    def is_synthetic(self) -> bool:
        return any(source.is_synthetic for source in self.sources)

    @property
    def has_program_data(self) -> bool:
        return any(s.source_id.startswith("program_") for s in self.sources)

    @property
    def program_is_synthetic(self) -> bool:
        """True when the program figures come from a synthetic (demonstration) extract,
        as its provenance says."""
        return any(s.is_synthetic for s in self.sources if s.source_id.startswith("program_"))


@lru_cache(maxsize=1)
def code_version() -> str:
    """A short hash of the site's own source files (``dashboard/``, ``etl/settings`` and the
    scripts and styles in ``assets/``, which the served pages link and depend on)."""
    root = Path(__file__).resolve().parent
    assets = root.parent / "assets"
    digest = hashlib.sha256()
    for path in sorted(
        [
            *root.rglob("*.py"),
            *root.rglob("*.toml"),
            root.parent / "etl" / "settings.py",
            *assets.rglob("*.js"),
            *assets.rglob("*.css"),
        ]
    ):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_cache(server: Flask) -> None:
    """Attach the shared cache to the Flask server (called by the app factory)."""
    config: dict[str, object] = {
        "CACHE_TYPE": settings.get("CACHE_TYPE"),
        "CACHE_DEFAULT_TIMEOUT": settings.get("CACHE_TIMEOUT_SECONDS"),
    }
    # Keys are namespaced by the code that computed them: a deploy never serves figures or
    # sentences cached by the previous version's code (a data version is in every key).
    config["CACHE_KEY_PREFIX"] = f"lead-{code_version()}-"
    if config["CACHE_TYPE"] == "FileSystemCache":
        config["CACHE_DIR"] = settings.get("CACHE_DIR")
        # flask-caching's default of 500 entries is less than one warmed run (about 350)
        # plus what readers ask for; past it, every write prunes the folder and evicts
        # entries in use. Entries expire after CACHE_TIMEOUT_SECONDS anyway.
        config["CACHE_THRESHOLD"] = FILE_CACHE_ENTRIES
    if config["CACHE_TYPE"] == "RedisCache":
        config["CACHE_REDIS_URL"] = settings.get("CACHE_REDIS_URL")
    cache.init_app(server, config=config)


_ENGINE_URLS: set[str] = set()


@lru_cache(maxsize=4)
def _engine(database_url: str) -> Engine:
    # One connection pool per worker process; pools are process-local by nature.
    _ENGINE_URLS.add(database_url)
    return reader_engine(database_url)


def forget_engines() -> None:
    """Drop this process's engines without closing their connections (after a fork, the
    parent still uses them); the next query opens a pool of this process's own."""
    engines = [_engine(url) for url in _ENGINE_URLS]
    for made in engines:
        made.dispose(close=False)
    _engine.cache_clear()
    _ENGINE_URLS.clear()


def engine() -> Engine:
    return _engine(settings.get("DATABASE_URL"))


@cache.memoize(timeout=RUN_LOOKUP_SECONDS)
def published_run() -> PublishedRun | None:
    """The run whose tables are served: the latest ``succeeded`` one (None if none yet)."""
    try:
        with engine().connect() as conn:
            run = conn.execute(
                select(EtlRun.run_id, EtlRun.finished_at)
                .where(EtlRun.status == "succeeded")
                .order_by(EtlRun.finished_at.desc())
                .limit(1)
            ).first()
            if run is None:
                return None
            return _with_sources(conn, run.run_id, run.finished_at)
    except SQLAlchemyError as exc:
        # A missing or unreadable database is a "no data yet" page, not an error page.
        logger.warning("published database not readable: %s", type(exc).__name__)
        return None


@cache.memoize(timeout=RUN_LOOKUP_SECONDS)
def retained_run(run_id: str) -> PublishedRun | None:
    """A succeeded run whose tables are still retained (for links pinned to a version)."""
    try:
        with engine().connect() as conn:
            run = conn.execute(
                select(EtlRun.run_id, EtlRun.finished_at).where(
                    EtlRun.run_id == run_id, EtlRun.status == "succeeded"
                )
            ).first()
            if run is None:
                return None
            has_rows = conn.execute(
                select(Indicator.indicator_id).where(Indicator.run_id == run_id).limit(1)
            ).first()
            return None if has_rows is None else _with_sources(conn, run.run_id, run.finished_at)
    except SQLAlchemyError as exc:
        logger.warning("published database not readable: %s", type(exc).__name__)
        return None


def _with_sources(conn: Connection, run_id: str, finished: datetime) -> PublishedRun:
    sources = conn.execute(
        select(EtlRunSource)
        .where(EtlRunSource.run_id == run_id)
        .order_by(EtlRunSource.source_id, EtlRunSource.location)
    ).all()
    records = tuple(
        SourceRecord(
            source_id=s.source_id,
            title=s.title,
            publisher=s.publisher,
            location=s.location,
            licence=s.licence,
            is_synthetic=s.is_synthetic,
            rows_accepted=s.rows_accepted,
            watermark=s.watermark,
            coverage_first_month=_as_date(s.coverage_first_month),
            coverage_last_month=_as_date(s.coverage_last_month),
            coverage_areas=s.coverage_areas or "",
        )
        for s in sources
    )
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    return PublishedRun(run_id=run_id, finished_at=finished, sources=records)


def _as_date(value: object) -> date | None:
    """A DATE column as a date (SQLite can hand back text or a datetime)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


INDICATOR_FIELDS = (
    "indicator_id",
    "title",
    "unit",
    "description",
    "methodology",
    "source_ids",
    "suppression_rule",
    "chart_kind",
    "caveats",
    *ESTIMAND_FIELDS,
)


@cache.memoize()
def indicators(run_id: str) -> list[dict[str, str]]:
    """Metadata of every indicator ``run_id`` published, ordered by id."""
    with engine().connect() as conn:
        rows = conn.execute(
            select(*(getattr(Indicator, f) for f in INDICATOR_FIELDS))
            .where(Indicator.run_id == run_id)
            .order_by(Indicator.indicator_id)
        ).all()
    return [dict(zip(INDICATOR_FIELDS, row, strict=True)) for row in rows]


def indicator(run_id: str, indicator_id: str) -> dict[str, str] | None:
    """One indicator's metadata as published by ``run_id`` (None if not published)."""
    return next((i for i in indicators(run_id) if i["indicator_id"] == indicator_id), None)


@cache.memoize()
def observations(
    run_id: str,
    indicator_id: str,
    areas: tuple[str, ...] = (),
    breakdown_value: str | None = None,
) -> pd.DataFrame:
    """Observations of one indicator, optionally for some areas and one breakdown value.

    Columns: :data:`OBSERVATION_COLUMNS`, ``period_start_date`` as a Timestamp, sorted by
    area and period.
    """
    query = select(*(getattr(Observation, c) for c in OBSERVATION_COLUMNS)).where(
        Observation.run_id == run_id, Observation.indicator_id == indicator_id
    )
    if areas:
        query = query.where(Observation.area.in_(areas))
    if breakdown_value is not None:
        query = query.where(Observation.breakdown_value == breakdown_value)
    with engine().connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=list(OBSERVATION_COLUMNS))
    frame["period_start_date"] = pd.to_datetime(frame["period_start_date"])
    frame["is_suppressed"] = frame["is_suppressed"].astype(bool)
    frame["value"] = frame["value"].astype(float)
    return frame.sort_values(["area", "period_start_date"]).reset_index(drop=True)


def _distinct(run_id: str, indicator_id: str, column: str) -> list[Any]:
    """The distinct values of one observation column for an indicator, sorted."""
    field = getattr(Observation, column)
    with engine().connect() as conn:
        rows = conn.execute(
            select(field)
            .where(Observation.run_id == run_id, Observation.indicator_id == indicator_id)
            .distinct()
            .order_by(field)
        ).all()
    return [row[0] for row in rows]


@cache.memoize()
def breakdown_values(run_id: str, indicator_id: str) -> list[str]:
    """The breakdown values (e.g. offense groups) an indicator has in ``run_id``."""
    return _distinct(run_id, indicator_id, "breakdown_value")


@cache.memoize()
def areas(run_id: str, indicator_id: str) -> list[str]:
    """The areas an indicator has in ``run_id``."""
    return _distinct(run_id, indicator_id, "area")


@cache.memoize()
def years(run_id: str, indicator_id: str) -> list[int]:
    """Calendar years with at least one observation of ``indicator_id`` in ``run_id``."""
    return sorted({day.year for day in _distinct(run_id, indicator_id, "period_start_date")})


@cache.memoize(timeout=RUN_LOOKUP_SECONDS)
def latest_run_failed_after_publication() -> bool:
    """True when the newest finished run failed after the published one succeeded."""
    try:
        with engine().connect() as conn:
            latest = conn.execute(
                select(EtlRun.status)
                .where(EtlRun.status.in_(["succeeded", "failed"]))
                .order_by(EtlRun.started_at.desc())
                .limit(1)
            ).first()
    except SQLAlchemyError:
        return False
    return latest is not None and latest.status == "failed"


@cache.memoize()
def coverage(run_id: str, indicator_id: str) -> dict[str, Any]:
    """First and last period, areas, breakdowns and row counts of one indicator."""
    with engine().connect() as conn:
        row = conn.execute(
            select(
                func.min(Observation.period_start_date),
                func.max(Observation.period_start_date),
                func.count(),
                func.sum(case((Observation.is_suppressed, 1), else_=0)),
                func.min(Observation.period_grain),
            ).where(Observation.run_id == run_id, Observation.indicator_id == indicator_id)
        ).one()
    first, last, rows, withheld, grain = row
    return {
        "first_period": pd.Timestamp(first).date().isoformat() if first is not None else None,
        "last_period": pd.Timestamp(last).date().isoformat() if last is not None else None,
        "period_grain": grain,
        "areas": areas(run_id, indicator_id),
        "breakdown_values": breakdown_values(run_id, indicator_id),
        "observations": int(rows or 0),
        "withheld": int(withheld or 0),
    }


@cache.memoize(timeout=RUN_LOOKUP_SECONDS)
def run_history() -> list[dict[str, Any]]:
    """Every finished ETL run, published or failed, newest first: status and times
    (messages stay in the logs). A run under way, or one interrupted part way (abandoned),
    changed nothing and is not listed."""
    with engine().connect() as conn:
        rows = conn.execute(
            select(EtlRun.run_id, EtlRun.status, EtlRun.started_at, EtlRun.finished_at)
            .where(EtlRun.status.in_(PUBLIC_STATUSES))
            .order_by(EtlRun.started_at.desc())
        ).all()
        kept = {r[0] for r in conn.execute(select(Indicator.run_id).distinct()).all()}
    return [
        {
            "run_id": run_id,
            "status": status,
            "started_at": _iso(started),
            "finished_at": _iso(finished),
            "tables_retained": run_id in kept,
        }
        for run_id, status, started, finished in rows
    ]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


CHANGE_KEY = ["indicator_id", "area", "period_start_date", "breakdown_value"]


@cache.memoize()
def changes(run_id: str) -> dict[str, Any]:
    """What ``run_id`` changed in the published numbers against the retained succeeded run
    before it: per indicator, cells added, removed and revised (value, interval or withheld
    status), and the months affected. Counts of cells only, never values."""
    with engine().connect() as conn:
        earlier = conn.execute(
            select(EtlRun.run_id)
            .join(Indicator, Indicator.run_id == EtlRun.run_id)
            .where(
                EtlRun.status == "succeeded",
                EtlRun.finished_at
                < select(EtlRun.finished_at).where(EtlRun.run_id == run_id).scalar_subquery(),
            )
            .order_by(EtlRun.finished_at.desc())
            .limit(1)
        ).first()
    previous = earlier[0] if earlier else None
    new = _all_observations(run_id)
    old = _all_observations(previous) if previous else new.iloc[0:0]
    merged = new.merge(old, on=CHANGE_KEY, how="outer", suffixes=("", "_old"), indicator=True)
    compared = ["value", "lower_bound", "upper_bound", "is_suppressed"]
    both = merged["_merge"] == "both"
    revised = pd.Series(False, index=merged.index)
    for column in compared:
        a, b = merged[column], merged[f"{column}_old"]
        same = (a == b) | (a.isna() & b.isna())
        revised |= both & ~same
    merged["change"] = "unchanged"
    merged.loc[merged["_merge"] == "left_only", "change"] = "added"
    merged.loc[merged["_merge"] == "right_only", "change"] = "removed"
    merged.loc[revised, "change"] = "revised"
    summary = []
    for indicator_id, group in merged.groupby("indicator_id", sort=True):
        counts = group["change"].value_counts()

        def months(kind: str, rows: pd.DataFrame = group) -> list[str]:
            picked = rows.loc[rows["change"] == kind, "period_start_date"]
            return sorted({pd.Timestamp(d).strftime("%Y-%m") for d in picked})

        summary.append(
            {
                "indicator_id": indicator_id,
                "added": int(counts.get("added", 0)),
                "removed": int(counts.get("removed", 0)),
                "revised": int(counts.get("revised", 0)),
                "unchanged": int(counts.get("unchanged", 0)),
                "added_periods": months("added"),
                "revised_periods": months("revised"),
            }
        )
    return {"run_id": run_id, "compared_with": previous, "indicators": summary}


def _all_observations(run_id: str) -> pd.DataFrame:
    columns = [*CHANGE_KEY, "value", "lower_bound", "upper_bound", "is_suppressed"]
    with engine().connect() as conn:
        rows = conn.execute(
            select(*(getattr(Observation, c) for c in columns)).where(Observation.run_id == run_id)
        ).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["period_start_date"] = pd.to_datetime(frame["period_start_date"])
    for column in ("value", "lower_bound", "upper_bound"):
        frame[column] = frame[column].astype(float)
    frame["is_suppressed"] = frame["is_suppressed"].astype(bool)
    return frame
