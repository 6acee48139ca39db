"""Three attacks by arithmetic on the published program figures (issue 17), each run by an
outsider who has only the published tables, every version of them, and what the site
says in words (the evaluation's entry window). Each must fail to recover a count of 1 to
10 people or to narrow a withheld figure to a range under 11 that could hold 1 to 10.

1. **Flows from stocks**: referrals in a run of quarters less the change in active
   participants over it is the number who left (exited or never enrolled).
2. **Two versions, a few people added**: a version published after three people were
   added (referred in a new quarter, or entered late into a closed one) differenced
   against the version before, figure by figure and through the relations.
3. **Narrowing with the evaluation group's size and entry window**: the LEAD group is
   everyone referred from October 2011 to 31 July 2014, so its published size ties the
   referral quarters together.

The bounds come from linear programming (scipy's HiGHS through etl.privacy's solver)
over relations this module builds from the tables' meaning, not the ETL's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from etl import pipeline
from etl.evaluation.common import EVALUATION_END
from etl.privacy import Relation, attainable_bounds, group_bounds, isolates
from tests.integration.conftest import SAMPLE_NIBRS, isolate
from tests.integration.helpers import extract_as_of, published
from tests.integration.test_program_pipeline import PEOPLE_COUNT_INDICATORS, THRESHOLD

Cell = tuple[str, pd.Timestamp, str]
BEFORE = "2016-09-30"  # the first version's extract date
ADDED = 3  # people a later version adds
QUARTERLY = ("referrals", "referrals_cumulative", "participants_active")


def _run(url: str, extract: Path) -> pd.DataFrame:
    summary = pipeline.run(
        database_url=url, nibrs_sources=SAMPLE_NIBRS, program_extract_dir=str(extract)
    )
    frame = published(url, summary.run_id)
    return frame[frame["area"] == "belltown"].reset_index(drop=True)


@pytest.fixture(scope="module")
def versions(demo_extract: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Published program figures: a first version (extract of 30 September 2016), then
    two later ones on the same database, each adding three people: late entries referred
    in the closed quarter 2016-Q3, and the first three referrals of the new quarter
    2016-Q4 (the extract of 31 December 2016 with the rest of that quarter left out)."""
    root = tmp_path_factory.mktemp("versions")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, root)
        yield _publish_versions(demo_extract, root)
    shutil.rmtree(root, ignore_errors=True)


def _publish_versions(demo_extract: Path, root: Path) -> dict:
    people = pd.read_csv(demo_extract / "participants.csv", dtype=str, keep_default_na=False)
    lead = people[people["cohort"] == "lead"].sort_values("referral_date")
    q3 = lead[(lead["referral_date"] > "2016-07-01") & (lead["referral_date"] <= BEFORE)]
    late = q3.tail(ADDED)  # held back from the first version, "entered late" in the second
    q4 = lead[lead["referral_date"] > BEFORE]
    found: dict[str, pd.DataFrame | list[str]] = {}
    for name in ("late", "new quarter"):
        url = f"sqlite:///{root / name.replace(' ', '_')}.db"
        first = root / f"{name}-first"
        extract_as_of(demo_extract, first, BEFORE)
        _drop(first, late["person_id"])
        found[f"{name}: before"] = _run(url, first)
        second = root / f"{name}-second"
        if name == "late":
            extract_as_of(demo_extract, second, BEFORE)
        else:
            extract_as_of(demo_extract, second, "2016-12-31")
            _drop(second, [*late["person_id"], *q4["person_id"].iloc[ADDED:]])
        found[f"{name}: after"] = _run(url, second)
    return found


def _drop(extract: Path, person_ids: object) -> None:
    """Leave people out of an extract (every file that names them)."""
    ids = set(person_ids)  # type: ignore[call-overload]
    for path in extract.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "person_id" in frame.columns:
            frame[~frame["person_id"].isin(ids)].to_csv(path, index=False)


def _cell(row: object) -> Cell:
    return (row.indicator_id, row.period_start_date, row.breakdown_value)  # type: ignore[attr-defined]


def _values(frame: pd.DataFrame) -> dict[Cell, float | None]:
    counts = frame[frame["indicator_id"].isin(PEOPLE_COUNT_INDICATORS)]
    return {_cell(r): (None if r.is_suppressed else float(r.value)) for r in counts.itertuples()}


def _stock_and_flow_relations(
    frame: pd.DataFrame,
) -> tuple[dict[Cell, float | None], list[Relation], list[tuple[Cell, ...]]]:
    """What a reader can write down from the tables' meaning, with unknowns for what is
    never published: per quarter, people who enrolled, exited, or never enrolled."""
    values = _values(frame)
    relations: list[Relation] = []
    quarters = sorted(
        {c[1] for c in values if c[0] == "referrals"}
        | {c[1] for c in values if c[0] == "participants_active"}
    )
    leavers: list[list[Cell]] = []
    for index, quarter in enumerate(quarters):
        total = ("referrals", quarter, "")
        parts = [c for c in values if c[0] == "referrals" and c[1] == quarter and c[2]]
        if total in values and parts:
            relations.append(Relation.total(total, parts))
        enrolled, exited, never = (
            (f"attacker: {name}", quarter, "") for name in ("enrolled", "exited", "never")
        )
        for unknown in (enrolled, exited, never):
            values[unknown] = None
        if total in values:
            relations.append(Relation.total(total, [enrolled, never]))
        active = ("participants_active", quarter, "")
        if active in values:
            terms = [(active, 1), (enrolled, -1), (exited, 1)]
            if index:
                terms.append((("participants_active", quarters[index - 1], ""), -1))
            relations.append(Relation(tuple(terms)))
        leavers.append([exited, never])
    for cumulative in [c for c in values if c[0] == "referrals_cumulative"]:
        totals = [("referrals", q, "") for q in quarters if q <= cumulative[1]]
        relations.append(Relation.total(cumulative, totals))
    groups = [
        tuple(c for span in leavers[first : last + 1] for c in span)
        for first in range(len(leavers))
        for last in range(first, len(leavers))
    ]
    return values, relations, groups


def test_flows_from_stocks_give_no_number_of_leavers_under_11(versions: dict) -> None:
    tried = 0
    for name in ("late: before", "new quarter: after"):
        frame = versions[name]
        values, relations, groups = _stock_and_flow_relations(frame)
        # The plain subtraction first: every run of quarters whose referrals are known
        # (each published, or two running totals) and whose ends' active counts are.
        active = {c[1]: v for c, v in values.items() if c[0] == "participants_active"}
        referred = {c[1]: v for c, v in values.items() if c == ("referrals", c[1], "")}
        running = {c[1]: v for c, v in values.items() if c[0] == "referrals_cumulative"}
        quarters = sorted(referred)
        for first in range(len(quarters)):
            before = 0.0 if first == 0 else active.get(quarters[first - 1])
            for last in range(first, len(quarters)):
                after = active.get(quarters[last])
                joined = _referred(quarters, first, last, referred, running)
                if before is None or after is None or joined is None:
                    continue
                tried += 1
                left = joined - (after - before)
                assert not 1 <= left < THRESHOLD, (name, quarters[first], quarters[last], left)
        # Then everything at once: each quarter's leavers and every run of them.
        found = [
            e for e in group_bounds(values, relations, groups) if isolates(e.low, e.high, THRESHOLD)
        ]
        assert found == [], f"{name}: {found[:3]}"
    assert tried > 0, "nothing to subtract: the attack would prove nothing"


def _referred(
    quarters: list[pd.Timestamp],
    first: int,
    last: int,
    referred: dict[pd.Timestamp, float | None],
    running: dict[pd.Timestamp, float | None],
) -> float | None:
    """People referred in quarters[first..last], if the published figures give it."""
    span = [referred[q] for q in quarters[first : last + 1]]
    if all(v is not None for v in span):
        return float(sum(span))  # type: ignore[arg-type]
    end = running.get(quarters[last])
    start = 0.0 if first == 0 else running.get(quarters[first - 1])
    if end is None or start is None:
        return None
    return end - start


def test_two_versions_with_three_people_added_disclose_nothing_about_them(
    versions: dict,
) -> None:
    for name in ("late", "new quarter"):
        before, after = versions[f"{name}: before"], versions[f"{name}: after"]
        old, new = _values(before), _values(after)
        compared = 0
        for cell, value in new.items():
            if value is None or old.get(cell) is None:
                continue
            compared += 1
            change = abs(value - old[cell])  # type: ignore[operator]
            assert not 1 <= change < THRESHOLD, (name, cell, old[cell], value)
        assert compared > 20, "too few figures in both versions to attack"
        # Both versions at once: each version's relations, the figures of one quarter or
        # period equal where the key is the same (a released figure does not change).
        values: dict[tuple, float | None] = {}
        relations: list[Relation] = []
        for tag, frame in (("v1", before), ("v2", after)):
            cells, found, _groups = _stock_and_flow_relations(frame)
            rename = lambda c, t=tag: (t, *c)  # noqa: E731
            values |= {rename(c): v for c, v in cells.items()}
            relations += [Relation(tuple((rename(k), n) for k, n in r.terms)) for r in found]
            relations += _breakdown_relations(frame, rename)
        # A released quarter does not change: where both versions withhold the same
        # quarterly figure, the attacker takes it to be the same number.
        for cell in old:
            if cell[0] in QUARTERLY and old[cell] is None and new.get(cell, 0) is None:
                relations.append(Relation(((("v1", *cell), 1), (("v2", *cell), -1))))
        exposures = [
            e
            for e in attainable_bounds(values, relations).values()
            if isolates(e.low, e.high, THRESHOLD)
            and e.keys[0][0] in ("v1", "v2")
            and not str(e.keys[0][1]).startswith("attacker:")
        ]
        assert exposures == [], f"{name}: {exposures[:3]}"
        # The added people's housing, gender, age and race: every published breakdown of
        # the LEAD group is the same in both versions or changed by 11 or more.
        for indicator in (
            "participants_by_housing_at_referral",
            "participants_by_gender",
            "participants_by_age_band",
            "participants_by_race_ethnicity",
        ):
            rows = [c for c in new if c[0] == indicator and c[2].startswith("lead|")]
            for cell in rows:
                if new[cell] is not None and old.get(cell) is not None:
                    assert not 1 <= abs(new[cell] - old[cell]) < THRESHOLD  # type: ignore[operator]


def _breakdown_relations(frame: pd.DataFrame, rename) -> list[Relation]:  # type: ignore[no-untyped-def]
    """Cohort totals are the sum of each breakdown's categories."""
    values = _values(frame)
    found = []
    for indicator in {c[0] for c in values if c[0].startswith("participants_by_")} - {
        "participants_by_cohort"
    }:
        for cohort in ("lead", "control"):
            total = next(
                (c for c in values if c[0] == "participants_by_cohort" and c[2] == cohort), None
            )
            parts = [c for c in values if c[0] == indicator and c[2].startswith(cohort + "|")]
            if total is not None and parts:
                found.append(Relation.total(rename(total), [rename(p) for p in parts]))
    return found


def test_group_size_and_entry_window_narrow_no_withheld_referral_quarter(
    versions: dict,
) -> None:
    frame = versions["new quarter: after"]
    values, relations, _groups = _stock_and_flow_relations(frame)
    size = frame[
        (frame["indicator_id"] == "evaluation_group_size") & (frame["breakdown_value"] == "lead")
    ]
    assert len(size) == 1 and not bool(size["is_suppressed"].iloc[0]), "nothing to attack with"
    group: Cell = ("evaluation_group_size", size["period_start_date"].iloc[0], "lead")
    values[group] = float(size["value"].iloc[0])
    last = EVALUATION_END.to_period("Q").start_time
    inside: Cell = ("attacker: referred inside the window", last, "")
    outside: Cell = ("attacker: referred after the window", last, "")
    values[inside] = values[outside] = None
    full = sorted(c for c in values if c[0] == "referrals" and not c[2] and c[1] < last)
    relations.append(Relation.total(group, [*full, inside]))
    relations.append(Relation.total(("referrals", last, ""), [inside, outside]))
    withheld = [c for c in full if values[c] is None]
    assert withheld, "no withheld referral quarter to narrow: the attack would prove nothing"
    bounds = attainable_bounds(values, relations)
    narrowed = [
        (c, bounds[c].low, bounds[c].high)
        for c in values
        if c in bounds
        and not c[0].startswith("attacker:")
        and isolates(bounds[c].low, bounds[c].high, THRESHOLD)
    ]
    assert narrowed == []
