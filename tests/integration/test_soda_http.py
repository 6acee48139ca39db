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

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from etl.settings import SAMPLE_DATA_DIR
from etl.sources import soda, spd_nibrs
from etl.sources.common import SourceError

SAMPLE = SAMPLE_DATA_DIR / "seattle" / "spd_crime_nibrs_robbery_belltown_2008-2021.csv"
DATASET = "tazs-3rd5"
PATH = f"/resource/{DATASET}.json"
NOW = datetime(2026, 11, 28)
CSV_TO_API = {
    header: {ours: api for api, ours in spd_nibrs.RENAME_OLD_API.items()}[ours]
    for header, ours in spd_nibrs.RENAME_OLD_CSV.items()
}
WHERE = re.compile(r"(?P<field>\w+) >= '(?P<value>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})'")


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
    """Serves ``records`` (their list order is ``:id`` order) page by page, like SODA 2.1."""

    records: list[dict[str, str]]
    # (offset, attempt) -> a scripted answer instead of the page; attempt counts from 1
    faults: dict[tuple[int, int], Callable[[bytes], Response]] = field(default_factory=dict)
    queries: list[dict[str, str]] = field(default_factory=list)
    tokens: list[str | None] = field(default_factory=list)

    def handle(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.queries.append(args)
        self.tokens.append(request.headers.get("X-App-Token"))
        rows = self.records
        where = args.get("$where")
        if where:
            match = WHERE.fullmatch(where)
            if match is None:
                return _soda_error(400, "query.compiler.malformed", f"Could not parse {where}")
            name = match["field"]
            if all(name not in record for record in rows):
                return _soda_error(400, "query.soql.no-such-column", f"No such column: {name}")
            rows = [r for r in rows if r.get(name, "") >= match["value"]]
        offset, limit = int(args["$offset"]), int(args["$limit"])
        body = json.dumps(rows[offset : offset + limit]).encode("utf-8")
        attempt = sum(1 for q in self.queries if q.get("$offset") == args["$offset"])
        fault = self.faults.get((offset, attempt))
        if fault is not None:
            return fault(body)
        return Response(body, status=200, content_type="application/json; charset=utf-8")


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
    cache = soda.merge_records(pd.DataFrame(), first, "offense_id")
    second = soda.records_frame(fetch(base_url, page_size=250))
    again = soda.merge_records(cache, second, "offense_id")

    pd.testing.assert_frame_equal(again, cache)
    assert len(again) == 606
    assert again["offense_id"].is_unique


def test_incremental_sync_replaces_a_late_correction_and_adds_new_records(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    options = {"page_size": 100, "sleep": lambda _s: None, "lookback_days": 5}
    first = soda.sync_to_cache(base_url, soda.NIBRS, cache, **options)  # type: ignore[arg-type]
    assert (first.where, first.fetched, first.total) == (None, 606, 606)

    latest = max(server.records, key=lambda r: r["report_datetime"])
    server.records = [
        {**r, "_100_block_address": "CORRECTED"} if r is latest else r for r in server.records
    ]
    server.records.append(
        {**latest, "offense_id": "99999999999", "report_datetime": "2021-09-07T09:00:00.000"}
    )
    server.queries.clear()
    second = soda.sync_to_cache(base_url, soda.NIBRS, cache, **options)  # type: ignore[arg-type]

    assert second.where == "report_datetime >= '2021-09-01T00:00:00.000'"
    assert server.queries[0]["$where"] == second.where
    assert second.fetched < 100
    assert (second.added, second.total) == (1, 607)
    assert second.replaced == second.fetched - 1
    cached = soda.load_cache(cache)
    assert cached["offense_id"].is_unique
    corrected = cached.loc[cached["offense_id"] == latest["offense_id"], "_100_block_address"]
    assert corrected.tolist() == ["CORRECTED"]

    before = cache.read_bytes()
    third = soda.sync_to_cache(base_url, soda.NIBRS, cache, **options)  # type: ignore[arg-type]
    assert third.added == 0
    assert cache.read_bytes() == before  # the same delivery again changes nothing


def test_fetched_records_give_the_same_accepted_rows_as_the_file(
    server: FakeSoda, base_url: str, tmp_path: Path
) -> None:
    from_file = spd_nibrs.run(str(SAMPLE), 10, now=NOW)

    api_csv = tmp_path / "tazs-3rd5.csv"
    api_csv.write_bytes(soda.to_csv_bytes(fetch(base_url, page_size=100)))
    from_api = spd_nibrs.run(str(api_csv), 10, now=NOW)

    cache = tmp_path / "raw" / "spd_crime_nibrs.csv"
    soda.sync_to_cache(base_url, soda.NIBRS, cache, lookback_days=5, sleep=lambda _s: None)
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
