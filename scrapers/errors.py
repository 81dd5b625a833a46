"""Errors raised by the scrapers.

    ScraperError
    ├── FetchError       the network did not give us the document (status, timeout, size, robots)
    │   ├── RobotsDisallowed
    │   └── SourcePaused  stop this source now: a server asked for a long pause, or the run's
    │                     time budget is spent; a crawl lets it through, the next run goes on
    └── ParseError       the document came, but is not what the parser expects

Every error carries the URL (or file path) it is about, so a run can record it and go on.
"""

import errno
import socket

# The C library's messages are English ("No such file or directory"); a person reads German.
OS_REASONS = {
    errno.ENOENT: "gibt es nicht",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.EEXIST: "ist eine Datei, kein Ordner",  # mkdir where a file is
    errno.ENOTDIR: "ein Teil des Pfads ist eine Datei, kein Ordner",
    errno.EISDIR: "ist ein Ordner, keine Datei",
    errno.EROFS: "nur lesbar",
    errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
    errno.EIO: "Lesefehler des Datenträgers",
    errno.ENAMETOOLONG: "Name zu lang",
    errno.ECONNREFUSED: "Verbindung abgelehnt",
    errno.ECONNRESET: "Verbindung von der Gegenseite getrennt",
    errno.ETIMEDOUT: "Zeitüberschreitung",
    errno.EHOSTUNREACH: "Rechner nicht erreichbar",
    errno.ENETUNREACH: "Netz nicht erreichbar",
    socket.EAI_NONAME: "Rechnername unbekannt",
}


def os_reason(exc: OSError) -> str:
    """Why a file or connection failed, in German where the error is a common one."""
    return OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


class ScraperError(Exception):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchError(ScraperError):
    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(url, reason)
        self.status = status  # the HTTP status that ended it; None when no answer came


class RobotsDisallowed(FetchError):
    pass


class SourcePaused(FetchError):
    pass


class ParseError(ScraperError):
    pass
