"""The whole ETL on the bundled real SPD extracts, into real SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from etl import cli, pipeline
from etl.models import Base
from etl.sources import dates
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import (
    latest_succeeded_run,
    published,
    query,
    raw_monthly_counts,
    runs,
)

BELLTOWN_FILE = next(p for p in SAMPLE_NIBRS if "belltown" in p)
HEADER = Path(BELLTOWN_FILE).read_bytes().split(b"\n", 1)[0]


def test_sample_run_publishes_counts_equal_to_the_raw_csv(database_url: str) -> None:
    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)

    assert summary.status == "succeeded"
    assert [(s.rows_read, s.rows_accepted, s.rows_rejected) for s in summary.sources] == [
        (606, 606, 0),
        (4273, 4273, 0),
    ]
    counts = published(database_url, summary.run_id)
    counts = counts[counts["indicator_id"] == "reported_offenses"]
    raw = raw_monthly_counts(SAMPLE_NIBRS)
    # Chosen cells, then every cell: the published count is the raw count (0 if none).
    for area_slug, mcpp, month, expected in [
        ("belltown", "BELLTOWN", "2010-03", raw[("BELLTOWN", "2010-03", "ROBBERY")]),
        ("capitol-hill", "CAPITOL HILL", "2015-07", raw[("CAPITOL HILL", "2015-07", "ROBBERY")]),
        (
            "downtown-commercial",
            "DOWNTOWN COMMERCIAL",
            "2020-12",
            raw[("DOWNTOWN COMMERCIAL", "2020-12", "ROBBERY")],
        ),
    ]:
        cell = counts[
            (counts["area"] == area_slug)
            & (counts["period_start_date"] == pd.Timestamp(f"{month}-01"))
        ]
        assert cell["value"].tolist() == [float(expected)], (area_slug, mcpp, month)
    slug = {
        "belltown": "BELLTOWN",
        "capitol-hill": "CAPITOL HILL",
        "downtown-commercial": "DOWNTOWN COMMERCIAL",
    }
    for row in counts.itertuples():
        assert row.breakdown_value == "robbery", "SPD's ROBBERY maps to the public 'robbery'"
        key = (slug[row.area], row.period_start_date.strftime("%Y-%m"), "ROBBERY")
        assert row.value == raw[key], key
    # 2008-01 .. 2021-08: September 2021 is partial in the extract and not published.
    assert counts["period_start_date"].min() == pd.Timestamp("2008-01-01")
    assert counts["period_start_date"].max() == pd.Timestamp("2021-08-01")
    assert len(counts) == 3 * 164
    in_window = sum(v for (_, month, _), v in raw.items() if month <= "2021-08")
    assert counts["value"].sum() == in_window


def test_index_is_100_on_average_in_the_baseline_year(database_url: str) -> None:
    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    frame = published(database_url, summary.run_id)
    index = frame[frame["indicator_id"] == "reported_offenses_index"]
    baseline = index[index["period_start_date"].dt.year == 2010]
    means = baseline.groupby("area")["value"].mean()
    assert means.round(0).tolist() == [100.0, 100.0, 100.0]
    unit = query(
        database_url,
        "SELECT unit FROM indicator WHERE indicator_id = 'reported_offenses_index'",
    )["unit"].tolist()
    assert unit == ["index (2010 = 100)"]


def test_second_run_publishes_identical_tables(database_url: str) -> None:
    first = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    second = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)

    assert first.run_id != second.run_id
    assert latest_succeeded_run(database_url) == second.run_id
    pd.testing.assert_frame_equal(
        published(database_url, first.run_id), published(database_url, second.run_id)
    )
    indicators = query(
        database_url,
        "SELECT run_id, indicator_id, title, unit, methodology FROM indicator ORDER BY run_id, "
        "indicator_id",
    )
    by_run = [
        group.drop(columns="run_id").reset_index(drop=True)
        for _, group in indicators.groupby("run_id")
    ]
    pd.testing.assert_frame_equal(by_run[0], by_run[1])


def test_corrupt_file_fails_clearly_and_previous_data_keep_serving(
    database_url: str, tmp_path: Path
) -> None:
    good = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    before = published(database_url, good.run_id)
    corrupt = tmp_path / "spd_export_truncated.csv"
    corrupt.write_bytes(b"Report Number,Offense ID,Offense Sta\x00\xff\xfe garbage")

    with pytest.raises(pipeline.RunFailed) as failed:
        pipeline.run(database_url=database_url, nibrs_sources=[*SAMPLE_NIBRS, str(corrupt)])

    message = str(failed.value)
    assert "spd_export_truncated.csv" in message
    assert "header" in message or "missing" in message
    assert str(tmp_path) not in message, "messages name the file, not the server's folders"
    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(published(database_url, good.run_id), before)
    recorded = runs(database_url)
    assert recorded["status"].tolist() == ["succeeded", "failed"]
    assert "spd_export_truncated.csv" in recorded["message"].iloc[1]
    failed_rows = query(
        database_url,
        "SELECT COUNT(*) AS n FROM observation WHERE run_id = :run_id",
        run_id=failed.value.summary.run_id,
    )
    assert failed_rows["n"].tolist() == [0]


def test_schema_drift_names_the_unexpected_column(database_url: str, tmp_path: Path) -> None:
    drifted = tmp_path / "drifted.csv"
    text = Path(BELLTOWN_FILE).read_text(encoding="utf-8-sig").splitlines()
    drifted.write_text(
        "\n".join([text[0] + ",Shift Color", *(line + ",red" for line in text[1:20])]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(
        pipeline.RunFailed, match=r"drifted\.csv: unexpected column\(s\) 'Shift Color'"
    ):
        pipeline.run(database_url=database_url, nibrs_sources=[str(drifted)])


def test_bad_rows_are_quarantined_with_file_row_column_value_reason(
    database_url: str, tmp_path: Path
) -> None:
    lines = Path(BELLTOWN_FILE).read_bytes().split(b"\n")
    body = [line for line in lines[1:] if line]
    bad_date = body[0].replace(b"01/17/2020 09:12:07 PM", b"2020-13-45 oops")
    assert bad_date != body[0], "the first row is the robbery reported 2020-01-17"
    duplicate = body[1]
    future = _with_field(body[5], 4, b"01/01/2099 10:00:00 AM")
    rows = [HEADER, bad_date, *body[1:], duplicate, future]
    path = tmp_path / "belltown_with_bad_rows.csv"
    path.write_bytes(b"\n".join(rows) + b"\n")

    summary = pipeline.run(database_url=database_url, nibrs_sources=[str(path)])

    source = summary.sources[0]
    assert (source.rows_read, source.rows_accepted, source.rows_rejected) == (608, 605, 3)
    report = pd.read_csv(summary.quarantine_files[0], dtype=str)
    assert report.to_dict("records") == [
        {
            "file": "belltown_with_bad_rows.csv",
            "row_number": "2",
            "column": "Report DateTime",
            "value": "2020-13-45 oops",
            "reason": dates.REASON,
        },
        {
            "file": "belltown_with_bad_rows.csv",
            "row_number": "608",
            "column": "Offense ID",
            "value": body[1].split(b",")[1].decode(),
            "reason": "duplicate Offense ID (first occurrence kept)",
        },
        {
            "file": "belltown_with_bad_rows.csv",
            "row_number": "609",
            "column": "Report DateTime",
            "value": "01/01/2099 10:00:00 AM",
            "reason": "in the future",
        },
    ]  # in row order, whichever check found each row
    stored = query(
        database_url, "SELECT rows_read, rows_accepted, rows_rejected FROM etl_run_source"
    )
    assert stored.to_numpy().tolist() == [[608, 605, 3]]


def test_a_file_with_many_bad_rows_fails_the_run_naming_its_commonest_problem(
    database_url: str, tmp_path: Path
) -> None:
    lines = [line for line in Path(BELLTOWN_FILE).read_bytes().split(b"\n")[1:] if line][:100]
    mangled = [_with_field(line, 4, b"not a date") for line in lines[:10]] + lines[10:]
    path = tmp_path / "mostly_bad.csv"
    path.write_bytes(b"\n".join([HEADER, *mangled]) + b"\n")
    with pytest.raises(pipeline.RunFailed, match=r"mostly_bad\.csv: 10 of 100 rows rejected"):
        pipeline.run(database_url=database_url, nibrs_sources=[str(path)])
    assert runs(database_url)["status"].tolist() == ["failed"]


def _with_field(line: bytes, position: int, value: bytes) -> bytes:
    fields = line.split(b",")
    fields[position] = value
    return b",".join(fields)


KILL_SCRIPT = """
import os, signal, sys
from sqlalchemy import Engine, event
from etl import pipeline

@event.listens_for(Engine, "after_cursor_execute")
def die_inside_the_publish_transaction(conn, cursor, statement, *args):
    # The observations were just inserted, inside the uncommitted publish transaction.
    if statement.lstrip().upper().startswith("INSERT INTO OBSERVATION"):
        os.kill(os.getpid(), signal.SIGKILL)

pipeline.run(database_url=sys.argv[1], nibrs_sources=sys.argv[2:])
"""


def test_a_killed_run_changes_nothing(database_url: str) -> None:
    good = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    before = published(database_url, good.run_id)

    killed = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, database_url, *SAMPLE_NIBRS],
        capture_output=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )

    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(published(database_url, good.run_id), before)
    recorded = runs(database_url)
    assert recorded["status"].tolist() == ["succeeded", "running"]
    leftovers = query(
        database_url,
        "SELECT COUNT(*) AS n FROM indicator WHERE run_id = :run_id",
        run_id=recorded["run_id"].iloc[1],
    )
    assert leftovers["n"].tolist() == [0]


def test_migration_creates_exactly_the_models(database_url: str) -> None:
    pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_status_command_reports_runs_and_freshness(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)

    assert cli.main(["status"]) == 0

    out = capsys.readouterr().out
    assert summary.run_id in out
    assert "succeeded" in out
    assert "Published: run " + summary.run_id in out
    assert "etl/sample_data/seattle/spd_crime_nibrs_robbery_belltown_2008-2021.csv" in out
    assert "latest record 2021-09-06 17:02" in out


def test_run_command_prints_rows_per_file(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("WARM_AFTER_RUN", "false")
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    assert "[6/6] Done" in out
    assert (
        "spd_crime_nibrs_robbery_belltown_2008-2021.csv: read 606, accepted 606, rejected 0" in out
    )
    assert "4879 rows read, 0 rejected, 2037 observations published" in out


def test_quarantine_folder_is_not_created_when_nothing_is_rejected(
    database_url: str, tmp_path: Path
) -> None:
    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    assert summary.quarantine_files == []
    assert not (tmp_path / "quarantine").exists()
    shutil.rmtree(tmp_path / "quarantine", ignore_errors=True)


def test_every_bundled_neighbourhood_source_runs_and_reconciles(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LEGACY_CRIME_SOURCES", "CALLS_911_SOURCES", "CSR_SOURCES"):
        monkeypatch.delenv(name)
    messages: list[str] = []
    summary = pipeline.run(
        database_url=database_url, nibrs_sources=SAMPLE_NIBRS, report=messages.append
    )

    counts = {
        s.location.rsplit("/", 1)[-1]: (s.rows_read, s.rows_accepted, s.rows_rejected)
        for s in summary.sources
    }
    assert counts["spd_crime_data_legacy_property_belltown_2018-2019.csv"] == (599, 599, 0)
    assert counts["spd_911_incident_response_belltown_tracts8001-8002_2016-03.csv"] == (20, 20, 0)
    assert counts["customer_service_requests_synthetic_fixture.csv"] == (60, 58, 2)
    assert any("911 calls" in m and "no complete month" in m for m in messages)
    frame = published(database_url, summary.run_id)
    assert "calls_for_service" not in set(frame["indicator_id"])

    legacy = frame[frame["indicator_id"] == "reported_offenses_legacy"]
    raw = pd.read_csv(
        Path(BELLTOWN_FILE).parent / "spd_crime_data_legacy_property_belltown_2018-2019.csv",
        dtype=str,
    )
    reported = pd.to_datetime(raw["Reported Date"], format="%m/%d/%Y")
    burglary = raw["Crime Subcategory"].str.startswith("BURGLARY")
    in_march = (reported.dt.year == 2018) & (reported.dt.month == 3)
    cell = legacy[
        (legacy["area"] == "belltown")
        & (legacy["breakdown_value"] == "burglary")
        & (legacy["period_start_date"] == pd.Timestamp("2018-03-01"))
    ]
    assert cell["value"].tolist() == [float((burglary & in_march).sum())]
    assert legacy["period_start_date"].max() == pd.Timestamp("2019-04-01")

    synthetic = (
        query(
            database_url,
            "SELECT is_synthetic FROM etl_run_source WHERE source_id = 'seattle_csr'",
        )["is_synthetic"]
        .astype(bool)
        .tolist()
    )
    assert synthetic == [True]


def test_before_after_estimate_is_the_ratio_of_raw_before_after_ratios(database_url: str) -> None:
    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    frame = published(database_url, summary.run_id)
    estimates = frame[frame["indicator_id"] == "reported_offenses_before_after"].set_index(
        "breakdown_value"
    )
    raw = raw_monthly_counts(SAMPLE_NIBRS)

    def total(mcpp: str, first: str, last: str) -> int:
        return sum(
            n for (area, month, _), n in raw.items() if area == mcpp and first <= month <= last
        )

    windows = {
        12: (("2010-10", "2011-09"), ("2011-10", "2012-09")),
        24: (("2009-10", "2011-09"), ("2011-10", "2013-09")),
        36: (("2008-10", "2011-09"), ("2011-10", "2014-09")),
    }
    for months, (before, after) in windows.items():
        belltown = total("BELLTOWN", *after) / total("BELLTOWN", *before)
        for slug, mcpp in (
            ("capitol-hill", "CAPITOL HILL"),
            ("downtown-commercial", "DOWNTOWN COMMERCIAL"),
        ):
            expected = belltown / (total(mcpp, *after) / total(mcpp, *before))
            row = estimates.loc[f"robbery|{slug}|{months}"]
            assert row["value"] == pytest.approx(expected, rel=1e-9)
            assert row["lower_bound"] < row["value"] < row["upper_bound"]


def test_map_grid_withholds_small_cells_and_matches_the_raw_csv(database_url: str) -> None:
    import csv
    import math

    summary = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    frame = published(database_url, summary.run_id)
    grid = frame[frame["indicator_id"] == "reported_offenses_grid"]
    assert set(grid["area"]) == {"belltown"}
    shown = grid[~grid["is_suppressed"]]
    assert (shown["value"] >= 11).all()
    assert grid.loc[grid["is_suppressed"], "value"].isna().all()

    raw: dict[str, int] = {}
    with Path(BELLTOWN_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            reported = row["Report DateTime"][6:10] + row["Report DateTime"][0:2]
            if lat == 0 or reported > "202108":
                continue
            centre = (
                f"{(math.floor(lat / 0.003) + 0.5) * 0.003:.4f},"
                f"{(math.floor(lon / 0.003) + 0.5) * 0.003:.4f}"
            )
            raw[centre] = raw.get(centre, 0) + 1
    published_cells = {
        value.split("|")[1]: count
        for value, count in zip(shown["breakdown_value"], shown["value"], strict=True)
    }
    assert published_cells == {c: float(n) for c, n in raw.items() if n >= 11}
    assert len(grid) == len(raw)


def test_a_run_warms_the_site_cache_for_every_page(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """After publishing, the run fills the site's shared cache with every page's default
    view, its charts as static SVG (in a process of its own), so a web worker's first
    request finds it there."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CACHE_TYPE", "FileSystemCache")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "site-cache"))
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    from dashboard.warm import page_paths  # noqa: PLC0415

    warmed = re.search(r"cache warmed: (\d+) pages, (\d+) charts \((\d+) static images", out)
    assert warmed is not None, out
    assert int(warmed.group(1)) == len(page_paths()) >= 14  # every page and embed answered
    charts = int(warmed.group(2))
    assert charts >= 5  # the neighbourhood charts of this run
    assert int(warmed.group(3)) == 2 * charts  # each at a desktop's and a phone's width
    assert "reported problems" not in out
    assert len(list((tmp_path / "site-cache").iterdir())) > 50


def test_a_quarantined_formula_is_written_so_no_spreadsheet_runs_it(
    database_url: str, tmp_path: Path
) -> None:
    lines = [line for line in Path(BELLTOWN_FILE).read_bytes().split(b"\n")[1:] if line][:100]
    planted = b'"=HYPERLINK(""http://evil.example"",""open"")"'
    path = tmp_path / "planted.csv"
    path.write_bytes(b"\n".join([HEADER, _with_field(lines[0], 4, planted), *lines[1:]]) + b"\n")
    summary = pipeline.run(database_url=database_url, nibrs_sources=[str(path)])
    report = next(p for p in summary.quarantine_files if p.name == "spd_crime_nibrs.csv")
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [r["value"] for r in rows] == ['\'=HYPERLINK("http://evil.example","open")']
    assert rows[0]["row_number"] == "2"


def test_a_source_that_shrinks_or_empties_stops_the_run_until_allowed(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOW_SHRINK", "false")  # the gate on, as in production
    good = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    before = published(database_url, good.run_id)
    belltown = tmp_path / Path(BELLTOWN_FILE).name  # the same file name, cut to a header
    belltown.write_bytes(HEADER + b"\n")
    others = [s for s in SAMPLE_NIBRS if s != BELLTOWN_FILE]
    with pytest.raises(pipeline.RunFailed) as failed:
        pipeline.run(database_url=database_url, nibrs_sources=[str(belltown), *others])
    message = failed.value.summary.message
    assert f"{belltown.name}: empty (no row accepted)" in message
    assert "spd_crime_nibrs: no longer covers Belltown" in message
    assert "--allow-shrink" in message
    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(published(database_url, good.run_id), before)

    lines = [line for line in Path(BELLTOWN_FILE).read_bytes().split(b"\n")[1:] if line]
    belltown.write_bytes(b"\n".join([HEADER, lines[0]]) + b"\n")
    with pytest.raises(pipeline.RunFailed, match=r"1 row accepted, 100% fewer than the 606"):
        pipeline.run(database_url=database_url, nibrs_sources=[str(belltown), *others])

    allowed = pipeline.run(
        database_url=database_url, nibrs_sources=[str(belltown), *others], allow_shrink=True
    )
    assert latest_succeeded_run(database_url) == allowed.run_id
