"""Reading back what the ETL published, independently of the site's query layer."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, text

from etl.models import OBSERVATION_COLUMNS

PUBLISHED_COLUMNS = list(OBSERVATION_COLUMNS)


def query(url: str, sql: str, **params: object) -> pd.DataFrame:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql), params)
            return pd.DataFrame(result.all(), columns=list(result.keys()))
    finally:
        engine.dispose()


def runs(url: str) -> pd.DataFrame:
    return query(url, "SELECT run_id, status, message FROM etl_run ORDER BY started_at")


def latest_succeeded_run(url: str) -> str:
    frame = query(
        url,
        "SELECT run_id FROM etl_run WHERE status = 'succeeded' ORDER BY finished_at DESC",
    )
    return str(frame["run_id"].iloc[0])


def published(url: str, run_id: str) -> pd.DataFrame:
    """A run's observations, without ids, in a canonical order (for exact comparison)."""
    frame = query(
        url,
        # Column names are this module's constants, not input.
        f"SELECT {', '.join(PUBLISHED_COLUMNS)} FROM observation WHERE run_id = :run_id",  # noqa: S608
        run_id=run_id,
    )
    frame["period_start_date"] = pd.to_datetime(frame["period_start_date"])
    frame["is_suppressed"] = frame["is_suppressed"].astype(bool)
    key = ["indicator_id", "area", "period_start_date", "breakdown_value"]
    return frame.sort_values(key).reset_index(drop=True)


def raw_monthly_counts(paths: list[str]) -> Counter[tuple[str, str, str]]:
    """Counts straight from the raw CSV files with the standard library only (no project
    code): (MCPP, YYYY-MM of Report DateTime, Offense Parent Group) -> rows."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for path in paths:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                reported = datetime.strptime(row["Report DateTime"], "%m/%d/%Y %I:%M:%S %p")
                counts[(row["MCPP"], reported.strftime("%Y-%m"), row["Offense Parent Group"])] += 1
    return counts


def pages_request(path: str, search: str = "") -> dict[str, Any]:
    """The Dash Pages router callback's request body for ``path?search``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def render_page(client: Any, path: str, search: str = "") -> Any:
    """A page's layout as the Dash Pages router callback returns it (``_pages_content``
    children), asserting the request succeeded: what a browser gets for ``path?search``."""
    response = client.post("/_dash-update-component", json=pages_request(path, search))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["_pages_content"]["children"]
