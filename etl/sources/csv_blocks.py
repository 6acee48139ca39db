"""The blocks Arrow's CSV reader reads a file in, so that little of the file is held ahead.

Arrow's streaming CSV reader reads blocks in the background, up to 32 blocks ahead of the
batch in use (its background reader's queue is fixed at 32). With 8 MB blocks a city-wide
file has up to 256 MB of raw text in memory at once, more than every accepted row of a
million-row file (Arrow alone reading 5 million NIBRS rows: 424 MB resident with 8 MB
blocks, 157 MB with 1 MB blocks, in the same time). So the columnar reader reads blocks an
eighth of a chunk's size and joins each eight batches into one chunk: the chunks stay as
large (the per-chunk work as cheap) and an eighth as much text is held ahead.

Arrow refuses a record longer than its block ("straddles two block boundaries"), so the
first pass over the bytes measures the longest record (:class:`RecordLengths`), and a file
with a record too long for a small block is read in blocks of a whole chunk, as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# Arrow reads a chunk's text in this many blocks.
READ_BLOCKS = 8
_QUOTE, _LF = 34, 10


@dataclass
class RecordLengths:
    """The longest record of a file, measured block by block in one pass over its bytes.

    A line break ends a record unless it is inside a quoted field, that is unless an odd
    number of quote characters comes before it (exact for a file whose quotes are the
    strict reader's: the columnar reader reads no other). A record's length counts its line
    break; a byte-order mark counts in the header's.
    """

    quotes: int = 0  # quote characters before the next block
    offset: int = 0  # bytes before the next block
    record_start: int = 0
    longest: int = 0

    def add(self, block: bytes) -> None:
        data = np.frombuffer(block, dtype=np.uint8)
        breaks = np.flatnonzero(data == _LF)
        quotes = np.flatnonzero(data == _QUOTE) if b'"' in block else breaks[:0]
        if quotes.size:
            breaks = breaks[(self.quotes + np.searchsorted(quotes, breaks)) % 2 == 0]
        elif self.quotes % 2:
            breaks = breaks[:0]
        if breaks.size:
            ends = breaks + self.offset + 1
            lengths = np.diff(ends, prepend=self.record_start)
            self.longest = max(self.longest, int(lengths.max()))
            self.record_start = int(ends[-1])
        self.quotes += int(quotes.size)
        self.offset += len(block)

    def result(self) -> int:
        """The longest record, the last one (which may lack a line break) included."""
        return max(self.longest, self.offset - self.record_start)


def read_block_bytes(chunk_bytes: int, longest_record: int) -> int:
    """The block size Arrow reads: an eighth of a chunk when it holds the longest record
    twice over (a record is then never in more than two blocks), else a whole chunk."""
    small = chunk_bytes // READ_BLOCKS
    return small if 2 * longest_record <= small else chunk_bytes


def joined_batches(batches: Iterator[pa.RecordBatch], count: int) -> Iterator[pa.RecordBatch]:
    """Arrow's batches, each ``count`` in a row joined into one (in file order)."""
    while group := list(itertools.islice(batches, count)):
        if len(group) == 1:
            yield group[0]
            continue
        # One chunk per column (pyarrow 18 has no concat_batches); no rows: no batch.
        table = pa.Table.from_batches(group).combine_chunks()
        yield next(iter(table.to_batches()), group[0].slice(0, 0))
