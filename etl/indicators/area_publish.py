"""The neighborhood comparisons as published observations (public records: no suppression).

Each row names Belltown as its area and carries the comparison area and offense group in
its breakdown, so every figure says which two areas it compares.
"""

from __future__ import annotations

import pandas as pd

from etl.indicators import area_catalog, area_effects
from etl.indicators.incidents import area_slug


def _observations(
    indicator_id: str,
    focus: str,
    period: pd.Series | pd.Timestamp,
    grain: str,
    breakdown_name: str,
    breakdown_value: pd.Series,
    value: pd.Series,
    lower: pd.Series | None = None,
    upper: pd.Series | None = None,
    n: pd.Series | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "area": area_slug(focus),
            "period_start_date": period,
            "period_grain": grain,
            "breakdown_name": breakdown_name,
            "breakdown_value": breakdown_value,
            "value": value,
            "lower_bound": lower,
            "upper_bound": upper,
            "denominator_n": n,
            "is_suppressed": False,
        }
    )


def _pair(frame: pd.DataFrame) -> pd.Series:
    return frame["offense_group"] + "|" + frame["comparison_area"].map(area_slug)


def area_effect_observations(
    counts: pd.DataFrame, focus: str, lead_start: pd.Timestamp
) -> tuple[list[dict[str, str]], pd.DataFrame]:
    """Indicator rows and observations of every neighborhood comparison the counts allow."""
    specs, frames = [], []
    windows = area_effects.window_ratios(counts, focus, lead_start)
    if not windows.empty:
        totals = windows[["focus_before", "focus_after", "comparison_before", "comparison_after"]]
        frames.append(
            _observations(
                area_catalog.REPORTED_OFFENSES_BEFORE_AFTER.indicator_id,
                focus,
                lead_start,
                "window",
                "offense_group|comparison_area|window_months",
                _pair(windows) + "|" + windows["window_months"].astype(str),
                windows["rate_ratio"],
                windows["lower"],
                windows["upper"],
                totals.sum(axis=1).astype(int),
            )
        )
        specs.append(area_catalog.REPORTED_OFFENSES_BEFORE_AFTER)
    events = area_effects.event_study(counts, focus, lead_start)
    if not events.empty:
        frames.append(
            _observations(
                area_catalog.REPORTED_OFFENSES_EVENT_STUDY.indicator_id,
                focus,
                events["year_start"],
                "lead_year",
                "offense_group|comparison_area",
                _pair(events),
                events["rate_ratio"],
                events["lower"],
                events["upper"],
                (events["focus_count"] + events["comparison_count"]).astype(int),
            )
        )
        specs.append(area_catalog.REPORTED_OFFENSES_EVENT_STUDY)
    trend = area_effects.pre_trend(counts, focus, lead_start)
    if not trend.empty:
        first = counts["period_start_date"].min()
        frames += [
            _observations(
                area_catalog.REPORTED_OFFENSES_PRETREND.indicator_id,
                focus, first, "before_start", "offense_group|comparison_area", _pair(trend),
                trend["ratio_per_year"], trend["lower"], trend["upper"], trend["months"],
            ),
            _observations(
                area_catalog.REPORTED_OFFENSES_PRETREND_P.indicator_id,
                focus, first, "before_start", "offense_group|comparison_area", _pair(trend),
                trend["p_value"], n=trend["months"],
            ),
        ]  # fmt: skip
        specs += [
            area_catalog.REPORTED_OFFENSES_PRETREND,
            area_catalog.REPORTED_OFFENSES_PRETREND_P,
        ]
    placebos = area_effects.placebo_ratios(counts, focus, lead_start)
    if not placebos.empty:
        frames.append(
            _observations(
                area_catalog.REPORTED_OFFENSES_PLACEBO.indicator_id,
                focus,
                placebos["placebo_start"],
                "month",
                "offense_group|comparison_area",
                _pair(placebos),
                placebos["rate_ratio"],
                placebos["lower"],
                placebos["upper"],
            )
        )
        specs.append(area_catalog.REPORTED_OFFENSES_PLACEBO)
    if not frames:
        return [], pd.DataFrame()
    return [spec.as_row() for spec in specs], pd.concat(frames, ignore_index=True)
