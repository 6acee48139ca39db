"""Small-cell suppression: thresholds, complementary suppression, and an attacker."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.privacy import Relation, attainable_bounds, audit, suppress

K = 11


def test_threshold_boundaries_minus_one_at_and_plus_one() -> None:
    people = {"a": K - 1, "b": K, "c": K + 1, "zero": 0}
    result = suppress(people, people, relations=[], threshold=K)
    assert result.suppressed == {"a": True, "b": False, "c": False, "zero": True}
    assert result.reasons == {"a": "primary", "zero": "primary"}


def test_one_small_part_of_a_published_total_takes_the_smallest_other_part_with_it() -> None:
    cells = {"total": 60, "a": 4, "b": 20, "c": 36}
    result = suppress(cells, cells, [Relation.total("total", ["a", "b", "c"])], K)
    assert result.withheld() == ["a", "b"]
    assert result.reasons == {"a": "primary", "b": "complementary"}


def test_two_small_parts_whose_sum_is_still_small_need_a_third() -> None:
    cells = {"total": 60, "a": 4, "b": 5, "c": 51}
    result = suppress(cells, cells, [Relation.total("total", ["a", "b", "c"])], K)
    # a + b = 9 < 11 would disclose a group of 9; c goes too (total stays published).
    assert result.withheld() == ["a", "b", "c"]


def test_two_by_two_table_with_margins() -> None:
    # rows: lead, control; columns: female, male; margins published.
    cells = {
        ("lead", "female"): 5,
        ("lead", "male"): 30,
        ("lead", "all"): 35,
        ("control", "female"): 20,
        ("control", "male"): 25,
        ("control", "all"): 45,
        ("all", "female"): 25,
        ("all", "male"): 55,
        ("all", "all"): 80,
    }
    relations = [
        Relation.total(("lead", "all"), [("lead", "female"), ("lead", "male")]),
        Relation.total(("control", "all"), [("control", "female"), ("control", "male")]),
        Relation.total(("all", "female"), [("lead", "female"), ("control", "female")]),
        Relation.total(("all", "male"), [("lead", "male"), ("control", "male")]),
        Relation.total(("all", "all"), [("all", "female"), ("all", "male")]),
    ]
    result = suppress(cells, cells, relations, K)
    assert sorted(result.withheld()) == sorted(
        [("lead", "female"), ("lead", "male"), ("control", "female"), ("control", "male")]
    )
    published = {k: (None if result.suppressed[k] else v) for k, v in cells.items()}
    assert audit(published, relations) == []


def test_cumulative_series_cannot_be_differenced() -> None:
    referrals = {("r", q): n for q, n in enumerate([15, 4, 20, 18])}
    cumulative = {("c", q): n for q, n in enumerate([15, 19, 39, 57])}
    cells = {**referrals, **cumulative}
    relations = [Relation.total(("c", 0), [("r", 0)])] + [
        Relation.total(("c", q), [("c", q - 1), ("r", q)]) for q in range(1, 4)
    ]
    result = suppress(cells, cells, relations, K)
    assert result.suppressed[("r", 1)]
    published = {k: (None if result.suppressed[k] else v) for k, v in cells.items()}
    assert audit(published, relations) == []
    bounds = attainable_bounds(published, relations)
    assert bounds[("r", 1)].low < bounds[("r", 1)].high


def test_linked_rate_is_withheld_with_its_count() -> None:
    people = {"housed": 6, "housed_pct": 6, "total": 40}
    values = {"housed": 6, "housed_pct": 15.0, "total": 40}
    result = suppress(people, values, [], K, links=[("housed", "housed_pct")])
    assert result.suppressed == {"housed": True, "housed_pct": True, "total": False}


def test_audit_catches_a_cell_left_alone_in_its_relation() -> None:
    published = {"total": 30, "a": None, "b": 20}
    exposures = audit(published, [Relation.total("total", ["a", "b"])])
    assert [(e.key, e.low, e.high) for e in exposures] == [("a", 10, 10)]


def test_audit_bounds_two_withheld_cells_without_pinning_them() -> None:
    published = {"total": 30, "a": None, "b": None, "c": 12}
    bounds = attainable_bounds(published, [Relation.total("total", ["a", "b", "c"])])
    assert {k: (e.low, e.high) for k, e in bounds.items()} == {"a": (0, 18), "b": (0, 18)}


# --- property tests: random tables with margins, attacked by an independent solver ---

tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=2, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


def _table_cells(grid: list[list[int]]) -> tuple[dict[tuple[str, str], int], list[Relation]]:
    rows, cols = len(grid), len(grid[0])
    cells: dict[tuple[str, str], int] = {}
    for r, c in itertools.product(range(rows), range(cols)):
        cells[(f"r{r}", f"c{c}")] = grid[r][c]
    for r in range(rows):
        cells[(f"r{r}", "all")] = sum(grid[r])
    for c in range(cols):
        cells[("all", f"c{c}")] = sum(grid[r][c] for r in range(rows))
    cells[("all", "all")] = sum(map(sum, grid))
    relations = [
        Relation.total((f"r{r}", "all"), [(f"r{r}", f"c{c}") for c in range(cols)])
        for r in range(rows)
    ]
    relations += [
        Relation.total(("all", f"c{c}"), [(f"r{r}", f"c{c}") for r in range(rows)])
        for c in range(cols)
    ]
    relations.append(Relation.total(("all", "all"), [("all", f"c{c}") for c in range(cols)]))
    return cells, relations


def _difference_attack(
    published: dict[tuple[str, str], int | None], relations: list[Relation]
) -> dict[tuple[str, str], float]:
    """What an attacker recovers by repeated differencing (one unknown per relation)."""
    known = {k: float(v) for k, v in published.items() if v is not None}
    recovered: dict[tuple[str, str], float] = {}
    progress = True
    while progress:
        progress = False
        for relation in relations:
            unknown = [(k, c) for k, c in relation.terms if k not in known]
            if len(unknown) == 1:
                key, coefficient = unknown[0]
                rest = sum(c * known[k] for k, c in relation.terms if k in known)
                known[key] = recovered[key] = -rest / coefficient
                progress = True
    return recovered


@settings(max_examples=200, deadline=None)
@given(tables)
def test_no_published_cell_is_small_and_no_withheld_cell_can_be_recovered(
    grid: list[list[int]],
) -> None:
    cells, relations = _table_cells(grid)
    result = suppress(cells, cells, relations, K)
    published = {k: (None if result.suppressed[k] else v) for k, v in cells.items()}

    assert all(v >= K for v in published.values() if v is not None)
    assert _difference_attack(published, relations) == {}
    for exposure in attainable_bounds(published, relations).values():
        assert exposure.low < exposure.high, exposure


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12))
def test_cumulative_series_property(increments: list[int]) -> None:
    cells: dict[tuple[str, int], int] = {}
    running = 0
    relations = []
    for q, n in enumerate(increments):
        running += n
        cells[("r", q)] = n
        cells[("c", q)] = running
        parts = [("r", q)] if q == 0 else [("c", q - 1), ("r", q)]
        relations.append(Relation.total(("c", q), parts))
    result = suppress(cells, cells, relations, K)
    published = {k: (None if result.suppressed[k] else v) for k, v in cells.items()}

    assert all(v >= K for v in published.values() if v is not None)
    assert audit(published, relations) == []


@pytest.mark.parametrize("threshold", [5, 11, 20])
def test_threshold_is_a_parameter(threshold: int) -> None:
    cells = {"a": threshold - 1, "b": threshold}
    assert suppress(cells, cells, [], threshold).withheld() == ["a"]


def test_hidden_small_cell_is_protected_and_a_hidden_large_one_may_be_derived() -> None:
    # referrals = enrolled + never enrolled; only referrals and enrolled would be published.
    cells = {"referrals": 40, "enrolled": 36, "never_enrolled": 4}
    relation = [Relation.total("referrals", ["enrolled", "never_enrolled"])]
    small = suppress(cells, cells, relation, K, hidden=["never_enrolled"])
    assert small.suppressed == {"referrals": False, "enrolled": True, "never_enrolled": True}

    cells = {"referrals": 40, "enrolled": 4, "never_enrolled": 36}
    large = suppress(cells, cells, relation, K, hidden=["never_enrolled"])
    assert large.suppressed == {"referrals": False, "enrolled": True, "never_enrolled": True}
    assert large.reasons["enrolled"] == "primary"

    cells = {"referrals": 40, "enrolled": 25, "never_enrolled": 15}
    harmless = suppress(cells, cells, relation, K, hidden=["never_enrolled"])
    assert harmless.suppressed == {"referrals": False, "enrolled": False, "never_enrolled": True}


def test_a_cell_fixed_by_an_earlier_release_keeps_its_state() -> None:
    # total = a + b + c; a is small. Without the release, the smallest other cell (the
    # total, 30 < b) could be taken; fixed as published, it may not, so b goes.
    people = {"total": 30.0, "a": 4.0, "b": 12.0, "c": 14.0}
    relation = Relation.total("total", ["a", "b", "c"])
    result = suppress(people, people, [relation], 11, fixed={"total": False})
    assert result.withheld() == ["a", "b"]
    assert result.reasons == {"a": "primary", "b": "complementary"}
    # A cell fixed as withheld stays withheld although it is large, and then protects a.
    result = suppress(people, people, [relation], 11, fixed={"c": True})
    assert sorted(result.withheld()) == ["a", "c"]
    assert result.reasons["c"] == "released"


def test_cost_decides_which_cell_complementary_suppression_takes() -> None:
    people = {"total": 40.0, "a": 4.0, "b": 12.0, "c": 24.0}
    relation = Relation.total("total", ["a", "b", "c"])
    assert suppress(people, people, [relation], 11).withheld() == ["a", "b"]
    cheap_c = suppress(people, people, [relation], 11, cost={"c": 0.1})
    assert sorted(cheap_c.withheld()) == ["a", "c"]


def test_a_hidden_flow_may_be_known_to_be_zero_but_not_small() -> None:
    from etl.privacy import Exposure, matters

    nobody = Exposure(keys=("left",), low=0, high=0)
    three = Exposure(keys=("left",), low=3, high=3)
    assert not matters(nobody, {"left"}, {"left"}, 11)
    assert matters(three, {"left"}, {"left"}, 11)
    # A published cell pinned to 0 is a recovered withheld zero: it matters.
    assert matters(nobody, {"left"}, set(), 11)
