"""Coverage per file and area, end to end: two real-row files covering different years and
areas. No figure (not even a zero) is published outside what some file covers; the page
says "no data" and why; the source line, the API and the caveats say what each file covers;
yearly totals are given for complete years only."""

from __future__ import annotations

import base64
import calendar
from collections import Counter
from datetime import datetime
from pathlib import Path

import dash
import numpy as np
import pandas as pd
import pytest
from flask.testing import FlaskClient

from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import published, query, raw_monthly_counts
from tests.integration.test_site import trend_request

AM_PM = "%m/%d/%Y %I:%M:%S %p"
BELLTOWN = next(p for p in SAMPLE_NIBRS if "belltown" in p)
COMPARISON = next(p for p in SAMPLE_NIBRS if "capitolhill" in p)


def _real_lines_for_years(source: str, years: range, target: Path) -> Path:
    """The real file's header and its rows (bytes unchanged) reported in ``years``."""
    lines = Path(source).read_bytes().split(b"\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    column = header.decode("utf-8-sig").split(",").index("Report DateTime")
    kept = [
        line
        for line in body
        if datetime.strptime(line.decode().split(",")[column], AM_PM).year in years
    ]
    target.write_bytes(b"\n".join([header, *kept]) + b"\n")
    return target


def _covered_months(path: Path) -> tuple[str, str]:
    """The stated rule, computed independently: the dataset's first month (January 2008) or
    a first record on day 1 starts the coverage; the last month counts only with a record on
    its last day."""
    text = path.read_text(encoding="utf-8-sig").splitlines()
    column = text[0].split(",").index("Report DateTime")
    moments = sorted(datetime.strptime(line.split(",")[column], AM_PM) for line in text[1:])
    first, last = moments[0], moments[-1]
    start = (first.year, first.month)
    if first.day != 1 and start != (2008, 1):
        start = (first.year + first.month // 12, first.month % 12 + 1)
    end = (last.year, last.month)
    if last.day != calendar.monthrange(last.year, last.month)[1]:
        end = (last.year - (last.month == 1), (last.month - 2) % 12 + 1)
    return f"{start[0]}-{start[1]:02d}-01", f"{end[0]}-{end[1]:02d}-01"


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        _real_lines_for_years(BELLTOWN, range(2008, 2010), tmp_path / "belltown_2008-2009.csv"),
        _real_lines_for_years(
            COMPARISON, range(2018, 2020), tmp_path / "capitolhill_downtown_2018-2019.csv"
        ),
    )


def test_two_files_with_different_years_and_areas_publish_only_what_each_covers(
    database_url: str, two_files: tuple[Path, Path]
) -> None:
    old, new = two_files
    summary = pipeline.run(database_url=database_url, nibrs_sources=[str(old), str(new)])
    frame = published(database_url, summary.run_id)
    monthly = frame[frame["indicator_id"] == "reported_offenses"]
    old_first, old_last = _covered_months(old)
    new_first, new_last = _covered_months(new)

    spans = monthly.groupby("area")["period_start_date"].agg(["min", "max", "nunique"])
    expected_old = pd.date_range(old_first, old_last, freq="MS")
    expected_new = pd.date_range(new_first, new_last, freq="MS")
    assert spans.to_dict("index") == {
        "belltown": {"min": expected_old[0], "max": expected_old[-1], "nunique": len(expected_old)},
        "capitol-hill": {
            "min": expected_new[0],
            "max": expected_new[-1],
            "nunique": len(expected_new),
        },
        "downtown-commercial": {
            "min": expected_new[0],
            "max": expected_new[-1],
            "nunique": len(expected_new),
        },
    }
    # Every published cell equals an independent count from the raw rows (zeros included).
    raw: Counter[tuple[str, str, str]] = raw_monthly_counts([str(old), str(new)])
    slug = {"BELLTOWN": "belltown", "CAPITOL HILL": "capitol-hill"}
    slug["DOWNTOWN COMMERCIAL"] = "downtown-commercial"
    independent = Counter(
        {(slug[a], m): n for (a, m, _group), n in raw.items() if a in slug and _group == "ROBBERY"}
    )
    got = {
        (r.area, f"{r.period_start_date:%Y-%m}"): int(r.value)
        for r in monthly.itertuples()
        if r.breakdown_value == "robbery"
    }
    assert got == {key: independent.get(key, 0) for key in got}
    inside = {k for k in independent if k in got}
    assert sum(independent[k] for k in inside) == sum(got.values())
    # Stored coverage per file, for the source line and the API.
    sources = query(
        database_url,
        "SELECT location, coverage_first_month, coverage_last_month, coverage_areas "
        "FROM etl_run_source WHERE run_id = :run_id ORDER BY location",
        run_id=summary.run_id,
    )
    assert [
        (
            Path(r.location).name,
            str(r.coverage_first_month)[:10],
            str(r.coverage_last_month)[:10],
            r.coverage_areas,
        )
        for r in sources.itertuples()
    ] == [
        (old.name, old_first, old_last, "BELLTOWN"),
        (new.name, new_first, new_last, "CAPITOL HILL,DOWNTOWN COMMERCIAL"),
    ]
    caveats = query(
        database_url,
        "SELECT caveats FROM indicator WHERE run_id = :run_id AND indicator_id = :i",
        run_id=summary.run_id,
        i="reported_offenses",
    )["caveats"].iloc[0]
    assert f"{old.name} covers January 2008 to " in caveats
    assert "never as zero" in caveats
    # Yearly totals: complete years only; Belltown 2008 from the old file.
    yearly = frame[frame["indicator_id"] == "reported_offenses_yearly"]
    belltown_2008 = yearly[
        (yearly["area"] == "belltown") & (yearly["period_start_date"] == pd.Timestamp("2008-01-01"))
    ]
    assert belltown_2008["value"].tolist() == [
        float(sum(n for (a, m, g), n in raw.items() if a == "BELLTOWN" and m.startswith("2008")))
    ]
    assert set(yearly["period_start_date"].dt.year) <= {2008, 2009, 2018, 2019}


@pytest.fixture
def client(
    app: dash.Dash,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    two_files: tuple[Path, Path],
) -> FlaskClient:
    monkeypatch.setenv("DATABASE_URL", database_url)
    pipeline.run(database_url=database_url, nibrs_sources=[str(p) for p in two_files])
    return app.server.test_client()


def test_the_trend_card_says_no_data_and_why_and_never_draws_a_zero_there(
    client: FlaskClient, two_files: tuple[Path, Path]
) -> None:
    response = client.post(
        "/_dash-update-component", json=trend_request("robbery", "count", opened=True)
    )
    assert response.status_code == 200
    body = response.get_json()["response"]
    summary = str(body["qol-trend-summary"]["children"])
    assert "No data for Belltown from " in summary
    assert "no file read for this data version covers those months" in summary
    assert "Belltown was 0" not in summary
    figure = body["qol-trend-graph"]["figure"]
    belltown = next(t for t in figure["data"] if t["name"] == "Belltown")
    values = belltown["y"]
    if isinstance(values, dict):  # plotly's typed-array encoding
        values = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    points = dict(zip(belltown["x"], values, strict=True))
    in_2018 = [points[x] for x in points if x.startswith("2018")]
    assert len(in_2018) == 12 and all(v is None or np.isnan(v) for v in in_2018)  # a gap, not 0
    footer = str(body["qol-trend-footer"]["children"])
    assert f"{two_files[0].name}, January 2008 to " in footer
    table = str(body["qol-trend-table-html"]["data"])
    assert "no data" in table


def test_the_yearly_view_totals_complete_years_and_names_partial_ones(
    client: FlaskClient, two_files: tuple[Path, Path]
) -> None:
    response = client.post(
        "/_dash-update-component",
        json=trend_request("robbery", "count", smoothing="year", opened=True),
    )
    assert response.status_code == 200
    body = response.get_json()["response"]
    table = str(body["qol-trend-table-html"]["data"])
    assert "Year" in table and "2008" in table
    summary = str(body["qol-trend-summary"]["children"])
    raw = raw_monthly_counts([str(two_files[0])])
    belltown_2008 = sum(n for (a, m, _g), n in raw.items() if a == "BELLTOWN" and m[:4] == "2008")
    last = pd.Timestamp(_covered_months(two_files[0])[1])
    assert last.year == 2009 and last.month < 12  # the file's last record is before Dec 31
    partial = f"partial year (Jan–{last:%b}, {last.month} of 12 months): not totaled"
    assert summary.startswith(f"Reported robbery offenses in Belltown: {belltown_2008} in 2008.")
    assert summary.endswith(
        f"2009 is not totaled: it has only {last.month} of 12 months (Jan–{last:%b})."
    )
    assert f'<th scope="row">2009</th><td class="cell--text">{partial}</td>' in table
    assert f'<th scope="row">2008</th><td>{belltown_2008}</td>' in table
    assert '<th scope="row">2018</th><td class="cell--text">no data</td>' in table
    share = str(body["qol-trend-share"]["children"])
    assert "/download/reported_offenses_yearly.csv" in share  # the download is the chart
