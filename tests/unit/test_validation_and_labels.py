"""Unit tests of user-input validation, human labels and the accessible data table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from dash.development.base_component import Component
from hypothesis import given
from hypothesis import strategies as st

from dashboard.components.chart_card import WITHHELD_TEXT, data_table, table_component
from dashboard.labels import area_label, month_label, offense_group_label
from dashboard.prerender import to_html
from dashboard.validation import choose
from etl.indicators.incidents import area_slug
from etl.sources.spd_nibrs import OFFENSE_PARENT_GROUPS

AREAS = ["belltown", "capitol-hill", "downtown-commercial"]
GROUPS = ["ASSAULT OFFENSES", "LARCENY-THEFT", "ROBBERY"]

# --- validation.choose -----------------------------------------------------------------


@pytest.mark.parametrize("value", AREAS)
def test_choose_allowed_value(value: str) -> None:
    assert choose(value, AREAS, "belltown", "area", area_label) == (value, None)


@pytest.mark.parametrize("value", [None, ""])
def test_choose_nothing_gives_the_default_quietly(value: object) -> None:
    assert choose(value, AREAS, "belltown", "area", area_label) == ("belltown", None)


def test_choose_unknown_value_falls_back_with_a_notice() -> None:
    assert choose("queen-anne", AREAS, "belltown", "area", area_label) == (
        "belltown",
        "“queen-anne” is not a known area; showing Belltown instead.",
    )


def test_choose_notice_uses_the_label_of_the_default() -> None:
    assert choose("ROBERY", GROUPS, "ROBBERY", "offense group", offense_group_label) == (
        "ROBBERY",
        "“ROBERY” is not a known offense group; showing Robbery instead.",
    )


def test_choose_default_label_is_str() -> None:
    assert choose("index2", ["count", "index"], "count", "measure") == (
        "count",
        "“index2” is not a known measure; showing count instead.",
    )


def test_choose_is_case_sensitive() -> None:
    value, notice = choose("Belltown", AREAS, "capitol-hill", "area", area_label)
    assert value == "capitol-hill"
    assert notice == "“Belltown” is not a known area; showing Capitol Hill instead."


def test_choose_cuts_long_values_to_60_characters() -> None:
    value, notice = choose("x" * 100 + "TAIL", AREAS, "belltown", "area", area_label)
    assert value == "belltown"
    assert notice == f"“{'x' * 60}” is not a known area; showing Belltown instead."


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5, "5"), (["belltown"], "['belltown']"), (0, "0"), (False, "False")],
)
def test_choose_non_string_values_are_not_allowed(value: object, shown: str) -> None:
    allowed = [*AREAS, "5", "0", "False"]
    assert choose(value, allowed, "belltown", "area", area_label) == (
        "belltown",
        f"“{shown}” is not a known area; showing Belltown instead.",
    )


@given(
    allowed=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_choose_always_returns_an_allowed_value(allowed: list[str], data: Any) -> None:
    default = data.draw(st.sampled_from(allowed))
    value = data.draw(
        st.one_of(
            st.none(),
            st.just(""),
            st.sampled_from(allowed),
            st.text(max_size=80),
            st.integers(),
            st.floats(allow_nan=True),
        )
    )
    chosen, notice = choose(value, allowed, default, "thing")
    assert chosen in allowed
    if isinstance(value, str) and value in allowed:
        assert (chosen, notice) == (value, None)
    elif value is None or value == "":
        assert (chosen, notice) == (default, None)
    else:
        assert chosen == default
        assert notice == f"“{str(value)[:60]}” is not a known thing; showing {default} instead."


# --- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("belltown", "Belltown"),
        ("downtown-commercial", "Downtown Commercial"),
        ("capitol-hill", "Capitol Hill"),
        ("queen-anne", "Queen Anne"),
    ],
)
def test_area_label(slug: str, label: str) -> None:
    assert area_label(slug) == label


@pytest.mark.parametrize("name", ["BELLTOWN", "CAPITOL HILL", "DOWNTOWN COMMERCIAL"])
def test_area_label_of_slug_is_the_title_cased_area(name: str) -> None:
    assert area_label(area_slug(name)) == name.title()


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", "Destruction/Damage/Vandalism of Property"),
        ("ROBBERY", "Robbery"),
        ("ASSAULT OFFENSES", "Assault Offenses"),
        ("DRIVING UNDER THE INFLUENCE", "Driving Under the Influence"),
        ("TRESPASS OF REAL PROPERTY", "Trespass of Real Property"),
        ("FAMILY OFFENSES, NONVIOLENT", "Family Offenses, Nonviolent"),
        ("CURFEW/LOITERING/VAGRANCY VIOLATIONS", "Curfew/Loitering/Vagrancy Violations"),
        ("ALL OTHER", "All Other"),
        ("THE END", "The End"),  # a small word first is still capitalised
    ],
)
def test_offense_group_label(code: str, label: str) -> None:
    assert offense_group_label(code) == label


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("LARCENY-THEFT", "Larceny-Theft"),
        ("BURGLARY/BREAKING&ENTERING", "Burglary/Breaking&Entering"),
    ],
)
def test_offense_group_label_capitalises_after_hyphen_and_ampersand(code: str, label: str) -> None:
    assert offense_group_label(code) == label


@pytest.mark.parametrize("code", sorted(OFFENSE_PARENT_GROUPS))
def test_offense_group_labels_only_change_case(code: str) -> None:
    label = offense_group_label(code)
    assert label.upper() == code
    assert label[0].isupper()


def test_offense_group_labels_are_unique() -> None:
    labels = [offense_group_label(code) for code in OFFENSE_PARENT_GROUPS]
    assert len(set(labels)) == len(OFFENSE_PARENT_GROUPS)


def test_month_label() -> None:
    assert month_label(pd.Timestamp("2011-10-01")) == "October 2011"
    assert month_label(pd.Timestamp("2020-02-29 13:00")) == "February 2020"


# --- chart_card.data_table -------------------------------------------------------------


def describe(component: Component) -> Any:
    """A component tree as plain (type, text-or-children, extra props) tuples."""
    props = component.to_plotly_json()["props"]
    children = props.get("children")
    extras = {k: v for k, v in props.items() if k != "children"}
    if isinstance(children, list):
        inner: Any = [describe(c) for c in children]
    elif isinstance(children, Component):
        inner = [describe(children)]
    else:
        inner = children
    return (type(component).__name__, inner, extras)


def body_cells(table: Component) -> list[list[tuple[str, str, dict[str, str]]]]:
    tag, parts, _ = describe(table)
    assert tag == "Table"
    tbody = parts[2]
    assert tbody[0] == "Tbody"
    rows = []
    for row_tag, cells, _ in tbody[1]:
        assert row_tag == "Tr"
        rows.append([(tag, text, extras) for tag, text, extras in cells])
    return rows


def wide_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Month": ["March 2020", "February 2020", "January 2020"],
            "Belltown": [1234.0, np.nan, 12.4],
            "Capitol Hill": [np.nan, 7.0, 0.0],
        }
    )
    frame.attrs["withheld"] = pd.DataFrame(
        {
            "Month": [False, False, False],
            "Belltown": [False, True, False],
            "Capitol Hill": [False, False, False],
        }
    )
    return frame


def test_data_table_structure_and_header() -> None:
    table = table_component(wide_frame(), "Reported robbery offenses, by month")
    tag, parts, extras = describe(table)
    assert extras == {"className": "data-table"}
    assert parts[0] == ("Caption", "Reported robbery offenses, by month", {})
    assert parts[1] == (
        "Thead",
        [
            (
                "Tr",
                [
                    ("Th", "Month", {"scope": "col"}),
                    ("Th", "Belltown", {"scope": "col"}),
                    ("Th", "Capitol Hill", {"scope": "col"}),
                ],
                {},
            )
        ],
        {},
    )


def test_data_table_cells_withheld_missing_and_values() -> None:
    rows = body_cells(table_component(wide_frame(), "caption"))
    assert rows == [
        [
            ("Th", "March 2020", {"scope": "row"}),
            ("Td", "1,234", {}),
            ("Td", "\u2013", {}),
        ],
        [
            ("Th", "February 2020", {"scope": "row"}),
            ("Td", WITHHELD_TEXT, {"className": "cell--withheld"}),
            ("Td", "7", {}),
        ],
        [
            ("Th", "January 2020", {"scope": "row"}),
            ("Td", "12", {}),
            ("Td", "0", {}),
        ],
    ]
    assert WITHHELD_TEXT == "withheld"


def test_data_table_value_format() -> None:
    rows = body_cells(table_component(wide_frame(), "caption", value_format="{:,.1f}"))
    assert [cell[1] for cell in rows[0]] == ["March 2020", "1,234.0", "\u2013"]
    assert [cell[1] for cell in rows[2]] == ["January 2020", "12.4", "0.0"]


def test_data_table_without_withheld_marks_shows_dashes() -> None:
    frame = wide_frame()
    frame.attrs.clear()
    rows = body_cells(table_component(frame, "caption"))
    assert [cell[1] for cell in rows[1]] == ["February 2020", "\u2013", "7"]
    assert all(cell[2] == {} for cell in rows[1][1:])


def test_data_table_of_no_rows_has_an_empty_body() -> None:
    frame = pd.DataFrame({"Month": [], "Belltown": []})
    _, parts, _ = describe(table_component(frame, "caption"))
    assert parts[2] == ("Tbody", [], {})


def test_the_table_is_plain_html_the_same_as_its_components_written_out() -> None:
    frame = wide_frame()
    frame["Month"] = ["March <2020>", "February & co", "January 2020"]
    markup = data_table(frame, "Robbery <by> month")
    assert markup == to_html(table_component(frame, "Robbery <by> month"))
    assert markup.startswith(
        '<table class="data-table"><caption>Robbery &lt;by&gt; month</caption><thead><tr>'
        '<th scope="col">Month</th>'
    )
    assert '<th scope="row">March &lt;2020&gt;</th><td>1,234</td><td>\u2013</td>' in markup
    assert '<td class="cell--withheld">withheld</td>' in markup
    assert "<script" not in markup and "\n" not in markup
