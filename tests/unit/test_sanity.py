"""Sanity gates: a source that shrinks against the published run is named, with its drop."""

from __future__ import annotations

from datetime import date

from etl.sanity import SourceShape, Thresholds, _months, problems

LIMITS = Thresholds(max_row_drop=0.25, max_months_drop=0.1)


def _shape(
    rows: dict[str, int], months: int = 24, areas: tuple[str, ...] = ("belltown",)
) -> SourceShape:
    return SourceShape(
        rows=sum(rows.values()),
        months=_months(date(2010, 1, 1), date(2010 + (months - 1) // 12, (months - 1) % 12 + 1, 1)),
        areas=set(areas),
        files=dict(rows),
    )


def test_months_between_two_dates_inclusive() -> None:
    assert len(_months(date(2010, 11, 1), date(2011, 2, 1))) == 4
    assert _months(None, date(2011, 2, 1)) == set()


def test_an_unchanged_or_growing_source_passes() -> None:
    before = {"nibrs": _shape({"a.csv": 600, "b.csv": 4000})}
    after = {"nibrs": _shape({"a.csv": 610, "b.csv": 4100}, months=25)}
    assert problems(before, after, LIMITS, "r1") == []
    assert problems({}, after, LIMITS, None) == []  # the first run has nothing to compare


def test_an_empty_or_cut_file_is_named_with_its_drop() -> None:
    before = {"nibrs": _shape({"belltown.csv": 606, "others.csv": 4273})}
    empty = {"nibrs": _shape({"belltown.csv": 0, "others.csv": 4273})}
    assert problems(before, empty, LIMITS, "r1")[0] == "belltown.csv: empty (no row accepted)"
    cut = {"nibrs": _shape({"belltown.csv": 1, "others.csv": 4273})}
    assert problems(before, cut, LIMITS, "r1") == [
        "belltown.csv: 1 row accepted, 100% fewer than the 606 of the published run (r1)"
    ]
    # At the threshold it passes; just past it, it fails.
    assert (
        problems(before, {"nibrs": _shape({"belltown.csv": 455, "others.csv": 4273})}, LIMITS, "r1")
        == []
    )
    assert problems(
        before, {"nibrs": _shape({"belltown.csv": 454, "others.csv": 4273})}, LIMITS, "r1"
    )


def test_lost_areas_and_months_fail() -> None:
    before = {"calls": _shape({"c.csv": 1000}, months=24, areas=("belltown", "capitol-hill"))}
    after = {"calls": _shape({"c.csv": 1000}, months=21, areas=("capitol-hill",))}
    assert problems(before, after, LIMITS, "r1") == [
        "calls: no longer covers Belltown",
        "calls: covers 21 complete months, 12% fewer than the 24 of the published run (r1)",
    ]
