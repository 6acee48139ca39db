"""ETL throughput: rows per second of one whole ``etl.pipeline.run``, in-process.

Two inputs: the bundled sample (the NIBRS_SOURCES default, the real SPD extracts) and a
synthetic input made by replicating every row of those files ``replicas`` times, each copy
with a fresh unique Offense ID (the real header line, byte-order mark included, is kept).
Each repeat writes a new temporary SQLite file, so a repeat measures a first publish:
migrations, reading, validation, indicators and the atomic load. The best (fastest) of
``repeats`` repeats is reported; an untimed warm-up run first pays one-off import costs.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.site import scoped_environ
from etl import pipeline, settings
from etl.demo import write_demo_extract

logger = logging.getLogger(__name__)

OFFENSE_ID_HEADER = "Offense ID"
# Synthetic Offense IDs count up from here; every synthetic row gets a fresh one.
SYNTHETIC_ID_START = 900_000_000_000


def sample_sources() -> list[str]:
    """The default NIBRS_SOURCES (the bundled real extracts), ignoring the environment."""
    return list(settings.get("NIBRS_SOURCES", environ={}))


def make_synthetic_sources(sources: list[str], replicas: int, folder: Path) -> list[str]:
    """Write each source with its data rows repeated ``replicas`` times to ``folder``.

    The header line is copied byte for byte (with its UTF-8 byte-order mark and line
    ending); every written row gets a new Offense ID, unique across all written files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ids: Iterator[int] = itertools.count(SYNTHETIC_ID_START)
    written: list[str] = []
    for source in sources:
        raw = Path(source).read_bytes()
        header_end = raw.index(b"\n") + 1
        header_bytes = raw[:header_end]
        header = next(csv.reader([header_bytes.decode("utf-8-sig")]))
        id_column = header.index(OFFENSE_ID_HEADER)
        rows = list(csv.reader(io.StringIO(raw[header_end:].decode("utf-8"), newline="")))
        line_ending = "\r\n" if header_bytes.endswith(b"\r\n") else "\n"
        target = folder / f"x{replicas}_{Path(source).name}"
        with target.open("wb") as out:
            out.write(header_bytes)
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            writer = csv.writer(text, lineterminator=line_ending)
            for _copy in range(replicas):
                for row in rows:
                    if not row:
                        continue
                    fresh = list(row)
                    fresh[id_column] = str(next(ids))
                    writer.writerow(fresh)
            text.flush()
            text.detach()
        written.append(str(target))
    return written


def time_runs(
    sources: list[str], repeats: int, folder: Path, program_extract_dir: str = ""
) -> dict[str, Any]:
    """Run the ETL ``repeats`` times on ``sources`` (fresh SQLite each time); best wins.

    ``program_extract_dir`` adds the program extract (reading, de-identification,
    statistics and suppression); empty means neighborhood data only.
    """
    seconds: list[float] = []
    rows_read = rows_rejected = observations = 0
    with scoped_environ({"QUARANTINE_DIR": str(folder / "quarantine")}):
        for repeat in range(repeats):
            database_url = f"sqlite:///{(folder / f'etl_{repeat}.db').as_posix()}"
            started = time.perf_counter()
            summary = pipeline.run(
                database_url=database_url,
                nibrs_sources=sources,
                program_extract_dir=program_extract_dir,
            )
            seconds.append(time.perf_counter() - started)
            rows_read = sum(s.rows_read for s in summary.sources)
            rows_rejected = sum(s.rows_rejected for s in summary.sources)
            observations = summary.observation_count
    best = min(seconds)
    return {
        "files": len(sources),
        "rows_read": rows_read,
        "rows_rejected": rows_rejected,
        "observations_published": observations,
        "repeats": repeats,
        "seconds_each": [round(s, 3) for s in seconds],
        "best_seconds": round(best, 3),
        "rows_per_second": round(rows_read / best, 1),
    }


def run(replicas: int = 20, repeats: int = 3) -> dict[str, Any]:
    """The ETL throughput benchmark: the bundled sample and the replicated sample."""
    sources = sample_sources()
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as tmp:
        folder = Path(tmp)
        with scoped_environ({"QUARANTINE_DIR": str(folder / "quarantine")}):
            started = time.perf_counter()
            pipeline.run(
                database_url=f"sqlite:///{(folder / 'warmup.db').as_posix()}",
                nibrs_sources=sources,
                program_extract_dir="",
            )
            warmup = time.perf_counter() - started
        logger.info("ETL warm-up run: %.2f s", warmup)
        sample = time_runs(sources, repeats, folder / "sample")
        logger.info("ETL sample: %s rows/s", sample["rows_per_second"])
        extract = folder / "demo_program_extract"
        write_demo_extract(extract)
        with_program = time_runs(sources, repeats, folder / "with_program", str(extract))
        logger.info("ETL sample + demo program extract: %s rows/s", with_program["rows_per_second"])
        started = time.perf_counter()
        synthetic_sources = make_synthetic_sources(sources, replicas, folder / "synthetic")
        generation = time.perf_counter() - started
        synthetic_bytes = sum(Path(s).stat().st_size for s in synthetic_sources)
        synthetic = time_runs(synthetic_sources, repeats, folder / "synthetic_runs")
        synthetic.update(
            {
                "replicas": replicas,
                "input_megabytes": round(synthetic_bytes / 1e6, 1),
                "generation_seconds": round(generation, 2),
            }
        )
        logger.info("ETL synthetic x%s: %s rows/s", replicas, synthetic["rows_per_second"])
    return {
        "warmup_seconds": round(warmup, 3),
        "sample": sample | {"sources": [Path(s).name for s in sources]},
        "sample_with_program": with_program,
        "synthetic": synthetic,
    }
