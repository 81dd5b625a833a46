"""The profile file as text: read with a size cap, TOML errors in German, the line of each key.

tomllib gives values without positions; errors that name file:line: field need the lines, so the
text is scanned for table headers and assignments (enough for the keys a profile has).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kommunen.errors import KommunenError
from scrapers.errors import os_reason

MAX_FILE_BYTES = 256 * 1024  # the examples are under 2 KB


class ProfileError(KommunenError):
    pass


def _split_key(key: str) -> tuple[str, ...]:
    """A TOML key as its parts: `region.laender`, `"IT-Dienste"`, `'a.b'`."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s"\']+)', key)
    return tuple(double or single or bare for double, single, bare in parts)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_ASSIGN = re.compile(
    r"""^\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[\w-]+)(?:\s*\.\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[\w-]+))*)\s*="""
)


class KeyLines:
    """Where each key is set: tomllib gives no positions, so the text is scanned (tables, keys)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.of: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            if header := _HEADER.match(line):
                table = _split_key(header.group(1))
                self.of.setdefault(table, number)
            elif assign := _ASSIGN.match(line):
                self.of.setdefault((*table, *_split_key(assign.group(1))), number)

    def line(self, path: tuple[str, ...]) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.of:
                return self.of[path[:end]]
        return 1

    def value_line(self, path: tuple[str, ...], value: str) -> int:
        """The line of one entry of a list (lists may span lines)."""
        start = self.line(path)
        found = re.search(rf"""["']{re.escape(value)}["']""", self.text[self.starts[start - 1] :])
        return self.text.count("\n", 0, self.starts[start - 1] + found.start()) + 1 if found else start


def _bare_key_hint(text: str) -> str:
    """TOML allows only ASCII in bare keys; German words often have umlauts, so say how."""
    for number, line in enumerate(text.splitlines(), 1):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key and not key.startswith(("#", '"', "'", "[")) and not key.isascii():
            return f' – Zeile {number}: Begriffe mit Umlaut oder ß in Anführungszeichen, z. B. "{key}" = …'
        if re.match(r"^[^#\"']*=\s*-?\d+,\d+\s*(#.*)?$", line):
            return f" – Zeile {number}: Dezimalzahlen mit Punkt, z. B. 0.5 statt 0,5"
    return ""


_TOML_MESSAGES = {
    "Cannot overwrite a value": "Feld steht doppelt",
    "Cannot declare": "Abschnitt steht doppelt",
    "Expected '=' after a key in a key/value pair": "nach dem Namen fehlt '='",
    "Invalid value": "ungültiger Wert (Text in Anführungszeichen, Listen in [ ])",
    "Illegal character": "unerlaubtes Zeichen",
    "Expected newline or end of document after a statement": "nach dem Wert steht noch etwas",
}


def toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ProfileError:
    message = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)|\(at end of document\)", message)
    line = where.group(1) if where and where.group(1) else str(text.count("\n") + 1)
    column = f", Spalte {where.group(2)}" if where and where.group(2) else ""
    reason = next(
        (german for english, german in _TOML_MESSAGES.items() if message.startswith(english)), message
    )
    return ProfileError(f"{path}:{line}: kein gültiges TOML{column}: {reason}{_bare_key_hint(text)}")


def read_bounded(path: Path, limits: str) -> str:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ProfileError(f"{path}: Profil nicht lesbar ({os_reason(exc)})") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ProfileError(
            f"{path}: Profil größer als {MAX_FILE_BYTES // 1024} KB – "
            f"ein Profil ist eine Seite Text ({limits})"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProfileError(f"{path}:{line}: kein UTF-8 (als UTF-8 speichern)") from exc
