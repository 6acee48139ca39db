"""Unit tests of the program extract reader: tiny extracts in the contract format.

Every rule of ``docs/program-data-contract.md`` is broken once, on a cell holding a
distinctive value; the rejection must name file, row, column and rule, and must not
contain that value (nor any other value from the extract).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.deidentify import person_key
from etl.sources import program
from etl.sources.common import SourceError

NOW = datetime(2020, 6, 1, 12, 0)
Files = dict[str, list[list[str]]]

PARTICIPANT_HEADER = [
    "person_id",
    "full_name",
    "cohort",
    "referral_date",
    "referral_type",
    "age_at_referral",
    "birth_year",
    "gender",
    "race_ethnicity",
    "housing_status_at_referral",
    "enrollment_status",
    "exit_date",
    "exit_reason",
    "date_of_birth",
    "case_notes",
]
# Every value an error message or a quarantine report must never show.
IDENTIFYING = ("ID-ALPHA", "ID-BRAVO", "ID-CHARLIE", "Jane Example", "Bell St", "B-991")


def valid_files() -> Files:
    """Three people (two LEAD, one control) and their events, services and statuses."""
    return {
        "participants.csv": [
            list(PARTICIPANT_HEADER),
            [
                "ID-ALPHA",
                "Jane Example",
                "lead",
                "2012-03-15",
                "arrest_diversion",
                "40",
                "1971",
                "female",
                "black",
                "homeless_unsheltered",
                "exited",
                "2013-01-02",
                "completed",
                "1971-06-30",
                "Met at the Bell St drop-in, said she sleeps near 2nd Ave",
            ],
            [
                "ID-BRAVO",
                "Sam Sample",
                "lead",
                "2013-11-30",
                "social_contact",
                "",
                "1950",
                "male",
                "white",
                "homeless_sheltered",
                "active",
                "",
                "",
                "1950-02-01",
                "",
            ],
            [
                "ID-CHARLIE",
                "Alex Placeholder",
                "control",
                "2012-04-01",
                "",
                "22",
                "",
                "transgender",
                "hispanic_latino",
                "unknown",
                "not_applicable",
                "",
                "",
                "1989-09-09",
                "",
            ],
        ],
        "legal_events.csv": [
            [
                "person_id",
                "event_date",
                "event_type",
                "charge_level",
                "offense_category",
                "jail_days",
                "warrant_flag",
                "booking_number",
            ],
            ["ID-ALPHA", "2011-05-02", "booking", "misdemeanor", "drug", "3", "false", "B-991"],
            ["ID-ALPHA", "2011-05-02", "arrest", "misdemeanor", "drug", "", "false", ""],
            ["ID-CHARLIE", "2012-04-01", "arrest", "felony", "property", "", "true", ""],
            ["ID-CHARLIE", "2013-02-10", "prison_admission", "felony", "property", "", "false", ""],
            ["ID-BRAVO", "2014-01-05", "booking", "none", "warrant", "", "true", "B-992"],
        ],
        "services.csv": [
            ["person_id", "contact_date", "service_type", "cost_usd"],
            ["ID-ALPHA", "2012-03-20", "case_management", "120.50"],
            ["ID-ALPHA", "2012-04-02", "housing", ""],
            ["ID-BRAVO", "2013-12-01", "benefits", "0"],
        ],
        "monthly_status.csv": [
            [
                "person_id",
                "month",
                "housing_status",
                "employment_status",
                "has_income_or_benefits",
            ],
            ["ID-ALPHA", "2012-02", "homeless_unsheltered", "unemployed", "unknown"],
            ["ID-ALPHA", "2012-03", "homeless_sheltered", "in_training", "true"],
            ["ID-BRAVO", "2013-10", "homeless_sheltered", "unemployed", "false"],
        ],
    }


def provenance(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "producer": "Unit test producer",
        "extract_date": "2020-01-31",
        "is_synthetic": True,
        "description": "Hand-written test extract",
        "contract_version": "1",
    }
    document.update(changes)
    return document


def write(folder: Path, files: Files, document: dict[str, object] | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (folder / name).write_text(buffer.getvalue(), encoding="utf-8")
    (folder / "PROVENANCE.json").write_text(json.dumps(document or provenance()), "utf-8")
    return str(folder)


def set_cell(files: Files, name: str, row: int, column: str, value: str) -> None:
    """``row`` counts the header as row 1, as the error messages do."""
    header = files[name][0]
    files[name][row - 1][header.index(column)] = value


def read(folder: str, secret: str = "") -> program.ProgramExtract:
    return program.read_program_extract(folder, secret, now=NOW)


def days(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="%Y-%m-%d")).astype("datetime64[ns]")


def months(*values: str | None) -> pd.Series:
    return days(*(f"{v}-01" if v else None for v in values))


# --- a valid extract ---------------------------------------------------------------------


def test_a_valid_extract_round_trips_to_exact_deidentified_frames(tmp_path: Path) -> None:
    extract = read(write(tmp_path, valid_files()))
    key = {pid: person_key(pid, program.DEMO_SECRET) for pid in IDENTIFYING[:3]}
    participants = pd.DataFrame(
        {
            "person_key": [key["ID-ALPHA"], key["ID-BRAVO"], key["ID-CHARLIE"]],
            "cohort": ["lead", "lead", "control"],
            "referral_date": days("2012-03-15", "2013-11-30", "2012-04-01"),
            "referral_month": months("2012-03", "2013-11", "2012-04"),
            "referral_type": ["arrest_diversion", "social_contact", "not_applicable"],
            "age_band": ["35-44", "55-64", "18-24"],
            "gender": ["female", "male", "transgender"],
            "race_ethnicity": ["black", "white", "hispanic_latino"],
            "housing_status_at_referral": ["homeless_unsheltered", "homeless_sheltered", "unknown"],
            "enrollment_status": ["exited", "active", "not_applicable"],
            "exit_date": days("2013-01-02", None, None),
            "exit_month": months("2013-01", None, None),
            "exit_reason": ["completed", "", ""],
        }
    )
    legal_events = pd.DataFrame(
        {
            "person_key": [key["ID-ALPHA"]] * 2 + [key["ID-CHARLIE"]] * 2 + [key["ID-BRAVO"]],
            "event_date": days(
                "2011-05-02", "2011-05-02", "2012-04-01", "2013-02-10", "2014-01-05"
            ),
            "event_month": months("2011-05", "2011-05", "2012-04", "2013-02", "2014-01"),
            "event_type": ["booking", "arrest", "arrest", "prison_admission", "booking"],
            "charge_level": ["misdemeanor", "misdemeanor", "felony", "felony", "none"],
            "offense_category": ["drug", "drug", "property", "property", "warrant"],
            "jail_days": [3.0, float("nan"), float("nan"), float("nan"), float("nan")],
            "warrant_flag": [False, False, True, False, True],
        }
    )
    services = pd.DataFrame(
        {
            "person_key": [key["ID-ALPHA"], key["ID-ALPHA"], key["ID-BRAVO"]],
            "contact_date": days("2012-03-20", "2012-04-02", "2013-12-01"),
            "contact_month": months("2012-03", "2012-04", "2013-12"),
            "service_type": ["case_management", "housing", "benefits"],
            "cost_usd": [120.5, float("nan"), 0.0],
        }
    )
    monthly_status = pd.DataFrame(
        {
            "person_key": [key["ID-ALPHA"], key["ID-ALPHA"], key["ID-BRAVO"]],
            "month": months("2012-02", "2012-03", "2013-10"),
            "housing_status": ["homeless_unsheltered", "homeless_sheltered", "homeless_sheltered"],
            "employment_status": ["unemployed", "in_training", "unemployed"],
            "has_income_or_benefits": pd.array([pd.NA, True, False], dtype="boolean"),
            # No drug-use columns in this extract: not assessed (NaN, ""), never 0.
            "days_use_opioids": [float("nan")] * 3,
            "days_use_stimulants": [float("nan")] * 3,
            "days_use_alcohol": [float("nan")] * 3,
            "days_use_other": [float("nan")] * 3,
            "treatment": ["", "", ""],
            "assessment_source": ["", "", ""],
        }
    )
    pd.testing.assert_frame_equal(extract.participants, participants)
    pd.testing.assert_frame_equal(extract.legal_events, legal_events)
    pd.testing.assert_frame_equal(extract.services, services)
    pd.testing.assert_frame_equal(extract.monthly_status, monthly_status)
    assert extract.extract_date == date(2020, 1, 31)
    assert extract.is_synthetic is True
    assert extract.producer == "Unit test producer"


def test_identifier_columns_are_dropped_reported_by_name_and_their_values_kept_nowhere(
    tmp_path: Path,
) -> None:
    extract = read(write(tmp_path, valid_files()))
    assert extract.dropped_columns == {
        "participants.csv": ["full_name", "date_of_birth", "case_notes"],
        "legal_events.csv": ["booking_number"],
        "services.csv": [],
        "monthly_status.csv": [],
    }
    frames = (extract.participants, extract.legal_events, extract.services, extract.monthly_status)
    held = " ".join(frame.to_csv() for frame in frames)
    for value in (*IDENTIFYING, "Sam Sample", "1971-06-30", "2nd Ave"):
        assert value not in held
    for result in extract.sources:
        assert result.frame.columns.empty


def test_a_header_that_looks_like_data_is_not_reported_by_name(tmp_path: Path) -> None:
    files = valid_files()
    for row in files["participants.csv"]:
        row.append("Robin Madeup" if row[0] != "person_id" else "Robin Madeup Sr")
    extract = read(write(tmp_path, files))
    assert extract.dropped_columns["participants.csv"][-1] == "column 16 (header not shown)"


def test_each_file_gets_a_source_result_with_real_counts_and_no_person_level_frame(
    tmp_path: Path,
) -> None:
    folder = write(tmp_path, valid_files())
    extract = read(folder)
    by_id = {result.info.source_id: result for result in extract.sources}
    assert list(by_id) == [
        "program_participants",
        "program_legal_events",
        "program_services",
        "program_monthly_status",
    ]
    # Watermarks are published, so they are coarsened to the month of the latest date.
    expected = {
        "program_participants": (3, datetime(2013, 11, 1), "participants.csv"),
        "program_legal_events": (5, datetime(2014, 1, 1), "legal_events.csv"),
        "program_services": (3, datetime(2013, 12, 1), "services.csv"),
        "program_monthly_status": (3, datetime(2013, 10, 1), "monthly_status.csv"),
    }
    for source_id, (rows, watermark, name) in expected.items():
        result = by_id[source_id]
        content = (tmp_path / name).read_bytes()
        assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (rows, rows, 0)
        assert result.watermark == watermark
        assert result.sha256 == hashlib.sha256(content).hexdigest()
        assert result.location == str(tmp_path / name)
        assert result.frame.shape == (rows, 0)
        assert result.info.publisher == "Unit test producer"
        assert result.info.is_synthetic is True


# --- the secret ----------------------------------------------------------------------------


def test_a_real_extract_without_a_secret_is_refused_before_any_file_is_read(
    tmp_path: Path,
) -> None:
    files = valid_files()
    set_cell(files, "participants.csv", 2, "gender", "not-a-gender")
    folder = write(tmp_path, files, provenance(is_synthetic=False))
    with pytest.raises(SourceError, match="PROGRAM_ID_SECRET is not set: refusing") as caught:
        read(folder)
    assert not isinstance(caught.value, program.ProgramExtractError)


def test_a_real_extract_is_hashed_with_the_secret(tmp_path: Path) -> None:
    folder = write(tmp_path, valid_files(), provenance(is_synthetic=False))
    extract = read(folder, "a private secret")
    assert extract.participants["person_key"][0] == person_key("ID-ALPHA", b"a private secret")
    assert extract.is_synthetic is False
    assert all(result.info.is_synthetic is False for result in extract.sources)


def test_a_real_extract_refuses_the_public_demonstration_key(tmp_path: Path) -> None:
    folder = write(tmp_path, valid_files(), provenance(is_synthetic=False))
    with pytest.raises(SourceError, match="public demonstration key"):
        read(folder, secret=program.DEMO_SECRET.decode())


def test_a_synthetic_extract_uses_the_demo_key_unless_a_secret_is_set(tmp_path: Path) -> None:
    folder = write(tmp_path, valid_files())
    demo_key = person_key("ID-ALPHA", program.DEMO_SECRET)
    assert read(folder).participants["person_key"][0] == demo_key
    assert read(folder, "other").participants["person_key"][0] == person_key("ID-ALPHA", b"other")


# --- rules: each violation rejects the whole extract ---------------------------------------

Mutation = Callable[[Files], None]


def cell(name: str, row: int, column: str, value: str) -> Mutation:
    return lambda files: set_cell(files, name, row, column, value)


def append_copy(name: str, row: int, **changes: str) -> Mutation:
    def mutate(files: Files) -> None:
        copy = list(files[name][row - 1])
        for column, value in changes.items():
            copy[files[name][0].index(column)] = value
        files[name].append(copy)

    return mutate


def remove_column(name: str, column: str) -> Mutation:
    def mutate(files: Files) -> None:
        index = files[name][0].index(column)
        for row in files[name]:
            del row[index]

    return mutate


def remove_file(name: str) -> Mutation:
    return lambda files: files.pop(name) and None


P, E, S, M = "participants.csv", "legal_events.csv", "services.csv", "monthly_status.csv"
GENDERS = "not one of: female, male, transgender, nonbinary, unknown"
RULES: list[tuple[str, Mutation, str, str]] = [
    ("missing file", remove_file(S), "services.csv: required file missing", "ID-ALPHA"),
    (
        "missing column",
        remove_column(E, "event_type"),
        "legal_events.csv, row 1, column event_type: required column missing",
        "prison_admission",
    ),
    (
        "unknown category",
        cell(P, 2, "gender", "femme-x"),
        f"{P}, row 2, column gender: {GENDERS}",
        "femme-x",
    ),
    (
        "unknown category in events",
        cell(E, 3, "offense_category", "jaywalking-zz"),
        f"{E}, row 3, column offense_category: not one of: drug, prostitution, property, "
        "violent, warrant, other",
        "jaywalking-zz",
    ),
    (
        "blank required value",
        cell(M, 3, "employment_status", ""),
        f"{M}, row 3, column employment_status: blank (a value is required)",
        "ID-ALPHA",
    ),
    (
        "unparsable date",
        cell(P, 3, "referral_date", "11/30/2013"),
        f"{P}, row 3, column referral_date: not a date (expected YYYY-MM-DD)",
        "11/30/2013",
    ),
    (
        "impossible date",
        cell(S, 2, "contact_date", "2012-02-30"),
        f"{S}, row 2, column contact_date: not a date (expected YYYY-MM-DD)",
        "2012-02-30",
    ),
    (
        "year outside 1900-2200",
        cell(E, 2, "event_date", "0001-01-01"),
        f"{E}, row 2, column event_date: not a date (expected YYYY-MM-DD)",
        "0001-01-01",
    ),
    (
        "whole number too long to be a number of days",
        cell(E, 2, "jail_days", "99999999999999999999"),
        f"{E}, row 2, column jail_days: not a whole number",
        "99999999999999999999",
    ),
    (
        "unparsable month",
        cell(M, 2, "month", "Feb 2012"),
        f"{M}, row 2, column month: not a month (expected YYYY-MM)",
        "Feb 2012",
    ),
    (
        "date in the future",
        cell(E, 4, "event_date", "2020-07-19"),
        f"{E}, row 4, column event_date: in the future",
        "2020-07-19",
    ),
    (
        "date after the extract date",
        cell(S, 4, "contact_date", "2020-03-19"),
        f"{S}, row 4, column contact_date: after the extract date in PROVENANCE.json",
        "2020-03-19",
    ),
    (
        "referral before the program started",
        cell(P, 4, "referral_date", "2011-09-30"),
        f"{P}, row 4, column referral_date: before the program started (2011-10-01)",
        "2011-09-30",
    ),
    (
        "event before 2000",
        cell(E, 2, "event_date", "1999-12-31"),
        f"{E}, row 2, column event_date: before 2000-01-01",
        "1999-12-31",
    ),
    (
        "status month before 2000",
        cell(M, 4, "month", "1999-11"),
        f"{M}, row 4, column month: before 2000-01-01",
        "1999-11",
    ),
    (
        "exit before referral",
        cell(P, 2, "exit_date", "2012-01-09"),
        f"{P}, row 2, column exit_date: before referral_date",
        "2012-01-09",
    ),
    (
        "exit date for a person who has not exited",
        cell(P, 3, "exit_date", "2014-05-06"),
        f"{P}, row 3, column exit_date: must be blank unless enrollment_status is exited",
        "2014-05-06",
    ),
    (
        "exit reason for a control",
        cell(P, 4, "exit_reason", "moved_away"),
        f"{P}, row 4, column exit_reason: must be blank unless enrollment_status is exited",
        "moved_away",
    ),
    (
        "exited without a reason",
        cell(P, 2, "exit_reason", ""),
        f"{P}, row 2, column exit_reason: blank (required when enrollment_status is exited)",
        "2013-01-02",
    ),
    (
        "exited without a date",
        cell(P, 2, "exit_date", ""),
        f"{P}, row 2, column exit_date: blank (required when enrollment_status is exited)",
        "completed",
    ),
    (
        "enrollment status of the wrong cohort",
        cell(P, 4, "enrollment_status", "active"),
        f"{P}, row 4, column enrollment_status: must be not_applicable for the control cohort",
        "ID-CHARLIE",
    ),
    (
        "lead person without referral type",
        cell(P, 3, "referral_type", ""),
        f"{P}, row 3, column referral_type: blank (required for the lead cohort)",
        "ID-BRAVO",
    ),
    (
        "duplicate person id",
        append_copy(P, 3, full_name="Other Person", gender="female"),
        f"{P}, row 5, column person_id: repeats an earlier row (person_id must be unique)",
        "ID-BRAVO",
    ),
    (
        "person id not in participants",
        cell(S, 3, "person_id", "ID-ZULU"),
        f"{S}, row 3, column person_id: not in participants.csv",
        "ID-ZULU",
    ),
    (
        "person id not in participants (events)",
        cell(E, 6, "person_id", "ID-YANKEE"),
        f"{E}, row 6, column person_id: not in participants.csv",
        "ID-YANKEE",
    ),
    (
        "age above 100",
        cell(P, 4, "age_at_referral", "101"),
        f"{P}, row 4, column age_at_referral: outside 18-100",
        "101",
    ),
    (
        "age below 18",
        cell(P, 4, "age_at_referral", "16"),
        f"{P}, row 4, column age_at_referral: outside 18-100",
        "ID-CHARLIE",
    ),
    (
        "age from birth year out of range",
        cell(P, 3, "birth_year", "1890"),
        f"{P}, row 3, column birth_year: gives an age at referral outside 18-100",
        "1890",
    ),
    (
        "age and birth year disagree",
        cell(P, 2, "birth_year", "1961"),
        f"{P}, row 2, column birth_year: disagrees with age_at_referral by more than one year",
        "1961",
    ),
    (
        "neither age nor birth year",
        cell(P, 3, "birth_year", ""),
        f"{P}, row 3, column age_at_referral: blank (age_at_referral or birth_year is required)",
        "ID-BRAVO",
    ),
    (
        "age not a whole number",
        cell(P, 2, "age_at_referral", "40.5"),
        f"{P}, row 2, column age_at_referral: not a whole number",
        "40.5",
    ),
    (
        "negative jail days",
        cell(E, 2, "jail_days", "-7"),
        f"{E}, row 2, column jail_days: negative (must be 0 or more)",
        "-7",
    ),
    (
        "jail days on an event that is not a booking",
        cell(E, 3, "jail_days", "12"),
        f"{E}, row 3, column jail_days: must be blank unless event_type is booking",
        "ID-ALPHA",
    ),
    (
        "negative cost",
        cell(S, 2, "cost_usd", "-12.50"),
        f"{S}, row 2, column cost_usd: negative (must be 0 or more)",
        "-12.50",
    ),
    (
        "cost not a number",
        cell(S, 2, "cost_usd", "$120"),
        f"{S}, row 2, column cost_usd: not a number",
        "$120",
    ),
    (
        "warrant flag not true or false",
        cell(E, 2, "warrant_flag", "Yes-ish"),
        f"{E}, row 2, column warrant_flag: not one of: true, false",
        "Yes-ish",
    ),
    (
        "duplicate event row",
        append_copy(E, 3),
        f"{E}, row 7, column (whole row): exact duplicate of an earlier row",
        "ID-ALPHA",
    ),
    (
        "duplicate service row",
        append_copy(S, 2),
        f"{S}, row 5, column (whole row): exact duplicate of an earlier row",
        "ID-ALPHA",
    ),
    (
        "duplicate status row",
        append_copy(M, 4),
        f"{M}, row 5, column (whole row): exact duplicate of an earlier row",
        "ID-BRAVO",
    ),
    (
        "second status row for a person and month",
        append_copy(M, 2, housing_status="permanent_housing"),
        f"{M}, row 5, column month: a second row for the same person_id and month",
        "2012-02",
    ),
    (
        "wrong number of fields",
        lambda files: files[S].append(["ID-ALPHA", "2012-05-05", "legal", "10", "Seen by XY"]),
        f"{S}, row 5, column (whole row): expected 4 fields, found 5",
        "Seen by XY",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected", "value"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES]
)
def test_each_rule_rejects_the_whole_extract_naming_where_but_never_the_value(
    tmp_path: Path, mutate: Mutation, expected: str, value: str
) -> None:
    files = valid_files()
    mutate(files)
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    message = str(caught.value)
    assert expected in message
    assert "program extract rejected (1 rule violation;" in message, message
    assert value not in message
    for identifying in IDENTIFYING:
        assert identifying not in message
    rows = program.quarantine_rows(caught.value)
    assert len(rows) == 1
    assert rows[0].value == ""
    assert value not in repr(rows)


def test_the_message_lists_twenty_violations_and_the_total(tmp_path: Path) -> None:
    files = valid_files()
    for number in range(25):
        files[M].append(
            [
                "ID-ALPHA",
                f"{2000 + number // 12}-{number % 12 + 1:02d}",
                "castle",
                "unemployed",
                "true",
            ]
        )
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    message = str(caught.value)
    assert message.startswith("program extract rejected (25 rule violations;")
    assert message.count("monthly_status.csv, row") == 20
    assert message.endswith("; ... and 5 more")
    assert "castle" not in message
    assert len(caught.value.violations) == 25
    first = caught.value.violations[0]
    assert (first.file, first.row, first.column) == (M, 5, "housing_status")


def test_quarantine_rows_carry_file_row_column_and_rule_but_never_a_value(tmp_path: Path) -> None:
    files = valid_files()
    set_cell(files, P, 2, "gender", "femme-x")
    set_cell(files, S, 3, "cost_usd", "-1")
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    rows = program.quarantine_rows(caught.value)
    assert [(r.file, r.row_number, r.column, r.value, r.reason) for r in rows] == [
        (P, 2, "gender", "", GENDERS),
        (S, 3, "cost_usd", "", "negative (must be 0 or more)"),
    ]


def test_a_headerless_file_does_not_leak_its_first_row(tmp_path: Path) -> None:
    files = valid_files()
    files[P] = files[P][1:]  # exported without its header: row 2 becomes the "header"
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    message = str(caught.value)
    assert f"{P}, row 1, column person_id: required column missing" in message
    for value in (*IDENTIFYING, "1971-06-30", "2012-03-15"):
        assert value not in message


def test_a_repeated_header_name_is_reported_without_the_header(tmp_path: Path) -> None:
    files = valid_files()
    files[S][0] = ["ID-ALPHA", "ID-ALPHA", "service_type", "cost_usd"]
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    assert f"{S}: not a readable CSV file" in str(caught.value)
    assert "ID-ALPHA" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_an_extract_without_participants_is_rejected(tmp_path: Path) -> None:
    files = {name: rows[:1] for name, rows in valid_files().items()}
    with pytest.raises(program.ProgramExtractError) as caught:
        read(write(tmp_path, files))
    assert [str(v) for v in caught.value.violations] == [
        "participants.csv: no data rows (one person at least)"
    ]


def test_files_other_than_participants_may_hold_no_rows(tmp_path: Path) -> None:
    files = valid_files()
    files[S] = files[S][:1]
    extract = read(write(tmp_path, files))
    assert extract.services.empty
    assert extract.services.columns.tolist() == [
        "person_key",
        "contact_date",
        "contact_month",
        "service_type",
        "cost_usd",
    ]
    services = next(r for r in extract.sources if r.info.source_id == "program_services")
    assert (services.rows_read, services.watermark) == (0, None)


def test_a_missing_birth_year_and_age_column_is_named(tmp_path: Path) -> None:
    files = valid_files()
    remove_column(P, "age_at_referral")(files)
    remove_column(P, "birth_year")(files)
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError, match="column age_at_referral: required"):
        read(folder)


def test_birth_year_alone_is_enough(tmp_path: Path) -> None:
    files = valid_files()
    remove_column(P, "age_at_referral")(files)
    set_cell(files, P, 4, "birth_year", "1990")
    extract = read(write(tmp_path, files))
    assert extract.participants["age_band"].tolist() == ["35-44", "55-64", "18-24"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (provenance(contract_version="2"), 'field contract_version: must be "1"'),
        (provenance(is_synthetic="yes"), "field is_synthetic: must be true or false"),
        (provenance(extract_date="31/01/2020"), "field extract_date: not a date"),
        (provenance(extract_date="2021-01-01"), "field extract_date: in the future"),
        (provenance(producer=""), "field producer: must be a non-empty string"),
        ({"producer": "x"}, "field extract_date: required field missing"),
    ],
)
def test_provenance_is_checked(tmp_path: Path, document: dict[str, object], expected: str) -> None:
    folder = write(tmp_path, valid_files(), document)
    with pytest.raises(program.ProgramExtractError, match=expected) as caught:
        read(folder)
    assert str(caught.value).count("PROVENANCE.json") >= 1
    assert "31/01/2020" not in str(caught.value)


def test_a_missing_provenance_or_folder_is_a_violation(tmp_path: Path) -> None:
    folder = write(tmp_path / "extract", valid_files())
    (Path(folder) / "PROVENANCE.json").unlink()
    with pytest.raises(program.ProgramExtractError, match="PROVENANCE.json: required file"):
        read(folder)
    with pytest.raises(program.ProgramExtractError, match="folder does not exist"):
        read(str(tmp_path / "nowhere"))
    (Path(folder) / "PROVENANCE.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(program.ProgramExtractError, match="not valid UTF-8 JSON"):
        read(folder)


def test_contract_document_lists_every_allowlisted_column_and_dropped_identifier() -> None:
    contract = (Path(__file__).parents[2] / "docs" / "program-data-contract.md").read_text()
    for spec in program.FILE_SPECS:
        assert f"### `{spec.file_name}`" in contract
        for column in spec.allowlist:
            assert f"| `{column}` |" in contract, column
    for column in program.EXPECTED_DROPPED_IDENTIFIERS:
        assert f"`{column}`" in contract


# --- drug use, treatment and health events (contract 1.1) ----------------------------------

DRUG_COLUMNS = [
    "days_use_opioids",
    "days_use_stimulants",
    "days_use_alcohol",
    "days_use_other",
    "treatment",
    "assessment_source",
]


def with_drug_use(rows: list[list[str]]) -> Files:
    files = valid_files()
    header, *body = files["monthly_status.csv"]
    files["monthly_status.csv"] = [
        [*header, *DRUG_COLUMNS],
        *[[*old, *new] for old, new in zip(body, rows, strict=True)],
    ]
    return files


def test_drug_use_blank_is_not_assessed_and_zero_is_zero(tmp_path: Path) -> None:
    files = with_drug_use(
        [
            ["", "", "", "", "", ""],
            ["0", "12", "30", "", "medication", "case_manager"],
            ["4", "0", "0", "0", "none", "self_report"],
        ]
    )
    status = read(write(tmp_path / "extract", files)).monthly_status
    assert status["days_use_opioids"].tolist()[1:] == [0.0, 4.0]
    assert pd.isna(status["days_use_opioids"].iloc[0])  # not assessed: never 0
    assert status["days_use_stimulants"].tolist()[1:] == [12.0, 0.0]
    assert pd.isna(status["days_use_other"].iloc[1])
    assert status["treatment"].tolist() == ["", "medication", "none"]
    assert status["assessment_source"].tolist() == ["", "case_manager", "self_report"]


@pytest.mark.parametrize(
    ("cells", "column", "rule"),
    [
        (["31", "", "", "", "", ""], "days_use_opioids", "outside 0-30 (days in the past 30)"),
        (["", "-1", "", "", "", ""], "days_use_stimulants", "outside 0-30"),
        (["", "", "2.5", "", "", ""], "days_use_alcohol", "not a whole number"),
        (["", "", "", "", "methadone", ""], "treatment", "not one of: none, medication"),
        (["", "", "", "", "", "family"], "assessment_source", "not one of: case_manager"),
    ],
)
def test_bad_drug_use_values_name_the_rule_not_the_value(
    tmp_path: Path, cells: list[str], column: str, rule: str
) -> None:
    files = with_drug_use([cells, ["", "", "", "", "", ""], ["", "", "", "", "", ""]])
    with pytest.raises(program.ProgramExtractError) as caught:
        read(write(tmp_path / "extract", files))
    text = str(caught.value)
    assert f"monthly_status.csv, row 2, column {column}: {rule}" in text
    assert "methadone" not in text and "family" not in text


def test_health_events_are_optional_and_checked_when_present(tmp_path: Path) -> None:
    without = read(write(tmp_path / "without", valid_files()))
    assert without.health_events.empty
    assert list(without.health_events.columns) == [
        "person_key",
        "event_date",
        "event_month",
        "event_type",
    ]
    assert "health_events.csv" not in without.provided
    assert "program_health_events" not in {s.info.source_id for s in without.sources}

    files = valid_files()
    files["health_events.csv"] = [
        ["person_id", "event_date", "event_type", "full_name"],
        ["ID-ALPHA", "2012-05-03", "overdose_nonfatal", "Jane Example"],
        ["ID-BRAVO", "2014-01-09", "emergency_department_visit", "Sam Sample"],
    ]
    extract = read(write(tmp_path / "with", files))
    assert "health_events.csv" in extract.provided
    assert extract.health_events["event_type"].tolist() == [
        "overdose_nonfatal",
        "emergency_department_visit",
    ]
    assert extract.health_events["event_month"].tolist() == [
        pd.Timestamp("2012-05-01"),
        pd.Timestamp("2014-01-01"),
    ]
    assert "full_name" in extract.dropped_columns["health_events.csv"]

    files["health_events.csv"].append(["ID-NOBODY", "2014-02-01", "detox_admission", ""])
    files["health_events.csv"].append(["ID-ALPHA", "2014-02-01", "heart_attack", ""])
    with pytest.raises(program.ProgramExtractError) as caught:
        read(write(tmp_path / "bad", files))
    text = str(caught.value)
    assert "health_events.csv, row 4, column person_id" in text
    assert "health_events.csv, row 5, column event_type: not one of" in text
    assert "ID-NOBODY" not in text and "heart_attack" not in text


def test_an_overlong_field_in_a_dropped_column_is_reported_on_its_row(tmp_path: Path) -> None:
    files = valid_files()
    secret_note = "case note " + "x" * 140_000  # past the CSV reader's field limit
    set_cell(files, "participants.csv", 3, "case_notes", secret_note)
    folder = write(tmp_path, files)
    with pytest.raises(program.ProgramExtractError) as caught:
        read(folder)
    message = str(caught.value)
    assert "participants.csv, row 3" in message
    assert "a field longer than the 131,072 characters a field may have" in message
    assert "case note" not in message and "header" not in message
