"""Citation text for a chart, an indicator or a download (short and full forms)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol

PUBLISHER = "Belltown LEAD transparency dashboard"


class Versioned(Protocol):
    @property
    def run_id(self) -> str: ...

    @property
    def finished_at(self) -> datetime: ...

    @property
    def is_synthetic(self) -> bool: ...


def citation_texts(
    title: str, url: str, run: Versioned, accessed: date | None = None
) -> dict[str, str]:
    """``short``: one line for a caption; ``full``: a reference-list entry (APA-like).

    Both name the data version, so a reader can ask for exactly the cited numbers
    (``?run=<version>`` while that version is retained).
    """
    day = accessed or datetime.now(UTC).date()
    refreshed = run.finished_at.astimezone(UTC)
    synthetic = " Synthetic demonstration data, not real records." if run.is_synthetic else ""
    short = (
        f"{PUBLISHER}, “{title}”, data version {run.run_id} "
        f"(refreshed {refreshed:%Y-%m-%d}), {url}{synthetic}"
    )
    full = (
        f"{PUBLISHER}. ({refreshed:%Y}). {title} [Data set; data version {run.run_id}, "
        f"last refreshed {refreshed:%B %-d, %Y, %H:%M} UTC]. Retrieved {day:%B %-d, %Y}, "
        f"from {url}{synthetic}"
    )
    return {"short": short, "full": full}
