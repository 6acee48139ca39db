"""The Quality of life data table: one row per month, focus area first, withheld marked."""

from __future__ import annotations

import pandas as pd

from dashboard.components.chart_card import table_component
from dashboard.pages.quality_of_life_trend import wide_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["capitol-hill", "capitol-hill", "belltown", "belltown"],
            "period_start_date": pd.to_datetime(["2011-09-01", "2011-10-01"] * 2),
            "value": [12.0, None, 4.0, 7.0],
            "is_suppressed": [False, True, False, False],
        }
    )


def test_wide_table_puts_the_focus_area_first_and_the_newest_month_on_top() -> None:
    table = wide_table(_frame(), "belltown")
    assert table.columns.tolist() == ["Month", "Belltown", "Capitol Hill"]
    assert table["Month"].tolist() == ["October 2011", "September 2011"]
    assert table["Belltown"].tolist() == [7.0, 4.0]
    assert table.attrs["withheld"].to_dict("list") == {
        "Belltown": [False, False],
        "Capitol Hill": [True, False],
    }


def test_a_withheld_value_is_shown_as_withheld_not_as_a_number_or_zero() -> None:
    table = table_component(wide_table(_frame(), "belltown"), caption="test")
    body = table.children[2]
    first_row_cells = [cell.children for cell in body.children[0].children]
    assert first_row_cells == ["October 2011", "7", "withheld"]
