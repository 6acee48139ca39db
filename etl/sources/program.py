"""LEAD program extract (person-level records): read, validate as a whole, de-identify.

The input contract is ``docs/program-data-contract.md``: a folder holding
``participants.csv``, ``legal_events.csv``, ``services.csv``, ``monthly_status.csv`` and
``PROVENANCE.json``. Columns outside the allowlist (names, dates of birth, addresses, case
numbers, free-text notes, ...) are dropped on read and reported by name only.

Unlike the SPD incident source, **one bad row rejects the whole extract**
(:class:`ProgramExtractError`): person-level figures built from a silently thinned extract
would be biased, so the previously published program figures keep serving instead. The
error lists up to 20 violations as ``<file>, row <n>, column <col>: <rule>`` plus the total,
and never a value from the data: no ids, dates or names reach a message, a log line or the
quarantine report (:func:`quarantine_rows` gives ``value=""`` always).

What leaves this module is a :class:`ProgramExtract` held in memory: person ids replaced
by keyed hashes (:func:`etl.deidentify.person_key`), ages replaced by bands, every date
also given as its month. Exact dates stay in memory for interval arithmetic (six months
after referral, days to exit); indicators publish months and aggregates only. The
``SourceResult`` of each file carries provenance and row counts, and a frame with one
row per accepted record but **no columns**, so no person-level value is ever stored there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from etl.deidentify import (
    age_at,
    age_band,
    drop_unlisted_columns,
    month_start,
    pseudonymise,
    safe_column_label,
)
from etl.sources.common import (
    Rejection,
    SourceError,
    SourceInfo,
    SourceResult,
    UnreadableRow,
    read_bytes,
    read_csv_as_text,
    sha256_hex,
)

CONTRACT_VERSION = "1"
PROVENANCE_FILE = "PROVENANCE.json"
PROGRAM_START = pd.Timestamp("2011-10-01")
EARLIEST_RECORD = pd.Timestamp("2000-01-01")
MIN_AGE, MAX_AGE = 18, 100
MAX_LISTED_VIOLATIONS = 20
LICENCE = (
    "Person-level program records: never published. Only aggregates, suppressed below "
    "SUPPRESSION_THRESHOLD people, leave the ETL."
)
DEMO_SECRET = b"belltown-lead-dashboard demonstration key: synthetic extracts only, not a secret"
"""Keyed-hash secret used for an extract whose PROVENANCE says ``is_synthetic: true`` when
``PROGRAM_ID_SECRET`` is empty. It is public (it is in this file), so it protects nothing
and is refused for real extracts."""

# Categories (lower-case snake_case, exactly as the contract lists them).
COHORTS = ("lead", "control")
REFERRAL_TYPES = ("arrest_diversion", "social_contact")
GENDERS = ("female", "male", "transgender", "nonbinary", "unknown")
RACE_ETHNICITIES = (
    "black",
    "white",
    "hispanic_latino",
    "asian",
    "native_american",
    "pacific_islander",
    "multiracial",
    "other",
    "unknown",
)
HOUSING_STATUSES = (
    "homeless_unsheltered",
    "homeless_sheltered",
    "temporary_housing",
    "permanent_housing",
    "unknown",
)
LEAD_ENROLLMENT_STATUSES = ("active", "exited", "referred_not_enrolled")
CONTROL_ENROLLMENT_STATUS = "not_applicable"
ENROLLMENT_STATUSES = (*LEAD_ENROLLMENT_STATUSES, CONTROL_ENROLLMENT_STATUS)
EXIT_REASONS = (
    "completed",
    "moved_away",
    "incarcerated",
    "declined",
    "lost_contact",
    "died",
    "other",
)
EVENT_TYPES = ("arrest", "charge", "booking", "prison_admission")
CHARGE_LEVELS = ("felony", "misdemeanor", "none")
OFFENSE_CATEGORIES = ("drug", "prostitution", "property", "violent", "warrant", "other")
SERVICE_TYPES = ("case_management", "housing", "treatment", "benefits", "legal", "other")
EMPLOYMENT_STATUSES = (
    "unemployed",
    "employed_part_time",
    "employed_full_time",
    "in_training",
    "unknown",
)
TRUE_FALSE = ("true", "false")
TRUE_FALSE_UNKNOWN = ("true", "false", "unknown")
# Drug use and treatment (contract 1.1): days of use in the past 30 per substance class,
# blank when not assessed (never 0 for "unknown"); treatment this month; who assessed it.
SUBSTANCES = ("opioids", "stimulants", "alcohol", "other")
TREATMENTS = ("none", "medication", "outpatient", "residential_detox")
ASSESSMENT_SOURCES = ("case_manager", "self_report")
HEALTH_EVENT_TYPES = ("overdose_nonfatal", "emergency_department_visit", "detox_admission")
# Funding and spending (contract 1.2, optional finance.csv). Public = every source but
# private_foundation and other.
FLOWS = ("received", "spent")
FUND_SOURCES = ("private_foundation", "city", "county", "state", "federal", "other")
PUBLIC_FUND_SOURCES = ("city", "county", "state", "federal")
SPENDING_CATEGORIES = ("case_management", "housing", "treatment", "administration", "evaluation")

# Direct identifiers a producer's system typically exports: expected, dropped on read and
# reported by name. Any other column outside the allowlist is dropped the same way.
EXPECTED_DROPPED_IDENTIFIERS = (
    "full_name",
    "first_name",
    "last_name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "case_number",
    "booking_number",
    "case_notes",
)

# Rule texts: the words a violation shows (never a value).
BLANK = "blank (a value is required)"
NOT_A_DATE = "not a date (expected YYYY-MM-DD)"
NOT_A_MONTH = "not a month (expected YYYY-MM)"
NOT_A_WHOLE_NUMBER = "not a whole number"
NOT_A_NUMBER = "not a number"
IN_FUTURE = "in the future"
AFTER_EXTRACT_DATE = "after the extract date in PROVENANCE.json"
BEFORE_PROGRAM_START = "before the program started (2011-10-01)"
BEFORE_2000 = "before 2000-01-01"
NEGATIVE = "negative (must be 0 or more)"
AGE_RANGE = f"outside {MIN_AGE}-{MAX_AGE}"
DAYS_RANGE = "outside 0-30 (days in the past 30)"
MISSING_COLUMN = "required column missing"
MISSING_FILE = "required file missing"
DUPLICATE_ROW = "exact duplicate of an earlier row"
WHOLE_ROW = "(whole row)"
REQUIRED_WHEN_EXITED = "blank (required when enrollment_status is exited)"
BLANK_UNLESS_EXITED = "must be blank unless enrollment_status is exited"
AGE_OR_BIRTH_YEAR = "blank (age_at_referral or birth_year is required)"
BIRTH_YEAR_DISAGREES = "disagrees with age_at_referral by more than one year"

Kind = Literal["id", "category", "date", "month", "integer", "number"]


def not_one_of(allowed: tuple[str, ...]) -> str:
    return f"not one of: {', '.join(allowed)}"


@dataclass(frozen=True)
class Field:
    """One allowlisted column: how to type it and which single-column rules apply."""

    name: str
    kind: Kind
    allowed: tuple[str, ...] = ()
    value_required: bool = True  # blank is a violation (conditional blanks: cross rules)
    column_required: bool = True
    earliest: pd.Timestamp = EARLIEST_RECORD
    earliest_rule: str = BEFORE_2000
    minimum: int | None = None
    maximum: int | None = None
    range_rule: str = ""


@dataclass(frozen=True)
class FileSpec:
    file_name: str
    source_id: str
    title: str
    fields: tuple[Field, ...]
    required: bool = True  # an optional file may be absent; then its figures are not made

    @property
    def allowlist(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def column_position(self, column: str) -> int:
        names = self.allowlist
        return names.index(column) if column in names else len(names)


PARTICIPANTS = FileSpec(
    "participants.csv",
    "program_participants",
    "LEAD program extract: participants",
    (
        Field("person_id", "id"),
        Field("cohort", "category", COHORTS),
        Field("referral_date", "date", earliest=PROGRAM_START, earliest_rule=BEFORE_PROGRAM_START),
        Field("referral_type", "category", REFERRAL_TYPES, value_required=False),
        Field(
            "age_at_referral",
            "integer",
            value_required=False,
            column_required=False,
            minimum=MIN_AGE,
            maximum=MAX_AGE,
            range_rule=AGE_RANGE,
        ),
        Field("birth_year", "integer", value_required=False, column_required=False),
        Field("gender", "category", GENDERS),
        Field("race_ethnicity", "category", RACE_ETHNICITIES),
        Field("housing_status_at_referral", "category", HOUSING_STATUSES),
        Field("enrollment_status", "category", ENROLLMENT_STATUSES),
        Field("exit_date", "date", value_required=False),
        Field("exit_reason", "category", EXIT_REASONS, value_required=False),
    ),
)
LEGAL_EVENTS = FileSpec(
    "legal_events.csv",
    "program_legal_events",
    "LEAD program extract: legal events",
    (
        Field("person_id", "id"),
        Field("event_date", "date"),
        Field("event_type", "category", EVENT_TYPES),
        Field("charge_level", "category", CHARGE_LEVELS),
        Field("offense_category", "category", OFFENSE_CATEGORIES),
        Field("jail_days", "integer", value_required=False, minimum=0, range_rule=NEGATIVE),
        Field("warrant_flag", "category", TRUE_FALSE),
    ),
)
SERVICES = FileSpec(
    "services.csv",
    "program_services",
    "LEAD program extract: service contacts",
    (
        Field("person_id", "id"),
        Field("contact_date", "date"),
        Field("service_type", "category", SERVICE_TYPES),
        Field("cost_usd", "number", value_required=False, minimum=0, range_rule=NEGATIVE),
    ),
)
MONTHLY_STATUS = FileSpec(
    "monthly_status.csv",
    "program_monthly_status",
    "LEAD program extract: monthly housing, employment and income status",
    (
        Field("person_id", "id"),
        Field("month", "month"),
        Field("housing_status", "category", HOUSING_STATUSES),
        Field("employment_status", "category", EMPLOYMENT_STATUSES),
        Field("has_income_or_benefits", "category", TRUE_FALSE_UNKNOWN),
        *(
            Field(
                f"days_use_{substance}",
                "integer",
                value_required=False,
                column_required=False,
                minimum=0,
                maximum=30,
                range_rule=DAYS_RANGE,
            )
            for substance in SUBSTANCES
        ),
        Field("treatment", "category", TREATMENTS, value_required=False, column_required=False),
        Field(
            "assessment_source",
            "category",
            ASSESSMENT_SOURCES,
            value_required=False,
            column_required=False,
        ),
    ),
)
HEALTH_EVENTS = FileSpec(
    "health_events.csv",
    "program_health_events",
    "LEAD program extract: overdoses, emergency visits and detox admissions",
    (
        Field("person_id", "id"),
        Field("event_date", "date"),
        Field("event_type", "category", HEALTH_EVENT_TYPES),
    ),
    required=False,
)
FINANCE = FileSpec(
    "finance.csv",
    "program_finance",
    "LEAD program extract: funding received and spending",
    (
        Field("month", "month"),
        Field("flow", "category", FLOWS),
        Field("fund_source", "category", FUND_SOURCES, value_required=False),
        Field("spending_category", "category", SPENDING_CATEGORIES, value_required=False),
        Field("amount_usd", "number", minimum=0, range_rule=NEGATIVE),
    ),
    required=False,
)
FILE_SPECS = (PARTICIPANTS, LEGAL_EVENTS, SERVICES, MONTHLY_STATUS, HEALTH_EVENTS, FINANCE)
FILE_ORDER = {PROVENANCE_FILE: -1} | {spec.file_name: i for i, spec in enumerate(FILE_SPECS)}


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule. ``row`` counts the header as row 1; 0 means the whole file.

    Holds no value from the data, only where (file, row, column) and which rule.
    """

    file: str
    row: int
    column: str
    rule: str

    def __str__(self) -> str:
        if self.row == 0 and self.column:  # a PROVENANCE.json field
            return f"{self.file}, field {self.column}: {self.rule}"
        if self.row == 0:
            return f"{self.file}: {self.rule}"
        return f"{self.file}, row {self.row}, column {self.column}: {self.rule}"


class ProgramExtractError(SourceError):
    """The program extract breaks the contract: the whole extract is rejected.

    ``violations`` holds every violation (sorted by file, row, column); the message lists
    the first :data:`MAX_LISTED_VIOLATIONS` and the total. No value from the data appears.
    """

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = sorted(set(violations), key=_violation_order)
        total = len(self.violations)
        listed = "; ".join(str(v) for v in self.violations[:MAX_LISTED_VIOLATIONS])
        more = total - MAX_LISTED_VIOLATIONS
        suffix = f"; ... and {more} more" if more > 0 else ""
        super().__init__(
            f"program extract rejected ({total} rule violation{'s' if total != 1 else ''}; "
            f"nothing from it is used, the previously published program figures keep "
            f"serving): {listed}{suffix}"
        )


def quarantine_rows(error: ProgramExtractError) -> list[Rejection]:
    """Every violation as a quarantine :class:`Rejection`: ``value`` is always ``""``.

    File-level violations (missing file, PROVENANCE fields) have ``row_number`` 0; a
    missing column is reported on row 1, the header.
    """
    rows = [Rejection(v.file, v.row, v.column, "", v.rule) for v in error.violations]
    return sorted(rows, key=lambda r: (r.file, r.row_number))  # file and row order


@dataclass(frozen=True)
class Provenance:
    producer: str
    extract_date: pd.Timestamp
    is_synthetic: bool
    description: str
    contract_version: str


@dataclass
class ProgramExtract:
    """A validated, de-identified program extract, held in memory only (never published).

    Frames (one row per record, in file order, ``RangeIndex``):

    * ``participants``: person_key, cohort, referral_date, referral_month, referral_type
      (``not_applicable`` for control), age_band, gender, race_ethnicity,
      housing_status_at_referral, enrollment_status, exit_date (NaT unless exited),
      exit_month, exit_reason (``""`` unless exited).
    * ``legal_events``: person_key, event_date, event_month, event_type, charge_level,
      offense_category, jail_days (float, NaN if blank), warrant_flag (bool).
    * ``services``: person_key, contact_date, contact_month, service_type, cost_usd
      (float, NaN if unknown).
    * ``monthly_status``: person_key, month (month start), housing_status,
      employment_status, has_income_or_benefits (pandas ``boolean``, NA for unknown).

    Dates are ``datetime64[ns]``; text columns are pandas strings.
    """

    participants: pd.DataFrame
    legal_events: pd.DataFrame
    services: pd.DataFrame
    monthly_status: pd.DataFrame
    health_events: pd.DataFrame  # empty when health_events.csv is not provided
    finance: pd.DataFrame  # empty when finance.csv is not provided
    provided: frozenset[str]  # file names present in the extract
    sources: list[SourceResult]
    extract_date: date
    is_synthetic: bool
    producer: str
    dropped_columns: dict[str, list[str]]


@dataclass(frozen=True)
class DateLimits:
    now: pd.Timestamp
    extract_date: pd.Timestamp


@dataclass
class LoadedFile:
    """One CSV as read: raw text (all columns), allowlisted text, and what went wrong."""

    spec: FileSpec
    location: Path
    sha256: str
    raw: pd.DataFrame  # every column, text, indexed by line number (header = 1)
    text: pd.DataFrame  # allowlisted columns only, stripped text
    dropped: list[str]
    violations: list[Violation]


@dataclass
class ParsedFile:
    loaded: LoadedFile
    typed: pd.DataFrame  # typed allowlisted columns, indexed by line number
    violations: list[Violation]

    def has(self, *columns: str) -> bool:
        return all(column in self.typed.columns for column in columns)

    def present(self, column: str) -> pd.Series:
        """True where the cell is not blank in the file (even if it did not parse)."""
        if column not in self.loaded.text.columns:
            return pd.Series(False, index=self.typed.index)
        return self.loaded.text[column] != ""


def read_program_extract(folder: str, secret: str, now: datetime | None = None) -> ProgramExtract:
    """Read, validate and de-identify a program extract folder (the whole extract or nothing).

    Raises :class:`ProgramExtractError` listing violations (never values) if any rule is
    broken, and :class:`SourceError` if the extract is real (``is_synthetic`` false) and
    ``secret`` is empty. ``now`` (default: the current local time) bounds "in the future".
    """
    limits_now = _naive_timestamp(now)
    root = _existing_folder(folder)
    provenance = read_provenance(root / PROVENANCE_FILE, limits_now)
    key = resolve_secret(secret, provenance.is_synthetic)
    limits = DateLimits(now=limits_now, extract_date=provenance.extract_date)
    try:
        parsed = validated_files(root, limits)
        frames = {
            name: build(parsed[name].typed if name in parsed else _absent(name), key)
            for name, build in DEIDENTIFIERS.items()
        }
    except (ValueError, TypeError, OverflowError, KeyError) as exc:
        # Safety net: a pandas or pandera error message can quote a value; keep the type only.
        rule = f"could not be processed ({type(exc).__name__}); please report this"
        raise ProgramExtractError([Violation(root.name or "extract", 0, "", rule)]) from None
    check_unique_keys(parsed[PARTICIPANTS.file_name].typed, frames[PARTICIPANTS.file_name])
    return ProgramExtract(
        participants=frames[PARTICIPANTS.file_name],
        legal_events=frames[LEGAL_EVENTS.file_name],
        services=frames[SERVICES.file_name],
        monthly_status=frames[MONTHLY_STATUS.file_name],
        health_events=frames[HEALTH_EVENTS.file_name],
        finance=frames[FINANCE.file_name],
        provided=frozenset(parsed),
        sources=[
            source_result(parsed[s.file_name], frames[s.file_name], provenance)
            for s in FILE_SPECS
            if s.file_name in parsed
        ],
        extract_date=provenance.extract_date.date(),
        is_synthetic=provenance.is_synthetic,
        producer=provenance.producer,
        dropped_columns={name: p.loaded.dropped for name, p in parsed.items()},
    )


def validated_files(root: Path, limits: DateLimits) -> dict[str, ParsedFile]:
    """Read, type and check every file; raise :class:`ProgramExtractError` on any violation."""
    loaded = [load_file(root, spec) for spec in FILE_SPECS]
    parsed = {f.spec.file_name: parse_file(f, limits) for f in loaded if f is not None}
    violations = [v for f in loaded if f is not None for v in f.violations]
    violations += [v for p in parsed.values() for v in p.violations]
    violations += [
        Violation(s.file_name, 0, "", MISSING_FILE)
        for s, f in _pairs(loaded)
        if not f and s.required
    ]
    violations += cross_file_violations(parsed)
    if violations:
        raise ProgramExtractError(violations)
    return parsed


def resolve_secret(secret: str, is_synthetic: bool) -> bytes:
    """The keyed-hash secret: ``secret``, or :data:`DEMO_SECRET` for a synthetic extract.

    Refuses (``SourceError``) a real extract with an empty secret or with the public
    demonstration key.
    """
    if secret:
        encoded = secret.encode("utf-8")
        if not is_synthetic and encoded == DEMO_SECRET:
            raise SourceError(
                "PROGRAM_ID_SECRET is the public demonstration key: refusing to process real "
                "program records with it; set a private secret"
            )
        return encoded
    if is_synthetic:
        return DEMO_SECRET
    raise SourceError(
        "PROGRAM_ID_SECRET is not set: refusing to process real program records without a "
        "secret for the keyed hash of person ids (PROVENANCE.json says is_synthetic is "
        "false). Set PROGRAM_ID_SECRET in the ETL's environment and keep it out of the "
        "repository."
    )


# --- reading -------------------------------------------------------------------------


def _existing_folder(folder: str) -> Path:
    root = Path(folder)
    if not folder or not root.is_dir():
        name = root.name or "program extract"
        raise ProgramExtractError(
            [
                Violation(
                    name,
                    0,
                    "",
                    "the extract folder does not exist (set PROGRAM_EXTRACT_DIR, run "
                    "`python -m etl demo` for the demonstration extract, or set it to `none`)",
                )
            ]
        )
    return root


def read_provenance(path: Path, now: pd.Timestamp) -> Provenance:
    """Parse and check ``PROVENANCE.json``; any problem raises :class:`ProgramExtractError`."""
    name = PROVENANCE_FILE
    if not path.is_file():
        raise ProgramExtractError([Violation(name, 0, "", MISSING_FILE)])
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProgramExtractError([Violation(name, 0, "", "not valid UTF-8 JSON")]) from None
    if not isinstance(document, dict):
        raise ProgramExtractError([Violation(name, 0, "", "not a JSON object")])
    violations: list[Violation] = []

    def bad(key: str, rule: str) -> None:
        violations.append(Violation(name, 0, key, rule))

    for key in ("producer", "extract_date", "is_synthetic", "description", "contract_version"):
        if key not in document:
            bad(key, "required field missing")
    producer = document.get("producer")
    if "producer" in document and (not isinstance(producer, str) or not producer.strip()):
        bad("producer", "must be a non-empty string")
    if "description" in document and not isinstance(document["description"], str):
        bad("description", "must be a string")
    if "is_synthetic" in document and not isinstance(document["is_synthetic"], bool):
        bad("is_synthetic", "must be true or false (JSON booleans)")
    if "contract_version" in document and document["contract_version"] != CONTRACT_VERSION:
        bad("contract_version", f'must be "{CONTRACT_VERSION}" (the version this ETL reads)')
    extract_date = pd.Timestamp(0)
    if "extract_date" in document:
        parsed = _parse_dates(pd.Series([document["extract_date"]], dtype=object)).iloc[0]
        if pd.isna(parsed):
            bad("extract_date", NOT_A_DATE)
        elif parsed > now:
            bad("extract_date", IN_FUTURE)
        else:
            extract_date = pd.Timestamp(parsed)
    if violations:
        raise ProgramExtractError(violations)
    return Provenance(
        producer=str(producer).strip(),
        extract_date=extract_date,
        is_synthetic=bool(document["is_synthetic"]),
        description=str(document["description"]),
        contract_version=CONTRACT_VERSION,
    )


def load_file(root: Path, spec: FileSpec) -> LoadedFile | None:
    """Read one CSV as text, drop unlisted columns, note unreadable rows and missing columns.

    Returns ``None`` if the file is absent. An unreadable file gives one file-level
    violation; rows with the wrong number of fields or bad UTF-8 give row violations.
    """
    path = root / spec.file_name
    if not path.is_file():
        return None
    content = read_bytes(str(path), timeout_seconds=0)
    empty = pd.DataFrame(index=pd.Index([], name="row_number", dtype=int))
    try:
        raw, bad_rows = read_csv_as_text(content, str(path))
    except UnreadableRow as unreadable:  # the line and the problem; the row's text never
        violation = Violation(spec.file_name, unreadable.line, "", unreadable.problem)
        return LoadedFile(spec, path, sha256_hex(content), empty, empty, [], [violation])
    except SourceError:
        # The original message may quote a header (possibly a data row): not passed on.
        rule = (
            "the file is empty"
            if not content.strip()
            else "not a readable CSV file (header not UTF-8, a repeated column name, or "
            "broken quoting)"
        )
        violation = Violation(spec.file_name, 0, "", rule)
        return LoadedFile(spec, path, sha256_hex(content), empty, empty, [], [violation])
    violations = [
        Violation(spec.file_name, r.row_number, _column_label(raw, r.column), r.reason)
        for r in bad_rows
    ]
    text, dropped = drop_unlisted_columns(raw, spec.allowlist)
    for column in text.columns:
        text[column] = text[column].str.strip()
    for f in spec.fields:
        if f.column_required and f.name not in text.columns:
            violations.append(Violation(spec.file_name, 1, f.name, MISSING_COLUMN))
    if spec is PARTICIPANTS and not {"age_at_referral", "birth_year"} & set(text.columns):
        violations.append(
            Violation(spec.file_name, 1, "age_at_referral", f"{MISSING_COLUMN} (or birth_year)")
        )
    return LoadedFile(spec, path, sha256_hex(content), raw, text, dropped, violations)


def _column_label(raw: pd.DataFrame, column: str) -> str:
    columns = [str(c) for c in raw.columns]
    if column in columns:
        return safe_column_label(column, columns.index(column) + 1)
    return column


def _pairs(loaded: list[LoadedFile | None]) -> list[tuple[FileSpec, LoadedFile | None]]:
    return list(zip(FILE_SPECS, loaded, strict=True))


# --- typing and single-column rules ----------------------------------------------------


def parse_file(loaded: LoadedFile, limits: DateLimits) -> ParsedFile:
    """Type every present allowlisted column and apply the single-column rules."""
    spec = loaded.spec
    values = pd.DataFrame(index=loaded.text.index)
    problems: list[Violation] = []
    for f in spec.fields:
        if f.name not in loaded.text.columns:
            continue
        typed, column_problems = parse_column(loaded.text[f.name], f, limits)
        values[f.name] = typed
        problems += [
            Violation(spec.file_name, int(row), f.name, rule) for row, rule in column_problems
        ]
    problems += schema_violations(values, spec)
    return ParsedFile(loaded, values, problems)


def parse_column(
    text: pd.Series, f: Field, limits: DateLimits
) -> tuple[pd.Series, list[tuple[int, str]]]:
    """Type one column; return the typed values and ``(row, rule)`` for blank/unparsable.

    Blank and unparsable cells become NA. Date bounds are checked here (the earliest
    date, the future, the extract date); category and range rules in :func:`schema_for`.
    """
    blank = text == ""
    problems: list[tuple[int, str]] = []
    if f.value_required:
        problems += [(int(row), BLANK) for row in text.index[blank]]
    if f.kind in ("id", "category"):
        return text.where(~blank), problems
    if f.kind in ("date", "month"):
        parsed = _parse_dates(text) if f.kind == "date" else _parse_months(text)
        rule = NOT_A_DATE if f.kind == "date" else NOT_A_MONTH
        problems += [(int(row), rule) for row in text.index[parsed.isna() & ~blank]]
        problems += _date_bound_problems(parsed, f, limits)
        return parsed, problems
    # At most 9 (whole) or 12 (before the point) digits: no overflow, no silly magnitudes.
    pattern = r"[+-]?\d{1,9}" if f.kind == "integer" else r"[+-]?(\d{1,12}(\.\d*)?|\.\d+)"
    ok = text.str.fullmatch(pattern).fillna(False).astype(bool)
    rule = NOT_A_WHOLE_NUMBER if f.kind == "integer" else NOT_A_NUMBER
    problems += [(int(row), rule) for row in text.index[~ok & ~blank]]
    numbers = pd.to_numeric(text.where(ok), errors="coerce")
    if f.kind == "integer":
        return numbers.astype("Int64"), problems
    return numbers.astype(float), problems


def _date_bound_problems(parsed: pd.Series, f: Field, limits: DateLimits) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    too_early = parsed < f.earliest
    future = parsed > limits.now
    after_extract = ~future & (parsed > limits.extract_date)
    for mask, rule in ((too_early, f.earliest_rule), (future, IN_FUTURE)):
        problems += [(int(row), rule) for row in parsed.index[mask.fillna(False)]]
    problems += [
        (int(row), AFTER_EXTRACT_DATE) for row in parsed.index[after_extract.fillna(False)]
    ]
    return problems


def _parse_dates(text: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` strings (years 1900-2200) -> ``datetime64[ns]``; else (or blank) NaT."""
    as_text = text.astype("string")
    shaped = as_text.str.fullmatch(r"(19|20|21)\d{2}-\d{2}-\d{2}|2200-\d{2}-\d{2}")
    usable = as_text.where(shaped.fillna(False).astype(bool))
    parsed = pd.to_datetime(usable, format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[ns]")


def _parse_months(text: pd.Series) -> pd.Series:
    """``YYYY-MM`` strings (years 1900-2200) -> month start ``datetime64[ns]``; else NaT."""
    as_text = text.astype("string")
    shaped = as_text.str.fullmatch(r"(19|20|21)\d{2}-\d{2}|2200-\d{2}")
    usable = as_text.where(shaped.fillna(False).astype(bool))
    parsed = pd.to_datetime(usable, format="%Y-%m", errors="coerce")
    return parsed.astype("datetime64[ns]")


def schema_for(spec: FileSpec) -> pa.DataFrameSchema:
    """Category and range rules of one file (pandera); blanks are checked elsewhere."""
    columns: dict[str, pa.Column] = {}
    for f in spec.fields:
        checks: list[pa.Check] = []
        if f.kind == "category":
            checks.append(pa.Check.isin(f.allowed, error=not_one_of(f.allowed)))
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum, error=f.range_rule))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum, error=f.range_rule))
        if checks:
            columns[f.name] = pa.Column(checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, coerce=False)


def schema_violations(values: pd.DataFrame, spec: FileSpec) -> list[Violation]:
    """Run :func:`schema_for` lazily; each failing cell becomes a violation (no value)."""
    try:
        schema_for(spec).validate(values, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    violations: list[Violation] = []
    for case in cases.itertuples(index=False):
        row = 0 if case.index is None or pd.isna(case.index) else int(case.index)
        violations.append(Violation(spec.file_name, row, str(case.column), str(case.check)))
    return violations


# --- rules across columns and files ------------------------------------------------------


def cross_file_violations(parsed: dict[str, ParsedFile]) -> list[Violation]:
    """Rules that need several columns or files (each skipped if its inputs are missing)."""
    violations: list[Violation] = []
    participants = parsed.get(PARTICIPANTS.file_name)
    if participants is not None:
        violations += participant_rules(participants)
    events = parsed.get(LEGAL_EVENTS.file_name)
    if events is not None:
        violations += jail_days_rule(events)
    finance = parsed.get(FINANCE.file_name)
    if finance is not None:
        violations += duplicate_row_rule(finance.loaded) + finance_rules(finance)
    for spec in (LEGAL_EVENTS, SERVICES, MONTHLY_STATUS, HEALTH_EVENTS):
        other = parsed.get(spec.file_name)
        if other is None:
            continue
        violations += duplicate_row_rule(other.loaded)
        if spec is MONTHLY_STATUS:
            violations += repeated_month_rule(other)
        if participants is not None and participants.has("person_id") and other.has("person_id"):
            violations += unknown_person_rule(other, participants.typed["person_id"])
    return violations


def _rows(mask: pd.Series) -> list[int]:
    return [int(row) for row in mask.index[mask.fillna(False).astype(bool)]]


def participant_rules(parsed: ParsedFile) -> list[Violation]:
    """Cohort-specific categories, exit fields, age, and unique person ids."""
    values = parsed.typed
    out: list[Violation] = []
    if values.empty and len(parsed.loaded.raw.columns) > 0:
        out.append(Violation(PARTICIPANTS.file_name, 0, "", "no data rows (one person at least)"))

    def flag(mask: pd.Series, column: str, rule: str) -> None:
        out.extend(Violation(PARTICIPANTS.file_name, row, column, rule) for row in _rows(mask))

    if parsed.has("person_id"):
        ids = values["person_id"]
        unique_rule = "repeats an earlier row (person_id must be unique)"
        flag(ids.notna() & ids.duplicated(keep="first"), "person_id", unique_rule)
    if parsed.has("cohort", "referral_type"):
        lead_blank = (values["cohort"] == "lead") & ~parsed.present("referral_type")
        flag(lead_blank, "referral_type", "blank (required for the lead cohort)")
    if parsed.has("cohort", "enrollment_status"):
        cohort, status = values["cohort"], values["enrollment_status"]
        flag(
            (cohort == "lead") & (status == CONTROL_ENROLLMENT_STATUS),
            "enrollment_status",
            f"{not_one_of(LEAD_ENROLLMENT_STATUSES)} (for the lead cohort)",
        )
        flag(
            (cohort == "control") & status.isin(LEAD_ENROLLMENT_STATUSES),
            "enrollment_status",
            f"must be {CONTROL_ENROLLMENT_STATUS} for the control cohort",
        )
    out.extend(exit_rules(parsed))
    out.extend(age_rules(parsed))
    return out


def exit_rules(parsed: ParsedFile) -> list[Violation]:
    """exit_date and exit_reason: present exactly when exited; exit not before referral."""
    values = parsed.typed
    if not parsed.has("enrollment_status"):
        return []
    exited = values["enrollment_status"] == "exited"
    known = values["enrollment_status"].notna()
    out: list[Violation] = []
    for column in ("exit_date", "exit_reason"):
        if not parsed.has(column):
            continue
        present = parsed.present(column)
        out += [
            Violation(PARTICIPANTS.file_name, r, column, REQUIRED_WHEN_EXITED)
            for r in _rows(exited & ~present)
        ]
        out += [
            Violation(PARTICIPANTS.file_name, r, column, BLANK_UNLESS_EXITED)
            for r in _rows(known & ~exited & present)
        ]
    if parsed.has("exit_date", "referral_date"):
        before = values["exit_date"] < values["referral_date"]
        out += [
            Violation(PARTICIPANTS.file_name, r, "exit_date", "before referral_date")
            for r in _rows(before)
        ]
    return out


def age_rules(parsed: ParsedFile) -> list[Violation]:
    """At least one of age_at_referral / birth_year; derived ages 18-100; the two agree."""
    values = parsed.typed
    if not (parsed.has("age_at_referral") or parsed.has("birth_year")):
        return []  # reported as a missing column
    nothing = pd.Series(pd.NA, index=values.index, dtype="Int64")
    age = values["age_at_referral"] if parsed.has("age_at_referral") else nothing
    year = values["birth_year"] if parsed.has("birth_year") else nothing
    referral = values.get("referral_date", pd.Series(pd.NaT, index=values.index))
    derived = age_at(year, referral)
    neither = ~parsed.present("age_at_referral") & ~parsed.present("birth_year")
    out = [
        Violation(PARTICIPANTS.file_name, r, "age_at_referral", AGE_OR_BIRTH_YEAR)
        for r in _rows(neither)
    ]
    outside = age.isna() & ((derived < MIN_AGE) | (derived > MAX_AGE))
    out += [
        Violation(PARTICIPANTS.file_name, r, "birth_year", f"gives an age at referral {AGE_RANGE}")
        for r in _rows(outside)
    ]
    disagree = (age - derived).abs() > 1
    out += [
        Violation(PARTICIPANTS.file_name, r, "birth_year", BIRTH_YEAR_DISAGREES)
        for r in _rows(disagree)
    ]
    return out


def jail_days_rule(parsed: ParsedFile) -> list[Violation]:
    """jail_days belongs to bookings only (blank on a booking = unknown, allowed)."""
    if not parsed.has("event_type", "jail_days"):
        return []
    values = parsed.typed
    mask = parsed.present("jail_days") & (values["event_type"] != "booking")
    return [
        Violation(
            LEGAL_EVENTS.file_name, r, "jail_days", "must be blank unless event_type is booking"
        )
        for r in _rows(mask)
    ]


def duplicate_row_rule(loaded: LoadedFile) -> list[Violation]:
    """Rows identical in every column (dropped ones included) to an earlier row."""
    if loaded.raw.empty:
        return []
    repeated = loaded.raw.duplicated(keep="first")
    return [Violation(loaded.spec.file_name, r, WHOLE_ROW, DUPLICATE_ROW) for r in _rows(repeated)]


def finance_rules(parsed: ParsedFile) -> list[Violation]:
    """fund_source exactly on received rows, spending_category exactly on spent rows, and
    one row per month and source (or category)."""
    values = parsed.typed
    if not parsed.has("flow", "month"):
        return []
    out: list[Violation] = []
    for column, flow in (("fund_source", "received"), ("spending_category", "spent")):
        if not parsed.has(column):
            out.append(Violation(FINANCE.file_name, 1, column, MISSING_COLUMN))
            continue
        present = parsed.present(column)
        mine = values["flow"] == flow
        other = values["flow"].notna() & ~mine
        out += [
            Violation(FINANCE.file_name, r, column, f"blank (required when flow is {flow})")
            for r in _rows(mine & ~present)
        ]
        out += [
            Violation(FINANCE.file_name, r, column, f"must be blank unless flow is {flow}")
            for r in _rows(other & present)
        ]
    if parsed.has("fund_source", "spending_category"):
        exact = parsed.loaded.raw.duplicated(keep="first")
        key = ["month", "flow", "fund_source", "spending_category"]
        keyed = values["month"].notna() & values["flow"].notna()
        repeated = keyed & values.duplicated(subset=key, keep="first") & ~exact
        out += [
            Violation(
                FINANCE.file_name,
                r,
                "month",
                "a second row for the same month, flow and source or category",
            )
            for r in _rows(repeated)
        ]
    return out


def repeated_month_rule(parsed: ParsedFile) -> list[Violation]:
    """A second (different) row for the same person and month in monthly_status.csv."""
    if not parsed.has("person_id", "month") or parsed.loaded.raw.empty:
        return []
    values = parsed.typed
    exact = parsed.loaded.raw.duplicated(keep="first")
    keyed = values["person_id"].notna() & values["month"].notna()
    repeated = keyed & values.duplicated(subset=["person_id", "month"], keep="first") & ~exact
    return [
        Violation(
            MONTHLY_STATUS.file_name, r, "month", "a second row for the same person_id and month"
        )
        for r in _rows(repeated)
    ]


def unknown_person_rule(parsed: ParsedFile, known_ids: pd.Series) -> list[Violation]:
    ids = parsed.typed["person_id"]
    unknown = ids.notna() & ~ids.isin(set(known_ids.dropna()))
    rule = f"not in {PARTICIPANTS.file_name}"
    return [Violation(parsed.loaded.spec.file_name, r, "person_id", rule) for r in _rows(unknown)]


# --- de-identified frames ---------------------------------------------------------------


def deidentify_participants(values: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """participants.csv -> keyed, banded, month-coarsened frame (exact dates kept in memory)."""
    nothing = pd.Series(pd.NA, index=values.index, dtype="Int64")
    age = values["age_at_referral"] if "age_at_referral" in values.columns else nothing
    if "birth_year" in values.columns:
        age = age.fillna(age_at(values["birth_year"], values["referral_date"]))
    control = values["cohort"] == "control"
    frame = pd.DataFrame(
        {
            "person_key": pseudonymise(values["person_id"], key),
            "cohort": values["cohort"],
            "referral_date": values["referral_date"],
            "referral_month": month_start(values["referral_date"]),
            "referral_type": values["referral_type"].where(~control, "not_applicable"),
            "age_band": age_band(age),
            "gender": values["gender"],
            "race_ethnicity": values["race_ethnicity"],
            "housing_status_at_referral": values["housing_status_at_referral"],
            "enrollment_status": values["enrollment_status"],
            "exit_date": values["exit_date"],
            "exit_month": month_start(values["exit_date"]),
            "exit_reason": values["exit_reason"].fillna(""),
        }
    )
    return _tidy(frame)


def deidentify_legal_events(values: pd.DataFrame, key: bytes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_key": pseudonymise(values["person_id"], key),
            "event_date": values["event_date"],
            "event_month": month_start(values["event_date"]),
            "event_type": values["event_type"],
            "charge_level": values["charge_level"],
            "offense_category": values["offense_category"],
            "jail_days": values["jail_days"]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan),
            "warrant_flag": (values["warrant_flag"] == "true").astype(bool),
        }
    )
    return _tidy(frame)


def deidentify_services(values: pd.DataFrame, key: bytes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_key": pseudonymise(values["person_id"], key),
            "contact_date": values["contact_date"],
            "contact_month": month_start(values["contact_date"]),
            "service_type": values["service_type"],
            "cost_usd": values["cost_usd"].astype(float),
        }
    )
    return _tidy(frame)


def deidentify_monthly_status(values: pd.DataFrame, key: bytes) -> pd.DataFrame:
    flag = values["has_income_or_benefits"]
    income = pd.array(
        [True if v == "true" else False if v == "false" else pd.NA for v in flag],
        dtype="boolean",
    )
    frame = pd.DataFrame(
        {
            "person_key": pseudonymise(values["person_id"], key),
            "month": values["month"],
            "housing_status": values["housing_status"],
            "employment_status": values["employment_status"],
            "has_income_or_benefits": pd.Series(income, index=values.index),
        }
    )
    # Drug use and treatment: NaN / "" where not assessed or not in the file (never 0).
    for substance in SUBSTANCES:
        column = f"days_use_{substance}"
        frame[column] = (
            values[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if column in values.columns
            else np.nan
        )
    for column in ("treatment", "assessment_source"):
        frame[column] = values[column].fillna("") if column in values.columns else ""
    return _tidy(frame)


def deidentify_health_events(values: pd.DataFrame, key: bytes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_key": pseudonymise(values["person_id"], key),
            "event_date": values["event_date"],
            "event_month": month_start(values["event_date"]),
            "event_type": values["event_type"],
        }
    )
    return _tidy(frame)


def tidy_finance(values: pd.DataFrame) -> pd.DataFrame:
    """Finance rows hold no person: month, flow, source or category ("" if none), amount."""
    frame = pd.DataFrame(
        {
            "month": values["month"],
            "flow": values["flow"],
            "fund_source": values["fund_source"].fillna(""),
            "spending_category": values["spending_category"].fillna(""),
            "amount_usd": values["amount_usd"].astype(float),
        }
    )
    return _tidy(frame)


def _absent(file_name: str) -> pd.DataFrame:
    """The typed columns of an optional file that the extract does not include (no rows)."""
    spec = next(s for s in FILE_SPECS if s.file_name == file_name)
    columns = {
        f.name: pd.Series(dtype="datetime64[ns]" if f.kind in ("date", "month") else "string")
        for f in spec.fields
    }
    return pd.DataFrame(columns)


DEIDENTIFIERS: dict[str, Callable[[pd.DataFrame, bytes], pd.DataFrame]] = {
    PARTICIPANTS.file_name: deidentify_participants,
    LEGAL_EVENTS.file_name: deidentify_legal_events,
    SERVICES.file_name: deidentify_services,
    MONTHLY_STATUS.file_name: deidentify_monthly_status,
    HEALTH_EVENTS.file_name: deidentify_health_events,
    FINANCE.file_name: lambda values, _key: tidy_finance(values),
}


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """RangeIndex; text columns as pandas strings; dates as ``datetime64[ns]``."""
    tidy = frame.reset_index(drop=True)
    for column in tidy.columns:
        if tidy[column].dtype == object or isinstance(tidy[column].dtype, pd.StringDtype):
            tidy[column] = tidy[column].astype(str)
        elif pd.api.types.is_datetime64_any_dtype(tidy[column]):
            tidy[column] = tidy[column].astype("datetime64[ns]")
    return tidy


def check_unique_keys(values: pd.DataFrame, participants: pd.DataFrame) -> None:
    """Two different person ids must not share a key (64-bit keys: astronomically rare)."""
    if participants["person_key"].nunique() != values["person_id"].nunique():
        raise ProgramExtractError(
            [
                Violation(
                    PARTICIPANTS.file_name,
                    0,
                    "",
                    "two person ids share a keyed hash; rerun with a different PROGRAM_ID_SECRET",
                )
            ]
        )


# --- provenance of the run --------------------------------------------------------------


def source_result(parsed: ParsedFile, frame: pd.DataFrame, provenance: Provenance) -> SourceResult:
    """Counts, checksum and watermark of one file; the frame has rows but no columns."""
    spec = parsed.loaded.spec
    info = SourceInfo(
        source_id=spec.source_id,
        title=spec.title,
        publisher=provenance.producer,
        url="",
        licence=LICENCE,
        is_synthetic=provenance.is_synthetic,
    )
    rows = len(parsed.typed)
    result = SourceResult(
        info=info,
        location=str(parsed.loaded.location),
        sha256=parsed.loaded.sha256,
        rows_read=rows,
        frame=pd.DataFrame(index=pd.RangeIndex(rows)),
        watermark=_watermark(frame),
    )
    assert result.rows_read == result.rows_accepted + result.rows_rejected, spec.file_name
    return result


def _watermark(frame: pd.DataFrame) -> datetime | None:
    """The month of the latest date in a de-identified frame, as its first day.

    Coarsened to the month because the watermark is published (``etl_run_source``) and the
    latest exact date in a program file is some participant's date.
    """
    dates = [
        frame[c].max()
        for c in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[c]) and not c.endswith("_month")
    ]
    known = [d for d in dates if not pd.isna(d)]
    if not known:
        return None
    latest: pd.Timestamp = max(known)
    return latest.to_period("M").start_time.to_pydatetime()


def _naive_timestamp(now: datetime | None) -> pd.Timestamp:
    stamp = pd.Timestamp(now or datetime.now())
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _violation_order(v: Violation) -> tuple[int, int, int, str, str]:
    spec = next((s for s in FILE_SPECS if s.file_name == v.file), None)
    position = spec.column_position(v.column) if spec else 0
    return (FILE_ORDER.get(v.file, 99), v.row, position, v.column, v.rule)
