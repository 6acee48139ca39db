"""Reading the neighborhood sources of a run: files, or the open-data portal's datasets.

A live source (``SODA_BASE_URL`` set) is fetched into this run's staging folder and read
from there; the raw caches are replaced only after the run publishes
(:mod:`etl.sources.soda_sync`). Without a portal, each source's files are read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType

from etl import settings
from etl.sources import seattle_csr, soda, soda_sync, spd_911, spd_legacy, spd_nibrs
from etl.sources.common import SourceResult, display_name

NONE = "none"
Reporter = Callable[[str], None]
# A source module's ``run`` (location, timeout in seconds, now).
SourceReader = Callable[[str, int, datetime | None], SourceResult]


@dataclass
class Staging:
    """This run's fetched copies of the live caches, moved over them only after publishing."""

    folder: Path
    full_refresh: bool
    synced: list[soda_sync.SyncResult] = field(default_factory=list)


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


def live_dataset(source: LiveSource) -> LiveDataset | None:
    """The portal dataset to fetch ``source`` from, or None when its id setting is none."""
    dataset_id = settings.get(f"{source.soda_prefix}_DATASET").strip()
    if dataset_id.lower() == NONE:
        return None
    return LiveDataset(
        soda.with_dataset_id(source.dataset, dataset_id),
        settings.get(f"{source.soda_prefix}_WHERE").strip(),
    )


def other_sources(live: str) -> list[tuple[LiveSource, str | LiveDataset]]:
    """(source, file location or portal dataset) for every non-NIBRS public source.

    With a portal (``live``), a source is fetched from its dataset unless that dataset's
    setting is ``none``; then, and without a portal, its files are read (``none`` = none).
    """
    pairs: list[tuple[LiveSource, str | LiveDataset]] = []
    for source in OTHER_SOURCES:
        dataset = live_dataset(source) if live else None
        if dataset is not None:
            pairs.append((source, dataset))
            continue
        locations = [x for x in settings.get(source.files_setting) if x.lower() != NONE]
        pairs += [(source, location) for location in locations]
    return pairs


def read_other(
    module: ModuleType, location: str, say: Reporter, now: datetime | None
) -> SourceResult:
    result: SourceResult = module.run(location, settings.get("HTTP_TIMEOUT_SECONDS"), now=now)
    say(
        f"      {display_name(location)}: read {result.rows_read}, accepted "
        f"{result.rows_accepted}, rejected {result.rows_rejected}"
    )
    return result


def read_nibrs(location: str, say: Reporter, now: datetime | None) -> SourceResult:
    started = time.perf_counter()
    # Only the columns the indicators use are kept: a city-wide file's others cost memory.
    result = spd_nibrs.run_for_indicators(location, settings.get("HTTP_TIMEOUT_SECONDS"), now)
    say(
        f"      {display_name(location)}: read {result.rows_read}, accepted "
        f"{result.rows_accepted}, rejected {result.rows_rejected} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return result


def read_live(
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
