"""Funding and spending: the finance reader's rules and the aggregation on a hand-made
extract with exact expected totals and cost per participant-month."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.indicators import finance
from etl.indicators.program import CellSet
from etl.sources import program
from tests.unit.test_program_source import read, valid_files, write

HEADER = ["month", "flow", "fund_source", "spending_category", "amount_usd"]


def with_finance(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    files = valid_files()
    files["finance.csv"] = [HEADER, *rows]
    return files


FINANCE_ROWS = [
    # ID-ALPHA is enrolled 2012-03-15 to 2013-01-02: 1 participant-month in Q1 2012,
    # 3 in Q2 2012 (April, May, June).
    ["2012-02", "received", "private_foundation", "", "1000"],
    ["2012-03", "received", "private_foundation", "", "2000"],
    ["2012-03", "received", "city", "", "1000"],
    ["2012-03", "spent", "", "case_management", "600"],
    ["2012-03", "spent", "", "evaluation", "400"],
    ["2012-05", "spent", "", "housing", "1500"],
    ["2012-06", "spent", "", "case_management", "1200"],
    ["2012-06", "spent", "", "evaluation", "300"],
]


def test_quarterly_totals_sum_the_months(tmp_path: Path) -> None:
    extract = read(write(tmp_path / "x", with_finance(FINANCE_ROWS)))
    assert "finance.csv" in extract.provided
    totals = finance.quarterly_totals(extract.finance)
    got = {
        (q.strftime("%Y-%m"), flow, part): amount
        for q, flow, part, amount in totals.itertuples(index=False)
    }
    assert got == {
        ("2012-01", "received", "city"): 1000.0,
        ("2012-01", "received", "private_foundation"): 3000.0,
        ("2012-01", "spent", "case_management"): 600.0,
        ("2012-01", "spent", "evaluation"): 400.0,
        ("2012-04", "spent", "case_management"): 1200.0,
        ("2012-04", "spent", "evaluation"): 300.0,
        ("2012-04", "spent", "housing"): 1500.0,
    }


def test_cells_give_exact_totals_public_share_and_cost_per_participant_month(
    tmp_path: Path,
) -> None:
    extract = read(write(tmp_path / "x", with_finance(FINANCE_ROWS)))
    cells = CellSet()
    finance.add_finance(cells, extract)
    value = {(k[0], k[2], k[5]): (c.value, c.denominator_n) for k, c in cells.rows.items()}
    assert value[("funding_received", "2012-01-01", "")] == (4000.0, None)
    assert value[("funding_received", "2012-01-01", "city")] == (1000.0, None)
    assert value[("public_funding_share", "2012-01-01", "")] == (25.0, None)
    assert value[("spending", "2012-04-01", "")] == (3000.0, None)
    # Evaluation is not programme cost: (600) / 1 month and (1200 + 1500) / 3 months.
    assert value[("finance_cost_per_participant_month", "2012-01-01", "")] == (600.0, 1)
    assert value[("finance_cost_per_participant_month", "2012-04-01", "")] == (900.0, 3)
    assert ("public_funding_share", "2012-04-01", "") not in value  # nothing received
    total = ("funding_received", "belltown", "2012-01-01", "quarter", "fund_source", "")
    assert any(r.keys[0] == total for r in cells.relations)


def test_cost_per_participant_month_needs_participant_months() -> None:
    assert finance.cost_per_participant_month(1000.0, 0) is None
    assert finance.cost_per_participant_month(1000.0, 3) == 333.0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["2012-03", "spent", "", "lobbying", "10"], "column spending_category: not one of"),
        (["2012-03", "spent", "", "housing", "-5"], "column amount_usd: negative"),
        (["2012-03", "received", "", "", "10"], "column fund_source: blank (required when flow"),
        (["2012-03", "spent", "city", "housing", "10"], "column fund_source: must be blank unless"),
        (["2012-02", "received", "private_foundation", "", "7"], "column month: a second row for"),
    ],
)
def test_bad_finance_rows_reject_the_extract_naming_the_rule(
    tmp_path: Path, row: list[str], message: str
) -> None:
    with pytest.raises(program.ProgramExtractError) as caught:
        read(write(tmp_path / "x", with_finance([*FINANCE_ROWS, row])))
    assert f"finance.csv, row {len(FINANCE_ROWS) + 2}, {message}" in str(caught.value)
    assert "lobbying" not in str(caught.value)


def test_without_finance_there_are_no_finance_cells(tmp_path: Path) -> None:
    extract = read(write(tmp_path / "x", valid_files()))
    assert extract.finance.empty and "finance.csv" not in extract.provided
    cells = CellSet()
    finance.add_finance(cells, extract)
    assert cells.rows == {}
    assert list(extract.finance.columns) == list(HEADER)
    assert pd.api.types.is_datetime64_any_dtype(extract.finance["month"])
