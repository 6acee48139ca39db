"""The whole ETL with the public sources read live from a local SODA server, and the run
lock."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from etl import cli, pipeline, settings
from etl.lock import LockHeld, run_lock
from etl.settings import SAMPLE_DATA_DIR
from etl.sources import seattle_csr, spd_911, spd_legacy
from tests.integration.conftest import LIVE_OTHER_DATASETS, SAMPLE_NIBRS
from tests.integration.helpers import latest_succeeded_run, published, query, runs
from tests.integration.test_soda_http import (  # noqa: F401 -- fixtures
    FakeSoda,
    base_url,
    sample_records,
    server,
)

BELLTOWN_FILE = next(p for p in SAMPLE_NIBRS if "belltown" in p)


def test_live_run_publishes_what_the_file_run_publishes_and_is_incremental(
    database_url: str,
    server: FakeSoda,  # noqa: F811 -- the fixture imported above
    base_url: str,  # noqa: F811 -- the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from_file = pipeline.run(database_url=database_url, nibrs_sources=[BELLTOWN_FILE])
    monkeypatch.setenv("SODA_BASE_URL", base_url)
    monkeypatch.setenv("SODA_PAGE_SIZE", "250")

    first = pipeline.run(database_url=database_url)
    second = pipeline.run(database_url=database_url)

    pd.testing.assert_frame_equal(
        published(database_url, from_file.run_id), published(database_url, first.run_id)
    )
    pd.testing.assert_frame_equal(
        published(database_url, first.run_id), published(database_url, second.run_id)
    )
    assert "$where" not in server.queries[0], "the first live run is a full load"
    fetches = [q for q in server.queries if "$group" not in q]
    assert fetches[-1]["$where"].startswith("report_datetime >= '2021-08-07T00:00:00")
    location = query(
        database_url,
        "SELECT location FROM etl_run_source WHERE run_id = :run_id",
        run_id=second.run_id,
    )["location"].tolist()
    assert location == [f"{base_url}/resource/tazs-3rd5.json"]
    assert (Path(settings.get("RAW_CACHE_DIR")) / "spd_crime_nibrs.csv").exists()


def test_a_second_run_while_one_holds_the_lock_is_refused_and_records_nothing(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    with run_lock(settings.get("ETL_LOCK_FILE")):
        with pytest.raises(LockHeld, match="another ETL run is in progress"):
            pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
        assert cli.main(["run"]) == 75
    assert "another ETL run is in progress" in capsys.readouterr().out
    assert runs(database_url).empty if _has_tables(database_url) else True
    assert pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS).status == "succeeded"


def _has_tables(database_url: str) -> bool:
    try:
        runs(database_url)
    except Exception:  # noqa: BLE001 -- no schema yet means nothing was recorded
        return False
    return True


# --- every public source live ----------------------------------------------------------------

SEATTLE = SAMPLE_DATA_DIR / "seattle"
LEGACY_FILES = sorted(str(p) for p in SEATTLE.glob("spd_crime_data_legacy_*.csv"))
CALLS_FILES = sorted(str(p) for p in SEATTLE.glob("spd_911_incident_response_*.csv"))
CSR_FILE = str(
    SAMPLE_DATA_DIR / "seattle_csr_fixture" / "customer_service_requests_synthetic_fixture.csv"
)
AM_PM = "%m/%d/%Y %I:%M:%S %p"
ISO = "%Y-%m-%dT%H:%M:%S.000"


def _api_records(
    paths: list[str], rename: dict[str, str], api: dict[str, str], convert: dict[str, str]
) -> list[dict[str, str]]:
    """Portal CSV rows in the SODA JSON shape, with the standard library only: API field
    names (display header -> our name -> API name), ISO floating timestamps, null fields
    left out. ``convert``: display header -> strptime format of its dates."""
    to_api = {header: {o: a for a, o in api.items()}[ours] for header, ours in rename.items()}
    records: list[dict[str, str]] = []
    for path in paths:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                record: dict[str, str] = {}
                for header, value in row.items():
                    if not value.strip():
                        continue
                    if header in convert:
                        value = datetime.strptime(value, convert[header]).strftime(ISO)
                    record[to_api[header]] = value
                records.append(record)
    return records


def _calls_records() -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    dates = {"Event Clearance Date": AM_PM, "At Scene Time": AM_PM}
    for record in _api_records(CALLS_FILES, spd_911.RENAME_CSV, spd_911.RENAME_API, dates):
        point = record.pop("incident_location", "")
        item: dict[str, object] = dict(record)
        if point:  # a SODA 2.0 location column is a JSON object, not the export's "(lat, lon)"
            latitude, longitude = point.strip("()").split(",")
            item["incident_location"] = {
                "latitude": latitude.strip(),
                "longitude": longitude.strip(),
                "human_address": '{"address": "", "city": "", "state": "", "zip": ""}',
            }
        records.append(item)
    return records


@pytest.fixture
def portal(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeSoda]:
    """One local SODA look-alike serving all four datasets from the bundled samples."""
    datasets = {
        "tazs-3rd5": FakeSoda(sample_records()),
        "4fs7-3vj5": FakeSoda(
            _api_records(  # type: ignore[arg-type]
                LEGACY_FILES,
                spd_legacy.RENAME_CSV,
                spd_legacy.RENAME_API,
                {"Occurred Date": "%m/%d/%Y", "Reported Date": "%m/%d/%Y"},
            )
        ),
        "3k2p-39jp": FakeSoda(_calls_records()),  # type: ignore[arg-type]
        "5ngg-rpne": FakeSoda(
            _api_records(
                [CSR_FILE],
                seattle_csr.RENAME_CSV,
                seattle_csr.RENAME_API,
                {"Created Date": AM_PM},
            )
        ),
    }
    for name in LIVE_OTHER_DATASETS:
        monkeypatch.delenv(name)  # back to the real dataset ids
    for dataset_id, fake in datasets.items():
        path = f"/resource/{dataset_id}.json"
        httpserver.expect_request(path, method="GET").respond_with_handler(fake.handle)
    return datasets


def test_every_public_source_read_live_publishes_what_its_files_publish_incrementally(
    database_url: str,
    portal: dict[str, FakeSoda],
    base_url: str,  # noqa: F811 -- the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEGACY_CRIME_SOURCES", ",".join(LEGACY_FILES))
    monkeypatch.setenv("CALLS_911_SOURCES", ",".join(CALLS_FILES))
    monkeypatch.setenv("CSR_SOURCES", CSR_FILE)
    from_files = pipeline.run(database_url=database_url, nibrs_sources=[BELLTOWN_FILE])
    monkeypatch.setenv("SODA_BASE_URL", base_url)
    monkeypatch.setenv("SODA_PAGE_SIZE", "100")

    first = pipeline.run(database_url=database_url)
    second = pipeline.run(database_url=database_url)

    pd.testing.assert_frame_equal(
        published(database_url, from_files.run_id), published(database_url, first.run_id)
    )
    pd.testing.assert_frame_equal(
        published(database_url, first.run_id), published(database_url, second.run_id)
    )
    assert second.message.endswith("; live sources: 0 month(s) reconciled")
    sources = query(
        database_url,
        "SELECT source_id, location, rows_read, is_synthetic FROM etl_run_source "
        "WHERE run_id = :run_id ORDER BY source_id",
        run_id=second.run_id,
    )
    assert dict(zip(sources["source_id"], sources["location"], strict=True)) == {
        "seattle_csr": f"{base_url}/resource/5ngg-rpne.json",
        "spd_911_incident_response": f"{base_url}/resource/3k2p-39jp.json",
        "spd_crime_legacy": f"{base_url}/resource/4fs7-3vj5.json",
        "spd_crime_nibrs": f"{base_url}/resource/tazs-3rd5.json",
    }
    # The live service requests are the portal's, not the bundled synthetic fixture.
    assert not sources["is_synthetic"].astype(bool).any()
    for dataset_id, fake in portal.items():
        served = len(fake.records)
        fetches = [q for q in fake.queries if "$group" not in q]
        assert "$where" not in fetches[0], f"{dataset_id}: the first run is a full load"
        assert "$where" in fetches[-1], f"{dataset_id}: the second run is incremental"
        cache = load_cache_rows(dataset_id)
        assert cache == served, f"{dataset_id}: cached {cache} records, served {served}"
    last = {k: [q for q in f.queries if "$group" not in q][-1] for k, f in portal.items()}
    assert last["5ngg-rpne"]["$where"].startswith("createddate >= '")
    assert last["3k2p-39jp"]["$where"].startswith("event_clearance_date >= '")
    assert last["4fs7-3vj5"]["$where"].startswith("reported_date >= '")


def load_cache_rows(dataset_id: str) -> int:
    source_id = {
        "tazs-3rd5": "spd_crime_nibrs",
        "4fs7-3vj5": "spd_crime_legacy",
        "3k2p-39jp": "spd_911_incident_response",
        "5ngg-rpne": "seattle_csr",
    }[dataset_id]
    with (Path(settings.get("RAW_CACHE_DIR")) / f"{source_id}.csv").open(newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_a_truncated_page_from_one_live_source_fails_the_run_and_publishes_nothing_new(
    database_url: str,
    portal: dict[str, FakeSoda],
    base_url: str,  # noqa: F811 -- the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SODA_BASE_URL", base_url)
    monkeypatch.setenv("SODA_PAGE_SIZE", "100")
    good = pipeline.run(database_url=database_url)
    before = published(database_url, good.run_id)
    portal["3k2p-39jp"].faults[(0, 2)] = lambda body: Response(
        body[: len(body) // 2], status=200, content_type="application/json"
    )
    cache = Path(settings.get("RAW_CACHE_DIR")) / "spd_911_incident_response.csv"
    cached = cache.read_bytes()

    with pytest.raises(pipeline.RunFailed, match="truncated or invalid response on page 1"):
        pipeline.run(database_url=database_url)

    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(before, published(database_url, good.run_id))
    assert cache.read_bytes() == cached, "a failed fetch leaves the raw cache as it was"


DATASET_SOURCES = {
    "tazs-3rd5": "spd_crime_nibrs",
    "4fs7-3vj5": "spd_crime_legacy",
    "3k2p-39jp": "spd_911_incident_response",
    "5ngg-rpne": "seattle_csr",
}


def _cache_bytes() -> dict[str, bytes]:
    folder = Path(settings.get("RAW_CACHE_DIR"))
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*")) if path.is_file()}


def _add_a_new_record_to_each(portal: dict[str, FakeSoda]) -> None:
    """So that any cache written by the next run would differ from today's."""
    keys = {"tazs-3rd5": "offense_id", "4fs7-3vj5": "report_number"}
    keys |= {"3k2p-39jp": "cad_cdw_id", "5ngg-rpne": "servicerequestnumber"}
    for dataset_id, fake in portal.items():
        newest = dict(fake.records[-1])
        newest[keys[dataset_id]] = "9" + str(newest[keys[dataset_id]])[1:] + "7"
        fake.records.append(newest)


@pytest.mark.parametrize("failing", [*DATASET_SOURCES, "publish"])
def test_a_failure_in_any_live_source_or_in_publishing_leaves_every_cache_unchanged(
    database_url: str,
    portal: dict[str, FakeSoda],
    base_url: str,  # noqa: F811 -- the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    """A fault injected in each source in turn (a truncated page on the second run's first
    request), and one after every fetch succeeded: every raw cache and state file stays
    byte-for-byte as it was, nothing new is published, and no staged copy is left."""
    monkeypatch.setenv("SODA_BASE_URL", base_url)
    monkeypatch.setenv("SODA_PAGE_SIZE", "100")
    good = pipeline.run(database_url=database_url)
    before = published(database_url, good.run_id)
    caches = _cache_bytes()
    assert sorted(caches) == sorted(
        name
        for source in DATASET_SOURCES.values()
        for name in (f"{source}.csv", f"{source}.state.json")
    )
    _add_a_new_record_to_each(portal)
    real_publish = pipeline.publish
    if failing == "publish":

        def broken_publish(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(pipeline, "publish", broken_publish)
        match = "RuntimeError: the database went away"
    else:
        portal[failing].faults[(0, 2)] = lambda body: Response(
            body[: len(body) // 2], status=200, content_type="application/json"
        )
        match = "truncated or invalid response on page 1"

    with pytest.raises(pipeline.RunFailed, match=match):
        pipeline.run(database_url=database_url)

    assert _cache_bytes() == caches
    staging = Path(settings.get("RAW_CACHE_DIR")) / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(before, published(database_url, good.run_id))
    # With the fault gone, the next run succeeds and only then are the caches replaced.
    monkeypatch.setattr(pipeline, "publish", real_publish)
    for fake in portal.values():
        fake.faults.clear()
    assert pipeline.run(database_url=database_url).status == "succeeded"
    assert _cache_bytes() != caches


def test_a_dataset_set_to_none_is_read_from_its_files_even_with_a_portal(
    database_url: str,
    portal: dict[str, FakeSoda],
    base_url: str,  # noqa: F811 -- the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SODA_BASE_URL", base_url)
    monkeypatch.setenv("SODA_CSR_DATASET", "none")
    monkeypatch.setenv("CSR_SOURCES", CSR_FILE)
    summary = pipeline.run(database_url=database_url)
    sources = query(
        database_url,
        "SELECT source_id, location, is_synthetic FROM etl_run_source WHERE run_id = :run_id",
        run_id=summary.run_id,
    ).set_index("source_id")
    assert sources.loc["seattle_csr", "location"].endswith(Path(CSR_FILE).name)
    assert bool(sources.loc["seattle_csr", "is_synthetic"]) is True
    assert portal["5ngg-rpne"].queries == []
