"""Unit tests of the SPD Crime Data (NIBRS) source: tiny CSVs in the real export format.

Row shapes are copied from ``etl/sample_data/seattle/spd_crime_nibrs_*.csv``; the quirks
(BOM, ``0,0`` coordinates, 12-hour datetimes, pre-2008 offense starts, ...) are the ones
listed in ``etl/sample_data/seattle/SOURCES.md``.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.sources import dates, spd_nibrs
from etl.sources.common import Rejection, SourceError, SourceResult

HEADER = (
    "Report Number,Offense ID,Offense Start DateTime,Offense End DateTime,Report DateTime,"
    "Group A B,Crime Against Category,Offense Parent Group,Offense,Offense Code,Precinct,"
    "Sector,Beat,MCPP,100 Block Address,Longitude,Latitude"
)
BOM = b"\xef\xbb\xbf"
NOW = datetime(2025, 1, 1)
FILE_NAME = "nibrs.csv"
NORMALISED_COLUMNS = {
    "report_number",
    "offense_id",
    "offense_start_datetime",
    "report_datetime",
    "offense_parent_group",
    "offense",
    "beat",
    "area",
    "latitude",
    "longitude",
}
DATE_REASON = dates.REASON


def nibrs_row(
    report_number: str = "2020-020535",
    offense_id: str = "12171717608",
    start: str = "01/17/2020 08:28:00 PM",
    end: str = "",
    report: str = "01/17/2020 09:12:07 PM",
    group: str = "ROBBERY",
    area: str = "BELLTOWN",
    address: str = "25XX BLOCK OF 2ND AVE",
    longitude: str = "-122.348355068",
    latitude: str = "47.61563755",
    beat: str = "D1",
) -> str:
    """One line in the old portal CSV layout; the defaults are a real Belltown row."""
    fields = [
        report_number,
        offense_id,
        start,
        end,
        report,
        "A",
        "PROPERTY",
        group,
        "Robbery",
        "120",
        "W",
        "D",
        beat,
        area,
        address,
        longitude,
        latitude,
    ]
    return ",".join(fields)


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = True) -> bytes:
    text = header + "\n" + "".join(row + "\n" for row in rows)
    return (BOM if bom else b"") + text.encode("utf-8")


def write(tmp_path: Path, content: bytes, name: str = FILE_NAME) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def run_bytes(tmp_path: Path, content: bytes, now: datetime = NOW) -> SourceResult:
    return spd_nibrs.run(write(tmp_path, content), timeout_seconds=5, now=now)


# One file holding every quirk. Line numbers count the header as line 1.
QUIRKS_ROWS = [
    # 2: a real row, unchanged.
    nibrs_row(),
    # 3: missing coordinates coded 0,0 with a blank address; start at 12:05 AM.
    nibrs_row(
        report_number="2018-090219",
        offense_id="7694580385",
        start="03/13/2018 12:05:00 AM",
        report="03/13/2018 10:26:00 AM",
        address="",
        longitude="0",
        latitude="0",
    ),
    # 4: offence start years before the dataset window; the report date is in 2010.
    nibrs_row(
        report_number="2010-004196",
        offense_id="7647830276",
        start="01/01/2001 01:00:00 AM",
        report="01/04/2010 09:26:00 PM",
        address="1ST AVE / BLANCHARD ST",
        longitude="-122.345213266",
        latitude="47.61260646",
    ),
    # 5: blank offence start.
    nibrs_row(
        report_number="2019-398452",
        offense_id="11394955016",
        start="",
        report="10/25/2019 10:04:08 PM",
        area="DOWNTOWN COMMERCIAL",
        address="14XX BLOCK OF 3RD AVE",
        longitude="-122.33733875",
        latitude="47.60925299",
        beat="M3",
    ),
    # 6: reported one second before the dataset starts.
    nibrs_row(offense_id="1000000006", report="12/31/2007 11:59:59 PM"),
    # 7: reported after `now`.
    nibrs_row(offense_id="1000000007", report="01/02/2025 12:00:00 AM"),
    # 8: report date that is not a date.
    nibrs_row(offense_id="1000000008", report="13/45/2020 01:00:00 PM"),
    # 9: offence parent group SPD does not publish.
    nibrs_row(offense_id="1000000009", group="SPACE PIRACY"),
    # 10: one field too many.
    nibrs_row(offense_id="1000000010") + ",EXTRA",
    # 11: invalid UTF-8 in the address (the byte is patched in below).
    nibrs_row(offense_id="1000000011", address="1XX BLOCK OF @BADBYTE@ ST"),
    # 12: repeats the Offense ID of line 2.
    nibrs_row(report_number="2020-999999", report="01/18/2020 09:12:07 PM"),
    # 13: reported exactly when the dataset starts (kept).
    nibrs_row(
        report_number="2008-000001", offense_id="1000000013", report="01/01/2008 12:00:00 AM"
    ),
    # 14: reported exactly at `now`, at 12:00 AM (kept).
    nibrs_row(
        report_number="2024-999999", offense_id="1000000014", report="01/01/2025 12:00:00 AM"
    ),
]
QUIRKS = csv_bytes(*QUIRKS_ROWS).replace(b"@BADBYTE@", b"\xff")


@pytest.fixture
def quirks(tmp_path: Path) -> SourceResult:
    return run_bytes(tmp_path, QUIRKS)


def test_row_accounting(quirks: SourceResult) -> None:
    assert quirks.rows_read == 13
    assert quirks.rows_accepted == 6
    assert quirks.rows_rejected == 7
    assert quirks.rows_read == quirks.rows_accepted + quirks.rows_rejected


def test_accepted_rows_keep_exact_strings(quirks: SourceResult) -> None:
    frame = quirks.frame
    assert set(frame.columns) == NORMALISED_COLUMNS
    assert frame["report_number"].tolist() == [
        "2020-020535",
        "2018-090219",
        "2010-004196",
        "2019-398452",
        "2008-000001",
        "2024-999999",
    ]
    assert frame["offense_id"].tolist() == [
        "12171717608",
        "7694580385",
        "7647830276",
        "11394955016",
        "1000000013",
        "1000000014",
    ]
    assert frame["area"].tolist() == ["BELLTOWN"] * 3 + ["DOWNTOWN COMMERCIAL"] + ["BELLTOWN"] * 2
    assert frame["beat"].tolist() == ["D1", "D1", "D1", "M3", "D1", "D1"]
    assert frame["offense_parent_group"].tolist() == ["ROBBERY"] * 6
    assert frame["offense"].tolist() == ["Robbery"] * 6
    assert list(frame.index) == [0, 1, 2, 3, 4, 5]


def test_twelve_hour_datetimes_parse_exactly(quirks: SourceResult) -> None:
    frame = quirks.frame
    assert str(frame["report_datetime"].dtype) == "datetime64[ns]"
    assert str(frame["offense_start_datetime"].dtype) == "datetime64[ns]"
    assert frame["report_datetime"].tolist() == [
        pd.Timestamp("2020-01-17 21:12:07"),
        pd.Timestamp("2018-03-13 10:26:00"),
        pd.Timestamp("2010-01-04 21:26:00"),
        pd.Timestamp("2019-10-25 22:04:08"),
        pd.Timestamp("2008-01-01 00:00:00"),
        pd.Timestamp("2025-01-01 00:00:00"),
    ]
    starts = frame["offense_start_datetime"]
    assert starts[0] == pd.Timestamp("2020-01-17 20:28:00")
    assert starts[1] == pd.Timestamp("2018-03-13 00:05:00")


def test_pre_2008_and_blank_offence_starts_are_kept(quirks: SourceResult) -> None:
    starts = quirks.frame.set_index("offense_id")["offense_start_datetime"]
    assert starts["7647830276"] == pd.Timestamp("2001-01-01 01:00:00")
    assert pd.isna(starts["11394955016"])


def test_zero_coordinates_become_missing_and_valid_ones_stay_floats(
    quirks: SourceResult,
) -> None:
    frame = quirks.frame.set_index("offense_id")
    assert frame["latitude"].dtype == "float64"
    assert frame["longitude"].dtype == "float64"
    assert frame.loc["12171717608", "longitude"] == -122.348355068
    assert frame.loc["12171717608", "latitude"] == 47.61563755
    assert frame.loc["11394955016", "longitude"] == -122.33733875
    assert frame.loc["11394955016", "latitude"] == 47.60925299
    missing = frame.loc[["7694580385"], ["longitude", "latitude"]]
    assert missing.isna().to_numpy().tolist() == [[True, True]]


def test_each_rejection_names_row_column_value_and_reason(quirks: SourceResult) -> None:
    by_row = {r.row_number: r for r in quirks.rejections}
    assert sorted(by_row) == [6, 7, 8, 9, 10, 11, 12]
    assert len(quirks.rejections) == 7
    assert {r.file for r in quirks.rejections} == {FILE_NAME}

    assert by_row[6].column == "Report DateTime"
    assert pd.Timestamp(by_row[6].value) == pd.Timestamp("2007-12-31 23:59:59")
    assert by_row[6].reason == "before the dataset starts (2008-01-01)"

    assert by_row[7].column == "Report DateTime"
    assert pd.Timestamp(by_row[7].value) == pd.Timestamp("2025-01-02 00:00:00")
    assert by_row[7].reason == "in the future"

    assert by_row[8] == Rejection(
        FILE_NAME, 8, "Report DateTime", "13/45/2020 01:00:00 PM", DATE_REASON
    )
    assert by_row[9] == Rejection(
        FILE_NAME, 9, "Offense Parent Group", "SPACE PIRACY", "unknown offense parent group"
    )
    assert by_row[10] == Rejection(
        FILE_NAME,
        10,
        "(whole row)",
        nibrs_row(offense_id="1000000010") + ",EXTRA",
        "expected 17 fields, found 18",
    )
    assert by_row[11] == Rejection(
        FILE_NAME, 11, "100 Block Address", "1XX BLOCK OF \ufffd ST", "not valid UTF-8"
    )
    assert by_row[12] == Rejection(
        FILE_NAME, 12, "Offense ID", "12171717608", "duplicate Offense ID (first occurrence kept)"
    )


def test_duplicate_offense_id_keeps_the_first_row(quirks: SourceResult) -> None:
    kept = quirks.frame[quirks.frame["offense_id"] == "12171717608"]
    assert kept["report_number"].tolist() == ["2020-020535"]
    assert kept["report_datetime"].tolist() == [pd.Timestamp("2020-01-17 21:12:07")]


def test_provenance_and_watermark(quirks: SourceResult, tmp_path: Path) -> None:
    assert quirks.info.source_id == "spd_crime_nibrs"
    assert quirks.location == str(tmp_path / FILE_NAME)
    assert quirks.sha256 == hashlib.sha256(QUIRKS).hexdigest()
    assert quirks.watermark == datetime(2025, 1, 1, 0, 0, 0)


def test_byte_order_mark_makes_no_difference(tmp_path: Path) -> None:
    with_bom = run_bytes(tmp_path, QUIRKS)
    without = spd_nibrs.run(
        write(tmp_path, QUIRKS.removeprefix(BOM), "no_bom.csv"), timeout_seconds=5, now=NOW
    )
    assert QUIRKS.startswith(BOM)
    pd.testing.assert_frame_equal(with_bom.frame, without.frame)
    assert [r.row_number for r in without.rejections] == [r.row_number for r in with_bom.rejections]


def test_future_depends_on_now(tmp_path: Path) -> None:
    content = csv_bytes(nibrs_row(report="06/15/2020 03:00:00 PM"))
    before = run_bytes(tmp_path, content, now=datetime(2020, 6, 15, 14, 59, 59))
    after = run_bytes(tmp_path, content, now=datetime(2020, 6, 15, 15, 0, 0))
    assert (before.rows_accepted, before.rows_rejected) == (0, 1)
    assert before.rejections[0].reason == "in the future"
    assert before.rejections[0].row_number == 2
    assert before.watermark is None
    assert (after.rows_accepted, after.rows_rejected) == (1, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/17/2020 08:28:00 PM", "2020-01-17 20:28:00"),
        ("01/17/2020 08:28:00 AM", "2020-01-17 08:28:00"),
        ("03/13/2018 12:05:00 AM", "2018-03-13 00:05:00"),
        ("03/13/2018 12:05:00 PM", "2018-03-13 12:05:00"),
        ("12/31/2019 11:59:59 PM", "2019-12-31 23:59:59"),
        (" 02/29/2020 01:02:03 AM ", "2020-02-29 01:02:03"),
        ("2020-01-17T20:28:00.000", "2020-01-17 20:28:00"),
        ("2020-01-17T20:28:00", "2020-01-17 20:28:00"),
    ],
)
def test_parse_datetime_formats(text: str, expected: str) -> None:
    parsed = spd_nibrs.parse_datetime(pd.Series([text]))
    assert parsed[0] == pd.Timestamp(expected)


def test_parse_datetime_blank_and_garbage_are_missing() -> None:
    parsed = spd_nibrs.parse_datetime(
        pd.Series(["", "   ", "02/30/2020 01:00:00 AM", "01/17/2020 20:28:00 PM", "yesterday"])
    )
    assert str(parsed.dtype) == "datetime64[ns]"
    assert parsed.isna().tolist() == [True] * 5


@pytest.mark.parametrize(
    ("longitude", "latitude"),
    [
        ("0", "0"),
        ("-1.0", "-1.0"),
        ("REDACTED", "REDACTED"),
        ("", ""),
        ("-122.348355068", "0"),  # one half missing: the point is missing
        ("0", "47.61563755"),
        ("-74.0060", "40.7128"),  # outside Seattle
        ("47.61563755", "-122.348355068"),  # swapped
    ],
)
def test_unusable_coordinates_become_missing(tmp_path: Path, longitude: str, latitude: str) -> None:
    result = run_bytes(tmp_path, csv_bytes(nibrs_row(longitude=longitude, latitude=latitude)))
    assert result.rows_accepted == 1
    point = result.frame[["longitude", "latitude"]]
    assert point.isna().to_numpy().tolist() == [[True, True]]


def test_area_and_group_are_upper_cased_and_trimmed(tmp_path: Path) -> None:
    content = csv_bytes(
        nibrs_row(offense_id="1", area=" belltown ", group="robbery"),
        nibrs_row(offense_id="2", area="UNKNOWN", group="Larceny-Theft"),
    )
    result = run_bytes(tmp_path, content)
    assert result.frame["area"].tolist() == ["BELLTOWN", "UNKNOWN"]
    assert result.frame["offense_parent_group"].tolist() == ["ROBBERY", "LARCENY-THEFT"]


def test_blank_required_values_are_rejected(tmp_path: Path) -> None:
    content = csv_bytes(
        nibrs_row(offense_id="1", report=""),
        nibrs_row(offense_id="2", area=""),
        nibrs_row(offense_id="3", start="31/01/2020 01:00:00 AM"),
        nibrs_row(offense_id="4"),
    )
    result = run_bytes(tmp_path, content)
    assert sorted(result.rejections, key=lambda r: r.row_number) == [
        Rejection(FILE_NAME, 2, "Report DateTime", "", "blank"),
        Rejection(FILE_NAME, 3, "MCPP", "", "blank"),
        Rejection(FILE_NAME, 4, "Offense Start DateTime", "31/01/2020 01:00:00 AM", DATE_REASON),
    ]
    assert result.frame["offense_id"].tolist() == ["4"]
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (4, 1, 3)


def test_row_with_two_problems_counts_once(tmp_path: Path) -> None:
    content = csv_bytes(
        nibrs_row(offense_id="1", report="01/02/2025 12:00:00 AM", group="NOT A GROUP"),
        nibrs_row(offense_id="2"),
    )
    result = run_bytes(tmp_path, content)
    assert sorted((r.row_number, r.column) for r in result.rejections) == [
        (2, "Offense Parent Group"),
        (2, "Report DateTime"),
    ]
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (2, 1, 1)


def test_duplicate_of_a_rejected_row_is_kept(tmp_path: Path) -> None:
    """Duplicates are looked for among valid rows only, so no valid offense is lost."""
    content = csv_bytes(
        nibrs_row(report_number="2020-000001", offense_id="7", group="NOT A GROUP"),
        nibrs_row(report_number="2020-000002", offense_id="7"),
        nibrs_row(report_number="2020-000003", offense_id="7"),
    )
    result = run_bytes(tmp_path, content)
    assert result.frame["report_number"].tolist() == ["2020-000002"]
    assert [(r.row_number, r.reason) for r in result.rejections] == [
        (2, "unknown offense parent group"),
        (4, "duplicate Offense ID (first occurrence kept)"),
    ]


@pytest.mark.parametrize(
    "column", ["Report Number", "Offense ID", "Report DateTime", "Offense Parent Group", "MCPP"]
)
def test_missing_required_column_fails_naming_file_and_column(tmp_path: Path, column: str) -> None:
    header = ",".join(c for c in HEADER.split(",") if c != column)
    path = write(tmp_path, (header + "\n").encode())
    with pytest.raises(SourceError) as caught:
        spd_nibrs.run(path, timeout_seconds=5, now=NOW)
    message = str(caught.value)
    assert message.startswith(f"{FILE_NAME}: required column(s) missing: {column} ")
    assert str(tmp_path) not in message


def test_unexpected_column_fails_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(nibrs_row() + ",x", header=HEADER + ",Shoe Size")
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, content)
    message = str(caught.value)
    assert message.startswith(f"{FILE_NAME}: unexpected column(s) 'Shoe Size' ")
    assert "schema may have changed" in message


@pytest.mark.parametrize("content", [b"", BOM, b"\n\n", BOM + b"  \r\n"])
def test_empty_file_fails(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(SourceError, match=r"^nibrs\.csv: the file is empty$"):
        run_bytes(tmp_path, content)


def test_missing_file_fails_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^absent\.csv: could not read file: "):
        spd_nibrs.run(str(tmp_path / "absent.csv"), timeout_seconds=5, now=NOW)


def test_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    result = run_bytes(tmp_path, csv_bytes())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (0, 0, 0)
    assert set(result.frame.columns) == NORMALISED_COLUMNS
    assert result.watermark is None


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    dropped = {"Offense Start DateTime", "Offense End DateTime", "Beat", "Longitude", "Latitude"}
    header = [c for c in HEADER.split(",") if c not in dropped]
    row = dict(zip(HEADER.split(","), nibrs_row().split(","), strict=True))
    content = csv_bytes(",".join(row[c] for c in header), header=",".join(header))
    result = run_bytes(tmp_path, content)
    assert result.rows_accepted == 1
    record = result.frame.iloc[0]
    assert record["beat"] == ""
    assert pd.isna(record["offense_start_datetime"])
    assert math.isnan(record["latitude"])
    assert math.isnan(record["longitude"])
    assert record["report_datetime"] == pd.Timestamp("2020-01-17 21:12:07")


# Values for our normalised names; each layout's header is taken from its rename map.
LAYOUT_VALUES = {
    "report_number": "2020-020535",
    "offense_id": "12171717608",
    "offense_parent_group": "ROBBERY",
    "offense": "Robbery",
    "area": "BELLTOWN",
    "beat": "D1",
    "block_address": "25XX BLOCK OF 2ND AVE",
    "longitude": "-122.348355068",
    "latitude": "47.61563755",
}
PORTAL_TIMES = {
    "report_datetime": "01/17/2020 09:12:07 PM",
    "offense_start_datetime": "01/17/2020 08:28:00 PM",
}
API_TIMES = {
    "report_datetime": "2020-01-17T21:12:07.000",
    "offense_start_datetime": "2020-01-17T20:28:00.000",
}


@pytest.mark.parametrize(
    ("layout", "times"),
    [
        ("old portal CSV", PORTAL_TIMES),
        ("old API", API_TIMES),
        ("new portal CSV", PORTAL_TIMES),
        ("new API", API_TIMES),
    ],
)
def test_every_known_layout_is_accepted(tmp_path: Path, layout: str, times: dict[str, str]) -> None:
    rename = spd_nibrs.SCHEMAS[layout]
    values = LAYOUT_VALUES | times
    header = ",".join(rename)
    row = ",".join(values.get(ours, "") for ours in rename.values())
    result = run_bytes(tmp_path, csv_bytes(row, header=header, bom=False))
    assert result.rejections == []
    assert result.rows_accepted == 1
    record = result.frame.iloc[0]
    assert record["report_number"] == "2020-020535"
    assert record["offense_id"] == "12171717608"
    assert record["report_datetime"] == pd.Timestamp("2020-01-17 21:12:07")
    assert record["offense_start_datetime"] == pd.Timestamp("2020-01-17 20:28:00")
    assert record["offense_parent_group"] == "ROBBERY"
    assert record["offense"] == "Robbery"
    assert record["area"] == "BELLTOWN"
    assert record["beat"] == "D1"
    assert record["longitude"] == -122.348355068
    assert record["latitude"] == 47.61563755


def test_new_layout_headers_listed_explicitly_are_accepted(tmp_path: Path) -> None:
    header = (
        "Report Number,Report DateTime,Offense ID,Offense Date,NIBRS Group AB,"
        "NIBRS Crime Against Category,Offense Sub Category,Shooting Type Group,Block Address,"
        "Latitude,Longitude,Beat,Precinct,Sector,Neighborhood,Reporting Area,Offense Category,"
        "NIBRS Offense Code Description,NIBRS_offense_code"
    )
    row = (
        "2020-020535,01/17/2020 09:12:07 PM,12171717608,01/17/2020 08:28:00 PM,A,PROPERTY,"
        "ROBBERY,,25XX BLOCK OF 2ND AVE,47.61563755,-122.348355068,D1,W,D,BELLTOWN,1234,"
        "ROBBERY,Robbery,120"
    )
    result = run_bytes(tmp_path, csv_bytes(row, header=header))
    assert result.rows_accepted == 1
    assert result.frame.loc[0, "area"] == "BELLTOWN"
    assert result.frame.loc[0, "report_datetime"] == pd.Timestamp("2020-01-17 21:12:07")


def test_missing_required_column_of_new_layout_names_its_own_header(tmp_path: Path) -> None:
    header = [c for c in spd_nibrs.RENAME_NEW_CSV if c != "Neighborhood"]
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, csv_bytes(header=",".join(header)))
    assert str(caught.value) == (
        f"{FILE_NAME}: required column(s) missing: Neighborhood "
        "(closest known layout: new portal CSV)"
    )


def test_rejection_in_new_layout_names_the_files_own_column(tmp_path: Path) -> None:
    rename = spd_nibrs.RENAME_NEW_CSV
    values = LAYOUT_VALUES | PORTAL_TIMES | {"offense_parent_group": "SPACE PIRACY"}
    row = ",".join(values.get(ours, "") for ours in rename.values())
    result = run_bytes(tmp_path, csv_bytes(row, header=",".join(rename)))
    assert [r.column for r in result.rejections] == ["Offense Sub Category"]


# --- property: every row read is either accepted or rejected --------------------------

ROW_KINDS = {
    "good": lambda i: nibrs_row(offense_id=f"9{i:04d}"),
    "future": lambda i: nibrs_row(offense_id=f"9{i:04d}", report="02/01/2025 12:00:00 AM"),
    "too_early": lambda i: nibrs_row(offense_id=f"9{i:04d}", report="01/01/2007 12:00:00 AM"),
    "bad_date": lambda i: nibrs_row(offense_id=f"9{i:04d}", report="not a date"),
    "bad_group": lambda i: nibrs_row(offense_id=f"9{i:04d}", group="NOPE"),
    "short_row": lambda i: "2020-1,1",
    "blank_area": lambda i: nibrs_row(offense_id=f"9{i:04d}", area=""),
    "repeat_id": lambda i: nibrs_row(offense_id="90000"),
}


@settings(max_examples=40, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(ROW_KINDS)), min_size=1, max_size=12))
def test_rows_read_equals_accepted_plus_rejected(kinds: list[str]) -> None:
    rows = [ROW_KINDS[kind](i + 1) for i, kind in enumerate(kinds)]
    with tempfile.TemporaryDirectory() as directory:
        result = run_bytes(Path(directory), csv_bytes(*rows))
    good = kinds.count("good") + min(kinds.count("repeat_id"), 1)
    assert result.rows_read == len(kinds)
    assert result.rows_accepted == good
    assert result.rows_rejected == len(kinds) - good
    assert result.frame["offense_id"].is_unique


def test_a_date_beyond_pandas_range_is_rejected_for_its_real_reason(tmp_path: Path) -> None:
    # Years such as 1500 and 2999 are outside pandas' nanosecond timestamps; they once
    # crashed the run (OutOfBoundsDatetime) instead of quarantining the row.
    content = csv_bytes(
        nibrs_row(offense_id="1", report="01/01/1500 01:00:00 PM"),
        nibrs_row(offense_id="2", report="01/01/2999 01:00:00 PM"),
        nibrs_row(offense_id="3", start="06/01/1400 01:00:00 PM"),
    )
    result = run_bytes(tmp_path, content, now=NOW)
    reasons = {r.row_number: (r.column, r.value, r.reason) for r in result.rejections}
    assert reasons == {
        2: ("Report DateTime", "01/01/1500 01:00:00 PM", "before the dataset starts (2008-01-01)"),
        3: ("Report DateTime", "01/01/2999 01:00:00 PM", "in the future"),
    }
    assert result.rows_accepted == 1  # a start date that early is kept (it is not used)
