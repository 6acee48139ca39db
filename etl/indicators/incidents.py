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
