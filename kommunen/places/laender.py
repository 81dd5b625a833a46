"""The 16 Länder: key, short name and name, shared by Gemeinden and Kreise."""

from __future__ import annotations

from kommunen.errors import ConfigError
from kommunen.text import fold

LAENDER = {
    "01": ("SH", "Schleswig-Holstein"),
    "02": ("HH", "Hamburg"),
    "03": ("NI", "Niedersachsen"),
    "04": ("HB", "Bremen"),
    "05": ("NW", "Nordrhein-Westfalen"),
    "06": ("HE", "Hessen"),
    "07": ("RP", "Rheinland-Pfalz"),
    "08": ("BW", "Baden-Württemberg"),
    "09": ("BY", "Bayern"),
    "10": ("SL", "Saarland"),
    "11": ("BE", "Berlin"),
    "12": ("BB", "Brandenburg"),
    "13": ("MV", "Mecklenburg-Vorpommern"),
    "14": ("SN", "Sachsen"),
    "15": ("ST", "Sachsen-Anhalt"),
    "16": ("TH", "Thüringen"),
}


def land_key(value: str) -> str:
    """Accept "BW", "Baden-Württemberg", "baden-wuerttemberg" or "08"; return "08"."""
    wanted = fold(value)
    for key, (short, name) in LAENDER.items():
        if wanted in (key, short.lower(), fold(name)) or wanted == key.lstrip("0"):
            return key
    raise ConfigError(f"Unbekanntes Land {value!r}; erlaubt: {', '.join(s for s, _ in LAENDER.values())}")
