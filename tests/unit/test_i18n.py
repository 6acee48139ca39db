"""Languages (dashboard/i18n.py): choosing one, catalogs, and numbers and dates per locale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboard import i18n
from dashboard.i18n import ENGLISH, by_code, negotiate

ES, ZH = by_code("es"), by_code("zh-Hant")
KEYWORDS = {"gettext": (2,), "ngettext": (2, 3), "N_": None}


@pytest.mark.parametrize(
    ("chosen", "remembered", "header", "expected"),
    [
        ("es", None, "ko", "es"),  # the URL wins
        ("ZH-hant", None, None, "zh-Hant"),  # whatever the case
        ("xx", "vi", "ko", "vi"),  # an unknown choice: the remembered one
        (None, None, "es-MX,es;q=0.9,en;q=0.5", "es"),
        (None, None, "zh-TW,zh;q=0.9", "zh-Hant"),
        (None, None, "zh-CN", "zh-Hant"),  # the Tier 1 script
        (None, None, "fil-PH", "tl"),
        (None, None, "ko-KR;q=0.8, am;q=0.9", "am"),  # by weight, not order
        (None, None, "en-US,en;q=0.9,es;q=0.8", "en"),
        (None, None, "fr-FR", "en"),
        (None, None, "es;q=abc, ko", "ko"),  # a broken weight counts as 0
        (None, None, None, "en"),
    ],
)
def test_the_language_shown(
    chosen: str | None, remembered: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(chosen, remembered, header).code == expected


def test_every_tier_1_language_is_offered_named_in_itself() -> None:
    names = {language.code: language.name for language in i18n.LANGUAGES}
    assert names == {
        "en": "English",
        "zh-Hant": "中文",
        "es": "Español",
        "vi": "Tiếng Việt",
        "so": "Soomaali",
        "am": "አማርኛ",
        "ko": "한국어",
        "tl": "Tagalog",
    }


@pytest.mark.parametrize(
    ("code", "count", "share", "money", "month", "day"),
    [
        ("en", "1,849", "70%", "$1,235", "October 2011", "December 8, 2026"),
        ("es", "1,849", "70%", "$1,235", "octubre de 2011", "8 de diciembre de 2026"),
        ("zh-Hant", "1,849", "70%", "US$1,235", "2011年10月", "2026年12月8日"),
        ("vi", "1.849", "70%", "1.235 US$", "tháng 10 năm 2011", "8 tháng 12, 2026"),
        ("ko", "1,849", "70%", "US$1,235", "2011년 10월", "2026년 12월 8일"),
    ],
)
def test_numbers_money_and_dates_as_each_locale_writes_them(
    code: str, count: str, share: str, money: str, month: str, day: str
) -> None:
    language = by_code(code)
    assert language is not None
    assert i18n.number(1849, language) == count
    assert i18n.percent(0.7, language) == share
    assert i18n.dollars(1234.56, language).replace("\xa0", " ") == money
    assert i18n.month_year(date(2011, 10, 1), language) == month
    assert i18n.day(date(2026, 12, 8), language) == day


def test_messages_translate_with_their_placeholders_and_fall_back_to_english() -> None:
    assert ES is not None and ZH is not None
    assert i18n.gettext(ES, "Overview") == "Resumen"
    assert i18n.gettext(ZH, "Overview") == "概覽"
    assert i18n.gettext(ES, " (data version {version}).", version="R1") == (
        " (versión de los datos R1)."
    )
    assert i18n.gettext(ES, "A sentence no catalog has.") == "A sentence no catalog has."
    assert i18n.ngettext(ENGLISH, "{n} person", "{n} people", 1) == "1 person"
    assert i18n.ngettext(ENGLISH, "{n} person", "{n} people", 1849) == "1,849 people"


def test_the_template_lists_every_message_the_code_marks() -> None:
    root = Path(i18n.__file__).parent
    marked = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }
    marked = {m if isinstance(m, str) else m[0] for m in marked}
    with i18n.TEMPLATE.open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert marked == template, "run pybabel extract and update (README, Languages)"


def test_catalog_coverage_and_review_status() -> None:
    coverage = {language.code: round(i18n.coverage(language), 2) for language in i18n.LANGUAGES}
    reviewed = {language.code: i18n.reviewed_by(language) for language in i18n.LANGUAGES}
    print("catalog coverage:", coverage, "reviewed:", reviewed)  # noqa: T201 -- the listing
    assert coverage == {
        "en": 1.0,
        "zh-Hant": 1.0,
        "es": 1.0,
        "vi": 0.0,
        "so": 0.0,
        "am": 0.0,
        "ko": 0.0,
        "tl": 0.0,
    }
    assert reviewed == {code: ("source" if code == "en" else "") for code in coverage}
    assert ES is not None and "machine-assisted" in i18n.translated_by(ES)


def test_a_reviewer_is_read_from_the_catalog_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ES is not None
    source = i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    text = source.read_text(encoding="utf-8")
    (target / "messages.po").write_text(
        text.replace('"X-Reviewed-By: \\n"', '"X-Reviewed-By: Ana Example <ana@example.org>\\n"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    assert i18n.reviewed_by(ES) == "Ana Example <ana@example.org>"
