"""The run lock: one ETL run at a time on a machine; a dead run never blocks the next."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from etl.lock import LockHeld, advisory_key, postgres_advisory_lock, run_lock
from etl.settings import PROJECT_ROOT

HOLD_UNTIL_KILLED = textwrap.dedent(
    """
    import os, signal, sys
    from etl.lock import run_lock
    with run_lock(sys.argv[1]):
        print("locked", flush=True)
        if sys.argv[2] == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        sys.stdin.readline()  # hold the lock until the parent says so (or kills us)
    """
)


def _child(lock_file: Path, mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_UNTIL_KILLED, str(lock_file), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_a_second_acquisition_fails_naming_the_holder(tmp_path: Path) -> None:
    lock_file = tmp_path / "etl.lock"
    with run_lock(lock_file):
        holder = json.loads(lock_file.read_text())
        assert holder["pid"] == os.getpid()
        refusal = rf"another ETL run is in progress \(pid {os.getpid()}, "
        with pytest.raises(LockHeld, match=refusal), run_lock(lock_file):
            pytest.fail("the lock was taken twice")
    with run_lock(lock_file):  # released at the end of the block
        pass
    assert lock_file.read_text() == ""  # no stale holder named after release


def test_the_refusal_says_when_the_holder_started(tmp_path: Path) -> None:
    lock_file = tmp_path / "etl.lock"
    with run_lock(lock_file), pytest.raises(LockHeld) as refused, run_lock(lock_file):
        pass
    assert refused.value.pid == os.getpid()
    assert refused.value.started is not None
    assert f"started {refused.value.started}" in str(refused.value)
    assert refused.value.started.endswith("UTC")


def test_the_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    lock_file = tmp_path / "etl.lock"
    with pytest.raises(RuntimeError, match="run failed"), run_lock(lock_file):
        raise RuntimeError("run failed")
    with run_lock(lock_file):
        pass


def test_another_process_holding_the_lock_is_named(tmp_path: Path) -> None:
    lock_file = tmp_path / "etl.lock"
    child = _child(lock_file, "hold")
    try:
        with pytest.raises(LockHeld, match=rf"\(pid {child.pid}, started "), run_lock(lock_file):
            pass
    finally:
        child.kill()
        child.wait()
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with run_lock(lock_file):  # the OS released the killed child's lock
        pass


def test_a_lock_held_by_a_process_that_killed_itself_is_free_again(tmp_path: Path) -> None:
    lock_file = tmp_path / "etl.lock"
    child = _child(lock_file, "die")
    child.wait(timeout=30)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.close()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert json.loads(lock_file.read_text())["pid"] == child.pid  # it never cleaned up
    with run_lock(lock_file):
        assert json.loads(lock_file.read_text())["pid"] == os.getpid()


def test_the_lock_folder_is_created(tmp_path: Path) -> None:
    with run_lock(tmp_path / "a" / "b" / "etl.lock"):
        assert (tmp_path / "a" / "b" / "etl.lock").exists()


def test_advisory_key_is_stable_and_fits_bigint() -> None:
    key = advisory_key("belltown-lead-etl")
    assert key == advisory_key("belltown-lead-etl")
    assert -(2**63) <= key < 2**63
    assert key != advisory_key("another-app")


def test_advisory_lock_refuses_other_databases(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="need PostgreSQL"), postgres_advisory_lock(engine, 1):
        pass
    engine.dispose()


@pytest.mark.postgres
def test_postgres_advisory_lock_allows_one_holder() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped")
    first, second = create_engine(url), create_engine(url)
    key = advisory_key("test_lock")
    try:
        with (
            postgres_advisory_lock(first, key),
            pytest.raises(LockHeld, match="advisory lock"),
            postgres_advisory_lock(second, key),
        ):
            pass
        with postgres_advisory_lock(second, key):
            pass
    finally:
        first.dispose()
        second.dispose()
