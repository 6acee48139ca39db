"""Neighborhood incident indicators: pure functions of normalized offense rows.

Counts are by the month an offense was *reported* (``report_datetime``): it is always set,
whereas the offense start date is blank or years earlier for some rows. A figure is only
published for an area, month and category that some input file covers completely
(:class:`Coverage`); elsewhere there is no figure, never a zero.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from etl.sources.common import Coverage

COUNT_COLUMNS = ["area", "period_start_date", "offense_group", "offense_count"]


def area_slug(name: str) -> str:
    """``"DOWNTOWN COMMERCIAL"`` -> ``"downtown-commercial"``: the published area id."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")


def coverage_months(
    report_datetimes: pd.Series, dataset_start: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last *complete* month a file covers, as month-start timestamps.

    The rule for the ends, the same at both: the month of the file's earliest record counts
    only if that record falls on the month's first day (or the month is the dataset's own
    first month: nothing earlier exists); otherwise the file starts partway through it and
    the next month is the first. The month of the latest record counts only if that
    record falls on the month's last day; otherwise the month before is the last (the
    latest month of a live extract is always partial). ``None`` when nothing is covered.
    """
    if report_datetimes.empty:
        return None
    earliest: pd.Timestamp = max(report_datetimes.min(), dataset_start)
    first = earliest.to_period("M").to_timestamp()
    starts_the_dataset = first == dataset_start.to_period("M").to_timestamp()
    if earliest.normalize() > first and not starts_the_dataset:
        first = first + pd.DateOffset(months=1)
    latest: pd.Timestamp = report_datetimes.max()
    last = latest.to_period("M").to_timestamp()
    if latest.normalize() < (last + pd.offsets.MonthEnd(0)).normalize():
        last = last - pd.DateOffset(months=1)
    if last < first:
        return None
    return first, last


def file_coverage(
    location: str,
    dates: pd.Series,
    areas: pd.Series,
    groups: pd.Series,
    dataset_start: pd.Timestamp,
    ignored_areas: frozenset[str] = frozenset(),
) -> Coverage | None:
    """The :class:`Coverage` of one file's accepted rows; None if no month is complete."""
    months = coverage_months(dates, dataset_start)
    if months is None:
        return None
    return Coverage(
        location,
        *months,
        tuple(sorted(set(pd.unique(areas)) - ignored_areas)),
        tuple(sorted(set(pd.unique(groups)))),
    )


def covered_cells(coverages: list[Coverage], areas: list[str]) -> pd.DataFrame:
    """Every (area, period_start_date, offense_group) some file covers, for ``areas``."""
    frames = [
        pd.MultiIndex.from_product(
            [
                [a for a in coverage.areas if a in areas],
                pd.date_range(coverage.first_month, coverage.last_month, freq="MS"),
                list(coverage.groups),
            ],
            names=["area", "period_start_date", "offense_group"],
        ).to_frame(index=False)
        for coverage in coverages
    ]
    if not frames:
        return pd.DataFrame(columns=["area", "period_start_date", "offense_group"])
    cells = pd.concat(frames, ignore_index=True).drop_duplicates()
    return cells.sort_values(["area", "period_start_date", "offense_group"]).reset_index(drop=True)


def joined_offenses(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Several files' rows as one frame (index 0, 1, ...), as ``pd.concat`` joins them,
    except that a column categorical in every file stays categorical (its categories in
    name order, so grouping orders as for text) and ids held as integers in one file and
    as text in another are all text. ``pd.concat`` would make both columns Python objects,
    many times their size, and would tell the id 1 from the id "1". A file with no rows adds
    nothing (its empty categories may be of another type)."""
    frames = [frame for frame in frames if len(frame)] or frames[:1]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    for column in frames[0].columns:
        parts = [frame[column].reset_index(drop=True) for frame in frames]
        if all(isinstance(part.dtype, pd.CategoricalDtype) for part in parts):
            columns[column] = pd.Series(union_categoricals(parts, sort_categories=True))
            continue
        texts = [p.dtype for p in parts if pd.api.types.is_string_dtype(p.dtype)]
        if texts and any(p.dtype.kind in "iu" for p in parts):
            parts = [p.astype(texts[0]) if p.dtype.kind in "iu" else p for p in parts]
        columns[column] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns, copy=False)


def monthly_offense_counts(offenses: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Reported offenses per area, month and offense group, for the covered ``cells`` only.

    ``offenses`` needs ``area`` (MCPP name), ``report_datetime`` and
    ``offense_parent_group``; ``cells`` comes from :func:`covered_cells`. Within a covered
    cell, no reports is a real zero and is published as 0; outside every file's coverage
    nothing is published (no data), never a zero.
    """
    if cells.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    counts = cell_counts(
        offenses["area"], offenses["report_datetime"], offenses["offense_parent_group"]
    )
    wanted = pd.MultiIndex.from_frame(cells[["area", "period_start_date", "offense_group"]])
    result = counts.reindex(wanted, fill_value=0).rename("offense_count").reset_index()
    result["offense_count"] = result["offense_count"].astype("int64")
    return result[COUNT_COLUMNS]


# Combined keys stay below this, so no product of key ranges overflows int64.
_KEY_LIMIT = 2**62


def cell_counts(areas: pd.Series, datetimes: pd.Series, groups: pd.Series) -> pd.Series:
    """Rows per (area, month of ``datetimes``, group) that occur, as
    ``groupby([area, month, group], observed=True).size()`` counts them: a row missing any
    of the three is left out. Indexed by (area, period_start_date, offense_group).

    Each row's three keys become one integer (area, group and month numbers combined), and
    the integers are counted: millions of rows cost two integer arrays, where a grouping
    makes several copies of every key. ``["A", "A", "B"]``, January, January and March
    2020, ``["x", "x", "x"]`` -> ``(A, 2020-01-01, x): 2, (B, 2020-03-01, x): 1``.
    """
    area_names, area_codes = _numbered(areas)
    group_names, group_codes = _numbered(groups)
    stamps = datetimes.to_numpy()
    if stamps.dtype.kind != "M":  # Python datetimes
        stamps = pd.to_datetime(datetimes).to_numpy()
    # Months since 1970 (numpy floors to the month, as pandas' periods do), in any unit.
    months = stamps.astype("datetime64[M]").view(np.int64)
    kept = (area_codes >= 0) & (group_codes >= 0) & (months != np.iinfo(np.int64).min)
    if not kept.all():
        area_codes, group_codes, months = area_codes[kept], group_codes[kept], months[kept]
    first = int(months.min()) if months.size else 0
    span = int(months.max()) - first + 1 if months.size else 1
    keys = area_codes.astype(np.int64)
    keys *= len(group_names)
    keys += group_codes
    pair_values = None
    if len(area_names) * len(group_names) * span >= _KEY_LIMIT:  # many names: number pairs
        keys, pair_values = pd.factorize(keys)
    keys *= span
    months -= first
    keys += months
    del months
    pairs = len(area_names) * len(group_names) if pair_values is None else len(pair_values)
    present, counts = _counted(keys, span * pairs)
    pair_of = present // span
    if pair_values is not None:
        pair_of = pair_values[pair_of]
    index = pd.MultiIndex.from_arrays(
        [
            area_names[pair_of // len(group_names)],
            (present % span + first).astype("datetime64[M]").astype(stamps.dtype),
            group_names[pair_of % len(group_names)],
        ],
        names=["area", "period_start_date", "offense_group"],
    )
    return pd.Series(counts, index=index)


def _counted(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (all below ``bound``) in order, and how often each occurs."""
    if bound <= 2 * keys.size + (1 << 20):  # few possible keys: one counter each
        tally = np.bincount(keys, minlength=bound)
        present = np.flatnonzero(tally)
        return present, tally[present].astype(np.int64)
    present, counts = np.unique(keys, return_counts=True)
    return present, counts.astype(np.int64)


def _numbered(values: pd.Series) -> tuple[pd.Index, np.ndarray]:
    """Each distinct value and each row's number for it (-1: missing); a categorical
    column's own codes, so its rows are not hashed again."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Index(values.cat.categories), values.cat.codes.to_numpy()
    codes, uniques = pd.factorize(values)
    return pd.Index(uniques), codes


def offense_index(counts: pd.DataFrame, baseline_year: int) -> pd.DataFrame:
    """Monthly counts as an index: the baseline year's average month = 100.

    Computed per area and offense group so areas of different size can be compared.
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
    """Offenses with coordinates in ``area``, counted per square grid cell and offense group.

    Cells are identified by their center, rounded to 4 decimals. Records without usable
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
