"""The raw cache of each live source: incremental sync, reconciliation, staged replacement.

The published tables hold aggregates only (monthly counts), so a run cannot add a few new
records to what was published: it needs every record. The ETL therefore keeps a **raw
cache per source** (one CSV of API field names, e.g. ``data/raw/spd_crime_nibrs.csv``,
with a small ``.state.json`` beside it) and each run, per source (:func:`sync_to_stage`):

1. loads the cache (:func:`load_cache`) and takes its watermark, the latest record date in
   the cache itself (:func:`cache_watermark`), never a date stored elsewhere: if the cache
   is lost, the next run is a full load instead of an incremental fetch onto nothing;
2. does a **full refresh** instead when asked, when the last one is older than
   ``full_refresh_days`` (the schedule's weekly default), or when the fixed filter changed;
3. otherwise fetches only records dated from ``lookback_days`` before that watermark
   (:func:`soda.incremental_where`), so late and corrected records inside the window are
   delivered again, and merges them by record id, the newer delivery winning
   (:func:`merge_records`);
4. **reconciles** older months: one grouped query asks the portal for each month's record
   count and latest ``:updated_at`` (:func:`portal_months`); a month whose count differs
   from the cache's, or whose ``:updated_at`` moved since the last run, is fetched again
   whole and replaces that month in the cache (deleted records disappear, corrected ones
   are replaced);
5. writes the result to a **staging** file, never to the cache.

The pipeline reads the staged files, and only after the run has published does it move
every staged file over its cache (:func:`commit_staged`; ``os.replace``, atomic per file).
A failure anywhere, in any source, discards the staging folder (:func:`discard_staged`):
every cache and the published data stay byte-for-byte as they were.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from etl.sources import soda
from etl.sources.common import SourceError

logger = logging.getLogger(__name__)
STATE_SUFFIX = ".state.json"
MONTH = "month"  # the grouped column of the reconciliation query


def cache_watermark(frame: pd.DataFrame, date_field: str) -> datetime | None:
    """The latest ISO ``date_field`` value in a cached extract (None if none is readable)."""
    if date_field not in frame.columns or frame.empty:
        return None
    parsed = pd.to_datetime(frame[date_field], format="ISO8601", errors="coerce")
    latest = parsed.max()
    if pd.isna(latest):
        return None
    moment: datetime = pd.Timestamp(latest).to_pydatetime()
    return moment


def merge_records(previous: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    """The cache after a delivery: ``previous`` with ``new`` merged in by ``key``.

    A record of ``previous`` whose key is in ``new`` is replaced by the new delivery's row
    (late corrections win); new keys are added; others are kept. Rows are sorted by key
    (stably), so merging the same delivery twice gives an identical frame and an identical
    cache file. Both frames hold strings; a column missing on one side is ``""`` there.
    Rows repeating a key *within* one delivery are all kept, so the source module can
    report the repeat as a rejected row, as it does for a file.
    """
    for name, frame in (("previous", previous), ("new", new)):
        if key not in frame.columns and not (name == "previous" and frame.columns.empty):
            raise SourceError(f"the {name} records have no key column {key!r}")
    kept = previous if previous.columns.empty else previous[~previous[key].isin(set(new[key]))]
    columns = list(dict.fromkeys([*kept.columns, *new.columns]))
    # Empty parts are left out of the concat (pandas warns about their dtypes otherwise).
    parts = [part for part in (kept, new) if not part.empty]
    merged = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    merged = merged.reindex(columns=columns).fillna("").astype(str)
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


def load_cache(path: str | Path) -> pd.DataFrame:
    """A cached raw extract as strings (blank -> ``""``); an empty frame if there is none."""
    cache = Path(path)
    if not cache.exists():
        return pd.DataFrame()
    try:
        return pd.read_csv(cache, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{cache.name}: could not read the raw cache: {exc}") from exc


def save_cache(frame: pd.DataFrame, path: str | Path) -> None:
    """Write the cache atomically: a temporary file in the same folder, then ``os.replace``.

    A reader (or a run killed mid-write) sees the old file or the new one, never half.
    """
    cache = Path(path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=f".{cache.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, cache)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_state(state: dict[str, Any], path: str | Path) -> None:
    """Write a cache's state file atomically (same folder, then ``os.replace``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_state(path: str | Path) -> dict[str, Any]:
    """A cache's state (last full refresh, filter, per-month ``:updated_at``); {} if none."""
    target = Path(path)
    if not target.exists():
        return {}
    try:
        state = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # unreadable state: the next run is a full refresh
    return state if isinstance(state, dict) else {}


def state_path(cache_path: str | Path) -> Path:
    cache = Path(cache_path)
    return cache.with_name(cache.stem + STATE_SUFFIX)


# --- Reconciliation --------------------------------------------------------------------------


def portal_months(
    base_url: str, dataset: soda.SodaDataset, date_field: str, where: str | None, **options: Any
) -> dict[str, tuple[int, str]]:
    """The portal's ``{"2020-01": (records, latest :updated_at)}`` for every month, from one
    grouped query (``date_trunc_ym``, ``count(*)``, ``max(:updated_at)``)."""
    rows = soda.fetch_dataset(
        base_url,
        dataset.dataset_id,
        select=(
            f"date_trunc_ym({date_field}) AS {MONTH}, count(*) AS records, "
            "max(:updated_at) AS updated"
        ),
        group=MONTH,
        order=MONTH,
        where=where,
        **options,
    )
    months: dict[str, tuple[int, str]] = {}
    for row in rows:
        if MONTH not in row:
            continue  # records without a date: no month to reconcile
        try:
            count = int(float(row.get("records", "0")))
        except ValueError as exc:
            raise SourceError(f"{soda.resource_url(base_url, dataset.dataset_id)}: {exc}") from exc
        months[row[MONTH][:7]] = (count, row.get("updated", ""))
    return months


def cache_months(frame: pd.DataFrame, date_field: str) -> pd.Series:
    """Each cached record's month (``"2020-01"``); ``""`` where its date is unreadable."""
    if frame.empty or date_field not in frame.columns:
        return pd.Series("", index=frame.index, dtype=str)
    parsed = pd.to_datetime(frame[date_field], format="ISO8601", errors="coerce")
    return parsed.dt.strftime("%Y-%m").fillna("")


def months_to_refetch(
    cached: pd.Series, portal: dict[str, tuple[int, str]], updated_before: dict[str, str]
) -> list[str]:
    """Months whose cached record count differs from the portal's, or whose latest
    ``:updated_at`` moved since the last run (a correction that kept the count)."""
    counts = {str(month): int(n) for month, n in cached[cached != ""].value_counts().items()}
    months = set(counts) | set(portal)
    return sorted(
        month
        for month in months
        if counts.get(month, 0) != portal.get(month, (0, ""))[0]
        or (month in updated_before and portal.get(month, (0, ""))[1] != updated_before[month])
    )


def month_where(date_field: str, month: str) -> str:
    """``report_datetime >= '2020-01-01T00:00:00.000' AND report_datetime < '2020-02-01...'``."""
    start = datetime.strptime(month, "%Y-%m")
    end = (start + timedelta(days=32)).replace(day=1)
    return (
        f"{date_field} >= '{soda.floating_timestamp(start)}' AND "
        f"{date_field} < '{soda.floating_timestamp(end)}'"
    )


# --- One source's refresh into staging -------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    url: str
    cache_path: Path  # where the cache lives (replaced only by commit_staged)
    staged_path: Path  # what this run read
    where: str | None
    watermark_before: datetime | None
    fetched: int
    added: int
    replaced: int
    total: int
    full_refresh: bool = False
    full_refresh_reason: str = ""
    reconciled_months: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the run's log: what was fetched and reconciled."""
        if self.full_refresh:
            how = f"full refresh ({self.full_refresh_reason})"
        else:
            how = f"incremental ({self.where})"
        text = (
            f"fetched {self.fetched} by {how}, {self.added} new, {self.replaced} replaced, "
            f"{self.total} cached"
        )
        if not self.full_refresh:
            months = self.reconciled_months
            text += f"; {len(months)} month(s) reconciled" + (
                f" ({', '.join(months)})" if months else ""
            )
        return text


def _full_refresh_reason(
    state: dict[str, Any], base_where: str | None, full_refresh_days: int, now: datetime
) -> str:
    if not state:
        return "no record of an earlier full refresh"
    if (state.get("where") or None) != (base_where or None):
        return "the fixed filter changed"
    last = state.get("last_full_refresh")
    if full_refresh_days > 0 and last:
        try:
            age = now - datetime.fromisoformat(str(last))
        except ValueError:
            return "the last full refresh date is unreadable"
        if age >= timedelta(days=full_refresh_days):
            return f"the last was {age.days} day(s) ago (every {full_refresh_days})"
    return ""


def sync_to_stage(
    base_url: str,
    dataset: soda.SodaDataset,
    cache_path: str | Path,
    staging_dir: str | Path,
    *,
    lookback_days: int,
    full_refresh: bool = False,
    full_refresh_days: int = 0,
    base_where: str | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> SyncResult:
    """Fetch new, changed and reconciled records of ``dataset`` into a staged cache file.

    ``full_refresh`` forces a complete download; so does a last full refresh older than
    ``full_refresh_days`` (0: only when asked), a changed ``base_where`` (a fixed filter
    ANDed to every request) or a missing state file. ``fetch_options`` go to
    :func:`soda.fetch_dataset`. Nothing outside ``staging_dir`` is written; raises
    :class:`SourceError` if any request fails.
    """
    moment = now or datetime.now()
    cache = Path(cache_path)
    state = load_state(state_path(cache))
    previous = load_cache(cache)
    reason = (
        "asked for"
        if full_refresh
        else _full_refresh_reason(state, base_where, full_refresh_days, moment)
    )
    if previous.empty:
        reason = reason or "no earlier cache"
    if reason:
        previous = pd.DataFrame()
    date_field = next((f for f in dataset.date_fields if f in previous.columns), None)
    watermark = cache_watermark(previous, date_field) if date_field else None
    since = soda.incremental_where(date_field, watermark, lookback_days) if date_field else None
    where = soda.combine_where(base_where, since)
    records = soda.fetch_dataset(base_url, dataset.dataset_id, where=where, **fetch_options)
    new = soda.records_frame(records)
    if new.empty and new.columns.empty:
        new = pd.DataFrame(columns=[dataset.key])
    url = soda.resource_url(base_url, dataset.dataset_id)
    if previous.empty and not records:
        raise SourceError(f"{url}: no records at all")
    merged = merge_records(previous, new, dataset.key)
    previous_keys = set(previous[dataset.key]) if dataset.key in previous.columns else set()
    new_keys = set(new[dataset.key])
    reconciled: list[str] = []
    field_now = next((f for f in dataset.date_fields if f in merged.columns), None)
    updated: dict[str, str] = {}
    if field_now is not None:
        portal = portal_months(base_url, dataset, field_now, base_where, **fetch_options)
        updated = {month: stamp for month, (_, stamp) in portal.items()}
        if not reason:
            before = state.get("updated_at_by_month") or {}
            reconciled = months_to_refetch(cache_months(merged, field_now), portal, before)
            merged = _refetch_months(
                base_url, dataset, merged, field_now, reconciled, base_where, fetch_options
            )
    staged = Path(staging_dir) / cache.name
    save_cache(merged, staged)
    save_state(
        {
            "dataset_id": dataset.dataset_id,
            "where": base_where or None,
            "last_full_refresh": moment.isoformat(timespec="seconds")
            if reason
            else state.get("last_full_refresh"),
            "updated_at_by_month": updated,
        },
        state_path(staged),
    )
    return SyncResult(
        url=url,
        cache_path=cache,
        staged_path=staged,
        where=where,
        watermark_before=watermark,
        fetched=len(records),
        added=len(new_keys - previous_keys),
        replaced=len(new_keys & previous_keys),
        total=len(merged),
        full_refresh=bool(reason),
        full_refresh_reason=reason,
        reconciled_months=reconciled,
    )


def _refetch_months(
    base_url: str,
    dataset: soda.SodaDataset,
    frame: pd.DataFrame,
    date_field: str,
    months: list[str],
    base_where: str | None,
    fetch_options: dict[str, Any],
) -> pd.DataFrame:
    """``frame`` with each of ``months`` replaced by the portal's records of that month."""
    for month in months:
        where = soda.combine_where(base_where, month_where(date_field, month))
        records = soda.fetch_dataset(base_url, dataset.dataset_id, where=where, **fetch_options)
        fresh = soda.records_frame(records)
        kept = frame[cache_months(frame, date_field) != month]
        if not fresh.empty:
            # A record that moved into this month from another is replaced, not doubled.
            kept = kept[~kept[dataset.key].isin(set(fresh[dataset.key]))]
        frame = merge_records(kept, fresh, dataset.key) if not fresh.empty else kept
        logger.info("%s: month %s reconciled: %d record(s)", dataset.source_id, month, len(fresh))
    return frame.reset_index(drop=True)


# --- Replacing the caches only after the run published --------------------------------------


def staging_folder(cache_dir: str | Path, run_id: str) -> Path:
    """``<cache dir>/.staging/<run id>``: on the caches' file system, so replace is atomic."""
    return Path(cache_dir) / ".staging" / run_id


def commit_staged(results: list[SyncResult]) -> None:
    """Move every staged cache (and its state) over the live one: after the run published."""
    for result in results:
        result.cache_path.parent.mkdir(parents=True, exist_ok=True)
        # The cache first: killed in between, the old state only makes the next run
        # reconcile more months than it needs to.
        os.replace(result.staged_path, result.cache_path)
        os.replace(state_path(result.staged_path), state_path(result.cache_path))


def discard_staged(folder: str | Path) -> None:
    """Remove a run's staging folder (a failed run's fetches are thrown away)."""
    shutil.rmtree(folder, ignore_errors=True)
