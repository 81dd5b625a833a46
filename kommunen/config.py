"""Settings: the only module that reads os.environ.

Every setting comes from a KOMMUNEN_* variable, falling back to a default that works on a
fresh clone (SQLite in the user's data folder, recorded responses in ../shared/data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kommunen.errors import ConfigError


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kommunen"


@dataclass(frozen=True, slots=True)
class Settings:
    # Where the SQLite database and other state live (used by db.py when no URL is given).
    home: Path
    # Any SQLAlchemy URL; PostgreSQL via postgresql+psycopg://... (db.py).
    database_url: str
    # Folder of recorded real responses: the offline data the main job runs on (gemeinden.py).
    data_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("KOMMUNEN_HOME") or _default_home()).expanduser()
        url = os.environ.get("KOMMUNEN_DATABASE_URL") or f"sqlite:///{home / 'kommunen.db'}"
        data_dir = Path(os.environ.get("KOMMUNEN_DATA_DIR") or Path.cwd().parent / "shared" / "data")
        return cls(home=home, database_url=url, data_dir=data_dir.expanduser())


@dataclass(frozen=True, slots=True)
class ScrapeSettings:
    # Contact address in the User-Agent, so site operators can reach us (http.py).
    contact: str
    # Seconds between two requests to one host (http.py).
    min_interval: float
    # Folder with manifest.json {url: file} served instead of the network (http.ReplayTransport).
    mirror: Path | None
    # OParl System URLs to crawl, comma-separated (sources.get_source for "oparl").
    oparl_endpoints: tuple[str, ...] = ()
    # Municipal websites to crawl: "AGS=URL,AGS=URL" (sources.get_source for "websites").
    websites: tuple[tuple[str, str], ...] = ()
    # Cron per source overriding its default, from KOMMUNEN_SCHEDULE_<SOURCE> (scheduler.planned_jobs).
    schedules: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_env(cls) -> ScrapeSettings:
        mirror = os.environ.get("KOMMUNEN_MIRROR")
        try:
            interval = float(os.environ.get("KOMMUNEN_MIN_INTERVAL", "1.0"))
        except ValueError as exc:
            raise ConfigError("KOMMUNEN_MIN_INTERVAL muss eine Zahl (Sekunden) sein") from exc
        contact = os.environ.get("KOMMUNEN_CONTACT", "kontakt@example.org")
        if not contact.isascii() or "\n" in contact or "\r" in contact:
            raise ConfigError("KOMMUNEN_CONTACT muss eine einzeilige ASCII-Adresse sein (HTTP-Header)")
        return cls(
            contact=contact,
            min_interval=interval,
            mirror=Path(mirror).expanduser() if mirror else None,
            websites=tuple(
                tuple(pair.strip().split("=", 1))  # type: ignore[misc]
                for pair in os.environ.get("KOMMUNEN_WEBSITES", "").split(",")
                if "=" in pair
            ),
            schedules=tuple(
                (name.removeprefix("KOMMUNEN_SCHEDULE_").lower(), cron.strip())
                for name, cron in os.environ.items()
                if name.startswith("KOMMUNEN_SCHEDULE_") and cron.strip()
            ),
            oparl_endpoints=tuple(
                u.strip() for u in os.environ.get("KOMMUNEN_OPARL_ENDPOINTS", "").split(",") if u.strip()
            ),
        )


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    # Mail server for the digest (digest.send); the password comes only from the environment.
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool
    ssl: bool

    @classmethod
    def from_env(cls) -> SmtpSettings:
        host = os.environ.get("KOMMUNEN_SMTP_HOST", "")
        if not host:
            raise ConfigError("KOMMUNEN_SMTP_HOST fehlt: der Mailserver für den Digest")
        security = os.environ.get("KOMMUNEN_SMTP_SECURITY", "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise ConfigError("KOMMUNEN_SMTP_SECURITY muss starttls, ssl oder none sein")
        try:
            port = int(os.environ.get("KOMMUNEN_SMTP_PORT", "465" if security == "ssl" else "587"))
        except ValueError as exc:
            raise ConfigError("KOMMUNEN_SMTP_PORT muss eine Zahl sein") from exc
        user = os.environ.get("KOMMUNEN_SMTP_USER", "")
        password = os.environ.get("KOMMUNEN_SMTP_PASSWORD", "")
        if user and not password:
            raise ConfigError("KOMMUNEN_SMTP_PASSWORD fehlt (nur aus der Umgebung, nie aus Dateien)")
        return cls(
            host=host,
            port=port,
            user=user,
            password=password,
            sender=os.environ.get("KOMMUNEN_SMTP_FROM", "kommunen@localhost"),
            starttls=security == "starttls",
            ssl=security == "ssl",
        )


@dataclass(frozen=True, slots=True)
class DigestSettings:
    # The scheduled digest (scheduler.digest_job): profile file, recipients, cron.
    profile: str
    recipients: tuple[str, ...]
    cron: str

    @classmethod
    def from_env(cls) -> DigestSettings | None:
        profile = os.environ.get("KOMMUNEN_DIGEST_PROFILE", "")
        recipients = tuple(
            r.strip() for r in os.environ.get("KOMMUNEN_DIGEST_TO", "").split(",") if r.strip()
        )
        if not profile and not recipients:
            return None
        if not profile or not recipients:
            raise ConfigError("KOMMUNEN_DIGEST_PROFILE und KOMMUNEN_DIGEST_TO gehören zusammen")
        return cls(
            profile=profile, recipients=recipients, cron=os.environ.get("KOMMUNEN_DIGEST_CRON", "0 7 * * 1-5")
        )
