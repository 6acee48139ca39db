"""Unit tests of the category map (``etl/sources/category_map.csv``) and its two functions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.sources import categories, spd_nibrs
from etl.sources.categories import CATEGORY_MAP_PATH, load_category_map, map_categories
from etl.sources.common import SourceError

CRIME_INDICATORS = {
    "aggravated_assault",
    "arson",
    "assault",
    "burglary",
    "drug_narcotic",
    "larceny_theft",
    "motor_vehicle_theft",
    "other_offenses",
    "prostitution",
    "robbery",
    "trespass",
    "vandalism",
}
CALL_INDICATORS = {
    "behavioral_health_calls",
    "disturbance_calls",
    "liquor_violation_calls",
    "narcotics_calls",
    "other_calls",
    "person_crime_calls",
    "property_crime_calls",
    "suspicious_circumstances_calls",
    "traffic_calls",
    "trespass_calls",
    "vice_calls",
}
REQUEST_INDICATORS = {
    "abandoned_vehicle",
    "graffiti",
    "illegal_dumping_needles",
    "other_requests",
    "unauthorized_encampment",
}
HEADER = "source_id,source_category,indicator,indicator_label\n"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_category_map()


def indicators_of(table: pd.DataFrame, source_id: str) -> dict[str, str]:
    rows = table[table["source_id"] == source_id]
    return dict(zip(rows["source_category"], rows["indicator"], strict=True))


def test_the_file_is_tidy_and_sorted(table: pd.DataFrame) -> None:
    assert list(table.columns) == ["source_id", "source_category", "indicator", "indicator_label"]
    keys = list(zip(table["source_id"], table["source_category"], strict=True))
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert (table != "").all().all()
    assert table.groupby("indicator")["indicator_label"].nunique().max() == 1
    text = CATEGORY_MAP_PATH.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.endswith("\n") and "\r" not in text


def test_counts_per_source(table: pd.DataFrame) -> None:
    assert table.groupby("source_id").size().to_dict() == {
        "seattle_csr": 20,
        "spd_911_incident_response": 43,
        "spd_crime_legacy": 30,
        "spd_crime_legacy_offense_description": 61,
        "spd_crime_nibrs": 35,
    }


def test_indicator_names_per_source(table: pd.DataFrame) -> None:
    by_source = table.groupby("source_id")["indicator"].agg(set).to_dict()
    assert by_source["spd_crime_nibrs"] == CRIME_INDICATORS - {"aggravated_assault"}
    assert by_source["spd_crime_legacy"] == CRIME_INDICATORS - {"assault", "vandalism"}
    assert by_source["spd_911_incident_response"] == CALL_INDICATORS
    assert by_source["seattle_csr"] == REQUEST_INDICATORS


def test_nibrs_parent_groups_are_exactly_the_modules_list(table: pd.DataFrame) -> None:
    assert set(indicators_of(table, "spd_crime_nibrs")) == spd_nibrs.OFFENSE_PARENT_GROUPS


@pytest.mark.parametrize(
    ("source_id", "category", "indicator"),
    [
        ("spd_crime_nibrs", "LARCENY-THEFT", "larceny_theft"),
        ("spd_crime_nibrs", "DRUG/NARCOTIC OFFENSES", "drug_narcotic"),
        ("spd_crime_nibrs", "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", "vandalism"),
        ("spd_crime_nibrs", "TRESPASS OF REAL PROPERTY", "trespass"),
        ("spd_crime_nibrs", "ALL OTHER", "other_offenses"),
        ("spd_crime_legacy", "CAR PROWL", "larceny_theft"),
        ("spd_crime_legacy", "THEFT-SHOPLIFT", "larceny_theft"),
        ("spd_crime_legacy", "BURGLARY-RESIDENTIAL-SECURE PARKING", "burglary"),
        ("spd_crime_legacy", "AGGRAVATED ASSAULT-DV", "aggravated_assault"),
        ("spd_crime_legacy", "NARCOTIC", "drug_narcotic"),
        ("spd_911_incident_response", "NUISANCE, MISCHIEF", "disturbance_calls"),
        ("spd_911_incident_response", "THREATS, HARASSMENT", "person_crime_calls"),
        ("spd_911_incident_response", "OTHER PROPERTY", "property_crime_calls"),
        ("spd_911_incident_response", "FALSE ALACAD", "other_calls"),
        ("seattle_csr", "Abandoned Vehicle", "abandoned_vehicle"),
        ("seattle_csr", "Abandoned Vehicle/72hr Parking Ordinance", "abandoned_vehicle"),
        ("seattle_csr", "Illegal Dumping / Needles", "illegal_dumping_needles"),
        ("seattle_csr", "Pothole", "other_requests"),
    ],
)
def test_selected_mappings(
    table: pd.DataFrame, source_id: str, category: str, indicator: str
) -> None:
    assert indicators_of(table, source_id)[category] == indicator


def test_offence_and_call_indicators_never_share_a_name(table: pd.DataFrame) -> None:
    calls = set(table.loc[table["source_id"] == "spd_911_incident_response", "indicator"])
    crimes = set(table.loc[table["source_id"].str.startswith("spd_crime"), "indicator"])
    assert not calls & crimes
    assert all(name.endswith("_calls") for name in calls)


def test_map_categories_keeps_the_index() -> None:
    frame = pd.DataFrame(
        {"source_category": ["ROBBERY-STREET", "CAR PROWL", "ARSON"]}, index=[7, 3, 9]
    )
    mapped = map_categories(frame, "spd_crime_legacy", "legacy.csv")
    assert mapped.to_dict() == {7: "robbery", 3: "larceny_theft", 9: "arson"}
    assert mapped.name == "indicator"


def test_map_categories_of_an_empty_frame_is_empty() -> None:
    frame = pd.DataFrame({"source_category": pd.Series([], dtype=str)})
    assert map_categories(frame, "seattle_csr", "csr.csv").empty


def test_unmapped_categories_fail_naming_file_source_and_each_category() -> None:
    frame = pd.DataFrame(
        {"source_category": ["ARSON", "SPACE PIRACY", "JAYWALKING", "SPACE PIRACY"]}
    )
    with pytest.raises(SourceError) as caught:
        map_categories(frame, "spd_crime_legacy", "legacy.csv")
    assert str(caught.value) == (
        "legacy.csv: source spd_crime_legacy: 2 categories not in category_map.csv: "
        "'JAYWALKING' (1 row); 'SPACE PIRACY' (2 rows). "
        "Add each with its indicator before the data can be published."
    )


def test_categories_are_matched_per_source() -> None:
    """A 911 group is not a legacy subcategory, even when the words are the same."""
    frame = pd.DataFrame({"source_category": ["TRESPASS", "CAR PROWL"]})
    assert map_categories(frame, "spd_crime_legacy", "a.csv").tolist() == [
        "trespass",
        "larceny_theft",
    ]
    assert map_categories(frame, "spd_911_incident_response", "b.csv").tolist() == [
        "trespass_calls",
        "property_crime_calls",
    ]
    with pytest.raises(SourceError, match=r"^c\.csv: source seattle_csr: 2 categories"):
        map_categories(frame, "seattle_csr", "c.csv")


def test_an_unknown_source_fails_for_every_category() -> None:
    frame = pd.DataFrame({"source_category": ["ARSON"]})
    with pytest.raises(SourceError, match=r"^x\.csv: source nope: 1 category not in .*'ARSON'"):
        map_categories(frame, "nope", "x.csv")


def write_map(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "category_map.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("b,X,x,Label\na,Y,y,Label\n", "rows must be sorted by source_id, then source_category"),
        ("a,X,x,Label\na,X,y,Label\n", "line 3: repeats a source_id and source_category"),
        ("a,X,x,One\na,Y,x,Two\n", "indicator 'x' has more than one indicator_label"),
        ("a,X,,Label\n", "line 2: indicator '' is blank or badly spaced"),
        ("a,X ,x,Label\n", "line 2: source_category 'X ' is blank or badly spaced"),
        ("a,X,Bad-Name,Label\n", "line 2: indicator 'Bad-Name' is not snake_case"),
        ("a,X,x\n", "line 2: expected 4 fields, found 3"),
    ],
)
def test_a_malformed_map_fails_loudly(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        load_category_map(write_map(tmp_path, body))
    assert str(caught.value).startswith("category_map.csv")
    assert message in str(caught.value)


def test_wrong_columns_fail(tmp_path: Path) -> None:
    path = write_map(tmp_path, "a,X,x\n", header="source_id,source_category,indicator\n")
    with pytest.raises(SourceError, match="the columns must be source_id, source_category"):
        load_category_map(path)


def test_a_missing_map_fails_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^absent\.csv: could not read file"):
        load_category_map(tmp_path / "absent.csv")


def test_the_returned_frame_is_a_copy() -> None:
    first = load_category_map()
    first.loc[0, "indicator"] = "changed"
    assert load_category_map().loc[0, "indicator"] != "changed"
    assert tuple(first.columns) == categories.COLUMNS
