"""The open-data API and downloads against a real database holding the demonstration run:
every endpoint, bad parameters, paging bounds, the OpenAPI contract, and that what goes out
is exactly what was published (withheld values stay empty)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import dash
import openpyxl
import pandas as pd
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from dashboard.api import FIELD_NAMES, MAX_LIMIT
from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import published


@pytest.fixture
def demo_client(
    app: dash.Dash, database_url: str, demo_extract: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FlaskClient, str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    summary = pipeline.run(
        database_url=database_url,
        nibrs_sources=SAMPLE_NIBRS,
        program_extract_dir=str(demo_extract),
    )
    return app.server.test_client(), summary.run_id


def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def conforms(document: dict[str, Any], schema_name: str, body: Any) -> None:
    """Validate ``body`` against a component schema of the served OpenAPI document."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert errors == [], [e.message for e in errors[:5]]


def every_observation(client: FlaskClient, indicator_id: str, limit: int) -> list[dict]:
    """All rows of one indicator, following ``next`` links page by page."""
    rows: list[dict] = []
    url: str | None = f"/api/v1/observations?indicator={indicator_id}&limit={limit}"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        assert len(page["observations"]) <= limit
        rows += page["observations"]
        url = page["next"]
        pages += 1
        assert pages < 1000
    return rows


def as_published(rows: list[dict]) -> pd.DataFrame:
    """API rows in the shape of tests.integration.helpers.published (for exact comparison)."""
    frame = pd.DataFrame(rows, columns=list(FIELD_NAMES)).rename(
        columns={"period_start": "period_start_date", "n": "denominator_n"}
    )
    frame["period_start_date"] = pd.to_datetime(frame["period_start_date"])
    for column in ("value", "lower_bound", "upper_bound", "denominator_n"):
        frame[column] = frame[column].astype(float)
    return frame


def test_the_spec_is_valid_openapi_and_every_response_conforms_to_it(
    demo_client: tuple[FlaskClient, str],
) -> None:
    client, run_id = demo_client
    document = spec(client)
    validate(document)  # raises on an invalid OpenAPI 3.1 document

    indicators = client.get("/api/v1/indicators").get_json()
    conforms(document, "IndicatorList", indicators)
    first = indicators["indicators"][0]["indicator_id"]
    conforms(document, "Indicator", client.get(f"/api/v1/indicators/{first}").get_json())
    page = client.get("/api/v1/observations?indicator=participants_by_race_ethnicity").get_json()
    conforms(document, "ObservationPage", page)
    conforms(document, "RunList", client.get("/api/v1/runs").get_json())
    conforms(document, "Run", client.get(f"/api/v1/runs/{run_id}").get_json())
    conforms(document, "Changes", client.get(f"/api/v1/runs/{run_id}/changes").get_json())
    error = client.get("/api/v1/observations?indicator=participants_by_race_ethnicity&limit=0")
    conforms(document, "Error", error.get_json())
    assert set(document["paths"]) == {
        "/api/v1/indicators",
        "/api/v1/indicators/{indicator_id}",
        "/api/v1/observations",
        "/api/v1/runs",
        "/api/v1/runs/{run_id}",
        "/api/v1/runs/{run_id}/changes",
    }


def test_every_indicator_pages_out_exactly_what_was_published_withheld_values_empty(
    demo_client: tuple[FlaskClient, str], database_url: str
) -> None:
    client, run_id = demo_client
    expected = published(database_url, run_id)
    ids = [i["indicator_id"] for i in client.get("/api/v1/indicators").get_json()["indicators"]]
    assert sorted(ids) == sorted(expected["indicator_id"].unique())
    rows = [row for i in ids for row in every_observation(client, i, limit=MAX_LIMIT)]
    served = as_published(rows)
    key = ["indicator_id", "area", "period_start_date", "breakdown_value"]
    pd.testing.assert_frame_equal(
        served.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    withheld = [row for row in rows if row["is_suppressed"]]
    assert len(withheld) > 50, "the demonstration run withholds figures to test against"
    for row in withheld:
        assert (row["value"], row["lower_bound"], row["upper_bound"], row["n"]) == (None,) * 4


def test_paging_is_bounded_and_complete(demo_client: tuple[FlaskClient, str]) -> None:
    client, _ = demo_client
    whole = every_observation(client, "reported_offenses", limit=MAX_LIMIT)
    assert len(whole) > 400
    paged = every_observation(client, "reported_offenses", limit=37)
    assert paged == whole
    first = client.get("/api/v1/observations?indicator=reported_offenses").get_json()
    assert first["limit"] == 100 and len(first["observations"]) == 100
    assert first["total"] == len(whole)
    last = client.get(
        f"/api/v1/observations?indicator=reported_offenses&limit=10&offset={len(whole) - 3}"
    ).get_json()
    assert len(last["observations"]) == 3 and last["next"] is None
    beyond = client.get(
        f"/api/v1/observations?indicator=reported_offenses&offset={len(whole) + 5}"
    ).get_json()
    assert beyond["observations"] == [] and beyond["total"] == len(whole)


def test_filters_select_exactly_the_rows_asked_for(demo_client: tuple[FlaskClient, str]) -> None:
    client, _ = demo_client
    url = (
        "/api/v1/observations?indicator=reported_offenses&area=BELLTOWN,capitol-hill"
        "&breakdown=robbery&from=2011-10&to=2012-03&limit=1000"
    )
    rows = client.get(url).get_json()["observations"]
    assert {r["area"] for r in rows} == {"belltown", "capitol-hill"}
    assert {r["breakdown_value"] for r in rows} == {"robbery"}
    assert sorted({r["period_start"] for r in rows}) == [
        "2011-10-01",
        "2011-11-01",
        "2011-12-01",
        "2012-01-01",
        "2012-02-01",
        "2012-03-01",
    ]
    assert len(rows) == 12
    csv_rows = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").text)))
    assert [r["value"] for r in csv_rows] == [f"{r['value']:.10g}" for r in rows]


BAD_REQUESTS = [
    ("/api/v1/observations", 400, "indicator"),
    # Well formed but not in this data version: not found (the OpenAPI document says so).
    ("/api/v1/observations?indicator=nope", 404, "indicator"),
    ("/api/v1/observations?indicator=Not-An-Id", 400, "indicator"),
    ("/api/v1/observations?indicator=../etc", 400, "indicator"),
    ("/api/v1/observations?indicator=reported_offenses&limit=0", 400, "limit"),
    ("/api/v1/observations?indicator=reported_offenses&limit=1001", 400, "limit"),
    ("/api/v1/observations?indicator=reported_offenses&limit=-1", 400, "limit"),
    ("/api/v1/observations?indicator=reported_offenses&offset=x", 400, "offset"),
    ("/api/v1/observations?indicator=reported_offenses&from=2011-13", 400, "from"),
    ("/api/v1/observations?indicator=reported_offenses&from=", 400, "from"),
    ("/api/v1/observations?indicator=reported_offenses&format=xml", 400, "format"),
    ("/api/v1/observations?indicator=reported_offenses&color=red", 400, "color"),
    ("/api/v1/observations?indicator=reported_offenses&area=a&area=b", 400, "area"),
    ("/api/v1/observations?indicator=reported_offenses&run=latest", 400, "run"),
    (
        "/api/v1/observations?indicator=reported_offenses&run=20000101T000000Z-abcdef",
        404,
        "run",
    ),
    ("/api/v1/indicators/nope", 404, None),
    ("/api/v1/runs/nope", 404, None),
    ("/api/v1/runs/20000101T000000Z-abcdef/changes", 404, None),
    ("/api/v1/unknown", 404, None),
    ("/download/reported_offenses.pdf", 404, None),
    ("/download/reported_offenses.csv?indicator=other", 400, "indicator"),
    ("/download/reported_offenses.csv?limit=5", 400, "limit"),
]


def test_a_to_before_from_selects_nothing_and_a_day_past_the_month_means_its_end(
    demo_client: tuple[FlaskClient, str],
) -> None:
    client, _ = demo_client
    url = "/api/v1/observations?indicator=reported_offenses"
    empty = client.get(f"{url}&from=2012&to=2011").get_json()
    assert empty["total"] == 0 and empty["observations"] == []
    february = client.get(f"{url}&from=2011-02-01&to=2011-02-30&area=belltown").get_json()
    assert {o["period_start"] for o in february["observations"]} == {"2011-02-01"}


def test_bad_requests_get_a_json_error_naming_the_parameter(
    demo_client: tuple[FlaskClient, str],
) -> None:
    client, _ = demo_client
    for url, status, parameter in BAD_REQUESTS:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/json", url
        error = response.get_json()["error"]
        assert error["status"] == status, url
        assert error.get("parameter") == parameter, url
        assert "Traceback" not in response.get_data(as_text=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["indicator", "area", "breakdown", "from", "to", "limit", "offset", "run"]),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_fuzzed_parameters_never_cause_a_server_error(
    demo_client: tuple[FlaskClient, str], params: dict[str, str]
) -> None:
    client, _ = demo_client
    response = client.get("/api/v1/observations", query_string=params)
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    if response.status_code != 200:
        assert "Traceback" not in response.get_data(as_text=True)


def test_get_responses_are_cacheable_conditional_and_open_to_any_origin(
    demo_client: tuple[FlaskClient, str],
) -> None:
    client, _ = demo_client
    response = client.get("/api/v1/indicators")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    etag = response.headers["ETag"]
    again = client.get("/api/v1/indicators", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_downloads_carry_provenance_and_leave_withheld_values_empty(
    demo_client: tuple[FlaskClient, str], database_url: str
) -> None:
    client, run_id = demo_client
    expected = published(database_url, run_id)
    expected = expected[expected["indicator_id"] == "participants_by_race_ethnicity"]
    assert expected["is_suppressed"].any()

    response = client.get("/download/participants_by_race_ethnicity.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="belltown-lead_participants_by_race_ethnicity_{run_id}.csv"'
    )
    text = response.get_data(as_text=True)
    comments = [line for line in text.splitlines() if line.startswith("# ")]
    assert comments[0] == "# SYNTHETIC DEMONSTRATION DATA: not real people or records."
    assert any(line.startswith(f"# Data version: {run_id}") for line in comments)
    assert any(
        line.startswith("# Cite as: Belltown LEAD transparency dashboard") for line in comments
    )
    table = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(FIELD_NAMES)
    assert len(table) == len(expected)
    withheld = table[table["is_suppressed"] == "true"]
    assert len(withheld) == int(expected["is_suppressed"].sum())
    assert (withheld[["value", "lower_bound", "upper_bound", "n"]] == "").all().all()

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/download/participants_by_race_ethnicity.xlsx").data)
    )
    assert workbook.sheetnames == ["data", "about"]
    sheet = list(workbook["data"].iter_rows(values_only=True))
    assert sheet[0] == FIELD_NAMES
    assert len(sheet) - 1 == len(expected)
    suppressed_column = FIELD_NAMES.index("is_suppressed")
    value_column = FIELD_NAMES.index("value")
    for row in sheet[1:]:
        if row[suppressed_column]:
            assert row[value_column] is None


def test_the_bundle_is_a_data_package_of_every_indicator(
    demo_client: tuple[FlaskClient, str], database_url: str
) -> None:
    client, run_id = demo_client
    response = client.get("/download/bundle.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    package = json.loads(archive.read("datapackage.json"))
    expected = published(database_url, run_id)
    assert package["version"] == run_id
    assert package["profile"] == "tabular-data-package"
    names = sorted(r["name"] for r in package["resources"])
    assert names == sorted(expected["indicator_id"].unique())
    for resource in package["resources"]:
        assert [f["name"] for f in resource["schema"]["fields"]] == list(FIELD_NAMES)
        rows = list(csv.DictReader(io.StringIO(archive.read(resource["path"]).decode("utf-8"))))
        assert len(rows) == int((expected["indicator_id"] == resource["name"]).sum())
        for row in rows:
            if row["is_suppressed"] == "true":
                assert row["value"] == row["n"] == ""
    readme = archive.read("README.md").decode("utf-8")
    assert "## How to cite" in readme and run_id in readme
    assert "SYNTHETIC" in package["description"]


def test_a_link_pinned_to_an_earlier_version_keeps_its_numbers(
    demo_client: tuple[FlaskClient, str], database_url: str
) -> None:
    client, first_run = demo_client
    second = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS[:1])
    pinned = client.get(
        f"/api/v1/observations?indicator=reported_offenses&run={first_run}&limit=1000"
    ).get_json()
    latest = client.get("/api/v1/observations?indicator=reported_offenses&limit=1000").get_json()
    assert pinned["run_id"] == first_run and latest["run_id"] == second.run_id
    assert {r["area"] for r in pinned["observations"]} > {r["area"] for r in latest["observations"]}
    changes = client.get(f"/api/v1/runs/{second.run_id}/changes").get_json()
    assert changes["compared_with"] == first_run
    by_id = {c["indicator_id"]: c for c in changes["indicators"]}
    assert by_id["reported_offenses"]["removed"] > 0
    assert by_id["participants_by_race_ethnicity"]["removed"] > 0  # no program data now


def test_program_figures_of_an_earlier_version_are_never_served(
    demo_client: tuple[FlaskClient, str], database_url: str, demo_extract: Path
) -> None:
    client, first_run = demo_client
    pipeline.run(
        database_url=database_url,
        nibrs_sources=SAMPLE_NIBRS,
        program_extract_dir=str(demo_extract),
    )
    earlier = f"run={first_run}"
    refused = client.get(f"/api/v1/observations?indicator=referrals&{earlier}")
    assert refused.status_code == 404
    assert refused.get_json()["error"]["parameter"] == "run"
    assert client.get(f"/download/referrals.csv?{earlier}").status_code == 404
    assert client.get(f"/api/v1/indicators/referrals?{earlier}").status_code == 404
    listed = client.get(f"/api/v1/indicators?{earlier}").get_json()["indicators"]
    assert {i["indicator_id"] for i in listed} >= {"reported_offenses"}
    assert not any(s["source_id"].startswith("program_") for i in listed for s in i["sources"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/download/bundle.zip?{earlier}").data))
    assert "data/referrals.csv" not in archive.namelist()
    assert "data/reported_offenses.csv" in archive.namelist()
    pinned = client.get(f"/api/v1/observations?indicator=reported_offenses&{earlier}")
    assert pinned.status_code == 200
    # Row counts of program files are not given for an earlier version (differencing).
    old_sources = client.get(f"/api/v1/runs/{first_run}").get_json()["sources"]
    for source in old_sources:
        counted = "rows_accepted" in source
        assert counted != source["source_id"].startswith("program_"), source["source_id"]
    current = client.get("/api/v1/runs").get_json()["runs"][0]["run_id"]
    new_sources = client.get(f"/api/v1/runs/{current}").get_json()["sources"]
    assert all("rows_accepted" in source for source in new_sources)
    assert client.get("/api/v1/observations?indicator=referrals").status_code == 200
