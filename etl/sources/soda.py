"""Live extraction from a Socrata (SODA 2.x) open-data portal such as data.seattle.gov.

Facts relied on (``etl/sample_data/seattle/FORMATS.md`` section 1): records are read from
``<base>/resource/<4x4 id>.json`` in pages with ``$limit``/``$offset`` under a stable
``$order`` (``:id`` at least); there is no cursor, so the data end on a short or empty page;
throttling is HTTP 429 and server trouble 5xx (202 means "still processing, ask again");
errors carry a JSON body with ``errorCode`` (or the older ``code``) and ``message``; every
value is a JSON string, and a key whose value is null is left out; floating timestamps are
ISO 8601 without a ``Z`` and must be compared with literals without one.

How an incremental run works, and why the raw extract is kept between runs
---------------------------------------------------------------------------
The published tables hold aggregates only (monthly counts), so a run cannot add a few new
records to what was published: it needs every record. The ETL therefore keeps a **raw
cache per source** (one CSV of API field names, e.g. ``data/raw/spd_crime_nibrs.csv``) and
each run:

1. loads the cache (:func:`load_cache`) and takes its watermark, the latest record date in
   the cache itself (:func:`cache_watermark`), never a date stored elsewhere: if the cache
   is lost, the next run is a full load instead of an incremental fetch onto nothing;
2. fetches only records dated from ``lookback_days`` before that watermark
   (:func:`incremental_where`), so late-arriving and corrected records inside the window are
   delivered again;
3. merges them into the cache keyed on the record id, the newer delivery winning
   (:func:`merge_records`): a correction replaces the old row, a repeated delivery changes
   nothing;
4. writes the cache atomically (:func:`save_cache`: temporary file + ``os.replace``), then
   hands the cache file to the CSV source module (``spd_nibrs.run``) like any export.

:func:`sync_to_cache` does steps 1 to 4. Records deleted at the source, and corrections to
records older than the look-back window, are only picked up by a full refresh
(``full_refresh=True``), which replaces the cache with a complete download; schedule one
now and then (e.g. weekly). A failed fetch raises before anything is written, so the cache
and the published data stay as they were.
"""

from __future__ import annotations

import csv
import email.utils
import io
import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import requests

from etl.sources.common import SourceError

logger = logging.getLogger(__name__)

# Seattle publishes floating timestamps in its own local time.
PUBLISHER_TIMEZONE = ZoneInfo("America/Los_Angeles")
FLOATING_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.000"
DEFAULT_MAX_PAGES = 10_000
# A Retry-After (or a backoff) longer than this is cut to it, so a bad header cannot stall
# a scheduled run for hours.
MAX_RETRY_WAIT_SECONDS = 120.0
RETRYABLE_STATUS = frozenset({202, 429, 500, 502, 503, 504})
_IDENTIFIER = re.compile(r":?[A-Za-z_][A-Za-z0-9_]*")

Sleep = Callable[[float], None]


def resource_url(base_url: str, dataset_id: str) -> str:
    """``https://data.seattle.gov`` + ``tazs-3rd5`` -> the dataset's SODA JSON endpoint."""
    return f"{base_url.rstrip('/')}/resource/{dataset_id}.json"


def fetch_dataset(
    base_url: str,
    dataset_id: str,
    *,
    order: str = ":id",
    where: str | None = None,
    select: str | None = None,
    group: str | None = None,
    page_size: int = 1000,
    timeout_seconds: float = 60,
    max_retries: int = 4,
    backoff_seconds: float = 1.0,
    app_token: str | None = None,
    session: requests.Session | None = None,
    sleep: Sleep = time.sleep,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_retry_wait_seconds: float = MAX_RETRY_WAIT_SECONDS,
) -> list[dict[str, str]]:
    """Every record of a SODA dataset (optionally filtered by a SoQL ``where``), as strings.

    Pages of ``page_size`` are requested in ``order`` (keep it stable: ``:id`` or a unique
    column) until a page is short or empty. Connection errors, timeouts, 202, 429 and 5xx
    are retried up to ``max_retries`` times per page, waiting ``backoff_seconds * 2**n`` or
    the server's ``Retry-After``, both capped at ``max_retry_wait_seconds``. Any other
    status, a body that is not a JSON list of objects (e.g. truncated), a page longer than
    asked for, or more than ``max_pages`` pages raises :class:`SourceError`; nothing is
    returned then, so a partial download can never be mistaken for the dataset.

    Values are returned as the API sends them (strings); null (absent) keys stay absent; a
    nested value (a location object) is kept as its compact JSON text. ``select`` and
    ``group`` (SoQL ``$select``/``$group``) ask for aggregates instead of records; order
    them by a grouped column.
    """
    if page_size < 1 or max_pages < 1 or max_retries < 0:
        raise ValueError("page_size and max_pages must be >= 1, max_retries >= 0")
    url = resource_url(base_url, dataset_id)
    headers = {"Accept": "application/json"}
    if app_token:
        headers["X-App-Token"] = app_token
    own_session = session is None
    http = requests.Session() if session is None else session
    records: list[dict[str, str]] = []
    try:
        for page in range(1, max_pages + 1):
            params = {"$limit": str(page_size), "$offset": str(len(records)), "$order": order}
            if where:
                params["$where"] = where
            if select:
                params["$select"] = select
            if group:
                params["$group"] = group
            response = _get_with_retries(
                http,
                url,
                params,
                headers,
                page=page,
                timeout_seconds=timeout_seconds,
                max_retries=max_retries,
                backoff_seconds=backoff_seconds,
                max_wait=max_retry_wait_seconds,
                sleep=sleep,
            )
            rows = _page_records(response, url, page)
            if len(rows) > page_size:
                raise SourceError(
                    f"{url}: page {page} holds {len(rows)} records but {page_size} were asked "
                    "for; the server ignored $limit, so $offset paging would skip records"
                )
            records.extend(rows)
            if len(rows) < page_size:
                return records
    finally:
        if own_session:
            http.close()
    raise SourceError(
        f"{url}: still more records after {max_pages} pages of {page_size}; raise the page "
        "limit or the page size (the cap stops a paging loop that never ends)"
    )


def _get_with_retries(
    http: requests.Session,
    url: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    *,
    page: int,
    timeout_seconds: float,
    max_retries: int,
    backoff_seconds: float,
    max_wait: float,
    sleep: Sleep,
) -> requests.Response:
    """One page, retried on transient failures; raises SourceError on anything else."""
    attempts = max_retries + 1
    for attempt in range(attempts):
        retry_after: float | None = None
        try:
            response = http.get(url, params=params, headers=headers, timeout=timeout_seconds)
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,  # the connection dropped mid-body
        ) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        except requests.RequestException as exc:
            raise SourceError(f"{url}: page {page}: could not request: {exc}") from exc
        else:
            if response.status_code == 200:
                return response
            problem = f"HTTP {response.status_code}{_soda_error(response)}"
            if response.status_code not in RETRYABLE_STATUS:
                raise SourceError(f"{url}: page {page}: {problem}")
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        if attempt == attempts - 1:
            raise SourceError(f"{url}: page {page}: gave up after {attempts} attempts: {problem}")
        wait = backoff_seconds * 2**attempt if retry_after is None else retry_after
        wait = min(max(wait, 0.0), max_wait)
        logger.warning(
            "%s: page %d: %s; retrying in %.1f s (attempt %d of %d)",
            url,
            page,
            problem,
            wait,
            attempt + 2,
            attempts,
        )
        sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _soda_error(response: requests.Response) -> str:
    """``": query.soql.no-such-column: No such column: x"`` from a SODA error body."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return f": {text[:200]}" if text else ""
    if not isinstance(body, dict):
        return ""
    code = body.get("errorCode") or body.get("code")
    message = body.get("message")
    parts = [str(part) for part in (code, message) if part]
    return f": {': '.join(parts)}" if parts else ""


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _page_records(response: requests.Response, url: str, page: int) -> list[dict[str, str]]:
    try:
        body = json.loads(response.content)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise SourceError(
            f"{url}: truncated or invalid response on page {page}: not valid JSON ({exc})"
        ) from exc
    if not isinstance(body, list):
        raise SourceError(
            f"{url}: truncated or invalid response on page {page}: expected a JSON list of "
            f"records, got {type(body).__name__}"
        )
    records: list[dict[str, str]] = []
    for number, item in enumerate(body, start=1):
        if not isinstance(item, dict):
            raise SourceError(
                f"{url}: truncated or invalid response on page {page}: record {number} is "
                f"a {type(item).__name__}, not an object"
            )
        records.append(_as_text_record(item))
    return records


def _as_text_record(item: Mapping[str, Any]) -> dict[str, str]:
    """SODA sends strings; anything else is made text, and null is treated as absent."""
    record: dict[str, str] = {}
    for key, value in item.items():
        if value is None:
            continue
        if isinstance(value, str):
            record[key] = value
        elif isinstance(value, dict | list):
            record[key] = json.dumps(value, separators=(",", ":"), sort_keys=True)
        elif isinstance(value, bool):
            record[key] = "true" if value else "false"
        else:
            record[key] = str(value)
    return record


# --- Feeding API records to the CSV source modules ------------------------------------------


def record_columns(records: Iterable[Mapping[str, str]]) -> list[str]:
    """Every field name in the records, in order of first appearance."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    return list(columns)


def to_csv_bytes(
    records: Sequence[Mapping[str, str]], columns: Sequence[str] | None = None
) -> bytes:
    """API records as UTF-8 CSV with API field names as the header (as ``/resource/<id>.csv``).

    An absent key (null) becomes an empty cell; values, including ISO datetimes
    (``2020-01-17T21:12:07.000``), are written unchanged. ``columns`` fixes the header; a
    record field outside it raises :class:`SourceError` (schema drift must reach the source
    module's header check, never be dropped silently). Without ``columns`` every field seen
    is a column. The source modules map API field names (``spd_nibrs.RENAME_OLD_API`` /
    ``RENAME_NEW_API``) like portal headers.
    """
    header = list(columns) if columns is not None else record_columns(records)
    if not header:
        raise SourceError("no records and no columns: nothing to write as CSV")
    known = set(header)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for number, record in enumerate(records, start=1):
        unknown = sorted(set(record) - known)
        if unknown:
            raise SourceError(
                f"record {number} has field(s) {', '.join(unknown)} not in the expected "
                "columns; the source schema may have changed"
            )
        writer.writerow([record.get(column, "") for column in header])
    return buffer.getvalue().encode("utf-8")


def records_frame(
    records: Sequence[Mapping[str, str]], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """API records as a frame of strings (absent keys -> ``""``), the cache's shape."""
    header = list(columns) if columns is not None else record_columns(records)
    frame = pd.DataFrame.from_records(list(records), columns=header)
    return frame.fillna("").astype(str)


# --- Incremental watermark -------------------------------------------------------------------


def floating_timestamp(moment: datetime) -> str:
    """A SoQL floating-timestamp literal body: ``2021-09-01T00:00:00.000`` (never a ``Z``).

    An aware datetime is first converted to the publisher's local time (Seattle), which is
    what floating timestamps mean; a naive one is taken as already in that time.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(PUBLISHER_TIMEZONE).replace(tzinfo=None)
    return moment.strftime(FLOATING_TIMESTAMP_FORMAT)


def incremental_where(
    date_field: str, last_watermark: datetime | None, lookback_days: int
) -> str | None:
    """The SoQL ``$where`` of an incremental fetch, or None (a full load) without a watermark.

    Starts at midnight ``lookback_days`` before the watermark's day, so records that arrive
    late or are corrected within that window are delivered again (and merged by id):
    ``incremental_where("report_datetime", datetime(2021, 9, 6, 17, 2, 41), 5)`` is
    ``"report_datetime >= '2021-09-01T00:00:00.000'"``.
    """
    if not _IDENTIFIER.fullmatch(date_field):
        raise ValueError(f"not a SODA field name: {date_field!r}")
    if lookback_days < 0:
        raise ValueError(f"lookback_days must be >= 0, got {lookback_days}")
    if last_watermark is None:
        return None
    if last_watermark.tzinfo is not None:
        last_watermark = last_watermark.astimezone(PUBLISHER_TIMEZONE).replace(tzinfo=None)
    start = datetime.combine(last_watermark.date(), datetime.min.time())
    start -= timedelta(days=lookback_days)
    return f"{date_field} >= '{floating_timestamp(start)}'"


def soql_in(field: str, values: Sequence[str]) -> str:
    """``mcpp in ('BELLTOWN', 'CAPITOL HILL')``, quotes doubled, for a fixed filter."""
    if not _IDENTIFIER.fullmatch(field):
        raise ValueError(f"not a SODA field name: {field!r}")
    if not values:
        raise ValueError("soql_in needs at least one value")
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{field} in ({quoted})"


def combine_where(*clauses: str | None) -> str | None:
    """The given SoQL conditions joined with ``AND`` (None if there are none)."""
    present = [clause for clause in clauses if clause]
    if len(present) <= 1:
        return present[0] if present else None
    return " AND ".join(f"({clause})" for clause in present)


# --- One source's refresh (for the pipeline) -----------------------------------------------


@dataclass(frozen=True)
class SodaDataset:
    """A portal dataset mirrored into a raw cache.

    ``date_fields``: the record-date field, by schema; the first one present in the cache
    sets the watermark (the NIBRS dataset was republished with ``report_date_time``).
    """

    source_id: str
    dataset_id: str
    key: str
    date_fields: tuple[str, ...]


NIBRS = SodaDataset(
    source_id="spd_crime_nibrs",
    dataset_id="tazs-3rd5",
    key="offense_id",
    date_fields=("report_date_time", "report_datetime"),
)
# The older crime format: report numbers repeat only as errors (the source module
# quarantines them); ``reported_date`` is an UNCONFIRMED API name (FORMATS.md 2e).
LEGACY_CRIME = SodaDataset(
    source_id="spd_crime_legacy",
    dataset_id="4fs7-3vj5",
    key="report_number",
    date_fields=("reported_date",),
)
# 911 Incident Response (older CAD): one row per CAD record, ``cad_cdw_id`` unique.
CALLS_911 = SodaDataset(
    source_id="spd_911_incident_response",
    dataset_id="3k2p-39jp",
    key="cad_cdw_id",
    date_fields=("event_clearance_date",),
)
# Customer Service Requests: one row per request; ``createddate`` is the only date.
CSR = SodaDataset(
    source_id="seattle_csr",
    dataset_id="5ngg-rpne",
    key="servicerequestnumber",
    date_fields=("createddate",),
)


def with_dataset_id(dataset: SodaDataset, dataset_id: str) -> SodaDataset:
    """``dataset`` read from another portal id (a settings override), checked for shape."""
    if not re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}", dataset_id):
        raise ValueError(
            f"{dataset_id!r} is not a Socrata dataset id (four characters, a hyphen, four "
            f"characters, like {dataset.dataset_id})"
        )
    return SodaDataset(dataset.source_id, dataset_id, dataset.key, dataset.date_fields)
