"""Unit tests of the Customer Service Requests source.

No real extract exists; the bundled file is a synthetic fixture in the portal-export format
(``etl/sample_data/seattle_csr_fixture/PROVENANCE.md``), plus tiny inline CSVs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.sources import dates, seattle_csr
from etl.sources.common import Rejection, SourceError, SourceResult

FIXTURE_DIR = Path(__file__).resolve().parents[2] / "etl" / "sample_data" / "seattle_csr_fixture"
FIXTURE = FIXTURE_DIR / "customer_service_requests_synthetic_fixture.csv"
FIXTURE_NAME = FIXTURE.name
HEADER = (
    "Service Request Number,Service Request Type,City Department,Created Date,Method Received,"
    "Status,Latitude,Longitude,ZIP Code,Neighborhood"
)
NOW = datetime(2025, 1, 1)
FILE_NAME = "csr.csv"
OUTPUT_COLUMNS = [
    "record_id",
    "event_datetime",
    "area",
    "source_category",
    "indicator",
    "latitude",
    "longitude",
]


def request_row(
    number: str = "22-00250856",
    request_type: str = "Graffiti",
    created: str = "09/14/2022 03:01:42 PM",
    latitude: str = "47.615211",
    longitude: str = "-122.340034",
    neighborhood: str = "BELLTOWN",
) -> str:
    """One line in the portal-export layout; the defaults are line 17 of the fixture."""
    fields = [
        number,
        request_type,
        "SPU-Seattle Public Utilities",
        created,
        "Citizen Web",
        "Closed",
        latitude,
        longitude,
        "98121",
        neighborhood,
    ]
    return ",".join(fields)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n" + "".join(row + "\n" for row in rows)).encode("utf-8")


def run_bytes(tmp_path: Path, content: bytes, now: datetime = NOW) -> SourceResult:
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    return seattle_csr.run(str(path), timeout_seconds=5, now=now)


# --- the synthetic fixture -----------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_result() -> SourceResult:
    return seattle_csr.run(str(FIXTURE), timeout_seconds=5, now=NOW)


def test_fixture_is_labelled_synthetic(fixture_result: SourceResult) -> None:
    assert seattle_csr.SYNTHETIC_INFO.is_synthetic is True
    assert "(synthetic fixture)" in seattle_csr.SYNTHETIC_INFO.title
    assert fixture_result.info is seattle_csr.SYNTHETIC_INFO
    provenance = (FIXTURE_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "**This data is synthetic. It is not City of Seattle data" in provenance
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() in provenance
    assert fixture_result.sha256 in provenance


def test_a_copy_outside_the_fixture_folder_or_the_portal_is_not_labelled_synthetic(
    tmp_path: Path,
) -> None:
    copy = tmp_path / FIXTURE.name
    copy.write_bytes(FIXTURE.read_bytes())
    result = seattle_csr.run(str(copy), timeout_seconds=5, now=NOW)
    assert result.info is seattle_csr.INFO
    assert seattle_csr.INFO.is_synthetic is False
    assert "synthetic" not in seattle_csr.INFO.title.lower()
    assert seattle_csr.info_for("https://data.seattle.gov/resource/5ngg-rpne.json") is (
        seattle_csr.INFO
    )


def test_fixture_uses_the_portal_export_header() -> None:
    assert FIXTURE.read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert set(HEADER.split(",")) <= set(seattle_csr.RENAME_CSV)


def test_fixture_row_accounting(fixture_result: SourceResult) -> None:
    result = fixture_result
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (60, 58, 2)
    assert sorted(result.rejections, key=lambda r: r.row_number) == [
        Rejection(
            FIXTURE_NAME,
            15,
            "Service Request Number",
            "22-00282121",
            "duplicate Service Request Number (first occurrence kept)",
        ),
        Rejection(FIXTURE_NAME, 33, "Neighborhood", "", "blank"),
    ]


def test_fixture_values(fixture_result: SourceResult) -> None:
    frame = fixture_result.frame
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert str(frame["event_datetime"].dtype) == "datetime64[ns]"
    assert frame["area"].value_counts().to_dict() == {
        "BELLTOWN": 28,
        "CAPITOL HILL": 19,
        "DOWNTOWN COMMERCIAL": 11,
    }
    assert frame["indicator"].value_counts().to_dict() == {
        "abandoned_vehicle": 14,
        "other_requests": 12,
        "illegal_dumping_needles": 11,
        "unauthorized_encampment": 11,
        "graffiti": 10,
    }
    first = frame.iloc[0]
    assert first["record_id"] == "23-00274150"
    assert first["event_datetime"] == pd.Timestamp("2023-12-14 06:55:45")
    assert first["source_category"] == "Illegal Dumping / Needles"
    assert first["indicator"] == "illegal_dumping_needles"
    assert (first["latitude"], first["longitude"]) == (47.605802, -122.33311)
    assert frame["latitude"].isna().sum() == 3  # lines 7 and 26 (0,0), line 44 (blank)
    assert fixture_result.watermark == datetime(2023, 12, 14, 6, 55, 45)


def test_fixture_both_abandoned_vehicle_labels_merge(fixture_result: SourceResult) -> None:
    abandoned = fixture_result.frame[fixture_result.frame["indicator"] == "abandoned_vehicle"]
    labels = abandoned.groupby("source_category")["event_datetime"].agg(["size", "min", "max"])
    assert labels["size"].to_dict() == {
        "Abandoned Vehicle": 6,
        "Abandoned Vehicle/72hr Parking Ordinance": 8,
    }
    assert labels.loc["Abandoned Vehicle", "max"] < pd.Timestamp("2021-01-01")
    assert labels.loc["Abandoned Vehicle/72hr Parking Ordinance", "min"] > pd.Timestamp(
        "2021-12-31"
    )


def test_fixture_holds_every_focus_request_type(fixture_result: SourceResult) -> None:
    assert set(seattle_csr.FOCUS_REQUEST_TYPES) <= set(fixture_result.frame["source_category"])


# --- inline quirks -------------------------------------------------------------------------

QUIRKS_ROWS = [
    # 2: a fixture row.
    request_row(),
    # 3: 12:xx AM is just after midnight; 0,0 coordinates; lower-case neighbourhood.
    request_row(
        number="22-00000003",
        request_type="Unauthorized Encampment",
        created="01/01/2022 12:05:00 AM",
        latitude="0",
        longitude="0",
        neighborhood=" capitol hill ",
    ),
    # 4: the old and new abandoned vehicle labels.
    request_row(number="20-00000004", request_type="Abandoned Vehicle"),
    # 5:
    request_row(number="22-00000005", request_type=" Abandoned Vehicle/72hr Parking Ordinance "),
    # 6: blank Created Date.
    request_row(number="22-00000006", created=""),
    # 7: a date that is not a date.
    request_row(number="22-00000007", created="2022-13-01 01:00:00 PM"),
    # 8: blank request number.
    request_row(number=""),
    # 9: created after `now`.
    request_row(number="25-00000009", created="01/01/2025 12:00:01 AM"),
    # 10: blank type.
    request_row(number="22-00000010", request_type=""),
]


@pytest.fixture
def quirks(tmp_path: Path) -> SourceResult:
    return run_bytes(tmp_path, csv_bytes(*QUIRKS_ROWS))


def test_quirks_accepted_rows_exactly(quirks: SourceResult) -> None:
    assert (quirks.rows_read, quirks.rows_accepted, quirks.rows_rejected) == (9, 4, 5)
    frame = quirks.frame
    assert frame["record_id"].tolist() == [
        "22-00250856",
        "22-00000003",
        "20-00000004",
        "22-00000005",
    ]
    assert frame["event_datetime"].tolist() == [
        pd.Timestamp("2022-09-14 15:01:42"),
        pd.Timestamp("2022-01-01 00:05:00"),
        pd.Timestamp("2022-09-14 15:01:42"),
        pd.Timestamp("2022-09-14 15:01:42"),
    ]
    assert frame["area"].tolist() == ["BELLTOWN", "CAPITOL HILL", "BELLTOWN", "BELLTOWN"]
    assert frame["source_category"].tolist() == [
        "Graffiti",
        "Unauthorized Encampment",
        "Abandoned Vehicle",
        "Abandoned Vehicle/72hr Parking Ordinance",
    ]
    assert frame["indicator"].tolist() == [
        "graffiti",
        "unauthorized_encampment",
        "abandoned_vehicle",
        "abandoned_vehicle",
    ]
    assert frame["latitude"].isna().tolist() == [False, True, False, False]
    assert frame["longitude"].isna().tolist() == [False, True, False, False]


def test_quirks_rejections(quirks: SourceResult) -> None:
    reason = dates.REASON
    assert sorted(quirks.rejections, key=lambda r: r.row_number) == [
        Rejection(FILE_NAME, 6, "Created Date", "", "blank"),
        Rejection(FILE_NAME, 7, "Created Date", "2022-13-01 01:00:00 PM", reason),
        Rejection(FILE_NAME, 8, "Service Request Number", "", "blank"),
        Rejection(FILE_NAME, 9, "Created Date", "01/01/2025 12:00:01 AM", "in the future"),
        Rejection(FILE_NAME, 10, "Service Request Type", "", "blank"),
    ]


def test_api_layout_with_iso_dates(tmp_path: Path) -> None:
    header = (
        "servicerequestnumber,webintakeservicerequests,createddate,latitude,longitude,neighborhood"
    )
    row = "26-00200215,Illegal Dumping / Needles,2026-01-05T14:03:00.000,47.6154,-122.3456,BELLTOWN"
    result = run_bytes(tmp_path, csv_bytes(row, header=header), now=datetime(2026, 2, 1))
    assert result.rejections == []
    record = result.frame.iloc[0]
    assert record["record_id"] == "26-00200215"
    assert record["event_datetime"] == pd.Timestamp("2026-01-05 14:03:00")
    assert record["indicator"] == "illegal_dumping_needles"
    assert (record["latitude"], record["longitude"]) == (47.6154, -122.3456)


def test_optional_coordinates_may_be_absent(tmp_path: Path) -> None:
    header = "Service Request Number,Service Request Type,Created Date,Neighborhood"
    content = csv_bytes("22-1,Graffiti,09/14/2022 03:01:42 PM,BELLTOWN", header=header)
    result = run_bytes(tmp_path, content)
    assert result.frame[["latitude", "longitude"]].isna().all().all()


@pytest.mark.parametrize(
    "column", ["Service Request Number", "Service Request Type", "Created Date", "Neighborhood"]
)
def test_missing_required_column_fails_naming_it(tmp_path: Path, column: str) -> None:
    header = ",".join(c for c in HEADER.split(",") if c != column)
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, (header + "\n").encode())
    assert str(caught.value).startswith(f"{FILE_NAME}: required column(s) missing: {column} ")


def test_unexpected_column_fails_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(request_row() + ",x", header=HEADER + ",Shoe Size")
    with pytest.raises(SourceError, match=r"^csr\.csv: unexpected column\(s\) 'Shoe Size' "):
        run_bytes(tmp_path, content)


def test_unmapped_types_fail_the_run_naming_each(tmp_path: Path) -> None:
    """Types are matched exactly as published: a change of case is a new type to review."""
    content = csv_bytes(
        request_row(),
        request_row(number="22-2", request_type="Sidewalk Repair"),
        request_row(number="22-3", request_type="GRAFFITI"),
    )
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, content)
    assert str(caught.value) == (
        "csr.csv: source seattle_csr: 2 categories not in category_map.csv: "
        "'GRAFFITI' (1 row); 'Sidewalk Repair' (1 row). "
        "Add each with its indicator before the data can be published."
    )


def test_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    result = run_bytes(tmp_path, csv_bytes())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (0, 0, 0)
    assert list(result.frame.columns) == OUTPUT_COLUMNS
    assert result.watermark is None
