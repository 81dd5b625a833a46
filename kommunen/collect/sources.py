"""Which sources there are, when each last ran and is next due, and the HTTP client they share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, select

from kommunen.config import ScrapeSettings
from kommunen.errors import ConfigError
from kommunen.store.db import session_scope
from kommunen.store.models import Run, RunError
from scrapers import bund, codelists, foerderdatenbank, gemeindeverzeichnis, oeffentlichevergabe, ted
from scrapers.http import Http, HttpSettings, PauseStore, ValidatorStore
from scrapers.oparl import OParl
from scrapers.registry import SOURCES
from scrapers.replay import ReplayTransport
from scrapers.source import Source
from scrapers.websites import MunicipalWebsites


class NotConfigured(ConfigError):
    """An optional source without the setting it needs: named, it is an error; due, it is skipped."""


def get_source(name: str, settings: ScrapeSettings | None = None, *, body_filter: str = "") -> Source:
    """The registered source; OParl and websites get their addresses from the settings, every
    other source its server from KOMMUNEN_URL_<QUELLE> when set."""
    if name not in SOURCES:
        raise ConfigError(f"Unbekannte Quelle {name!r}; bekannt: {', '.join(SOURCES)}")
    if settings is None:
        return SOURCES[name]
    if name == "oparl":
        if not settings.oparl_endpoints:
            raise NotConfigured(
                "KOMMUNEN_OPARL_ENDPOINTS fehlt: System-URLs der OParl-Endpunkte, mit Komma getrennt"
            )
        return OParl(endpoints=settings.oparl_endpoints, body_filter=body_filter)
    if name == "websites":
        if not settings.websites:
            raise NotConfigured("KOMMUNEN_WEBSITES fehlt: Startseiten als AGS=URL, mit Komma getrennt")
        return MunicipalWebsites(start=dict(settings.websites))
    base = dict(settings.base_urls).get(name)
    return _moved(name, base) if base else SOURCES[name]


def rebased(url: str, base: str) -> str:
    """`url` on the server `base`: scheme, host and port from `base`, its path in front of url's."""
    default, server = urlsplit(url), urlsplit(base)
    path = server.path.rstrip("/") + default.path
    return urlunsplit((server.scheme, server.netloc, path, default.query, default.fragment))


def _moved(name: str, base: str) -> Source:
    if name == "ted":
        return ted.TED(search_url=rebased(ted.SEARCH_URL, base), notice_url=rebased(ted.NOTICE_XML_URL, base))
    if name == "oeffentlichevergabe":
        return oeffentlichevergabe.Oeffentlichevergabe(
            export_url=rebased(oeffentlichevergabe.EXPORT_URL, base)
        )
    if name == "bund":
        return bund.Bund(feed_url=rebased(bund.FEED_URL, base))
    if name == "foerderdatenbank":
        return foerderdatenbank.Foerderdatenbank(export_url=rebased(foerderdatenbank.EXPORT_URL, base))
    if name == "codelisten":
        return codelists.EformsCodelists(base_url=rebased(codelists.BASE_URL, base))
    if name == "gemeindeverzeichnis":
        return gemeindeverzeichnis.Gemeindeverzeichnis(
            gv_url=rebased(gemeindeverzeichnis.GV_URL, base),
            plz_url=rebased(gemeindeverzeichnis.PLZ_URL, base),
        )
    raise ConfigError(f"KOMMUNEN_URL_{name.upper()}: die Adresse dieser Quelle ist nicht einstellbar")


def due_sources(engine: Engine, settings: ScrapeSettings, now: datetime) -> tuple[list[Source], list[str]]:
    """The sources due now, and for each optional one that is due but not set up, why it is left out."""
    schedules = dict(settings.schedules)
    chosen: list[Source] = []
    skipped: list[str] = []
    for name, registered in SOURCES.items():
        schedule = schedules.get(name, registered.default_schedule)
        if registered.kind == "gemeinde" or not schedule or not _due(engine, name, schedule, now):
            continue
        try:
            chosen.append(get_source(name, settings))
        except NotConfigured as exc:
            skipped.append(f"{name}: übersprungen, nicht eingerichtet ({exc})")
    return chosen, skipped


def make_http(
    settings: ScrapeSettings, validators: ValidatorStore | None = None, pauses: PauseStore | None = None
) -> Http:
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
    return Http(settings=http_settings, transport=transport, validators=validators, pauses=pauses)


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
    from kommunen.collect.cron import cron_trigger

    return cron_trigger(schedule).get_next_fire_time(None, after or now)


def is_due(engine: Engine, source: Source, now: datetime) -> bool:
    return _due(engine, source.name, source.default_schedule, now)


def _due(engine: Engine, name: str, schedule: str, now: datetime) -> bool:
    last = last_run(engine, name)
    due = next_run(schedule, last.started if last else None, now)
    return due is not None and (last is None or due <= now)


def last_run(engine: Engine, name: str) -> Run | None:
    with session_scope(engine) as session:
        return session.scalars(
            select(Run).where(Run.source == name).order_by(Run.started.desc()).limit(1)
        ).first()


def statuses(engine: Engine, now: datetime) -> list[SourceStatus]:
    from kommunen.collect.pipeline import close_stale_runs

    close_stale_runs(engine, now)  # a run whose process died shows as failed, not "running" for ever
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


STAGES = {"fetch": "Abruf", "parse": "Lesen", "store": "Speichern"}


def last_run_errors(engine: Engine, source: str) -> list[dict[str, str]]:
    """The errors of a source's last run, each with its URL: what the run summary points to."""
    run = last_run(engine, source)
    if run is None:
        return []
    with session_scope(engine) as session:
        found = session.scalars(select(RunError).where(RunError.run_id == run.id).order_by(RunError.id))
        return [{"stufe": STAGES.get(e.stage, e.stage), "url": e.url, "fehler": e.message} for e in found]
