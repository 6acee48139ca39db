"""The site in a reader's language (issue 18, first part: choosing a language, the site's
own words around every page, <html lang> and hreflang)."""

from __future__ import annotations

import re
from pathlib import Path

import dash
import pytest

from dashboard import i18n
from dashboard.app_factory import PAGE_MODULES
from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS


@pytest.fixture
def client(app: dash.Dash, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'lead.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    pipeline.run(database_url=url, nibrs_sources=SAMPLE_NIBRS)
    return app.server.test_client()


def _served(client, path: str, **headers: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def test_every_page_is_served_in_the_language_the_link_names(client) -> None:  # type: ignore[no-untyped-def]
    for module in PAGE_MODULES:
        page = _served(client, f"{module.PATH}?lang=es")
        assert '<html lang="es">' in page, module.PATH
        assert "Saltar al contenido principal" in page
        assert "Inscripción" in page and "Calidad de vida" in page  # the navigation
        # Every language, each named in itself, links to this page in it.
        for language in i18n.LANGUAGES:
            assert f'href="{module.PATH}?lang={language.code}"' in page
            assert f'hreflang="{language.code}" href="http://127.0.0.1:8050{module.PATH}' in page
        assert f'hreflang="x-default" href="http://127.0.0.1:8050{module.PATH}"' in page
        assert f'rel="canonical" href="http://127.0.0.1:8050{module.PATH}?lang=es"' in page
    chinese = _served(client, "/enrollment?lang=zh-Hant")
    assert '<html lang="zh-Hant">' in chinese and "概覽" in chinese and "參與人數" in chinese
    # Links to other pages keep the language.
    assert 'href="/recidivism?lang=zh-Hant"' in chinese


def test_an_unreviewed_translation_says_so_in_it_and_in_english(client) -> None:  # type: ignore[no-untyped-def]
    page = _served(client, "/recidivism?lang=es")
    notice = re.search(r'<p class="translation-notice"[^>]*>(.*?)</p>', page, re.S)
    assert notice is not None
    assert "Esta traducción todavía no ha sido revisada" in notice.group(1)
    assert "This translation has not yet been checked by a fluent reviewer." in notice.group(1)
    assert 'href="/recidivism?lang=en"' in notice.group(1)
    english = _served(client, "/recidivism?lang=en")
    assert "translation-notice" not in english and '<html lang="en">' in english


def test_the_browser_language_picks_the_default_and_a_choice_is_remembered(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/enrollment", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/enrollment?lang=es"
    assert {"Accept-Language", "Cookie"} <= set(answer.headers["Vary"].replace(" ", "").split(","))
    # A view's settings are kept on the way.
    answer = client.get("/quality-of-life?qol-measure=index", headers={"Accept-Language": "ko"})
    assert answer.headers["Location"] == "/quality-of-life?qol-measure=index&lang=ko"
    # English readers get the page, which says it varies with the language asked for.
    english = client.get("/enrollment", headers={"Accept-Language": "en-US"})
    assert english.status_code == 200 and "Accept-Language" in english.headers["Vary"]
    # Choosing a language remembers it; choosing English again goes back.
    chosen = client.get("/enrollment?lang=vi")
    assert "lang=vi" in chosen.headers["Set-Cookie"]
    assert client.get("/about").headers["Location"] == "/about?lang=vi"
    client.get("/about?lang=en")
    assert client.get("/about").status_code == 200
    # An unknown language is English, and not remembered.
    unknown = client.get("/about?lang=xx")
    assert unknown.status_code == 200 and "Set-Cookie" not in unknown.headers
    assert '<html lang="en">' in unknown.get_data(as_text=True)
