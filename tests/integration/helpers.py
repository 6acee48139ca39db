"""Reading back what the ETL published, independently of the site's query layer."""

from __future__ import annotations

import csv
import json
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


def find_component(node: Any, component_id: str) -> dict[str, Any] | None:
    """The component with ``component_id`` in a serialized layout, or None."""
    if isinstance(node, list):
        for child in node:
            found = find_component(child, component_id)
            if found is not None:
                return found
    elif isinstance(node, dict) and "props" in node:
        if node["props"].get("id") == component_id:
            return node
        for value in node["props"].values():
            found = find_component(value, component_id)
            if found is not None:
                return found
    return None


def render_layout(client: Any, path: str, search: str = "") -> Any:
    """The whole layout the browser renders for ``path?search`` (shell and page, every card
    drawn), as Dash serializes it, asserting the request succeeded."""
    response = client.get("/_dash-layout", query_string={"page": f"{path}{search}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def render_page(client: Any, path: str, search: str = "") -> Any:
    """The page's own content (inside ``<main>``) as the browser gets it for
    ``path?search``, every card drawn."""
    main = find_component(render_layout(client, path, search), "main")
    assert main is not None
    return main["props"]["children"]


# Each extract file's date column, and the length of its dates ("2016-09" or "2016-09-30").
EXTRACT_DATES = {
    "legal_events.csv": "event_date",
    "health_events.csv": "event_date",
    "services.csv": "contact_date",
    "monthly_status.csv": "month",
    "finance.csv": "month",
}


def extract_as_of(
    source: Path, target: Path, cutoff: str, added: pd.DataFrame | None = None
) -> Path:
    """The program extract ``source`` as it stood on ``cutoff`` (YYYY-MM-DD): people and
    events after it left out, exits after it undone; ``added`` participants rows appended
    (people a later version adds). Strings are kept exactly as written."""
    target.mkdir(parents=True, exist_ok=True)
    people = pd.read_csv(source / "participants.csv", dtype=str, keep_default_na=False)
    kept = set(people.loc[people["referral_date"] <= cutoff, "person_id"])
    for path in source.iterdir():
        if path.suffix != ".csv":
            (target / path.name).write_bytes(path.read_bytes())
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.name == "participants.csv":
            frame = frame[frame["referral_date"] <= cutoff].copy()
            later = frame["exit_date"] > cutoff
            frame.loc[later, ["exit_date", "exit_reason"]] = ""
            frame.loc[later & (frame["enrollment_status"] == "exited"), "enrollment_status"] = (
                "active"
            )
        else:
            column = EXTRACT_DATES[path.name]
            frame = frame[frame[column] <= cutoff[: len(frame[column].max() or cutoff)]]
            if "person_id" in frame.columns:
                frame = frame[frame["person_id"].isin(kept)]
        frame.to_csv(target / path.name, index=False)
    provenance = json.loads((target / "PROVENANCE.json").read_text())
    provenance["extract_date"] = cutoff
    (target / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2))
    return target
