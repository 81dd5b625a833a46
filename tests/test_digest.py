"""The digest against a real SMTP server on loopback (aiosmtpd): MIME, headers, umlauts,
no duplicates, nothing marked on failure, no header injection."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import Engine, func, select

from kommunen.config import SmtpSettings
from kommunen.matching.lead import Component, Lead
from kommunen.matching.leads import Ranking
from kommunen.outputs import digest as mail
from kommunen.store.db import session_scope
from kommunen.store.models import DigestSent
from tests.report_data import Built, built

__all__ = ["built"]  # the session fixture with the real report

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
TO = "team@example.org"


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__(email.message.EmailMessage)
        self.received: list[email.message.EmailMessage] = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.received.append(message)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings(
        host="127.0.0.1",
        port=port,
        user="",
        password="",
        sender="leads@kommunen.example",
        starttls=False,
        ssl=False,
    )
    yield inbox, settings
    controller.stop()


def leads(title: str = "Sprachmittlung für die Ausländerbehörde Würzburg") -> list[Lead]:
    return [
        Lead(
            "tender",
            "ted:1",
            title,
            "https://ted.europa.eu/en/notice/-/detail/1-2026",
            0.8,
            [Component("text", 0.9, "Begriffe: Sprachmittlung, Migration")],
            deadline=NOW + timedelta(days=24),
        ),
        Lead(
            "funding",
            "foerderdatenbank:x",
            "Förderung von Integrationsmaßnahmen",
            "https://f.example/x",
            0.6,
            [Component("berechtigt", 1.0, "förderberechtigt: Verband/Vereinigung")],
        ),
        Lead(
            "tender",
            "ted:2",
            "Gebäudereinigung",
            "https://t.example/2",
            0.1,
            [],
            excluded="Ausschluss: Gebäudereinigung",
        ),
        Lead(
            "tender",
            "ted:3",
            "Wasser-Konzessionsvertrag",
            "https://t.example/3",
            0.35,
            [Component("text", 0.0, ""), Component("region", 1.0, "191 km von Augsburg")],
        ),
    ]


def run_digest(  # type: ignore[no-untyped-def]
    engine: Engine,
    smtp: SmtpSettings,
    items: list[Lead],
    profile: str = "Mehrsprachig gGmbH",
    anhang: tuple[str, bytes] | None = None,
):
    built = mail.build(engine, profile, "data/profiles/integration.toml", TO, Ranking.of(items))
    if built.items:
        message = mail.compose(built, smtp.sender, TO, NOW, anhang)
        mail.send(message, smtp)
        mail.mark_sent(engine, built, TO, NOW)
    return built


def test_sent_digest_is_multipart_german_and_well_formed(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, settings = smtp
    run_digest(engine, settings, leads())
    (received,) = inbox.received
    parsed = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == "Mehrsprachig gGmbH: 2 neue Leads"
    assert parsed["To"] == TO
    assert parsed["List-Unsubscribe"] == "<mailto:leads@kommunen.example?subject=abbestellen>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parsed.get_body(("plain",)).get_content()
    assert "== Neue Ausschreibungen (1) ==" in text
    assert "* Sprachmittlung für die Ausländerbehörde Würzburg" in text
    assert "Begriffe: Sprachmittlung, Migration · Frist 16.12.2026" in text
    assert "Gebäudereinigung" not in text  # excluded leads never go out
    assert "Wasser" not in text  # near, but nothing to do with the profile's words or CPV
    assert "Profil „Mehrsprachig gGmbH“" in text
    html = parsed.get_body(("html",)).get_content()
    link = '<a href="https://ted.europa.eu/en/notice/-/detail/1-2026">'
    assert f"{link}Sprachmittlung für die Ausländerbehörde Würzburg</a>" in html


def test_the_digest_carries_the_days_report(engine: Engine, smtp, built: Built) -> None:  # type: ignore[no-untyped-def]
    inbox, settings = smtp
    report = built.path.read_bytes()  # the real report of the example profile (tests/report_data.py)
    run_digest(engine, settings, leads(), anhang=("bericht-2026-11-22.html", report))
    (received,) = inbox.received
    parsed = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    body, attachment = parsed.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_filename() == "bericht-2026-11-22.html"
    assert attachment.get_content().encode("utf-8") == report
    text = parsed.get_body(("plain",)).get_content()
    assert "Im Anhang: bericht-2026-11-22.html – Karte und Leads" in text
    assert len(received.as_bytes()) < 1.4 * len(report) + 20_000  # base64, and the mail around it


def test_second_run_sends_nothing_and_a_moved_deadline_comes_again(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, settings = smtp
    run_digest(engine, settings, leads())
    assert run_digest(engine, settings, leads()).items == []
    assert len(inbox.received) == 1
    moved = leads()
    moved[0].deadline = NOW + timedelta(days=40)
    again = run_digest(engine, settings, moved)
    assert [section.title for section in again.sections] == ["Geändert (Frist verschoben, Berichtigung)"]
    assert len(inbox.received) == 2


def test_smtp_failure_marks_nothing(engine: Engine) -> None:
    dead = SmtpSettings(
        host="127.0.0.1", port=1, user="", password="", sender="a@b.example", starttls=False, ssl=False
    )
    with pytest.raises(mail.SendError) as failed:
        run_digest(engine, dead, leads())
    expected = "SMTP 127.0.0.1:1: Versand fehlgeschlagen (Verbindung abgelehnt); nichts als gesendet markiert"
    assert str(failed.value) == expected
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(DigestSent)) == 0


def test_header_injection_is_impossible(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, settings = smtp
    run_digest(engine, settings, leads(), profile="Evil\r\nBcc: victim@example.org")
    (received,) = inbox.received
    assert received["Bcc"] is None
    assert received["Subject"] == "Evil Bcc: victim@example.org: 2 neue Leads"
    message = mail.compose(mail.Digest("x", "p"), "a@b.example", "x@y.example\r\nBcc: z@z.example", NOW)
    assert message["Bcc"] is None
    assert "\n" not in message["To"]


def test_smtp_settings_need_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from kommunen.errors import ConfigError

    monkeypatch.setenv("KOMMUNEN_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("KOMMUNEN_SMTP_USER", "leads")
    with pytest.raises(ConfigError, match="KOMMUNEN_SMTP_PASSWORD fehlt"):
        SmtpSettings.from_env()
    monkeypatch.setenv("KOMMUNEN_SMTP_PASSWORD", "geheim")
    settings = SmtpSettings.from_env()
    assert (settings.port, settings.starttls, settings.password) == (587, True, "geheim")


def test_a_backlog_beyond_the_cap_is_counted_once_and_never_sent_again_as_new(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, settings = smtp
    many = [
        Lead(
            "tender",
            f"ted:{n}",
            f"Sprachmittlung Los {n}",
            f"https://t.example/{n}",
            0.9 - n / 100,
            [Component("text", 0.9, "Begriffe: Sprachmittlung")],
            deadline=NOW + timedelta(days=10 + n),
        )
        for n in range(20)
    ]
    first = run_digest(engine, settings, many)
    assert len(first.items) == 20
    (received,) = inbox.received
    parsed = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Mehrsprachig gGmbH: 20 neue Leads"
    text = parsed.get_body(("plain",)).get_content()
    assert "== Neue Ausschreibungen (20) ==" in text
    assert text.count("* Sprachmittlung Los") == mail.MAX_PER_SECTION
    assert "… und 5 weitere: alle in leads.xlsx oder mit `kommunen leads`" in text
    assert "… und 5 weitere" in parsed.get_body(("html",)).get_content()
    assert run_digest(engine, settings, many).items == []  # today's main: "5 neue Leads" the next day
    assert len(inbox.received) == 1
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(DigestSent)) == 20
