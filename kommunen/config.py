"""Settings: the only module that reads os.environ and the settings file.

Every setting comes from a KOMMUNEN_* variable, else from the optional TOML file
(KOMMUNEN_CONFIG, by default ~/.config/kommunen/config.toml: `contact = …` is KOMMUNEN_CONTACT,
`[smtp] host = …` is KOMMUNEN_SMTP_HOST), else a default that works on a fresh clone (SQLite in
the user's data folder, recorded responses in ../shared/data). Secrets only from the environment.

Every source's server can be pointed elsewhere (a mirror, a proxy, a loopback test server):
KOMMUNEN_URL_<QUELLE> (file: `[url] ted = …`) for ted, oeffentlichevergabe, bund,
foerderdatenbank, codelisten and gemeindeverzeichnis replaces scheme, host and port of that
source's addresses (and puts its own path in front); the paths stay the source's own. OParl and
the municipal websites take their full addresses (KOMMUNEN_OPARL_ENDPOINTS, KOMMUNEN_WEBSITES).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kommunen.errors import ConfigError
from scrapers.errors import os_reason

PREFIX = "KOMMUNEN_"
FILE_KEYS = frozenset(
    {
        "HOME",
        "DATABASE_URL",
        "DATA_DIR",
        "MIRROR",
        "MIN_INTERVAL",
        "CONTACT",
        "WEBSITES",
        "OPARL_ENDPOINTS",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_USER",
        "SMTP_FROM",
        "SMTP_SECURITY",
        "DIGEST_PROFILE",
        "DIGEST_TO",
        "DIGEST_CRON",
    }
)
SECRETS = frozenset({"SMTP_PASSWORD"})
PER_SOURCE = ("SCHEDULE_", "URL_")  # KOMMUNEN_SCHEDULE_TED, KOMMUNEN_URL_TED: `[schedule]`, `[url]`
# The sources whose server KOMMUNEN_URL_<QUELLE> can move (collect.sources.get_source).
URL_SOURCES = ("ted", "oeffentlichevergabe", "bund", "foerderdatenbank", "codelisten", "gemeindeverzeichnis")


def config_path() -> tuple[Path, bool]:
    """The settings file, and whether the user named it (then it must exist)."""
    named = os.environ.get("KOMMUNEN_CONFIG")
    if named:
        return Path(named).expanduser(), True
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kommunen" / "config.toml", False


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):  # [websites] "09162000" = "https://…"
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value).lower() if isinstance(value, bool) else str(value)


def line_of(text: str, key: str) -> int:
    """The line where a TOML key is set (the first such), for errors that name file and line."""
    match = re.search(rf"^\s*\"?{re.escape(key)}\"?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def read_config_file(path: Path) -> dict[str, str]:
    """The file's settings under their KOMMUNEN_* names; unknown keys and secrets are errors."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: Einstellungsdatei nicht lesbar ({os_reason(exc)})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: kein gültiges TOML ({exc})") from exc
    found: dict[str, str] = {}
    for key, value in data.items():
        is_table = isinstance(value, dict) and key not in ("websites",)
        for sub, item in value.items() if is_table else [("", value)]:
            name = f"{key}_{sub}".upper() if sub else key.upper()
            where = f"{path}:{line_of(text, sub or key)}: {f'{key}.{sub}' if sub else key}"
            if name in SECRETS:
                raise ConfigError(f"{where}: Passwörter nur aus der Umgebung ({PREFIX}{name})")
            if name not in FILE_KEYS and not name.startswith(PER_SOURCE):
                raise ConfigError(f"{where}: unbekannte Einstellung")
            found[PREFIX + name] = _as_text(item)
    return found


def _environ() -> Mapping[str, str]:
    """The settings file under the environment: a KOMMUNEN_* variable always wins."""
    path, named = config_path()
    if not named and not path.is_file():
        return os.environ
    return {**read_config_file(path), **os.environ}


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
        env = _environ()
        home = Path(env.get("KOMMUNEN_HOME") or _default_home()).expanduser()
        url = env.get("KOMMUNEN_DATABASE_URL") or f"sqlite:///{home / 'kommunen.db'}"
        data_dir = Path(env.get("KOMMUNEN_DATA_DIR") or Path.cwd().parent / "shared" / "data")
        return cls(home=home, database_url=url, data_dir=data_dir.expanduser())


@dataclass(frozen=True, slots=True)
class ScrapeSettings:
    # Contact address in the User-Agent, so site operators can reach us (http.py).
    contact: str
    # Seconds between two requests to one host (http.py).
    min_interval: float
    # Folder with manifest.json {url: file} served instead of the network (scrapers.replay.ReplayTransport).
    mirror: Path | None
    # OParl System URLs to crawl, comma-separated (sources.get_source for "oparl").
    oparl_endpoints: tuple[str, ...] = ()
    # Municipal websites to crawl: "AGS=URL,AGS=URL" (sources.get_source for "websites").
    websites: tuple[tuple[str, str], ...] = ()
    # Cron per source overriding its default, from KOMMUNEN_SCHEDULE_<SOURCE> (scheduler.planned_jobs).
    schedules: tuple[tuple[str, str], ...] = ()
    # Server per source from KOMMUNEN_URL_<SOURCE>: ("ted", "http://127.0.0.1:8080") (sources.get_source).
    base_urls: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_env(cls) -> ScrapeSettings:
        env = _environ()
        mirror = env.get("KOMMUNEN_MIRROR")
        try:
            interval = float(env.get("KOMMUNEN_MIN_INTERVAL", "1.0"))
        except ValueError as exc:
            raise ConfigError("KOMMUNEN_MIN_INTERVAL muss eine Zahl (Sekunden) sein") from exc
        contact = env.get("KOMMUNEN_CONTACT", "kontakt@example.org")
        if not contact.isascii() or "\n" in contact or "\r" in contact:
            raise ConfigError("KOMMUNEN_CONTACT muss eine einzeilige ASCII-Adresse sein (HTTP-Header)")
        return cls(
            contact=contact,
            min_interval=interval,
            mirror=Path(mirror).expanduser() if mirror else None,
            websites=tuple(
                tuple(pair.strip().split("=", 1))  # type: ignore[misc]
                for pair in env.get("KOMMUNEN_WEBSITES", "").split(",")
                if "=" in pair
            ),
            schedules=tuple(
                (name.removeprefix("KOMMUNEN_SCHEDULE_").lower(), cron.strip())
                for name, cron in env.items()
                if name.startswith("KOMMUNEN_SCHEDULE_") and cron.strip()
            ),
            oparl_endpoints=tuple(
                u.strip() for u in env.get("KOMMUNEN_OPARL_ENDPOINTS", "").split(",") if u.strip()
            ),
            base_urls=_base_urls(env),
        )


def _base_urls(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """KOMMUNEN_URL_<QUELLE>, checked here so a typo is named before any request goes out."""
    found = []
    for name, value in sorted(env.items()):
        if not name.startswith("KOMMUNEN_URL_") or not value.strip():
            continue
        source, url = name.removeprefix("KOMMUNEN_URL_").lower(), value.strip()
        if source not in URL_SOURCES:
            raise ConfigError(
                f"{name}: keine Quelle mit einstellbarer Adresse (möglich: {', '.join(URL_SOURCES)})"
            )
        try:
            parts = urlsplit(url)
            usable = parts.scheme in ("http", "https") and parts.hostname and parts.port != 0
        except ValueError:  # a port that is no number, a broken IPv6 address
            usable = False
        if not usable or parts.query or parts.fragment:
            raise ConfigError(
                f"{name}: {url!r} ist keine Server-Adresse wie https://host:port oder http://host/pfad"
            )
        found.append((source, url.rstrip("/")))
    return tuple(found)


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
        env = _environ()
        host = env.get("KOMMUNEN_SMTP_HOST", "")
        if not host:
            raise ConfigError("KOMMUNEN_SMTP_HOST fehlt: der Mailserver für den Digest")
        security = env.get("KOMMUNEN_SMTP_SECURITY", "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise ConfigError("KOMMUNEN_SMTP_SECURITY muss starttls, ssl oder none sein")
        try:
            port = int(env.get("KOMMUNEN_SMTP_PORT", "465" if security == "ssl" else "587"))
        except ValueError as exc:
            raise ConfigError("KOMMUNEN_SMTP_PORT muss eine Zahl sein") from exc
        user = env.get("KOMMUNEN_SMTP_USER", "")
        password = env.get("KOMMUNEN_SMTP_PASSWORD", "")
        if user and not password:
            raise ConfigError("KOMMUNEN_SMTP_PASSWORD fehlt (nur aus der Umgebung, nie aus Dateien)")
        return cls(
            host=host,
            port=port,
            user=user,
            password=password,
            sender=env.get("KOMMUNEN_SMTP_FROM", "kommunen@localhost"),
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
        env = _environ()
        profile = env.get("KOMMUNEN_DIGEST_PROFILE", "")
        recipients = tuple(r.strip() for r in env.get("KOMMUNEN_DIGEST_TO", "").split(",") if r.strip())
        if not profile and not recipients:
            return None
        if not profile or not recipients:
            raise ConfigError("KOMMUNEN_DIGEST_PROFILE und KOMMUNEN_DIGEST_TO gehören zusammen")
        return cls(
            profile=profile, recipients=recipients, cron=env.get("KOMMUNEN_DIGEST_CRON", "0 7 * * 1-5")
        )
