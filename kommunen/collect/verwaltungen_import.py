"""Whom to write to: the Anschriftenverzeichnis' administration of every Gemeinde and Kreis, with
the website start URL the websites index gives for it.

The index names no AGS, so its names are matched here, within their Land (and Landkreis, where
it says): "Amt Schenkenländchen" to the administration of that name, which serves six
Gemeinden; "Ahlen" to the one Gemeinde of that name in NRW; "Landkreis Elbe-Elster" to its
Kreis. A name that fits two Gemeinden gives no website rather than a wrong one. The table is
replaced as a whole, and not touched while the inputs (files and Gemeinde names) are unchanged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunen.errors import DataFileError
from kommunen.store.models import Gebiet, Gemeinde
from kommunen.store.upsert import derived_unchanged, replace_derived
from kommunen.store.verwaltungen_model import Verwaltung
from kommunen.text import fold
from scrapers import anschriften, websites_index
from scrapers.anschriften import VerwaltungRecord
from scrapers.errors import ParseError
from scrapers.websites_index import WebsiteRecord

NRW_FILE = Path("municipal/websites-index/kdn-ozg-datenbank-nrw/symfony.data.sql")
AMTSFEED_DIR = Path("municipal/websites-index/amtsfeed-brandenburg/wiki")
KREIS_WORDS = ("landkreis ", "kreis ")


def import_verwaltungen(session: Session, data_dir: Path, anschriften_file: Path) -> int | None:
    """Rows stored now; None when the Anschriftenverzeichnis is absent or nothing changed."""
    path = data_dir / anschriften_file
    if not path.is_file():
        return None
    files = [(str(path), path.read_bytes())]
    nrw = data_dir / NRW_FILE
    if nrw.is_file():
        files.append((str(nrw), nrw.read_bytes()))
    feed = sorted(p for p in (data_dir / AMTSFEED_DIR).rglob("*") if p.name in ("README.md", "robots.json"))
    files += [(str(p), p.read_bytes()) for p in feed]
    gemeinden = session.execute(
        select(Gemeinde.ags, Gemeinde.kurzname, Gemeinde.kreis_key).order_by(Gemeinde.ags)
    ).all()
    digest = hashlib.sha256()
    for name, body in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
    digest.update(repr(gemeinden).encode())
    inputs_hash = digest.hexdigest()
    if derived_unchanged(session, Verwaltung, inputs_hash):
        return None
    bodies = dict(files)
    try:
        records = anschriften.verwaltungen(str(path), bodies[str(path)])
        sites = websites_index.nrw_communes(str(nrw), bodies[str(nrw)]) if str(nrw) in bodies else []
        for readme in (p for p in feed if p.name == "README.md"):
            robots = bodies.get(str(readme.with_name("robots.json")))
            site = websites_index.amtsfeed_readme(str(readme), bodies[str(readme)], robots)
            if site is not None:
                sites.append(site)
    except ParseError as exc:
        raise DataFileError(str(exc)) from exc
    kreis_rows = session.execute(select(Gebiet.key, Gebiet.name).where(Gebiet.ebene == "kreis"))
    kreise = {key: name for key, name in kreis_rows}
    websites = match_websites(records, sites, [(a, n, k) for a, n, k in gemeinden], kreise)
    rows = [
        {
            "key": r.key,
            "name": r.name,
            "anschrift": r.anschrift,
            "verband_key": r.verband_key,
            "website": websites[r.key].url if r.key in websites else "",
            "website_quelle": websites[r.key].quelle if r.key in websites else "",
            "source_url": r.source_url,
        }
        for r in records
    ]
    return replace_derived(session, Verwaltung, rows, inputs_hash)


def match_websites(
    records: Iterable[VerwaltungRecord],
    sites: Iterable[WebsiteRecord],
    gemeinden: Iterable[tuple[str, str, str]],
    kreise: dict[str, str],
) -> dict[str, WebsiteRecord]:
    """Key (AGS or Kreis) → its administration's website. A Gemeinde served by an Amt gets the
    Amt's site (where its offices are), else its own."""
    records = list(records)
    kreis_of_name: dict[str, list[str]] = defaultdict(list)
    for key, name in kreise.items():
        kreis_of_name[fold(name)].append(key)
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (land, name) → (ags, kreis)
    for ags, kurzname, kreis in gemeinden:
        by_name[(ags[:2], fold(kurzname))].append((ags, kreis))
    by_office: dict[tuple[str, str], list[str]] = defaultdict(list)  # (land, office name) → keys served
    for r in records:
        by_office[(r.key[:2], fold(r.name))].append(r.key)
    own: dict[str, WebsiteRecord] = {}
    office: dict[str, WebsiteRecord] = {}
    for site in sites:
        wanted = fold(site.name)
        kreis_keys = set(kreis_of_name.get(_kreis_name(site.kreis), [])) if site.kreis else set()
        if wanted.startswith(KREIS_WORDS):
            found = [k for k in kreis_of_name.get(_kreis_name(wanted), []) if k[:2] == site.land]
            if len(found) == 1:
                own.setdefault(found[0], site)
            continue
        offices = by_office.get((site.land, wanted)) or by_office.get((site.land, _host_name(site.url)), [])
        served = [k for k in offices if not kreis_keys or k[:5] in kreis_keys]
        if len(served) > 1 or (served and not by_name.get((site.land, wanted))):
            for key in served:  # an Amt, Verbandsgemeinde or Samtgemeinde: all its Gemeinden
                office.setdefault(key, site)
            continue
        named = by_name.get((site.land, wanted)) or [  # "Emmerich" is "Emmerich am Rhein"
            hit
            for (land, name), hits in by_name.items()
            if land == site.land and name.startswith(wanted + " ")
            for hit in hits
        ]
        candidates = [a for a, k in named if not kreis_keys or k in kreis_keys]
        if len(candidates) == 1:
            own.setdefault(candidates[0], site)
    chosen: dict[str, WebsiteRecord] = {}
    for r in records:
        chosen_site = (office.get(r.key) if r.verband_key else None) or own.get(r.key) or office.get(r.key)
        if chosen_site is not None:
            chosen[r.key] = chosen_site
    return chosen


def _host_name(url: str) -> str:
    """The name a site's domain spells: "verbandsgemeinde-liebenwerda.de" for the office the
    index calls "Verbandsgemeinde Bad Liebenwerda" and the Anschriftenverzeichnis "… Liebenwerda"."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return fold(host.rsplit(".", 1)[0])


def _kreis_name(name: str) -> str:
    folded = fold(name)
    for word in KREIS_WORDS:
        folded = folded.removeprefix(word)
    return folded
