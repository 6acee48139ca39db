"""The published effects of the evaluation, read from the published tables, with their
words: the headline after-entry comparison, its other windows and its E-values.

Shared by the Recidivism page, the Overview tiles and the Briefing, so they all say the
same thing about the same number.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import data, estimand_text
from dashboard.narrative import percent_words

MEASURES = {"arrest": "Any arrest", "booking": "Jail bookings", "jail_days": "Days in jail"}
SUFFIX = {"arrest": "odds_ratio", "booking": "rate_ratio", "jail_days": "rate_ratio"}
HEADLINE_MONTHS = {"arrest": 6, "booking": 12, "jail_days": 12}
WINDOWS = (6, 12, 18)
ADJUSTED_FOR = "age, gender, race/ethnicity, housing at referral, and past arrests and bookings"
ADJUSTMENTS = {
    "weighted": "weighted to resemble LEAD (headline)",
    "adjusted": "adjusted in the model",
    "after_entry": "unadjusted",
}


def indicator_id(measure: str, adjustment: str) -> str:
    return f"{measure}_{SUFFIX[measure]}_{adjustment}"


@dataclass(frozen=True)
class Effect:
    """One published effect: its indicator's metadata and values (None when withheld)."""

    meta: dict[str, str]
    value: float | None
    lower: float | None
    upper: float | None
    months: int | None

    @property
    def withheld(self) -> bool:
        return self.value is None

    def sentence(self, threshold: int, with_note: bool = True) -> str:
        window = f"the {self.months} months after entry" if self.months else None
        return estimand_text.effect_sentence(
            self.meta,
            self.value,
            self.lower,
            self.upper,
            threshold,
            window=window,
            with_note=with_note,
        )

    def tile_value(self) -> str:
        """The headline in words: ``67% lower`` (``Not shown`` when withheld)."""
        if self.value is None:
            return "Not shown"
        words = percent_words(self.value)
        return words[:1].upper() + words[1:]

    def tile_range(self) -> str:
        """The interval in the tile's unit: ``likely range 47% to 80% lower``."""
        if self.lower is None or self.upper is None:
            return ""
        return estimand_text.range_words(self.lower, self.upper)


def effect(run: data.PublishedRun, indicator: str, months: int | None = None) -> Effect | None:
    """The published effect of ``indicator`` (for a window, when it has windows)."""
    meta = data.indicator(run.run_id, indicator)
    if meta is None:
        return None
    frame = data.observations(run.run_id, indicator)
    if months is not None:
        frame = frame[frame["breakdown_value"] == str(months)]
    if frame.empty:
        return Effect(meta, None, None, None, months)
    row = frame.iloc[0]
    if bool(row["is_suppressed"]):
        return Effect(meta, None, None, None, months)
    return Effect(
        meta, float(row["value"]), float(row["lower_bound"]), float(row["upper_bound"]), months
    )


def headline_effect(run: data.PublishedRun, measure: str = "arrest") -> Effect | None:
    """The headline: the weighted after-entry comparison at the measure's headline window."""
    return effect(run, indicator_id(measure, "weighted"), HEADLINE_MONTHS[measure])


def e_values(run: data.PublishedRun, indicator: str) -> dict[str, float]:
    """The published E-values of ``indicator``: ``estimate`` and ``interval`` when shown."""
    frame = data.observations(run.run_id, "effect_e_value")
    shown = frame[~frame["is_suppressed"].astype(bool)]
    return {
        str(v).split("|")[1]: float(x)
        for v, x in zip(shown["breakdown_value"], shown["value"], strict=True)
        if str(v).startswith(f"{indicator}|")
    }


def e_value_sentence(run: data.PublishedRun, indicator: str) -> str:
    """How strong an unmeasured difference would have to be, in words (empty if none)."""
    values = e_values(run, indicator)
    if "estimate" not in values:
        return ""
    sentence = (
        "Could a difference that was not measured explain this away? Only if it made both "
        f"referral to LEAD and the outcome about {values['estimate']:.1f} times as likely "
        "(the E-value)"
    )
    interval = values.get("interval")
    if interval is not None and interval > 1:
        sentence += (
            f". To make the likely range include no difference, it would take {interval:.1f} times"
        )
    elif interval is not None:
        sentence += ". The likely range already includes no difference"
    return sentence + "."


def e_value_brief(run: data.PublishedRun, indicator: str) -> str:
    """``; E-value 2.9`` for the one-page brief (empty if none)."""
    value = e_values(run, indicator).get("estimate")
    return "" if value is None else f"; E-value {value:.1f}"


def effect_text(run: data.PublishedRun, indicator: str, threshold: int) -> str:
    """The estimand sentence of a single-value effect indicator ("" when not published)."""
    found = effect(run, indicator)
    return "" if found is None else found.sentence(threshold)


def window_sentence(run: data.PublishedRun, measure: str) -> str:
    """The weighted estimate over the other windows, in the headline's unit."""
    parts = []
    for months in WINDOWS:
        if months == HEADLINE_MONTHS[measure]:
            continue
        found = effect(run, indicator_id(measure, "weighted"), months)
        if found is None or found.withheld:
            continue
        parts.append(
            f"Over {months} months, it is {found.tile_value().lower()} ({found.tile_range()})."
        )
    if not parts:
        return ""
    return " ".join(parts)
