"""The one HTTP client every source uses.

It identifies itself (User-Agent with a contact address), times out, retries connection errors,
429 and 5xx with exponential backoff and jitter (honouring Retry-After), keeps a minimum
interval between requests to the same host, obeys robots.txt (RFC 9309: a robots.txt that
cannot be fetched for a server error means "disallow"), sends conditional requests when it
knows a page's ETag/Last-Modified, caps the body size, and can replay recorded responses from
a directory instead of the network. Requests are sequential, so at most one is open per host.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from protego import Protego

from scrapers.base import RawDocument
from scrapers.errors import FetchError, RobotsDisallowed

logger = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class HttpSettings:
    user_agent: str = "kommunen/0.1 (+https://github.com/kommunen/kommunen; kontakt@example.org)"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n plus jitter
    backoff_max: float = 120.0
    min_interval: float = 1.0  # seconds between two requests to the same host
    max_body_bytes: int = 200 * 1024 * 1024
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class Validators:
    """What we know of a page from its last fetch, for a conditional GET."""

    etag: str = ""
    last_modified: str = ""
    body: bytes = b""


ValidatorStore = Callable[[str], Validators | None]  # what the archive knows of a URL


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Http:
    settings: HttpSettings = field(default_factory=HttpSettings)
    transport: httpx.BaseTransport | None = None
    validators: ValidatorStore | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _now
    _client: httpx.Client = field(init=False, repr=False)
    _last_request: dict[str, float] = field(init=False, default_factory=dict)
    _robots: dict[str, Protego | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        s = self.settings
        self._client = httpx.Client(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=True,
            transport=self.transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, *, headers: dict[str, str] | None = None, conditional: bool = True
    ) -> RawDocument:
        """GET with every courtesy; a 304 returns the archived body with status 304."""
        known = self.validators(url) if (conditional and self.validators) else None
        sent = dict(headers or {})
        if known and known.body:
            if known.etag:
                sent["If-None-Match"] = known.etag
            if known.last_modified:
                sent["If-Modified-Since"] = known.last_modified
        doc = self.request("GET", url, headers=sent)
        if doc.status == 304 and known:
            return RawDocument(
                url=doc.url, body=known.body, fetched_at=doc.fetched_at, status=304, headers=doc.headers
            )
        return doc

    def post_json(self, url: str, payload: Any) -> RawDocument:
        return self.request("POST", url, json=payload, headers={"Accept": "application/json"})

    def request(self, method: str, url: str, **kwargs: Any) -> RawDocument:
        self._check_robots(url)
        attempt = 0
        while True:
            self._wait_for_host(url)
            try:
                response = self._send(method, url, **kwargs)
            except (httpx.TransportError, _TooLarge) as exc:
                if isinstance(exc, _TooLarge) or attempt >= self.settings.retries:
                    raise FetchError(url, _describe(exc)) from exc
                delay = self._backoff(attempt)
                logger.warning("retry url=%s reason=%s wait=%.1fs", url, _describe(exc), delay)
            else:
                if response.status not in RETRY_STATUS:
                    if response.status >= 400:
                        raise FetchError(url, f"HTTP {response.status}")
                    return RawDocument(
                        url=response.url,
                        body=response.body,
                        fetched_at=self.clock(),
                        status=response.status,
                        content_type=response.headers.get("content-type", ""),
                        headers=dict(response.headers),
                    )
                if attempt >= self.settings.retries:
                    raise FetchError(url, f"HTTP {response.status} nach {attempt + 1} Versuchen")
                delay = _retry_after(response.headers, self.clock()) or self._backoff(attempt)
                logger.warning("retry url=%s status=%d wait=%.1fs", url, response.status, delay)
            self.sleep(min(delay, self.settings.backoff_max))
            attempt += 1

    def paginate(self, url: str, next_page: Callable[[RawDocument], str | None]) -> Iterator[RawDocument]:
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and next_url not in seen:
            seen.add(next_url)
            doc = self.get(next_url, conditional=False)
            yield doc
            next_url = next_page(doc)

    def _send(self, method: str, url: str, **kwargs: Any) -> _Reply:
        limit = self.settings.max_body_bytes
        with self._client.stream(method, url, **kwargs) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _TooLarge(f"Antwort größer als {limit} Bytes")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge(f"Antwort größer als {limit} Bytes")
                chunks.append(chunk)
            return _Reply(response.status_code, str(response.url), response.headers, b"".join(chunks))

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_base * (2**attempt)
        return min(self.settings.backoff_max, base + random.uniform(0, base / 2))  # noqa: S311

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.settings.min_interval - (time.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _check_robots(self, url: str) -> None:
        if not self.settings.respect_robots:
            return
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._fetch_robots(origin)
        rules = self._robots[origin]
        if rules is None:
            raise RobotsDisallowed(url, "robots.txt nicht abrufbar (Serverfehler): kein Zugriff")
        if not rules.can_fetch(url, self.settings.user_agent):
            raise RobotsDisallowed(url, "robots.txt verbietet den Abruf")

    def _fetch_robots(self, origin: str) -> Protego | None:
        """Rules, or None for "disallow everything" (robots.txt unreachable)."""
        try:
            doc = self.request("GET", f"{origin}/robots.txt")
        except FetchError as exc:
            if exc.reason.startswith("HTTP 4"):
                return Protego.parse("")  # no robots.txt: everything allowed
            return None
        return Protego.parse(doc.body.decode("utf-8", errors="replace"))


class _TooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "Zeitüberschreitung"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"Verbindung abgebrochen ({exc})"
    return str(exc) or type(exc).__name__


def _retry_after(headers: httpx.Headers, now: datetime) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class ReplayTransport(httpx.BaseTransport):
    """Serves recorded responses from files: the offline mirror. Unknown URLs get 404."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        path = self.files.get(url)
        if path is None and request.url.path == "/robots.txt":
            return httpx.Response(404, request=request)
        if path is None or not path.is_file():
            return httpx.Response(404, request=request, text=f"not in mirror: {url}")
        return httpx.Response(200, request=request, content=path.read_bytes())
