"""What every source module shares: provenance, reading bytes, rejected-row reports.

A source module reads one file or URL into a :class:`SourceResult`: the accepted rows,
normalized, plus a :class:`Rejection` for every row it could not accept. Rows never
disappear silently: ``rows_read == rows_accepted + rows_rejected`` is checked.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import requests

REPLACEMENT_CHAR = "\ufffd"


class SourceError(Exception):
    """An input that cannot be used at all (missing file, schema drift, corrupt CSV).

    The message names the file and, where it applies, the column and value. The whole
    run fails and the previously published data keep serving.
    """


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of a source, recorded in ``etl_run_source`` and shown on the site."""

    source_id: str
    title: str
    publisher: str
    url: str
    licence: str
    is_synthetic: bool = False


@dataclass(frozen=True)
class Rejection:
    """One quarantined row. ``row_number`` counts the header as row 1 (as a spreadsheet)."""

    file: str
    row_number: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """What one input file (or live dataset) covers, from its own records: its complete
    months (:func:`etl.indicators.incidents.coverage_months`), the areas it holds records
    for and the categories it holds. A figure is published only for an (area, month,
    category) that some file covers."""

    location: str
    first_month: pd.Timestamp
    last_month: pd.Timestamp
    areas: tuple[str, ...]
    groups: tuple[str, ...]


@dataclass
class SourceResult:
    info: SourceInfo
    location: str
    sha256: str
    rows_read: int
    frame: pd.DataFrame
    rejections: list[Rejection] = field(default_factory=list)
    watermark: datetime | None = None
    coverage: Coverage | None = None  # set by the pipeline for neighbourhood sources

    @property
    def rows_rejected(self) -> int:
        return len({r.row_number for r in self.rejections})

    @property
    def rows_accepted(self) -> int:
        return len(self.frame)


def display_name(location: str) -> str:
    """The file name (or URL) used in messages: never a full local path."""
    if location.startswith(("http://", "https://")):
        return location
    return Path(location).name


def read_bytes(location: str, timeout_seconds: int) -> bytes:
    """Read a local path or an http(s) URL; raise :class:`SourceError` with the reason."""
    name = display_name(location)
    if location.startswith(("http://", "https://")):
        try:
            response = requests.get(location, timeout=timeout_seconds)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SourceError(f"{name}: could not download: {exc}") from exc
        return response.content
    try:
        return Path(location).read_bytes()
    except OSError as exc:
        raise SourceError(f"{name}: could not read file: {exc.strerror}") from exc


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_csv_as_text(content: bytes, location: str) -> tuple[pd.DataFrame, list[Rejection]]:
    """Parse CSV bytes into a frame of strings (blank cells are ``""``).

    Decodes UTF-8 and drops a byte-order mark. A row that is not valid UTF-8 or has the
    wrong number of fields does not fail the file: it is rejected with its line number, so
    one bad row in a large export costs one row, not the run. Every value stays a string;
    typing is the source module's job, so report numbers and zero-padded codes keep their
    exact text. The frame's index is the line number where each record starts.
    """
    name = display_name(location)
    try:
        text = content.decode("utf-8-sig")
        has_bad_bytes = False
    except UnicodeDecodeError:
        # Keep going: the rows holding the bad bytes are rejected below, not the file.
        text = content.decode("utf-8-sig", errors="replace")
        has_bad_bytes = True
    if not text.strip():
        raise SourceError(f"{name}: the file is empty")
    # strict: a quoted field still open at the end of the file is an error, not one huge row
    # that silently swallows every record after it (a truncated download looks like that).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except csv.Error as exc:
        raise SourceError(f"{name}: not a readable CSV file: {exc}") from exc
    if any(REPLACEMENT_CHAR in column for column in header):
        raise SourceError(f"{name}: the header row is not valid UTF-8")
    if len(set(header)) != len(header):
        raise SourceError(f"{name}: the header repeats a column name: {header}")
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    rejections: list[Rejection] = []
    start_line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise SourceError(f"{name}, line {start_line}: not a readable CSV row: {exc}") from exc
        line = start_line
        start_line = reader.line_num + 1
        if not record or all(not field.strip() for field in record):
            continue
        problem = _row_problem(record, header, has_bad_bytes)
        if problem is not None:
            column, value, reason = problem
            rejections.append(Rejection(name, line, column, value, reason))
            continue
        rows.append(record)
        line_numbers.append(line)
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(line_numbers, name="row_number"))
    return frame.astype(str), rejections


def _row_problem(
    record: list[str], header: list[str], has_bad_bytes: bool
) -> tuple[str, str, str] | None:
    if len(record) != len(header):
        value = ",".join(record)[:200]
        return "(whole row)", value, f"expected {len(header)} fields, found {len(record)}"
    if not has_bad_bytes:
        return None
    for column, cell in zip(header, record, strict=True):
        if REPLACEMENT_CHAR in cell:
            return column, cell, "not valid UTF-8"
    return None


def rejections_frame(rejections: list[Rejection]) -> pd.DataFrame:
    columns = ["file", "row_number", "column", "value", "reason"]
    return pd.DataFrame([r.__dict__ for r in rejections], columns=columns)


@dataclass(frozen=True)
class FileContext:
    """What a rejection needs to name its row as the file shows it."""

    name: str
    headers: dict[str, str]  # our column name -> this file's own header
    text: pd.DataFrame  # this file's values as text (our column names), indexed by line

    def rejection(self, index: Hashable, column: str, reason: str) -> Rejection:
        row_number = int(str(index))
        value = str(self.text.loc[row_number, column]) if column in self.text.columns else ""
        return Rejection(self.name, row_number, self.headers.get(column, column), value, reason)


def match_layout(
    raw: pd.DataFrame,
    name: str,
    layouts: Mapping[str, Mapping[str, str]],
    required: Iterable[str],
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename ``raw``'s columns with the closest known header layout.

    Unknown columns (schema drift) and missing required columns fail loudly, naming the
    file, the columns and the closest layout. Returns the renamed frame and, for messages,
    our column name -> the file's own header.
    """
    columns = set(raw.columns)
    best_label, best_map = min(
        layouts.items(), key=lambda item: len(columns.symmetric_difference(item[1]))
    )
    needed = set(required)
    unknown = sorted(columns - set(best_map))
    missing = sorted(
        header for header, ours in best_map.items() if ours in needed and header not in columns
    )
    if missing:
        raise SourceError(
            f"{name}: required column(s) missing: {', '.join(missing)} "
            f"(closest known layout: {best_label})"
        )
    if unknown:
        raise SourceError(
            f"{name}: unexpected column(s) {', '.join(repr(c) for c in unknown)} "
            f"(closest known layout: {best_label}); the source schema may have changed"
        )
    headers = {ours: header for header, ours in best_map.items()}
    return raw.rename(columns=dict(best_map)), headers


def validate_rows(
    frame: pd.DataFrame,
    context: FileContext,
    schema: pa.DataFrameSchema,
    reason: Callable[[str], str] = str,
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Check every row against a pandera ``schema``; failing rows are quarantined.

    ``reason`` turns pandera's check name into the reason shown in the quarantine report.
    """
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rejections: list[Rejection] = []
    for case in cases.itertuples(index=False):
        index = case.index
        if index is None or pd.isna(index):
            raise SourceError(
                f"{context.name}: {case.check} failed for column {case.column}"
            ) from None
        rejections.append(context.rejection(index, str(case.column), reason(str(case.check))))
    bad = sorted({r.row_number for r in rejections})
    return schema.validate(frame.drop(index=bad)), rejections


def drop_repeated_keys(
    frame: pd.DataFrame, context: FileContext, key: str, reason: str
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Keep the first row of each ``key``; later repeats are quarantined with ``reason``."""
    repeated = frame[key].duplicated(keep="first")
    rejections = [context.rejection(index, key, reason) for index in frame.index[repeated]]
    return frame[~repeated], rejections
