"""The daily digest: what is new (or materially changed) for one recipient, as one email.

Only leads the recipient has not had are sent; a lead whose title, deadline or link changed
comes again under "Geändert". A section shows its best 15 and says "und N weitere": those count
as handed out too, so the next digest never serves the backlog again as new. Nothing is marked
as sent until the SMTP server accepted the mail, so a failed send is retried by the next run.
An empty day sends nothing.
"""

from __future__ import annotations

import hashlib
import math
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, select

from kommunen.config import SmtpSettings
from kommunen.errors import KommunenError
from kommunen.matching.lead import Lead
from kommunen.matching.leads import Ranking
from kommunen.outputs.render import BERLIN
from kommunen.store.db import session_scope
from kommunen.store.models import DigestSent
from scrapers.cleaning import clean_text
from scrapers.errors import os_reason

TEMPLATES = Path(__file__).with_name("templates")
SECTIONS = (
    ("tender", "Neue Ausschreibungen"),
    ("funding", "Neue Förderprogramme"),
    ("kommune", "Kommunen zum Ansprechen"),
)
MAX_PER_SECTION = 15
HTML = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
TEXT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False)  # noqa: S701 - plain text part
MIN_SCORE = 0.3  # below this a lead is noise in a mail people read every morning


def relevant(lead: Lead) -> bool:
    """Worth a line in the digest: not excluded, scored high enough, and a tender must match the
    profile's words or CPV codes (region and timing alone make no lead)."""
    if lead.excluded or lead.score < MIN_SCORE:
        return False
    return lead.kind != "tender" or any(c.value > 0 for c in lead.components if c.name in ("text", "cpv"))


class SendError(KommunenError):
    pass


@dataclass(frozen=True, slots=True)
class Item:
    lead_id: str
    title: str
    reason: str
    url: str
    deadline: str
    digest_hash: str


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    entries: list[Item]  # shown, best first
    more: list[Item]  # beyond the cap: counted in the mail ("und N weitere"), in the export

    @classmethod
    def capped(cls, title: str, items: list[Item]) -> Section:
        return cls(title, items[:MAX_PER_SECTION], items[MAX_PER_SECTION:])


@dataclass(slots=True)
class Digest:
    profile: str
    profile_path: str
    sections: list[Section] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        """Everything this digest hands out, shown or counted."""
        return [item for section in self.sections for item in (*section.entries, *section.more)]


def material_hash(lead: Lead) -> str:
    """What makes a lead worth sending again: its title, deadline, link or stage changed (a
    procedure's award notice makes its lead worth one more mail, not a second lead)."""
    deadline = lead.deadline.isoformat() if lead.deadline else ""
    key = f"{lead.title}\x1f{deadline}\x1f{lead.url}\x1f{lead.stages}"
    return hashlib.sha256(key.encode()).hexdigest()


def _item(lead: Lead) -> Item:
    deadline = lead.deadline.astimezone(BERLIN).strftime("%d.%m.%Y") if lead.deadline else ""
    title, reason, url = clean_text(lead.title), clean_text(lead.reason), clean_text(lead.url)
    return Item(lead.lead_id, title, reason, url, deadline, material_hash(lead))


def build(engine: Engine, profile_name: str, profile_path: str, recipient: str, ranking: Ranking) -> Digest:
    with session_scope(engine) as session:
        query = select(DigestSent.lead_id, DigestSent.content_hash).where(
            DigestSent.profile == profile_name, DigestSent.recipient == recipient
        )
        sent = {lead_id: digest_hash for lead_id, digest_hash in session.execute(query)}
    digest = Digest(profile_name, profile_path)
    changed: list[Item] = []
    for kind, title in SECTIONS:
        fresh = []
        chosen = [x for x in ranking.select(kind, min_score=MIN_SCORE) if relevant(x)]
        if kind == "tender":  # a close deadline first, then by score
            chosen.sort(key=lambda x: x.deadline.timestamp() if x.deadline else math.inf)
        for lead in chosen:
            item = _item(lead)
            if item.lead_id not in sent:
                fresh.append(item)
            elif sent[item.lead_id] != item.digest_hash:
                changed.append(item)
        if fresh:
            digest.sections.append(Section.capped(title, fresh))
    if changed:
        digest.sections.append(Section.capped("Geändert (Frist verschoben, Berichtigung)", changed))
    return digest


def _one_line(value: str) -> str:
    """Header values from profiles or notices can carry no line breaks (header injection)."""
    return " ".join(clean_text(value).split())


def compose(
    digest: Digest, sender: str, recipient: str, now: datetime, anhang: tuple[str, bytes] | None = None
) -> EmailMessage:
    """The mail; `anhang` (file name, HTML) is the day's report with its map (outputs.report)."""
    unsubscribe = f"mailto:{sender}?subject=abbestellen"
    context = {
        "profile": digest.profile,
        "profile_path": digest.profile_path,
        "total": len(digest.items),
        "day": now.astimezone(BERLIN).strftime("%d.%m.%Y"),
        "sections": digest.sections,
        "unsubscribe": unsubscribe,
        "anhang": anhang[0] if anhang else "",
    }
    message = EmailMessage()
    message["Subject"] = _one_line(f"{digest.profile}: {len(digest.items)} neue Leads")
    message["From"] = _one_line(sender)
    message["To"] = _one_line(recipient)
    message["Date"] = formatdate(now.timestamp(), localtime=False)
    message["Message-ID"] = make_msgid(domain="kommunen.local")
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(TEXT.get_template("digest.txt.j2").render(context))
    message.add_alternative(HTML.get_template("digest.html.j2").render(context), subtype="html")
    if anhang:
        message.add_attachment(
            anhang[1], maintype="text", subtype="html", filename=anhang[0], params={"charset": "utf-8"}
        )
    return message


def send(message: EmailMessage, smtp: SmtpSettings) -> None:
    try:
        if smtp.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
        with client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) and exc.errno else str(exc)
        raise SendError(
            f"SMTP {smtp.host}:{smtp.port}: Versand fehlgeschlagen ({reason}); nichts als gesendet markiert"
        ) from exc


def mark_sent(engine: Engine, digest: Digest, recipient: str, now: datetime) -> None:
    with session_scope(engine) as session:
        for item in digest.items:
            known = session.get(DigestSent, (digest.profile, recipient, item.lead_id))
            if known is None:
                session.add(
                    DigestSent(
                        profile=digest.profile,
                        recipient=recipient,
                        lead_id=item.lead_id,
                        content_hash=item.digest_hash,
                        sent_at=now,
                    )
                )
            else:
                known.content_hash, known.sent_at = item.digest_hash, now
