"""The long-running scheduler: each source's scrape on its cron, and the daily digest.

Jobs live in the database (APScheduler's SQLAlchemy job store), so a restart neither loses nor
doubles them; each job coalesces missed runs, has a misfire grace and runs one instance at a
time. A lock row in the same database keeps a second scheduler from running the same jobs.
The jobs only call pipeline, matching and digest functions: no logic lives here.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError

from kommunen.collect.cron import TIMEZONE, cron_trigger
from kommunen.collect.pipeline import utcnow
from kommunen.config import DigestSettings, ScrapeSettings, Settings
from kommunen.errors import KommunenError
from kommunen.store.db import engine_for, session_scope
from kommunen.store.models import SchedulerLock
from scrapers.registry import SOURCES

logger = logging.getLogger(__name__)
LOCK_STALE = timedelta(minutes=3)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


class SchedulerBusy(KommunenError):
    pass


@dataclass(frozen=True, slots=True)
class PlannedJob:
    job_id: str
    func: str  # "module:function", so the job store can persist it
    cron: str
    args: tuple[str, ...] = ()


def planned_jobs(scrape: ScrapeSettings, digest: DigestSettings | None) -> list[PlannedJob]:
    crons = {name: source.default_schedule for name, source in SOURCES.items()} | dict(scrape.schedules)
    unknown = set(dict(scrape.schedules)) - set(SOURCES)
    if unknown:
        raise KommunenError(f"KOMMUNEN_SCHEDULE_{sorted(unknown)[0].upper()}: keine solche Quelle")
    jobs = [
        PlannedJob(f"scrape:{name}", "kommunen.collect.scheduler:scrape_job", crons[name], (name,))
        for name, source in SOURCES.items()
        if crons[name]
        and source.kind != "gemeinde"
        and (name != "oparl" or scrape.oparl_endpoints)
        and (name != "websites" or scrape.websites)
    ]
    if digest is not None:
        jobs.append(PlannedJob("digest", "kommunen.collect.scheduler:digest_job", digest.cron))
    overridden = dict(scrape.schedules)
    for job in jobs:  # a wrong cron is named with its setting before anything starts
        name = job.args[0] if job.args else ""
        if job.job_id == "digest":
            where = "KOMMUNEN_DIGEST_CRON"
        elif name in overridden:
            where = f"KOMMUNEN_SCHEDULE_{name.upper()}"
        else:
            where = f"Zeitplan der Quelle {name}"
        cron_trigger(job.cron, where=where)
    return jobs


def make_scheduler(
    engine: Engine, jobs: list[PlannedJob], cls: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        job_defaults=JOB_DEFAULTS,
        timezone=TIMEZONE,
    )
    for job in jobs:
        scheduler.add_job(
            job.func,
            cron_trigger(job.cron, TIMEZONE, where=job.job_id),
            args=job.args,
            id=job.job_id,
            name=job.job_id,
            replace_existing=True,
        )
    return scheduler


def acquire_lock(engine: Engine, holder: str, now: datetime) -> None:
    """Take the lock, or take over a stale one; raise SchedulerBusy when another scheduler lives."""
    try:
        with session_scope(engine) as session:
            lock = session.get(SchedulerLock, "scheduler")
            if lock is not None and lock.holder != holder and now - lock.heartbeat < LOCK_STALE:
                raise SchedulerBusy(
                    f"Ein anderer Zeitplaner läuft schon auf dieser Datenbank ({lock.holder}, "
                    f"zuletzt aktiv {lock.heartbeat:%d.%m.%Y %H:%M} UTC)"
                )
            if lock is None:
                session.add(SchedulerLock(name="scheduler", holder=holder, heartbeat=now))
            else:
                lock.holder, lock.heartbeat = holder, now
    except IntegrityError as exc:  # two started at the same instant: the other one won
        raise SchedulerBusy("Ein anderer Zeitplaner hat die Sperre gerade genommen") from exc


def heartbeat(engine: Engine, holder: str, now: datetime) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(SchedulerLock)
            .where(SchedulerLock.name == "scheduler", SchedulerLock.holder == holder)
            .values(heartbeat=now)
        )


def release_lock(engine: Engine, holder: str) -> None:
    with session_scope(engine) as session:
        lock = session.get(SchedulerLock, "scheduler")
        if lock is not None and lock.holder == holder:
            session.delete(lock)


def scrape_job(name: str) -> None:
    from kommunen.collect.pipeline import archive_validators, run_source
    from kommunen.collect.sources import get_source, make_http
    from kommunen.store.lock import job_lock
    from kommunen.store.pauses import StoredPauses

    engine = engine_for(Settings.from_env())
    settings = ScrapeSettings.from_env()
    with (
        job_lock(engine, f"scrape {name}", on_wait=logger.info),  # a cron `kommunen run` may be writing
        make_http(settings, archive_validators(engine), StoredPauses(engine)) as http,
    ):
        summary = run_source(engine, get_source(name, settings), http)
    logger.info(
        "scrape source=%s status=%s new=%d errors=%d",
        name,
        summary.status,
        summary.counts.new,
        len(summary.errors),
    )


def digest_job() -> None:
    from pathlib import Path

    from kommunen.config import SmtpSettings
    from kommunen.matching.leads import rank, store_leads
    from kommunen.matching.profile import load_profile
    from kommunen.outputs import digest as mail
    from kommunen.outputs import report
    from kommunen.places.gemeinden import GemeindeIndex
    from kommunen.store.lock import job_lock

    settings = DigestSettings.from_env()
    if settings is None:
        return
    engine = engine_for(Settings.from_env())
    profile = load_profile(Path(settings.profile))
    with job_lock(engine, "digest", on_wait=logger.info):  # one digest at a time: none sent twice
        now = utcnow()
        with session_scope(engine) as session:
            index = GemeindeIndex(session)
        leads = rank(engine, profile, index, now)
        store_leads(engine, profile, leads, now)
        smtp = SmtpSettings.from_env()
        anhang = report.anhang(engine, profile, leads, index, Settings.from_env().data_dir, now)  # the map
        for recipient in settings.recipients:
            built = mail.build(engine, profile.name, settings.profile, recipient, leads)
            if built.items:
                mail.send(mail.compose(built, smtp.sender, recipient, now, anhang), smtp)
                mail.mark_sent(engine, built, recipient, now)


def run_forever(engine: Engine) -> None:
    """`kommunen schedule`: lock, heartbeat, jobs; SIGTERM and Ctrl-C shut down cleanly."""
    holder = f"{socket.gethostname()}:{os.getpid()}"
    acquire_lock(engine, holder, utcnow())
    scheduler = make_scheduler(engine, planned_jobs(ScrapeSettings.from_env(), DigestSettings.from_env()))
    scheduler.add_jobstore("memory", alias="local")  # the heartbeat is this process's, not persisted
    scheduler.add_job(
        lambda: heartbeat(engine, holder, utcnow()), "interval", seconds=60, id="heartbeat", jobstore="local"
    )
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        release_lock(engine, holder)
