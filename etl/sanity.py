"""Sanity gates before publishing: a source that suddenly shrinks stops the run.

A file that arrives empty, cut short or from the wrong area would still pass every row
rule, and a run would then publish *less* (an empty Belltown file once removed every
Belltown crime series without a word). So each run's sources are compared with the
published run's, and the run fails, naming the file and the drop, when

* a file is empty (no row accepted);
* a file (same name) or a source (all its files) accepted more than
  ``SANITY_MAX_ROW_DROP`` fewer rows than before;
* a source covers fewer complete months than before by more than
  ``SANITY_MAX_MONTHS_DROP``, or no longer covers an area it covered.

An intended change (a source retired, a file replaced by a smaller one) is published with
``python -m etl run --allow-shrink`` (``ALLOW_SHRINK``), once; the next run compares with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select

from etl.load import public_location, published_run_id
from etl.models import EtlRunSource
from etl.sources.common import SourceResult, display_name


@dataclass
class SourceShape:
    """How much one source (all its files) held in one run."""

    rows: int = 0
    months: set[date] = field(default_factory=set)
    areas: set[str] = field(default_factory=set)
    # File name (or URL) -> rows accepted: a file is the same file wherever it is read from.
    files: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Thresholds:
    max_row_drop: float  # a share: 0.25 fails at a quarter fewer rows
    max_months_drop: float


def _months(first: date | None, last: date | None) -> set[date]:
    if first is None or last is None:
        return set()
    found: set[date] = set()
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.add(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def current_shapes(sources: Iterable[SourceResult]) -> dict[str, SourceShape]:
    shapes: dict[str, SourceShape] = defaultdict(SourceShape)
    for result in sources:
        shape = shapes[result.info.source_id]
        shape.rows += result.rows_accepted
        name = display_name(public_location(result.location))
        shape.files[name] = shape.files.get(name, 0) + result.rows_accepted
        coverage = result.coverage
        if coverage is not None:
            shape.months |= _months(coverage.first_month.date(), coverage.last_month.date())
            shape.areas |= set(coverage.areas)
    return dict(shapes)


def published_shapes(engine: Engine) -> tuple[str | None, dict[str, SourceShape]]:
    """The published run's id and its sources' shapes (None and {} before the first run)."""
    with engine.connect() as conn:
        latest = published_run_id(conn)
        if latest is None:
            return None, {}
        rows = conn.execute(select(EtlRunSource).where(EtlRunSource.run_id == latest)).all()
        shapes: dict[str, SourceShape] = defaultdict(SourceShape)
        for row in rows:
            shape = shapes[row.source_id]
            shape.rows += row.rows_accepted
            name = display_name(row.location)
            shape.files[name] = shape.files.get(name, 0) + row.rows_accepted
            shape.months |= _months(_day(row.coverage_first_month), _day(row.coverage_last_month))
            shape.areas |= {a for a in (row.coverage_areas or "").split(",") if a}
    return str(latest), dict(shapes)


def _day(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


def problems(
    previous: Mapping[str, SourceShape],
    current: Mapping[str, SourceShape],
    limits: Thresholds,
    previous_run: str | None,
) -> list[str]:
    """Every way ``current`` shrank against ``previous``, one message each."""
    found: list[str] = []
    since = f"the published run ({previous_run})" if previous_run else "the published run"
    for source_id, now in sorted(current.items()):
        for location, rows in sorted(now.files.items()):
            if rows == 0:
                found.append(f"{display_name(location)}: empty (no row accepted)")
        before = previous.get(source_id)
        if before is None:
            continue
        for location, rows in sorted(now.files.items()):
            old = before.files.get(location)
            if old and rows and _dropped(old, rows) > limits.max_row_drop:
                found.append(
                    f"{display_name(location)}: {rows:,} row{'s' * (rows != 1)} accepted, "
                    f"{_dropped(old, rows):.0%} fewer than the {old:,} of {since}"
                )
        if before.rows and _dropped(before.rows, now.rows) > limits.max_row_drop:
            found.append(
                f"{source_id}: {now.rows:,} rows in all, {_dropped(before.rows, now.rows):.0%} "
                f"fewer than the {before.rows:,} of {since}"
            )
        lost_areas = sorted(before.areas - now.areas)
        if lost_areas and before.areas:
            found.append(
                f"{source_id}: no longer covers {', '.join(a.title() for a in lost_areas)}"
            )
        if before.months and _dropped(len(before.months), len(now.months)) > limits.max_months_drop:
            found.append(
                f"{source_id}: covers {len(now.months)} complete months, "
                f"{_dropped(len(before.months), len(now.months)):.0%} fewer than the "
                f"{len(before.months)} of {since}"
            )
    return found


def _dropped(before: int, now: int) -> float:
    return (before - now) / before if before else 0.0
