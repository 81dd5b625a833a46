"""The organisation profile (TOML): who the enterprise is and what it looks for.

Every error names the file, the line and the field, so a person can fix it in one go.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunen.config import line_of
from kommunen.errors import KommunenError
from kommunen.matching.text import stem

FOERDER_ROLLEN = ("selbst", "mit_kommune")
SOZIAL = "sozial"  # in cpv: every CPV code of the social and other specific services (light regime)


class ProfileError(KommunenError):
    pass


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    beschreibung: str
    begriffe: dict[str, float]  # keyword → weight (0..1]
    ausschluesse: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()  # codes or prefixes ("853" = every code starting so), or SOZIAL
    laender: tuple[str, ...] = ()  # Land keys, "09"
    nuts: tuple[str, ...] = ()
    heimat: str = ""  # a Gemeinde (name/AGS); with radius_km
    radius_km: float | None = None
    min_einwohner: int | None = None
    max_einwohner: int | None = None
    referenzen: tuple[str, ...] = ()
    foerder_rollen: tuple[str, ...] = ("selbst",)
    foerder_berechtigt: tuple[str, ...] = ()
    mindest_vorlauf_tage: int = 14
    path: str = field(default="", compare=False)


class _Reader:
    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path, self.text, self.data = path, text, data
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.path}:{line_of(self.text, key.rsplit('.', 1)[-1])}: {key}: {message}")

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
        node: Any = self.data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            if required:
                self.error(key, "fehlt")
            return default
        if not isinstance(node, kind) or (isinstance(node, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.error(key, f"erwartet {names}, gefunden {type(node).__name__} ({node!r})")
            return default
        return node

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.error(key, "erwartet eine Liste nicht leerer Texte")
            return ()
        return tuple(v.strip() for v in values)


def _bare_key_hint(text: str) -> str:
    """TOML allows only ASCII in bare keys; German words often have umlauts, so say how."""
    for number, line in enumerate(text.splitlines(), 1):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key and not key.startswith(("#", '"', "'", "[")) and not key.isascii():
            return f' – Zeile {number}: Begriffe mit Umlaut oder ß in Anführungszeichen, z. B. "{key}" = …'
    return ""


def _secret_key(data: dict[str, Any]) -> str:
    for key, value in data.items():
        if any(word in key.lower() for word in ("passwort", "password", "secret")):
            return key
        if isinstance(value, dict) and (found := _secret_key(value)):
            return found
    return ""


def load_profile(path: Path) -> Profile:
    from kommunen.places.gemeinden import land_key

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: Profil nicht lesbar ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: kein gültiges TOML: {exc}{_bare_key_hint(text)}") from exc
    if secret := _secret_key(data):
        raise ProfileError(
            f"{path}:{line_of(text, secret)}: {secret}: Passwörter gehören nicht ins Profil, "
            "sondern in die Umgebung (KOMMUNEN_SMTP_PASSWORD)"
        )
    r = _Reader(path, text, data)
    name = r.get("name", str, "", required=True)
    begriffe_raw = r.get("begriffe", dict, {}, required=True)
    begriffe: dict[str, float] = {}
    for word, weight in begriffe_raw.items():
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 1:
            r.error(f"begriffe.{word}", f"Gewicht muss eine Zahl in (0, 1] sein, nicht {weight!r}")
        elif not stem(word):
            r.error(f"begriffe.{word}", "enthält keinen Buchstaben und keine Ziffer: trifft nie")
        else:
            begriffe[word] = float(weight)
    if not begriffe and "begriffe" in data:
        r.error("begriffe", "mindestens ein Begriff mit Gewicht, z. B. Integration = 1.0")
    cpv = r.strings("cpv")
    for code in cpv:
        if code != SOZIAL and not re.fullmatch(r"\d{2,8}(-\d)?", code):
            r.error("cpv", f"{code!r} ist kein CPV-Code oder -Präfix (2–8 Ziffern) und nicht {SOZIAL!r}")
    laender = []
    for value in r.strings("region.laender"):
        try:
            laender.append(land_key(value))
        except KommunenError as exc:
            r.error("region.laender", str(exc))
    radius = r.get("region.radius_km", (int, float))
    heimat = r.get("region.heimat", str, "")
    if radius is not None and not heimat:
        r.error("region.radius_km", "braucht region.heimat (die Gemeinde, um die der Radius liegt)")
    rollen = r.strings("foerderung.rollen") or ("selbst",)
    for rolle in rollen:
        if rolle not in FOERDER_ROLLEN:
            r.error("foerderung.rollen", f"{rolle!r}: erlaubt sind {', '.join(FOERDER_ROLLEN)}")
    vorlauf = r.get("fristen.mindest_vorlauf_tage", int, 14)
    if vorlauf < 0:
        r.error("fristen.mindest_vorlauf_tage", "darf nicht negativ sein")
    min_ew, max_ew = r.get("zielkommunen.min_einwohner", int), r.get("zielkommunen.max_einwohner", int)
    if min_ew is not None and max_ew is not None and min_ew > max_ew:
        r.error("zielkommunen.max_einwohner", f"ist kleiner als min_einwohner ({max_ew} < {min_ew})")
    profile = Profile(
        name=name,
        beschreibung=r.get("beschreibung", str, ""),
        begriffe=begriffe,
        ausschluesse=r.strings("ausschluesse"),
        cpv=tuple(c.split("-")[0] for c in cpv),
        laender=tuple(laender),
        nuts=r.strings("region.nuts"),
        heimat=heimat,
        radius_km=float(radius) if radius is not None else None,
        min_einwohner=min_ew,
        max_einwohner=max_ew,
        referenzen=r.strings("zielkommunen.referenzen"),
        foerder_rollen=rollen,
        foerder_berechtigt=r.strings("foerderung.berechtigt"),
        mindest_vorlauf_tage=vorlauf,
        path=str(path),
    )
    if r.errors:
        raise ProfileError("\n".join(r.errors))
    return profile
