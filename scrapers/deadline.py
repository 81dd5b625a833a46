"""Time in the HTTP client: a request's total deadline, a source run's budget, the watchdog that
holds a silent server to them, and the wait a server asks for (Retry-After)."""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from scrapers.errors import FetchError, SourcePaused


@dataclass(frozen=True, slots=True)
class Deadline:
    at: float  # time.monotonic()
    seconds: float
    budget: bool  # the source run's budget, not the request's own limit

    @classmethod
    def after(cls, seconds: float, *, budget: bool = False) -> Deadline:
        return cls(time.monotonic() + seconds, seconds, budget)

    def left(self) -> float:
        return self.at - time.monotonic()

    def error(self, url: str) -> FetchError:
        """A spent budget stops the source; a request over its own limit is that URL's error."""
        if self.budget:
            return SourcePaused(url, f"Zeitbudget der Quelle ({self.seconds:g} s) aufgebraucht")
        return FetchError(url, f"Zeitlimit der Anfrage ({self.seconds:g} s) überschritten")


class Watchdog:
    """Cuts the connection when the deadline passes, so a read blocked on a silent server returns
    (a read timeout alone restarts with every byte of a drip)."""

    def __init__(self, response: httpx.Response, seconds: float) -> None:
        stream = response.extensions.get("network_stream")
        found = stream.get_extra_info("socket") if stream is not None else None
        self._socket: socket.socket | None = found if isinstance(found, socket.socket) else None
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._lock = threading.Lock()
        self._done = False
        self.fired = False

    def __enter__(self) -> Watchdog:
        if self._socket is not None:  # replayed and test transports have none, and need none
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._done or self._socket is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # socket.socket's own: SSLSocket.shutdown drops TLS state
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)


def retry_after(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds a 429/503 asks us to wait: delta-seconds or an HTTP date; None if it says nothing."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
