"""The organisation profile (TOML): who the enterprise is and what it looks for.

Every error names the file, the line and the field, and all of them come at once, so a person can
fix the file in one go. Sizes are bounded: the profile's words end up in every ranking and mail.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kommunen.errors import KommunenError, LookupFailed
from kommunen.matching.profile_file import MAX_FILE_BYTES, KeyLines, ProfileError, read_bounded, toml_error
from kommunen.matching.text import stem

if TYPE_CHECKING:
    from kommunen.matching.codelists import CodeLists
    from kommunen.places.gemeinden import GemeindeIndex

__all__ = ["FOERDER_ROLLEN", "MAX_FILE_BYTES", "SOZIAL", "Profile", "ProfileError", "load_profile"]

FOERDER_ROLLEN = ("selbst", "mit_kommune")
ARTEN = (
    "gemeinde",
    "kreis",
)  # which Kommunen become leads: Gemeinden, Kreise (Landkreise, kreisfreie Städte …)
SOZIAL = "sozial"  # in cpv: every CPV code of the social and other specific services (light regime)

# Every field a profile may have: a misspelt one would otherwise be ignored without a word.
TOP_FIELDS = ("name", "beschreibung", "ausschluesse", "cpv", "begriffe")
SECTIONS = {
    "region": ("laender", "nuts", "heimat", "radius_km"),
    "zielkommunen": ("min_einwohner", "max_einwohner", "referenzen", "arten"),
    "foerderung": ("rollen", "berechtigt"),
    "fristen": ("mindest_vorlauf_tage",),
    "bedarf": ("merkmale", "niedrig"),  # INKAR indicators whose high (merkmale) or low values signal need
}

# A profile is a page of text, not a data set: the file (MAX_FILE_BYTES) and each field are bounded.
MAX_CHARS = {"name": 200, "beschreibung": 2000}
MAX_ITEM_CHARS = 200  # one Begriff, CPV code, place or Förderberechtigte
MAX_ITEMS = 200  # entries in one list, and Begriffe
MAX_RADIUS_KM = 1000  # Germany is 880 km from north to south
MAX_VORLAUF_TAGE = 365

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # a name, a word: one line (a mail subject, a cell)
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # beschreibung may have lines
_TYPE_NAMES: dict[type, str] = {
    str: "Text",
    int: "ganze Zahl",
    float: "Zahl",
    list: "Liste",
    dict: "Abschnitt",
    bool: "true/false",
}


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
    referenzen: tuple[str, ...] = ()  # Gemeinden or Kreise ("Landkreis Tübingen", "09772")
    arten: tuple[str, ...] = ARTEN
    foerder_rollen: tuple[str, ...] = ("selbst",)
    foerder_berechtigt: tuple[str, ...] = ()
    mindest_vorlauf_tage: int = 14
    bedarf: tuple[str, ...] = ()  # indicator names: a high value signals need ("Asylbewerber")
    bedarf_niedrig: tuple[str, ...] = ()  # … a low one does ("Kita-Betreuung unter 3 Jahren")
    path: str = field(default="", compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)  # valid, but worth knowing (no Kommune leads)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


class _Reader:
    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path, self.data, self.lines = path, data, KeyLines(text)
        self.errors: list[tuple[int, str]] = []
        self.secrets: set[str] = set()

    def error(self, key: str, message: str, line: int | None = None) -> None:
        parts = tuple(key.split(".", 1)) if key.split(".", 1)[0] in (*SECTIONS, "begriffe") else (key,)
        number = line if line is not None else self.lines.line(parts)
        self.errors.append((number, f"{self.path}:{number}: {key}: {message}"))

    def text_ok(self, key: str, value: str, limit: int, line: int | None = None) -> bool:
        if len(value) > limit:
            self.error(key, f"höchstens {limit} Zeichen, nicht {len(value)}", line)
        elif bad := (_CONTROL_TEXT if key == "beschreibung" else _CONTROL).search(value):
            self.error(key, f"enthält ein Steuerzeichen (U+{ord(bad.group()):04X})", line)
        else:
            return True
        return False

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
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(node, kinds) or (isinstance(node, bool) and bool not in kinds):
            wanted = _TYPE_NAMES[float] if float in kinds else _TYPE_NAMES[kinds[0]]
            found = _TYPE_NAMES.get(type(node), type(node).__name__)
            self.error(key, f"erwartet {wanted}, gefunden {found} ({_shown(node)})")
            return default
        if isinstance(node, str) and not self.text_ok(key, node, MAX_CHARS.get(key, MAX_ITEM_CHARS)):
            return default
        return node

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if len(values) > MAX_ITEMS:
            self.error(key, f"höchstens {MAX_ITEMS} Einträge, nicht {len(values)}")
            return ()
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.error(key, "erwartet eine Liste nicht leerer Texte")
            return ()
        parts = tuple(key.split("."))
        kept = [v for v in values if self.text_ok(key, v, MAX_ITEM_CHARS, self.lines.value_line(parts, v))]
        return tuple(v.strip() for v in kept) if len(kept) == len(values) else ()

    def number(self, key: str, kind: type | tuple[type, ...], low: float, high: float, unit: str = "") -> Any:
        value = self.get(key, kind)
        if value is None or low <= value <= high:
            return value
        if value < 0 <= low:
            self.error(key, f"darf nicht negativ sein, nicht {value}")
        else:  # also nan and inf
            self.error(key, f"muss zwischen {low:g} und {high:g}{unit} liegen, nicht {value}")
        return None


def _unknown_fields(r: _Reader) -> None:
    """Misspelt fields and sections ([regoin]) are errors, each with the closest known name."""
    for key, value in r.data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                r.error(key, f"erwartet einen Abschnitt [{key}]")
                continue
            for sub in value:
                if sub not in SECTIONS[key] and f"{key}.{sub}" not in r.secrets:
                    r.error(f"{key}.{sub}", _unknown(sub, SECTIONS[key], key), r.lines.line((key, sub)))
        elif key not in TOP_FIELDS:
            r.error(
                key,
                _unknown(key, (*TOP_FIELDS, *SECTIONS), "", isinstance(value, dict)),
                r.lines.line((key,)),
            )


def _unknown(key: str, known: tuple[str, ...], section: str, is_section: bool = False) -> str:
    here = f" in [{section}]" if section else ""
    for other, fields in SECTIONS.items():
        if key in fields and other != section:
            return f"gehört nicht{here}, sondern in [{other}]" if section else f"gehört in [{other}]"
    if key in TOP_FIELDS:
        return f"gehört nicht{here}, sondern oben in die Datei, vor den ersten [Abschnitt]"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if is_section:
        hint = f"meinten Sie [{close[0]}]?" if close else f"bekannt sind {', '.join(SECTIONS)}"
        return f"unbekannter Abschnitt; {hint}"
    hint = f"meinten Sie {close[0]}?" if close else f"bekannt sind {', '.join(known)}"
    return f"unbekanntes Feld{here}; {hint}"


def _secrets(r: _Reader, data: dict[str, Any], prefix: str = "") -> None:
    for key, value in data.items():
        if any(word in key.lower() for word in ("passwort", "password", "secret")):
            r.error(
                prefix + key,
                "Passwörter gehören nicht ins Profil, sondern in die Umgebung (KOMMUNEN_SMTP_PASSWORD)",
                r.lines.line((*prefix.split(".")[:-1], key)),
            )
            r.secrets.add(prefix + key)
        elif isinstance(value, dict) and key != "begriffe":  # a Begriff may well be "Passwortmanager"
            _secrets(r, value, f"{prefix}{key}.")


def _begriffe(r: _Reader) -> dict[str, float]:
    raw = r.get("begriffe", dict, {}, required=True)
    if len(raw) > MAX_ITEMS:
        r.error("begriffe", f"höchstens {MAX_ITEMS} Begriffe, nicht {len(raw)}")
        return {}
    begriffe: dict[str, float] = {}
    for word, weight in raw.items():
        key, line = f"begriffe.{word}", r.lines.line(("begriffe", word))
        if not r.text_ok(key, word, MAX_ITEM_CHARS, line):
            continue
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 1:
            misplaced = word in TOP_FIELDS or any(word in fields for fields in SECTIONS.values())
            why = f"Gewicht muss eine Zahl in (0, 1] sein, nicht {_shown(weight)}"
            if misplaced and not isinstance(weight, int | float):
                why = _unknown(word, (), "begriffe")
            r.error(key, why, line)
        elif not stem(word):
            r.error(key, "enthält keinen Buchstaben und keine Ziffer: trifft nie", line)
        else:
            begriffe[word] = float(weight)
    if not begriffe and isinstance(r.data.get("begriffe"), dict):
        r.error("begriffe", "mindestens ein Begriff mit Gewicht, z. B. Integration = 1.0")
    return begriffe


def _places(r: _Reader, profile: Profile, index: GemeindeIndex) -> None:
    """Heimat and references as ranking resolves them: every unknown or ambiguous one at once."""
    places = [("region.heimat", profile.heimat)] if profile.heimat else []
    places += [("zielkommunen.referenzen", ref) for ref in profile.referenzen]
    for key, place in places:
        try:
            index.find(place) if key == "region.heimat" else index.find_kommune(place)
        except LookupFailed as exc:
            r.error(key, str(exc), r.lines.value_line(tuple(key.split(".")), place))


def _merkmale(r: _Reader, profile: Profile, index: GemeindeIndex) -> None:
    """[bedarf] names INKAR indicators as stored: each unknown one with the closest names."""
    from kommunen.places.indikatoren import catalog, resolve

    with index.engine.connect() as conn:
        names = catalog(conn)
    for field_name, values in (("merkmale", profile.bedarf), ("niedrig", profile.bedarf_niedrig)):
        for value in values:
            line = r.lines.value_line(("bedarf", field_name), value)
            if not names:
                r.error(f"bedarf.{field_name}", "braucht die Indikatoren: kommunen import-gemeinden", line)
                return
            try:
                resolve(value, names)
            except LookupFailed as exc:
                r.error(f"bedarf.{field_name}", str(exc), line)


def _codes(r: _Reader, profile: Profile, codes: CodeLists) -> None:
    if SOZIAL in profile.cpv and not codes.social_cpv:
        r.error("cpv", f'"{SOZIAL}" braucht die Codelisten: zuerst kommunen import-codelisten')
    for code in profile.nuts:
        if codes.nuts3 and not any(c.startswith(code) for c in codes.nuts3):
            line = r.lines.value_line(("region", "nuts"), code)
            r.error("region.nuts", f"{code} ist kein deutscher NUTS-Code", line)


def _notes(r: _Reader, profile: Profile, index: GemeindeIndex | None) -> tuple[str, ...]:
    """Why a valid profile finds no Kommunen to approach: they are found by likeness to references."""
    where = f"{r.path}:{r.lines.line(('zielkommunen', 'referenzen'))}"
    if not profile.referenzen:
        return (
            f"{where}: zielkommunen.referenzen: keine Referenzkommunen – daher keine Kommune-Leads "
            "(sie werden nach Ähnlichkeit zu Kommunen gefunden, für die Sie schon arbeiten); "
            "Ausschreibungen und Förderprogramme kommen trotzdem",
        )
    if index is None:
        return ()
    low, high = profile.min_einwohner or 0, profile.max_einwohner
    refs = [index.find_kommune(ref) for ref in profile.referenzen]
    for ebene, places in (("gemeinde", index), ("kreis", index.kreise)):
        if ebene not in profile.arten or not any(r.ebene == ebene for r in refs):
            continue
        fits = places.einwohner >= low
        if high is not None:
            fits &= places.einwohner <= high
        fits[[r.row for r in refs if r.ebene == ebene]] = False
        if fits.any():
            return ()
    span = f"{low:,} bis {high:,}" if high is not None else f"{low:,} und mehr"
    return (
        f"{r.path}:{r.lines.line(('zielkommunen', 'min_einwohner'))}: zielkommunen: keine Gemeinde außer "
        f"den Referenzen hat {span.replace(',', '.')} Einwohner – daher keine Kommune-Leads",
    )


def load_profile(path: Path, index: GemeindeIndex | None = None, codes: CodeLists | None = None) -> Profile:
    """The profile, or a ProfileError naming every problem; with an index also unknown places."""
    from kommunen.places.gemeinden import land_key

    limits = f"name höchstens {MAX_CHARS['name']}, beschreibung {MAX_CHARS['beschreibung']} Zeichen"
    text = read_bounded(path, limits)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(path, text, exc) from exc
    r = _Reader(path, text, data)
    _secrets(r, data)
    r.data = {k: v for k, v in data.items() if k not in r.secrets}
    _unknown_fields(r)
    name = r.get("name", str, "", required=True)
    if "name" in data and isinstance(data["name"], str) and not data["name"].strip():
        r.error("name", "darf nicht leer sein")
    begriffe = _begriffe(r)
    cpv = r.strings("cpv")
    for code in cpv:
        if code != SOZIAL and not re.fullmatch(r"\d{2,8}(-\d)?", code):
            line = r.lines.value_line(("cpv",), code)
            r.error(
                "cpv", f"{code!r} ist kein CPV-Code oder -Präfix (2–8 Ziffern) und nicht {SOZIAL!r}", line
            )
    laender = []
    for value in r.strings("region.laender"):
        try:
            laender.append(land_key(value))
        except KommunenError as exc:
            r.error("region.laender", str(exc), r.lines.value_line(("region", "laender"), value))
    radius = r.number("region.radius_km", (int, float), 1, MAX_RADIUS_KM, " km")
    heimat = r.get("region.heimat", str, "")
    if radius is not None and not heimat:
        r.error("region.radius_km", "braucht region.heimat (die Gemeinde, um die der Radius liegt)")
    rollen = r.strings("foerderung.rollen") or ("selbst",)
    for rolle in rollen:
        if rolle not in FOERDER_ROLLEN:
            line = r.lines.value_line(("foerderung", "rollen"), rolle)
            r.error("foerderung.rollen", f"{rolle!r}: erlaubt sind {', '.join(FOERDER_ROLLEN)}", line)
    vorlauf = r.number("fristen.mindest_vorlauf_tage", int, 0, MAX_VORLAUF_TAGE, " Tagen")
    arten = r.strings("zielkommunen.arten") if "arten" in (r.data.get("zielkommunen") or {}) else ARTEN
    for art in arten:
        if art not in ARTEN:
            line = r.lines.value_line(("zielkommunen", "arten"), art)
            r.error("zielkommunen.arten", f"{art!r}: erlaubt sind {', '.join(ARTEN)}", line)
    if not arten and r.data.get("zielkommunen", {}).get("arten") == []:
        r.error("zielkommunen.arten", f"mindestens eine Art: {', '.join(ARTEN)}")
    min_ew = r.number("zielkommunen.min_einwohner", int, 0, float("inf"))
    max_ew = r.number("zielkommunen.max_einwohner", int, 0, float("inf"))
    if min_ew is not None and max_ew is not None and min_ew > max_ew:
        r.error("zielkommunen.max_einwohner", f"ist kleiner als min_einwohner ({max_ew} < {min_ew})")
    profile = Profile(
        name=name.strip(),
        beschreibung=r.get("beschreibung", str, ""),
        begriffe=begriffe,
        ausschluesse=r.strings("ausschluesse"),
        cpv=tuple(c.split("-")[0] for c in cpv),
        laender=tuple(laender),
        nuts=r.strings("region.nuts"),
        heimat=heimat.strip(),
        radius_km=float(radius) if radius is not None else None,
        min_einwohner=min_ew,
        max_einwohner=max_ew,
        referenzen=r.strings("zielkommunen.referenzen"),
        arten=tuple(dict.fromkeys(arten)),
        foerder_rollen=rollen,
        foerder_berechtigt=r.strings("foerderung.berechtigt"),
        mindest_vorlauf_tage=14 if vorlauf is None else vorlauf,
        bedarf=r.strings("bedarf.merkmale"),
        bedarf_niedrig=r.strings("bedarf.niedrig"),
        path=str(path),
    )
    if index is not None:
        _places(r, profile, index)
    if codes is not None:
        _codes(r, profile, codes)
    if index is not None and (profile.bedarf or profile.bedarf_niedrig):
        _merkmale(r, profile, index)
    if r.errors:
        raise ProfileError("\n".join(message for _, message in sorted(r.errors, key=lambda e: e[0])))
    return replace(profile, notes=_notes(r, profile, index))
