"""The chunked readers of ``etl.sources.csv_stream`` give what the exact reader gives.

The columnar (Arrow) reader must produce the same rows, line numbers, rejections and
messages as the standard library's reader on any file it is chosen for; the property
tests generate files with quoted commas, quotes, line breaks inside fields, blank and
all-blank rows, rows with too few or too many fields, CRLF and LF line endings, and read
them with chunks and blocks small enough that rows and bad rows straddle boundaries.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.sources import csv_stream
from etl.sources.common import Rejection, SourceError

LOCATION = "/srv/private/exports/spd.csv"
HEADER = ["a", "b", "c"]


def _read(content: bytes, columnar: bool | None) -> tuple[pd.DataFrame, list[Rejection]] | str:
    try:
        return csv_stream.read_all(content, LOCATION, columnar=columnar)
    except SourceError as exc:
        return f"SourceError: {exc}"


def _same(left: object, right: object) -> None:
    if isinstance(left, str) or isinstance(right, str):
        assert left == right
        return
    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    frame_a, rejections_a = left
    frame_b, rejections_b = right
    assert list(frame_a.columns) == list(frame_b.columns)
    assert frame_a.index.tolist() == frame_b.index.tolist()
    assert frame_a.index.name == frame_b.index.name == "row_number"
    assert frame_a.to_dict("list") == frame_b.to_dict("list")
    assert rejections_a == rejections_b


plain = st.text(alphabet="xyz 1-", max_size=6)
quoted = st.text(alphabet='xy ,"\n', max_size=6).map(lambda t: '"' + t.replace('"', '""') + '"')
field = st.one_of(plain, plain, quoted)
record = st.one_of(
    st.lists(field, min_size=3, max_size=3),
    st.lists(field, min_size=3, max_size=3),
    st.lists(field, min_size=1, max_size=5),  # often the wrong number of fields
    st.just([]),  # a blank line
    st.just(["", "", ""]),  # every field blank
    st.just(["  "]),  # white space only
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    rows = draw(st.lists(record, max_size=30))
    lines = [",".join(HEADER)] + [",".join(row) for row in rows]
    text = ending.join(lines) + draw(st.sampled_from(["", ending]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + text.encode()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_stream, "CHUNK_ROWS", 4)
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 256)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=csv_files())
def test_the_columnar_reader_reads_as_the_exact_reader(small_chunks: None, content: bytes) -> None:
    found = csv_stream.scan(io.BytesIO(content))
    exact = _read(content, columnar=False)
    chosen = _read(content, columnar=None)
    _same(chosen, exact)
    if found.columnar:  # forcing the columnar reader on a file it is chosen for: the same
        _same(_read(content, columnar=True), exact)


def test_line_numbers_count_line_breaks_inside_quoted_fields(small_chunks: None) -> None:
    content = (
        b"a,b,c\r\n"  # 1
        b'"two\r\nlines",x,y\r\n'  # 2-3
        b"\r\n"  # 4: blank
        b"1,2\r\n"  # 5: too few fields
        b'"x\ny",1,2,3\r\n'  # 6-7: too many
        b",,\r\n"  # 8: all blank
        b"4,5,6\r\n"  # 9
        b"7,8,9\r\n"  # 10
        b"0,0,0\r\n"  # 11
        b"9"  # 12: too few, no final line break
    )
    assert csv_stream.scan(io.BytesIO(content)).columnar
    frame, rejections = csv_stream.read_all(content, LOCATION, columnar=True)
    assert frame.index.tolist() == [2, 9, 10, 11]
    assert frame["a"].tolist() == ["two\r\nlines", "4", "7", "0"]
    assert rejections == [
        Rejection("spd.csv", 5, "(whole row)", "1,2", "expected 3 fields, found 2"),
        Rejection("spd.csv", 6, "(whole row)", "x\ny,1,2,3", "expected 3 fields, found 4"),
        Rejection("spd.csv", 12, "(whole row)", "9", "expected 3 fields, found 1"),
    ]


@pytest.mark.parametrize(
    ("content", "columnar"),
    [
        (b"a,b\n1,2\n", True),
        (b'a,b\n"1,5",2\n', True),
        (b'a,b\n"say ""hi""",2\n', True),
        (b"a,b\n1,caf\xe9\n", False),  # not UTF-8: the exact reader names the column
        (b"a,b\r1,2\r", False),  # old Mac line endings
        (b'a,b\n"ab"cd,2\n', False),  # junk after a closing quote: strict readers refuse
        (b'a,b\nab"cd,2\n', False),  # a quote inside an unquoted field
        (b'a,b\n1,"never closed\n', False),  # an odd number of quotes
    ],
)
def test_the_columnar_reader_is_chosen_only_where_it_reads_exactly(
    content: bytes, columnar: bool
) -> None:
    assert csv_stream.scan(io.BytesIO(content)).columnar is columnar


def test_the_scan_hashes_the_bytes_as_read() -> None:
    import hashlib

    content = b"a,b\n" + b"1,2\n" * 10_000
    assert csv_stream.scan(io.BytesIO(content)).sha256 == hashlib.sha256(content).hexdigest()


def test_a_field_over_the_csv_limit_fails_the_file_with_its_line() -> None:
    content = b"a,b\n1,2\n\n" + b"x" * (csv_stream.FIELD_LIMIT + 1) + b",3\n"
    assert csv_stream.scan(io.BytesIO(content)).columnar
    message = (
        "spd.csv, line 4: not a readable CSV row: a field longer than the 131,072 characters "
        "a field may have"
    )
    assert _read(content, columnar=True) == f"SourceError: {message}"
    assert _read(content, columnar=False) == f"SourceError: {message}"


def test_a_large_file_is_read_in_chunks_of_bounded_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 4096)
    content = b"a,b,c\n" + b"".join(b"%d,x,y\n" % i for i in range(5_000))
    stream = io.BytesIO(content)
    opened = csv_stream.open_chunks(stream, "spd.csv", csv_stream.scan(stream))
    sizes = [len(frame) for frame, _ in opened.chunks]
    assert opened.columnar
    assert sum(sizes) == 5_000
    assert len(sizes) > 10
    assert max(sizes) < 1_000


@pytest.mark.parametrize("cut", range(1, 12))
def test_the_scan_judges_quotes_and_line_ends_across_block_boundaries(
    monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", cut)
    assert not csv_stream.scan(io.BytesIO(b'a,b\n"ab"cd,2\n')).columnar
    assert not csv_stream.scan(io.BytesIO(b"a,b\r1,2\r3,4\n")).columnar
    assert csv_stream.scan(io.BytesIO(b'a,b\r\n"x,y",2\r\n"say ""hi""",3\r\n')).columnar
