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


SYNTHETIC_NOTE = " Synthetic demonstration data, not real records."


def citation_texts(
    title: str, url: str, run: Versioned, *, synthetic: bool, accessed: date | None = None
) -> dict[str, str]:
    """``short``: one line for a caption; ``full``: a reference-list entry (APA-like).

    Both name the data version, so a reader can ask for exactly the cited numbers
    (``?run=<version>`` while that version is retained). ``synthetic`` is whether a source
    of *this* figure is synthetic (its own provenance, not the run's): real police data
    cited from a run that also holds demonstration program data are not labeled synthetic.
    """
    day = accessed or datetime.now(UTC).date()
    refreshed = run.finished_at.astimezone(UTC)
    note = SYNTHETIC_NOTE if synthetic else ""
    short = (
        f"{PUBLISHER}, “{title}”, data version {run.run_id} "
        f"(refreshed {refreshed:%Y-%m-%d}), {url}{note}"
    )
    full = (
        f"{PUBLISHER}. ({refreshed:%Y}). {title} [Data set; data version {run.run_id}, "
        f"last refreshed {refreshed:%B %-d, %Y, %H:%M} UTC]. Retrieved {day:%B %-d, %Y}, "
        f"from {url}{note}"
    )
    return {"short": short, "full": full}
