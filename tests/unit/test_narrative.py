"""Plain-language sentences from known inputs (exact text): rising, falling, flat,
withheld, and effects whose interval does or does not include no difference."""

from __future__ import annotations

import pytest

from dashboard.narrative import Figure, change_sentence, effect_parts

REFERRED = "People referred to LEAD"


@pytest.mark.parametrize(
    ("current", "prior", "expected"),
    [
        (
            Figure(25, "Q3 2014"),
            Figure(20, "Q2 2014"),
            "People referred to LEAD in Q3 2014: 25 people. That is up from 20 in Q2 2014 (25% "
            "more).",
        ),
        (
            Figure(15, "Q3 2014"),
            Figure(20, "Q2 2014"),
            "People referred to LEAD in Q3 2014: 15 people. That is down from 20 in Q2 2014 (25% "
            "fewer).",
        ),
        (
            Figure(20, "Q3 2014"),
            Figure(20.5, "Q2 2014"),
            "People referred to LEAD in Q3 2014: 20 people. That is about the same as in Q2 2014 "
            "(20.5).",
        ),
        (
            Figure(None, "Q3 2014"),
            Figure(20, "Q2 2014"),
            "People referred to LEAD in Q3 2014: not shown to protect privacy (fewer than "
            "11 people).",
        ),
        (
            Figure(20, "Q3 2014"),
            Figure(None, "Q2 2014"),
            "People referred to LEAD in Q3 2014: 20 people. The Q2 2014 figure is not shown "
            "to protect privacy (fewer than 11 people), so there is no comparison.",
        ),
        (
            Figure(12, "2014"),
            Figure(0, "2013"),
            "People referred to LEAD in 2014: 12 people. That is up from none in 2013.",
        ),
        (
            Figure(1, "2014"),
            Figure(1, "2013"),
            "People referred to LEAD in 2014: 1 person. That is the same as in 2013.",
        ),
        (
            Figure(6, "Q4 2016"),
            Figure(12, "Q4 2015"),
            "People referred to LEAD in Q4 2016: 6 people. That compares with 12 in Q4 2015.",
        ),
    ],
)
def test_change_sentences(current: Figure, prior: Figure, expected: str) -> None:
    assert change_sentence(REFERRED, "people", current, prior, 11) == expected


def test_a_nan_value_is_withheld_not_zero() -> None:
    assert Figure(float("nan"), "Q1 2012").withheld
    assert not Figure(0.0, "Q1 2012").withheld


@pytest.mark.parametrize(
    ("estimate", "lower", "upper", "expected"),
    [
        (
            0.6,
            0.45,
            0.8,
            ("about 40% lower", "It could be as little as 20% lower or as much as 55% lower."),
        ),
        (
            1.3,
            1.05,
            1.6,
            ("about 30% higher", "It could be as little as 5% higher or as much as 60% higher."),
        ),
        (
            2.5,
            2.1,
            3.2,
            (
                "about 2.5 times as high",
                "It could be as little as 2.1 times as high or as much as 3.2 times as high.",
            ),
        ),
        (
            0.9,
            0.7,
            1.15,
            (
                "about 10% lower",
                "But the likely range runs from 30% lower to 15% higher. So these data cannot "
                "tell if there is a real difference.",
            ),
        ),
        (
            1.0,
            0.8,
            1.2,
            (
                "about the same",
                "But the likely range runs from 20% lower to 20% higher. So these data cannot "
                "tell if there is a real difference.",
            ),
        ),
    ],
)
def test_effect_parts(
    estimate: float, lower: float, upper: float, expected: tuple[str, str]
) -> None:
    assert effect_parts(estimate, lower, upper) == expected


def test_a_point_in_time_figure_uses_its_own_preposition() -> None:
    assert change_sentence(
        "Active participants",
        "people",
        Figure(250, "Q4 2016"),
        Figure(229, "Q3 2016"),
        11,
        preposition="at the end of",
    ) == (
        "Active participants at the end of Q4 2016: 250 people. That is up from 229 at the end of "
        "Q3 2016 (9% more)."
    )


def test_a_missing_figure_says_why_it_is_missing() -> None:
    prior = Figure(20, "Q4 2011")
    assert change_sentence(
        REFERRED, "people", Figure(None, "2012", "partly withheld"), prior, 11
    ) == ("People referred to LEAD in 2012: not shown, because part of it is withheld to protect "
          "privacy.")  # fmt: skip
    assert change_sentence(
        REFERRED, "people", Figure(25, "Q4 2011"), Figure(None, "Q3 2011", "no data"), 11
    ) == (
        "People referred to LEAD in Q4 2011: 25 people. The Q3 2011 figure is not available "
        "(no data for this period), so there is no comparison."
    )
