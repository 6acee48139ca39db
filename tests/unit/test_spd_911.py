"""Unit tests of the SPD 911 Incident Response source: the two bundled real extracts and tiny
CSVs in the same export format, one per quirk listed in ``etl/sample_data/seattle/SOURCES.md``
(zero-padded codes, tract.block census tracts, quoted commas, blank At Scene Time, ...).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.sources import dates, spd_911
from etl.sources.common import Rejection, SourceError, SourceResult

SAMPLES = Path(__file__).resolve().parents[2] / "etl" / "sample_data" / "seattle"
BELLTOWN_FILE = SAMPLES / "spd_911_incident_response_belltown_tracts8001-8002_2016-03.csv"
COMPARISON_FILE = SAMPLES / "spd_911_incident_response_comparison_beats_E1E2_M2M3K1K2_2016-03.csv"
HEADER = (
    "CAD CDW ID,CAD Event Number,General Offense Number,Event Clearance Code,"
    "Event Clearance Description,Event Clearance SubGroup,Event Clearance Group,"
    "Event Clearance Date,Hundred Block Location,District/Sector,Zone/Beat,Census Tract,"
    "Longitude,Latitude,Incident Location,Initial Type Description,Initial Type Subgroup,"
    "Initial Type Group,At Scene Time"
)
# A real Belltown row (first line of the Belltown extract).
REAL_ROW = (
    '1701846,16000104094,2016104094,245,"DISTURBANCE, OTHER",DISTURBANCES,DISTURBANCES,'
    "03/25/2016 11:53:42 PM,19XX BLOCK OF 2 AV,M,M1,8002.1002,-122.3411,47.611347,"
    '"(47.611347, -122.3411)",CRISIS - PERSON IN BEHAVIORAL/EMOTIONAL CRISIS,'
    "BEHAVIORAL HEALTH,CRISIS CALL,"
)
NOW = datetime(2025, 1, 1)
FILE_NAME = "calls.csv"
BELLTOWN = spd_911.BELLTOWN_TRACTS_AREA
CAPITOL_HILL = "CAPITOL HILL (BEATS E1-E2)"
DOWNTOWN = "DOWNTOWN COMMERCIAL (BEATS M2-M3, K1-K2)"
OUTPUT_COLUMNS = [
    "record_id",
    "event_datetime",
    "area",
    "source_category",
    "indicator",
    "latitude",
    "longitude",
]


def call_row(
    cdw_id: str = "1701846",
    code: str = "245",
    group: str = "DISTURBANCES",
    cleared: str = "03/25/2016 11:53:42 PM",
    beat: str = "M1",
    tract: str = "8002.1002",
    longitude: str = "-122.3411",
    latitude: str = "47.611347",
    location: str = '"(47.611347, -122.3411)"',
    at_scene: str = "",
) -> str:
    """One line in the portal CSV layout; the defaults are the real row above."""
    fields = [
        cdw_id,
        "16000104094",
        "2016104094",
        code,
        '"DISTURBANCE, OTHER"',
        "DISTURBANCES",
        f'"{group}"' if "," in group else group,
        cleared,
        "19XX BLOCK OF 2 AV",
        beat[:1],
        beat,
        tract,
        longitude,
        latitude,
        location,
        "CRISIS - PERSON IN BEHAVIORAL/EMOTIONAL CRISIS",
        "BEHAVIORAL HEALTH",
        "CRISIS CALL",
        at_scene,
    ]
    return ",".join(fields)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n" + "".join(row + "\n" for row in rows)).encode("utf-8")


def run_bytes(tmp_path: Path, content: bytes, now: datetime = NOW) -> SourceResult:
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    return spd_911.run(str(path), timeout_seconds=5, now=now)


def test_default_row_is_the_real_row() -> None:
    assert call_row() == REAL_ROW
    assert BELLTOWN_FILE.read_text(encoding="utf-8").splitlines()[1] == REAL_ROW


# --- the real extracts -------------------------------------------------------------------


def test_real_belltown_extract() -> None:
    result = spd_911.run(str(BELLTOWN_FILE), timeout_seconds=5, now=NOW)
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (20, 20, 0)
    frame = result.frame
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert set(frame["area"]) == {BELLTOWN}
    assert frame["indicator"].value_counts().to_dict() == {
        "traffic_calls": 10,
        "disturbance_calls": 4,
        "property_crime_calls": 2,
        "trespass_calls": 2,
        "suspicious_circumstances_calls": 1,
        "person_crime_calls": 1,
    }
    first = frame.iloc[0]
    assert first["record_id"] == "1701846"
    assert first["event_datetime"] == pd.Timestamp("2016-03-25 23:53:42")
    assert first["source_category"] == "DISTURBANCES"
    assert first["indicator"] == "disturbance_calls"
    assert first["latitude"] == 47.611347
    assert first["longitude"] == -122.3411
    assert frame[["latitude", "longitude"]].notna().all().all()
    assert result.watermark == datetime(2016, 3, 25, 23, 53, 42)


def test_real_comparison_extract() -> None:
    result = spd_911.run(str(COMPARISON_FILE), timeout_seconds=5, now=NOW)
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (114, 114, 0)
    frame = result.frame
    assert frame["area"].value_counts().to_dict() == {DOWNTOWN: 69, CAPITOL_HILL: 45}
    assert frame["indicator"].value_counts().to_dict() == {
        "disturbance_calls": 27,
        "traffic_calls": 22,
        "property_crime_calls": 13,
        "suspicious_circumstances_calls": 12,
        "liquor_violation_calls": 11,
        "other_calls": 9,
        "person_crime_calls": 8,
        "trespass_calls": 7,
        "behavioral_health_calls": 3,
        "narcotics_calls": 2,
    }
    by_id = frame.set_index("record_id")
    assert by_id.loc["1701844", "area"] == DOWNTOWN  # M3, tract 8100.2009
    assert by_id.loc["1701844", "source_category"] == "FALSE ALACAD"
    assert by_id.loc["1701848", "area"] == CAPITOL_HILL  # E2
    assert by_id.loc["1701848", "event_datetime"] == pd.Timestamp("2016-03-25 23:42:30")
    assert by_id.loc["1701848", "latitude"] == 47.613518
    assert result.watermark == datetime(2016, 3, 25, 23, 53, 4)


# --- one quirk each ------------------------------------------------------------------------

QUIRKS_ROWS = [
    # 2: the real row (quoted commas, blank At Scene Time, tract 8002.xxxx).
    call_row(),
    # 3: tract 8001.2007 in beat D1, At Scene Time set, zero-padded code.
    call_row(cdw_id="1701826", code="063", tract="8001.2007", beat="D1", at_scene="03/25/2016"),
    # 4: tract 8100.2000 (not Belltown; its trailing zeros kept), beat M3 -> Downtown.
    call_row(cdw_id="1701844", tract="8100.2000", beat="M3"),
    # 5: beat E1 -> Capitol Hill; coordinates only in Incident Location.
    call_row(
        cdw_id="1701841",
        tract="7500.3014",
        beat="E1",
        longitude="",
        latitude="",
        location='"(47.62108, -122.32041)"',
    ),
    # 6: beat M1 outside the Belltown tracts -> OTHER; coordinates 0 everywhere.
    call_row(
        cdw_id="1700006",
        tract="8100.1000",
        beat="M1",
        longitude="0",
        latitude="0",
        location='"(0.0, 0.0)"',
    ),
    # 7: Belltown tract wins over a comparison beat; REDACTED coordinates.
    call_row(
        cdw_id="1700007",
        tract="8001.1008",
        beat="K1",
        longitude="REDACTED",
        latitude="REDACTED",
        location="",
    ),
    # 8: a group holding a comma, lower case.
    call_row(cdw_id="1700008", group="nuisance, mischief ", tract="", beat="k2"),
    # 9: repeats the CAD CDW ID of line 2.
    call_row(cleared="03/25/2016 11:59:00 PM"),
    # 10: blank Event Clearance Date (an event not cleared).
    call_row(cdw_id="1700010", cleared=""),
    # 11: a 24-hour time with PM.
    call_row(cdw_id="1700011", cleared="03/25/2016 23:53:42 PM"),
    # 12: literal NULL group.
    call_row(cdw_id="1700012", group="NULL"),
    # 13: CAD CDW ID mangled by a spreadsheet.
    call_row(cdw_id="1.70E+06"),
    # 14: cleared after `now`.
    call_row(cdw_id="1700014", cleared="01/01/2025 12:00:01 AM"),
]
QUIRKS = csv_bytes(*QUIRKS_ROWS)


@pytest.fixture
def quirks(tmp_path: Path) -> SourceResult:
    return run_bytes(tmp_path, QUIRKS)


def test_quirks_row_accounting(quirks: SourceResult) -> None:
    assert (quirks.rows_read, quirks.rows_accepted, quirks.rows_rejected) == (13, 7, 6)


def test_quirks_accepted_rows_exactly(quirks: SourceResult) -> None:
    frame = quirks.frame
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert frame["record_id"].tolist() == [
        "1701846",
        "1701826",
        "1701844",
        "1701841",
        "1700006",
        "1700007",
        "1700008",
    ]
    assert frame["area"].tolist() == [
        BELLTOWN,
        BELLTOWN,
        DOWNTOWN,
        CAPITOL_HILL,
        "OTHER",
        BELLTOWN,
        DOWNTOWN,
    ]
    assert frame["source_category"].tolist()[-1] == "NUISANCE, MISCHIEF"
    assert frame["indicator"].tolist() == ["disturbance_calls"] * 7
    assert set(frame["event_datetime"]) == {pd.Timestamp("2016-03-25 23:53:42")}
    points = frame.set_index("record_id")[["latitude", "longitude"]]
    assert points.loc["1701841"].tolist() == [47.62108, -122.32041]
    assert points.loc[["1700006", "1700007"]].isna().all().all()


def test_quirks_rejections_name_row_header_value_and_reason(quirks: SourceResult) -> None:
    date_reason = dates.REASON
    assert sorted(quirks.rejections, key=lambda r: r.row_number) == [
        Rejection(
            FILE_NAME, 9, "CAD CDW ID", "1701846", "duplicate CAD CDW ID (first occurrence kept)"
        ),
        Rejection(FILE_NAME, 10, "Event Clearance Date", "", "blank"),
        Rejection(FILE_NAME, 11, "Event Clearance Date", "03/25/2016 23:53:42 PM", date_reason),
        Rejection(FILE_NAME, 12, "Event Clearance Group", "NULL", "blank"),
        Rejection(FILE_NAME, 13, "CAD CDW ID", "1.70E+06", "not a CAD CDW ID (expected digits)"),
        Rejection(FILE_NAME, 14, "Event Clearance Date", "01/01/2025 12:00:01 AM", "in the future"),
    ]


@pytest.mark.parametrize(
    ("tract", "beat", "area"),
    [
        ("8001.2007", "D1", BELLTOWN),
        ("8002.1000", "M1", BELLTOWN),
        ("8002", "D2", BELLTOWN),
        ("8002.2", "M2", BELLTOWN),  # the API may drop trailing zeros; the tract is unchanged
        ("8100.2000", "M2", DOWNTOWN),
        ("8200.1001", "K2", DOWNTOWN),
        ("7500.3014", "E1", CAPITOL_HILL),
        ("", " e2 ", CAPITOL_HILL),
        ("80010.1000", "D1", "OTHER"),
        ("800.1", "D1", "OTHER"),
        ("8003.1000", "E3", "OTHER"),
        ("", "", "OTHER"),
    ],
)
def test_derive_area(tract: str, beat: str, area: str) -> None:
    derived = spd_911.derive_area(pd.Series([tract]), pd.Series([beat]))
    assert derived.tolist() == [area]


def test_area_definitions_are_constants() -> None:
    assert spd_911.BELLTOWN_TRACTS == ("8001", "8002")
    assert spd_911.BEAT_AREAS == {
        CAPITOL_HILL: ("E1", "E2"),
        DOWNTOWN: ("M2", "M3", "K1", "K2"),
    }
    assert spd_911.OTHER_AREA == "OTHER"


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("(47.611347, -122.3411)", (47.611347, -122.3411)),
        (" (47.6,-122.3) ", (47.6, -122.3)),
        ("POINT (-122.3411 47.611347)", (47.611347, -122.3411)),
        # SODA JSON location objects, as the live reader keeps them (compact JSON text)
        ('{"latitude":"47.611347","longitude":"-122.3411"}', (47.611347, -122.3411)),
        (
            '{"human_address":"{}","latitude":"47.6","longitude":"-122.3","needs_recoding":false}',
            (47.6, -122.3),
        ),
        ('{"coordinates":[-122.3411,47.611347],"type":"Point"}', (47.611347, -122.3411)),
    ],
)
def test_parse_incident_location(text: str, point: tuple[float, float]) -> None:
    parsed = spd_911.parse_incident_location(pd.Series([text]))
    assert (parsed.loc[0, "latitude"], parsed.loc[0, "longitude"]) == point


@pytest.mark.parametrize("text", ["", "REDACTED", "(47.6)", "47.6, -122.3"])
def test_unreadable_incident_location_is_missing(text: str) -> None:
    parsed = spd_911.parse_incident_location(pd.Series([text]))
    assert parsed.isna().all().all()


def test_api_layout_with_iso_dates(tmp_path: Path) -> None:
    header = ",".join(spd_911.RENAME_API)
    row = call_row(cleared="2016-03-25T23:53:42.000", tract="8002.1", location="")
    result = run_bytes(tmp_path, csv_bytes(row, header=header))
    assert result.rejections == []
    record = result.frame.iloc[0]
    assert record["event_datetime"] == pd.Timestamp("2016-03-25 23:53:42")
    assert record["area"] == BELLTOWN
    assert (record["latitude"], record["longitude"]) == (47.611347, -122.3411)


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    kept = [
        "CAD CDW ID",
        "Event Clearance Group",
        "Event Clearance Date",
        "Zone/Beat",
        "Census Tract",
    ]
    content = csv_bytes("1,DISTURBANCES,03/25/2016 11:53:42 PM,E1,7500.3014", header=",".join(kept))
    result = run_bytes(tmp_path, content)
    assert result.frame["area"].tolist() == [CAPITOL_HILL]
    assert result.frame[["latitude", "longitude"]].isna().all().all()


@pytest.mark.parametrize(
    "column",
    ["CAD CDW ID", "Event Clearance Group", "Event Clearance Date", "Zone/Beat", "Census Tract"],
)
def test_missing_required_column_fails_naming_it(tmp_path: Path, column: str) -> None:
    header = ",".join(c for c in HEADER.split(",") if c != column)
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, (header + "\n").encode())
    assert str(caught.value).startswith(f"{FILE_NAME}: required column(s) missing: {column} ")


def test_unexpected_column_fails_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(call_row() + ",x", header=HEADER + ",Shoe Size")
    with pytest.raises(SourceError, match=r"^calls\.csv: unexpected column\(s\) 'Shoe Size' "):
        run_bytes(tmp_path, content)


def test_unmapped_category_fails_the_run_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(call_row(), call_row(cdw_id="2", group="UFO SIGHTINGS"))
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, content)
    message = str(caught.value)
    assert message.startswith("calls.csv: source spd_911_incident_response: 1 category not in ")
    assert "'UFO SIGHTINGS' (1 row)" in message


def test_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    result = run_bytes(tmp_path, csv_bytes())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (0, 0, 0)
    assert list(result.frame.columns) == OUTPUT_COLUMNS
    assert result.watermark is None
