"""What every source module shares: provenance, reading bytes, rejected-row reports.

A source module reads one file or URL into a :class:`SourceResult`: the accepted rows,
normalized, plus a :class:`Rejection` for every row it could not accept. Rows never
disappear silently: ``rows_read == rows_accepted + rows_rejected`` is checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
import requests

REPLACEMENT_CHAR = "\ufffd"


class SourceError(Exception):
    """An input that cannot be used at all (missing file, schema drift, corrupt CSV).

    The message names the file and, where it applies, the column and value. The whole
    run fails and the previously published data keep serving.
    """


class UnreadableRow(SourceError):
    """A row the CSV reader cannot parse at all (an unclosed quote, a field over the
    reader's size limit): the file fails, and the message names the line and the problem,
    never the row's content."""

    def __init__(self, name: str, line: int, problem: str) -> None:
        super().__init__(f"{name}, line {line}: not a readable CSV row: {problem}")
        self.line = line
        self.problem = problem


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
    exact text. The frame's index is the line number where each record starts. An empty
    file, an unreadable header, an unclosed quote or a malformed quoted field fails the
    file (:class:`SourceError`, naming the line). Large files are read in chunks by
    :mod:`etl.sources.csv_stream`, with the same results.
    """
    from etl.sources import csv_stream  # noqa: PLC0415 - csv_stream builds on this module

    return csv_stream.read_all(content, location)


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
    repeated = repeated_values(frame[key])
    if not repeated.any():
        return frame, []
    rejections = [context.rejection(index, key, reason) for index in frame.index[repeated]]
    return frame[~repeated], rejections


def repeated_values(values: pd.Series) -> np.ndarray:
    """True for each value that appeared earlier (``duplicated(keep="first")``), in Arrow.

    pandas turns millions of Arrow strings into Python objects to find repeats (800 MB and
    3 s for 5 million ids). Here the values are sorted (stably, so equal values keep file
    order) and each value equal to the one sorted before it is a repeat: 80 MB, 0.4 s.
    """
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        # Integer keys (:func:`plain_integers`): the same, in numpy.
        integers = values.to_numpy()
        order = np.argsort(integers, kind="stable")
        ordered = integers[order]
        integer_repeats = np.zeros(len(values), dtype=bool)
        integer_repeats[order[1:][ordered[1:] == ordered[:-1]]] = True
        return integer_repeats
    array = values.array.__arrow_array__() if hasattr(values.array, "__arrow_array__") else None
    if array is None or values.hasnans:
        return values.duplicated(keep="first").to_numpy()
    if isinstance(array, pyarrow.ChunkedArray):
        array = array.combine_chunks()
    repeated = np.zeros(len(array), dtype=bool)
    if len(array) < 2:
        return repeated
    order = pc.array_sort_indices(array)
    ordered = pc.take(array, order)
    same = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
    later = order.to_numpy()[1:]
    repeated[later[same.to_numpy(zero_copy_only=False)]] = True
    return repeated


# A plain integer's text: 0, or an optional minus and digits with no leading zero (at most
# 19 digits; the cast below refuses the few of them beyond int64).
_PLAIN_INTEGER = r"^(0|-?[1-9][0-9]{0,18})$"


def plain_integers(values: pd.Series) -> np.ndarray | None:
    """``values`` (text) as int64 when every one is a plain integer's text, else None.

    Each such text is exactly ``str`` of its number (no sign, space or leading zero to
    lose), so ids held this way take 8 bytes a row instead of their text's 20 or so and
    compare exactly as their texts do. ``["12", "-3", "0"]`` -> ``[12, -3, 0]``;
    ``["12", "012"]``, ``["1.0"]`` or ``[" 1"]`` -> None.
    """
    if values.empty:
        return np.zeros(0, dtype=np.int64)
    if values.hasnans:
        return None
    try:
        array = pyarrow.array(values)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):  # not all text
        return None
    if not (pyarrow.types.is_string(array.type) or pyarrow.types.is_large_string(array.type)):
        return None
    if not pc.all(pc.match_substring_regex(array, _PLAIN_INTEGER)).as_py():
        return None
    try:
        integers = pc.cast(array, pyarrow.int64())
    except pyarrow.ArrowInvalid:  # beyond int64
        return None
    return np.asarray(integers.to_numpy(), dtype=np.int64)
