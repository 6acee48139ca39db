"""A run killed at any instant leaves the site serving a complete run, and the next run
succeeds: SIGKILL at 50 points spread over a run (at statements, the publish transaction's
included, and at moments spread over its whole duration, its commit included), on SQLite and
PostgreSQL, each followed by what a reader gets from the site."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import runs

KILL_POINTS = 50
STATEMENT_KILLS = 25  # the rest are at moments spread over a whole run's duration


def _forked_run(database_url: str, kill_at_statement: int | None, count_file: Path | None) -> int:
    """Start a run in a forked child (no interpreter start-up per kill); returns its pid.
    With ``kill_at_statement`` the child kills itself right after that statement."""
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns to pytest
        executed = 0

        def counted(*_args: object) -> None:
            nonlocal executed
            executed += 1
            if kill_at_statement is not None and executed == kill_at_statement:
                os.kill(os.getpid(), signal.SIGKILL)

        event.listen(Engine, "after_cursor_execute", counted)
        pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
        if count_file is not None:
            count_file.write_text(str(executed))
    finally:
        os._exit(0)


def _wait(pid: int) -> int:
    _pid, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


@pytest.fixture
def site(app: dash.Dash, database_url: str) -> Iterator[FlaskClient]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", database_url)
        yield app.server.test_client()


def _served(client: FlaskClient) -> tuple[str, int]:
    """The data version the site serves and how many observations of one indicator."""
    runs_answer = client.get("/api/v1/runs")
    assert runs_answer.status_code == 200
    answer = client.get("/api/v1/observations?indicator=reported_offenses&limit=1")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    return body["run_id"], body["total"]


def test_a_run_killed_at_any_of_50_points_leaves_a_complete_run_serving(
    site: FlaskClient, database_url: str, tmp_path: Path
) -> None:
    # A complete run (the first also creates the tables), then one counting its statements
    # and timed, as every later run is.
    assert _wait(_forked_run(database_url, None, None)) == 0
    count_file = tmp_path / "statements"
    started = time.perf_counter()
    assert _wait(_forked_run(database_url, None, count_file)) == 0
    duration = time.perf_counter() - started
    statements = int(count_file.read_text())
    first_run, complete = _served(site)
    assert complete > 400

    step = max(1, statements // STATEMENT_KILLS)
    kill_statements = list(range(step, statements + 1, step))[:STATEMENT_KILLS]
    moments = [
        duration * (i + 0.5) / (KILL_POINTS - len(kill_statements))
        for i in range(KILL_POINTS - len(kill_statements))
    ]
    outcomes: list[tuple[str, int]] = []
    for statement in kill_statements:
        outcomes.append(
            (f"statement {statement}", _wait(_forked_run(database_url, statement, None)))
        )
    for moment in moments:
        pid = _forked_run(database_url, None, None)
        time.sleep(moment)
        os.kill(pid, signal.SIGKILL)
        outcomes.append((f"{moment:.2f} s", _wait(pid)))
    served = []
    for label, _code in outcomes:
        run_id, total = _served(site)
        served.append((label, run_id, total))
    assert len(outcomes) == KILL_POINTS
    assert all(total == complete for _label, _run, total in served), served
    # Some kills fell inside the publish transaction: those changed nothing either (the run
    # served is one that completed), and most kills did stop their run.
    assert sum(code == -signal.SIGKILL for _label, code in outcomes) >= KILL_POINTS * 0.8

    # The next run succeeds; every interrupted run is marked abandoned and not listed.
    final = pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    assert _served(site) == (final.run_id, complete)
    statuses = runs(database_url)["status"].tolist()
    assert set(statuses) == {"succeeded", "abandoned"}  # none left running, none failed
    # (a kill before the run was recorded, in its migrations step, leaves no row at all)
    assert statuses.count("abandoned") >= KILL_POINTS // 2
    listed = site.get("/api/v1/runs").get_json()["runs"]
    assert {r["status"] for r in listed} <= {"succeeded", "failed"}
    assert first_run in {r["run_id"] for r in listed}
