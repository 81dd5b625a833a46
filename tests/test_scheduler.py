"""The scheduler on a real database: jobs from settings, persisted across a restart without
duplicates, a due job runs the pipeline, and the lock keeps a second scheduler out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select

from kommunen.collect.scheduler import (
    PlannedJob,
    SchedulerBusy,
    acquire_lock,
    make_scheduler,
    planned_jobs,
    release_lock,
    scrape_job,
)
from kommunen.config import DigestSettings, ScrapeSettings
from kommunen.store.db import session_scope
from kommunen.store.lock import job_lock
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


def test_a_scheduler_job_waits_while_a_command_writes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cron `kommunen run` holds the database's job lock: the scheduler's job (in a thread of its
    own, as APScheduler runs it) waits for it rather than writing alongside."""
    monkeypatch.setenv("KOMMUNEN_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    with job_lock(engine, "run"):
        job = threading.Thread(target=scrape_job, args=("eforms",))
        job.start()
        job.join(1.5)
        assert job.is_alive()
        with session_scope(engine) as session:
            assert session.scalars(select(Run.source)).all() == []
    job.join(30)
    assert not job.is_alive()
    with session_scope(engine) as session:
        assert session.scalars(select(Run.status)).all() == ["ok"]


def test_lock_keeps_a_second_scheduler_out(engine: Engine) -> None:
    acquire_lock(engine, "host-a:1", NOW)
    with pytest.raises(SchedulerBusy, match="host-a:1"):
        acquire_lock(engine, "host-b:2", NOW + timedelta(seconds=30))
    acquire_lock(engine, "host-b:2", NOW + timedelta(minutes=10))  # a stale lock is taken over
    release_lock(engine, "host-b:2")
    acquire_lock(engine, "host-a:1", NOW + timedelta(minutes=11))


# The calendar, independent of any cron code: weekday() 0 is Monday … 6 is Sunday.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
EVERY_DAY = set(range(7))
BERLIN = ZoneInfo("Europe/Berlin")


def fire_times(trigger, start: datetime, count: int) -> list[datetime]:  # type: ignore[no-untyped-def]
    times: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        times.append(fire.astimezone(BERLIN))
        previous, now = fire, fire + timedelta(seconds=1)
    return times


def scheduled_triggers(engine: Engine, jobs: list[PlannedJob]) -> dict[str, object]:
    """The triggers as the running scheduler holds them, after the round trip through its job store."""
    scheduler = make_scheduler(engine, jobs, BackgroundScheduler)
    scheduler.start(paused=True)
    triggers = {job.id: job.trigger for job in scheduler.get_jobs()}
    scheduler.shutdown()
    return triggers


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_default_schedule_fires_on_its_calendar_days(backend: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """README: Förderdatenbank montags 4:30, OParl sonntags 4:00, the digest werktags 7:00, …"""
    from tests.conftest import fresh_engine

    engine = fresh_engine(backend, tmp_path)
    with_oparl = ScrapeSettings(
        contact="t@example.org", min_interval=0, mirror=None, oparl_endpoints=("https://x/system",)
    )
    jobs = planned_jobs(with_oparl, DigestSettings("p.toml", ("a@b.example",), "0 7 * * 1-5"))
    triggers = scheduled_triggers(engine, jobs)
    engine.dispose()
    expected = {  # job: (weekdays, day of month or None, hour:minute in Berlin)
        "scrape:ted": (EVERY_DAY, None, (5, 15)),
        "scrape:oeffentlichevergabe": (EVERY_DAY, None, (5, 45)),
        "scrape:bund": (EVERY_DAY, None, (6, 30)),
        "scrape:foerderdatenbank": ({MONDAY}, None, (4, 30)),
        "scrape:oparl": ({SUNDAY}, None, (4, 0)),
        "scrape:codelisten": (EVERY_DAY, 1, (4, 30)),
        "digest": ({MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY}, None, (7, 0)),
    }
    assert set(triggers) == set(expected)
    for job_id, (weekdays, day, clock) in expected.items():
        times = fire_times(triggers[job_id], NOW, 21)
        assert {t.weekday() for t in times} == weekdays, job_id
        assert {(t.hour, t.minute) for t in times} == {clock}, job_id
        if day is not None:
            assert {t.day for t in times} == {day}, job_id
    # NOW is Sunday 22 November 2026, 7:00 in Berlin: the next Monday is the 23rd, not Tuesday the 24th.
    assert fire_times(triggers["scrape:foerderdatenbank"], NOW, 1) == [
        datetime(2026, 11, 23, 4, 30, tzinfo=BERLIN)
    ]
    assert fire_times(triggers["digest"], NOW, 5)[0] == datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN)
    assert fire_times(triggers["digest"], NOW, 5)[-1] == datetime(2026, 11, 27, 7, 0, tzinfo=BERLIN)
    assert fire_times(triggers["scrape:oparl"], NOW, 1) == [datetime(2026, 11, 29, 4, 0, tzinfo=BERLIN)]


@pytest.mark.parametrize(
    ("cron", "weekdays"),
    [
        ("0 6 * * 2-6", {TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY}),  # README's example for TED
        ("0 6 * * 0", {SUNDAY}),
        ("0 6 * * 7", {SUNDAY}),
        ("0 6 * * 5-7", {FRIDAY, SATURDAY, SUNDAY}),
        ("0 6 * * mon,wed", {MONDAY, WEDNESDAY}),
        ("0 6 * * */2", {SUNDAY, TUESDAY, THURSDAY, SATURDAY}),
    ],
)
def test_a_schedule_override_fires_on_its_calendar_days(
    cron: str,
    weekdays: set[int],
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from kommunen.collect.sources import next_run
    from tests.conftest import fresh_engine

    monkeypatch.setenv("KOMMUNEN_SCHEDULE_TED", cron)
    engine = fresh_engine("sqlite", tmp_path)
    triggers = scheduled_triggers(engine, planned_jobs(ScrapeSettings.from_env(), None))
    engine.dispose()
    times = fire_times(triggers["scrape:ted"], NOW, 14)
    assert {t.weekday() for t in times} == weekdays
    assert {(t.hour, t.minute) for t in times} == {(6, 0)}
    shown = next_run(cron, None, NOW)  # what `kommunen sources` shows as "Nächster Lauf"
    assert shown is not None
    assert shown.astimezone(BERLIN) == times[0]


def test_a_wrong_schedule_is_named_with_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from kommunen.errors import ConfigError

    monkeypatch.setenv("KOMMUNEN_SCHEDULE_TED", "0 6 * * 8")
    with pytest.raises(ConfigError, match=r"^KOMMUNEN_SCHEDULE_TED: Wochentag '8' unbekannt"):
        planned_jobs(ScrapeSettings.from_env(), None)
    with pytest.raises(ConfigError, match=r"^KOMMUNEN_DIGEST_CRON: '0 7 \* \*' ist kein Cron-Ausdruck"):
        planned_jobs(NO_EXTRA, DigestSettings("p.toml", ("a@b.example",), "0 7 * *"))
