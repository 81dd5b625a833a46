"""The scheduler on a real database: jobs from settings, persisted across a restart without
duplicates, a due job runs the pipeline, and the lock keeps a second scheduler out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from kommunen.collect.scheduler import (
    SchedulerBusy,
    acquire_lock,
    make_scheduler,
    planned_jobs,
    release_lock,
)
from kommunen.config import DigestSettings, ScrapeSettings
from kommunen.store.db import session_scope
from kommunen.store.models import Run

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
NO_EXTRA = ScrapeSettings(contact="t@example.org", min_interval=0, mirror=None)


def test_jobs_from_settings() -> None:
    jobs = {
        job.job_id: job
        for job in planned_jobs(NO_EXTRA, DigestSettings("p.toml", ("a@b.example",), "0 7 * * 1-5"))
    }
    assert set(jobs) == {
        "scrape:ted",
        "scrape:oeffentlichevergabe",
        "scrape:bund",
        "scrape:foerderdatenbank",
        "scrape:codelisten",  # monthly
        "digest",
    }
    assert (jobs["scrape:ted"].cron, jobs["scrape:ted"].args) == ("15 5 * * *", ("ted",))
    with_oparl = ScrapeSettings(
        contact="t@example.org", min_interval=0, mirror=None, oparl_endpoints=("https://x/system",)
    )
    assert "scrape:oparl" in {job.job_id for job in planned_jobs(with_oparl, None)}
    moved = ScrapeSettings(
        contact="t@example.org", min_interval=0, mirror=None, schedules=(("ted", "0 6 * * 2-6"),)
    )
    assert {j.job_id: j.cron for j in planned_jobs(moved, None)}["scrape:ted"] == "0 6 * * 2-6"


def test_schedule_override_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_SCHEDULE_BUND", "0 12 * * *")
    assert ("bund", "0 12 * * *") in ScrapeSettings.from_env().schedules


def test_jobs_persist_across_a_restart_without_duplicates(engine: Engine) -> None:
    jobs = planned_jobs(NO_EXTRA, None)
    first = make_scheduler(engine, jobs, BackgroundScheduler)
    first.start(paused=True)
    first.shutdown()
    second = make_scheduler(engine, jobs, BackgroundScheduler)
    second.start(paused=True)
    stored = sorted(job.id for job in second.get_jobs())
    second.shutdown()
    assert stored == sorted(job.job_id for job in jobs)
    ted = next(job for job in jobs if job.job_id == "scrape:ted")
    assert ted.func == "kommunen.collect.scheduler:scrape_job"


def test_a_due_job_runs_the_pipeline(engine: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The due job is the manual eForms import pointed at the recorded notices via a mirror-free source."""
    from kommunen.collect.scheduler import PlannedJob

    monkeypatch.setenv("KOMMUNEN_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    done = threading.Event()
    outcome: list[object] = []
    scheduler = make_scheduler(
        engine, [PlannedJob("import", "tests.test_scheduler:import_job", "0 3 * * *")], BackgroundScheduler
    )

    def listen(event) -> None:  # type: ignore[no-untyped-def]
        outcome.append(event.exception)
        done.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    scheduler.modify_job("import", next_run_time=datetime.now(UTC))
    assert done.wait(60)
    scheduler.shutdown()
    assert outcome == [None]
    with session_scope(engine) as session:
        assert session.scalars(select(Run.source)).all() == ["eforms"]


def import_job() -> None:
    from kommunen.collect.pipeline import run_source
    from kommunen.config import Settings
    from kommunen.store.db import engine_for
    from scrapers.notice_files import NoticeFiles
    from tests.recorded import SHARED

    run_source(engine_for(Settings.from_env()), NoticeFiles([SHARED / "tenders/eforms/veat_23.xml"]), None)  # type: ignore[arg-type]


def test_lock_keeps_a_second_scheduler_out(engine: Engine) -> None:
    acquire_lock(engine, "host-a:1", NOW)
    with pytest.raises(SchedulerBusy, match="host-a:1"):
        acquire_lock(engine, "host-b:2", NOW + timedelta(seconds=30))
    acquire_lock(engine, "host-b:2", NOW + timedelta(minutes=10))  # a stale lock is taken over
    release_lock(engine, "host-b:2")
    acquire_lock(engine, "host-a:1", NOW + timedelta(minutes=11))
