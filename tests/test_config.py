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
