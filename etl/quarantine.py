"""What a run could not accept: the quarantine reports and the corrupt-file rule.

Rejected rows are written to ``QUARANTINE_DIR/<run id>/<source>.csv`` (public files: file,
row, column, value and reason; the program extract: file, row, column and rule, never a
value). Text that a spreadsheet would run as a formula (a value starting with ``=``, ``+``,
``-`` or ``@``, or a tab or carriage return) is written with a leading apostrophe, so
opening a report in Excel or LibreOffice never executes what a file contained.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from etl import settings
from etl.sources import dates, program
from etl.sources.common import SourceError, SourceResult, display_name, rejections_frame
from etl.spreadsheet import safe_for_spreadsheets

# A file with more bad rows than this share is treated as corrupt, not as a few bad rows.
MAX_REJECTED_SHARE = 0.05


def check_rejection_rates(sources: list[SourceResult]) -> None:
    """Fail the run when any file has more than :data:`MAX_REJECTED_SHARE` of its rows
    rejected, naming every such file and what went wrong in it (one message for all)."""
    problems = [
        _rejection_problem(result)
        for result in sources
        if result.rows_read and result.rows_rejected / result.rows_read > MAX_REJECTED_SHARE
    ]
    if problems:
        raise SourceError("; ".join(problems))


def _rejection_problem(result: SourceResult) -> str:
    """Why a file lost too many rows: a date format it does not read, or its commonest reason."""
    name = display_name(result.location)
    reasons = Counter((r.column, r.reason) for r in result.rejections)
    (column, reason), count = reasons.most_common(1)[0]
    if reason == dates.REASON and count * 2 >= result.rows_read:  # most of the file
        example = next(r.value for r in result.rejections if r.reason == dates.REASON)
        return (
            f"{dates.format_problem(name, column, example)} ({count} of {result.rows_read} "
            "rows could not be read)"
        )
    return (
        f"{name}: {result.rows_rejected} of {result.rows_read} rows rejected (more than "
        f"{MAX_REJECTED_SHARE:.0%}), most often {column}: {reason} ({count} rows); see the "
        "quarantine report"
    )


def write_quarantine(run_id: str, sources: list[SourceResult]) -> list[Path]:
    """Write each source's rejected rows to ``QUARANTINE_DIR/<run id>/<source>.csv``."""
    written: list[Path] = []
    rejections = [r for s in sources for r in s.rejections]
    if not rejections:
        return written
    folder = Path(settings.get("QUARANTINE_DIR")) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[SourceResult]] = {}
    for result in sources:
        by_source.setdefault(result.info.source_id, []).append(result)
    for source_id, results in by_source.items():
        # In file and row order (each file's rejections are collected step by step).
        rows = [
            rejection
            for result in results
            for rejection in sorted(result.rejections, key=lambda r: r.row_number)
        ]
        if rows:
            path = folder / f"{source_id}.csv"
            safe_for_spreadsheets(rejections_frame(rows)).to_csv(path, index=False)
            written.append(path)
    return written


def write_program_quarantine(run_id: str, error: program.ProgramExtractError) -> list[Path]:
    """The rejected program extract's violations: file, row, column and rule, no values."""
    folder = Path(settings.get("QUARANTINE_DIR")) / run_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "program_extract.csv"
    safe_for_spreadsheets(rejections_frame(program.quarantine_rows(error))).to_csv(
        path, index=False
    )
    return [path]
