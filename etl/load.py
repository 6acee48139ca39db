"""Atomic, idempotent publication of one run's tables.

A run is recorded as ``running`` first (its own small transaction). Its indicators,
observations and source provenance are then inserted, checked and marked ``succeeded`` in
**one** transaction: readers see either the previous run or the new one, never a mix. If the
run fails or the process is killed, that transaction never commits and the previous run
keeps serving. Old runs beyond the retention count are pruned in the same transaction.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from etl.models import (
    OBSERVATION_COLUMNS,
    STATUS_ABANDONED,
    STATUS_FAILED,
    STATUS_RUNNING,
    STATUS_SUCCEEDED,
    EtlRun,
    EtlRunSource,
    Indicator,
    Observation,
)
from etl.settings import PROJECT_ROOT
from etl.sources.common import SourceResult

ABANDONED_MESSAGE = "interrupted: the process stopped before the run finished; nothing published"


def published_run_id(conn: Connection) -> str | None:
    """The run whose tables are served: the latest ``succeeded`` one (None before any)."""
    return conn.execute(
        select(EtlRun.run_id)
        .where(EtlRun.status == STATUS_SUCCEEDED)
        .order_by(EtlRun.finished_at.desc())
        .limit(1)
    ).scalar()


def abandon_interrupted_runs(engine: Engine) -> int:
    """Mark runs still ``running`` as abandoned. Called with the run lock held, so none of
    them is alive: each was killed (or its machine stopped) before it finished."""
    with engine.begin() as conn:
        result = conn.execute(
            update(EtlRun)
            .where(EtlRun.status == STATUS_RUNNING)
            .values(
                status=STATUS_ABANDONED, finished_at=datetime.now(UTC), message=ABANDONED_MESSAGE
            )
        )
    return int(result.rowcount or 0)


def new_run_id(now: datetime) -> str:
    """Sortable, unique: ``20261128T120000Z-1a2b3c``."""
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def begin_run(engine: Engine, code_version: str, now: datetime | None = None) -> str:
    started = now or datetime.now(UTC)
    run_id = new_run_id(started)
    with engine.begin() as conn:
        conn.execute(
            insert(EtlRun).values(
                run_id=run_id,
                started_at=started,
                status=STATUS_RUNNING,
                code_version=code_version,
            )
        )
    return run_id


def fail_run(engine: Engine, run_id: str, message: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(EtlRun)
            .where(EtlRun.run_id == run_id)
            .values(status=STATUS_FAILED, finished_at=datetime.now(UTC), message=message[:4000])
        )


def check_observations(observations: pd.DataFrame, indicator_ids: set[str]) -> None:
    """Sanity checks on what is about to be published; a failure aborts the run."""
    error = "observations reference an indicator that is not defined"
    assert set(observations["indicator_id"]) <= indicator_ids, error
    error = "an indicator has no observations"
    assert set(observations["indicator_id"]) == indicator_ids, error
    key = [
        "indicator_id",
        "area",
        "period_start_date",
        "period_grain",
        "breakdown_name",
        "breakdown_value",
    ]
    error = "two observations share indicator, area, period and breakdown"
    assert not observations.duplicated(key).any(), error
    suppressed = observations["is_suppressed"].astype(bool)
    error = "a suppressed observation carries a value (it must be NULL)"
    assert observations.loc[suppressed, "value"].isna().all(), error
    error = "an unsuppressed observation has no value"
    assert observations.loc[~suppressed, "value"].notna().all(), error
    error = "an observation value is not finite"
    assert all(math.isfinite(v) for v in observations.loc[~suppressed, "value"]), error


def publish(
    engine: Engine,
    run_id: str,
    indicators: Iterable[dict[str, str]],
    observations: pd.DataFrame,
    sources: Iterable[SourceResult],
    retain_runs: int,
    message: str,
) -> None:
    """Insert and swap in a run's tables in one transaction (see module docstring)."""
    indicator_rows = [{**row, "run_id": run_id} for row in indicators]
    check_observations(observations, {row["indicator_id"] for row in indicator_rows})
    observation_rows = _observation_records(observations, run_id)
    source_rows = [_source_record(result, run_id) for result in sources]
    with engine.begin() as conn:
        conn.execute(insert(EtlRunSource), source_rows)
        conn.execute(insert(Indicator), indicator_rows)
        conn.execute(insert(Observation), observation_rows)
        conn.execute(
            update(EtlRun)
            .where(EtlRun.run_id == run_id)
            .values(status=STATUS_SUCCEEDED, finished_at=datetime.now(UTC), message=message)
        )
        kept = (
            select(EtlRun.run_id)
            .where(EtlRun.status == STATUS_SUCCEEDED)
            .order_by(EtlRun.finished_at.desc())
            .limit(retain_runs)
        )
        old = [
            row.run_id
            for row in conn.execute(
                select(EtlRun.run_id).where(
                    EtlRun.status == STATUS_SUCCEEDED, EtlRun.run_id.not_in(kept)
                )
            )
        ]
        if old:
            conn.execute(delete(Observation).where(Observation.run_id.in_(old)))
            conn.execute(delete(Indicator).where(Indicator.run_id.in_(old)))


def _observation_records(observations: pd.DataFrame, run_id: str) -> list[dict[str, object]]:
    frame = observations[list(OBSERVATION_COLUMNS)].copy()
    frame["period_start_date"] = pd.to_datetime(frame["period_start_date"]).dt.date
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict("records")
    for record in records:
        record["run_id"] = run_id
        record["is_suppressed"] = bool(record["is_suppressed"])
        if record["denominator_n"] is not None:
            record["denominator_n"] = int(record["denominator_n"])
        for column in ("value", "lower_bound", "upper_bound"):
            if record[column] is not None:
                record[column] = float(record[column])
    return records  # type: ignore[return-value]


def public_location(location: str) -> str:
    """How a source is named in the published tables: a URL, or a path inside the repository.

    Local paths outside the repository are reduced to the file name so that no server
    directory layout is published.
    """
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


def _source_record(result: SourceResult, run_id: str) -> dict[str, object]:
    return {
        "run_id": run_id,
        "source_id": result.info.source_id,
        "location": public_location(result.location),
        "title": result.info.title,
        "publisher": result.info.publisher,
        "licence": result.info.licence,
        "is_synthetic": result.info.is_synthetic,
        "sha256": result.sha256,
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected,
        "watermark": result.watermark,
        **_coverage_fields(result),
    }


def _coverage_fields(result: SourceResult) -> dict[str, object]:
    coverage = result.coverage
    if coverage is None:
        return {
            "coverage_first_month": None,
            "coverage_last_month": None,
            "coverage_areas": "",
            "coverage_categories": "",
        }
    return {
        "coverage_first_month": coverage.first_month.date(),
        "coverage_last_month": coverage.last_month.date(),
        "coverage_areas": ",".join(coverage.areas),
        "coverage_categories": ",".join(coverage.groups),
    }
