"""A source read over HTTP from a local server (127.0.0.1), as from the open-data portal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import latest_succeeded_run, published, query


def test_nibrs_export_read_from_a_url_publishes_the_same_counts_as_the_file(
    database_url: str, httpserver: HTTPServer
) -> None:
    for path in SAMPLE_NIBRS:
        httpserver.expect_request(f"/exports/{Path(path).name}").respond_with_data(
            Path(path).read_bytes(), content_type="text/csv"
        )
    urls = [httpserver.url_for(f"/exports/{Path(p).name}") for p in SAMPLE_NIBRS]

    from_files = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    from_urls = pipeline.run(database_url=database_url, nibrs_sources=urls)

    pd.testing.assert_frame_equal(
        published(database_url, from_files.run_id), published(database_url, from_urls.run_id)
    )
    locations = query(
        database_url,
        "SELECT location, sha256 FROM etl_run_source WHERE run_id = :run_id ORDER BY location",
        run_id=from_urls.run_id,
    )
    assert locations["location"].tolist() == sorted(urls)
    file_hashes = query(
        database_url,
        "SELECT sha256 FROM etl_run_source WHERE run_id = :run_id ORDER BY location",
        run_id=from_files.run_id,
    )["sha256"].tolist()
    assert sorted(locations["sha256"].tolist()) == sorted(file_hashes)


def test_a_failed_download_fails_the_run_and_keeps_the_published_data(
    database_url: str, httpserver: HTTPServer
) -> None:
    good = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    httpserver.expect_request("/exports/gone.csv").respond_with_data("gone", status=404)
    url = httpserver.url_for("/exports/gone.csv")

    with pytest.raises(pipeline.RunFailed, match=r"gone\.csv: could not download: 404"):
        pipeline.run(database_url=database_url, nibrs_sources=[url])

    assert latest_succeeded_run(database_url) == good.run_id
