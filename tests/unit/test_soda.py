"""Unit tests of the SODA extraction helpers: watermark, merge, CSV hand-off, paging, retries.

HTTP is replaced by a fake session; the real HTTP path is in
``tests/integration/test_soda_http.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from requests.structures import CaseInsensitiveDict

from etl.sources import soda, soda_sync, spd_nibrs
from etl.sources.common import SourceError, read_csv_as_text

BASE = "https://data.example.org"
URL = f"{BASE}/resource/tazs-3rd5.json"

# A real Belltown row (first data row of the bundled NIBRS extract) in the old API shape.
API_ROW = {
    "report_number": "2020-020535",
    "offense_id": "12171717608",
    "offense_start_datetime": "2020-01-17T20:28:00.000",
    "report_datetime": "2020-01-17T21:12:07.000",
    "group_a_b": "A",
    "crime_against_category": "PROPERTY",
    "offense_parent_group": "ROBBERY",
    "offense": "Robbery",
    "offense_code": "120",
    "precinct": "W",
    "sector": "D",
    "beat": "D1",
    "mcpp": "BELLTOWN",
    "_100_block_address": "25XX BLOCK OF 2ND AVE",
    "longitude": "-122.348355068",
    "latitude": "47.61563755",
}


# --- incremental_where ---------------------------------------------------------------------


def test_no_watermark_means_a_full_load() -> None:
    assert soda.incremental_where("report_datetime", None, 7) is None


def test_where_starts_at_midnight_lookback_days_before_the_watermark() -> None:
    where = soda.incremental_where("report_datetime", datetime(2021, 9, 6, 17, 2, 41), 5)
    assert where == "report_datetime >= '2021-09-01T00:00:00.000'"


def test_zero_lookback_starts_at_the_watermark_day() -> None:
    where = soda.incremental_where("report_date_time", datetime(2021, 9, 6, 17, 2, 41), 0)
    assert where == "report_date_time >= '2021-09-06T00:00:00.000'"


def test_lookback_crosses_month_and_year() -> None:
    where = soda.incremental_where("report_datetime", datetime(2021, 1, 2, 0, 0, 1), 3)
    assert where == "report_datetime >= '2020-12-30T00:00:00.000'"


def test_an_aware_watermark_is_converted_to_seattle_time_and_has_no_z() -> None:
    # 03:00 UTC on 7 September is 20:00 on 6 September in Seattle (PDT).
    where = soda.incremental_where("report_datetime", datetime(2021, 9, 7, 3, 0, tzinfo=UTC), 0)
    assert where == "report_datetime >= '2021-09-06T00:00:00.000'"
    assert "Z" not in where


@pytest.mark.parametrize("field", ["report_datetime'--", "a b", "", "1abc"])
def test_a_field_that_is_not_a_name_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match="not a SODA field name"):
        soda.incremental_where(field, datetime(2021, 1, 1), 1)


def test_a_negative_lookback_is_refused() -> None:
    with pytest.raises(ValueError, match="lookback_days"):
        soda.incremental_where("report_datetime", datetime(2021, 1, 1), -1)


def test_cache_watermark_is_the_latest_iso_date() -> None:
    frame = pd.DataFrame(
        {"report_datetime": ["2021-09-06T17:02:41.000", "", "2021-09-05T10:00:00.000"]}
    )
    assert soda_sync.cache_watermark(frame, "report_datetime") == datetime(2021, 9, 6, 17, 2, 41)
    assert soda_sync.cache_watermark(frame, "report_date_time") is None
    assert soda_sync.cache_watermark(pd.DataFrame(), "report_datetime") is None


def test_fixed_filters_are_quoted_and_combined() -> None:
    areas = soda.soql_in("mcpp", ["BELLTOWN", "O'BRIEN"])
    assert areas == "mcpp in ('BELLTOWN', 'O''BRIEN')"
    since = "report_datetime >= '2021-09-01T00:00:00.000'"
    assert soda.combine_where(areas, since) == f"({areas}) AND ({since})"
    assert soda.combine_where(None, since) == since
    assert soda.combine_where(None, None) is None
    with pytest.raises(ValueError, match="not a SODA field name"):
        soda.soql_in("mcpp)--", ["X"])


# --- merge_records --------------------------------------------------------------------------


def _frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["offense_id", "offense_parent_group"])


def test_a_late_correction_replaces_the_older_row() -> None:
    previous = _frame([("1", "ROBBERY"), ("2", "ASSAULT OFFENSES")])
    merged = soda_sync.merge_records(previous, _frame([("2", "ROBBERY")]), "offense_id")
    assert merged.to_dict("records") == [
        {"offense_id": "1", "offense_parent_group": "ROBBERY"},
        {"offense_id": "2", "offense_parent_group": "ROBBERY"},
    ]


def test_a_repeated_delivery_changes_nothing() -> None:
    previous = _frame([("3", "ROBBERY"), ("1", "ROBBERY")])
    delivery = _frame([("2", "LARCENY-THEFT"), ("3", "ROBBERY")])
    once = soda_sync.merge_records(previous, delivery, "offense_id")
    twice = soda_sync.merge_records(once, delivery, "offense_id")
    pd.testing.assert_frame_equal(once, twice)
    assert once["offense_id"].tolist() == ["1", "2", "3"]


def test_new_rows_are_appended_and_old_ones_kept() -> None:
    previous = _frame([("1", "ROBBERY")])
    merged = soda_sync.merge_records(previous, _frame([("2", "ARSON")]), "offense_id")
    assert merged["offense_id"].tolist() == ["1", "2"]
    assert merged["offense_parent_group"].tolist() == ["ROBBERY", "ARSON"]


def test_merge_into_an_empty_cache_and_with_different_columns() -> None:
    first = soda_sync.merge_records(pd.DataFrame(), _frame([("1", "ROBBERY")]), "offense_id")
    assert first["offense_id"].tolist() == ["1"]
    wider = pd.DataFrame([{"offense_id": "2", "offense_parent_group": "ARSON", "beat": "D1"}])
    merged = soda_sync.merge_records(first, wider, "offense_id")
    assert merged.to_dict("records") == [
        {"offense_id": "1", "offense_parent_group": "ROBBERY", "beat": ""},
        {"offense_id": "2", "offense_parent_group": "ARSON", "beat": "D1"},
    ]


def test_an_empty_delivery_keeps_the_cache() -> None:
    previous = _frame([("1", "ROBBERY")])
    empty = pd.DataFrame(columns=["offense_id"])
    pd.testing.assert_frame_equal(soda_sync.merge_records(previous, empty, "offense_id"), previous)


def test_merge_needs_the_key_column() -> None:
    with pytest.raises(SourceError, match="no key column 'offense_id'"):
        soda_sync.merge_records(_frame([]), pd.DataFrame({"x": ["1"]}), "offense_id")


def test_cache_round_trip_is_atomic_and_keeps_text(tmp_path: Path) -> None:
    path = tmp_path / "raw" / "nibrs.csv"
    assert soda_sync.load_cache(path).empty
    frame = pd.DataFrame(
        {"offense_id": ["007", "12"], "offense_end_datetime": ["", "2020-01-01T00:00:00.000"]}
    )
    soda_sync.save_cache(frame, path)
    pd.testing.assert_frame_equal(soda_sync.load_cache(path), frame)
    assert [p.name for p in path.parent.iterdir()] == ["nibrs.csv"]  # no temporary left


def test_a_failed_cache_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nibrs.csv"
    soda_sync.save_cache(_frame([("1", "ROBBERY")]), path)
    before = path.read_bytes()

    def broken_replace(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(soda_sync.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        soda_sync.save_cache(_frame([("2", "ARSON")]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["nibrs.csv"]


# --- to_csv_bytes -> spd_nibrs ---------------------------------------------------------------


def test_api_records_round_trip_through_the_nibrs_parsing_helpers() -> None:
    without_end = dict(API_ROW)  # the API leaves out null fields: no offense_end_datetime
    with_end = {
        **API_ROW,
        "offense_id": "12171717609",
        "offense_end_datetime": API_ROW["offense_start_datetime"],
    }
    content = soda.to_csv_bytes([without_end, with_end])
    raw, rejections = read_csv_as_text(content, "tazs-3rd5.csv")
    assert rejections == []
    renamed, headers = spd_nibrs.rename_columns(raw, "tazs-3rd5.csv")
    assert headers["area"] == "mcpp"
    assert headers["block_address"] == "_100_block_address"
    assert renamed["offense_end_datetime"].tolist() == ["", "2020-01-17T20:28:00.000"]
    parsed = spd_nibrs.parse_datetime(renamed["report_datetime"])
    assert parsed.tolist() == [pd.Timestamp("2020-01-17 21:12:07")] * 2
    assert spd_nibrs.parse_datetime(renamed["offense_end_datetime"]).isna().tolist() == [
        True,
        False,
    ]


def test_api_csv_is_accepted_by_the_nibrs_source(tmp_path: Path) -> None:
    path = tmp_path / "tazs-3rd5.csv"
    path.write_bytes(soda.to_csv_bytes([API_ROW]))
    result = spd_nibrs.run(str(path), 10, now=datetime(2025, 1, 1))
    assert result.rows_accepted == 1
    row = result.frame.iloc[0]
    assert row["offense_id"] == "12171717608"
    assert row["area"] == "BELLTOWN"
    assert row["report_datetime"] == pd.Timestamp("2020-01-17 21:12:07")


def test_new_schema_api_records_are_accepted(tmp_path: Path) -> None:
    record = {
        "report_number": "2020-020535",
        "report_date_time": "2020-01-17T21:12:07.000",
        "offense_id": "12171717608",
        "offense_date": "2020-01-17T20:28:00.000",
        "nibrs_group_a_b": "A",
        "offense_sub_category": "ROBBERY",
        "neighborhood": "BELLTOWN",
        "beat": "D1",
        "latitude": "REDACTED",
        "longitude": "REDACTED",
    }
    path = tmp_path / "new.csv"
    path.write_bytes(soda.to_csv_bytes([record]))
    result = spd_nibrs.run(str(path), 10, now=datetime(2025, 1, 1))
    assert result.rows_accepted == 1
    assert pd.isna(result.frame.iloc[0]["latitude"])


def test_csv_quotes_commas_and_keeps_values_exactly() -> None:
    records = [{"a": "1, 2", "b": 'say "hi"'}, {"b": "007"}]
    raw, _ = read_csv_as_text(soda.to_csv_bytes(records), "x.csv")
    assert raw.to_dict("records") == [{"a": "1, 2", "b": 'say "hi"'}, {"a": "", "b": "007"}]


def test_a_field_outside_the_expected_columns_is_schema_drift() -> None:
    with pytest.raises(SourceError, match="record 2 has field.*new_field"):
        soda.to_csv_bytes([{"a": "1"}, {"a": "2", "new_field": "x"}], columns=["a"])


# --- fetch_dataset with a fake session --------------------------------------------------------


def _response(
    status: int = 200,
    body: object = None,
    raw: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = raw if raw is not None else json.dumps(body).encode("utf-8")
    response.headers = CaseInsensitiveDict(headers or {})
    response.url = URL
    return response


class FakeSession(requests.Session):
    """Answers ``get`` from a script; records what was asked."""

    def __init__(self, script: Sequence[requests.Response | Exception]) -> None:
        super().__init__()
        self.script = list(script)
        self.calls: list[dict[str, Any]] = []

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        self.calls.append({"url": url, **kwargs})
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _records(start: int, count: int) -> list[dict[str, str]]:
    return [{"offense_id": str(n)} for n in range(start, start + count)]


def _fetch(session: FakeSession, sleeps: list[float], **options: Any) -> list[dict[str, str]]:
    options.setdefault("page_size", 2)
    return soda.fetch_dataset(BASE, "tazs-3rd5", session=session, sleep=sleeps.append, **options)


def _params(session: FakeSession) -> list[Mapping[str, str]]:
    return [call["params"] for call in session.calls]


def test_pages_until_a_short_page() -> None:
    session = FakeSession([_response(body=_records(0, 2)), _response(body=_records(2, 1))])
    sleeps: list[float] = []
    records = _fetch(session, sleeps, where="report_datetime >= '2021-09-01T00:00:00.000'")
    assert [r["offense_id"] for r in records] == ["0", "1", "2"]
    assert _params(session) == [
        {
            "$limit": "2",
            "$offset": str(offset),
            "$order": ":id",
            "$where": "report_datetime >= '2021-09-01T00:00:00.000'",
        }
        for offset in (0, 2)
    ]
    assert session.calls[0]["url"] == URL
    assert session.calls[0]["timeout"] == 60
    assert sleeps == []


def test_an_exactly_full_last_page_ends_on_an_empty_page() -> None:
    session = FakeSession([_response(body=_records(0, 2)), _response(body=[])])
    assert len(_fetch(session, [])) == 2
    assert [p["$offset"] for p in _params(session)] == ["0", "2"]


def test_app_token_is_sent_as_a_header_not_in_the_query() -> None:
    session = FakeSession([_response(body=[])])
    _fetch(session, [], app_token="secret-token")  # noqa: S106 -- a test value
    assert session.calls[0]["headers"]["X-App-Token"] == "secret-token"
    assert "secret-token" not in json.dumps(session.calls[0]["params"])
    session = FakeSession([_response(body=[])])
    _fetch(session, [])
    assert "X-App-Token" not in session.calls[0]["headers"]


def test_transient_failures_are_retried_with_exponential_backoff() -> None:
    session = FakeSession(
        [
            requests.ConnectionError("refused"),
            requests.Timeout("read timed out"),
            _response(503, {"message": "busy"}),
            _response(body=_records(0, 1)),
        ]
    )
    sleeps: list[float] = []
    assert len(_fetch(session, sleeps, backoff_seconds=0.5)) == 1
    assert sleeps == [0.5, 1.0, 2.0]
    assert all(p["$offset"] == "0" for p in _params(session))


def test_retry_after_is_honoured_and_capped() -> None:
    session = FakeSession(
        [
            _response(429, {}, headers={"Retry-After": "7"}),
            _response(429, {}, headers={"Retry-After": "86400"}),
            _response(202, {}),
            _response(body=[]),
        ]
    )
    sleeps: list[float] = []
    _fetch(session, sleeps, max_retry_wait_seconds=30)
    assert sleeps == [7.0, 30.0, 4.0]


def test_retry_after_as_an_http_date() -> None:
    assert soda._retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert soda._retry_after_seconds("soon") is None
    assert soda._retry_after_seconds(None) is None
    assert soda._retry_after_seconds("2.5") == 2.5


def test_giving_up_names_the_page_and_the_last_error() -> None:
    session = FakeSession([_response(body=_records(0, 2))] + [_response(500, {})] * 3)
    with pytest.raises(SourceError, match=r"page 2: gave up after 3 attempts: HTTP 500"):
        _fetch(session, [], max_retries=2)
    assert len(session.calls) == 4


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"errorCode": "query.soql.no-such-column", "message": "No such column: x"},
            "HTTP 400: query.soql.no-such-column: No such column: x",
        ),
        (
            {"code": "query.compiler.malformed", "error": True, "message": "Could not parse"},
            "HTTP 400: query.compiler.malformed: Could not parse",
        ),
    ],
)
def test_a_client_error_is_not_retried_and_quotes_soda(body: object, expected: str) -> None:
    session = FakeSession([_response(400, body)])
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=expected):
        _fetch(session, sleeps)
    assert len(session.calls) == 1
    assert sleeps == []


def test_a_404_with_a_text_body() -> None:
    session = FakeSession([_response(404, raw=b"Not found")])
    with pytest.raises(SourceError, match=r"tazs-3rd5\.json: page 1: HTTP 404: Not found"):
        _fetch(session, [])


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'[{"offense_id": "1"}, {"offense_', "not valid JSON"),
        (b'{"offense_id": "1"}', "expected a JSON list"),
        (b'["1"]', "record 1 is a str"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_an_invalid_page_raises_and_returns_nothing(raw: bytes, reason: str) -> None:
    session = FakeSession([_response(body=_records(0, 2)), _response(raw=raw)])
    with pytest.raises(SourceError, match=f"truncated or invalid response on page 2: .*{reason}"):
        _fetch(session, [])
    assert len(session.calls) == 2  # not retried


def test_a_server_that_ignores_limit_is_caught() -> None:
    session = FakeSession([_response(body=_records(0, 3))])
    with pytest.raises(SourceError, match="server ignored \\$limit"):
        _fetch(session, [])


def test_the_page_cap_stops_an_endless_loop() -> None:
    session = FakeSession([_response(body=_records(0, 2))] * 3)
    with pytest.raises(SourceError, match="still more records after 3 pages"):
        _fetch(session, [], max_pages=3)
    assert len(session.calls) == 3


def test_values_are_text_and_nulls_are_absent() -> None:
    body = [{"a": "x", "b": None, "c": 1.5, "d": True, "e": {"type": "Point", "coordinates": [1]}}]
    session = FakeSession([_response(body=body)])
    assert _fetch(session, []) == [
        {"a": "x", "c": "1.5", "d": "true", "e": '{"coordinates":[1],"type":"Point"}'}
    ]


def test_an_unusable_url_is_not_retried() -> None:
    session = FakeSession([requests.exceptions.InvalidURL("bad")])
    with pytest.raises(SourceError, match="could not request: bad"):
        _fetch(session, [])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="page_size"):
        soda.fetch_dataset(BASE, "tazs-3rd5", page_size=0)


# --- sync_to_stage (the HTTP tests in tests/integration/test_soda_http.py run it whole) ------


def test_a_failed_sync_leaves_the_cache_untouched_and_writes_only_to_staging(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "spd_crime_nibrs.csv"
    soda_sync.save_cache(pd.DataFrame([API_ROW]), cache)
    before = cache.read_bytes()
    session = FakeSession([_response(400, {"errorCode": "query.soql.type-mismatch"})])
    with pytest.raises(SourceError, match="type-mismatch"):
        soda_sync.sync_to_stage(
            BASE, soda.NIBRS, cache, tmp_path / "stage", lookback_days=5, session=session
        )
    assert cache.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spd_crime_nibrs.csv"]


def test_an_empty_dataset_with_no_cache_fails(tmp_path: Path) -> None:
    session = FakeSession([_response(body=[])])
    with pytest.raises(SourceError, match="no records at all"):
        soda_sync.sync_to_stage(
            BASE, soda.NIBRS, tmp_path / "c.csv", tmp_path / "s", lookback_days=1, session=session
        )
    assert not (tmp_path / "c.csv").exists()


def test_months_to_refetch_compares_counts_and_latest_updates() -> None:
    cached = pd.Series(["2010-01", "2010-01", "2010-02", "2010-03", ""])
    portal = {
        "2010-01": (2, "2026-01-01T00:00:00.000"),  # same count, same update: kept
        "2010-02": (1, "2026-11-27T10:00:00.000"),  # same count, a later update: corrected
        "2010-03": (0, "2026-01-01T00:00:00.000"),  # its only record was deleted
        "2010-04": (3, "2026-01-01T00:00:00.000"),  # records the cache never had
    }
    before = {month: "2026-01-01T00:00:00.000" for month in ("2010-01", "2010-02", "2010-03")}
    assert soda_sync.months_to_refetch(cached, portal, before) == ["2010-02", "2010-03", "2010-04"]
    assert soda_sync.months_to_refetch(cached, portal, {}) == ["2010-03", "2010-04"]


def test_month_where_spans_exactly_one_calendar_month() -> None:
    assert soda_sync.month_where("createddate", "2019-12") == (
        "createddate >= '2019-12-01T00:00:00.000' AND createddate < '2020-01-01T00:00:00.000'"
    )
    assert soda_sync.month_where("d", "2020-02").endswith("d < '2020-03-01T00:00:00.000'")


def test_commit_replaces_caches_only_when_called_and_discard_throws_the_stage_away(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "raw" / "a.csv"
    soda_sync.save_cache(pd.DataFrame([{"k": "old"}]), cache)
    stage = soda_sync.staging_folder(tmp_path / "raw", "run-1")
    staged = stage / "a.csv"
    soda_sync.save_cache(pd.DataFrame([{"k": "new"}]), staged)
    soda_sync.save_state({"where": None}, soda_sync.state_path(staged))
    result = soda_sync.SyncResult("u", cache, staged, None, None, 1, 1, 0, 1)

    assert cache.read_text() == "k\nold\n"
    soda_sync.commit_staged([result])
    soda_sync.discard_staged(stage)
    assert cache.read_text() == "k\nnew\n"
    assert soda_sync.load_state(soda_sync.state_path(cache)) == {"where": None}
    assert not stage.exists()


def test_every_public_source_has_a_portal_dataset_keyed_on_its_record_id() -> None:
    datasets = {d.source_id: d for d in (soda.NIBRS, soda.LEGACY_CRIME, soda.CALLS_911, soda.CSR)}
    assert {k: (d.dataset_id, d.key, d.date_fields[0]) for k, d in datasets.items()} == {
        "spd_crime_nibrs": ("tazs-3rd5", "offense_id", "report_date_time"),
        "spd_crime_legacy": ("4fs7-3vj5", "report_number", "reported_date"),
        "spd_911_incident_response": ("3k2p-39jp", "cad_cdw_id", "event_clearance_date"),
        "seattle_csr": ("5ngg-rpne", "servicerequestnumber", "createddate"),
    }


def test_a_dataset_id_override_is_checked_for_the_socrata_shape() -> None:
    assert soda.with_dataset_id(soda.CSR, "abcd-1234").dataset_id == "abcd-1234"
    assert soda.with_dataset_id(soda.CSR, "abcd-1234").key == "servicerequestnumber"
    for bad in ("5ngg-rpne.json", "../x", "ABCD-1234", "abcd1234", ""):
        with pytest.raises(ValueError, match="not a Socrata dataset id"):
            soda.with_dataset_id(soda.CSR, bad)
