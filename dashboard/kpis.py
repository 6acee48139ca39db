"""The key figures of the Overview tiles and the Briefing, for a quarter or a year.

Every figure is read from the published tables (the same rows the pages draw), so a number
on the brief matches its page. A figure that is withheld is reported as withheld; a sum over
a period with any withheld part is withheld too (never a partial total).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dashboard import data, estimand_text, narrative, published_effects
from etl import settings

QUARTER_KEY = re.compile(r"([0-9]{4})-Q([1-4])")
YEAR_KEY = re.compile(r"([0-9]{4})")  # ASCII digits only: "٢٠١٤" is not a year here
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
QOL_GROUP = "robbery"


@dataclass(frozen=True)
class Period:
    """A calendar quarter (``2014-Q3``) or year (``2014``)."""

    key: str
    start: pd.Timestamp  # first day
    end: pd.Timestamp  # first day of the last month

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.key

    @property
    def label(self) -> str:
        """``Q3 2014`` or ``2014``."""
        if self.is_quarter:
            year, quarter = self.key.split("-")
            return f"{quarter} {year}"
        return self.key

    @property
    def long_label(self) -> str:
        """``July to September 2014`` or ``January to December 2014``."""
        return f"{MONTHS[self.start.month - 1]} to {MONTHS[self.end.month - 1]} {self.end.year}"

    def year_before(self) -> Period:
        """The same period a year earlier (key figures compare like with like: no season
        or quarter-end effect in the change)."""
        if self.is_quarter:
            return quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        return year(self.start.year - 1)

    def months(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="MS")


def quarter(year_number: int, quarter_number: int) -> Period:
    start = pd.Timestamp(year_number, 3 * (quarter_number - 1) + 1, 1)
    return Period(f"{year_number}-Q{quarter_number}", start, start + pd.DateOffset(months=2))


def year(year_number: int) -> Period:
    return Period(
        str(year_number), pd.Timestamp(year_number, 1, 1), pd.Timestamp(year_number, 12, 1)
    )


def parse_period(key: str | None) -> Period | None:
    """``"2014-Q3"`` or ``"2014"`` (years 2000-2100); anything else is None."""
    if not key:
        return None
    text = key.strip()
    if match := QUARTER_KEY.fullmatch(text):
        number = int(match[1])
        return quarter(number, int(match[2])) if 2000 <= number <= 2100 else None
    if match := YEAR_KEY.fullmatch(text):
        number = int(match[1])
        return year(number) if 2000 <= number <= 2100 else None
    return None


def available_periods(run: data.PublishedRun) -> list[Period]:
    """Quarters with program figures (or, without program data, complete quarters of the
    neighborhood data), then complete years; newest first."""
    quarters = _program_quarters(run) or _neighbourhood_quarters(run)
    years: dict[int, int] = {}
    for period in quarters:
        years[period.start.year] = years.get(period.start.year, 0) + 1
    complete_years = [year(y) for y, count in years.items() if count == 4]
    ordered_quarters = sorted(quarters, key=lambda p: p.start, reverse=True)
    return ordered_quarters + sorted(complete_years, key=lambda p: p.start, reverse=True)


def default_period(run: data.PublishedRun) -> Period | None:
    """The latest complete quarter the data cover."""
    periods = [p for p in available_periods(run) if p.is_quarter]
    return periods[0] if periods else None


def _program_quarters(run: data.PublishedRun) -> list[Period]:
    frame = data.observations(run.run_id, "referrals")
    starts = sorted(set(frame["period_start_date"]))
    return [quarter(s.year, (s.month - 1) // 3 + 1) for s in starts]


def _neighbourhood_quarters(run: data.PublishedRun) -> list[Period]:
    months = set(data.observations(run.run_id, "reported_offenses")["period_start_date"])
    found = []
    for start in sorted({pd.Timestamp(m.year, 3 * ((m.month - 1) // 3) + 1, 1) for m in months}):
        period = quarter(start.year, (start.month - 1) // 3 + 1)
        if all(m in months for m in period.months()):
            found.append(period)
    return found


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str  # "People referred"
    value: str  # "25" / "Not shown" / "No data"
    detail: str  # "Q3 2014; up 25% from Q2 2014"
    sentence: str  # the plain-language sentence (narrative)
    href: str
    withheld: bool = False
    # A shorter form of ``sentence`` for the one-page brief (empty: use ``sentence``).
    brief: str = ""

    @property
    def brief_sentence(self) -> str:
        return self.brief or self.sentence


def kpis(run: data.PublishedRun, period: Period) -> list[Kpi]:
    """The key figures for ``period`` that the published data hold (4 to 5)."""
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    tiles: list[Kpi] = []
    if data.indicator(run.run_id, "referrals") is not None:
        tiles.append(_sum_kpi(run, period, "referrals", "People referred", "people", threshold))
        tiles.append(_active_kpi(run, period, threshold))
        tiles.append(
            _sum_kpi(
                run, period, "service_contacts", "Service contacts", "contacts", threshold,
                href="/enrollment#enr-services",
            )
        )  # fmt: skip
    if data.indicator(run.run_id, "arrest_odds_ratio_weighted") is not None:
        tiles.append(_effect_kpi(run, threshold))
    if data.indicator(run.run_id, "days_of_use_change_12m") is not None:
        tiles.append(_drug_use_kpi(run, threshold))
    if data.indicator(run.run_id, "reported_offenses") is not None:
        tiles.append(_offences_kpi(run, period))
    return tiles


def _drug_use_kpi(run: data.PublishedRun, threshold: int) -> Kpi:
    """The 12-month change in days of opioid use (evaluation-wide, not per period)."""
    frame = data.observations(run.run_id, "days_of_use_change_12m", breakdown_value="opioids")
    label = "Days of opioid use (per 30)"
    if frame.empty or bool(frame.iloc[0]["is_suppressed"]):
        return Kpi("days_of_use_change_12m", label, "Not shown",
                   "12 months after referral", narrative.withheld_phrase(threshold).capitalize()
                   + ".", "/drug-use", withheld=True)  # fmt: skip
    row = frame.iloc[0]
    value, lower, upper = (float(row[c]) for c in ("value", "lower_bound", "upper_bound"))
    sentence = (
        f"Days of opioid use in the past 30 changed by {value:+.1f} over the 12 months after "
        f"referral (likely range {lower:+.1f} to {upper:+.1f}); a within-person change with no "
        "comparison group."
    )
    return Kpi(
        key="days_of_use_change_12m",
        label=label,
        value=f"{value:+.1f} days".replace("-", "−"),
        detail=f"change over 12 months after referral; 95% interval {lower:+.1f} to {upper:+.1f}",
        sentence=sentence,
        href="/drug-use",
    )


def _quarter_values(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    starts = {p.start for p in _quarters_of(period)}
    return frame[frame["period_start_date"].isin(starts)]


def _quarters_of(period: Period) -> list[Period]:
    if period.is_quarter:
        return [period]
    return [quarter(period.start.year, q) for q in range(1, 5)]


def period_total(frame: pd.DataFrame, period: Period) -> float | None:
    """The period's total of quarterly rows; None if any quarter is withheld or missing."""
    return period_figure(frame, period).value


def period_figure(frame: pd.DataFrame, period: Period) -> narrative.Figure:
    """The period's total as a :class:`narrative.Figure`, saying why it is missing if it is:
    no data, withheld (one quarter) or partly withheld (a sum with a withheld quarter)."""
    rows = _quarter_values(frame, period)
    quarters = len(_quarters_of(period))
    if len(rows) != quarters:
        return narrative.Figure(None, period.label, "no data")
    if rows["is_suppressed"].any():
        reason = "withheld" if quarters == 1 else "partly withheld"
        return narrative.Figure(None, period.label, reason)
    return narrative.Figure(float(rows["value"].sum()), period.label)


def _sum_kpi(
    run: data.PublishedRun,
    period: Period,
    indicator_id: str,
    label: str,
    unit: str,
    threshold: int,
    href: str = "/enrollment#enr-referrals",
) -> Kpi:
    frame = data.observations(run.run_id, indicator_id)
    frame = frame[frame["breakdown_value"] == ""]
    current, prior = period_figure(frame, period), period_figure(frame, period.year_before())
    now, before = current.value, prior.value
    sentence = narrative.change_sentence(label, unit, current, prior, threshold)
    return Kpi(
        key=indicator_id,
        label=label,
        value=_missing_value(current) if now is None else f"{now:,.0f}",
        detail=_detail(now, before, period, current.reason),
        sentence=sentence,
        href=href,
        withheld=now is None,
    )


def _active_kpi(run: data.PublishedRun, period: Period, threshold: int) -> Kpi:
    frame = data.observations(run.run_id, "participants_active")
    frame = frame[frame["breakdown_value"] == ""]
    last = _quarters_of(period)[-1]
    earlier = last.year_before()
    current, prior = period_figure(frame, last), period_figure(frame, earlier)
    now, before = current.value, prior.value
    sentence = narrative.change_sentence(
        "Active participants", "people", current, prior, threshold, preposition="at the end of"
    )
    return Kpi(
        key="participants_active",
        label="Active participants",
        value=_missing_value(current) if now is None else f"{now:,.0f}",
        detail=f"at the end of {last.label}; "
        + _change_words(now, before, earlier.label, current.reason),
        sentence=sentence,
        href="/enrollment#enr-participants",
        withheld=now is None,
    )


def _effect_kpi(run: data.PublishedRun, threshold: int) -> Kpi:
    """The headline: odds of any arrest in the 6 months after entry, LEAD vs comparison,
    weighted for who was referred; the interval in the tile's own unit (percent lower)."""
    effect = published_effects.headline_effect(run, "arrest")
    label = "Odds of arrest after entry, LEAD vs comparison"
    if effect is None or effect.withheld:
        meta = effect.meta if effect is not None else {}
        sentence = estimand_text.effect_sentence(meta, None, None, None, threshold)
        return Kpi("arrest_odds_ratio_weighted", label, "Not shown",
                   "6 months after entry, adjusted", sentence, "/recidivism",
                   withheld=True)  # fmt: skip
    detail = f"6 months after entry, adjusted; {effect.tile_range()} (OR {effect.value:.2f})"
    fragility = (
        published_effects.e_value_sentence(run, "arrest_odds_ratio_weighted"),
        published_effects.window_sentence(run, "arrest"),
    )
    return Kpi(
        key="arrest_odds_ratio_weighted",
        label=label,
        value=effect.tile_value(),
        detail=detail,
        sentence=" ".join([effect.sentence(threshold), *(s for s in fragility if s)]),
        href="/recidivism",
        brief=effect.sentence(threshold, with_note=False)
        + " (Weighted for differences at entry"
        + published_effects.e_value_brief(run, "arrest_odds_ratio_weighted")
        + ".)",
    )


def _offences_kpi(run: data.PublishedRun, period: Period) -> Kpi:
    focus = settings.get("FOCUS_AREA").strip().lower().replace(" ", "-")
    frame = data.observations(run.run_id, "reported_offenses", (focus,), QOL_GROUP)
    now = _month_total(frame, period)
    before = _month_total(frame, period.year_before())
    label = f"Reported {QOL_GROUP} offenses in Belltown"
    if now is None:
        return Kpi(
            key="reported_offenses",
            label=label,
            value="No data",
            detail=f"the current extract has no complete data for {period.label}",
            sentence=f"Reported {QOL_GROUP} offenses in Belltown in {period.label}: no data for "
            "this period in the current extract.",
            href="/quality-of-life",
        )
    sentence = narrative.change_sentence(
        f"Reported {QOL_GROUP} offenses in Belltown",
        "offenses",
        narrative.Figure(now, period.label),
        narrative.Figure(before, period.year_before().label),
        settings.get("SUPPRESSION_THRESHOLD"),
    )
    return Kpi(
        key="reported_offenses",
        label=label,
        value=f"{now:,.0f}",
        detail=_detail(now, before, period),
        sentence=sentence,
        href="/quality-of-life",
    )


def _month_total(frame: pd.DataFrame, period: Period) -> float | None:
    rows = frame[frame["period_start_date"].isin(period.months())]
    if len(rows) != len(period.months()) or rows["is_suppressed"].any():
        return None
    return float(rows["value"].sum())


def _missing_value(figure: narrative.Figure) -> str:
    return "No data" if figure.reason == "no data" else "Not shown"


def _detail(
    now: float | None, before: float | None, period: Period, reason: str = "withheld"
) -> str:
    return f"{period.label}; " + _change_words(now, before, period.year_before().label, reason)


def _change_words(
    now: float | None, before: float | None, prior_label: str, reason: str = "withheld"
) -> str:
    if now is None:
        return {
            "no data": "no data for this period",
            "partly withheld": "part of it is withheld to protect privacy",
        }.get(reason, "fewer than the privacy threshold")
    if before is None:
        return f"no comparison with {prior_label}"
    if before == 0:
        return f"none in {prior_label}" if now else f"also none in {prior_label}"
    then = f"{before:,.0f} in {prior_label}"
    if before == now:
        return f"the same as {then}"
    if max(before, now) < narrative.SMALL_COUNT:  # a few more or fewer would swing a percent
        return f"against {then}"
    direction, percent = narrative.relative_change(before, now)
    if direction == "flat":
        return f"about the same as {then}"
    return f"{direction} {percent}% from {then}"
