"""Effect sentences come from each indicator's estimand: one form per kind, so a change in
change or a within-person change is never worded as a difference between groups."""

from __future__ import annotations

import re

import pytest

from dashboard.estimand_text import effect_sentence, range_words
from dashboard.narrative import percent_words
from etl.estimands import (
    AFTER_ENTRY,
    AREA_CHANGE_IN_CHANGE,
    AREA_EVENT_STUDY,
    CHANGE_IN_CHANGE,
    ESTIMAND_KINDS,
    WITHIN_PERSON,
)
from etl.indicators import area_catalog, catalog, effects_catalog, evaluation_catalog
from tests.text_checks import grade

GROUP_DIFFERENCE = re.compile(
    r"LEAD group's [a-z ]+ (were|was) about .* (than|as) the comparison group's"
)
ALL_SPECS = (
    *catalog.PROGRAM_INDICATORS,
    *catalog.FINANCE_INDICATORS,
    catalog.REPORTED_OFFENSES,
    catalog.REPORTED_OFFENSES_INDEX,
    *area_catalog.AREA_INDICATORS,
    catalog.REPORTED_OFFENSES_GRID,
    *catalog.OTHER_NEIGHBOURHOOD_INDICATORS.values(),
    *evaluation_catalog.EVALUATION_INDICATORS,
    *evaluation_catalog.OUTCOME_INDICATORS,
    *evaluation_catalog.OUTCOME_ODDS_INDICATORS,
    *evaluation_catalog.DRUG_INDICATORS,
    *effects_catalog.EFFECT_INDICATORS,
)
EFFECTS = [spec for spec in ALL_SPECS if spec.estimand is not None]


def test_every_ratio_indicator_declares_what_it_compares() -> None:
    ratios = [s for s in ALL_SPECS if s.unit in ("odds ratio", "rate ratio")]
    assert ratios and all(s.estimand is not None for s in ratios), [
        s.indicator_id for s in ratios if s.estimand is None
    ]
    kinds = {s.estimand.kind for s in EFFECTS if s.estimand is not None}
    assert kinds == {
        AFTER_ENTRY,
        CHANGE_IN_CHANGE,
        WITHIN_PERSON,
        AREA_CHANGE_IN_CHANGE,
        AREA_EVENT_STUDY,
    }
    assert kinds <= set(ESTIMAND_KINDS)


@pytest.mark.parametrize("spec", EFFECTS, ids=lambda s: s.indicator_id)
@pytest.mark.parametrize(("estimate", "lower", "upper"), [(0.4, 0.25, 0.65), (1.1, 0.8, 1.5)])
def test_each_effect_sentence_is_worded_for_its_estimand(
    spec: catalog.IndicatorSpec, estimate: float, lower: float, upper: float
) -> None:
    meta = spec.as_row()
    sentence = effect_sentence(meta, estimate, lower, upper, 11)
    withheld = effect_sentence(meta, None, None, None, 11)
    assert "fewer than 11 people" in withheld and "not shown to protect privacy" in withheld
    assert grade(sentence) <= 8, sentence
    kind = meta["estimand_kind"]
    if kind == AFTER_ENTRY:
        assert sentence.startswith(f"In {meta['estimand_window']}, ")
        assert GROUP_DIFFERENCE.search(sentence)
        assert "compares the groups after entry" in sentence
        assert ("does not adjust" in sentence) == spec.indicator_id.endswith("_after_entry")
    else:
        assert not GROUP_DIFFERENCE.search(sentence), sentence
    if kind == CHANGE_IN_CHANGE:
        assert sentence.startswith("This compares each group with itself, from ")
        assert "than the comparison group's: about" in sentence
        assert "does not compare the groups after entry" in sentence
    if kind == WITHIN_PERSON:
        assert "There is no comparison group." in sentence
        assert "People often join at a low point and get better anyway." in sentence
        assert "comparison group," not in sentence.split(".")[0]
    if kind in (AREA_CHANGE_IN_CHANGE, AREA_EVENT_STUDY):
        assert "This compares areas, not people." in sentence
        assert "LEAD" not in sentence.split(". ")[0]


def _meta(spec_id: str) -> dict[str, str]:
    spec = next(s for s in EFFECTS if s.indicator_id == spec_id)
    return spec.as_row()


def test_exact_sentences_for_each_kind() -> None:
    weighted = effect_sentence(_meta("arrest_odds_ratio_weighted"), 0.33, 0.2, 0.53, 11)
    assert weighted == (
        "In the 6 months after entry, the LEAD group's odds of any arrest were about 67% lower "
        "than the comparison group's. It could be as little as 47% lower or as much as 80% "
        "lower. This compares the groups after entry. It is adjusted for age, gender, "
        "race/ethnicity, housing at referral, and past arrests and bookings, by weighting the "
        "comparison group."
    )
    change = effect_sentence(_meta("arrest_odds_ratio"), 0.3, 0.17, 0.53, 11)
    assert change == (
        "This compares each group with itself, from the six months before entry to the six "
        "months after entry. The LEAD group's odds of any arrest fell more, or rose less, than "
        "the comparison group's: about 70% lower. It could be as little as 47% lower or as "
        "much as 83% lower. This does not compare the groups after entry. It is not adjusted "
        "for how the groups differed."
    )
    housed = effect_sentence(_meta("housed_odds_vs_baseline"), 4.0, 3.2, 5.0, 11)
    assert housed.startswith(
        "This follows LEAD participants assessed in the month before referral. The odds of "
        "being sheltered or housed in the 18 months after referral, against the month before, "
        "were about 4.0 times as high. It could be as little as 3.2 times as high or as much "
        "as 5.0 times as high. There is no comparison group."
    )
    days = effect_sentence(_meta("days_of_use_change_12m"), -3.5, -3.9, -3.1, 11)
    assert days.startswith(
        "Among assessed LEAD participants, days of use in the past 30 changed by −3.5 over the "
        "12 months after referral (likely range −3.9 to −3.1)."
    )
    area = effect_sentence(
        area_catalog.REPORTED_OFFENSES_BEFORE_AFTER.as_row(),
        0.768,
        0.552,
        1.069,
        11,
        outcome="reported robbery offenses",
        comparison="Capitol Hill",
    )
    assert area.startswith(
        "From the 24 months before October 2011 to the 24 months after, reported robbery "
        "offenses in Belltown changed 23% less than in Capitol Hill. The rate ratio is 0.77 "
        "(95% confidence interval 0.55 to 1.07). That interval includes no difference. This "
        "compares areas, not people."
    )
    same = effect_sentence(_meta("arrest_odds_ratio_weighted"), 1.0, 0.8, 1.25, 11)
    assert same.startswith(
        "In the 6 months after entry, the LEAD group's odds of any arrest were about the same "
        "as the comparison group's. But the likely range runs from 20% lower to 25% higher."
    )


def test_a_window_of_the_sensitivity_analysis_replaces_the_estimands_window() -> None:
    sentence = effect_sentence(
        _meta("arrest_odds_ratio_weighted"), 0.5, 0.3, 0.85, 11, window="the 18 months after entry"
    )
    assert sentence.startswith("In the 18 months after entry, the LEAD group's odds of any arrest")


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (0.33, "67% lower"),
        (1.25, "25% higher"),
        (3.04, "3.0 times as high"),
        (1.001, "about the same"),
    ],
)
def test_percent_words(ratio: float, words: str) -> None:
    assert percent_words(ratio) == words


def test_ranges_are_in_the_headlines_unit() -> None:
    assert range_words(0.2, 0.53) == "likely range 47% to 80% lower"
    assert range_words(0.8, 1.15) == "likely range 20% lower to 15% higher"
    assert range_words(1.2, 2.5) == "likely range 20% higher to 2.5 times as high"
