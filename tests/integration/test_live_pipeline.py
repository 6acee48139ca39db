"""The whole ETL with SPD NIBRS read live from a local SODA server, and the run lock."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl import cli, pipeline, settings
from etl.lock import LockHeld, run_lock
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import published, query, runs
from tests.integration.test_soda_http import FakeSoda, base_url, server  # noqa: F401 -- fixtures

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
    assert server.queries[-1]["$where"].startswith("report_datetime >= '2021-08-07T00:00:00")
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
