"""Every string the code can print is in US spelling (the site is Seattle's): string literals
in the site and the ETL (whose catalog texts and messages are published), the content files
and the category labels. The browser tier checks the rendered pages too."""

from __future__ import annotations

import csv
import io
import re
import tokenize
from pathlib import Path

import pytest

from tests.text_checks import british_spellings, grade

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted(
    path
    for folder in ("dashboard", "etl", "benchmarks")
    for path in (ROOT / folder).rglob("*.py")
    if "sample_data" not in path.parts
)
CONTENT = sorted((ROOT / "dashboard" / "content").glob("*.toml")) + sorted(
    (ROOT / "etl" / "evaluation").glob("*.toml")
)


IDENTIFIER = re.compile(r"""[rbuRBU]?(['"])[A-Za-z_][A-Za-z0-9_]*\1""")


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Literals that can be prose: a bare identifier in quotes (a dict key or a published
    field name such as the API's ``licence``) is a name, not a sentence."""
    with path.open("rb") as handle:
        return [
            (token.start[0], token.string)
            for token in tokenize.tokenize(handle.readline)
            if token.type == tokenize.STRING and not IDENTIFIER.fullmatch(token.string)
        ]


def test_the_checker_finds_british_spellings_and_passes_us_ones() -> None:
    assert british_spellings("Reported offences in the neighbourhood's programme") == [
        "neighbourhood -> neighborhood",
        "offences -> offenses",
        "programme -> program",
    ]
    assert british_spellings("Reported offenses in the neighborhood's program") == []


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_string_literals_are_in_us_spelling(path: Path) -> None:
    found = [
        f"line {line}: {', '.join(words)}"
        for line, literal in _string_literals(path)
        if (words := british_spellings(literal))
    ]
    assert found == []


@pytest.mark.parametrize("path", CONTENT, ids=lambda p: p.name)
def test_content_files_are_in_us_spelling(path: Path) -> None:
    assert british_spellings(path.read_text(encoding="utf-8")) == []


def test_category_labels_are_in_us_spelling() -> None:
    text = (ROOT / "etl" / "sources" / "category_map.csv").read_text(encoding="utf-8")
    labels = " ".join(row["indicator_label"] for row in csv.DictReader(io.StringIO(text)))
    assert british_spellings(labels) == []


def test_the_grade_checker_scores_plain_and_dense_text_apart() -> None:
    plain = "LEAD sends people to a case manager instead of jail. It began in Belltown in 2011."
    dense = (
        "Law Enforcement Assisted Diversion constitutes a pre-booking intervention whereby "
        "individuals suspected of low-level controlled-substance violations are redirected "
        "toward community-based case-management infrastructure."
    )
    assert grade(plain) <= 8 < grade(dense)
