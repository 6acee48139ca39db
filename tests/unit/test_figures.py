"""Figure builders: withheld values are never drawn on the value scale, and every series of
a chart has a colour of its own."""

from __future__ import annotations

import pandas as pd

from dashboard import figures, theme
from dashboard.row_figures import forest_figure


def _quarters(values: list[float], withheld: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": "active",
            "period_start_date": pd.date_range("2015-01-01", periods=len(values), freq="QS"),
            "value": values,
            "is_suppressed": withheld,
        }
    )


def test_a_withheld_value_is_a_gap_with_a_labelled_marker_off_the_value_axis() -> None:
    frame = _quarters([162.0, 0.0, 171.0], [False, True, False])
    figure = figures.trend_figure(frame, "active", "people", lambda _a: "Active")
    line, marker = figure.data
    assert list(line.y[:1]) == [162.0] and pd.isna(line.y[1]) and line.y[2] == 171.0
    # The marker is on its own 0-1 axis, just above the x axis: not at 0 people.
    assert marker.yaxis == "y9" and list(marker.y) == [figures.WITHHELD_HEIGHT]
    assert list(marker.x) == [pd.Timestamp("2015-04-01")]
    assert list(marker.text) == ["withheld"]
    assert figure.layout.yaxis9.overlaying == "y" and tuple(figure.layout.yaxis9.range) == (0, 1)
    assert figure.layout.yaxis9.visible is False


def test_a_run_of_withheld_values_is_labelled_once() -> None:
    frame = _quarters([5.0, 5.0, 5.0, 40.0], [True, True, True, False])
    figure = figures.trend_figure(frame, "active", "people", lambda _a: "Active")
    assert list(figure.data[1].text) == ["withheld", "", ""]


def test_withheld_bars_are_marked_above_the_axis_and_stacks_keep_their_gap() -> None:
    frame = pd.DataFrame(
        {
            "period_start_date": pd.to_datetime(["2015-01-01", "2015-01-01", "2015-04-01"]),
            "service": ["housing", "treatment", "housing"],
            "value": [30.0, 4.0, 25.0],
            "is_suppressed": [False, True, False],
        }
    )
    figure = figures.category_bars_figure(
        frame, "service", str.title, "contacts", lambda p: f"Q{p.quarter} {p.year}"
    )
    bars = [t for t in figure.data if t.type == "bar"]
    assert [list(b.y) for b in bars][0] == [30.0, 25.0]
    treatment = bars[1]
    assert pd.isna(treatment.y[0]) and treatment.y[1] == 0.0  # absent in Q2 = none
    (marker,) = [t for t in figure.data if t.type == "scatter"]
    assert marker.yaxis == "y9" and list(marker.x) == ["Q1 2015"]


def test_seven_categories_get_seven_distinct_colours_and_patterns() -> None:
    categories = [f"c{i}" for i in range(7)]
    frame = pd.DataFrame(
        {
            "period_start_date": pd.Timestamp("2015-01-01"),
            "service": categories,
            "value": 20.0,
            "is_suppressed": False,
        }
    )
    figure = figures.category_bars_figure(frame, "service", str, "contacts", str)
    colours = [t.marker.color for t in figure.data]
    patterns = [t.marker.pattern.shape for t in figure.data]
    assert len(set(colours)) == 7 and len(set(patterns)) == 7
    assert set(colours) <= set(theme.SERIES_COLOURS)


def _relative_luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_series_colour_has_3_to_1_contrast_on_white() -> None:
    assert len(set(theme.SERIES_COLOURS)) == len(theme.SERIES_COLOURS) == 7
    for colour in theme.SERIES_COLOURS:
        assert 1.05 / (_relative_luminance(colour) + 0.05) >= 3.0, colour


def test_the_time_axis_ends_where_the_data_end() -> None:
    frame = _quarters([5.0, 6.0, float("nan"), float("nan")], [False, False, True, False])
    figure = figures.trend_figure(
        frame, "active", "people", lambda _a: "Active", event_month=pd.Timestamp("2020-01-01")
    )
    # The withheld third quarter counts as data; the empty fourth and the event line do not.
    assert [pd.Timestamp(x) for x in figure.layout.xaxis.range] == [
        pd.Timestamp("2015-01-01"),
        pd.Timestamp("2015-07-01"),
    ]


def test_a_forest_plot_prints_each_estimate_above_its_row() -> None:
    frame = pd.DataFrame(
        {
            "indicator_id": ["arrest", "booking"],
            "value": [0.45, float("nan")],
            "lower_bound": [0.27, float("nan")],
            "upper_bound": [0.75, float("nan")],
            "is_suppressed": [False, True],
        }
    )
    figure = forest_figure(frame, {"arrest": "Any arrest", "booking": "Bookings"}.__getitem__)
    rows = [a.text for a in figure.layout.annotations if a.yref == "y"]
    assert rows == [
        "<b>Any arrest</b><br>0.45 (95% CI 0.27 to 0.75)",
        "<b>Bookings</b><br>withheld to protect privacy",
    ]
    assert figure.layout.yaxis.showticklabels is False
    bottom, top = figure.layout.yaxis.range
    assert bottom == 1.5 and top < -0.5  # first row on top, with room above it


def test_long_forest_row_names_wrap_to_a_phone_s_width() -> None:
    frame = pd.DataFrame(
        {
            "indicator_id": ["a"],
            "value": [0.5],
            "lower_bound": [0.4],
            "upper_bound": [0.6],
            "is_suppressed": [False],
        }
    )
    name = "Any arrest, 6 months: weighted to resemble the LEAD group"
    title = "ratio, LEAD vs comparison (log scale; 1 = no difference)"
    figure = forest_figure(frame, lambda _i: name, x_title=title)
    (row,) = [a.text for a in figure.layout.annotations if a.yref == "y"]
    assert row == (
        "<b>Any arrest, 6 months: weighted to</b><br><b>resemble the LEAD group</b><br>"
        "0.50 (95% CI 0.40 to 0.60)"
    )
    assert figure.layout.xaxis.title.text == (
        "ratio, LEAD vs comparison (log<br>scale; 1 = no difference)"
    )
