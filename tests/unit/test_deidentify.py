"""Unit tests of the de-identification helpers (keyed hash, months, age bands, allowlist)."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.deidentify import (
    PERSON_KEY_HEX_CHARS,
    age_at,
    age_band,
    drop_unlisted_columns,
    month_start,
    person_key,
    pseudonymise,
    safe_column_label,
)

SECRET = b"unit-test-secret"
HEX_KEY = re.compile(r"^[0-9a-f]{16}$")
ids = st.text(min_size=1, max_size=40).filter(lambda text: text.strip() != "")


def test_person_key_is_the_truncated_hmac_sha256_of_the_stripped_id() -> None:
    expected = hmac.new(SECRET, b"LEAD-000123", hashlib.sha256).hexdigest()[:16]
    assert person_key("LEAD-000123", SECRET) == expected
    assert person_key("  LEAD-000123 ", SECRET) == expected
    assert PERSON_KEY_HEX_CHARS == 16


@given(person_id=ids)
def test_person_key_is_deterministic_hex_and_depends_on_the_secret(person_id: str) -> None:
    key = person_key(person_id, SECRET)
    assert HEX_KEY.match(key)
    assert person_key(person_id, SECRET) == key
    assert person_key(person_id, SECRET + b"x") != key


@given(first=ids, second=ids)
def test_different_ids_get_different_keys(first: str, second: str) -> None:
    if first.strip() != second.strip():
        assert person_key(first, SECRET) != person_key(second, SECRET)


@pytest.mark.parametrize(
    ("person_id", "secret", "message"),
    [("   ", SECRET, "person_id is blank"), ("ID-QUEBEC", b"", "secret for the keyed hash")],
)
def test_person_key_refuses_blank_ids_and_empty_secrets_without_echoing_values(
    person_id: str, secret: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        person_key(person_id, secret)
    assert "ID-QUEBEC" not in str(caught.value)


def test_pseudonymise_keeps_the_index_maps_equal_ids_equally_and_hides_the_ids() -> None:
    raw = pd.Series(["ID-ALPHA", "ID-BRAVO", "ID-ALPHA"], index=[7, 8, 9])
    keys = pseudonymise(raw, SECRET)
    assert keys.index.tolist() == [7, 8, 9]
    assert keys.tolist() == [
        person_key("ID-ALPHA", SECRET),
        person_key("ID-BRAVO", SECRET),
        person_key("ID-ALPHA", SECRET),
    ]
    assert keys[7] == keys[9] != keys[8]
    assert not any("ID-" in key for key in keys)


def test_pseudonymise_rejects_a_blank_id_without_echoing_the_others() -> None:
    with pytest.raises(ValueError, match="blank") as caught:
        pseudonymise(pd.Series(["ID-ALPHA", " "]), SECRET)
    assert "ID-ALPHA" not in str(caught.value)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (17, "unknown"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (34, "25-34"),
        (35, "35-44"),
        (44, "35-44"),
        (45, "45-54"),
        (54, "45-54"),
        (55, "55-64"),
        (64, "55-64"),
        (65, "65+"),
        (100, "65+"),
        (0, "unknown"),
        (-3, "unknown"),
    ],
)
def test_age_band_boundaries(age: int, band: str) -> None:
    assert age_band(pd.Series([age])).tolist() == [band]


def test_age_band_missing_and_fractional_ages() -> None:
    ages = pd.Series([None, float("nan"), 24.9, 17.99], index=[3, 4, 5, 6], dtype=object)
    bands = age_band(ages)
    assert bands.tolist() == ["unknown", "unknown", "18-24", "unknown"]
    assert bands.index.tolist() == [3, 4, 5, 6]
    nullable = age_band(pd.Series([44, pd.NA], dtype="Int64"))
    assert nullable.tolist() == ["35-44", "unknown"]


def _reference_band(age: int) -> str:
    for low, high, label in ((18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44")):
        if low <= age <= high:
            return label
    for low, high, label in ((45, 54, "45-54"), (55, 64, "55-64")):
        if low <= age <= high:
            return label
    return "65+" if age >= 65 else "unknown"


@given(st.lists(st.integers(min_value=-5, max_value=130), max_size=50))
def test_age_band_matches_a_reference(ages: list[int]) -> None:
    assert age_band(pd.Series(ages, dtype="int64")).tolist() == [_reference_band(a) for a in ages]


def test_age_at_is_the_year_difference() -> None:
    result = age_at(
        pd.Series([1970, None, 1990]),
        pd.Series(pd.to_datetime(["2012-03-01", "2012-03-01", None])),
    )
    assert str(result.dtype) == "Int64"
    assert result[0] == 42
    assert pd.isna(result[1]) and pd.isna(result[2])


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31)),
    on=st.dates(min_value=date(2001, 1, 1), max_value=date(2030, 12, 31)),
)
def test_age_at_is_the_true_age_or_one_year_too_high(birth: date, on: date) -> None:
    true_age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    approximate = age_at(pd.Series([birth.year]), pd.Series([pd.Timestamp(on)]))[0]
    assert approximate in (true_age, true_age + 1)


def test_month_start_coarsens_dates_to_the_first_of_their_month() -> None:
    dates = pd.Series(
        pd.to_datetime(["2012-02-29", "2011-10-01", "2014-07-31 23:59:59", None], format="ISO8601"),
        index=[10, 11, 12, 13],
    )
    result = month_start(dates)
    assert str(result.dtype) == "datetime64[ns]"
    assert result.index.tolist() == [10, 11, 12, 13]
    assert result[:3].tolist() == [
        pd.Timestamp("2012-02-01"),
        pd.Timestamp("2011-10-01"),
        pd.Timestamp("2014-07-01"),
    ]
    assert pd.isna(result[13])


def test_month_start_of_zoned_times_uses_the_local_month() -> None:
    local = pd.Series(pd.to_datetime(["2012-03-31 23:30"]).tz_localize("America/Los_Angeles"))
    assert month_start(local).tolist() == [pd.Timestamp("2012-03-01")]


def test_drop_unlisted_columns_keeps_the_allowlist_and_reports_names_only() -> None:
    frame = pd.DataFrame(
        {
            "person_id": ["ID-ALPHA"],
            "full_name": ["Jane Example"],
            "cohort": ["lead"],
            "case_notes": ["Seen at 2nd & Bell"],
        }
    )
    kept, dropped = drop_unlisted_columns(frame, ("cohort", "person_id", "referral_date"))
    assert kept.columns.tolist() == ["person_id", "cohort"]
    assert dropped == ["full_name", "case_notes"]
    assert "Jane Example" not in repr(dropped) and "Jane Example" not in kept.to_string()
    assert frame.columns.tolist() == ["person_id", "full_name", "cohort", "case_notes"]


def test_a_header_that_is_not_a_snake_case_name_is_not_repeated() -> None:
    frame = pd.DataFrame(columns=["person_id", "Jane Example", "1962-04-01", "phone"])
    _, dropped = drop_unlisted_columns(frame, ["person_id"])
    assert dropped == ["column 2 (header not shown)", "column 3 (header not shown)", "phone"]
    assert safe_column_label("x" * 65, 4) == "column 4 (header not shown)"
    assert safe_column_label("birth_year", 4) == "birth_year"
