"""The steps every neighborhood source runs on its file, one chunk at a time.

A source module names its steps (header layouts, typing, row rules, the key whose repeats
are quarantined); :func:`read_checked` runs them over the file's chunks
(:mod:`etl.sources.csv_stream`), so a file of millions of rows never sits in memory as
text, and then quarantines repeated keys across the whole file. Every step is row by row
except the last, so chunking changes nothing a reader sees: the same rows are accepted,
and the same rejections are reported, in the same order for a file of one chunk (for a
larger one, rejections come stage by stage, each stage in file order chunk after chunk).

Once a chunk is validated, only what the caller keeps stays in memory (:attr:`Steps.keep`,
:attr:`Steps.integer_key`): for millions of rows every other column, and every key held
as text, would cost more than everything the indicators use.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from pandas.api.types import union_categoricals

from etl.memory import release_freed_memory
from etl.sources import csv_stream
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceError,
    display_name,
    plain_integers,
    read_bytes,
    repeated_values,
)

Renamer = Callable[[pd.DataFrame, str], tuple[pd.DataFrame, dict[str, str]]]
Typer = Callable[[pd.DataFrame, FileContext], tuple[pd.DataFrame, list[Rejection]]]
Checker = Callable[[pd.DataFrame, FileContext], tuple[pd.DataFrame, list[Rejection]]]


@dataclass(frozen=True)
class Steps:
    rename: Renamer  # any known header layout -> our names (unknown columns fail the file)
    parse_types: Typer  # text -> typed values; unreadable values are rejected
    check: Checker  # the row rules (pandera); failing rows are rejected
    key: str  # our name of the column whose repeats are quarantined
    duplicate_reason: str
    # Columns of few distinct values (areas, categories) kept as categoricals: one or two
    # bytes a row instead of the text, so millions of rows stay small.
    categorical: tuple[str, ...] = ()
    # The columns kept once a chunk is validated (empty: all of them); must hold ``key``.
    keep: tuple[str, ...] = ()
    # Hold the key as int64 when every key in the file is a plain integer's text
    # (:func:`plain_integers`): 8 bytes a row instead of about 20, and no text is lost.
    integer_key: bool = False


@dataclass
class Checked:
    """A file's accepted rows (indexed by line) and everything rejected from it."""

    frame: pd.DataFrame
    rejections: list[Rejection]
    rows_read: int
    sha256: str


@contextmanager
def open_source(location: str, timeout_seconds: int) -> Iterator[BinaryIO]:
    """A local file opened for reading, or an http(s) download held in memory."""
    if location.startswith(("http://", "https://")):
        yield io.BytesIO(read_bytes(location, timeout_seconds))
        return
    try:
        stream = Path(location).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise SourceError(f"{display_name(location)}: could not read file: {exc.strerror}") from exc
    with stream:
        yield stream


def read_checked(location: str, timeout_seconds: int, steps: Steps) -> Checked:
    """Read, type and check one file chunk by chunk; then quarantine repeated keys."""
    name = display_name(location)
    read_rejections: list[Rejection] = []
    parse_rejections: list[Rejection] = []
    check_rejections: list[Rejection] = []
    chunks: list[_Chunk] = []
    written_keys: list[pd.Series] = []
    headers: dict[str, str] = {}
    rows_read = 0
    with open_source(location, timeout_seconds) as stream:
        found = csv_stream.scan(stream)
        opened = csv_stream.open_chunks(stream, name, found)
        for raw, bad in opened.chunks:
            rows_read += len(raw) + len(bad)
            read_rejections += bad
            renamed, headers = steps.rename(raw, name)
            context = FileContext(name, headers, renamed)
            typed, rejected = steps.parse_types(renamed, context)
            parse_rejections += rejected
            checked, rejected = steps.check(typed, context)
            check_rejections += rejected
            # The key as the file wrote it, for the duplicate report, where typing changed it.
            written = renamed.loc[checked.index, steps.key]
            written_keys.append(written[written != checked[steps.key]])
            chunks.append(_kept(checked, steps))
    frame = _combine(chunks, steps.key if steps.integer_key else None)
    kept, duplicates = _drop_repeated(frame, name, headers, steps, written_keys)
    rejections = read_rejections + parse_rejections + check_rejections + duplicates
    return Checked(kept, rejections, rows_read, found.sha256)


def _drop_repeated(
    frame: pd.DataFrame,
    name: str,
    headers: dict[str, str],
    steps: Steps,
    written_keys: list[pd.Series],
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Keep the first row of each key; later repeats are quarantined, each with its key as
    the file wrote it (the text is made for the repeated rows only, not the whole file)."""
    repeated = repeated_values(frame[steps.key])
    if not repeated.any():
        return frame, []
    text = _key_text(frame.loc[repeated, steps.key], pd.concat(written_keys))
    context = FileContext(name, headers, text.to_frame(steps.key))
    rejections = [context.rejection(i, steps.key, steps.duplicate_reason) for i in text.index]
    return _rows(frame, ~repeated), rejections


def _key_text(keys: pd.Series, changed: pd.Series) -> pd.Series:
    """``keys`` (indexed by line) as the file wrote them: their text (an integer key's text
    is its number's), or the written text where typing changed it (``changed``)."""
    text = keys.astype(str)
    written = changed[changed.index.isin(text.index)]
    text.loc[written.index] = written
    return text


Column = np.ndarray | ExtensionArray


@dataclass
class _Chunk:
    """One validated chunk's kept columns, each in its own buffer, so a column dropped
    from a chunk frees its memory (a frame's columns of one type share a block)."""

    index: pd.Index
    columns: dict[str, Column]


def _kept(frame: pd.DataFrame, steps: Steps) -> _Chunk:
    kept = [c for c in frame.columns if c in steps.keep] if steps.keep else list(frame.columns)
    columns: dict[str, Column] = {}
    for column in kept:
        values = frame[column]
        if column == steps.key and steps.integer_key:
            columns[column] = _integer_or_text(values)
        elif column in steps.categorical:
            columns[column] = values.astype("category").array
        elif isinstance(values.dtype, np.dtype):
            columns[column] = values.to_numpy(copy=True)
        else:
            columns[column] = values.array
    return _Chunk(frame.index, columns)


def _rows(frame: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    """``frame[wanted]`` a column at a time, each released from ``frame`` once copied."""
    index = frame.index[wanted]
    columns: dict[str, Column] = {}
    for column in list(frame.columns):
        values = frame.pop(column)
        is_numpy = isinstance(values.dtype, np.dtype)
        columns[column] = values.to_numpy()[wanted] if is_numpy else values.array[wanted]
    rows = pd.DataFrame(columns, copy=False)
    rows.index = index
    return rows


def _integer_or_text(values: pd.Series) -> Column:
    integers = plain_integers(values)
    return values.array if integers is None else integers


def _combine(chunks: list[_Chunk], integer_key: str | None) -> pd.DataFrame:
    """The chunks as one frame, a column at a time: each column's chunks are released as
    soon as it is joined, so the file is never held twice. Categorical columns are joined
    by their codes, so no column is ever held as text for the whole file."""
    first = chunks[0]
    if len(chunks) == 1:
        frame = pd.DataFrame(first.columns, copy=False)
        frame.index = first.index
        return frame
    index = pd.Index(np.concatenate([c.index.to_numpy() for c in chunks]), name=first.index.name)
    columns: dict[str, pd.Series] = {}
    for column in list(first.columns):
        parts = [chunk.columns.pop(column) for chunk in chunks]
        columns[column] = _joined(_one_key_type(parts) if column == integer_key else parts)
        del parts
        release_freed_memory()  # the column's chunks, before the next column is joined
    combined = pd.DataFrame(columns, copy=False)
    combined.index = index
    return combined


def _joined(parts: list[Column]) -> pd.Series:
    series = [pd.Series(part, copy=False) for part in parts]
    if isinstance(parts[0], pd.Categorical):
        return pd.Series(union_categoricals(series), copy=False)
    return pd.concat(series, ignore_index=True)


def _one_key_type(parts: list[Column]) -> list[Column]:
    """Integer keys in some chunks and text in others: all as text, which is exact (each
    integer key's text is its number's)."""
    text = next((p.dtype for p in parts if not isinstance(p, np.ndarray)), None)
    if text is None:
        return parts
    return [pd.Series(p).astype(text).array if isinstance(p, np.ndarray) else p for p in parts]
