"""Live extraction over real HTTP: a local SODA look-alike on 127.0.0.1 serving the real rows.

The server pages the bundled Belltown NIBRS extract the way data.seattle.gov does
(``FORMATS.md`` section 1): ``$limit``/``$offset`` under ``$order=:id``, old API field names,
ISO floating timestamps without ``Z``, null fields left out, JSON errors with ``errorCode``.
The rows are converted here with the standard library only, not with project code.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.settings import SAMPLE_DATA_DIR
from etl.sources import soda, soda_sync, spd_nibrs
from etl.sources.common import SourceError

SAMPLE = SAMPLE_DATA_DIR / "seattle" / "spd_crime_nibrs_robbery_belltown_2008-2021.csv"
DATASET = "tazs-3rd5"
PATH = f"/resource/{DATASET}.json"
NOW = datetime(2026, 11, 28)
CSV_TO_API = {
    header: {ours: api for api, ours in spd_nibrs.RENAME_OLD_API.items()}[ours]
    for header, ours in spd_nibrs.RENAME_OLD_CSV.items()
}


def api_record(row: dict[str, str]) -> dict[str, str]:
    """A portal CSV row in the old API JSON shape: field names, ISO dates, no blank keys."""
    record: dict[str, str] = {}
    for header, value in row.items():
        if not value.strip():
            continue  # SODA leaves out null fields
        if header.endswith("DateTime"):
            value = datetime.strptime(value, "%m/%d/%Y %I:%M:%S %p").strftime(
                "%Y-%m-%dT%H:%M:%S.000"
            )
        record[CSV_TO_API[header]] = value
    return record


def sample_records() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return [api_record(row) for row in csv.DictReader(handle)]


@dataclass
class FakeSoda:
    """Serves ``records`` (their list order is ``:id`` order) page by page, like SODA 2.1.

    ``$where`` may join ``field >= 'ts'``, ``field < 'ts'`` and ``field in ('a', ...)``
    with ``AND``. A ``$group`` query answers the reconciliation query the ETL sends
    (``date_trunc_ym(field) AS month, count(*) AS records, max(:updated_at) AS updated``);
    ``updated`` holds each record's ``:updated_at`` by ``key`` (default :data:`UPDATED`).
    """

    records: list[dict[str, str]]
    # (offset, attempt) -> a scripted answer instead of the page; attempt counts from 1
    faults: dict[tuple[int, int], Callable[[bytes], Response]] = field(default_factory=dict)
    queries: list[dict[str, str]] = field(default_factory=list)
    tokens: list[str | None] = field(default_factory=list)
    key: str = "offense_id"
    updated: dict[str, str] = field(default_factory=dict)

    def handle(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.queries.append(args)
        self.tokens.append(request.headers.get("X-App-Token"))
        rows = self.records
        where = args.get("$where")
        if where:
            for clause in re.split(r"\s+AND\s+", where):
                clause = clause.strip()
                if clause.startswith("(") and clause.endswith(")"):
                    clause = clause[1:-1]
                test = _condition(clause)
                if test is None:
                    return _soda_error(400, "query.compiler.malformed", f"Could not parse {where}")
                name, keep = test
                if all(name not in record for record in rows):
                    return _soda_error(400, "query.soql.no-such-column", f"No such column: {name}")
                rows = [r for r in rows if keep(r.get(name, ""))]
        if "$group" in args:
            rows = self._grouped(rows, args.get("$select", ""))
            if rows is None:
                return _soda_error(400, "query.compiler.malformed", "Could not parse $select")
        offset, limit = int(args["$offset"]), int(args["$limit"])
        body = json.dumps(rows[offset : offset + limit]).encode("utf-8")
        attempt = sum(
            1
            for q in self.queries
            if q.get("$offset") == args["$offset"] and q.get("$group") == args.get("$group")
        )
        fault = self.faults.get((offset, attempt))
        if fault is not None and "$group" not in args:
            return fault(body)
        return Response(body, status=200, content_type="application/json; charset=utf-8")

    def _grouped(self, rows: list[dict[str, str]], select: str) -> list[dict[str, str]] | None:
        match = GROUP_SELECT.fullmatch(select)
        if match is None:
            return None
        months: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            if match["field"] in row:
                months.setdefault(row[match["field"]][:7] + "-01T00:00:00.000", []).append(row)
        return [
            {
                "month": month,
                "records": str(len(members)),
                "updated": max(self.updated.get(r.get(self.key, ""), UPDATED) for r in members),
            }
            for month, members in sorted(months.items())
        ]


UPDATED = "2026-01-01T00:00:00.000"
GROUP_SELECT = re.compile(
    r"date_trunc_ym\((?P<field>\w+)\) AS month, count\(\*\) AS records, "
    r"max\(:updated_at\) AS updated"
)
TIMESTAMP = r"'(?P<value>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})'"


def _condition(clause: str) -> tuple[str, Callable[[str], bool]] | None:
    """One SoQL condition as (field, test of a value); None if it is not understood."""
    at_least = re.fullmatch(rf"(?P<field>\w+) >= {TIMESTAMP}", clause)
    if at_least:
        low = at_least["value"]
        return at_least["field"], lambda value: value >= low
    below = re.fullmatch(rf"(?P<field>\w+) < {TIMESTAMP}", clause)
    if below:
        high = below["value"]
        return below["field"], lambda value: value != "" and value < high
    within = re.fullmatch(r"(?P<field>\w+) in \((?P<values>.*)\)", clause)
    if within:
        allowed = set(re.findall(r"'((?:[^']|'')*)'", within["values"]))
        return within["field"], lambda value: value in allowed
    return None


def _soda_error(status: int, code: str, message: str) -> Response:
    body = {"message": message, "errorCode": code, "data": {"query": "..."}}
    return Response(json.dumps(body), status=status, content_type="application/json")


@pytest.fixture
def server(httpserver: HTTPServer) -> FakeSoda:
    fake = FakeSoda(sample_records())
    httpserver.expect_request(PATH, method="GET").respond_with_handler(fake.handle)
    return fake


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    return f"http://127.0.0.1:{httpserver.port}"


def fetch(base_url: str, sleeps: list[float] | None = None, **options: object) -> list[dict]:
    waits: list[float] = [] if sleeps is None else sleeps
    return soda.fetch_dataset(base_url, DATASET, sleep=waits.append, **options)  # type: ignore[arg-type]


def offsets(server: FakeSoda) -> list[int]:
    return [int(q["$offset"]) for q in server.queries]


def test_all_records_are_fetched_page_by_page_in_a_stable_order(
    server: FakeSoda, base_url: str
) -> None:
    records = fetch(base_url, page_size=100, app_token="test-token")  # noqa: S106

    assert records == server.records
    assert len(records) == 606
    assert server.queries == [
        {"$limit": "100", "$offset": str(offset), "$order": ":id"} for offset in range(0, 700, 100)
    ]  # six full pages, then a short one (6 rows) ends the data
    assert server.tokens == ["test-token"] * 7


def test_an_exactly_full_last_page_is_followed_by_an_empty_one(
    server: FakeSoda, base_url: str
) -> None:
    records = fetch(base_url, page_size=101)  # 606 = 6 x 101
    assert len(records) == 606
    assert offsets(server) == [0, 101, 202, 303, 404, 505, 606]
    assert server.tokens == [None] * 7


def test_a_page_failing_once_with_503_is_retried(server: FakeSoda, base_url: str) -> None:
    server.faults[(200, 1)] = lambda _body: Response("upstream busy", status=503)
    sleeps: list[float] = []

    records = fetch(base_url, sleeps, page_size=100, backoff_seconds=0.25)

    assert records == server.records
    assert offsets(server) == [0, 100, 200, 200, 300, 400, 500, 600]
    assert sleeps == [0.25]


def test_a_429_waits_as_long_as_retry_after_says_and_logs_the_retry(
    server: FakeSoda, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.faults[(100, 1)] = lambda _body: Response(
        json.dumps({"message": "Too many requests", "errorCode": "rate-limited"}),
        status=429,
        headers={"Retry-After": "3"},
    )
    sleeps: list[float] = []

    with caplog.at_level("INFO", logger="etl"):
        records = fetch(base_url, sleeps, page_size=100)

    assert records == server.records
    assert sleeps == [3.0]
    assert offsets(server).count(100) == 2
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("etl")] == [
        (
            "WARNING",
            f"{base_url}/resource/{DATASET}.json: page 2: HTTP 429: rate-limited: Too many "
            "requests; retrying in 3.0 s (attempt 2 of 5)",
        )
    ]


def test_a_truncated_json_page_fails_the_fetch_and_returns_nothing(
    server: FakeSoda, base_url: str
) -> None:
    server.faults[(200, 1)] = lambda body: Response(
        body[: len(body) // 2], status=200, content_type="application/json"
    )
    sleeps: list[float] = []
    result: list[dict] | None = None

    with pytest.raises(SourceError, match="truncated or invalid response on page 3"):
        result = fetch(base_url, sleeps, page_size=100)

    assert result is None
    assert offsets(server) == [0, 100, 200]  # not retried, and no further pages
    assert sleeps == []


def test_a_soda_400_is_reported_clearly_and_not_retried(server: FakeSoda, base_url: str) -> None:
    sleeps: list[float] = []
    with pytest.raises(SourceError) as failed:
        fetch(base_url, sleeps, where="report_datetme >= '2021-09-01T00:00:00.000'")

    message = str(failed.value)
    assert f"{base_url}{PATH}: page 1: HTTP 400" in message
    assert "query.soql.no-such-column: No such column: report_datetme" in message
    assert len(server.queries) == 1
    assert sleeps == []


def test_a_server_failing_every_time_is_given_up_on(server: FakeSoda, base_url: str) -> None:
    for attempt in range(1, 4):
        server.faults[(0, attempt)] = lambda _body: Response("down", status=502)
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=r"page 1: gave up after 3 attempts: HTTP 502: down"):
        fetch(base_url, sleeps, max_retries=2)
    assert sleeps == [1.0, 2.0]


def test_the_incremental_where_is_sent_and_honoured(server: FakeSoda, base_url: str) -> None:
    where = soda.incremental_where("report_datetime", datetime(2021, 9, 6, 17, 2, 41), 30)
    assert where == "report_datetime >= '2021-08-07T00:00:00.000'"

    records = fetch(base_url, page_size=100, where=where)

    expected = [r for r in server.records if r["report_datetime"] >= "2021-08-07T00:00:00.000"]
    assert records == expected
    assert 0 < len(records) < 100
    assert server.queries == [{"$limit": "100", "$offset": "0", "$order": ":id", "$where": where}]


def test_a_repeated_delivery_is_merged_without_duplicates(server: FakeSoda, base_url: str) -> None:
    first = soda.records_frame(fetch(base_url, page_size=250))
    cache = soda_sync.merge_records(pd.DataFrame(), first, "offense_id")
    second = soda.records_frame(fetch(base_url, page_size=250))
    again = soda_sync.merge_records(cache, second, "offense_id")

    pd.testing.assert_frame_equal(again, cache)
    assert len(again) == 606
    assert again["offense_id"].is_unique


def sync(base_url: str, cache: Path, **options: Any) -> soda_sync.SyncResult:
    """One source's refresh as a successful run does it: staged, then committed."""
    staging = cache.parent / ".staging" / "run"
    options.setdefault("sleep", lambda _s: None)
    options.setdefault("lookback_days", 5)
    result = soda_sync.sync_to_stage(base_url, soda.NIBRS, cache, staging, **options)
    soda_sync.commit_staged([result])
    soda_sync.discard_staged(staging)
    return result


def test_incremental_sync_replaces_a_late_correction_and_adds_new_records(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    first = sync(base_url, cache, page_size=100)
    assert (first.where, first.fetched, first.total) == (None, 606, 606)
    assert first.full_refresh_reason == "no record of an earlier full refresh"

    latest = max(server.records, key=lambda r: r["report_datetime"])
    server.records = [
        {**r, "_100_block_address": "CORRECTED"} if r is latest else r for r in server.records
    ]
    server.records.append(
        {**latest, "offense_id": "99999999999", "report_datetime": "2021-09-07T09:00:00.000"}
    )
    server.queries.clear()
    second = sync(base_url, cache, page_size=100)

    assert second.where == "report_datetime >= '2021-09-01T00:00:00.000'"
    assert server.queries[0]["$where"] == second.where
    assert second.fetched < 100
    assert (second.added, second.total) == (1, 607)
    assert second.replaced == second.fetched - 1
    assert second.reconciled_months == []  # the grouped counts agree: nothing re-fetched
    assert [q.get("$group") for q in server.queries][:2] == [None, "month"]
    assert {q.get("$group") for q in server.queries[1:]} == {"month"}  # paged by month
    cached = soda_sync.load_cache(cache)
    assert cached["offense_id"].is_unique
    corrected = cached.loc[cached["offense_id"] == latest["offense_id"], "_100_block_address"]
    assert corrected.tolist() == ["CORRECTED"]

    before = cache.read_bytes()
    third = sync(base_url, cache, page_size=100)
    assert third.added == 0
    assert cache.read_bytes() == before  # the same delivery again changes nothing


def test_reconciliation_drops_a_deleted_old_record_and_replaces_a_corrected_one(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    """Both records are years older than the look-back window, so only the per-month
    comparison can find them: the deletion changes a month's count, the correction (same
    count) moves that month's latest :updated_at."""
    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    sync(base_url, cache, page_size=250)
    by_month = sorted(server.records, key=lambda r: r["report_datetime"])
    deleted, corrected = by_month[10], by_month[200]
    assert deleted["report_datetime"][:7] != corrected["report_datetime"][:7]
    server.records = [r for r in server.records if r is not deleted]
    server.records = [
        {**r, "offense": "CORRECTED OFFENSE"} if r is corrected else r for r in server.records
    ]
    server.updated[corrected["offense_id"]] = "2026-11-27T10:00:00.000"
    server.queries.clear()

    result = sync(base_url, cache, page_size=250)

    assert result.full_refresh is False
    assert result.reconciled_months == sorted(
        [deleted["report_datetime"][:7], corrected["report_datetime"][:7]]
    )
    assert "2 month(s) reconciled" in result.describe()
    cached = soda_sync.load_cache(cache).set_index("offense_id")
    assert deleted["offense_id"] not in cached.index
    assert cached.loc[corrected["offense_id"], "offense"] == "CORRECTED OFFENSE"
    assert len(cached) == 605 == result.total
    month_queries = [q["$where"] for q in server.queries if "<" in q.get("$where", "")]
    assert month_queries == [
        f"report_datetime >= '{month}-01T00:00:00.000' AND report_datetime < '{end}'"
        for month, end in (
            (m, soda_sync.month_where("x", m).split("< '")[1].rstrip("'"))
            for m in result.reconciled_months
        )
    ]
    # The next run finds nothing more to reconcile.
    assert sync(base_url, cache, page_size=250).reconciled_months == []


def test_a_full_refresh_is_due_after_the_set_number_of_days(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    sync(base_url, cache, page_size=1000, now=datetime(2026, 11, 1, 4, 0))
    day_six = sync(
        base_url, cache, page_size=1000, full_refresh_days=7, now=datetime(2026, 11, 7, 4, 0)
    )
    day_seven = sync(
        base_url, cache, page_size=1000, full_refresh_days=7, now=datetime(2026, 11, 8, 4, 0)
    )
    never = sync(
        base_url, cache, page_size=1000, full_refresh_days=0, now=datetime(2027, 11, 8, 4, 0)
    )
    assert (day_six.full_refresh, day_seven.full_refresh, never.full_refresh) == (
        False,
        True,
        False,
    )
    assert day_seven.where is None
    assert day_seven.full_refresh_reason == "the last was 7 day(s) ago (every 7)"
    state = soda_sync.load_state(soda_sync.state_path(cache))
    assert state["last_full_refresh"] == "2026-11-08T04:00:00"


def test_a_changed_fixed_filter_forces_a_full_refresh(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    sync(base_url, cache, page_size=1000)
    narrowed = sync(base_url, cache, page_size=1000, base_where="mcpp in ('BELLTOWN')")
    assert narrowed.full_refresh_reason == "the fixed filter changed"
    assert narrowed.where == "mcpp in ('BELLTOWN')"
    assert narrowed.total == 606  # every sample row is Belltown's


def test_fetched_records_give_the_same_accepted_rows_as_the_file(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    from_file = spd_nibrs.run(str(SAMPLE), 10, now=NOW)

    api_csv = tmp_path / "tazs-3rd5.csv"
    api_csv.write_bytes(soda.to_csv_bytes(fetch(base_url, page_size=100)))
    from_api = spd_nibrs.run(str(api_csv), 10, now=NOW)

    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    sync(base_url, cache)
    from_cache = spd_nibrs.run(str(cache), 10, now=NOW)

    ids = sorted(from_file.frame["offense_id"])
    for result in (from_api, from_cache):
        assert result.rows_read == from_file.rows_read == 606
        assert result.rows_accepted == from_file.rows_accepted
        assert result.rejections == []
        assert sorted(result.frame["offense_id"]) == ids
        assert result.watermark == from_file.watermark
        by_id = result.frame.set_index("offense_id").sort_index()
        expected = from_file.frame.set_index("offense_id").sort_index()
        pd.testing.assert_frame_equal(by_id[expected.columns], expected)
