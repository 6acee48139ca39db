"""One date parser for every source: each format the portal has used, in the old and new
column layouts, on real rows of the bundled extracts (their dates re-written in each format,
as the portal writes them today)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import quarantine
from etl.settings import SAMPLE_DATA_DIR
from etl.sources import dates, seattle_csr, spd_911, spd_legacy, spd_nibrs
from etl.sources.common import Rejection as Row
from etl.sources.common import SourceError, SourceInfo, SourceResult

SEATTLE = SAMPLE_DATA_DIR / "seattle"
NIBRS_FILE = SEATTLE / "spd_crime_nibrs_robbery_belltown_2008-2021.csv"
LEGACY_FILE = SEATTLE / "spd_crime_data_legacy_property_belltown_2018-2019.csv"
CALLS_FILE = SEATTLE / "spd_911_incident_response_belltown_tracts8001-8002_2016-03.csv"
CSR_FILE = (
    SAMPLE_DATA_DIR / "seattle_csr_fixture" / "customer_service_requests_synthetic_fixture.csv"
)
NOW = datetime(2026, 12, 1)
MOMENT = pd.Timestamp("2020-01-05 00:58:07")

# Every datetime form (with the moment above) and every date-only form (at midnight).
DATETIME_FORMS = {
    "portal 12-hour, padded": "01/05/2020 12:58:07 AM",
    "portal 12-hour, unpadded hour": "1/5/2020 12:58:07 AM",
    "current SPD export": "2020 Jan 05 12:58:07 AM",
    "current SPD export, unpadded day": "2020 Jan 5 12:58:07 AM",
    "API with milliseconds": "2020-01-05T00:58:07.000",
    "API without milliseconds": "2020-01-05T00:58:07",
    "ISO with a space": "2020-01-05 00:58:07",
}
DATE_FORMS = {
    "portal date": "01/05/2020",
    "ISO date": "2020-01-05",
    "current SPD export date": "2020 Jan 05",
}


@pytest.mark.parametrize("text", list(DATETIME_FORMS.values()), ids=list(DATETIME_FORMS))
def test_every_datetime_form_is_read_exactly(text: str) -> None:
    assert dates.parse_datetimes(pd.Series([text])).tolist() == [MOMENT]


@pytest.mark.parametrize("text", list(DATE_FORMS.values()), ids=list(DATE_FORMS))
def test_every_date_form_is_read_at_midnight(text: str) -> None:
    assert dates.parse_datetimes(pd.Series([text])).tolist() == [pd.Timestamp("2020-01-05")]


def test_noon_midnight_case_and_spacing() -> None:
    values = pd.Series(
        [
            "11/04/2023 6:08:26 PM",
            "2023 NOV 04 12:00:00 PM",
            "2023 nov 04 12:00:00 am",
            "  2023  Nov 04   6:08:26 PM ",
            "2023-11-04T18:08:26.123",
        ]
    )
    assert dates.parse_datetimes(values).tolist() == [
        pd.Timestamp("2023-11-04 18:08:26"),
        pd.Timestamp("2023-11-04 12:00:00"),
        pd.Timestamp("2023-11-04 00:00:00"),
        pd.Timestamp("2023-11-04 18:08:26"),
        pd.Timestamp("2023-11-04 18:08:26.123"),
    ]


def test_blank_and_unreadable_values_are_missing() -> None:
    values = pd.Series(["", "   ", "2020 Foo 05 12:58:07 AM", "13/05/2020", "2020-02-30", "soon"])
    assert dates.parse_datetimes(values).isna().all()


# --- through each source module, in each layout ---------------------------------------------


def _rows(path: Path, limit: int) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(itertools.islice(reader, limit))


def _write(
    tmp_path: Path, header: list[str], rows: list[dict[str, str]], rename: dict[str, str]
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([rename.get(column, column) for column in header])
    writer.writerows([[row[column] for column in header] for row in rows])
    path = tmp_path / "export.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def _reformat(rows: list[dict[str, str]], column: str, form: str, source_format: str) -> None:
    """Write each row's ``column`` in ``form`` (a key of the form tables above)."""
    strftime = {
        "portal 12-hour, padded": "%m/%d/%Y %I:%M:%S %p",
        "current SPD export": "%Y %b %d %I:%M:%S %p",
        "API with milliseconds": "%Y-%m-%dT%H:%M:%S.000",
        "API without milliseconds": "%Y-%m-%dT%H:%M:%S",
        "portal date": "%m/%d/%Y",
        "ISO date": "%Y-%m-%d",
        "current SPD export date": "%Y %b %d",
    }[form]
    for row in rows:
        if row[column].strip():
            row[column] = datetime.strptime(row[column], source_format).strftime(strftime)


AM_PM = "%m/%d/%Y %I:%M:%S %p"
DATETIME_OUTPUTS = [
    "portal 12-hour, padded",
    "current SPD export",
    "API with milliseconds",
    "API without milliseconds",
]
NIBRS_NEW_LAYOUT = {
    old: new
    for new, old in [  # display header, old layout -> new layout
        ("Report DateTime", "Report DateTime"),
        ("Offense Date", "Offense Start DateTime"),
        ("NIBRS Group AB", "Group A B"),
        ("NIBRS Crime Against Category", "Crime Against Category"),
        ("Offense Sub Category", "Offense Parent Group"),
        ("NIBRS Offense Code Description", "Offense"),
        ("NIBRS_offense_code", "Offense Code"),
        ("Neighborhood", "MCPP"),
        ("Block Address", "100 Block Address"),
    ]
}


@pytest.mark.parametrize("layout", ["old", "new"])
@pytest.mark.parametrize("form", DATETIME_OUTPUTS)
def test_nibrs_rows_in_every_format_and_layout_are_all_kept(
    tmp_path: Path, layout: str, form: str
) -> None:
    header, rows = _rows(NIBRS_FILE, 200)
    baseline = spd_nibrs.run(_write(tmp_path, header, rows, {}), 10, now=NOW)
    if layout == "new":
        header = [c for c in header if c in NIBRS_NEW_LAYOUT or c in spd_nibrs.RENAME_NEW_CSV]
        header = [c for c in header if c != "Offense End DateTime"]
    for column in ("Report DateTime", "Offense Start DateTime"):
        _reformat(rows, column, form, AM_PM)
    rename = NIBRS_NEW_LAYOUT if layout == "new" else {}
    result = spd_nibrs.run(_write(tmp_path, header, rows, rename), 10, now=NOW)

    assert result.rows_rejected == baseline.rows_rejected
    assert result.rows_accepted == baseline.rows_accepted > 190
    pd.testing.assert_series_equal(
        result.frame["report_datetime"], baseline.frame["report_datetime"]
    )


@pytest.mark.parametrize("form", [*DATE_FORMS, "portal 12-hour, padded", "current SPD export"])
def test_older_crime_format_reported_dates_in_every_format_are_all_kept(
    tmp_path: Path, form: str
) -> None:
    header, rows = _rows(LEGACY_FILE, 200)
    baseline = spd_legacy.run(_write(tmp_path, header, rows, {}), 10, now=NOW)
    _reformat(rows, "Reported Date", form, "%m/%d/%Y")
    result = spd_legacy.run(_write(tmp_path, header, rows, {}), 10, now=NOW)

    assert (result.rows_accepted, result.rows_rejected) == (200, 0)
    pd.testing.assert_frame_equal(result.frame, baseline.frame)


@pytest.mark.parametrize(
    ("module", "path", "column"),
    [
        (spd_911.run, CALLS_FILE, "Event Clearance Date"),
        (seattle_csr.run, CSR_FILE, "Created Date"),
    ],
    ids=["911", "service requests"],
)
@pytest.mark.parametrize("form", DATETIME_OUTPUTS)
def test_911_and_request_dates_in_every_format_are_all_kept(
    tmp_path: Path, module: Callable[..., SourceResult], path: Path, column: str, form: str
) -> None:
    header, rows = _rows(path, 100)
    baseline = module(_write(tmp_path, header, rows, {}), 10, now=NOW)
    _reformat(rows, column, form, AM_PM)
    result = module(_write(tmp_path, header, rows, {}), 10, now=NOW)

    assert result.rows_rejected == baseline.rows_rejected
    pd.testing.assert_frame_equal(result.frame, baseline.frame)


# --- a format nobody reads: a clear run error naming every file --------------------------------


def _failed(name: str, rows: int, column: str, value: str, reason: str) -> SourceResult:
    info = SourceInfo("spd_crime_legacy", "t", "p", "u", "l")
    rejections = [Row(name, n + 2, column, value, reason) for n in range(rows)]
    return SourceResult(info, f"/data/{name}", "0" * 64, rows, pd.DataFrame(), rejections)


def test_an_unread_date_format_names_each_file_the_column_an_example_and_the_formats() -> None:
    sources = [
        _failed("crime_2008.csv", 40, "Reported Date", "2008.01.25", dates.REASON),
        _failed("crime_2018.csv", 30, "Reported Date", "25.01.2018", dates.REASON),
    ]
    with pytest.raises(SourceError) as raised:
        quarantine.check_rejection_rates(sources)
    message = str(raised.value)
    for name, example in (("crime_2008.csv", "'2008.01.25'"), ("crime_2018.csv", "'25.01.2018'")):
        assert f"{name}: column 'Reported Date' holds dates in a format" in message
        assert f"(for example {example})" in message
    assert "accepted formats: MM/DD/YYYY hh:mm:ss AM/PM, YYYY Mon DD hh:mm:ss AM/PM" in message
    assert "(40 of 40 rows could not be read)" in message
    assert "corrupt" not in message and "/data/" not in message


def test_other_heavy_rejections_name_each_file_and_the_commonest_reason() -> None:
    sources = [
        _failed("a.csv", 10, "Neighborhood", "", "blank"),
        _failed("b.csv", 5, "Report Number", "2.018E+11", "not a report number"),
    ]
    with pytest.raises(SourceError) as raised:
        quarantine.check_rejection_rates(sources)
    assert str(raised.value) == (
        "a.csv: 10 of 10 rows rejected (more than 5%), most often Neighborhood: blank (10 "
        "rows); see the quarantine report; b.csv: 5 of 5 rows rejected (more than 5%), most "
        "often Report Number: not a report number (5 rows); see the quarantine report"
    )


def _reference_parse(values: pd.Series) -> pd.Series:
    """The parser as pandas alone does it (its first version): the meaning the faster one
    must keep, value for value."""
    import re

    def number(match: re.Match[str]) -> str:
        month = dates.MONTHS.get(match.group(2).lower())
        return match.group(0) if month is None else f"{match.group(1)} {month} {match.group(3)}"

    text = values.astype(object).map(lambda v: re.sub(r"\s+", " ", str(v).strip()))
    text = text.map(lambda v: dates._MONTH_NAME.sub(number, v))
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for date_format in dates.FORMATS:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        parsed.loc[todo] = dates.in_nanosecond_range(
            pd.to_datetime(text[todo].astype(object), format=date_format.strptime, errors="coerce")
        )
    return parsed.astype("datetime64[ns]")


_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31))
_writers = [
    "%m/%d/%Y %I:%M:%S %p",
    "%-m/%-d/%Y %-I:%M:%S %p",
    "%Y %b %d %I:%M:%S %p",
    "%Y %B %d %I:%M:%S %p",
    "%Y-%m-%dT%H:%M:%S.000",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%Y %b %d",
]
_odd_texts = st.sampled_from(
    [
        "",
        " ",
        "02/30/2020 01:00:00 PM",
        "13/01/2020 01:00:00 PM",
        "01/01/2020 13:00:00 PM",
        "01/01/2020 01:00:60 PM",
        "01/01/2020 01:00:00 pm",
        "01/01/2020  01:00:00 PM",
        "\t01/01/2020 01:00:00 PM\n",
        "01/01/2020\u00a001:00:00 PM",
        "2020 JAN 05 01:00:00 AM",
        "2020 jan 5",
        "2020 Foo 05 01:00:00 AM",
        "01/01/1500 01:00:00 PM",
        "REDACTED",
        "01/01/2020 01:00:00 PMX",
        "2020-01-05T00:58:07.5",
        "٢٠٢٠-01-05",
    ]
)


@st.composite
def _date_texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(_odd_texts)
    moment = draw(_moments).replace(microsecond=0)
    text = moment.strftime(draw(st.sampled_from(_writers)))
    return draw(st.sampled_from([text, text.upper(), text.lower(), f" {text} "]))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_date_texts(), min_size=1, max_size=40))
def test_the_fast_parser_reads_every_value_as_pandas_alone_does(
    monkeypatch: pytest.MonkeyPatch, texts: list[str]
) -> None:
    monkeypatch.setattr(dates, "_ARROW_MIN_ROWS", 0)  # Arrow first, however few the values
    values = pd.Series(texts, index=range(10, 10 + len(texts)), dtype=str)
    expected = _reference_parse(values)
    assert parse(values).tolist() == expected.tolist()


def parse(values: pd.Series) -> pd.Series:
    return dates.parse_datetimes(values)
