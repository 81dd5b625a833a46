"""The one HTTP client every source uses.

It identifies itself (User-Agent with a contact address), times out, retries connection errors,
429 and 5xx with exponential backoff and jitter (honouring Retry-After), keeps a minimum
interval between requests to the same host, obeys robots.txt (RFC 9309: a robots.txt that
cannot be fetched for a server error means "disallow"), sends conditional requests when it
knows a page's ETag/Last-Modified and caps the body size; scrapers.replay serves recorded
responses instead of the network. Requests are sequential, so at most one is open per host.

Redirects are followed by hand, so every hop is checked against its own host's robots.txt
before it is fetched, and a loop ends as an error. Each request has a total deadline (every
attempt, wait, redirect and the body included); `budget` gives a source run one as well. A
Retry-After longer than we wait, or a 429 that does not end, pauses the host: SourcePaused.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from scrapers.base import RawDocument
from scrapers.deadline import Deadline, Watchdog, retry_after
from scrapers.errors import FetchError, RobotsDisallowed, ScraperError, SourcePaused

logger = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
MAX_PAGES = 500  # paginate: a bound against lists whose next links never end
MAX_PAUSE = 7 * 86400.0  # a Retry-After beyond a week is read as a week


@dataclass(frozen=True, slots=True)
class HttpSettings:
    user_agent: str = "kommunen/0.1 (+https://github.com/kommunen/kommunen; kontakt@example.org)"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff_base: float = 1.0  # seconds; attempt n waits base * 2**n plus jitter
    backoff_max: float = 120.0  # also the longest Retry-After waited for: a longer one pauses the source
    min_interval: float = 1.0  # seconds between two requests to the same host
    max_body_bytes: int = 200 * 1024 * 1024
    respect_robots: bool = True
    request_deadline: float = 300.0  # seconds for one request: attempts, waits, redirects and body
    source_budget: float = 3600.0  # seconds for one source run (Http.budget)


@dataclass(frozen=True, slots=True)
class Validators:
    """What we know of a page from its last fetch, for a conditional GET."""

    etag: str = ""
    last_modified: str = ""
    body: bytes = b""


ValidatorStore = Callable[[str], Validators | None]  # what the archive knows of a URL


class PauseStore(Protocol):
    """Where a host's pause outlives the process, so that the next run keeps to it too."""

    def load(self) -> dict[str, tuple[datetime, str, int]]: ...  # host → (until, reason, status)

    def save(self, host: str, until: datetime, reason: str, status: int) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Http:
    settings: HttpSettings = field(default_factory=HttpSettings)
    transport: httpx.BaseTransport | None = None
    validators: ValidatorStore | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _now
    pauses: PauseStore | None = None
    _client: httpx.Client = field(init=False, repr=False)
    _last_request: dict[str, float] = field(init=False, default_factory=dict)
    _robots: dict[str, Protego | FetchError] = field(init=False, default_factory=dict)
    _paused: dict[str, tuple[float, str, int]] = field(init=False, default_factory=dict)  # host → until
    _budget: Deadline | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        s = self.settings
        self._client = httpx.Client(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,  # _follow does it, asking each new host's robots.txt first
            transport=self.transport,
        )
        now, started = self.clock(), time.monotonic()
        for host, (until, reason, status) in (self.pauses.load() if self.pauses else {}).items():
            if until > now:
                self._paused[host] = (started + (until - now).total_seconds(), reason, status)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def budget(self, seconds: float | None = None) -> Iterator[None]:
        """One source run's time: once it is spent, every request raises SourcePaused."""
        seconds = self.settings.source_budget if seconds is None else seconds
        outer, self._budget = self._budget, Deadline.after(seconds, budget=True)
        try:
            yield
        finally:
            self._budget = outer

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
        reply = self._follow(method, url, self._deadline(), robots=True, **kwargs)
        return RawDocument(
            url=reply.url,
            body=reply.body,
            fetched_at=self.clock(),
            status=reply.status,
            content_type=reply.headers.get("content-type", ""),
            headers=dict(reply.headers),
        )

    def paginate(
        self, url: str, next_page: Callable[[RawDocument], str | None], *, max_pages: int = MAX_PAGES
    ) -> Iterator[RawDocument | FetchError]:
        """Follows next links; a failed page, a link seen before and the cap end the list as an
        error (a next link that cannot be read is that page's parse error)."""
        seen: set[str] = set()
        current = url
        for _ in range(max_pages):
            seen.add(current)
            try:
                doc = self.get(current, conditional=False)
            except SourcePaused:
                raise
            except FetchError as exc:
                yield exc
                return
            yield doc
            try:
                following = next_page(doc)
            except ScraperError:
                return
            if not following or following == current:  # some servers link the last page to itself
                return
            if following in seen:
                yield FetchError(following, f"Folgeseite schon abgerufen (Schleife nach {len(seen)} Seiten)")
                return
            current = following
        yield FetchError(current, f"mehr als {max_pages} Seiten: die Liste endet hier")

    def _deadline(self) -> Deadline:
        seconds = self.settings.request_deadline
        own = Deadline.after(seconds)
        return self._budget if self._budget is not None and self._budget.at < own.at else own

    def _follow(self, method: str, url: str, deadline: Deadline, *, robots: bool, **kwargs: Any) -> _Reply:
        """The request and its redirects; an error on a later hop is named by the URL asked for."""
        current, hops = url, [url]
        while True:
            try:
                reply = self._fetch(method, current, deadline, robots=robots, **kwargs)
            except FetchError as exc:
                if current == url:
                    raise
                raise type(exc)(url, f"nach Weiterleitung auf {current}: {exc.reason}", exc.status) from exc
            location = reply.headers.get("location", "")
            if reply.status not in REDIRECT_STATUS or not location:
                return reply
            try:
                following = urljoin(current, location.strip())
            except ValueError as exc:
                raise FetchError(url, f"ungültige Weiterleitung auf {location!r} ({exc})") from exc
            if following in hops:
                raise FetchError(url, f"Weiterleitungsschleife: {current} → {following}")
            if len(hops) > MAX_REDIRECTS:
                raise FetchError(url, f"mehr als {MAX_REDIRECTS} Weiterleitungen")
            hops.append(following)
            if reply.status == 303 or (reply.status in (301, 302) and method == "POST"):
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k != "json"}
            current = following

    def _fetch(self, method: str, url: str, deadline: Deadline, *, robots: bool, **kwargs: Any) -> _Reply:
        """One URL, without redirects: robots.txt, pauses, retries, all within the deadline."""
        _check_url(url)
        self._check_paused(url)
        if deadline.left() <= 0:
            raise deadline.error(url)
        if robots:
            self._check_robots(url, deadline)
        attempt = 0
        while True:
            self._wait_for_host(url)
            try:
                reply = self._send(method, url, deadline, **kwargs)
            except _Overdue:
                raise deadline.error(url) from None
            except (httpx.TransportError, _TooLarge) as exc:
                if isinstance(exc, _TooLarge) or _bad_location(exc) or attempt >= self.settings.retries:
                    raise FetchError(url, _describe(exc)) from exc
                delay = self._backoff(attempt)
                logger.warning("retry url=%s reason=%s wait=%.1fs", url, _describe(exc), delay)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # not worth a second try
                raise FetchError(url, _describe(exc)) from exc
            else:
                if reply.status not in RETRY_STATUS:
                    if reply.status >= 400:
                        raise FetchError(url, f"HTTP {reply.status}", reply.status)
                    return reply
                asked = retry_after(reply.headers, self.clock())
                if asked is not None and asked > self.settings.backoff_max:
                    why = f"HTTP {reply.status}, Retry-After {asked:.0f} s"
                    raise self._pause(url, reply.status, asked, why)
                if attempt >= self.settings.retries:
                    tries = f"HTTP {reply.status} nach {attempt + 1} Versuchen"
                    if reply.status == 429:  # still throttled: the next URL would be too
                        raise self._pause(url, 429, self.settings.backoff_max, tries)
                    raise FetchError(url, tries, reply.status)
                delay = min(asked if asked is not None else self._backoff(attempt), self.settings.backoff_max)
                logger.warning("retry url=%s status=%d wait=%.1fs", url, reply.status, delay)
            if delay > deadline.left():
                raise deadline.error(url)
            self.sleep(delay)
            attempt += 1

    def _send(self, method: str, url: str, deadline: Deadline, **kwargs: Any) -> _Reply:
        left = deadline.left()
        if left <= 0:
            raise _Overdue
        s, limit = self.settings, self.settings.max_body_bytes
        timeout = httpx.Timeout(min(s.read_timeout, left), connect=min(s.connect_timeout, left))
        with (
            self._client.stream(method, url, timeout=timeout, **kwargs) as response,
            Watchdog(response, deadline.left()) as watchdog,
        ):
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _TooLarge(f"Antwort größer als {limit} Bytes")
            chunks, size = [], 0
            try:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise _TooLarge(f"Antwort größer als {limit} Bytes")
                    if deadline.left() <= 0:  # a drip: every byte in time, the whole never
                        raise _Overdue
                    chunks.append(chunk)
            except httpx.TransportError:
                if watchdog.fired:
                    raise _Overdue from None
                raise
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

    def _pause(self, url: str, status: int, seconds: float, why: str) -> SourcePaused:
        """Remember that the host asked for rest, so no further request goes there before it ends."""
        seconds = min(seconds, MAX_PAUSE)
        until = self.clock() + timedelta(seconds=seconds)
        reason = f"{why}: Quelle pausiert bis {until:%d.%m.%Y %H:%M} UTC"
        self._paused[urlsplit(url).netloc] = (time.monotonic() + seconds, reason, status)
        if self.pauses is not None:
            self.pauses.save(urlsplit(url).netloc, until, reason, status)
        return SourcePaused(url, reason, status)

    def _check_paused(self, url: str) -> None:
        paused = self._paused.get(urlsplit(url).netloc)
        if paused and time.monotonic() < paused[0]:
            raise SourcePaused(url, paused[1], paused[2])

    def _check_robots(self, url: str, deadline: Deadline) -> None:
        if not self.settings.respect_robots:
            return
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            try:
                self._robots[origin] = self._fetch_robots(origin, deadline)
            except SourcePaused as exc:
                raise SourcePaused(url, f"robots.txt: {exc.reason}", exc.status) from exc
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            raise type(rules)(url, rules.reason, rules.status)
        if not rules.can_fetch(url, self.settings.user_agent):
            raise RobotsDisallowed(url, "robots.txt verbietet den Abruf")

    def _fetch_robots(self, origin: str, deadline: Deadline) -> Protego | FetchError:
        """Rules, or the error every URL of the origin gets: no answer says so, a server error
        means "disallow everything" (RFC 9309), a 4xx "allow everything", a long 429 pauses."""
        try:
            reply = self._follow("GET", f"{origin}/robots.txt", deadline, robots=False)
        except SourcePaused:
            raise
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return Protego.parse("")
            if exc.status is None:
                return FetchError(origin, exc.reason)
            return RobotsDisallowed(origin, f"robots.txt nicht abrufbar ({exc.reason}): kein Zugriff")
        return Protego.parse(reply.body.decode("utf-8", errors="replace"))


class _TooLarge(Exception):
    pass


class _Overdue(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes


def _check_url(url: str) -> None:
    """A bad link (from a next page or a Location) is that URL's error, not the crawl's end."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise FetchError(url, f"ungültige URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "ungültige URL (erwartet http:// oder https:// mit Rechnernamen)")


def _bad_location(exc: Exception) -> bool:
    """httpx reads every Location, followed or not, and calls a broken one a protocol error."""
    return isinstance(exc, httpx.RemoteProtocolError) and str(exc).startswith("Invalid URL in location")


def _describe(exc: Exception) -> str:
    if _bad_location(exc):
        return f"ungültige Weiterleitung ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "Zeitüberschreitung"
    if isinstance(exc, httpx.ConnectError):
        return f"keine Verbindung zum Server ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"Verbindung abgebrochen ({exc})"
    if isinstance(exc, httpx.DecodingError):
        return f"Antwort nicht dekodierbar ({exc})"
    if isinstance(exc, httpx.InvalidURL):
        return f"ungültige URL ({exc})"
    return str(exc) or type(exc).__name__
