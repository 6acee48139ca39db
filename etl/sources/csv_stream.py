"""Reading a large CSV export in chunks, with the exact results of :func:`read_csv_as_text`.

A city-wide export (all of SPD's NIBRS offenses, millions of 911 calls) does not fit the
one-pass reader in :mod:`etl.sources.common`, which holds the bytes, the decoded text and
a Python list of every row at once (2.5 GB for a million NIBRS rows). This module reads
the file in chunks of :data:`CHUNK_ROWS` records, so memory is bounded by a chunk, and
gives every chunk exactly what the one-pass reader would: a frame of strings indexed by
the line where each record starts, and a :class:`Rejection` for every row with the wrong
number of fields (rows whose fields are all blank are skipped, as there).

Two ways of reading, chosen per file by a first pass over its bytes (which also computes
the SHA-256):

* **columnar** (Apache Arrow's CSV reader, ``pyarrow.csv.open_csv``): used when the file
  is valid UTF-8, ends lines with ``\\n`` or ``\\r\\n``, and has an even number of quote
  characters with no quote where a strict CSV reader would refuse one (after the
  closing quote of a field, or inside an unquoted field). Arrow does not know line
  numbers, so they are counted: Arrow numbers every record, good or bad, and a record
  spans one line plus the line breaks inside its quoted fields. A chunk is about
  :data:`BLOCK_BYTES` of text, read by Arrow in smaller blocks (:mod:`csv_blocks`).
* **exact** (the standard library's ``csv`` reader, row by row, as the one-pass reader):
  every other file. It is slower but knows every byte's line, rejects a row holding bytes
  that are not UTF-8 (naming the column), and reports an unclosed quote or a malformed
  quoted field with the line where its record starts.

Either way the rows, line numbers, rejections and messages are the same (tested on the
same inputs in ``tests/unit/test_csv_stream.py``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.sources import csv_blocks
from etl.sources.common import (
    REPLACEMENT_CHAR,
    Rejection,
    SourceError,
    UnreadableRow,
    display_name,
)

# The exact reader holds a chunk as Python lists of strings: 50,000 rows read as fast as
# 200,000 and hold a quarter as much (a million NIBRS rows: 330 MB at most, not 670 MB).
CHUNK_ROWS = 50_000
BLOCK_BYTES = 8 << 20  # the scan's block, and the text of one chunk of the columnar reader
# The standard library's csv field size limit: a longer field fails the file.
FIELD_LIMIT = csv.field_size_limit()
OVERLONG_FIELD = f"a field longer than the {FIELD_LIMIT:,} characters a field may have"
_QUOTE, _COMMA, _LF, _CR = 34, 44, 10, 13


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes found."""

    sha256: str
    valid_utf8: bool
    blank: bool  # nothing but a byte-order mark and white space
    columnar: bool  # safe for the columnar reader
    longest_record: int  # in bytes (:class:`csv_blocks.RecordLengths`; for a columnar file)


@dataclass
class CsvChunks:
    """A file being read: its header, SHA-256, and an iterator of (frame, rejections)."""

    header: list[str]
    sha256: str
    chunks: Iterator[tuple[pd.DataFrame, list[Rejection]]]
    columnar: bool


def scan(stream: BinaryIO) -> Scan:
    """One pass over the bytes: hash, UTF-8 validity, and whether the columnar reader fits."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    valid = True
    blank = True
    quotes = 0
    lone_cr = False
    odd_quote = False
    previous = b"\n"  # the file starts like a line: a quote there opens a field
    lengths = csv_blocks.RecordLengths()
    while block := stream.read(BLOCK_BYTES):
        digest.update(block)
        lengths.add(block)
        if valid:
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                valid = False
                blank = False  # bytes that are not UTF-8 are content (U+FFFD), not space
            else:
                blank = blank and not text.strip()
        # The previous block's last two bytes come first: its last byte, a carriage return
        # or a quote, is judged here, with the byte after it.
        joined = previous + block
        lone_cr = lone_cr or joined.count(b"\r", 1, -1) != joined.count(b"\r\n", 1)
        in_block = block.count(b'"')
        quotes += in_block
        if (in_block or joined[1:2] == b'"') and not odd_quote:
            odd_quote = _has_strict_quote_error(np.frombuffer(joined, dtype=np.uint8))
        previous = joined[-2:]
    if valid:
        try:
            blank = blank and not decoder.decode(b"", final=True).strip()
        except UnicodeDecodeError:
            valid = blank = False
    lone_cr = lone_cr or previous.endswith(b"\r")
    columnar = valid and not lone_cr and not odd_quote and quotes % 2 == 0
    return Scan(digest.hexdigest(), valid, blank, columnar, lengths.result())


def _has_strict_quote_error(joined: np.ndarray) -> bool:
    """A quote with neither a field start nor a quote before it, and neither a field end
    nor a quote after it: a strict reader refuses it (``"ab"cd``, ``ab"cd``). ``joined``
    is the previous block's last two bytes (a line break before the first block), then
    this block; position 0 was judged with the previous block, and this block's last
    byte is judged with the next one."""
    positions = np.flatnonzero(joined[1:-1] == _QUOTE) + 1
    if positions.size == 0:
        return False
    before = joined[positions - 1]
    after = joined[positions + 1]
    opens = np.isin(before, (_COMMA, _LF, _QUOTE))
    closes = np.isin(after, (_COMMA, _CR, _LF, _QUOTE))
    return bool(np.any(~opens & ~closes))


def checked_header(record: list[str], name: str) -> list[str]:
    """The header row's names (trimmed); non-UTF-8 or repeated names fail the file."""
    header = [column.strip() for column in record]
    if any(REPLACEMENT_CHAR in column for column in header):
        raise SourceError(f"{name}: the header row is not valid UTF-8")
    if len(set(header)) != len(header):
        raise SourceError(f"{name}: the header repeats a column name: {header}")
    return header


def open_chunks(stream: BinaryIO, name: str, found: Scan) -> CsvChunks:
    """Read ``stream`` (seekable, binary) in chunks, by the reader ``found`` allows.

    Raises :class:`SourceError` for an empty file or an unreadable header row.
    """
    if found.blank:
        raise SourceError(f"{name}: the file is empty")
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text, strict=True)
    try:
        first = next(reader)
    except csv.Error as exc:
        raise SourceError(f"{name}: not a readable CSV file: {exc}") from exc
    header = checked_header(first, name)
    # The columnar reader counts the header as one line: a quoted line break in it (rare)
    # is left to the exact reader.
    if found.columnar and reader.line_num == 1:
        text.detach()
        stream.seek(0)
        chunks = _columnar_chunks(stream, header, name, found.longest_record)
        return CsvChunks(header, found.sha256, chunks, True)
    chunks = exact_chunks(reader, header, name, not found.valid_utf8)
    return CsvChunks(header, found.sha256, chunks, False)


def read_all(
    content: bytes, location: str, columnar: bool | None = None
) -> tuple[pd.DataFrame, list[Rejection]]:
    """A whole file's text frame and rejections (:func:`etl.sources.common.read_csv_as_text`).

    ``columnar`` forces a reader (tests compare the two); None chooses as for any file.
    """
    name = display_name(location)
    stream = io.BytesIO(content)
    found = scan(stream)
    if columnar is not None:
        # Records are measured only in a file fit for the columnar reader: in any other
        # forced on it, every record may be as long as the file.
        longest = found.longest_record if found.columnar else max(len(content), 1)
        found = replace(found, columnar=columnar and found.valid_utf8, longest_record=longest)
    opened = open_chunks(stream, name, found)
    frames, rejections = [], []
    for frame, bad in opened.chunks:
        frames.append(frame)
        rejections += bad
    return pd.concat(frames) if len(frames) > 1 else frames[0], rejections


def exact_chunks(
    reader: Iterator[list[str]], header: list[str], name: str, has_bad_bytes: bool
) -> Iterator[tuple[pd.DataFrame, list[Rejection]]]:
    """The standard library's reader after the header row, :data:`CHUNK_ROWS` at a time."""
    start_line = getattr(reader, "line_num", 1) + 1
    rows: list[list[str]] = []
    lines: list[int] = []
    rejections: list[Rejection] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UnreadableRow(name, start_line, _problem(exc)) from exc
        line = start_line
        start_line = getattr(reader, "line_num", line) + 1
        if not record or all(not field.strip() for field in record):
            continue
        problem = row_problem(record, header, has_bad_bytes)
        if problem is not None:
            column, value, reason = problem
            rejections.append(Rejection(name, line, column, value, reason))
            continue
        rows.append(record)
        lines.append(line)
        if len(rows) >= CHUNK_ROWS:
            yield _text_frame(rows, header, lines), rejections
            rows, lines, rejections = [], [], []
    yield _text_frame(rows, header, lines), rejections


def _problem(error: csv.Error) -> str:
    """What the reader could not parse, in words (the standard library's own message names
    no value, but says "field limit" for an overlong field)."""
    text = str(error)
    return OVERLONG_FIELD if "field limit" in text else text


def _text_frame(rows: list[list[str]], header: list[str], lines: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="row_number"))
    return frame.astype(str)


def row_problem(
    record: list[str], header: list[str], has_bad_bytes: bool
) -> tuple[str, str, str] | None:
    """Why a parsed record cannot be accepted (column, value, reason), or None."""
    if len(record) != len(header):
        value = ",".join(record)[:200]
        return "(whole row)", value, f"expected {len(header)} fields, found {len(record)}"
    if not has_bad_bytes:
        return None
    for column, cell in zip(header, record, strict=True):
        if REPLACEMENT_CHAR in cell:
            return column, cell, "not valid UTF-8"
    return None


@dataclass(frozen=True)
class _BadRow:
    number: int  # Arrow's record number: the header is 1
    text: str


def _columnar_chunks(
    stream: io.BufferedIOBase | BinaryIO, header: list[str], name: str, longest_record: int
) -> Iterator[tuple[pd.DataFrame, list[Rejection]]]:
    """Arrow's reader, with each record's line counted (see the module docstring), in
    chunks of about :data:`BLOCK_BYTES` of text read in smaller blocks (:mod:`csv_blocks`)."""
    bad: list[_BadRow] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        bad.append(_BadRow(int(row.number or -1), row.text))
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    block = csv_blocks.read_block_bytes(BLOCK_BYTES, longest_record)
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block, column_names=names),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=on_bad_row, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    # Arrow reads the header row as record 1 (it is dropped here) and numbers every record
    # after it, good or bad, in file order.
    next_record = 2
    next_line = 2
    used_bad = 0
    yielded = False
    for batch in csv_blocks.joined_batches(iter(reader), BLOCK_BYTES // block):
        if not yielded:
            batch = batch.slice(1)
        yielded = True
        pending = bad[used_bad:]
        numbers, spans, is_bad = _record_layout(batch, next_record, pending)
        used_bad += int(is_bad.sum())
        starts = next_line + np.cumsum(spans) - spans.astype(np.int64)
        if spans.size:
            next_line = int(starts[-1] + spans[-1])
            next_record = int(numbers[-1]) + 1
        good_lines = starts[~is_bad]
        _check_field_sizes(batch, good_lines, name)
        frame = _arrow_frame(batch, header, good_lines)
        rejections = _bad_row_rejections(pending[: int(is_bad.sum())], starts[is_bad], header, name)
        yield _drop_blank_rows(frame), rejections
    leftover = bad[used_bad:]
    if leftover or not yielded:  # bad rows after the last good one end the file
        spans = np.array([1 + row.text.count("\n") for row in leftover], dtype=np.int64)
        starts = next_line + np.cumsum(spans) - spans
        empty = pd.DataFrame(columns=header, index=pd.Index([], name="row_number"), dtype=str)
        yield empty, _bad_row_rejections(leftover, starts, header, name)


def _record_layout(
    batch: pa.RecordBatch, next_record: int, pending: list[_BadRow]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record numbers, line spans and a bad-row flag for the batch's records in file
    order: its good rows and the pending bad rows that come before its last good row
    (bad rows are reported in file order, so they are the first of ``pending``)."""
    count = batch.num_rows
    bad_numbers = np.array([b.number for b in pending], dtype=np.int64)
    total = count + bad_numbers.size
    candidates = np.arange(next_record, next_record + total, dtype=np.int64)
    is_bad_all = np.isin(candidates, bad_numbers)
    good_numbers = candidates[~is_bad_all][:count]
    last = good_numbers[-1] if count else next_record - 1
    inside = bad_numbers[bad_numbers <= last] if count else bad_numbers[:0]
    numbers = np.sort(np.concatenate((good_numbers, inside)))
    is_bad = np.isin(numbers, inside)
    spans = np.ones(numbers.size, dtype=np.int64)
    spans[~is_bad] += _embedded_line_breaks(batch)
    texts = {b.number: b.text for b in pending}
    spans[is_bad] += np.array([texts[n].count("\n") for n in numbers[is_bad]], dtype=np.int64)
    return numbers, spans, is_bad


def _embedded_line_breaks(batch: pa.RecordBatch) -> np.ndarray:
    total = np.zeros(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        # Counting is slow, and only a column whose bytes hold a line break can need it.
        text = column.buffers()[-1]
        if text is not None and np.any(np.frombuffer(text, dtype=np.uint8) == _LF):
            total += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
    return total


def _arrow_frame(batch: pa.RecordBatch, header: list[str], lines: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: batch.column(i).to_pandas() for i, name in enumerate(header)},
    )
    frame.index = pd.Index(lines, name="row_number")
    return frame.astype(str)


def _check_field_sizes(batch: pa.RecordBatch, lines: np.ndarray, name: str) -> None:
    """A field longer than the csv module's limit fails the file, as the exact reader does."""
    for column in batch.columns:
        lengths = pc.utf8_length(column).to_numpy(zero_copy_only=False)
        over = np.flatnonzero(lengths > FIELD_LIMIT)
        if over.size:
            raise UnreadableRow(name, int(lines[over[0]]), OVERLONG_FIELD)


def _bad_row_rejections(
    rows: list[_BadRow], lines: np.ndarray, header: list[str], name: str
) -> list[Rejection]:
    """Rows Arrow found with the wrong number of fields, worded as the exact reader does;
    rows whose fields are all blank are skipped, not rejected."""
    rejections = []
    for row, line in zip(rows, lines, strict=True):
        record = next(csv.reader(io.StringIO(row.text, newline="")), [])
        if not record or all(not field.strip() for field in record):
            continue
        problem = row_problem(record, header, has_bad_bytes=False)
        if problem is not None:
            column, value, reason = problem
            rejections.append(Rejection(name, int(line), column, value, reason))
    return rejections


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose every field is blank are skipped, as the exact reader skips them."""
    if frame.empty:
        return frame
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        blank &= (frame[column].str.strip() == "").to_numpy()
        if not blank.any():
            return frame
    return frame[~blank]
