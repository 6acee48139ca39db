"""Integration fixtures: a real, empty database per test (SQLite always, PostgreSQL when
``TEST_DATABASE_URL`` is set; under ``CI=true`` PostgreSQL is required)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

from etl.settings import SAMPLE_DATA_DIR

if TYPE_CHECKING:
    import dash

LIVE_OTHER_DATASETS = ("SODA_LEGACY_CRIME_DATASET", "SODA_CALLS_911_DATASET", "SODA_CSR_DATASET")
SAMPLE_NIBRS = sorted(str(p) for p in (SAMPLE_DATA_DIR / "seattle").glob("spd_crime_nibrs_*.csv"))
BACKENDS = ["sqlite", "postgresql"]


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lead.db'}"
        return
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL must be tested")
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped")
    _reset_postgres(url)
    yield url


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings that keep a test's runs to its own folder and to the sources it names
    (also for module-scoped fixtures, with ``pytest.MonkeyPatch.context()``)."""
    monkeypatch.setenv("QUARANTINE_DIR", str(tmp_path / "quarantine"))
    monkeypatch.setenv("CACHE_TYPE", "NullCache")
    # Tests that want program data pass program_extract_dir explicitly.
    monkeypatch.setenv("PROGRAM_EXTRACT_DIR", "none")
    for name in ("LEGACY_CRIME_SOURCES", "CALLS_911_SOURCES", "CSR_SOURCES"):
        monkeypatch.setenv(name, "none")
    # Live runs fetch only NIBRS unless a test opts in (LIVE_OTHER_DATASETS).
    for name in LIVE_OTHER_DATASETS:
        monkeypatch.setenv(name, "none")
    # Tests publish runs of different sizes on one database; the sanity gate (etl.sanity)
    # has its own tests, which set ALLOW_SHRINK=false.
    monkeypatch.setenv("ALLOW_SHRINK", "true")
    monkeypatch.setenv("ETL_LOCK_FILE", str(tmp_path / "etl.lock"))
    monkeypatch.setenv("RAW_CACHE_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("COMPRESSED_ASSETS_DIR", str(tmp_path / "compressed"))
    monkeypatch.delenv("SODA_BASE_URL", raising=False)
    for name in ("FOCUS_AREA", "COMPARISON_AREAS", "NIBRS_SOURCES", "INDEX_BASELINE_YEAR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def demo_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded demonstration program extract, written once per test session."""
    from etl import cli

    folder = tmp_path_factory.mktemp("demo") / "extract"
    assert cli.main(["demo", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def app() -> Iterator[dash.Dash]:
    """One Dash app per test process (Dash registers page callbacks globally)."""
    from dashboard.app_factory import create_app

    saved = os.environ.get("CACHE_TYPE")
    # Each test has its own database; a cache would carry one test's run into the next.
    os.environ["CACHE_TYPE"] = "NullCache"
    yield create_app()
    if saved is None:
        os.environ.pop("CACHE_TYPE", None)
    else:
        os.environ["CACHE_TYPE"] = saved
