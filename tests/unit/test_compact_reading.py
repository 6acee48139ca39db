"""Unit tests of reading a city-wide file compactly: integer ids, the columns indicators
use, categorical mapping, Arrow's block size, and giving freed memory back."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.indicators.incidents import cell_counts, joined_offenses
from etl.memory import release_freed_memory
from etl.sources import csv_blocks, csv_stream, spd_nibrs
from etl.sources.categories import map_categorical, map_categories
from etl.sources.common import SourceError, plain_integers, repeated_values
from tests.unit.test_spd_nibrs import BOM, HEADER, NOW, nibrs_row

# --- plain_integers and repeated_values --------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["12", "-3", "0"], [12, -3, 0]),
        (["9223372036854775807", "-9223372036854775808"], [2**63 - 1, -(2**63)]),
        ([], []),
    ],
)
def test_plain_integer_texts_become_int64(texts: list[str], expected: list[int]) -> None:
    integers = plain_integers(pd.Series(texts, dtype=str))
    assert integers is not None
    assert integers.dtype == np.int64
    assert integers.tolist() == expected


@pytest.mark.parametrize(
    "texts",
    [
        ["12", "012"],  # a leading zero: "012" is not the text of 12
        ["-0"],
        ["+1"],
        [" 1"],
        ["1.0"],
        ["1e3"],
        ["12", "A12"],
        ["9223372036854775808"],  # beyond int64
        ["\uff11"],  # a full-width digit
    ],
)
def test_other_texts_stay_text(texts: list[str]) -> None:
    assert plain_integers(pd.Series(texts, dtype=str)) is None
    assert plain_integers(pd.Series(texts, dtype=object)) is None


def test_missing_or_non_text_values_stay_as_they_are() -> None:
    assert plain_integers(pd.Series(["1", None], dtype=object)) is None
    assert plain_integers(pd.Series([1, 2])) is None


@given(st.lists(st.integers(min_value=-3, max_value=3), max_size=40))
def test_repeated_integers_are_pandas_duplicated(values: list[int]) -> None:
    series = pd.Series(values, dtype="int64")
    assert repeated_values(series).tolist() == series.duplicated(keep="first").tolist()


def test_repeated_integers_exact() -> None:
    assert repeated_values(pd.Series([5, 3, 5, 1, 3, 5])).tolist() == [
        False,
        False,
        True,
        False,
        True,
        True,
    ]


# --- csv_blocks ----------------------------------------------------------------------------


def _longest_record(content: bytes, cut: int) -> int:
    lengths = csv_blocks.RecordLengths()
    for start in range(0, len(content), cut):
        lengths.add(content[start : start + cut])
    return lengths.result()


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 100])
def test_record_lengths_count_quoted_line_breaks_in_the_record(cut: int) -> None:
    assert _longest_record(b"a,b\n1,2\n", cut) == 4
    assert _longest_record(b'a,b\n"x\ny",2\n3,4', cut) == 8  # "x\ny",2\n
    assert _longest_record(b'a\r\n"""",q\n\n\r\n', cut) == 7  # """",q and its line break
    assert _longest_record(b"abc", cut) == 3  # the last record has no line break
    assert _longest_record(b"", cut) == 0


def _records(content: bytes) -> list[int]:
    """The reference: record lengths by walking the bytes one at a time."""
    lengths, length, quoted = [], 0, False
    for byte in content:
        length += 1
        quoted = quoted != (byte == ord('"'))
        if byte == ord("\n") and not quoted:
            lengths.append(length)
            length = 0
    return [*lengths, length]


@given(
    st.lists(st.sampled_from([b"a", b",", b'"', b'""', b"\n", b"\r\n", b"xyz"]), max_size=60),
    st.integers(min_value=1, max_value=12),
)
def test_record_lengths_do_not_depend_on_the_blocks(parts: list[bytes], cut: int) -> None:
    content = b"".join(parts)
    assert _longest_record(content, cut) == max(_records(content))


def test_blocks_are_an_eighth_of_a_chunk_when_twice_the_longest_record_fits() -> None:
    assert csv_blocks.read_block_bytes(8 << 20, 1000) == 1 << 20
    assert csv_blocks.read_block_bytes(8 << 20, 1 << 19) == 1 << 20
    assert csv_blocks.read_block_bytes(8 << 20, (1 << 19) + 1) == 8 << 20
    assert csv_blocks.read_block_bytes(256, 16) == 32
    assert csv_blocks.read_block_bytes(256, 17) == 256


def test_batches_are_joined_in_file_order() -> None:
    batches = [pa.record_batch({"a": [str(n), str(n + 1)]}) for n in range(0, 10, 2)]
    joined = list(csv_blocks.joined_batches(iter(batches), 2))
    assert [b.num_rows for b in joined] == [4, 4, 2]
    assert [v for b in joined for v in b.column(0).to_pylist()] == [str(n) for n in range(10)]


def test_a_large_file_is_read_in_small_blocks_and_chunks_of_a_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 4096)
    content = b"a,b,c\n" + b"".join(b"%d,x,y\n" % i for i in range(5_000))
    found = csv_stream.scan(io.BytesIO(content))
    assert found.longest_record == len(b"4999,x,y\n")
    opened = csv_stream.open_chunks(io.BytesIO(content), "spd.csv", found)
    frames = [frame for frame, _ in opened.chunks]
    assert opened.columnar
    assert pd.concat(frames)["a"].tolist() == [str(i) for i in range(5_000)]
    assert 300 < max(len(frame) for frame in frames) < 1_000  # eight 512-byte blocks each


# --- map_categorical and joined_offenses -----------------------------------------------


def test_a_categorical_column_is_mapped_by_its_categories() -> None:
    groups = ["ROBBERY", "LARCENY-THEFT", "ROBBERY", "ASSAULT OFFENSES"]
    values = pd.Series(pd.Categorical(groups), index=[7, 8, 9, 10])
    mapped = map_categorical(values, "spd_crime_nibrs", "a.csv")
    expected = map_categories(
        pd.DataFrame({"source_category": groups}, index=[7, 8, 9, 10]), "spd_crime_nibrs", "a.csv"
    )
    assert isinstance(mapped.dtype, pd.CategoricalDtype)
    assert list(mapped.cat.categories) == sorted(set(expected))
    assert mapped.astype(str).tolist() == expected.tolist()
    assert mapped.index.tolist() == [7, 8, 9, 10]


def test_an_unmapped_category_fails_as_for_text() -> None:
    groups = ["ROBBERY", "SPACE PIRACY", "SPACE PIRACY"]
    with pytest.raises(SourceError) as text_error:
        map_categories(pd.DataFrame({"source_category": groups}), "spd_crime_nibrs", "a.csv")
    with pytest.raises(SourceError) as categorical_error:
        map_categorical(pd.Series(pd.Categorical(groups)), "spd_crime_nibrs", "a.csv")
    assert str(categorical_error.value) == str(text_error.value)
    assert "'SPACE PIRACY' (2 rows)" in str(text_error.value)


def test_a_text_column_is_mapped_as_map_categories_maps_it() -> None:
    values = pd.Series(["ROBBERY", "ARSON"], dtype=str)
    mapped = map_categorical(values, "spd_crime_nibrs", "a.csv")
    assert mapped.tolist() == ["robbery", "arson"]


def test_files_are_joined_with_categories_in_name_order_and_mixed_ids_as_text() -> None:
    first = pd.DataFrame(
        {"offense_id": np.array([1, 2]), "area": pd.Categorical(["B", "A"])}, index=[5, 6]
    )
    second = pd.DataFrame(
        {"offense_id": pd.Series(["1", "x"], dtype=str), "area": pd.Categorical(["C", "A"])}
    )
    joined = joined_offenses([first, second])
    assert joined["offense_id"].tolist() == ["1", "2", "1", "x"]
    assert list(joined["area"].cat.categories) == ["A", "B", "C"]
    assert joined["area"].tolist() == ["B", "A", "C", "A"]
    assert joined.index.tolist() == [0, 1, 2, 3]
    assert joined_offenses([first, first])["offense_id"].dtype == np.int64
    assert joined_offenses([first]).index.tolist() == [0, 1]


def test_freed_memory_is_given_back_without_error() -> None:
    assert release_freed_memory() in (True, False)


# --- spd_nibrs.run_for_indicators --------------------------------------------------------


def _file(tmp_path: Path, ids: list[str], bad_byte: bool = False) -> str:
    rows = [
        nibrs_row(offense_id=offense_id, report=f"01/{1 + n % 28:02d}/2020 09:12:07 PM")
        for n, offense_id in enumerate(ids)
    ]
    content = BOM + (HEADER + "\n" + "".join(row + "\n" for row in rows)).encode()
    if bad_byte:  # the exact reader, and a rejected row
        content = content.replace(b"25XX", b"\xff5XX", 1)
    path = tmp_path / "nibrs.csv"
    path.write_bytes(content)
    return str(path)


IDS = [str(n) for n in range(100, 160)]
IDS[5] = IDS[50] = "A7"  # a text id, repeated across chunks
IDS[20] = " 101 "  # a repeat of "101" as the file wrote it
IDS[30] = "0102"  # not the id 102
IDS[40] = "100"  # a repeat of the first row's id


@pytest.mark.parametrize("ids", [IDS, [str(n) for n in range(100, 160)] + ["120"]])
@pytest.mark.parametrize("bad_byte", [False, True])
def test_indicator_columns_keep_the_same_rows_values_and_rejections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ids: list[str], bad_byte: bool
) -> None:
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 2048)  # chunks of about 15 rows
    monkeypatch.setattr(csv_stream, "CHUNK_ROWS", 15)
    full = spd_nibrs.run(_file(tmp_path, ids, bad_byte), 5, now=NOW)
    compact = spd_nibrs.run_for_indicators(_file(tmp_path, ids, bad_byte), 5, now=NOW)
    assert compact.rejections == full.rejections
    assert (compact.rows_read, compact.rows_accepted) == (full.rows_read, full.rows_accepted)
    assert compact.watermark == full.watermark
    assert list(compact.frame.columns) == [
        c for c in full.frame.columns if c in spd_nibrs.INDICATOR_COLUMNS
    ]
    ids_as_text = compact.frame["offense_id"].astype(str)
    pd.testing.assert_series_equal(ids_as_text, full.frame["offense_id"], check_dtype=False)
    kept = [c for c in spd_nibrs.INDICATOR_COLUMNS if c != "offense_id"]
    pd.testing.assert_frame_equal(compact.frame[kept], full.frame[kept])
    integer_ids = all(i.isdigit() and not i.startswith("0") for i in ids)
    assert (compact.frame["offense_id"].dtype == np.int64) is integer_ids


def test_duplicate_rejections_name_the_id_as_written(tmp_path: Path) -> None:
    result = spd_nibrs.run_for_indicators(_file(tmp_path, IDS), 5, now=NOW)
    assert [(r.row_number, r.value) for r in result.rejections] == [
        (22, " 101 "),
        (42, "100"),
        (52, "A7"),
    ]


# --- cell_counts -------------------------------------------------------------------------


def test_cell_counts_exact() -> None:
    counts = cell_counts(
        pd.Series(["A", "A", "B", "A"]),
        pd.Series(
            pd.to_datetime(["2020-01-31 23:59", "2020-01-01 00:00", "2020-03-05 10:00", None])
        ),
        pd.Series(pd.Categorical(["x", "x", "x", "x"])),
    )
    assert counts.index.names == ["area", "period_start_date", "offense_group"]
    assert counts.to_dict() == {
        ("A", pd.Timestamp("2020-01-01"), "x"): 2,
        ("B", pd.Timestamp("2020-03-01"), "x"): 1,
    }
    assert counts.dtype == np.int64


def test_cell_counts_of_no_rows_is_empty() -> None:
    empty = pd.Series([], dtype=str)
    counts = cell_counts(empty, pd.Series([], dtype="datetime64[ns]"), empty)
    assert counts.empty


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", None]),
            st.one_of(st.none(), st.datetimes(datetime(1960, 1, 1), datetime(2200, 1, 1))),
            st.sampled_from(["x", "y", None]),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_cell_counts_are_a_grouping_s_sizes(
    rows: list[tuple[str | None, datetime | None, str | None]], categorical: bool
) -> None:
    frame = pd.DataFrame(rows, columns=["area", "when", "group"])
    frame["when"] = pd.to_datetime(frame["when"]).astype("datetime64[ns]")
    if categorical:
        frame = frame.astype({"area": "category", "group": "category"})
    months = frame["when"].dt.to_period("M").dt.to_timestamp()
    expected = frame.assign(month=months).groupby(["area", "month", "group"], observed=True).size()
    counts = cell_counts(frame["area"], frame["when"], frame["group"])
    assert sorted(counts.items()) == sorted(expected.items())


def test_batches_without_rows_join_into_an_empty_batch() -> None:
    empty = pa.record_batch({"a": pa.array([], pa.string())})
    joined = list(csv_blocks.joined_batches(iter([empty, empty, empty]), 2))
    assert [b.num_rows for b in joined] == [0, 0]
    assert joined[0].schema == empty.schema
