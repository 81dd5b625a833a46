"""Errors the user sees as one line (the CLI prints them without a traceback).

KommunenError
├── ConfigError        a setting or environment variable is missing or wrong
├── DataFileError      an input file is missing or malformed (names the file and row)
└── LookupFailed       a Gemeinde could not be found or is ambiguous
    ├── UnknownGemeinde   (carries suggestions)
    └── AmbiguousGemeinde (carries the candidates)
"""

from __future__ import annotations


class KommunenError(Exception):
    pass


class ConfigError(KommunenError):
    pass


class DataFileError(KommunenError):
    pass


class LookupFailed(KommunenError):
    pass


class UnknownGemeinde(LookupFailed):
    def __init__(self, query: str, suggestions: list[str]) -> None:
        hint = f" Meinten Sie: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Keine Gemeinde {query!r} gefunden.{hint}")
        self.query = query
        self.suggestions = suggestions


class AmbiguousGemeinde(LookupFailed):
    def __init__(self, query: str, candidates: list[str]) -> None:
        listed = "; ".join(candidates[:10])
        more = f" (und {len(candidates) - 10} weitere)" if len(candidates) > 10 else ""
        super().__init__(
            f"{query!r} ist mehrdeutig, bitte den AGS angeben: {listed}{more}",
        )
        self.query = query
        self.candidates = candidates


class UnknownKreis(UnknownGemeinde):
    """A query that names a Kreis ("Landkreis …", a Kreis key) that the directory does not know."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        super().__init__(query, suggestions)
        hint = f" Meinten Sie: {'; '.join(suggestions)}?" if suggestions else ""
        self.args = (f"Kein Kreis {query!r} gefunden.{hint}",)
