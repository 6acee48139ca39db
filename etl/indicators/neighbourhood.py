"""The neighborhood indicators: monthly counts (and yearly totals) of public records.

Pure of the run's bookkeeping: each function takes the source results read in a run and
returns indicator rows and observations. Every figure is for an (area, month, category)
that some file read in the run covers (:class:`etl.sources.common.Coverage`); the caveats
of each indicator say what the files read cover, so the page, the downloads and the API
describe the data actually used, not the bundled samples.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd

from etl import settings
from etl.indicators import catalog
from etl.indicators.area_publish import area_effect_observations
from etl.indicators.incidents import (
    area_slug,
    covered_cells,
    file_coverage,
    grid_counts,
    joined_offenses,
    monthly_offense_counts,
    offense_index,
)
from etl.privacy import suppress
from etl.sources import spd_nibrs
from etl.sources.categories import map_categorical
from etl.sources.common import SourceError, SourceResult, display_name, repeated_values

# Placeholder areas: kept in the rows, never published as an area.
NOT_AN_AREA = frozenset({"UNKNOWN", "OTHER"})
Reporter = Callable[[str], None]


def build_incident_indicators(
    sources: list[SourceResult],
) -> tuple[list[dict[str, str]], pd.DataFrame]:
    """The neighborhood offense indicators from all NIBRS extracts combined."""
    frames = []
    for result in sources:
        # SPD's parent groups -> the public categories shared by every source (one data file).
        frame = result.frame.assign(
            offense_parent_group=map_categorical(
                result.frame["offense_parent_group"],
                spd_nibrs.INFO.source_id,
                display_name(result.location),
            )
        )
        result.coverage = file_coverage(
            display_name(result.location),
            frame["report_datetime"],
            frame["area"],
            frame["offense_parent_group"],
            spd_nibrs.DATASET_START,
            NOT_AN_AREA,
        )
        frames.append(frame)
    offenses = joined_offenses(frames)
    duplicated = repeated_values(offenses["offense_id"])
    error = "the same Offense ID appears in more than one file"
    if duplicated.any():
        raise SourceError(f"{error}: {offenses.loc[duplicated, 'offense_id'].iloc[0]}")
    coverages = [s.coverage for s in sources if s.coverage is not None]
    if not coverages:
        raise SourceError("the NIBRS extracts cover no complete month")
    areas = [a.upper() for a in [settings.get("FOCUS_AREA"), *settings.get("COMPARISON_AREAS")]]
    counts = monthly_offense_counts(offenses, covered_cells(coverages, areas))
    coverage = (counts["period_start_date"].min(), counts["period_start_date"].max())
    if counts.empty:
        raise SourceError(f"the NIBRS extracts hold no rows for the areas {', '.join(areas)}")
    baseline_year = settings.get("INDEX_BASELINE_YEAR")
    index = offense_index(counts, baseline_year)
    observations = pd.concat(
        [
            _as_observations(counts, catalog.REPORTED_OFFENSES.indicator_id, "offense_count"),
            _as_observations(index, catalog.REPORTED_OFFENSES_INDEX.indicator_id, "index_value"),
        ],
        ignore_index=True,
    )
    lead_start = pd.Timestamp(settings.get("LEAD_START_MONTH"))
    area_specs, area_observations = area_effect_observations(
        counts, settings.get("FOCUS_AREA").upper(), lead_start
    )
    if not area_observations.empty:
        observations = pd.concat([observations, area_observations], ignore_index=True)
    grid = _grid_observations(offenses, coverage)
    if not grid.empty:
        observations = pd.concat([observations, grid], ignore_index=True)
    read = coverage_caveat(sources)
    index_spec = catalog.REPORTED_OFFENSES_INDEX.as_row()
    for key in ("unit", "methodology"):
        index_spec[key] = index_spec[key].format(baseline_year=baseline_year)
    count_spec = catalog.REPORTED_OFFENSES.as_row()
    for spec in (count_spec, index_spec):
        spec["caveats"] = f"{spec['caveats']} {read}"
    yearly, yearly_row = yearly_indicator(counts, count_spec)
    rolling_counts, rolling_row = rolling_indicator(counts, "offense_count", count_spec)
    observations = pd.concat([observations, yearly, rolling_counts], ignore_index=True)
    indicators = [count_spec, yearly_row, rolling_row]
    if not index.empty:
        rolling_index, rolling_index_row = rolling_indicator(index, "index_value", index_spec)
        observations = pd.concat([observations, rolling_index], ignore_index=True)
        indicators += [index_spec, rolling_index_row]
    indicators += area_specs
    if not grid.empty:
        threshold = settings.get("SUPPRESSION_THRESHOLD")
        grid_spec = catalog.REPORTED_OFFENSES_GRID.as_row()
        grid_spec["suppression_rule"] = grid_spec["suppression_rule"].format(threshold=threshold)
        indicators.append(grid_spec)
    return indicators, observations


def _grid_observations(
    offenses: pd.DataFrame, coverage: tuple[pd.Timestamp, pd.Timestamp]
) -> pd.DataFrame:
    """Focus-area offenses per map grid cell over the covered months; small cells withheld.

    Exact points are never published. A cell with fewer reports than the suppression
    threshold is withheld (so a sparse cell cannot point at one address).
    """
    first, last = coverage
    focus = settings.get("FOCUS_AREA").upper()
    # Only the focus area's rows in the window are copied: the city's other rows never are.
    wanted = (
        (offenses["area"] == focus)
        & (offenses["report_datetime"] >= first)
        & (offenses["report_datetime"] < last + pd.DateOffset(months=1))
    )
    columns = ["area", "offense_parent_group", "latitude", "longitude"]
    cells = grid_counts(offenses.loc[wanted, columns], focus)
    if cells.empty:
        return pd.DataFrame()
    keys = [
        f"{row.offense_group}|{row.cell_latitude:.4f},{row.cell_longitude:.4f}"
        for row in cells.itertuples()
    ]
    counts: dict[Hashable, float] = dict(
        zip(keys, cells["offense_count"].astype(float), strict=True)
    )
    withheld = suppress(counts, counts, [], settings.get("SUPPRESSION_THRESHOLD")).suppressed
    return pd.DataFrame(
        {
            "indicator_id": catalog.REPORTED_OFFENSES_GRID.indicator_id,
            "area": area_slug(settings.get("FOCUS_AREA")),
            "period_start_date": first,
            "period_grain": "all",
            "breakdown_name": "offense_group|cell",
            "breakdown_value": keys,
            "value": [None if withheld[k] else counts[k] for k in keys],
            "lower_bound": None,
            "upper_bound": None,
            "denominator_n": None,
            "is_suppressed": [withheld[k] for k in keys],
        }
    )


def build_other_indicators(
    sources: list[SourceResult], say: Reporter
) -> tuple[list[dict[str, str]], pd.DataFrame]:
    """Monthly counts per area and mapped category for each non-NIBRS source.

    A source whose files cover no complete month publishes nothing, and the run says so
    (the page then shows "no data" rather than a zero).
    """
    indicators: list[dict[str, str]] = []
    frames: list[pd.DataFrame] = []
    by_source: dict[str, list[SourceResult]] = {}
    for result in sources:
        by_source.setdefault(result.info.source_id, []).append(result)
    for source_id, results in by_source.items():
        spec = catalog.OTHER_NEIGHBOURHOOD_INDICATORS[source_id]
        for result in results:
            result.coverage = file_coverage(
                display_name(result.location),
                result.frame["event_datetime"],
                result.frame["area"],
                result.frame["indicator"],
                spd_nibrs.DATASET_START,
                NOT_AN_AREA,
            )
        coverages = [r.coverage for r in results if r.coverage is not None]
        if not coverages:
            say(f"      {spec.title}: no complete month in the files; nothing published")
            continue
        records = pd.concat([r.frame for r in results], ignore_index=True)
        areas = sorted({area for coverage in coverages for area in coverage.areas})
        counts = monthly_offense_counts(
            records.rename(
                columns={"event_datetime": "report_datetime", "indicator": "offense_parent_group"}
            ),
            covered_cells(coverages, areas),
        )
        if counts.empty:
            continue
        row = spec.as_row()
        row["caveats"] = f"{row['caveats']} {coverage_caveat(results)}"
        yearly, yearly_row = yearly_indicator(counts, row)
        for part in (_as_observations(counts, spec.indicator_id, "offense_count"), yearly):
            part["breakdown_name"] = "category"
            frames.append(part)
        indicators += [row, yearly_row]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return indicators, frame


def _as_observations(frame: pd.DataFrame, indicator_id: str, value_column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "area": frame["area"].map(area_slug),
            "period_start_date": frame["period_start_date"],
            "period_grain": "month",
            "breakdown_name": "offense_group",
            "breakdown_value": frame["offense_group"],
            "value": frame[value_column].astype(float),
            "lower_bound": None,
            "upper_bound": None,
            "denominator_n": None,
            "is_suppressed": False,
        }
    )


# --- What the files read cover, and yearly totals -------------------------------------------


def _area_name(area: str) -> str:
    return area.title().replace("(Tracts", "(tracts").replace("(Beats", "(beats")


def coverage_caveat(results: list[SourceResult]) -> str:
    """What each file read in this run covers, for the indicator's caveats (and so for the
    page, the downloads and the API): ``"Files read: a.csv covers January 2008 to August
    2021 for Belltown (robbery). ..."``."""
    labels = _category_labels()
    parts = []
    for result in results:
        coverage = result.coverage
        name = display_name(result.location)
        if coverage is None:
            parts.append(f"{name} covers no complete month, so nothing from it is shown")
            continue
        areas = ", ".join(_area_name(a) for a in coverage.areas) or "no named area"
        groups = ", ".join(labels.get(g, g).lower() for g in coverage.groups)
        parts.append(
            f"{name} covers {coverage.first_month:%B %Y} to {coverage.last_month:%B %Y} for "
            f"{areas} ({groups})"
        )
    return (
        f"Files read for this data version: {'; '.join(parts)}. A month, area or category "
        "that no file covers is shown as no data, never as zero."
    )


def _category_labels() -> dict[str, str]:
    from etl.sources.categories import load_category_map

    table = load_category_map()
    return dict(zip(table["indicator"], table["indicator_label"], strict=False))


def yearly_observations(counts: pd.DataFrame, indicator_id: str) -> tuple[pd.DataFrame, str]:
    """Yearly totals of monthly ``counts`` for complete calendar years only, and a sentence
    naming each partial year (per area), which is not totaled."""
    frame = counts.assign(year=counts["period_start_date"].dt.year)
    per_year = (
        frame.groupby(["area", "offense_group", "year"])
        .agg(months=("period_start_date", "nunique"), total=("offense_count", "sum"))
        .reset_index()
    )
    complete = per_year[per_year["months"] == 12]
    observations = pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "area": complete["area"].map(area_slug),
            "period_start_date": pd.to_datetime(complete["year"].astype(str) + "-01-01"),
            "period_grain": "year",
            "breakdown_name": "offense_group",
            "breakdown_value": complete["offense_group"],
            "value": complete["total"].astype(float),
            "lower_bound": None,
            "upper_bound": None,
            "denominator_n": None,
            "is_suppressed": False,
        }
    )
    partial = (
        per_year[per_year["months"] < 12].groupby(["area", "year"])["months"].max().reset_index()
    )
    if partial.empty:
        return observations.reset_index(drop=True), ""
    by_year: dict[tuple[int, int], list[str]] = {}
    for area, year, months in zip(partial["area"], partial["year"], partial["months"], strict=True):
        by_year.setdefault((int(year), int(months)), []).append(_area_name(str(area)))
    listed = "; ".join(
        f"{year} ({months} of 12 months) in {', '.join(sorted(areas))}"
        for (year, months), areas in sorted(by_year.items())
    )
    note = f" Partial years, not totaled: {listed}."
    return observations.reset_index(drop=True), note


def rolling_indicator(
    frame: pd.DataFrame, value_column: str, monthly: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """12-month averages of a monthly indicator, per area and offense group: a month has one
    only if it and the 11 months before it all have a value (months are reindexed onto the
    calendar first, so a month no file covers breaks the average instead of being skipped)."""
    row = catalog.rolling_spec(monthly)
    parts = []
    for (area, group), series in frame.groupby(["area", "offense_group"]):
        by_month = series.set_index("period_start_date")[value_column].astype(float)
        months = pd.date_range(by_month.index.min(), by_month.index.max(), freq="MS")
        averaged = (
            by_month.reindex(months)
            .rolling(catalog.ROLLING_MONTHS, min_periods=catalog.ROLLING_MONTHS)
            .mean()
            .dropna()
            .round(2)
        )
        parts.append(
            pd.DataFrame(
                {
                    "area": area,
                    "offense_group": group,
                    "period_start_date": averaged.index,
                    value_column: averaged.to_numpy(),
                }
            )
        )
    averages = (
        pd.concat(parts, ignore_index=True)
        if parts
        else frame.iloc[0:0][["area", "offense_group", "period_start_date", value_column]]
    )
    return _as_observations(averages, row["indicator_id"], value_column), row


def yearly_indicator(
    counts: pd.DataFrame, monthly: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The yearly-totals observations and indicator row of a monthly count indicator."""
    row = catalog.yearly_spec(monthly)
    observations, partial = yearly_observations(counts, row["indicator_id"])
    row["caveats"] += partial
    return observations, row
