"""The ETL schedule: the cron setting in its time zone, one run at a time."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from etl.cli import build_scheduler


def test_default_schedule_is_daily_at_four_in_seattle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETL_SCHEDULE", raising=False)
    monkeypatch.delenv("ETL_TIMEZONE", raising=False)
    job = build_scheduler().get_jobs()[0]
    seattle = ZoneInfo("America/Los_Angeles")
    after = datetime(2026, 11, 28, 5, 0, tzinfo=seattle)
    assert job.trigger.get_next_fire_time(None, after) == datetime(
        2026, 11, 29, 4, 0, tzinfo=seattle
    )
    assert job.max_instances == 1
    assert job.coalesce is True


def test_schedule_setting_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETL_SCHEDULE", "30 6 * * 1")
    monkeypatch.setenv("ETL_TIMEZONE", "UTC")
    trigger = build_scheduler().get_jobs()[0].trigger
    after = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("UTC"))  # a Saturday
    assert trigger.get_next_fire_time(None, after) == datetime(
        2026, 11, 30, 6, 30, tzinfo=ZoneInfo("UTC")
    )


def test_a_bad_cron_expression_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETL_SCHEDULE", "every day at four")
    with pytest.raises(ValueError, match="ETL_SCHEDULE='every day at four' is not a cron"):
        build_scheduler()


@pytest.mark.parametrize(
    ("weekdays", "expected_day"),
    [("0", 29), ("7", 29), ("1", 30), ("1-5", 30), ("6", 28), ("*/2", 28)],
)
def test_weekdays_follow_crontab_numbering(
    monkeypatch: pytest.MonkeyPatch, weekdays: str, expected_day: int
) -> None:
    """crontab: 0 and 7 are Sunday, 1 is Monday (APScheduler 3 alone would say Tuesday)."""
    monkeypatch.setenv("ETL_SCHEDULE", f"0 23 * * {weekdays}")
    monkeypatch.setenv("ETL_TIMEZONE", "UTC")
    trigger = build_scheduler().get_jobs()[0].trigger
    after = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("UTC"))  # Saturday 28th
    assert trigger.get_next_fire_time(None, after).day == expected_day


def test_the_scheduler_says_when_it_runs_next_on_start_and_after_each_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """At the default log level (INFO), on start and after a run, in the schedule's zone."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from etl import cli

    monkeypatch.setenv("ETL_SCHEDULE", "30 6 * * 1")
    monkeypatch.setenv("ETL_TIMEZONE", "UTC")
    runs: list[str] = []
    monkeypatch.setattr(cli, "_scheduled_run", lambda: runs.append("ran"))
    monkeypatch.setattr(cli, "BlockingScheduler", BackgroundScheduler)  # returns from start()
    scheduler = cli.build_scheduler()
    caplog.set_level("INFO", logger="etl")
    scheduler.start()
    try:
        job = scheduler.get_job(cli.JOB_ID)
        expected = job.next_run_time.strftime("%Y-%m-%d %H:%M UTC (UTC+0000)")
        assert [r.getMessage() for r in caplog.records if r.name == "etl"] == [
            f"next ETL run: {expected}"
        ]
        caplog.clear()
        job.modify(next_run_time=datetime.now(ZoneInfo("UTC")))  # run it now
        for _ in range(200):
            if any(r.name == "etl" for r in caplog.records):
                break
            threading.Event().wait(0.02)
    finally:
        scheduler.shutdown(wait=True)
    assert runs == ["ran"]
    assert [r.getMessage() for r in caplog.records if r.name == "etl"] == [
        f"next ETL run: {expected}"
    ]
    assert all(r.levelname == "INFO" for r in caplog.records if r.name == "etl")
