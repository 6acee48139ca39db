"""Languages: Seattle's Tier 1 languages, their gettext catalogs, and locale-aware numbers
and dates (Babel).

The City's language-access policy (Executive Order 2017-10; the Office of Immigrant and
Refugee Affairs' Tier 1 list) names Traditional Chinese, Spanish, Vietnamese, Somali,
Amharic, Korean and Tagalog for written material. Each language has a catalog
``dashboard/translations/<catalog>/LC_MESSAGES/messages.po``, extracted from the code with
``pybabel extract`` (see README, "Languages"); its header records who translated it
(``Last-Translator``) and who reviewed it (``X-Reviewed-By``, empty until a fluent
reviewer has checked every string). A string a catalog lacks falls back to English.

Pure: imports nothing person-level and nothing from the site's pages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


@dataclass(frozen=True)
class Language:
    code: str  # in URLs (?lang=) and <html lang> (BCP 47)
    catalog: str  # folder under dashboard/translations/
    locale: str  # Babel locale for numbers and dates
    name: str  # the language named in itself, for the menu
    english: str


ENGLISH = Language("en", "en", "en_US", "English", "English")
LANGUAGES: tuple[Language, ...] = (
    ENGLISH,
    Language("zh-Hant", "zh_Hant", "zh_Hant_TW", "中文", "Chinese (Traditional)"),
    Language("es", "es", "es_US", "Español", "Spanish"),
    Language("vi", "vi", "vi_VN", "Tiếng Việt", "Vietnamese"),
    Language("so", "so", "so_SO", "Soomaali", "Somali"),
    Language("am", "am", "am_ET", "አማርኛ", "Amharic"),
    Language("ko", "ko", "ko_KR", "한국어", "Korean"),
    # CLDR has Tagalog's written standard as Filipino (fil); readers call it Tagalog.
    Language("tl", "tl", "fil_PH", "Tagalog", "Tagalog"),
)
BY_CODE = {language.code.lower(): language for language in LANGUAGES}
_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")
_REVIEWED = re.compile(r'^"X-Reviewed-By:([^"\\]*)\\n"$', re.MULTILINE)


def by_code(code: str | None) -> Language | None:
    """The language of a ``?lang=`` value (case does not matter), or None."""
    if not code or not _CODE.match(code):
        return None
    return BY_CODE.get(code.lower())


def negotiate(chosen: str | None, remembered: str | None, accept_language: str | None) -> Language:
    """The language to show: the URL's choice, else the one remembered (a cookie), else the
    best match for the browser's ``Accept-Language``, else English."""
    for code in (chosen, remembered):
        language = by_code(code)
        if language is not None:
            return language
    wanted = _accepted(accept_language or "")
    offered = [language.code.replace("-", "_") for language in LANGUAGES]
    # Chinese readers get the Tier 1 script, Traditional; Filipino is Tagalog's standard.
    aliases = {"zh": "zh_Hant", "zh_tw": "zh_Hant", "zh_hk": "zh_Hant", "zh_mo": "zh_Hant",
               "zh_hant": "zh_Hant", "zh_cn": "zh_Hant", "zh_sg": "zh_Hant", "zh_hans": "zh_Hant",
               "fil": "tl", "fil_ph": "tl", "tl_ph": "tl"}  # fmt: skip
    match = negotiate_locale(wanted, offered, sep="_", aliases=aliases)
    return by_code(match.replace("_", "-")) if match else ENGLISH  # type: ignore[return-value]


def _accepted(header: str) -> list[str]:
    """Accept-Language tags, best first (``q`` weights), as Babel's ``ll_CC`` strings."""
    ranked = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, index, tag.replace("-", "_")))
    return [tag for _w, _i, tag in sorted(ranked)]


@cache
def catalog(language: Language) -> Catalog | None:
    path = TRANSLATIONS / language.catalog / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language.catalog)


@cache
def translations(language: Language) -> NullTranslations:
    """gettext for ``language``, compiled in memory from its catalog (English: none)."""
    found = catalog(language)
    if found is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, found)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(language: Language, message: str, **values: object) -> str:
    """``message`` in ``language`` (English when not translated), with ``{name}``
    placeholders filled from ``values``."""
    text = translations(language).gettext(message)
    return text.format(**values) if values else text


def ngettext(language: Language, singular: str, plural: str, n: int, **values: object) -> str:
    """The form of a message for the count ``n`` (the language's own plural rules);
    ``{n}`` in it is ``n`` written for the locale."""
    text = translations(language).ngettext(singular, plural, n)
    return text.format(n=number(n, language), **values)


def reviewed_by(language: Language) -> str:
    """Who reviewed the catalog (its ``X-Reviewed-By`` header); empty when nobody has yet.
    English, the source language, counts as reviewed."""
    if language == ENGLISH:
        return "source"
    path = TRANSLATIONS / language.catalog / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return ""
    # Babel keeps only the standard headers, so this one is read from the file itself.
    found = _REVIEWED.search(path.read_text(encoding="utf-8"))
    return found.group(1).strip() if found else ""


def translated_by(language: Language) -> str:
    found = catalog(language)
    return "" if found is None else str(found.last_translator or "").strip()


def coverage(language: Language) -> float:
    """Share of the template's messages that ``language``'s catalog translates (0 to 1)."""
    if language == ENGLISH:
        return 1.0
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    wanted = [m.id for m in template if m.id]
    found = catalog(language)
    if not wanted:
        return 1.0
    if found is None:
        return 0.0
    done = 0
    for message_id in wanted:
        message = found.get(message_id)
        strings = message.string if message is not None else ""
        if isinstance(strings, tuple | list):
            done += all(strings) and not message.fuzzy  # type: ignore[union-attr]
        else:
            done += bool(strings) and not message.fuzzy  # type: ignore[union-attr]
    return done / len(wanted)


def number(value: float, language: Language, digits: int = 0) -> str:
    """``1,849`` / ``1.849``: grouped as the locale writes numbers."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=language.locale)


def percent(share: float, language: Language) -> str:
    """A share (0.7) as the locale writes a percentage ("70%", "70 %")."""
    return format_percent(share, locale=language.locale)


def dollars(amount: float, language: Language) -> str:
    """Whole US dollars as the locale writes them ("$1,235", "1.235 US$")."""
    pattern = Locale.parse(language.locale).currency_formats["standard"].pattern
    whole = re.sub(r"\.0+", "", pattern.split(";")[0])
    return format_currency(
        round(amount), "USD", format=whole, locale=language.locale, currency_digits=False
    )


def day(value: date, language: Language) -> str:
    """ "December 8, 2026", "8 de diciembre de 2026", "2026年12月8日"."""
    return format_date(value, format="long", locale=language.locale)


def month_year(day: date, language: Language) -> str:
    """ "October 2011", "octubre de 2011", "2011年10月"."""
    return format_skeleton("yMMMM", day, locale=language.locale)
