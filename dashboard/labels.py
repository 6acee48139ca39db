"""Human labels for published codes (areas, offense groups), shared by pages and downloads."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

_SMALL_WORDS = {"of", "and", "or", "the", "in", "on"}


def area_label(slug: str) -> str:
    """``"downtown-commercial"`` -> ``"Downtown Commercial"``."""
    return " ".join(word.capitalize() for word in slug.split("-"))


def offense_group_label(code: str) -> str:
    """``"LARCENY-THEFT"`` -> ``"Larceny-Theft"``, ``"DRUG/NARCOTIC OFFENSES"`` ->
    ``"Drug/Narcotic Offenses"``; small words inside a name stay lower case."""
    words = []
    for index, word in enumerate(code.lower().split(" ")):
        if index and word in _SMALL_WORDS:
            words.append(word)
        else:
            words.append(re.sub(r"(^|[/&-])([a-z])", _upper_second, word))
    return " ".join(words)


def _upper_second(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def month_label(value: pd.Timestamp) -> str:
    return value.strftime("%B %Y")


@lru_cache(maxsize=1)
def _category_labels() -> dict[str, str]:
    from etl.sources.categories import load_category_map

    table = load_category_map()
    return dict(zip(table["indicator"], table["indicator_label"], strict=False))


def category_label(code: str) -> str:
    """``"drug_narcotic"`` -> ``"Drug and narcotic offenses"`` (the category map's label)."""
    return _category_labels().get(code) or offense_group_label(code.replace("_", " "))


def offense_phrase(code: str) -> str:
    """Words for "reported ___": ``"robbery"`` -> ``"robbery offenses"``,
    ``"drug_narcotic"`` -> ``"drug and narcotic offenses"`` (no doubled "offenses")."""
    label = category_label(code).lower()
    return label if "offense" in label else f"{label} offenses"
