"""The steps every neighborhood source runs on its file, one chunk at a time.

A source module names its steps (header layouts, typing, row rules, the key whose repeats
are quarantined); :func:`read_checked` runs them over the file's chunks
(:mod:`etl.sources.csv_stream`), so a file of millions of rows never sits in memory as
text, and then quarantines repeated keys across the whole file. Every step is row by row
except the last, so chunking changes nothing a reader sees: the same rows are accepted,
and the same rejections are reported, in the same order for a file of one chunk (for a
larger one, rejections come stage by stage, each stage in file order chunk after chunk).
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
from pandas.api.types import union_categoricals

from etl.sources import csv_stream
from etl.sources.common import (
    FileContext,
    Rejection,
    SourceError,
    display_name,
    drop_repeated_keys,
    read_bytes,
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
    frames: list[pd.DataFrame] = []
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
            frames.append(_compact(checked, steps.categorical))
            # The key as the file wrote it, for the duplicate report, where typing changed it.
            written = renamed.loc[checked.index, steps.key]
            written_keys.append(written[written != checked[steps.key]])
    frame = _combine(frames)
    key_text = frame[[steps.key]].copy()
    changed = pd.concat(written_keys)
    if len(changed):
        key_text.loc[changed.index, steps.key] = changed
    kept, duplicates = drop_repeated_keys(
        frame, FileContext(name, headers, key_text), steps.key, steps.duplicate_reason
    )
    rejections = read_rejections + parse_rejections + check_rejections + duplicates
    return Checked(kept, rejections, rows_read, found.sha256)


def _compact(frame: pd.DataFrame, categorical: tuple[str, ...]) -> pd.DataFrame:
    columns = [c for c in categorical if c in frame.columns]
    return frame.astype(dict.fromkeys(columns, "category")) if columns else frame


def _combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunks as one frame; categorical columns are joined by their codes, so no
    column is ever held as text for the whole file."""
    if len(frames) == 1:
        return frames[0]
    first = frames[0]
    index = pd.Index(np.concatenate([f.index.to_numpy() for f in frames]), name=first.index.name)
    columns: dict[str, pd.Series | pd.Categorical] = {}
    for column in first.columns:
        parts = [f[column] for f in frames]
        if isinstance(first[column].dtype, pd.CategoricalDtype):
            columns[column] = union_categoricals(parts)
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    combined = pd.DataFrame(columns, copy=False)
    combined.index = index
    return combined
