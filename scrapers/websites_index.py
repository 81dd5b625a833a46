"""Websites index: the start URL (and CMS) of a Kommune's website, for the crawler to begin with.

Quelle   KDN OZG-Datenbank NRW (github.com/kdn-nrw/OZG-Datenbank-NRW, symfony.data.sql);
         amtsfeed (github.com/amtsfeed/amtsfeed, wiki/Brandenburg/<Landkreis>/<Kommune>/README.md)
Format   NRW: a MySQL dump, table `ozg_commune` (name, url: a domain, mostly without scheme);
         Brandenburg: one README per Kommune ("# Name", "Quelle: https://…", the CMS in bold),
         beside it robots.json with the site's baseUrl
Caveats  neither gives an AGS: records carry the name and the Land (and the Landkreis in
         Brandenburg), and kommunen matches them to its Gemeinden; an amtsfeed README may name
         no "Quelle" (then robots.json's baseUrl, else the first page URL it lists, gives the host)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from scrapers.errors import ParseError

NRW, BRANDENBURG = "05", "12"


@dataclass(frozen=True, slots=True)
class WebsiteRecord:
    name: str  # as the index spells it: "Ahlen", "Amt Schenkenländchen", "Landkreis Elbe-Elster"
    land: str  # Land key, 2 digits
    kreis: str  # the Landkreis's name where the index gives it, else ""
    url: str  # the start URL, with scheme: "https://ahlen.de"
    cms: str  # "PortUNA", "TYPO3", … or ""
    quelle: str  # the file the record was read from


_INSERT = re.compile(r"INSERT INTO `ozg_commune` \(([^)]*)\) VALUES\s*(.*?);\s*$", re.DOTALL | re.MULTILINE)
_VALUE = re.compile(r"'((?:[^'\\]|\\.)*)'|(NULL)|(-?\d+(?:\.\d+)?)")
_ROW = re.compile(r"\(((?:'(?:[^'\\]|\\.)*'|[^()'])*)\)")


def nrw_communes(url: str, body: bytes) -> list[WebsiteRecord]:
    """The Kommunen of the KDN OZG-Datenbank with their domain (390 in the 2021 dump)."""
    text = body.decode("utf-8", errors="replace")
    found = []
    for insert in _INSERT.finditer(text):
        columns = [c.strip(" `") for c in insert.group(1).split(",")]
        for row in _ROW.finditer(insert.group(2)):
            values = [
                _unescape(m.group(1)) if m.group(1) is not None else (None if m.group(2) else m.group(3))
                for m in _VALUE.finditer(row.group(1))
            ]
            if len(values) != len(columns):
                raise ParseError(url, f"ozg_commune: Zeile mit {len(values)} statt {len(columns)} Werten")
            fields = dict(zip(columns, values, strict=True))
            name, domain = (fields.get("name") or "").strip(), (fields.get("url") or "").strip()
            if name and domain and fields.get("hidden") != "1":
                found.append(WebsiteRecord(name, NRW, "", _with_scheme(domain), "", url))
    if not found:
        raise ParseError(url, "keine Zeilen der Tabelle ozg_commune")
    return found


_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
_QUELLE = re.compile(r"^\**(?:Quelle|Website):\**\s*(?:\[[^\]]*\]\()?(https?://[^\s)]+)", re.MULTILINE)
_PAGE = re.compile(r"https?://[^\s|)>\]]+")
_CMS = (
    re.compile(r"CMS:\**\s*\**([^*\n(]+?)\s*(?:\*\*|\(|$)", re.MULTILINE),
    re.compile(r"^## CMS\s+\**([^*\n]+?)\**\s*(?:with|mit|$)", re.MULTILINE),
)


def amtsfeed_readme(path: str, body: bytes, robots: bytes | None = None) -> WebsiteRecord | None:
    """One Kommune's README of the amtsfeed wiki (path ".../Brandenburg/<Landkreis>/.../README.md");
    None for a README that names no website at all."""
    text = body.decode("utf-8", errors="replace")
    title = _TITLE.search(text)
    if title is None:
        raise ParseError(path, "README ohne Überschrift")
    parts = PurePosixPath(path.replace("\\", "/")).parts
    kreis = next((p for p in parts if p.startswith("Landkreis ")), "")
    start = _QUELLE.search(text)
    url = start.group(1) if start else _base_url(path, robots)
    if not url:
        page = _PAGE.search(text)
        url = _origin(page.group(0)) if page else ""
    if not url:
        return None
    cms = next((m.group(1).strip() for p in _CMS if (m := p.search(text))), "")
    return WebsiteRecord(title.group(1), BRANDENBURG, kreis, url.rstrip("/"), cms, path)


def _base_url(path: str, robots: bytes | None) -> str:
    if not robots:
        return ""
    try:
        entries = json.loads(robots)
    except ValueError as exc:
        raise ParseError(path, f"robots.json kein JSON ({exc})") from exc
    first = entries[0] if isinstance(entries, list) and entries else {}
    return str(first.get("baseUrl") or "") if isinstance(first, dict) else ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _with_scheme(domain: str) -> str:
    return (domain if "://" in domain else f"https://{domain}").rstrip("/")


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": ""}.get(m.group(1), m.group(1)), value)
