"""Unit tests of the SPD "Crime Data" (pre-NIBRS) source: the two bundled real extracts and
tiny CSVs in the same export format, one per quirk listed in
``etl/sample_data/seattle/SOURCES.md`` (unpadded HHMM times, 9-14 digit report numbers, ...).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.settings import SAMPLE_DATA_DIR
from etl.sources import dates, spd_legacy
from etl.sources.categories import load_category_map
from etl.sources.common import Rejection, SourceError, SourceResult

SAMPLES = Path(__file__).resolve().parents[2] / "etl" / "sample_data" / "seattle"
BELLTOWN = SAMPLES / "spd_crime_data_legacy_property_belltown_2018-2019.csv"
COMPARISON = SAMPLES / "spd_crime_data_legacy_property_capitolhill_downtowncommercial_2018-2019.csv"
HEADER = (
    "Report Number,Occurred Date,Occurred Time,Reported Date,Reported Time,Crime Subcategory,"
    "Primary Offense Description,Precinct,Sector,Beat,Neighborhood"
)
NOW = datetime(2025, 1, 1)
FILE_NAME = "legacy.csv"
OUTPUT_COLUMNS = [
    "record_id",
    "event_datetime",
    "area",
    "source_category",
    "indicator",
    "latitude",
    "longitude",
]
EVENT = "Reported Date + Reported Time"


def legacy_row(
    number: str = "20180000179078",
    occurred_date: str = "05/18/2018",
    occurred_time: str = "1454",
    reported_date: str = "05/19/2018",
    reported_time: str = "40",
    subcategory: str = "BURGLARY-RESIDENTIAL-SECURE PARKING",
    neighborhood: str = "BELLTOWN",
    description: str = "BURGLARY-SECURE PARKING-RES",
) -> str:
    """One line in the portal CSV layout; the defaults are a real Belltown row."""
    fields = [
        number,
        occurred_date,
        occurred_time,
        reported_date,
        reported_time,
        subcategory,
        description,
        "WEST",
        "D",
        "D1",
        neighborhood,
    ]
    return ",".join(fields)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n" + "".join(row + "\n" for row in rows)).encode("utf-8")


def run_bytes(tmp_path: Path, content: bytes, now: datetime = NOW) -> SourceResult:
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    return spd_legacy.run(str(path), timeout_seconds=5, now=now)


# --- the real extracts -------------------------------------------------------------------


@pytest.fixture(scope="module")
def belltown() -> SourceResult:
    return spd_legacy.run(str(BELLTOWN), timeout_seconds=5, now=NOW)


@pytest.fixture(scope="module")
def comparison() -> SourceResult:
    return spd_legacy.run(str(COMPARISON), timeout_seconds=5, now=NOW)


def test_real_belltown_extract(belltown: SourceResult) -> None:
    assert (belltown.rows_read, belltown.rows_accepted, belltown.rows_rejected) == (599, 599, 0)
    frame = belltown.frame
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert str(frame["event_datetime"].dtype) == "datetime64[ns]"
    assert frame["latitude"].dtype == "float64" and frame["latitude"].isna().all()
    assert frame["longitude"].isna().all()
    assert set(frame["area"]) == {"BELLTOWN"}
    assert frame["indicator"].value_counts().to_dict() == {
        "larceny_theft": 315,
        "burglary": 217,
        "robbery": 35,
        "motor_vehicle_theft": 29,
        "arson": 3,
    }
    first = frame.iloc[0]
    assert first["record_id"] == "20180000900003"
    assert first["event_datetime"] == pd.Timestamp("2018-01-01 10:41")
    assert first["source_category"] == "THEFT-BUILDING"
    assert first["indicator"] == "larceny_theft"
    assert belltown.watermark == datetime(2019, 5, 7, 9, 46)
    assert belltown.info.source_id == "spd_crime_legacy"


def test_real_belltown_unpadded_times_and_short_report_numbers(belltown: SourceResult) -> None:
    by_id = belltown.frame.set_index("record_id")["event_datetime"]
    assert by_id["20180000179078"] == pd.Timestamp("2018-05-19 00:40")  # Reported Time 40
    assert by_id["20180000208458"] == pd.Timestamp("2018-06-09 00:13")  # 13
    assert by_id["20180000909129"] == pd.Timestamp("2018-10-01 00:02")  # 2
    assert by_id["20180000391"] == pd.Timestamp("2018-01-01 08:49")  # 11 digits, 849
    lengths = belltown.frame["record_id"].str.len().value_counts().to_dict()
    assert lengths == {14: 428, 13: 151, 12: 17, 11: 3}


def test_real_comparison_extract(comparison: SourceResult) -> None:
    assert (comparison.rows_read, comparison.rows_accepted, comparison.rows_rejected) == (
        5435,
        5435,
        0,
    )
    frame = comparison.frame
    assert frame["area"].value_counts().to_dict() == {
        "DOWNTOWN COMMERCIAL": 3317,
        "CAPITOL HILL": 2118,
    }
    assert frame["indicator"].value_counts().to_dict() == {
        "larceny_theft": 3638,
        "burglary": 1000,
        "robbery": 517,
        "motor_vehicle_theft": 264,
        "arson": 16,
    }
    by_id = frame.set_index("record_id")
    assert by_id.loc["2018000026803", "event_datetime"] == pd.Timestamp("2018-01-22 16:26")
    assert by_id.loc["2018000026803", "source_category"] == "ROBBERY-STREET"
    assert by_id.loc["20180000907520", "event_datetime"] == pd.Timestamp("2018-08-17 00:00")
    assert comparison.watermark == datetime(2019, 5, 6, 21, 0)


# --- one quirk each ------------------------------------------------------------------------

QUIRKS_ROWS = [
    # 2: the real row: Reported Time 40 -> 00:40.
    legacy_row(),
    # 3: Reported Time 0 -> midnight; a 9-digit report number.
    legacy_row(number="201800001", reported_time="0", subcategory="THEFT-SHOPLIFT"),
    # 4: UNKNOWN neighbourhood (kept); Occurred years before Reported.
    legacy_row(
        number="2018000000004",
        occurred_date="01/01/2012",
        reported_time="2351",
        neighborhood="UNKNOWN",
    ),
    # 5: empty Crime Subcategory, with a Primary Offense Description the map does not list.
    legacy_row(number="2018000000005", subcategory="", description="PROPERTY FOUND"),
    # 6: repeats the Report Number of line 2.
    legacy_row(reported_time="41"),
    # 7: report number mangled by a spreadsheet.
    legacy_row(number="2.018E+11"),
    # 8: Reported Time not a time of day.
    legacy_row(number="2018000000008", reported_time="2400"),
    # 9: reported after `now`.
    legacy_row(number="2018000000009", reported_date="01/02/2025"),
    # 10: blank Reported Time.
    legacy_row(number="2018000000010", reported_time=""),
    # 11: reported before the dataset starts.
    legacy_row(number="2018000000011", reported_date="12/31/2007", reported_time="2359"),
    # 12: a date that does not exist.
    legacy_row(number="2018000000012", reported_date="02/30/2018"),
    # 13: 1 -> 00:01, lower-case neighbourhood and category are upper-cased.
    legacy_row(
        number="20180000000013",
        reported_time=" 1 ",
        subcategory="car prowl",
        neighborhood=" capitol hill ",
    ),
]
QUIRKS = csv_bytes(*QUIRKS_ROWS)


@pytest.fixture
def quirks(tmp_path: Path) -> SourceResult:
    return run_bytes(tmp_path, QUIRKS)


def test_quirks_row_accounting(quirks: SourceResult) -> None:
    assert (quirks.rows_read, quirks.rows_accepted, quirks.rows_rejected) == (12, 4, 8)


def test_quirks_accepted_rows_exactly(quirks: SourceResult) -> None:
    frame = quirks.frame
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert frame["record_id"].tolist() == [
        "20180000179078",
        "201800001",
        "2018000000004",
        "20180000000013",
    ]
    assert frame["event_datetime"].tolist() == [
        pd.Timestamp("2018-05-19 00:40"),
        pd.Timestamp("2018-05-19 00:00"),
        pd.Timestamp("2018-05-19 23:51"),
        pd.Timestamp("2018-05-19 00:01"),
    ]
    assert frame["area"].tolist() == ["BELLTOWN", "BELLTOWN", "UNKNOWN", "CAPITOL HILL"]
    assert frame["source_category"].tolist() == [
        "BURGLARY-RESIDENTIAL-SECURE PARKING",
        "THEFT-SHOPLIFT",
        "BURGLARY-RESIDENTIAL-SECURE PARKING",
        "CAR PROWL",
    ]
    assert frame["indicator"].tolist() == ["burglary", "larceny_theft", "burglary", "larceny_theft"]
    assert frame[["latitude", "longitude"]].isna().all().all()


def test_quirks_rejections_name_row_header_value_and_reason(quirks: SourceResult) -> None:
    assert sorted(quirks.rejections, key=lambda r: r.row_number) == [
        Rejection(FILE_NAME, 5, "Crime Subcategory", "", spd_legacy.BLANK_UNMAPPED_REASON),
        Rejection(
            FILE_NAME,
            6,
            "Report Number",
            "20180000179078",
            "duplicate Report Number (first occurrence kept)",
        ),
        Rejection(
            FILE_NAME,
            7,
            "Report Number",
            "2.018E+11",
            "not a report number (expected 9 to 14 digits)",
        ),
        Rejection(
            FILE_NAME, 8, "Reported Time", "2400", "not a time (expected HHMM from 0 to 2359)"
        ),
        Rejection(FILE_NAME, 9, EVENT, "01/02/2025 40", "in the future"),
        Rejection(FILE_NAME, 10, "Reported Time", "", "blank"),
        Rejection(
            FILE_NAME, 11, EVENT, "12/31/2007 2359", "before the dataset starts (2008-01-01)"
        ),
        Rejection(FILE_NAME, 12, "Reported Date", "02/30/2018", dates.REASON),
    ]


def test_provenance_and_watermark(quirks: SourceResult) -> None:
    assert quirks.info.title.startswith('SPD "Crime Data"')
    assert not quirks.info.is_synthetic
    assert quirks.watermark == datetime(2018, 5, 19, 23, 51)


def test_api_layout_with_iso_dates(tmp_path: Path) -> None:
    header = ",".join(spd_legacy.RENAME_API)
    row = (
        "20180000179078,2018-05-18T00:00:00.000,1454,2018-05-19T00:00:00.000,40,"
        "BURGLARY-RESIDENTIAL-SECURE PARKING,BURGLARY-SECURE PARKING-RES,WEST,D,D1,BELLTOWN"
    )
    result = run_bytes(tmp_path, csv_bytes(row, header=header))
    assert result.rejections == []
    record = result.frame.iloc[0]
    assert record["event_datetime"] == pd.Timestamp("2018-05-19 00:40")
    assert record["indicator"] == "burglary"


def test_byte_order_mark_makes_no_difference(tmp_path: Path) -> None:
    result = run_bytes(tmp_path, b"\xef\xbb\xbf" + csv_bytes(legacy_row()))
    assert result.rows_accepted == 1


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    kept = ["Report Number", "Reported Date", "Reported Time", "Crime Subcategory", "Neighborhood"]
    row = dict(zip(HEADER.split(","), legacy_row().split(","), strict=True))
    content = csv_bytes(",".join(row[c] for c in kept), header=",".join(kept))
    result = run_bytes(tmp_path, content)
    assert result.frame["event_datetime"].tolist() == [pd.Timestamp("2018-05-19 00:40")]


@pytest.mark.parametrize(
    "column",
    ["Report Number", "Reported Date", "Reported Time", "Crime Subcategory", "Neighborhood"],
)
def test_missing_required_column_fails_naming_it(tmp_path: Path, column: str) -> None:
    header = ",".join(c for c in HEADER.split(",") if c != column)
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, (header + "\n").encode())
    assert str(caught.value).startswith(f"{FILE_NAME}: required column(s) missing: {column} ")


def test_unexpected_column_fails_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(legacy_row() + ",x", header=HEADER + ",Shoe Size")
    with pytest.raises(SourceError, match=r"^legacy\.csv: unexpected column\(s\) 'Shoe Size' "):
        run_bytes(tmp_path, content)


def test_unmapped_category_fails_the_run_naming_it(tmp_path: Path) -> None:
    content = csv_bytes(legacy_row(), legacy_row(number="201800002", subcategory="SPACE PIRACY"))
    with pytest.raises(SourceError) as caught:
        run_bytes(tmp_path, content)
    message = str(caught.value)
    assert message.startswith("legacy.csv: source spd_crime_legacy: 1 category not in ")
    assert "'SPACE PIRACY' (1 row)" in message


def test_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    result = run_bytes(tmp_path, csv_bytes())
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (0, 0, 0)
    assert list(result.frame.columns) == OUTPUT_COLUMNS
    assert result.watermark is None


# --- HHMM times ----------------------------------------------------------------------------


@given(st.integers(0, 23), st.integers(0, 59))
def test_hhmm_round_trip(hours: int, minutes: int) -> None:
    unpadded = str(hours * 100 + minutes)
    padded = f"{hours:02d}{minutes:02d}"
    parsed = spd_legacy.parse_hhmm(pd.Series([unpadded, padded]))
    expected = pd.Timedelta(hours=hours, minutes=minutes)
    assert parsed.tolist() == [expected, expected]


@given(st.integers(0, 9999).filter(lambda n: n // 100 > 23 or n % 100 > 59))
def test_hhmm_out_of_range_is_missing(number: int) -> None:
    assert pd.isna(spd_legacy.parse_hhmm(pd.Series([str(number)]))[0])


@pytest.mark.parametrize("text", ["", " ", "-5", "12.5", "10000", "12:30", "NOON", "1e3"])
def test_hhmm_garbage_is_missing(text: str) -> None:
    parsed = spd_legacy.parse_hhmm(pd.Series([text]))
    assert str(parsed.dtype) == "timedelta64[ns]"
    assert pd.isna(parsed[0])


def test_dates_are_read_at_midnight() -> None:
    parsed = spd_legacy.parse_date(
        pd.Series(["01/02/2018", "2018-01-02T00:00:00.000", "2018-01-02", "2018/01/02"])
    )
    assert parsed[:3].tolist() == [pd.Timestamp("2018-01-02")] * 3
    assert pd.isna(parsed[3])


# --- a blank Crime Subcategory, read from Primary Offense Description ----------------------

REAL_FILES = sorted((SAMPLE_DATA_DIR / "seattle").glob("spd_crime_data_legacy_*.csv"))


def _real_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in REAL_FILES:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_the_description_map_agrees_with_the_subcategory_map_on_every_real_row() -> None:
    """On the 6,034 real rows of the bundled extracts, each Primary Offense Description is
    listed and gives the indicator its Crime Subcategory gives: reading a blank
    subcategory from the description cannot move a row to another category."""
    table = load_category_map()

    def lookup(source_id: str) -> dict[str, str]:
        rows = table[table["source_id"] == source_id]
        return dict(zip(rows["source_category"], rows["indicator"], strict=True))

    by_subcategory = lookup("spd_crime_legacy")
    by_description = lookup(spd_legacy.DESCRIPTION_SOURCE)
    rows = _real_rows()
    assert len(rows) == 6034
    pairs = {(r["Crime Subcategory"], r["Primary Offense Description"]) for r in rows}
    assert {(by_subcategory[s], by_description[d]) for s, d in pairs} == {
        (indicator, indicator) for indicator in {by_subcategory[s] for s, _ in pairs}
    }


def test_real_rows_with_a_blank_subcategory_are_kept_under_their_description(
    tmp_path: Path,
) -> None:
    """Real rows (the 2008-09 copy, which has 183 blank subcategories, is not bundled, so
    the bundled 2018-19 rows stand in, with the subcategory cell emptied as it is there):
    every row is kept, in the category its description names."""
    with REAL_FILES[0].open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        originals = [
            row
            for row in reader
            if row["Primary Offense Description"].startswith(("ROBBERY-", "BURGLARY-"))
        ]
    blanked = [{**row, "Crime Subcategory": ""} for row in originals]
    result = run_bytes(tmp_path, _as_csv(header, blanked), now=datetime(2026, 1, 1))

    expected = run_bytes(tmp_path, _as_csv(header, originals), now=datetime(2026, 1, 1))
    assert result.rows_rejected == 0
    assert result.rows_accepted == len(originals) == 252
    assert result.frame["indicator"].value_counts().to_dict() == {"burglary": 217, "robbery": 35}
    assert result.frame["indicator"].tolist() == expected.frame["indicator"].tolist()
    assert set(result.frame["source_category"]) == {
        row["Primary Offense Description"] for row in originals
    }


def _as_csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
