"""Unit tests of the shared CSV reader and helpers in ``etl.sources.common``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from etl.sources import common
from etl.sources.common import (
    Rejection,
    SourceError,
    display_name,
    read_bytes,
    read_csv_as_text,
    rejections_frame,
    sha256_hex,
)

LOCATION = "/srv/private/exports/spd.csv"


def test_bom_is_dropped_and_header_names_are_trimmed() -> None:
    frame, rejections = read_csv_as_text(
        b"\xef\xbb\xbfReport Number , MCPP\n2020-1,BELLTOWN\n", LOCATION
    )
    assert list(frame.columns) == ["Report Number", "MCPP"]
    assert frame.to_dict("records") == [{"Report Number": "2020-1", "MCPP": "BELLTOWN"}]
    assert rejections == []


def test_values_stay_exact_strings() -> None:
    content = b"code,number,blank,id\n007,2020-044465,,12171717608\n063,1.50,,0\n"
    frame, _ = read_csv_as_text(content, LOCATION)
    assert frame["code"].tolist() == ["007", "063"]
    assert frame["number"].tolist() == ["2020-044465", "1.50"]
    assert frame["blank"].tolist() == ["", ""]
    assert frame["id"].tolist() == ["12171717608", "0"]
    assert all(isinstance(v, str) for column in frame for v in frame[column])


def test_index_is_the_line_where_each_record_starts() -> None:
    content = (
        b"a,b\r\n"  # 1
        b'"two\nlines",x\r\n'  # 2-3: one record over two lines
        b"\r\n"  # 4: blank line, skipped
        b",\r\n"  # 5: every field blank, skipped
        b"3,\r\n"  # 6
        b'"say ""hi""",y'  # 7, no final newline
    )
    frame, rejections = read_csv_as_text(content, LOCATION)
    assert frame.index.name == "row_number"
    assert frame.index.tolist() == [2, 6, 7]
    assert frame["a"].tolist() == ["two\nlines", "3", 'say "hi"']
    assert frame["b"].tolist() == ["x", "", "y"]
    assert rejections == []


def test_wrong_field_count_rejects_only_that_row() -> None:
    content = b"a,b\n1,2\n3\n4,5,6\n7,8\n"
    frame, rejections = read_csv_as_text(content, LOCATION)
    assert frame.index.tolist() == [2, 5]
    assert frame["a"].tolist() == ["1", "7"]
    assert rejections == [
        Rejection("spd.csv", 3, "(whole row)", "3", "expected 2 fields, found 1"),
        Rejection("spd.csv", 4, "(whole row)", "4,5,6", "expected 2 fields, found 3"),
    ]


def test_long_bad_row_value_is_cut_to_200_characters() -> None:
    content = b"a,b\n" + b",".join([b"x" * 150] * 3) + b"\n"
    _, rejections = read_csv_as_text(content, LOCATION)
    assert len(rejections) == 1
    assert rejections[0].value == ("x" * 150 + "," + "x" * 150)[:200]
    assert len(rejections[0].value) == 200


def test_invalid_utf8_rejects_the_row_and_names_the_column() -> None:
    content = b"a,b\n1,caf\xe9\n2,\xe2\x82\n3,ok\n4,\xc3\xa9t\xc3\xa9\n"
    frame, rejections = read_csv_as_text(content, LOCATION)
    assert frame.index.tolist() == [4, 5]
    assert frame["b"].tolist() == ["ok", "été"]
    assert rejections == [
        Rejection("spd.csv", 2, "b", "caf\ufffd", "not valid UTF-8"),
        Rejection("spd.csv", 3, "b", "\ufffd", "not valid UTF-8"),
    ]


def test_non_ascii_utf8_is_kept() -> None:
    frame, rejections = read_csv_as_text("a\nALAƒACCHRƒCAD\n".encode(), LOCATION)
    assert frame["a"].tolist() == ["ALAƒACCHRƒCAD"]
    assert rejections == []


def test_a_replacement_character_in_valid_utf8_is_data_not_an_error() -> None:
    # U+FFFD correctly encoded (EF BF BD) is text an upstream system wrote, not bad bytes.
    frame, rejections = read_csv_as_text("a\nBAD\ufffdNAME\n".encode(), LOCATION)
    assert frame["a"].tolist() == ["BAD\ufffdNAME"]
    assert rejections == []


def test_an_unclosed_quote_fails_the_file_instead_of_eating_the_rest() -> None:
    content = b'a,b\n1,2\n3,"never closed\n4,5\n6,7\n'
    with pytest.raises(
        SourceError, match=r"^spd\.csv, line 3: not a readable CSV row: unexpected end"
    ):
        read_csv_as_text(content, LOCATION)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "spd.csv: the file is empty"),
        (b"\xef\xbb\xbf \r\n\n", "spd.csv: the file is empty"),
        (b"a,\xffb\n1,2\n", "spd.csv: the header row is not valid UTF-8"),
        (b"a,b, a\n1,2,3\n", "spd.csv: the header repeats a column name: ['a', 'b', 'a']"),
    ],
)
def test_unusable_files_raise(content: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read_csv_as_text(content, LOCATION)
    assert str(caught.value) == message


def test_unreadable_row_fails_the_file_with_its_line() -> None:
    huge_field = b'"' + b"x" * 200_000 + b'"'
    content = b"a,b\n1,2\n" + huge_field + b",3\n4,5\n"
    with pytest.raises(SourceError, match=r"^spd\.csv, line 3: not a readable CSV row: "):
        read_csv_as_text(content, LOCATION)


def test_header_only_gives_an_empty_frame_with_the_columns() -> None:
    frame, rejections = read_csv_as_text(b"a,b\n", LOCATION)
    assert list(frame.columns) == ["a", "b"]
    assert len(frame) == 0
    assert rejections == []


@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab,"\n 7é', min_size=1, max_size=5), min_size=3, max_size=3),
        max_size=6,
    )
)
def test_round_trip_of_quoted_rows(rows: list[list[str]]) -> None:
    """Whatever the cells hold (commas, quotes, newlines), they come back unchanged."""

    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    text = "x,y,z\n" + "".join(",".join(quote(c) for c in row) + "\n" for row in rows)
    frame, rejections = read_csv_as_text(text.encode(), LOCATION)
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    assert rejections == []
    assert frame.to_numpy().tolist() == kept


def test_display_name_never_shows_a_local_path() -> None:
    assert display_name("/srv/private/exports/spd.csv") == "spd.csv"
    assert display_name("relative/dir/file.csv") == "file.csv"
    url = "https://data.seattle.gov/api/views/tazs-3rd5/rows.csv"
    assert display_name(url) == url
    assert display_name("http://example.org/a.csv") == "http://example.org/a.csv"


def test_read_bytes_reads_a_local_file(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa\n1\n")
    assert read_bytes(str(path), timeout_seconds=1) == b"\xef\xbb\xbfa\n1\n"


def test_read_bytes_missing_file_names_only_the_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_bytes(str(tmp_path / "gone.csv"), timeout_seconds=1)
    assert str(caught.value) == "gone.csv: could not read file: No such file or directory"


class _FakeResponse:
    def __init__(self, content: bytes, status: int) -> None:
        self.content = content
        self.status = status

    def raise_for_status(self) -> None:
        if self.status >= 400:
            raise requests.HTTPError(f"{self.status} Client Error")


def test_read_bytes_downloads_a_url_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []

    def fake_get(url: str, timeout: int) -> _FakeResponse:
        calls.append((url, timeout))
        return _FakeResponse(b"a\n1\n", 200)

    monkeypatch.setattr(common.requests, "get", fake_get)
    assert read_bytes("https://example.org/x.csv", timeout_seconds=7) == b"a\n1\n"
    assert calls == [("https://example.org/x.csv", 7)]


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("refused"),
        requests.Timeout("timed out"),
        None,  # a 404 response
    ],
)
def test_read_bytes_download_failure_is_a_source_error(
    monkeypatch: pytest.MonkeyPatch, failure: Exception | None
) -> None:
    def fake_get(url: str, timeout: int) -> _FakeResponse:
        if failure is not None:
            raise failure
        return _FakeResponse(b"", 404)

    monkeypatch.setattr(common.requests, "get", fake_get)
    with pytest.raises(SourceError, match=r"^https://example\.org/x\.csv: could not download: "):
        read_bytes("https://example.org/x.csv", timeout_seconds=7)


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_rejections_frame() -> None:
    rejections = [
        Rejection("a.csv", 2, "MCPP", "", "blank"),
        Rejection("a.csv", 9, "(whole row)", "1,2", "expected 17 fields, found 2"),
    ]
    expected = pd.DataFrame(
        {
            "file": ["a.csv", "a.csv"],
            "row_number": [2, 9],
            "column": ["MCPP", "(whole row)"],
            "value": ["", "1,2"],
            "reason": ["blank", "expected 17 fields, found 2"],
        }
    )
    pd.testing.assert_frame_equal(rejections_frame(rejections), expected, check_dtype=False)
    empty = rejections_frame([])
    assert list(empty.columns) == ["file", "row_number", "column", "value", "reason"]
    assert len(empty) == 0


@given(st.lists(st.sampled_from(["1", "2", "10", "x", " 1", "ß"]), max_size=40))
def test_repeated_values_are_pandas_duplicated(values: list[str]) -> None:
    series = pd.Series(values, dtype=str)
    expected = series.duplicated(keep="first").tolist()
    assert common.repeated_values(series).tolist() == expected
