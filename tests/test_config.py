"""Settings from the environment and the optional TOML file; the environment wins, secrets never
come from the file, and a wrong key names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kommunen.config import DigestSettings, ScrapeSettings, Settings, SmtpSettings
from kommunen.errors import ConfigError

CONFIG = """\
database_url = "sqlite:////tmp/aus-der-datei.db"
contact = "team@example.org"
min_interval = 2.5
oparl_endpoints = ["https://ratsinfo.example/oparl/v1/system"]

[websites]
"09162000" = "https://stadt.example/rathaus"

[smtp]
host = "smtp.example.org"
port = 2525
security = "none"

[digest]
profile = "data/profiles/integration.toml"
to = ["team@example.org", "chefin@example.org"]

[schedule]
ted = "0 6 * * 2-6"
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "kommunen" / "config.toml"  # XDG_CONFIG_HOME from conftest
    path.parent.mkdir(parents=True)
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.usefixtures("config_file")
def test_the_file_fills_what_the_environment_leaves_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_CONTACT", "ops@example.org")  # the environment wins
    assert Settings.from_env().database_url == "sqlite:////tmp/aus-der-datei.db"
    scrape = ScrapeSettings.from_env()
    assert (scrape.contact, scrape.min_interval) == ("ops@example.org", 2.5)
    assert scrape.oparl_endpoints == ("https://ratsinfo.example/oparl/v1/system",)
    assert scrape.websites == (("09162000", "https://stadt.example/rathaus"),)
    assert scrape.schedules == (("ted", "0 6 * * 2-6"),)
    smtp = SmtpSettings.from_env()
    assert (smtp.host, smtp.port, smtp.starttls, smtp.ssl) == ("smtp.example.org", 2525, False, False)
    digest = DigestSettings.from_env()
    assert digest is not None
    assert digest.recipients == ("team@example.org", "chefin@example.org")


def test_a_password_in_the_file_is_refused(config_file: Path) -> None:
    config_file.write_text(CONFIG.replace("port = 2525\n", 'port = 2525\npassword = "geheim"\n'))
    with pytest.raises(
        ConfigError, match=rf"^{config_file}:12: smtp.password: Passwörter nur aus der Umgebung"
    ):
        SmtpSettings.from_env()


def test_unknown_keys_and_broken_files_name_file_and_line(config_file: Path) -> None:
    config_file.write_text(CONFIG.replace("min_interval", "min_intervall"))
    with pytest.raises(ConfigError) as info:
        Settings.from_env()
    assert str(info.value) == f"{config_file}:3: min_intervall: unbekannte Einstellung"
    config_file.write_text("contact = \n")
    with pytest.raises(ConfigError, match=r"kein gültiges TOML"):
        Settings.from_env()


def test_a_named_file_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNEN_CONFIG", str(tmp_path / "fehlt.toml"))
    with pytest.raises(ConfigError, match=r"fehlt\.toml: Einstellungsdatei nicht lesbar"):
        Settings.from_env()
    monkeypatch.delenv("KOMMUNEN_CONFIG")
    assert Settings.from_env().database_url.startswith("sqlite:///")  # no file by default: fine


def test_every_source_server_can_be_moved(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fault suite points each source at a loopback server: KOMMUNEN_URL_<QUELLE> or `[url]`."""
    from kommunen.collect.sources import get_source

    config_file.write_text(CONFIG + '\n[url]\nted = "http://127.0.0.1:8001"\n', encoding="utf-8")
    monkeypatch.setenv("KOMMUNEN_URL_OEFFENTLICHEVERGABE", "http://127.0.0.1:8002/")
    monkeypatch.setenv("KOMMUNEN_URL_BUND", "http://127.0.0.1:8003/spiegel")
    monkeypatch.setenv("KOMMUNEN_URL_FOERDERDATENBANK", "http://[::1]:8004")
    monkeypatch.setenv("KOMMUNEN_URL_CODELISTEN", "https://mirror.example")
    monkeypatch.setenv("KOMMUNEN_URL_GEMEINDEVERZEICHNIS", "http://localhost:8006")
    settings = ScrapeSettings.from_env()
    assert dict(settings.base_urls)["ted"] == "http://127.0.0.1:8001"
    moved = {name: vars(get_source(name, settings)) for name in dict(settings.base_urls)}
    assert (moved["ted"]["search_url"], moved["ted"]["notice_url"]) == (
        "http://127.0.0.1:8001/v3/notices/search",
        "http://127.0.0.1:8001/en/notice/{}/xml",
    )
    assert moved["oeffentlichevergabe"]["export_url"] == "http://127.0.0.1:8002/api/notice-exports?pubDay={}"
    assert moved["bund"]["feed_url"] == (
        "http://127.0.0.1:8003/spiegel/Content/DE/Ausschreibungen/Suche/Formular.html?nn=4641482"
        "&type=rss&resultsPerPage=100&sortOrder=dateOfIssue_dt+desc&jobsrss=true"
    )
    assert moved["foerderdatenbank"]["export_url"] == "http://[::1]:8004/FDB/WS/export"
    assert moved["codelisten"]["base_url"] == "https://mirror.example/OP-TED/eForms-SDK/develop/codelists/"
    assert (moved["gemeindeverzeichnis"]["gv_url"], moved["gemeindeverzeichnis"]["plz_url"]) == (
        "http://localhost:8006/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/"
        "Administrativ/Archiv/GVAuszugQ/AuszugGV4QAktuell.xlsx?__blob=publicationFile",
        "http://localhost:8006/download_files/public/zuordnung_plz_ort_landkreis.csv",
    )
    assert get_source("ted", ScrapeSettings.from_env()) is not get_source("ted")  # the default stays


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KOMMUNEN_URL_TDE", "http://127.0.0.1", "KOMMUNEN_URL_TDE: keine Quelle mit einstellbarer Adresse"),
        ("KOMMUNEN_URL_OPARL", "http://x", "KOMMUNEN_URL_OPARL: keine Quelle mit einstellbarer Adresse"),
        (
            "KOMMUNEN_URL_TED",
            "ftp://127.0.0.1",
            "KOMMUNEN_URL_TED: 'ftp://127.0.0.1' ist keine Server-Adresse",
        ),
        ("KOMMUNEN_URL_TED", "127.0.0.1:8080", "KOMMUNEN_URL_TED: '127.0.0.1:8080' ist keine Server-Adresse"),
        ("KOMMUNEN_URL_BUND", "http://host:port", "KOMMUNEN_URL_BUND: 'http://host:port' ist keine"),
        ("KOMMUNEN_URL_BUND", "http://h/?a=1", "KOMMUNEN_URL_BUND: 'http://h/?a=1' ist keine"),
    ],
)
def test_a_wrong_source_server_is_named(
    name: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        ScrapeSettings.from_env()
    assert str(info.value).startswith(message)
