"""Neighbourhood incident indicators: pure functions of normalised offence rows.

Counts are by the month an offence was *reported* (``report_datetime``): it is always set,
whereas the offence start date is blank or years earlier for some rows. A month is only
published when the extract covers all of it (the latest month of a live extract is partial).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

COUNT_COLUMNS = ["area", "period_start_date", "offense_group", "offense_count"]


def area_slug(name: str) -> str:
    """``"DOWNTOWN COMMERCIAL"`` -> ``"downtown-commercial"``: the published area id."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")


def coverage_months(
    report_datetimes: pd.Series, dataset_start: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last *complete* month an extract covers, as month-start timestamps.

    The first month is the dataset's own start month or the first month with data,
    whichever is later. The last month is the month of the latest report, unless that
    report falls before the month's last day, in which case the month is treated as
    partial and the month before is the last. ``None`` when nothing is covered.
    """
    if report_datetimes.empty:
        return None
    earliest = max(report_datetimes.min(), dataset_start)
    first = earliest.to_period("M").to_timestamp()
    latest: pd.Timestamp = report_datetimes.max()
    last = latest.to_period("M").to_timestamp()
    if latest.normalize() < (last + pd.offsets.MonthEnd(0)).normalize():
        last = last - pd.DateOffset(months=1)
    if last < first:
        return None
    return first, last


def monthly_offense_counts(
    offenses: pd.DataFrame,
    areas: list[str],
    first_month: pd.Timestamp,
    last_month: pd.Timestamp,
) -> pd.DataFrame:
    """Reported offences per area, month and offence parent group.

    ``offenses`` needs ``area`` (MCPP name), ``report_datetime`` and
    ``offense_parent_group``. Areas are the MCPP names asked for; an area with no rows at
    all in the extract is left out (no data), not filled with zeros. Within the covered
    months, a month with no reports is a real zero and is published as 0.
    """
    wanted = [area for area in areas if (offenses["area"] == area).any()]
    groups = sorted(offenses["offense_parent_group"].unique())
    if not wanted or not groups:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    months = pd.date_range(first_month, last_month, freq="MS")
    in_scope = offenses[
        offenses["area"].isin(wanted)
        & (offenses["report_datetime"] >= first_month)
        & (offenses["report_datetime"] < last_month + pd.DateOffset(months=1))
    ]
    counts = (
        in_scope.assign(
            period_start_date=in_scope["report_datetime"].dt.to_period("M").dt.to_timestamp()
        )
        .groupby(["area", "period_start_date", "offense_parent_group"])
        .size()
    )
    full_index = pd.MultiIndex.from_product(
        [wanted, months, groups], names=["area", "period_start_date", "offense_parent_group"]
    )
    result = counts.reindex(full_index, fill_value=0).rename("offense_count").reset_index()
    result = result.rename(columns={"offense_parent_group": "offense_group"})
    result["offense_count"] = result["offense_count"].astype("int64")
    return result[COUNT_COLUMNS]


def offense_index(counts: pd.DataFrame, baseline_year: int) -> pd.DataFrame:
    """Monthly counts as an index: the baseline year's average month = 100.

    Computed per area and offence group so areas of different size can be compared.
    A series whose baseline year is not fully covered, or averages zero, gets no index
    (its rows are dropped), because any number would mislead.
    """
    columns = ["area", "period_start_date", "offense_group", "index_value"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    in_baseline = counts["period_start_date"].dt.year == baseline_year
    baseline = (
        counts[in_baseline]
        .groupby(["area", "offense_group"])["offense_count"]
        .agg(["mean", "size"])
        .reset_index()
    )
    baseline = baseline[(baseline["size"] == 12) & (baseline["mean"] > 0)]
    merged = counts.merge(
        baseline[["area", "offense_group", "mean"]], on=["area", "offense_group"], how="inner"
    )
    merged["index_value"] = np.round(merged["offense_count"] / merged["mean"] * 100.0, 1)
    return merged[columns].reset_index(drop=True)


DID_COLUMNS = [
    "offense_group",
    "comparison_area",
    "rate_ratio",
    "lower",
    "upper",
    "focus_before",
    "focus_after",
    "comparison_before",
    "comparison_after",
]


def before_after_rate_ratios(
    counts: pd.DataFrame, focus_area: str, start: pd.Timestamp, months: int = 24
) -> pd.DataFrame:
    """Difference-in-differences on monthly counts: the focus area's change from the
    ``months`` before ``start`` to the ``months`` from it, relative to each comparison area's.

    Poisson regression (statsmodels GLM, log link) of monthly counts on area, period and
    area x period, with heteroskedasticity-robust (HC0) errors for overdispersion; the
    estimate is exp(area x period), the ratio of the two areas' after/before ratios, with a
    95% interval. Descriptive: it compares reported counts and cannot show that LEAD caused
    a difference. Only groups and areas with all ``2 * months`` months published and some
    reports in each period are estimated.
    """
    import statsmodels.api as sm

    window_start = start - pd.DateOffset(months=months)
    window_end = start + pd.DateOffset(months=months)
    in_window = counts[
        (counts["period_start_date"] >= window_start) & (counts["period_start_date"] < window_end)
    ]
    rows = []
    for group, by_group in in_window.groupby("offense_group"):
        focus = by_group[by_group["area"] == focus_area]
        for area, other in by_group[by_group["area"] != focus_area].groupby("area"):
            pair = pd.concat([focus, other], ignore_index=True)
            if len(pair) != 4 * months:
                continue
            after = (pair["period_start_date"] >= start).astype(float)
            is_focus = (pair["area"] == focus_area).astype(float)
            sums = pair.groupby([is_focus, after])["offense_count"].sum()
            if (sums == 0).any():
                continue
            design = pd.DataFrame(
                {"const": 1.0, "focus": is_focus, "after": after, "focus_after": is_focus * after}
            )
            fit = sm.GLM(
                pair["offense_count"].astype(float), design, family=sm.families.Poisson()
            ).fit(cov_type="HC0")
            low, high = fit.conf_int(alpha=0.05).loc["focus_after"]
            rows.append(
                {
                    "offense_group": group,
                    "comparison_area": area,
                    "rate_ratio": float(np.exp(fit.params["focus_after"])),
                    "lower": float(np.exp(low)),
                    "upper": float(np.exp(high)),
                    "focus_before": int(sums.loc[(1.0, 0.0)]),
                    "focus_after": int(sums.loc[(1.0, 1.0)]),
                    "comparison_before": int(sums.loc[(0.0, 0.0)]),
                    "comparison_after": int(sums.loc[(0.0, 1.0)]),
                }
            )
    return pd.DataFrame(rows, columns=DID_COLUMNS)


GRID_DEGREES = 0.003  # about 330 m north-south and 225 m east-west at Seattle's latitude


def grid_counts(
    offenses: pd.DataFrame, area: str, grid_degrees: float = GRID_DEGREES
) -> pd.DataFrame:
    """Offences with coordinates in ``area``, counted per square grid cell and offence group.

    Cells are identified by their centre, rounded to 4 decimals. Records without usable
    coordinates (SPD leaves 0,0 or redacts some) are left out. Columns: offense_group,
    cell_latitude, cell_longitude, offense_count.
    """
    located = offenses[(offenses["area"] == area) & offenses["latitude"].notna()]
    columns = ["offense_group", "cell_latitude", "cell_longitude", "offense_count"]
    if located.empty:
        return pd.DataFrame(columns=columns)
    rows = np.floor(located["latitude"] / grid_degrees)
    cols = np.floor(located["longitude"] / grid_degrees)
    cells = located.assign(
        cell_latitude=((rows + 0.5) * grid_degrees).round(4),
        cell_longitude=((cols + 0.5) * grid_degrees).round(4),
    )
    counts = (
        cells.groupby(["offense_parent_group", "cell_latitude", "cell_longitude"])
        .size()
        .rename("offense_count")
        .reset_index()
        .rename(columns={"offense_parent_group": "offense_group"})
    )
    return counts[columns]
