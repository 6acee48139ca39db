"""Scale-out, for real: two gunicorn instances on PostgreSQL and Redis, as docs/deploy.md
lays them out.

The web instances connect with a role that may only read (``TEST_READONLY_DATABASE_URL``,
made by ``.ci/run``: SELECT rights granted here after the ETL creates the tables) and
share a Redis cache (``TEST_REDIS_URL``, Debian's redis-server started by ``.ci/run``).
The ETL (the owner role) publishes a run; both instances serve it; the ETL publishes
another and warms the cache as ``python -m etl run`` does; both instances serve the new
run without a restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import make_url

from benchmarks.site import free_loopback_port
from etl import pipeline
from etl.settings import PROJECT_ROOT
from tests.integration.conftest import _reset_postgres

START_SECONDS = 90
VISIBLE_SECONDS = 20  # data.RUN_LOOKUP_SECONDS is 15; warming makes it at once


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {name} is not set: the scale-out test must run")
        pytest.skip(f"{name} not set: scale-out test skipped")
    return value


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def postgres_url() -> str:
    """An empty PostgreSQL database, owned by the ETL's role."""
    url = _required("TEST_DATABASE_URL")
    _reset_postgres(url)
    return url


@pytest.fixture
def web_url(postgres_url: str) -> str:
    """The read-only role's URL, after the ETL made the tables and granted it SELECT."""
    readonly = _required("TEST_READONLY_DATABASE_URL")
    _required("TEST_REDIS_URL")
    pipeline.run(database_url=postgres_url, program_extract_dir="")
    role = make_url(readonly).username
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    return readonly


@contextmanager
def _instance(folder: Path, web_url: str, redis_url: str) -> Iterator[str]:
    port = free_loopback_port()
    env = dict(
        os.environ,
        DATABASE_URL=web_url,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=redis_url,
        PDF_CACHE_DIR=str(folder / "pdf"),
    )
    log = (folder / f"gunicorn-{port}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:server"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/api/v1/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn on {port} did not answer")
        yield base
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
        log.close()


def _served_run(base: str) -> str:
    response = requests.get(f"{base}/api/v1/indicators", timeout=30)
    response.raise_for_status()
    return str(response.json()["run"]["run_id"])


def _latest_succeeded(postgres_url: str) -> str:
    with psycopg.connect(_libpq(postgres_url)) as conn:
        row = conn.execute(
            "SELECT run_id FROM etl_run WHERE status = 'succeeded' ORDER BY finished_at DESC"
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_two_instances_on_postgres_and_redis_see_a_new_run_without_restart(
    postgres_url: str, web_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis_url = os.environ["TEST_REDIS_URL"]
    import redis  # noqa: PLC0415 - the redis extra, installed with dev

    redis.Redis.from_url(redis_url).flushdb()
    first_run = _latest_succeeded(postgres_url)
    with (
        _instance(tmp_path, web_url, redis_url) as one,
        _instance(tmp_path, web_url, redis_url) as two,
    ):
        assert _served_run(one) == _served_run(two) == first_run
        # A new run, published by the ETL's own (owner) role, then the cache warmed for it
        # by the web role, as `python -m etl run` does after publishing.
        pipeline.run(database_url=postgres_url, program_extract_dir="")
        second_run = _latest_succeeded(postgres_url)
        assert second_run != first_run
        warmed = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "dashboard.warm"],
            cwd=PROJECT_ROOT,
            env=dict(
                os.environ,
                DATABASE_URL=web_url,
                CACHE_TYPE="RedisCache",
                CACHE_REDIS_URL=redis_url,
            ),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert warmed.returncode == 0, warmed.stderr[-2000:]
        assert "cache warmed" in warmed.stderr
        seen: dict[str, str] = {}
        deadline = time.monotonic() + VISIBLE_SECONDS
        while time.monotonic() < deadline:
            seen = {base: _served_run(base) for base in (one, two)}
            if set(seen.values()) == {second_run}:
                break
            time.sleep(0.5)
        assert seen == {one: second_run, two: second_run}
        assert redis.Redis.from_url(redis_url).dbsize() > 50  # the warmed results are shared


def test_the_web_role_cannot_write(web_url: str) -> None:
    with (
        psycopg.connect(_libpq(web_url)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("UPDATE etl_run SET message = 'changed by the web role'")
