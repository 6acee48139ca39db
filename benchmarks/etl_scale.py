"""The ETL at city scale: generated NIBRS files of 100k, 1M and 5M rows.

Each file has the bundled sample's layout and value formats (the old portal CSV header
with its byte-order mark, ``MM/DD/YYYY hh:mm:ss AM/PM`` datetimes, report numbers as
text): the real rows of both bundled NIBRS extracts are cycled, every written row with a
fresh Offense ID. Each measurement runs in its own Python process, so its peak resident
memory (``ru_maxrss`` of that child) is its own:

* ``etl``: one whole ``etl.pipeline.run`` on the file into a new SQLite database
  (migrations, reading, validation, indicators, publish);
* ``read_csv``: ``pandas.read_csv(path, dtype=str, keep_default_na=False)`` of the same
  file, nothing else: the floor any pandas-based reader starts from.

The ratio ``etl ÷ read_csv`` is reported for time and memory.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from etl import settings

logger = logging.getLogger(__name__)

SIZES = (100_000, 1_000_000, 5_000_000)
OFFENSE_ID_HEADER = "Offense ID"
FIRST_ID = 800_000_000_000

_CHILD_ETL = """
import json, resource, sys, time
from etl import pipeline
started = time.perf_counter()
summary = pipeline.run(
    database_url=sys.argv[1], nibrs_sources=[sys.argv[2]], program_extract_dir=""
)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows_read": sum(s.rows_read for s in summary.sources),
                  "rows_rejected": sum(s.rows_rejected for s in summary.sources),
                  "observations": summary.observation_count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_CHILD_READ_CSV = """
import json, resource, sys, time
import pandas as pd
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": len(frame),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sample_sources() -> list[str]:
    return list(settings.get("NIBRS_SOURCES", environ={}))


def write_nibrs_file(rows: int, target: Path, sources: list[str] | None = None) -> Path:
    """Write ``rows`` data rows in the sample's layout to ``target`` (fresh Offense IDs)."""
    sources = sources or sample_sources()
    header_bytes = b""
    records: list[list[str]] = []
    for source in sources:
        raw = Path(source).read_bytes()
        header_end = raw.index(b"\n") + 1
        header_bytes = header_bytes or raw[:header_end]
        text = raw[header_end:].decode("utf-8")
        records += [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    header = next(csv.reader([header_bytes.decode("utf-8-sig")]))
    id_column = header.index(OFFENSE_ID_HEADER)
    line_ending = "\r\n" if header_bytes.endswith(b"\r\n") else "\n"
    ids = itertools.count(FIRST_ID)
    with target.open("wb") as out:
        out.write(header_bytes)
        text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text_out, lineterminator=line_ending)
        for record in itertools.islice(itertools.cycle(records), rows):
            fresh = list(record)
            fresh[id_column] = str(next(ids))
            writer.writerow(fresh)
        text_out.flush()
        text_out.detach()
    return target


def _child(code: str, *args: str) -> dict[str, Any]:
    env = dict(os.environ, QUARANTINE_DIR=os.environ.get("QUARANTINE_DIR", ""))
    completed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=1800,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure(rows: int, folder: Path) -> dict[str, Any]:
    """ETL and read_csv of one generated file of ``rows`` rows, each in its own process."""
    path = write_nibrs_file(rows, folder / f"nibrs_{rows}.csv")
    os.environ["QUARANTINE_DIR"] = str(folder / "quarantine")
    floor = _child(_CHILD_READ_CSV, str(path))
    etl = _child(_CHILD_ETL, f"sqlite:///{(folder / f'etl_{rows}.db').as_posix()}", str(path))
    megabytes = round(path.stat().st_size / 1e6, 1)
    path.unlink()
    return {
        "rows": rows,
        "input_megabytes": megabytes,
        "etl_seconds": round(etl["seconds"], 2),
        "etl_peak_rss_mb": round(etl["peak_rss_mb"]),
        "etl_rows_rejected": etl["rows_rejected"],
        "etl_observations": etl["observations"],
        "read_csv_seconds": round(floor["seconds"], 2),
        "read_csv_peak_rss_mb": round(floor["peak_rss_mb"]),
        "time_ratio": round(etl["seconds"] / floor["seconds"], 2),
        "memory_ratio": round(etl["peak_rss_mb"] / floor["peak_rss_mb"], 2),
        "etl_rows_per_second": round(etl["rows_read"] / etl["seconds"]),
    }


def run(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-etl-scale-") as tmp:
        for rows in sizes:
            logger.info("ETL at scale: %s rows", f"{rows:,}")
            measured = measure(rows, Path(tmp))
            logger.info("  %s", measured)
            results.append(measured)
    return {"sizes": results}
