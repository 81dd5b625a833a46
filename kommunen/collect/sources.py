"""Which sources there are, when each last ran and is next due, and the HTTP client they share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from kommunen.config import ScrapeSettings
from kommunen.errors import ConfigError
from kommunen.store.db import session_scope
from kommunen.store.models import Run
from scrapers.http import Http, HttpSettings, ReplayTransport, ValidatorStore
from scrapers.oparl import OParl
from scrapers.registry import SOURCES
from scrapers.source import Source
from scrapers.websites import MunicipalWebsites


def get_source(name: str, settings: ScrapeSettings | None = None, *, body_filter: str = "") -> Source:
    """The registered source; OParl gets its endpoints from the settings."""
    if name not in SOURCES:
        raise ConfigError(f"Unbekannte Quelle {name!r}; bekannt: {', '.join(SOURCES)}")
    if name == "oparl" and settings is not None:
        if not settings.oparl_endpoints:
            raise ConfigError(
                "KOMMUNEN_OPARL_ENDPOINTS fehlt: System-URLs der OParl-Endpunkte, mit Komma getrennt"
            )
        return OParl(endpoints=settings.oparl_endpoints, body_filter=body_filter)
    if name == "websites" and settings is not None:
        if not settings.websites:
            raise ConfigError("KOMMUNEN_WEBSITES fehlt: Startseiten als AGS=URL, mit Komma getrennt")
        return MunicipalWebsites(start=dict(settings.websites))
    return SOURCES[name]


def make_http(settings: ScrapeSettings, validators: ValidatorStore | None = None) -> Http:
    transport = None
    if settings.mirror is not None:
        manifest = settings.mirror / "manifest.json"
        try:
            files = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{manifest}: Spiegel-Manifest nicht lesbar ({exc})") from exc
        transport = ReplayTransport({url: settings.mirror / path for url, path in files.items()})
    http_settings = HttpSettings(  # header values must be ASCII, hence "fuer"
        user_agent=f"kommunen/0.1 (Lead-Finder fuer Sozialunternehmen; {settings.contact})",
        min_interval=0.0 if transport else settings.min_interval,
    )
    return Http(settings=http_settings, transport=transport, validators=validators)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    kind: str
    schedule: str
    last_run: datetime | None
    status: str
    new: int
    changed: int
    errors: int
    next_run: datetime | None


def next_run(schedule: str, after: datetime | None, now: datetime) -> datetime | None:
    if not schedule:
        return None
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(schedule, timezone="Europe/Berlin")
    return trigger.get_next_fire_time(None, after or now)


def is_due(engine: Engine, source: Source, now: datetime) -> bool:
    last = last_run(engine, source.name)
    due = next_run(source.default_schedule, last.started if last else None, now)
    return due is not None and (last is None or due <= now)


def last_run(engine: Engine, name: str) -> Run | None:
    with session_scope(engine) as session:
        return session.scalars(
            select(Run).where(Run.source == name).order_by(Run.started.desc()).limit(1)
        ).first()


def statuses(engine: Engine, now: datetime) -> list[SourceStatus]:
    result = []
    for source in SOURCES.values():
        run = last_run(engine, source.name)
        result.append(
            SourceStatus(
                name=source.name,
                kind=str(source.kind),
                schedule=source.default_schedule or "manuell",
                last_run=run.started if run else None,
                status=run.status if run else "nie gelaufen",
                new=run.new if run else 0,
                changed=run.changed if run else 0,
                errors=run.errors if run else 0,
                next_run=next_run(source.default_schedule, run.started if run else None, now),
            )
        )
    return result
